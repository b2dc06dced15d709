/* attn classify — label each line of a file with a fine-tuned classifier
 * (BertForSequenceClassification, RobertaForSequenceClassification,
 * GPT2ForSequenceClassification directories, e.g. from
 * `attn train --objective classify`). A line is a text, or a text pair
 * separated by the first TAB; it is encoded as in training (the model's
 * tokenizer.json with its post-processor, truncated to the positions). */
#include "cli.h"

#include "attn/encoder.h"
#include "attn/model.h"
#include "attn/tokenizer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct encoded {
    int32_t *ids, *types;
    int64_t n;
} encoded;

static void print_row(const attn_model *m, const float *z, int64_t L, bool probs) {
    double mx = z[0], sum = 0;
    int64_t best = 0;
    for (int64_t l = 1; l < L; l++)
        if (z[l] > z[best]) best = l;
    mx = z[best];
    for (int64_t l = 0; l < L; l++) sum += exp((double)z[l] - mx);
    if (!probs) {
        printf("%s\t%.4f\n", attn_model_label(m, best), 1.0 / sum);
        return;
    }
    for (int64_t l = 0; l < L; l++) printf("%s%s=%.4f", l ? "\t" : "", attn_model_label(m, l), exp((double)z[l] - mx) / sum);
    printf("\n");
}

int cmd_classify(int argc, char **argv) {
    const char *model_dir = NULL, *file = NULL;
    long long batch = 32, max_len = 0, threads = 0;
    bool probs = false;
    const cli_option options[] = {
        {CLI_STR("--model", "-m", "DIR", &model_dir, "model directory (a fine-tuned classifier)")},
        {CLI_FLAG("--probs", NULL, &probs, "print every label's probability instead (\"label=p\" TAB-separated)")},
        {CLI_INT("--max-length", NULL, "N", &max_len, 0, CLI_MAX_LEN, "truncate to N tokens"),
         .def = "the model's positions"},
        {CLI_INT("--batch", NULL, "N", &batch, 1, CLI_MAX_BATCH, "lines per forward pass")},
        {CLI_THREADS(&threads)},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn classify -m MODEL [FILE] [--probs] [--batch N]",
        "Prints one label per input line (stdin without FILE; on a terminal, read until\n"
        "Ctrl-D): the classifier's most likely label and its probability, \"label<TAB>p\".\n"
        "A TAB in a line separates a text pair.",
        options, NULL};
    int n_pos, r = cli_parse(&spec, argc, argv, &n_pos);
    if (r != CLI_GO_ON) return r;
    if (n_pos > 1) return cli_usage_error("one input file at most");
    if (n_pos) file = argv[1];
    if (!model_dir) return cli_usage_error("-m MODEL is required (see attn classify --help)");
    int r0 = cli_set_threads(threads);
    if (r0) return r0;
    attn_model *m = NULL;
    attn_tokenizer *tok = NULL;
    char *text = NULL;
    size_t len = 0;
    cli_lines ln = {0};
    encoded *enc = NULL;
    int32_t *ids = NULL, *types = NULL;
    uint8_t *mask = NULL;
    float *logits = NULL;
    attn_status st;
    int rc = 1;
    if ((st = attn_model_load(model_dir, &m)) != ATTN_OK || (st = attn_tokenizer_load(model_dir, &tok)) != ATTN_OK) goto fail;
    int64_t L = attn_model_num_labels(m);
    if (L < 1) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s has no classifier (fine-tune one with attn train --objective classify)", model_dir);
        goto fail;
    }
    if (attn_tokenizer_vocab_size(tok) > attn_model_config(m).vocab_size) {
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "%s: the tokenizer has %d tokens but the model only %lld embeddings", model_dir,
                         (int)attn_tokenizer_vocab_size(tok), (long long)attn_model_config(m).vocab_size);
        goto fail;
    }
    attn_bert_config bc;
    bool encoder = attn_model_encoder_config(m, &bc);
    if (encoder && bc.token_classifier) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s is a token classifier; attn classify labels whole lines", model_dir);
        goto fail;
    }
    int64_t limit = encoder ? attn_encoder_max_length(m) : attn_model_config(m).n_ctx;
    if (max_len == 0 || max_len > limit) max_len = limit;
    int32_t pad = encoder ? (bc.pad_token_id >= 0 ? bc.pad_token_id : 0) : 0;
    if ((st = cli_read_text(file, &text, &len)) != ATTN_OK || (st = cli_split_lines(text, len, &ln)) != ATTN_OK) goto fail;
    if (!(enc = calloc((size_t)(ln.n ? ln.n : 1), sizeof *enc))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    for (int64_t i = 0; i < ln.n; i++) {
        char *tab = memchr(ln.s[i], '\t', ln.len[i]);
        size_t a_len = tab ? (size_t)(tab - ln.s[i]) : ln.len[i];
        st = attn_tokenizer_encode_pair(tok, ln.s[i], a_len, tab ? tab + 1 : NULL, tab ? ln.len[i] - a_len - 1 : 0, max_len,
                                        &enc[i].ids, &enc[i].types, &enc[i].n);
        if (st) {
            char msg[512];
            snprintf(msg, sizeof msg, "line %lld: %s", (long long)i + 1, attn_last_error());
            st = attn_errorf(st, "%s", msg);
            goto fail;
        }
        if (enc[i].n < 1) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "line %lld is empty: nothing to classify", (long long)i + 1);
            goto fail;
        }
    }
    cli_warn_unknown("classify", tok, 0);
    size_t cells = (size_t)batch * (size_t)max_len;
    ids = malloc(cells * sizeof *ids);
    types = malloc(cells * sizeof *types);
    mask = malloc(cells);
    logits = malloc((size_t)batch * (size_t)L * sizeof *logits);
    if (!ids || !types || !mask || !logits) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    for (int64_t start = 0; start < ln.n; start += batch) {
        int64_t B = ln.n - start < batch ? ln.n - start : batch, T = 1;
        for (int64_t b = 0; b < B; b++)
            if (enc[start + b].n > T) T = enc[start + b].n;
        for (int64_t b = 0; b < B; b++) {
            const encoded *e = &enc[start + b];
            for (int64_t t = 0; t < T; t++) {
                ids[b * T + t] = t < e->n ? e->ids[t] : pad;
                types[b * T + t] = t < e->n && e->types ? e->types[t] : 0;
                mask[b * T + t] = t < e->n;
            }
        }
        if ((st = attn_model_classify(m, ids, types, mask, B, T, logits)) != ATTN_OK) goto fail;
        for (int64_t b = 0; b < B; b++) print_row(m, logits + b * L, L, probs);
    }
    rc = 0;
fail:
    if (rc) cli_fail("classify", st, NULL);
    for (int64_t i = 0; enc && i < ln.n; i++) {
        attn_free(enc[i].ids);
        attn_free(enc[i].types);
    }
    free(enc);
    free(ln.s);
    free(ln.len);
    free(text);
    free(ids);
    free(types);
    free(mask);
    free(logits);
    attn_tokenizer_free(tok);
    attn_model_free(m);
    return rc;
}
