/* Allocation-failure injection (SQLite's technique): through the allocator
 * hook, fail the k-th allocation of an operation for k = 1, 2, ... until the
 * operation completes without reaching allocation k. Every failing run must
 * return ATTN_ERR_OUT_OF_MEMORY with a message, leave no allocation behind
 * (the hook counts the live blocks; the ASan build adds LeakSanitizer) and
 * leave files as they were. Operations: loading each kind of model
 * directory, a new tiny GPT with its trainer and one training step, a
 * checkpoint write over an earlier checkpoint, the training settings of
 * each loop and reading them back from a trainer state on resume,
 * loading each kind of tokenizer, and a decoding context's continuous
 * batch (prompts, a prefix copy, a reorder, a step). cJSON's allocations pass through the hook
 * as well (a cJSON_Add* that fails must not leave a setting out silently). */
#include "test.h"

#include "attn/context.h"
#include "attn/model.h"
#include "attn/tokenizer.h"
#include "attn/train.h"
#include "core/core.h"
#include "train/denoise.h"
#include "train/trainer.h"

#include <cJSON.h>

#include <dirent.h>
#include <sys/stat.h>

typedef struct counting {
    long count;        /* allocations so far (malloc or growing realloc) */
    long fail_at;      /* 1-based; 0 = never */
    long live;         /* blocks allocated and not yet freed */
    bool failed;       /* fail_at was reached */
    bool persist;      /* every allocation from fail_at on fails (else only that one) */
} counting;

static counting cnt;

static void *counting_realloc(void *ud, void *ptr, size_t size) {
    (void)ud;
    if (size == 0) {
        if (ptr) cnt.live--;
        free(ptr);
        return NULL;
    }
    if (++cnt.count == cnt.fail_at || (cnt.persist && cnt.fail_at && cnt.count > cnt.fail_at)) {
        cnt.failed = true;
        return NULL;
    }
    void *p = realloc(ptr, size);
    if (p && !ptr) cnt.live++;
    return p;
}

/* One operation under test: returns its status and frees whatever it made
 * (on success too), so that cnt.live is 0 after it either way. */
typedef attn_status (*op_fn)(void *ctx);

static long sweep_mode(const char *what, op_fn op, void *ctx, void (*check_files)(void *ctx), bool persist);

/* Runs op failing allocation k for every k, first that allocation alone,
 * then (persist) every allocation from k on, as memory that stays exhausted
 * (the error paths must not need memory either); returns how many
 * allocations a complete run made (0 if a check failed). */
static long sweep(const char *what, op_fn op, void *ctx, void (*check_files)(void *ctx)) {
    /* warm-up: once-per-process caches (kernel tables, ...) are made here */
    CHECK_OK(op(ctx));
    long n = 0;
    for (int persist = 0; persist < 2; persist++) {
        long got = sweep_mode(what, op, ctx, check_files, persist);
        if (persist && got != n) fprintf(stderr, "  %s: %ld allocations, then %ld\n", what, n, got);
        CHECK(!persist || got == n);
        n = got;
    }
    return n;
}

static long sweep_mode(const char *what, op_fn op, void *ctx, void (*check_files)(void *ctx), bool persist) {
    for (long k = 1;; k++) {
        cnt = (counting){.fail_at = k, .persist = persist};
        attn_set_allocator(counting_realloc, NULL);
        attn_status st = op(ctx);
        attn_set_allocator(NULL, NULL);
        if (!cnt.failed) {
            if (st != ATTN_OK) fprintf(stderr, "  %s: fails without an injected failure: %s\n", what, attn_last_error());
            CHECK_OK(st);
            CHECK(cnt.live == 0);
            return k - 1;
        }
        if (st != ATTN_ERR_OUT_OF_MEMORY || cnt.live != 0 || !attn_last_error()[0]) {
            fprintf(stderr, "  %s: allocation %ld of %ld failed%s -> %s (%s), %ld blocks left\n", what, k, cnt.count,
                    persist ? " (and every one after it)" : "", attn_status_string(st), attn_last_error(), cnt.live);
            CHECK(st == ATTN_ERR_OUT_OF_MEMORY);
            CHECK(cnt.live == 0);
            return 0;
        }
        if (check_files) check_files(ctx);
    }
}

