/* BART denoising rows (src/train/denoise.c): the special ids and sentence
 * ends taken from a tokenizer with BART's special tokens, the layout of
 * target and decoder input, the source being exactly attn_noise_apply of
 * the row for the row's seed, the cut to the encoder's positions, and the
 * errors for a tokenizer without <mask> and for bad ratios. */
#include "test.h"

#include "attn/noise.h"
#include "attn/tokenizer.h"
#include "core/core.h"
#include "train/denoise.h"

static const char TEXT[] = "It is a truth universally acknowledged. Is it? It is! The end came at last.\n"
                           "Mr. Bennet was among the earliest of those who waited on Mr. Bingley.\n"
                           "She is tolerable; but not handsome enough to tempt me. What a fine day!\n";

/* A byte-level BPE tokenizer trained on TEXT with the given special tokens. */
static attn_tokenizer *tokenizer(const char *const *special, int n_special) {
    const char *path = test_tmp_path("text.txt");
    FILE *f = fopen(path, "wb");
    if (!f) return NULL;
    fputs(TEXT, f);
    fclose(f);
    attn_tokenizer *tok = NULL;
    const char *files[1] = {path};
    CHECK_OK(attn_tokenizer_train_bpe_special(files, 1, 300, 1, special, n_special, &tok));
    return tok;
}

static const char *const BART_SPECIAL[5] = {"<s>", "<pad>", "</s>", "<unk>", "<mask>"};

/* The ids of TEXT's first `n` tokens (n <= its length). */
static int32_t *text_ids(const attn_tokenizer *tok, int64_t n) {
    int32_t *ids = NULL;
    int64_t m = 0;
    CHECK_OK(attn_tokenizer_encode(tok, TEXT, strlen(TEXT), &ids, &m));
    CHECK(m >= n);
    return ids;
}

/* The id the tokenizer gives `punct` after a word. */
static int32_t final_id(const attn_tokenizer *tok, const char *text) {
    int32_t *ids = NULL, id;
    int64_t n = 0;
    CHECK_OK(attn_tokenizer_encode(tok, text, strlen(text), &ids, &n));
    id = n > 0 ? ids[n - 1] : -1;
    attn_free(ids);
    return id;
}

static bool has(const int32_t *set, int n, int32_t id) {
    for (int i = 0; i < n; i++)
        if (set[i] == id) return true;
    return false;
}

TEST("specials and sentence ends come from the tokenizer") {
    attn_tokenizer *tok = tokenizer(BART_SPECIAL, 5);
    if (!tok) return;
    attn_noise_params r = attn_noise_default_params(-1, 0);
    denoise_spec s;
    CHECK_OK(denoise_spec_init(&s, tok, &r, 300, 16, 32, 2));
    CHECK(s.bos == 0 && s.pad == 1 && s.eos == 2 && s.mask == 4 && s.decoder_start == 2);
    CHECK(s.noise.mask_id == 4 && s.noise.vocab_size == 300 && s.noise.n_keep == 4);
    CHECK(has(s.keep, 4, 0) && has(s.keep, 4, 1) && has(s.keep, 4, 2) && has(s.keep, 4, 4));
    CHECK(s.noise.n_sentence_end == 3);
    int32_t dot = final_id(tok, "The end came at last."), bang = final_id(tok, "It is!"), q = final_id(tok, "Is it?");
    CHECK(dot >= 5 && bang >= 5 && q >= 5 && dot != bang && dot != q);
    CHECK(has(s.sentence_end, s.noise.n_sentence_end, dot));
    CHECK(has(s.sentence_end, s.noise.n_sentence_end, bang));
    CHECK(has(s.sentence_end, s.noise.n_sentence_end, q));
    /* BART's ratios */
    CHECK(s.noise.mask_ratio == 0.3f && s.noise.poisson_lambda == 3.0f && s.noise.random_ratio == 0.1f);
    CHECK(s.noise.delete_ratio == 0.0f && s.noise.permute_ratio == 1.0f && s.noise.rotate_ratio == 0.0f);
    attn_tokenizer_free(tok);
}

