/* tokenizer_impl.h — what every tokenizer kind implements behind
 * include/attn/tokenizer.h, and the helpers tokenizer.c shares with them.
 *
 * A kind embeds `attn_tokenizer base` as its first member and fills a
 * tokenizer_vtable. tokenizer.c owns what all kinds share: the public
 * entry points, argument checks, splitting text on added tokens (so a
 * kind's encode never sees "<|endoftext|>"), tokenizer.json parsing up to
 * "model", and the added_tokens list. Internal: not for cli/. */
#ifndef ATTN_TOKENIZER_IMPL_H
#define ATTN_TOKENIZER_IMPL_H

#include "attn/tokenizer.h"
#include "core/core.h"
#include "tokenizers/tokenizers.h"

#include <cJSON.h>
#include <stdatomic.h>

/* A token matched literally in text before the model sees it. */
typedef struct tok_added {
    int32_t id;
    char *content;    /* attn_malloc'ed, NUL-terminated */
    size_t len;       /* > 0 */
    bool special;
} tok_added;

typedef struct tokenizer_vtable {
    const char *kind;   /* "char", later "bpe", "wordpiece" */
    /* Encodes text that holds no added token, appending to out. Byte offsets
     * in error messages are `base` + the offset within text. */
    attn_status (*encode)(const attn_tokenizer *tok, const char *text, size_t len, size_t base, tok_ids *out);
    /* Decodes ids already checked to be in 0..V-1. NULL: concatenate
     * token_bytes (right for char and byte-level BPE). */
    attn_status (*decode)(const attn_tokenizer *tok, const int32_t *ids, int64_t n, char **text, size_t *len);
    /* Bytes of an id already checked to be in 0..V-1. */
    attn_status (*token_bytes)(const attn_tokenizer *tok, int32_t id, const char **bytes, size_t *len);
    /* Writes the tokenizer's files into dir (which exists). */
    attn_status (*save)(const attn_tokenizer *tok, const char *dir);
    /* Frees the kind's own state and tok itself; tokenizer.c frees
     * base.added afterwards. */
    void (*free)(attn_tokenizer *tok);
} tokenizer_vtable;

/* ---- post-processors (post.c) -----------------------------------------------
 * What attn_tokenizer_encode_pair puts around one sequence or a pair, for
 * every kind: Hugging Face's TemplateProcessing, BertProcessing ([CLS] A
 * [SEP] B [SEP], type ids 0 then 1) and RobertaProcessing (<s> A </s></s> B
 * </s>, type ids all 0). n_single == n_pair == 0: none (a then b, type ids
 * 0 then 1). */
#define TOK_POST_MAX_PIECES 16
#define TOK_POST_MAX_IDS 8
#define TOK_POST_NAME_MAX 64

typedef struct tok_piece {
    int seq;                 /* -1: special token; 0: sequence A; 1: sequence B */
    int32_t type_id;
    char name[TOK_POST_NAME_MAX];  /* special token's name in "special_tokens" */
    int32_t ids[TOK_POST_MAX_IDS];
    int n_ids;
} tok_piece;

typedef enum tok_post_kind { TOK_POST_NONE = 0, TOK_POST_TEMPLATE, TOK_POST_ROBERTA } tok_post_kind;

typedef struct tok_post {
    tok_post_kind kind;
    tok_piece single[TOK_POST_MAX_PIECES], pair[TOK_POST_MAX_PIECES];
    int n_single, n_pair;
} tok_post;

struct attn_tokenizer {
    const tokenizer_vtable *vt;
    int32_t vocab_size;     /* V: ids are 0..V-1 */
    int32_t eot;            /* id of "<|endoftext|>", or -1 */
    tok_added *added;       /* sorted by id */
    int32_t n_added;
    tok_post post;          /* applied by attn_tokenizer_encode_pair */
    atomic_llong n_unknown; /* characters encoded as unknown (or skipped) so far */
};

/* Adds n to tok's count of unknown characters (encode holds tok const; the
 * count is the one field encoding changes, atomically). */
void tokenizer_count_unknown(const attn_tokenizer *tok, int64_t n);
/* The trainers' progress report (attn_tokenizer_train_set_progress; bpe_train.c). */
void tok_train_report(const char *phase, int64_t done, int64_t total);

/* BERT's template ([CLS] A [SEP] / [CLS] A [SEP] B [SEP]) or RoBERTa's
 * (<s> A </s> / <s> A </s></s> B </s>) over the given ids. */