/* ---- model directories --------------------------------------------------- */

static attn_status load_model(void *ctx) {
    attn_model *m = NULL;
    attn_status st = attn_model_load(ctx, &m);
    attn_model_free(m);
    return st;
}

TEST("alloc-fail: loading each kind of model directory") {
    static const char *const dirs[] = {"gpt2_tiny", "bert_tiny", "roberta_tiny", "bart_tiny", "marian_tiny",
                                       "rnnsearch_tiny", "rnnencdec_tiny", "gpt2_cls", "roberta_cls", "bert_cls",
                                       "bert_pretrain"};
    for (size_t i = 0; i < ARRAY_LEN(dirs); i++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/ref/%s", test_data_dir(), dirs[i]);
        long n = sweep(dir, load_model, dir, NULL);
        CHECK(n > 0);
        printf("  %s: %ld allocations, each failed in turn\n", dirs[i], n);
    }
}

/* ---- one training step ----------------------------------------------------- */

static attn_gpt_config tiny_gpt(void) {
    attn_gpt_config c = attn_gpt_default_config();
    c.n_layer = 1;
    c.n_head = 2;
    c.n_embd = 8;
    c.n_ctx = 8;
    c.vocab_size = 11;
    return c;
}

static attn_status train_step(void *ctx) {
    (void)ctx;
    attn_gpt_config c = tiny_gpt();
    attn_model *m = NULL;
    attn_trainer *tr = NULL;
    attn_optim_params p = attn_optim_default_params();
    int32_t in[2 * 8], tg[2 * 8];
    for (int i = 0; i < 16; i++) in[i] = i % 11, tg[i] = (i * 3 + 1) % 11;
    float loss;
    attn_status st = attn_model_new(&c, 7, &m);
    if (!st) st = attn_trainer_new(m, &p, &tr);
    if (!st) st = attn_trainer_step(tr, in, tg, 1, 2, 8, &loss, NULL);
    attn_trainer_free(tr);
    attn_model_free(m);
    return st;
}

TEST("alloc-fail: a new tiny GPT, its trainer and one training step") {
    int threads = attn_get_threads();
    attn_set_threads(1);   /* the counting hook is not thread-safe */
    long n = sweep("train step", train_step, NULL, NULL);
    attn_set_threads(threads);
    CHECK(n > 0);
    printf("  train step: %ld allocations, each failed in turn\n", n);
}

/* ---- a checkpoint write ---------------------------------------------------- */

typedef struct ckpt {
    attn_trainer *tr;
    attn_tokenizer *tok;
    attn_train_params p;
    char state[700];
    /* the directory's files before (old) and after a complete write (new) */
    int n_files;
    char names[8][64];
    char *old[8], *new_[8];
    size_t old_len[8], new_len[8];
} ckpt;

static attn_status write_ckpt(void *ctx) {
    ckpt *c = ctx;
    return train_checkpoint(c->tr, &c->p, c->tok, c->state, "{\"settings\": 1}");
}

static int list_dir(const char *dir, char names[][64], int max) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (n < max && strlen(e->d_name) < 64) memcpy(names[n], e->d_name, strlen(e->d_name) + 1);
        n++;
    }
    if (d) closedir(d);
    return n;
}

static bool read_whole(const char *path, char **buf, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    *buf = malloc((size_t)n + 1);
    *len = (size_t)n;
    bool ok = *buf && fread(*buf, 1, (size_t)n, f) == (size_t)n;
    fclose(f);
    return ok;
}