TEST("row: target <s> text </s>, decoder input shifted right, source = attn_noise_apply(row, seed)") {
    attn_tokenizer *tok = tokenizer(BART_SPECIAL, 5);
    if (!tok) return;
    enum { T = 24 };
    int32_t *text = text_ids(tok, T - 2);
    attn_noise_params r = attn_noise_default_params(-1, 0);
    denoise_spec s;
    CHECK_OK(denoise_spec_init(&s, tok, &r, 300, T, 40, 2));
    int32_t tgt_in[T], tgt_out[T], src[2 * T + 1], want[2 * T + 1], first[2 * T + 1];
    int64_t n = 0, n_want = 0, n_first = 0;
    int differ = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        CHECK_OK(denoise_row(&s, text, seed, tgt_in, tgt_out, src, &n));
        CHECK(tgt_out[0] == 0 && tgt_out[T - 1] == 2 && !memcmp(tgt_out + 1, text, (T - 2) * sizeof *text));
        CHECK(tgt_in[0] == 2 && !memcmp(tgt_in + 1, tgt_out, (T - 1) * sizeof *tgt_out));
        /* the same corruption from the noise function itself, with BART's settings spelled out */
        attn_noise_params p = attn_noise_default_params(4, 300);
        int32_t keep[4] = {0, 1, 2, 4};
        int32_t ends[3] = {final_id(tok, "The end came at last."), final_id(tok, "It is!"), final_id(tok, "Is it?")};
        p.keep = keep, p.n_keep = 4, p.sentence_end = ends, p.n_sentence_end = 3;
        CHECK_OK(attn_noise_apply(&p, seed, tgt_out, T, want, 2 * T + 1, &n_want));
        CHECK(n == n_want && !memcmp(src, want, (size_t)n * sizeof *src));
        CHECK(n >= 2 && src[0] == 0 && src[n - 1] == 2); /* the ends are kept */
        if (seed == 1) {
            memcpy(first, src, (size_t)n * sizeof *src);
            n_first = n;
        } else {
            differ += n != n_first || memcmp(first, src, (size_t)n * sizeof *src);
        }
        /* the same seed again: the same row */
        int32_t again[2 * T + 1];
        int64_t n_again = 0;
        CHECK_OK(denoise_row(&s, text, seed, tgt_in, tgt_out, again, &n_again));
        CHECK(n_again == n && !memcmp(again, src, (size_t)n * sizeof *src));
    }
    CHECK(differ >= 18); /* seeds corrupt differently */
    attn_free(text);
    attn_tokenizer_free(tok);
}

