/* attn score — mean negative log-likelihood and perplexity of a text. */
#include "cli.h"

#include "attn/model.h"
#include "attn/rnn.h"
#include "attn/seq2seq.h"
#include "attn/tokenizer.h"
#include "attn/translate.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* attn_model_score_windows over ids in pieces of whole windows (stride 0) or whole blocks of
 * stride targets (the same windows as one call, so the same result with or without --quiet), with
 * the share scored on stderr by the progress rule (progress.c) unless quiet. */
static attn_status score_with_progress(attn_model *model, const int32_t *ids, int64_t n, int64_t window, int64_t stride,
                                       bool quiet, double *nll, int64_t *count) {
    int64_t unit = stride ? stride : window; /* targets per forward, about */
    int64_t piece = unit * (8192 / unit > 0 ? 8192 / unit : 1);
    if (n <= piece) return attn_model_score_windows(model, ids, n, window, stride, 1, n, nll, count);
    cli_progress pg;
    cli_progress_start(&pg);
    *nll = 0;
    *count = 0;
    for (int64_t start = 0; start + 1 < n; start += piece) {
        int64_t end = n - start < piece + 1 ? n : start + 1 + piece;
        double s;
        int64_t c;
        attn_status st = attn_model_score_windows(model, ids, n, window, stride, start + 1, end, &s, &c);
        if (st) return st;
        *nll += s;
        *count += c;
        if (!quiet && end < n && cli_progress_due(&pg)) {
            double done = (double)end / (double)n;
            cli_progress_print(&pg, "scored %lld of %lld tokens (%.0f%%), ETA %.0f s", (long long)end, (long long)n,
                               100.0 * done, (pg.last - pg.t0) * (1.0 - done) / done);
        }
    }
    cli_progress_end(&pg);
    return ATTN_OK;
}

/* --pairs: splits each line at its one tab (in place). */
static attn_status split_pairs(const char *path, cli_lines *lines, char **tgt, size_t *tgt_len) {
    for (int64_t i = 0; i < lines->n; i++) {
        char *tab = memchr(lines->s[i], '\t', lines->len[i]);
        if (!tab) return attn_errorf(ATTN_ERR_FORMAT, "%s:%lld: no tab between source and target", path, (long long)i + 1);
        if (memchr(tab + 1, '\t', lines->len[i] - (size_t)(tab + 1 - lines->s[i])))
            return attn_errorf(ATTN_ERR_FORMAT, "%s:%lld: more than one tab", path, (long long)i + 1);
        *tab = '\0';
        tgt[i] = tab + 1;
        tgt_len[i] = lines->len[i] - (size_t)(tab + 1 - lines->s[i]);
        lines->len[i] = (size_t)(tab - lines->s[i]);
    }
    return ATTN_OK;
}