/* Every file of the directory is whole: byte for byte its old or its new
 * version; no other file (no temporary left behind). */
static void check_ckpt_files(void *ctx) {
    ckpt *c = ctx;
    char names[16][64];
    int n = list_dir(c->p.out_dir, names, 16);
    CHECK(n == c->n_files);
    for (int i = 0; i < c->n_files; i++) {
        char path[600], *buf = NULL;
        size_t len = 0;
        snprintf(path, sizeof path, "%s/%s", c->p.out_dir, c->names[i]);
        CHECK(read_whole(path, &buf, &len));
        bool same_old = buf && len == c->old_len[i] && !memcmp(buf, c->old[i], len);
        bool same_new = buf && len == c->new_len[i] && !memcmp(buf, c->new_[i], len);
        if (!same_old && !same_new) fprintf(stderr, "  %s is neither the old nor the new file\n", path);
        CHECK(same_old || same_new);
        free(buf);
    }
}

static void snapshot(ckpt *c, char **bufs, size_t *lens) {
    for (int i = 0; i < c->n_files; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s/%s", c->p.out_dir, c->names[i]);
        CHECK(read_whole(path, &bufs[i], &lens[i]));
    }
}

/* Sweeps train_checkpoint over an earlier checkpoint in DIR with the run's
 * tokenizer tok (taken). */
static void checkpoint_sweep(const char *what, const char *dir, attn_tokenizer *tok) {
    ckpt c = {0};
    c.tok = tok;
    attn_gpt_config g = tiny_gpt();
    attn_model *m = NULL;
    attn_optim_params op = attn_optim_default_params();
    CHECK_OK(attn_model_new(&g, 7, &m));
    if (m) CHECK_OK(attn_trainer_new(m, &op, &c.tr));
    if (!c.tr || !c.tok) goto done;
    c.p = attn_train_default_params();
    char old_dir[300], new_dir[300];
    snprintf(old_dir, sizeof old_dir, "%.200s", test_tmp_path(dir));
    snprintf(new_dir, sizeof new_dir, "%.200s_new", old_dir);
    c.p.out_dir = old_dir;
    CHECK_OK(dir_ensure(c.p.out_dir));
    snprintf(c.state, sizeof c.state, "%s/trainer_state.safetensors", c.p.out_dir);
    /* the earlier checkpoint: step 0 */
    CHECK_OK(write_ckpt(&c));
    c.n_files = list_dir(c.p.out_dir, c.names, 8);
    CHECK(c.n_files == 4);   /* trainer state, config.json, model.safetensors, tokenizer.json */
    snapshot(&c, c.old, c.old_len);
    /* one step later: what a complete write leaves */
    int32_t in[8] = {1, 2, 3, 4, 5, 6, 7, 8}, tg[8] = {2, 3, 4, 5, 6, 7, 8, 9};
    float loss;
    int threads = attn_get_threads();
    attn_set_threads(1);
    CHECK_OK(attn_trainer_step(c.tr, in, tg, 1, 1, 8, &loss, NULL));
    attn_set_threads(threads);
    char saved[512];
    snprintf(saved, sizeof saved, "%.500s", c.p.out_dir);
    c.p.out_dir = new_dir;
    snprintf(c.state, sizeof c.state, "%s/trainer_state.safetensors", c.p.out_dir);
    CHECK_OK(dir_ensure(c.p.out_dir));
    CHECK_OK(write_ckpt(&c));
    snapshot(&c, c.new_, c.new_len);
    for (int i = 0; i < c.n_files; i++)
        if (!strcmp(c.names[i], "trainer_state.safetensors"))
            CHECK(c.old_len[i] != c.new_len[i] || memcmp(c.old[i], c.new_[i], c.old_len[i]));
    /* back to the earlier checkpoint's directory: each failing write there
     * leaves every file old or new; the warm-up and the last run write it
     * whole, so the earlier contents come back before each k */
    c.p.out_dir = saved;
    snprintf(c.state, sizeof c.state, "%s/trainer_state.safetensors", c.p.out_dir);
    long total = 0;
    for (long k = 1;; k++) {
        /* restore the earlier checkpoint */
        for (int i = 0; i < c.n_files; i++) {
            char path[600];
            snprintf(path, sizeof path, "%s/%s", c.p.out_dir, c.names[i]);
            FILE *f = fopen(path, "wb");
            CHECK(f && fwrite(c.old[i], 1, c.old_len[i], f) == c.old_len[i]);
            if (f) fclose(f);
        }
        cnt = (counting){.fail_at = k};
        attn_set_allocator(counting_realloc, NULL);
        attn_status st = write_ckpt(&c);
        attn_set_allocator(NULL, NULL);
        check_ckpt_files(&c);
        if (!cnt.failed) {
            CHECK_OK(st);
            CHECK(cnt.live == 0);
            total = k - 1;
            break;
        }
        if (st != ATTN_ERR_OUT_OF_MEMORY || cnt.live != 0 || !attn_last_error()[0]) {
            fprintf(stderr, "  %s: allocation %ld failed -> %s (%s), %ld blocks left\n", what, k,
                    attn_status_string(st), attn_last_error(), cnt.live);
            CHECK(st == ATTN_ERR_OUT_OF_MEMORY);
            CHECK(cnt.live == 0);
            break;
        }
    }
    CHECK(total > 0);
    printf("  %s: %ld allocations, each failed in turn\n", what, total);
done:
    for (int i = 0; i < 8; i++) {
        free(c.old[i]);
        free(c.new_[i]);
    }
    attn_trainer_free(c.tr);
    attn_model_free(m);
    attn_tokenizer_free(c.tok);
}

