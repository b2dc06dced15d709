/* attn translate — translate lines with an encoder-decoder (Transformer,
 * BART) or RNN (RNNsearch, RNNencdec) model: greedy or beam search. */
#include "cli.h"

#include "attn/translate.h"

#include <stdlib.h>
#include <string.h>

static void usage(FILE *out) {
    fprintf(out,
            "usage: attn translate -m MODEL [FILE] [options]\n\n"
            "Translates FILE (stdin without it or with -; on a terminal, it is read until\n"
            "Ctrl-D), one source per line, and prints one translation per line (with\n"
            "--n-best N: N lines per source, best first).\n"
            "Sources are wrapped with the special tokens the model was trained with\n"
            "(MODEL/translate.json, written by attn train on pair data; without it BART's\n"
            "<s> ... </s>), decoded in batches of similar length, and special tokens are\n"
            "removed from the output. An empty line is an error (naming the line), as is a\n"
            "source longer than the model's positions.\n\n"
            "  --beam K            beam search with K beams (1 = greedy, the default)\n"
            "  --length-penalty X  beam score = sum log p / length^X (1.0)\n"
            "  --n-best N          print the N best hypotheses of each source (<= K)\n"
            "  --max-len N         generate at most N tokens per source (default 2 * source + 10)\n"
            "  --min-len N         no end token before N generated tokens (0)\n"
            "  --batch N           sources decoded together (16)\n"
            "  --scores            prefix each line with its score and a TAB\n"
            "  --threads N         threads, 1 to 4 x the cores (ATTN_THREADS, or all cores)\n");
}

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
    long long beam = 1, n_best = 1, max_len = 0, min_len = 0, batch = 16, threads = 0;
    double lp = 1.0;
    bool lp_set = false, print_scores = false;
    for (int i = 1; i < argc; i++) {
        int r;
        if (cli_opt_flag(argv, i, "--help", "-h")) {
            usage(stdout);
            return 0;
        }
        if (cli_opt_flag(argv, i, "--scores", NULL)) {
            print_scores = true;
            continue;
        }
        if ((r = cli_opt_str(argc, argv, &i, "--model", "-m", &model_dir)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        if ((r = cli_opt_float_range(argc, argv, &i, "--length-penalty", NULL, -100, 100, CLI_CLOSED, &lp)) != 0) {
            if (r < 0) return 2;
            lp_set = true;
            continue;
        }
        if ((r = cli_opt_threads(argc, argv, &i, &threads)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        const struct {
            const char *name;
            long long *v, min, max;
        } ints[] = {{"--beam", &beam, 1, 1024},          {"--n-best", &n_best, 1, 1024},
                    {"--max-len", &max_len, 0, CLI_MAX_LEN}, {"--min-len", &min_len, 0, CLI_MAX_LEN},
                    {"--batch", &batch, 1, CLI_MAX_BATCH}};
        bool matched = false;
        for (size_t k = 0; k < sizeof ints / sizeof ints[0] && !matched; k++) {
            if ((r = cli_opt_int_range(argc, argv, &i, ints[k].name, NULL, ints[k].min, ints[k].max, ints[k].v)) < 0) return 2;
            matched = r != 0;
        }
        if (matched) continue;
        if (argv[i][0] == '-' && argv[i][1]) return cli_usage_error("unknown option '%s' (see attn translate --help)", argv[i]);
        if (file) return cli_usage_error("one input file at most");
        file = argv[i];
    }
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
    st = attn_translate(model, tok, &wrap, &p, (const char *const *)lines.s, lines.len, n, out, scores);
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
