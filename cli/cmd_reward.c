/* attn reward — score conversations, or the two completions of preference
 * pairs, with a reward model (a one-label *ForSequenceClassification, e.g.
 * from `attn train --objective reward`): each text is made and encoded as
 * in that training (attn_chat_example_text with the model's chat template,
 * the tokenizer's post-processor, truncated to the positions). Or with a
 * sentiment lexicon (--lexicon): VADER's compound score of a
 * conversation's last message, or of each completion's text. */
#include "cli.h"

#include "attn/chat_data.h"
#include "attn/encoder.h"
#include "attn/eval.h"
#include "attn/model.h"
#include "attn/tokenizer.h"

#include <stdlib.h>
#include <string.h>

typedef struct row {
    int32_t *ids, *types;
    int64_t n;
} row;

/* The text of completion turns t (their contents one after another). */
static char *turns_text(const attn_chat_turns *t) {
    cli_buf b = {0};
    bool ok = cli_buf_add(&b, "", 0);
    for (int64_t i = 0; ok && i < t->n; i++) ok = cli_buf_add(&b, t->m[i].content, strlen(t->m[i].content));
    if (!ok) free(b.p);
    return ok ? b.p : NULL;
}

/* attn reward --lexicon: the lexicon's score of each conversation's last
 * message, or of both completions of each pair. */
static int lexicon_scores(const char *lex_path, const char *path, bool pairs) {
    attn_lexicon *lex = NULL;
    attn_chat_data *d = NULL;
    attn_status st = attn_lexicon_load(lex_path, &lex);
    if (!st) st = attn_chat_data_read(path, pairs ? ATTN_CHAT_PAIRS : ATTN_CHAT_CONVERSATIONS, &d);
    int64_t above = 0;
    for (int64_t i = 0; !st && i < d->n; i++) {
        const attn_chat_example *e = &d->ex[i];
        double v[2] = {0, 0};
        for (int w = 0; w < (pairs ? 2 : 1) && !st; w++) {
            const attn_chat_message *last = &e->prompt.m[e->prompt.n - 1];
            char *text = pairs ? turns_text(w ? &e->rejected : &e->chosen) : NULL;
            if (pairs && !text) st = ATTN_ERR_OUT_OF_MEMORY;
            if (!st) st = attn_lexicon_score(lex, pairs ? text : last->content, strlen(pairs ? text : last->content), &v[w]);
            free(text);
        }
        if (st) break;
        if (pairs) printf("%.6f\t%.6f\n", v[0], v[1]);
        else printf("%.6f\n", v[0]);
        above += v[0] > v[1];
    }
    if (!st) st = cli_stdout_check();
    if (!st && pairs)
        fprintf(stderr, "attn reward: chosen above rejected in %lld of %lld pairs (%.2f%%)\n", (long long)above, (long long)d->n,
                100.0 * (double)above / (double)d->n);
    attn_chat_data_free(d);
    attn_lexicon_free(lex);
    return st ? cli_fail("reward", st, NULL) : 0;
}