static int cmp_id(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

TEST("sentence permutation alone moves whole sentences between <s> and </s>") {
    attn_tokenizer *tok = tokenizer(BART_SPECIAL, 5);
    if (!tok) return;
    enum { T = 48 };
    int32_t *text = text_ids(tok, T - 2);
    attn_noise_params r = attn_noise_default_params(-1, 0);
    r.mask_ratio = 0;
    denoise_spec s;
    CHECK_OK(denoise_spec_init(&s, tok, &r, 300, T, T, 2));
    int32_t tgt_in[T], tgt_out[T], src[2 * T + 1];
    int64_t n = 0;
    int moved = 0;
    for (uint64_t seed = 1; seed <= 10; seed++) {
        CHECK_OK(denoise_row(&s, text, seed, tgt_in, tgt_out, src, &n));
        CHECK(n == T && src[0] == 0 && src[T - 1] == 2);
        int32_t a[T], b[T]; /* the same tokens */
        memcpy(a, src, sizeof a);
        memcpy(b, tgt_out, sizeof b);
        qsort(a, T, sizeof a[0], cmp_id);
        qsort(b, T, sizeof b[0], cmp_id);
        CHECK(!memcmp(a, b, sizeof a));
        moved += memcmp(src, tgt_out, sizeof src[0] * T) != 0;
        /* the source between <s> and </s> is the target's sentences, each once, in some order */
        int64_t start[T + 1], ns = 0;
        start[ns++] = 1;
        for (int64_t i = 1; i < T - 1; i++)
            if (has(s.sentence_end, s.noise.n_sentence_end, tgt_out[i]) && i + 1 < T - 1) start[ns++] = i + 1;
        start[ns] = T - 1;
        CHECK(ns == 4);
        bool used[T] = {false};
        for (int64_t at = 1; at < T - 1;) {
            int64_t k = 0;
            for (; k < ns; k++) {
                int64_t len = start[k + 1] - start[k];
                if (!used[k] && at + len <= T - 1 && !memcmp(src + at, tgt_out + start[k], (size_t)len * sizeof *src)) break;
            }
            CHECK(k < ns);
            if (k == ns) break;
            used[k] = true;
            at += start[k + 1] - start[k];
        }
    }
    CHECK(moved > 0); /* the first 46 tokens hold three sentences and the start of a fourth */
    attn_free(text);
    attn_tokenizer_free(tok);
}

TEST("a source longer than the encoder's positions is cut, ending in </s>") {
    attn_tokenizer *tok = tokenizer(BART_SPECIAL, 5);
    if (!tok) return;
    enum { T = 20, P = 20 };
    int32_t *text = text_ids(tok, T - 2);
    attn_noise_params r = attn_noise_default_params(-1, 0);
    r.poisson_lambda = 0.01f; /* nearly all spans have length 0: masks are inserted, nothing is covered */
    r.random_ratio = 0;
    r.permute_ratio = 0;
    denoise_spec s;
    CHECK_OK(denoise_spec_init(&s, tok, &r, 300, T, P, 2));
    int32_t tgt_in[T], tgt_out[T], src[2 * T + 1], want[2 * T + 1];
    int64_t n = 0, n_want = 0;
    CHECK_OK(denoise_row(&s, text, 7, tgt_in, tgt_out, src, &n));
    attn_noise_params p = s.noise;
    p.keep = s.keep, p.sentence_end = s.sentence_end;
    CHECK_OK(attn_noise_apply(&p, 7, tgt_out, T, want, 2 * T + 1, &n_want));
    CHECK(n_want > P); /* the premise: the corrupted row is longer than the positions */
    CHECK(n == P && src[P - 1] == 2 && !memcmp(src, want, (P - 1) * sizeof *src));
    attn_free(text);
    attn_tokenizer_free(tok);
}

TEST("errors: a tokenizer without <mask>, bad ratios, rows beyond the positions") {
    static const char *const no_mask[4] = {"<s>", "<pad>", "</s>", "<unk>"};
    attn_tokenizer *tok = tokenizer(no_mask, 4);
    if (!tok) return;
    attn_noise_params r = attn_noise_default_params(-1, 0);
    denoise_spec s;
    CHECK_STATUS(denoise_spec_init(&s, tok, &r, 300, 16, 32, 2), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "no <mask>") && strstr(attn_last_error(), "--special-tokens '<s>,<pad>,</s>,<unk>,<mask>'"));
    attn_tokenizer_free(tok);

    tok = tokenizer(BART_SPECIAL, 5);
    if (!tok) return;
    struct {
        float *field;
        float value;
        const char *name;
    } bad[] = {{&r.mask_ratio, -0.1f, "--mask-ratio"},    {&r.mask_ratio, 1.5f, "--mask-ratio"},
               {&r.random_ratio, -1, "--random-ratio"},   {&r.delete_ratio, 2, "--delete-ratio"},
               {&r.permute_ratio, NAN, "--permute-ratio"}, {&r.rotate_ratio, 1.01f, "--rotate-ratio"},
               {&r.poisson_lambda, -3, "--poisson-lambda"}, {&r.poisson_lambda, 101, "--poisson-lambda"}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        r = attn_noise_default_params(-1, 0);
        *bad[k].field = bad[k].value;
        CHECK_STATUS(denoise_spec_init(&s, tok, &r, 300, 16, 32, 2), ATTN_ERR_INVALID_ARG);
        CHECK(strstr(attn_last_error(), bad[k].name) != NULL);
    }
    r = attn_noise_default_params(-1, 0);
    r.mask_ratio = 1; /* the bounds themselves are allowed */
    r.poisson_lambda = 0;
    CHECK_OK(denoise_spec_init(&s, tok, &r, 300, 16, 32, 2));
    CHECK_STATUS(denoise_spec_init(&s, tok, &r, 300, 33, 32, 2), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(denoise_spec_init(&s, tok, &r, 300, 3, 32, 2), ATTN_ERR_INVALID_ARG);
    attn_tokenizer_free(tok);
}