static int score_pairs(const char *model_dir, const char *path, bool json, bool per_pair) {
    attn_model *model = NULL;
    attn_tokenizer *tok = NULL;
    char *text = NULL, **tgt = NULL;
    size_t len = 0, *tgt_len = NULL;
    double *nll = NULL, total = 0;
    int64_t *count = NULL, tokens = 0;
    cli_lines lines = {0};
    attn_s2s_wrap wrap;
    attn_status st = attn_model_load(model_dir, &model);
    if (!st) st = attn_tokenizer_load(model_dir, &tok);
    if (!st) st = attn_s2s_wrap_load(model_dir, tok, &wrap);
    if (!st) st = cli_read_text(path, &text, &len);
    if (!st) st = cli_split_lines(text, len, &lines);
    if (!st && lines.n == 0) st = attn_errorf(ATTN_ERR_INVALID_ARG, "%s: no pairs", path);
    if (!st) {
        tgt = malloc((size_t)lines.n * sizeof *tgt);
        tgt_len = malloc((size_t)lines.n * sizeof *tgt_len);
        nll = malloc((size_t)lines.n * sizeof *nll);
        count = malloc((size_t)lines.n * sizeof *count);
        if (!tgt || !tgt_len || !nll || !count) st = ATTN_ERR_OUT_OF_MEMORY;
    }
    if (!st) st = split_pairs(path, &lines, tgt, tgt_len);
    if (!st)
        st = attn_translate_score(model, tok, &wrap, (const char *const *)lines.s, lines.len, (const char *const *)tgt, tgt_len,
                                  lines.n, nll, count, &total, &tokens);
    int rc = 0;
    if (st) {
        rc = cli_fail("score", st, NULL);
    } else {
        double mean = total / (double)tokens;
        if (per_pair)
            for (int64_t i = 0; i < lines.n; i++) printf("%.6f\t%lld\n", nll[i], (long long)count[i]);
        if (json)
            printf("{\"nll\": %.8f, \"ppl\": %.8f, \"tokens\": %lld, \"total_nll\": %.8f, \"pairs\": %lld}\n", mean, exp(mean),
                   (long long)tokens, total, (long long)lines.n);
        else
            printf("nll %.6f nats/token, perplexity %.4f over %lld target tokens of %lld pairs (total %.4f nats)\n", mean,
                   exp(mean), (long long)tokens, (long long)lines.n, total);
    }
    free(tgt);
    free(tgt_len);
    free(nll);
    free(count);
    free(lines.s);
    free(lines.len);
    free(text);
    attn_tokenizer_free(tok);
    attn_model_free(model);
    return rc;
}

