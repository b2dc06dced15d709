/* attn translate — translate lines with an encoder-decoder (Transformer,
 * BART) or RNN (RNNsearch, RNNencdec) model: greedy or beam search. */
#include "cli.h"

#include "attn/translate.h"

#include <stdlib.h>
#include <string.h>

/* attn_translate's progress: lines translated, by the progress rule (progress.c). */
static void on_translated(int64_t done, int64_t n, void *user) {
    cli_progress *pg = user;
    if (done < n && cli_progress_due(pg)) {
        double f = (double)done / (double)n;
        cli_progress_print(pg, "translated %lld of %lld lines (%.0f%%), ETA %.0f s", (long long)done, (long long)n,
                           100.0 * f, (pg->last - pg->t0) * (1.0 - f) / f);
    }
}

int cmd_translate(int argc, char **argv) {
    const char *model_dir = NULL, *file = NULL;
    /* the library's defaults (greedy, batch 16) without a model: the model's
     * generation settings other than the length penalty are not used */
    const attn_translate_params defaults = attn_translate_default_params(NULL);
    long long beam = defaults.gen.num_beams, n_best = defaults.gen.num_return_sequences,
              max_len = defaults.max_new_tokens, min_len = 0, batch = defaults.batch, threads = 0;
    double lp = 1.0;
    bool lp_set = false, print_scores = false;
    const cli_option options[] = {
        {CLI_STR("--model", "-m", "DIR", &model_dir, "model directory")},
        {CLI_INT("--beam", NULL, "K", &beam, 1, 1024, "beam search with K beams (1 = greedy)")},
        {CLI_FLOAT("--length-penalty", NULL, "X", &lp, -100, 100, CLI_CLOSED, "beam score = sum log p / length^X"),
         .set = &lp_set, .def = "the model's length_penalty, or 1"},
        {CLI_INT("--n-best", NULL, "N", &n_best, 1, 1024, "print the N best hypotheses of each source (<= K)")},
        {CLI_INT("--max-len", NULL, "N", &max_len, 0, CLI_MAX_LEN, "generate at most N tokens per source"),
         .def = "2 * source + 10"},
        {CLI_INT("--min-len", NULL, "N", &min_len, 0, CLI_MAX_LEN, "no end token before N generated tokens")},
        {CLI_INT("--batch", NULL, "N", &batch, 1, CLI_MAX_BATCH, "sources decoded together")},
        {CLI_FLAG("--scores", NULL, &print_scores, "prefix each line with its score and a TAB")},
        {CLI_THREADS(&threads)},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn translate -m MODEL [FILE] [options]",
        "Translates FILE (stdin without it or with -; on a terminal, it is read until\n"
        "Ctrl-D), one source per line, and prints one translation per line (with\n"
        "--n-best N: N lines per source, best first).\n"
        "Sources are wrapped with the special tokens the model was trained with\n"
        "(MODEL/translate.json, written by attn train on pair data; without it BART's\n"
        "<s> ... </s>), decoded in batches of similar length, and special tokens are\n"
        "removed from the output. An empty line is an error (naming the line), as is a\n"
        "source longer than the model's positions.",
        options, NULL};
    int n_pos, r = cli_parse(&spec, argc, argv, &n_pos);
    if (r != CLI_GO_ON) return r;
    if (n_pos > 1) return cli_usage_error("one input file at most");
    if (n_pos) file = argv[1];
    if (!model_dir) return cli_usage_error("-m MODEL is required (see attn translate --help)");
    if (n_best > beam) return cli_usage_error("--n-best %lld is more than --beam %lld", n_best, beam);
    if (max_len && min_len > max_len) return cli_usage_error("--min-len %lld is more than --max-len %lld", min_len, max_len);
    int r0 = cli_set_threads(threads);
    if (r0) return r0;
    int rc = 1;
    attn_model *model = NULL;
    attn_tokenizer *tok = NULL;
    char *text = NULL, **out = NULL;
    float *scores = NULL;
    size_t len = 0;
    cli_lines lines = {0};
    attn_s2s_wrap wrap;
    attn_status st = attn_model_load(model_dir, &model);
    if (!st) st = attn_tokenizer_load(model_dir, &tok);
    if (!st) st = attn_s2s_wrap_load(model_dir, tok, &wrap);
    if (!st) st = cli_read_text(file, &text, &len);
    if (!st) st = cli_split_lines(text, len, &lines);
    if (st) goto fail;
    attn_translate_params p = attn_translate_default_params(model);
    p.gen.num_beams = beam;
    p.gen.num_return_sequences = n_best;
    if (lp_set) p.gen.length_penalty = (float)lp;
    p.gen.min_length = min_len ? min_len + 1 : 0; /* decoder lengths count the start token */
    p.max_new_tokens = max_len;
    p.batch = batch;
    cli_progress pg;
    cli_progress_start(&pg);
    p.progress = on_translated;
    p.progress_user = &pg;
    int64_t R = n_best, n = lines.n;
    out = calloc((size_t)(n * R + 1), sizeof *out);
    scores = malloc((size_t)(n * R + 1) * sizeof *scores);
    if (!out || !scores) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    st = attn_translate(model, tok, &wrap, &p, (const char *const *)lines.s, lines.len, n, out, print_scores ? scores : NULL);
    cli_progress_end(&pg);
    if (st) goto fail;
    cli_warn_unknown("translate", tok, 0);
    for (int64_t i = 0; i < n * R; i++) {
        if (print_scores) printf("%.6f\t", (double)scores[i]);
        printf("%s\n", out[i]);
    }
    rc = 0;
    goto done;
fail:
    rc = cli_fail("translate", st, NULL);
done:
    if (out)
        for (int64_t i = 0; i < lines.n * n_best; i++) attn_free(out[i]);
    free(out);
    free(scores);
    free(lines.s);
    free(lines.len);
    free(text);
    attn_tokenizer_free(tok);
    attn_model_free(model);
    return rc;
}