void tok_post_bert(tok_post *pp, int32_t cls, const char *cls_name, int32_t sep, const char *sep_name);
void tok_post_roberta(tok_post *pp, int32_t cls, const char *cls_name, int32_t sep, const char *sep_name);
/* Reads tokenizer.json's "post_processor" (NULL or null: none). ByteLevel
 * (and a Sequence of ByteLevel with one template kind) changes no ids. */
attn_status tok_post_parse(tok_post *pp, const cJSON *p, int32_t vocab_size, const char *path);
/* Special ids added to one sequence (pair false) or a pair. */
int64_t tok_post_num_special(const tok_post *pp, bool pair);
/* Final ids and type ids for a (and b; NULL for one sequence), appended to
 * empty ids and types. */
attn_status tok_post_apply(const tok_post *pp, const tok_ids *a, const tok_ids *b, tok_ids *ids, tok_ids *types);
/* The "post_processor" JSON of pp (NULL when it has none); token strings of
 * special ids come from tok's token_bytes. */
attn_status tok_post_json(const tok_post *pp, const attn_tokenizer *tok, cJSON **out);


/* Frees an added-token list. */
void tok_added_free(tok_added *added, int32_t n);

/* A new tokenizer.json root holding {"version": "1.0"}; NULL on OOM (error
 * recorded). The kind adds "model", then calls tokenizer_json_add_added. */
cJSON *tokenizer_json_root(void);

/* Appends "added_tokens": [{"id", "content", "special"}, ...] for tok. */
attn_status tokenizer_json_add_added(const attn_tokenizer *tok, cJSON *root);

/* An id from JSON: an integral number in 0..INT32_MAX-1. */
bool tokenizer_json_id(const cJSON *item, int32_t *out);

/* Completes the "added_tokens" entries with the fields Hugging Face requires
 * and adds the "normalizer" (null), "pre_tokenizer" (a Split isolating every
 * character) and "decoder" (Fuse) of a character-level tokenizer.json, which
 * Hugging Face's WordLevel model then maps one character at a time. */
attn_status tokenizer_json_char_split(cJSON *root);
/* Whether root's "pre_tokenizer" is the one tokenizer_json_char_split writes. */
bool tokenizer_json_is_char_split(const cJSON *root);


/* Formats an error about code point cp at byte `at`: "character U+00E9 'é'
 * at byte 17 is not in the tokenizer's vocabulary". */
attn_status tokenizer_unknown_char(uint32_t cp, size_t at);

/* ---- char (char.c) ---------------------------------------------------------- */

/* Builds a char tokenizer from a parsed tokenizer.json "model" object: attn's
 * earlier "Char" type (word_level false: vocab of characters, added tokens
 * apart, no unknown token unless an added "<unk>") or a "WordLevel" model
 * over single characters (vocab holding the added tokens too; the unknown
 * token is model.unk_token). Takes ownership of `added` (n_added entries)
 * whether it succeeds or not. path is for messages. */
attn_status char_tokenizer_from_json(const cJSON *model, bool word_level, tok_added *added, int32_t n_added,
                                     const char *path, attn_tokenizer **out);

/* ---- amino acids (amino.c) ---- */
/* Whether a WordLevel "model" object is attn's amino-acid vocabulary. */
bool amino_json_matches(const cJSON *model);
attn_status amino_tokenizer_from_json(const cJSON *model, tok_added *added, int32_t n_added, const char *path,
                                      attn_tokenizer **out);

/* ---- byte-level BPE (bpe.c, bpe_pretok.c) ---- */
/* GPT-2's bytes_to_unicode(): the code point standing for each byte. */
void bpe_byte_map(uint32_t out[256]);
/* End of the GPT-2 pre-token that starts at byte pos of text (its regex, by hand). */
size_t bpe_pretok_next(const char *text, size_t len, size_t pos);
/* BLOOM's Split pre-tokenizer (Isolated) on this regex, as tokenizer.json writes it. */
#define BLOOM_SPLIT_REGEX                                                                                       \
    " ?[^(\\s|[.,!?\xe2\x80\xa6\xe3\x80\x82\xef\xbc\x8c\xe3\x80\x81\xe0\xa5\xa4\xdb\x94\xd8\x8c])]+" /* UTF-8: \u2026 \u3002 \uff0c \u3001 \u0964 \u06d4 \u060c */
