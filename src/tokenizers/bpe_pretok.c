/* bpe_pretok.c — the two byte-level pieces of bpe.c that are not BPE: GPT-2's
 * byte-to-unicode map and its pre-tokenizer regex, written out by hand (see
 * bpe.c's header for the exact classes and the handling of invalid UTF-8). */
#include "tokenizers/tokenizer_impl.h"

#include <stdatomic.h>
#include <utf8proc.h>


/* ---- byte map ----------------------------------------------------------------
 * GPT-2's bytes_to_unicode(): the printable bytes '!'..'~', 0xA1..0xAC and
 * 0xAE..0xFF stand for themselves; the other 68 bytes, in order, become
 * U+0100.. U+0143 (so ' ' is U+0120 'Ġ', '\n' is U+010A 'Ċ'). */


void bpe_byte_map(uint32_t out[256]) {
    uint32_t n = 0;
    for (uint32_t b = 0; b < 256; b++) {
        bool printable = (b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae);
        out[b] = printable ? b : 256 + n++;
    }
}

/* ---- pre-tokenizer -------------------------------------------------------- */

enum { CL_END, CL_LETTER, CL_NUMBER, CL_SPACE, CL_OTHER };

static bool is_white_space(uint32_t cp) {
    return (cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f ||
           cp == 0x3000;
}

static int class_of_cp(uint32_t cp) {
    if (is_white_space(cp)) return CL_SPACE;
    switch (utf8proc_category((utf8proc_int32_t)cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
        return CL_LETTER;
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return CL_NUMBER;
    default:
        return CL_OTHER;
    }
}

/* Classes of the ASCII bytes, filled once (a race fills it with the same
 * values; the flag is atomic). */
static unsigned char ascii_class[128];
static atomic_int ascii_ready;

static void ascii_init(void) {
    if (atomic_load_explicit(&ascii_ready, memory_order_acquire)) return;
    for (uint32_t c = 0; c < 128; c++) ascii_class[c] = (unsigned char)class_of_cp(c);
    atomic_store_explicit(&ascii_ready, 1, memory_order_release);
}

/* Class of the code unit at pos (CL_END at len); *k its length in bytes. */
static inline int class_at(const unsigned char *s, size_t len, size_t pos, int *k) {
    if (pos >= len) {
        *k = 0;
        return CL_END;
    }
    if (s[pos] < 0x80) {
        *k = 1;
        return ascii_class[s[pos]];
    }
    uint32_t cp;
    int n = utf8_decode(s + pos, len - pos, &cp);
    if (!n) {
        *k = 1;   /* an invalid byte: one unit of "other" */
        return CL_OTHER;
    }
    *k = n;
    return class_of_cp(cp);
}

/* End of the run of class cl starting at pos. */
static size_t run_end(const unsigned char *s, size_t len, size_t pos, int cl) {
    int k;
    while (class_at(s, len, pos, &k) == cl) pos += (size_t)k;
    return pos;
}

/* End of the piece that starts at pos (< len): the regex's leftmost match
 * there, alternatives tried in order. */
size_t bpe_pretok_next(const char *text, size_t len, size_t pos) {
    const unsigned char *s = (const unsigned char *)text;
    ascii_init();
    /* 's|'t|'re|'ve|'m|'ll|'d */
    if (s[pos] == '\'' && pos + 1 < len) {
        unsigned char a = s[pos + 1];
        if (a == 's' || a == 't' || a == 'm' || a == 'd') return pos + 2;
        if (pos + 2 < len) {
            unsigned char b = s[pos + 2];
            if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return pos + 3;
        }
    }
    int k;
    int cl = class_at(s, len, pos, &k);
    /* ' ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+' */
    if (s[pos] == ' ') {
        int k1;
        int next = class_at(s, len, pos + 1, &k1);
        if (next == CL_LETTER || next == CL_NUMBER || next == CL_OTHER) return run_end(s, len, pos + 1, next);
    }
    if (cl != CL_SPACE) return run_end(s, len, pos, cl);
    /* \s+(?!\S)|\s+ : a run of white space followed by something else gives
     * back its last character, which then starts the next piece. */
    size_t last = pos, end = pos;
    int n = 0;
    while (class_at(s, len, end, &k) == CL_SPACE) {
        last = end;
        end += (size_t)k;
        n++;
    }
    return n > 1 && end < len ? last : end;
}


/* End of the segment that starts at pos (< len) under Hugging Face's
 * Digits(individual_digits=true) pre-tokenizer: one numeric character
 * (\p{N}, Rust's char::is_numeric) alone, or the run of other characters up
 * to the next numeric one. */
size_t bpe_digits_next(const char *text, size_t len, size_t pos) {
    const unsigned char *s = (const unsigned char *)text;
    ascii_init();
    int k;
    if (class_at(s, len, pos, &k) == CL_NUMBER) return pos + (size_t)k;
    while (pos < len) {
        if (class_at(s, len, pos, &k) == CL_NUMBER) break;
        pos += (size_t)k;
    }
    return pos;
}
