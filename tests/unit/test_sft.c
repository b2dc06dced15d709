/* The sft row's batches (src/train/sft.c) on a tiny GPT with a character
 * tokenizer and ChatML: every row of an epoch, unpacked and packed, equals
 * the rows built here from attn_chat_encode's tokens and masks (packing:
 * whole conversations in file order, a new row when the next does not fit
 * in seq_len + 1 tokens, a conversation's first token no one's target;
 * targets -1 outside assistant tokens and in the padding); with
 * --train-on-prompt every other token is a target. */
#include "test.h"

#include "attn/chat_data.h"
#include "attn/model.h"
#include "attn/tokenizer.h"
#include "core/core.h"
#include "train/objective.h"

#include <stdio.h>

#define SEQ 170 /* seq_len: conversations of 70, 98 and 151 tokens; packed 70 + 98, then 151 */
#define MAX_ROWS 8

static const char ALPHABET[] = "<|>_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!?.,: \n";
static const attn_chat_message C0[] = {{"user", "Hi?"}, {"assistant", "Hello."}};
static const attn_chat_message C1[] = {{"system", "Be."}, {"user", "A?"}, {"assistant", "B."}};
static const attn_chat_message C2[] = {{"user", "Long question here?"}, {"assistant", "Yes."}, {"user", "Ok?"},
                                       {"assistant", "No."}};
static const attn_chat_message *const CONV[] = {C0, C1, C2};
static const size_t NMSG[] = {2, 3, 4};

typedef struct want_row {
    int32_t in[SEQ], tg[SEQ];
    int64_t n;                /* tokens (inputs: n - 1) */
} want_row;

/* The rows by the documented rule. */
static int expected(const attn_tokenizer *tok, bool packing, bool all_tokens, want_row *rows) {
    attn_chat_template *t = NULL;
    const char *src = attn_chat_default_template();
    CHECK_OK(attn_chat_template_parse("chatml", src, strlen(src), &t));
    int n = 0;
    int32_t buf[SEQ + 1];
    uint8_t mbuf[SEQ + 1];
    int64_t used = 0;
    for (int c = 0; c < 3; c++) {
        int32_t *ids = NULL;
        uint8_t *mask = NULL;
        int64_t k = 0;
        CHECK_OK(attn_chat_encode(t, tok, CONV[c], NMSG[c], NULL, all_tokens, &ids, &mask, &k));
        if (k > SEQ + 1) k = SEQ + 1;
        if (!packing || n == 0 || used + k > SEQ + 1) {
            if (n) { /* close the row under way */
                want_row *w = &rows[n - 1];
                w->n = used;
                for (int64_t j = 0; j + 1 < used; j++) {
                    w->in[j] = buf[j];
                    w->tg[j] = mbuf[j + 1] ? buf[j + 1] : -1;
                }
            }
            n++;
            used = 0;
        }
        memcpy(buf + used, ids, (size_t)k * sizeof *ids);
        memcpy(mbuf + used, mask, (size_t)k);
        mbuf[used] = 0;
        used += k;
        attn_free(ids);
        attn_free(mask);
    }
    want_row *w = &rows[n - 1];
    w->n = used;
    for (int64_t j = 0; j + 1 < used; j++) {
        w->in[j] = buf[j];
        w->tg[j] = mbuf[j + 1] ? buf[j + 1] : -1;
    }
    attn_chat_template_free(t);
    return n;
}

static void write_conversations(const char *path) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    for (int c = 0; c < 3; c++) {
        fprintf(f, "{\"messages\": [");
        for (size_t i = 0; i < NMSG[c]; i++)
            fprintf(f, "%s{\"role\": \"%s\", \"content\": \"%s\"}", i ? ", " : "", CONV[c][i].role, CONV[c][i].content);
        fprintf(f, "]}\n");
    }
    fclose(f);
}

/* Draws one epoch of rows in one micro-batch and matches each with an expected row. */
static void check_rows(const char *model_dir, const char *data, bool packing, bool all_tokens) {
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_load(model_dir, &tok));
    want_row want[MAX_ROWS];
    memset(want, 0, sizeof want);
    int n_want = tok ? expected(tok, packing, all_tokens, want) : 0;
    CHECK(n_want == (packing ? 2 : 3));
    char out[600];
    snprintf(out, sizeof out, "%s/sft_out_%d%d", test_tmpdir(), packing, all_tokens);
    CHECK_OK(dir_ensure(out));
    attn_train_params p = attn_train_default_params();
    p.objective = ATTN_OBJECTIVE_SFT;
    p.init_from = model_dir;
    p.data_dir = data;
    p.out_dir = out;
    p.seq_len = SEQ;
    p.batch_size = n_want;
    p.packing = packing;
    p.train_on_prompt = all_tokens;
    const train_objective *o = train_objective_for(&p);
    CHECK(!strcmp(o->name, "sft"));
    void *ctx = attn_calloc(1, o->ops->ctx_size);
    attn_model *m = NULL;
    train_plan plan;
    CHECK_OK(o->ops->open(ctx, &p, &m));
    CHECK_OK(o->ops->prepare(ctx, &p, &m, &plan));
    model_batch mb;
    double tokens = 0;
    CHECK_OK(o->ops->batches(ctx, 0, &mb, &tokens));
    CHECK(mb.B == n_want);
    bool seen[MAX_ROWS] = {false};
    double want_tokens = 0;
    for (int i = 0; i < n_want; i++) want_tokens += (double)(want[i].n - 1);
    CHECK(tokens == want_tokens);
    for (int64_t b = 0; b < mb.B; b++) {
        int match = -1;
        for (int i = 0; i < n_want && match < 0; i++) {
            if (seen[i] || mb.T < want[i].n - 1) continue;
            bool same = true;
            for (int64_t t = 0; t < mb.T && same; t++) {
                bool real = t < want[i].n - 1;
                same = mb.targets[b * mb.T + t] == (real ? want[i].tg[t] : -1) && (!real || mb.inputs[b * mb.T + t] == want[i].in[t]);
            }
            if (same) match = i;
        }
        CHECK(match >= 0);
        if (match >= 0) seen[match] = true;
    }
    int counted = 0;
    for (int64_t i = 0; i < mb.B * mb.T; i++) counted += mb.targets[i] >= 0;
    CHECK(counted > 0);
    o->ops->close(ctx);
    attn_free(ctx);
    attn_model_free(m);
    attn_tokenizer_free(tok);
}

TEST("sft rows: unpacked, packed, and with --train-on-prompt, as the rule builds them from attn_chat_encode") {
    char model_dir[600], data[600];
    snprintf(model_dir, sizeof model_dir, "%s/sft_model", test_tmpdir());
    snprintf(data, sizeof data, "%s/conv.jsonl", test_tmpdir());
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_new_char(ALPHABET, sizeof ALPHABET - 1, &tok));
    attn_gpt_config c = attn_gpt_default_config();
    c.n_layer = 1;
    c.n_head = 2;
    c.n_embd = 8;
    c.n_ctx = 256;
    c.vocab_size = tok ? attn_tokenizer_vocab_size(tok) : 80;
    attn_model *m = NULL;
    CHECK_OK(attn_model_new(&c, 3, &m));
    CHECK_OK(attn_model_save(m, model_dir));
    CHECK_OK(attn_tokenizer_save(tok, model_dir));
    attn_model_free(m);
    attn_tokenizer_free(tok);
    write_conversations(data);
    check_rows(model_dir, data, false, false);
    check_rows(model_dir, data, true, false);
    check_rows(model_dir, data, true, true);
}