/* End of the BLOOM pre-token (a match of BLOOM_SPLIT_REGEX or the stretch before the next) at byte pos. */
size_t bpe_pretok_bloom_next(const char *text, size_t len, size_t pos);
attn_status bpe_tokenizer_from_json(const cJSON *root, const cJSON *model, tok_added *added, int32_t n_added,
                                    const char *path, attn_tokenizer **out);
/* End of the segment at pos under Digits(individual_digits=true): one
 * numeric character alone, or the run of others before the next one. */
size_t bpe_digits_next(const char *text, size_t len, size_t pos);
/* A byte-level BPE from lists, as GGUF's tokenizer.ggml.* keys hold it:
 * tokens[i] is id ids[i]'s byte-level string (NUL-terminated, lens[i] > 0 bytes),
 * merges[i] "a b" in rank order; added (ids among the tokens) are matched
 * whole before BPE. digits: Digits(individual_digits) before the ByteLevel
 * regex (SmolLM2's pre-tokenizer). Takes ownership of added. path and
 * tokens_name / merges_name name the source in messages. */
typedef struct bpe_lists {
    const char *const *tokens;
    const size_t *lens;
    const int32_t *ids;       /* tokens[i]'s id (NULL: i) */
    int32_t n_tokens;
    const char *const *merges;
    const size_t *merge_lens;
    int64_t n_merges;
    bool digits;
    bool bloom_split;         /* BLOOM's Split, then ByteLevel without its regex (llama.cpp's "bloom") */
    const char *path, *tokens_name, *merges_name;
} bpe_lists;
attn_status bpe_tokenizer_from_lists(const bpe_lists *l, tok_added *added, int32_t n_added, attn_tokenizer **out);
/* llama.cpp's name (tokenizer.ggml.pre) for a byte-level BPE tokenizer.json's
 * pre_tokenizer: ByteLevel alone (GPT-2's regex) "gpt-2", [Digits(individual_digits),
 * ByteLevel] "smollm", BLOOM's [Split, ByteLevel] "bloom"; NULL for any other. */
const char *bpe_json_llama_pre(const cJSON *pre_tokenizer);
/* GPT-2's vocab.json (encoder.json) + merges.txt (vocab.bpe). */
attn_status bpe_tokenizer_load_files(const char *vocab_path, const char *merges_path, attn_tokenizer **out);

/* ---- wordpiece (wordpiece.c) ------------------------------------------------ */
/* Builds a WordPiece tokenizer from a parsed tokenizer.json (root, whose
 * model.type is "WordPiece"): model, normalizer, pre_tokenizer,
 * post_processor, decoder. Takes ownership of `added` whether it succeeds or
 * not. path is for messages. */
attn_status wordpiece_tokenizer_from_json(const cJSON *root, tok_added *added, int32_t n_added, const char *path,
                                          attn_tokenizer **out);

/* Builds a WordPiece tokenizer from a BERT vocab.txt (one token per line, id =
 * line number), with bert-base-uncased's settings: lowercase, strip accents,
 * [CLS] A [SEP] B [SEP] when the file has [CLS] and [SEP]. */
attn_status wordpiece_tokenizer_from_vocab_txt(const char *path, attn_tokenizer **out);

/* ---- ESM's vocab.txt (esm_vocab.c) ---- */
/* Whether the vocab.txt at path is ESM's (its first line is <cls>). */
bool esm_vocab_txt_matches(const char *path);
/* EsmTokenizer from its vocab.txt: one character per token, the <...> lines
 * special tokens, framed <cls> seq <eos>. */
attn_status esm_tokenizer_from_vocab_txt(const char *path, attn_tokenizer **out);

/* Receives one pre-tokenized word: UTF-8, not NUL-terminated, len > 0, of
 * any length (max_input_chars_per_word does not apply). */
typedef attn_status (*wordpiece_word_fn)(void *ctx, const char *word, size_t len);

/* Runs a "wordpiece" tokenizer's normalizer and pre-tokenizer over text (no
 * added-token matching) and hands each word to fn instead of the model; the
 * first error fn returns stops it. For the trainer (wordpiece_train.c). */
attn_status wordpiece_pretokenize(const attn_tokenizer *tok, const char *text, size_t len, wordpiece_word_fn fn,
                                  void *ctx);

#endif