TEST("alloc-fail: a checkpoint written over an earlier one, with each tokenizer kind") {
    attn_tokenizer *tok = NULL;
    static const char text[] = "abcdefghij";
    CHECK_OK(attn_tokenizer_new_char(text, 10, &tok));
    checkpoint_sweep("checkpoint, char tokenizer", "ckpt_char", tok);
    const char *corpus = test_tmp_path("ckpt_corpus.txt");
    FILE *f = fopen(corpus, "wb");
    CHECK(f && fputs("the cat sat on the mat; the dog sat on the log\n", f) >= 0);
    if (f) fclose(f);
    static const char *const special[] = {"<s>", "<pad>", "</s>", "<unk>"};
    tok = NULL;
    CHECK_OK(attn_tokenizer_train_bpe_special(&corpus, 1, 270, 1, special, 4, &tok));
    checkpoint_sweep("checkpoint, BPE tokenizer", "ckpt_bpe", tok);
    tok = NULL;
    CHECK_OK(attn_tokenizer_train_wordpiece(&corpus, 1, 40, 1, &tok));
    checkpoint_sweep("checkpoint, WordPiece tokenizer", "ckpt_wp", tok);
}

/* ---- training settings and resume ------------------------------------------ */

static attn_train_params settings_params(void) {
    attn_train_params p = attn_train_default_params();
    p.objective = ATTN_OBJECTIVE_MLM; /* every optional setting written */
    p.nsp = true;
    p.optim.schedule = ATTN_SCHEDULE_INVERSE_SQRT;
    p.optim.max_steps = 10;
    return p;
}

/* ctx: which writer (0 loop.c, 1 pairs, 2 denoising) */
static attn_status settings_writer(void *ctx) {
    int which = *(int *)ctx;
    attn_train_params p = settings_params();
    char *s = which == 0 ? train_settings_json(&p, 8) : which == 1 ? train_s2s_settings_json(&p, 64) : denoise_settings_json(&p, 8);
    if (!s) return ATTN_ERR_OUT_OF_MEMORY;
    cJSON_free(s);
    return ATTN_OK;
}