int cmd_reward(int argc, char **argv) {
    const char *model_dir = NULL, *lex_path = NULL;
    long long batch = 16, threads = 0;
    bool pairs = false;
    const cli_option options[] = {
        {CLI_STR("--model", "-m", "DIR", &model_dir, "a reward model directory (one-label sequence classifier)")},
        {CLI_FLAG("--pairs", NULL, &pairs,
                  "FILE holds preference pairs ({\"prompt\", \"chosen\", \"rejected\"}): print both rewards of each, "
                  "and on stderr how often chosen scores above rejected")},
        {CLI_STR("--lexicon", NULL, "FILE", &lex_path,
                 "score with a sentiment lexicon instead of a model (WORD<TAB>VALENCE lines, e.g. "
                 "data/sentiment/vader_lexicon.tsv): VADER's compound score in [-1, 1] of each conversation's last "
                 "message, or of each completion")},
        {CLI_INT("--batch", NULL, "N", &batch, 1, CLI_MAX_BATCH, "texts per forward pass")},
        {CLI_THREADS(&threads)},
        CLI_END,
    };
    const cli_spec spec = {"usage: attn reward -m MODEL [--pairs] FILE\n       attn reward --lexicon LEXICON [--pairs] FILE",
                           "Prints the reward of each conversation of FILE (JSON lines {\"messages\": [...]}), one per\n"
                           "line, or with --pairs \"chosen<TAB>rejected\" per pair.",
                           options, NULL};
    int n_pos, r = cli_parse(&spec, argc, argv, &n_pos);
    if (r != CLI_GO_ON) return r;
    if (n_pos != 1) return cli_usage_error("one input FILE is required (see attn reward --help)");
    if (model_dir && lex_path) return cli_usage_error("-m MODEL or --lexicon FILE, not both");
    if (lex_path) return lexicon_scores(lex_path, argv[1], pairs);
    if (!model_dir) return cli_usage_error("-m MODEL or --lexicon FILE is required (see attn reward --help)");
    int r0 = cli_set_threads(threads);
    if (r0) return r0;
    attn_model *m = NULL;
    attn_tokenizer *tok = NULL;
    attn_chat_template *tmpl = NULL;
    attn_chat_data *d = NULL;
    char *src = NULL, *bos = NULL, *eos = NULL;
    row *rows = NULL;
    int32_t *ids = NULL, *types = NULL;
    uint8_t *mask = NULL;
    float *rewards = NULL;
    int64_t n_rows = 0;
    int rc = 1;
    attn_status st;
    if ((st = attn_model_load(model_dir, &m)) != ATTN_OK || (st = attn_tokenizer_load(model_dir, &tok)) != ATTN_OK) goto fail;
    if (attn_model_num_labels(m) != 1) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s is not a reward model (a classifier with one label); train one with attn "
                         "train --objective reward", model_dir);
        goto fail;
    }
    if ((st = attn_chat_template_find(model_dir, &src, &bos, &eos)) != ATTN_OK) goto fail;
    const char *tsrc = src ? src : attn_chat_default_template();
    if ((st = attn_chat_template_parse(model_dir, tsrc, strlen(tsrc), &tmpl)) != ATTN_OK) goto fail;
    if ((st = attn_chat_data_read(argv[1], pairs ? ATTN_CHAT_PAIRS : ATTN_CHAT_CONVERSATIONS, &d)) != ATTN_OK) goto fail;
    attn_bert_config bc;
    bool encoder = attn_model_encoder_config(m, &bc);
    int64_t limit = encoder ? attn_encoder_max_length(m) : attn_model_config(m).n_ctx;
    int32_t pad = encoder && bc.pad_token_id >= 0 ? bc.pad_token_id : 0;
    int per = pairs ? 2 : 1;
    n_rows = d->n * per;
    if (!(rows = calloc((size_t)n_rows, sizeof *rows))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    attn_chat_options opt = {false, bos, eos};
    for (int64_t i = 0; i < n_rows; i++) {
        const attn_chat_example *e = &d->ex[i / per];
        char *text = NULL;
        size_t len = 0;
        st = attn_chat_example_text(tmpl, &opt, e, pairs ? (int)(i % 2) : -1, &text, &len);
        if (!st) st = attn_tokenizer_encode_pair(tok, text, len, NULL, 0, limit, &rows[i].ids, &rows[i].types, &rows[i].n);
        attn_free(text);
        if (!st && rows[i].n < 1) st = attn_errorf(ATTN_ERR_FORMAT, "encodes to no tokens");
        if (st) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s: line %lld: %s", argv[1], (long long)e->line, attn_last_error());
            st = attn_errorf(st, "%s", msg);
            goto fail;
        }
    }
    size_t cells = (size_t)batch * (size_t)limit;
    ids = malloc(cells * sizeof *ids);
    types = malloc(cells * sizeof *types);
    mask = malloc(cells);
    rewards = malloc((size_t)n_rows * sizeof *rewards);
    if (!ids || !types || !mask || !rewards) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    for (int64_t start = 0; start < n_rows; start += batch) {
        int64_t B = n_rows - start < batch ? n_rows - start : batch, T = 1;
        for (int64_t b = 0; b < B; b++)
            if (rows[start + b].n > T) T = rows[start + b].n;
        for (int64_t b = 0; b < B; b++)
            for (int64_t t = 0; t < T; t++) {
                const row *w = &rows[start + b];
                ids[b * T + t] = t < w->n ? w->ids[t] : pad;
                types[b * T + t] = t < w->n && w->types ? w->types[t] : 0;
                mask[b * T + t] = t < w->n;
            }
        if ((st = attn_model_classify(m, ids, types, mask, B, T, rewards + start)) != ATTN_OK) goto fail;
    }
    int64_t above = 0;
    for (int64_t i = 0; i < d->n; i++) {
        if (pairs) {
            printf("%.6f\t%.6f\n", (double)rewards[2 * i], (double)rewards[2 * i + 1]);
            above += rewards[2 * i] > rewards[2 * i + 1];
        } else {
            printf("%.6f\n", (double)rewards[i]);
        }
    }
    if (pairs && fflush(stdout) == 0 && !ferror(stdout)) /* else main's check of standard output reports it */
        fprintf(stderr, "attn reward: chosen above rejected in %lld of %lld pairs (%.2f%%)\n", (long long)above, (long long)d->n,
                100.0 * (double)above / (double)d->n);
    rc = 0;
fail:
    if (rc) cli_fail("reward", st, NULL);
    for (int64_t i = 0; rows && i < n_rows; i++) {
        attn_free(rows[i].ids);
        attn_free(rows[i].types);
    }
    free(rows);
    free(ids);
    free(types);
    free(mask);
    free(rewards);
    attn_chat_data_free(d);
    attn_chat_template_free(tmpl);
    attn_free(src);
    attn_free(bos);
    attn_free(eos);
    attn_tokenizer_free(tok);
    attn_model_free(m);
    return rc;
}