int cmd_score(int argc, char **argv) {
    const char *model_dir = NULL, *file = NULL, *pairs = NULL;
    bool ids_mode = false, json = false, per_pair = false, quiet = false;
    long long threads = 0;
    int64_t window = 0, stride = 0;
    int precision = -1; /* as loaded */
    const cli_option options[] = {
        {CLI_STR("--model", "-m", "PATH", &model_dir, "model directory or GGUF file")},
        {CLI_FLAG("--ids", NULL, &ids_mode, "FILE holds whitespace-separated token ids instead of text")},
        {CLI_STR("--pairs", NULL, "FILE", &pairs,
                 "a translation model: FILE has 'source TAB target' lines; prints the mean NLL per target token "
                 "(targets wrapped as in training, end token included) given the sources, and the total")},
        {CLI_FLAG("--per-pair", NULL, &per_pair, "with --pairs: also print each pair's total NLL and token count")},
        {CLI_FLAG("--json", NULL, &json, "print {\"nll\": ..., \"ppl\": ..., \"tokens\": ...}")},
        {CLI_INT("--context", NULL, "N", &window, 1, 1 << 20,
                 "windows of N tokens; past the model's trained context for rotary (llama) and ALiBi (bloom) models, "
                 "refused for learned positions (gpt2, opt)"),
         .def = "the model's context"},
        {CLI_INT("--stride", NULL, "K", &stride, 1, 1 << 20,
                 "score each token once, in blocks of K: a block is predicted by one window of --context tokens "
                 "ending at its last token (each token from N-K+1 to N tokens of context, fewer only at the text's "
                 "start), so every N scores the same tokens; K <= N"),
         .def = "none: consecutive windows, every token after a window's first scored"},
        {CLI_THREADS(&threads)},
        {CLI_CHOICE("--precision", NULL, "fp32|bf16|q8_0|q4_0|q4_1", &precision, cli_inference_precisions,
                    "matrix products as attn generate --precision (not with --pairs)"),
         .def = "as loaded (fp32; a GGUF file's own types)"},
        {CLI_FLAG("--quiet", "-q", &quiet, "no progress on stderr (otherwise a line every few seconds on a long text)")},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn score -m MODEL [FILE] [--ids] [--json] [--context N [--stride K]]\n"
        "       attn score -m SEQ2SEQ_MODEL --pairs FILE [--json] [--per-pair]",
        "Prints the mean negative log-likelihood (nats per token) and the perplexity of the\n"
        "file's text (stdin without FILE; on a terminal, it is read until Ctrl-D). The text\n"
        "is cut into windows of the model's context (or --context N); each token after a\n"
        "window's first is predicted from those before it. With --stride K every token is\n"
        "predicted from N-K+1 to N tokens before it instead (sliding windows).",
        options, NULL};
    int n_pos, r = cli_parse(&spec, argc, argv, &n_pos);
    if (r != CLI_GO_ON) return r;
    if (n_pos > 1) return cli_usage_error("one input file at most");
    if (n_pos) file = argv[1];
    if (!model_dir) return cli_usage_error("-m MODEL is required (see attn score --help)");
    if (stride && stride > (window ? window : INT64_MAX)) return cli_usage_error("--stride K must be at most --context N");
    int r0 = cli_set_threads(threads);
    if (r0) return r0;
    if (pairs) {
        if (file || ids_mode || precision >= 0 || window || stride)
            return cli_usage_error("--pairs takes no other input file, no --ids, --precision, --context or --stride");
        return score_pairs(model_dir, pairs, json, per_pair);
    }
    int rc = 1;
    attn_model *model = NULL;
    attn_tokenizer *tok = NULL;
    char *text = NULL;
    size_t len = 0;
    int32_t *ids = NULL;
    int64_t n = 0;
    attn_status st = precision == ATTN_PRECISION_BF16 ? attn_model_load_inference(model_dir, ATTN_PRECISION_BF16, &model)
                                                      : attn_model_load(model_dir, &model);
    if (st) goto fail;
    attn_encdec_config ecfg;
    attn_rnn_config rcfg;
    if (attn_model_encdec_config(model, &ecfg) || attn_model_rnn_config(model, &rcfg)) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED,
                         "%s is a translation (sequence-to-sequence) model: score source-target pairs with --pairs FILE", model_dir);
        goto fail;
    }
    if (precision >= 0 && (st = attn_model_set_precision(model, (attn_precision)precision)) != ATTN_OK) goto fail;
    if ((st = attn_model_release_f32(model)) != ATTN_OK) goto fail; /* inference only: no fp32 beside bf16 */
    if ((st = cli_read_text(file, &text, &len)) != ATTN_OK) goto fail;
    if (ids_mode) {
        if ((st = cli_parse_ids(text, &ids, &n)) != ATTN_OK) goto fail;
    } else {
        if ((st = attn_tokenizer_load(model_dir, &tok)) != ATTN_OK) goto fail;
        if ((st = attn_tokenizer_encode(tok, text, len, &ids, &n)) != ATTN_OK) goto fail;
        cli_warn_unknown("score", tok, 0);
    }
    if (n < 2) {
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "the input has %lld tokens; scoring needs at least 2", (long long)n);
        goto fail;
    }
    double nll;
    int64_t count;
    if (!window) window = attn_model_config(model).n_ctx;
    if (stride > window) {
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "--stride %lld is longer than the window of %lld tokens (the model's "
                         "context; give --context N)", (long long)stride, (long long)window);
        goto fail;
    }
    if ((st = score_with_progress(model, ids, n, window, stride, quiet, &nll, &count)) != ATTN_OK) goto fail;
    if (count == 0) {
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "nothing to predict");
        goto fail;
    }
    double mean = nll / (double)count;
    if (json)
        printf("{\"nll\": %.8f, \"ppl\": %.8f, \"tokens\": %lld}\n", mean, exp(mean), (long long)count);
    else
        printf("nll %.6f nats/token, perplexity %.4f over %lld predicted tokens\n", mean, exp(mean), (long long)count);
    rc = 0;
    goto done;
fail:
    rc = cli_fail("score", st, NULL);
done:
    attn_free(ids);
    free(text);
    attn_tokenizer_free(tok);
    attn_model_free(model);
    return rc;
}