TEST("alloc-fail: the training settings of each loop") {
    static const char *const names[] = {"settings (token shards)", "settings (pairs)", "settings (denoising)"};
    for (int i = 0; i < 3; i++) {
        long n = sweep(names[i], settings_writer, &i, NULL);
        CHECK(n > 0);
        printf("  %s: %ld allocations, each failed in turn\n", names[i], n);
    }
}

typedef struct resume_ctx {
    attn_trainer *tr;
    attn_train_params p;
    const char *settings;
    char state[700];
} resume_ctx;

static attn_status resume_state(void *ctx) {
    resume_ctx *c = ctx;
    char *eff = NULL, *saved = NULL;
    attn_status st = train_load_state(c->tr, c->state, &c->p, c->settings, &eff);
    attn_free(eff);
    if (!st) st = train_state_settings(c->state, &saved);
    if (!st && !saved) st = ATTN_ERR_FORMAT;
    attn_free(saved);
    return st;
}

TEST("alloc-fail: reading a trainer state's settings on resume") {
    resume_ctx c = {0};
    attn_gpt_config g = tiny_gpt();
    attn_model *m = NULL;
    attn_optim_params op = attn_optim_default_params();
    CHECK_OK(attn_model_new(&g, 7, &m));
    if (m) CHECK_OK(attn_trainer_new(m, &op, &c.tr));
    char *settings = NULL;
    c.p = settings_params();
    c.p.out_dir = test_tmp_path("resume_state");
    CHECK_OK(dir_ensure(c.p.out_dir));
    snprintf(c.state, sizeof c.state, "%s/trainer_state.safetensors", c.p.out_dir);
    CHECK((settings = train_settings_json(&c.p, 8)) != NULL);
    c.settings = settings;
    if (c.tr && settings) {
        CHECK_OK(train_checkpoint(c.tr, &c.p, NULL, c.state, settings));
        long n = sweep("trainer state on resume", resume_state, &c, NULL);
        CHECK(n > 0);
        printf("  trainer state on resume: %ld allocations, each failed in turn\n", n);
    }
    if (settings) cJSON_free(settings);
    attn_trainer_free(c.tr);
    attn_model_free(m);
}

/* ---- tokenizers ------------------------------------------------------------ */

static attn_status load_tokenizer(void *ctx) {
    attn_tokenizer *tok = NULL;
    attn_status st = attn_tokenizer_load(ctx, &tok);
    attn_tokenizer_free(tok);
    return st;
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    CHECK(f && fputs(text, f) >= 0);
    if (f) fclose(f);
}

/* GPT-2's byte-level alphabet (byte b is the code point b when printable,
 * else 256 + n for the n-th unprintable byte) with three merges' tokens. */
static void write_gpt2_vocab(const char *path) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fprintf(f, "{\"<|endoftext|>\": 0");
    for (int b = 0, n = 0; b < 256; b++) {
        bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174;
        fprintf(f, ", \"\\u%04x\": %d", printable ? b : 256 + n++, b + 1);
    }
    fprintf(f, ", \"ab\": 257, \"abc\": 258, \"\\u0120a\": 259}\n");
    fclose(f);
}

TEST("alloc-fail: loading each kind of tokenizer") {
    /* tokenizer.json of each kind, as attn saves them */
    const char *corpus = test_tmp_path("tok_corpus.txt");
    write_text(corpus, "the cat sat on the mat, the dog sat on the log.\nHello world! caf\xc3\xa9 na\xc3\xafve\n");
    attn_tokenizer *tok = NULL;
    const char *char_dir = test_tmp_path("tok_char"), *bpe_dir = test_tmp_path("tok_bpe"),
               *wp_dir = test_tmp_path("tok_wp"), *pair_dir = test_tmp_path("tok_pair");
    static const char text[] = "abc def\n\xc3\xa9";
    CHECK_OK(attn_tokenizer_new_char(text, sizeof text - 1, &tok));
    if (tok) CHECK_OK(attn_tokenizer_save(tok, char_dir));
    attn_tokenizer_free(tok);
    tok = NULL;
    CHECK_OK(attn_tokenizer_train_bpe(&corpus, 1, 280, 1, &tok));
    if (tok) CHECK_OK(attn_tokenizer_save(tok, bpe_dir));
    attn_tokenizer_free(tok);
    tok = NULL;
    CHECK_OK(attn_tokenizer_train_wordpiece(&corpus, 1, 60, 1, &tok));
    if (tok) CHECK_OK(attn_tokenizer_save(tok, wp_dir));
    attn_tokenizer_free(tok);
    /* GPT-2's vocab.json + merges.txt */
    CHECK_OK(dir_ensure(pair_dir));
    char vocab[600], merges[600];
    snprintf(vocab, sizeof vocab, "%s/vocab.json", pair_dir);
    snprintf(merges, sizeof merges, "%s/merges.txt", pair_dir);
    write_gpt2_vocab(vocab);
    write_text(merges, "#version: 0.2\na b\nab c\n\xc4\xa0 a\n");
    /* BERT's vocab.txt */
    const char *vocab_txt = test_tmp_path("vocab.txt");
    write_text(vocab_txt, "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\ncat\n##s\na\nb\n##c\n");
    const char *paths[] = {char_dir, bpe_dir, wp_dir, pair_dir, vocab_txt};
    const char *names[] = {"char tokenizer.json", "BPE tokenizer.json", "WordPiece tokenizer.json",
                           "vocab.json + merges.txt", "vocab.txt"};
    for (size_t i = 0; i < ARRAY_LEN(paths); i++) {
        char path[600];
        snprintf(path, sizeof path, "%s", paths[i]);
        long n = sweep(names[i], load_tokenizer, path, NULL);
        CHECK(n > 0);
        printf("  %s: %ld allocations, each failed in turn\n", names[i], n);
    }
}

/* ---- a continuous batch ----------------------------------------------------- */

/* A context of 3 sequences on a loaded model: prompts of different lengths
 * in one batch, a copy of a prefix, a reorder, then one more batch. */
static attn_status decode_batch(void *ctx) {
    attn_model *m = ctx;
    attn_ctx *c = NULL;
    const int32_t seqs[7] = {2, 2, 0, 0, 0, 0, 1}, toks[7] = {1, 2, 3, 4, 5, 6, 7}, from[3] = {2, 0, 1};
    const int32_t step_seqs[3] = {1, 0, 2};
    float logits[3 * 67];
    attn_status st = attn_ctx_new(m, 3, 8, &c);
    if (!st) st = attn_ctx_decode_batch(c, 7, seqs, toks, logits);
    if (!st) st = attn_ctx_seq_copy(c, 1, 0, 3);
    if (!st) st = attn_ctx_reorder(c, from);
    if (!st) st = attn_ctx_decode_batch(c, 3, step_seqs, toks, logits);
    attn_ctx_free(c);
    return st;
}

TEST("alloc-fail: a decoding context's continuous batch (Llama, GPT-2)") {
    static const char *const dirs[] = {"llama_gqa", "gpt2_tiny"};
    int threads = attn_get_threads();
    attn_set_threads(1);   /* the counting hook is not thread-safe */
    for (size_t i = 0; i < ARRAY_LEN(dirs); i++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/ref/%s", test_data_dir(), dirs[i]);
        attn_model *m = NULL;
        CHECK_OK(attn_model_load(dir, &m));
        if (!m) continue;
        CHECK(attn_model_config(m).vocab_size == 67);
        long n = sweep(dirs[i], decode_batch, m, NULL);
        CHECK(n > 0);
        printf("  %s batch: %ld allocations, each failed in turn\n", dirs[i], n);
        attn_model_free(m);
    }
    attn_set_threads(threads);
}
