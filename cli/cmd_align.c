/* attn align — translate one sentence greedily with an RNN translation
 * model (RNNsearch / RNNencdec) and write its attention weights as an SVG
 * heatmap and as JSON. */
#include "cli.h"

#include "attn/plot.h"
#include "attn/rnn.h"
#include "attn/tokenizer.h"

#include <stdlib.h>
#include <string.h>

/* A JSON string: escapes, and U+FFFD for bytes that are not UTF-8. */
static void json_string(FILE *f, const char *s, size_t n) {
    fputc('"', f);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        bool ok = k > 0 && i + k <= n;
        for (size_t j = 1; ok && j < k; j++) ok = ((unsigned char)s[i + j] >> 6) == 2;
        if (!ok) {
            fputs("\\ufffd", f);
            i++;
            continue;
        }
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fwrite(s + i, 1, k, f);
        i += k;
    }
    fputc('"', f);
}

/* The text of each token (owned by the tokenizer; not NUL-terminated) as
 * NUL-terminated copies in words[n] (free each with free()). */
static attn_status token_words(const attn_tokenizer *tok, const int32_t *ids, int64_t n, char **words) {
    for (int64_t i = 0; i < n; i++) {
        const char *b;
        size_t len;
        attn_status st = attn_tokenizer_token_bytes(tok, ids[i], &b, &len);
        if (st) return st;
        if (!(words[i] = malloc(len + 1))) return ATTN_ERR_OUT_OF_MEMORY;
        memcpy(words[i], b, len);
        words[i][len] = 0;
    }
    return ATTN_OK;
}

/* Both outputs are written atomically (cli_atomic); a write error is
 * reported at the commit. */
static attn_status write_file(const char *path, const char *data, size_t len) {
    cli_atomic af;
    attn_status st = cli_atomic_open(&af, path);
    if (st) return st;
    fwrite(data, 1, len, af.f);
    return cli_atomic_commit(&af);
}

static attn_status write_json(const char *path, const char *translation, size_t tr_len, char *const *src_words,
                              const int32_t *src, int64_t S, char *const *tgt_words, const int32_t *tgt, int64_t n,
                              const float *attn) {
    cli_atomic af;
    attn_status st = cli_atomic_open(&af, path);
    if (st) return st;
    FILE *f = af.f;
    fputs("{\n  \"translation\": ", f);
    json_string(f, translation, tr_len);
    for (int pass = 0; pass < 2; pass++) {
        char *const *words = pass ? tgt_words : src_words;
        const int32_t *ids = pass ? tgt : src;
        int64_t m = pass ? n : S;
        fprintf(f, ",\n  \"%s_tokens\": [", pass ? "target" : "source");
        for (int64_t i = 0; i < m; i++) {
            if (i) fputs(", ", f);
            json_string(f, words[i], strlen(words[i]));
        }
        fprintf(f, "],\n  \"%s_ids\": [", pass ? "target" : "source");
        for (int64_t i = 0; i < m; i++) fprintf(f, "%s%d", i ? ", " : "", (int)ids[i]);
        fputc(']', f);
    }
    fputs(",\n  \"attention\": [", f);
    for (int64_t i = 0; i < n; i++) {
        fputs(i ? ",\n    [" : "\n    [", f);
        for (int64_t j = 0; j < S; j++) fprintf(f, "%s%.6g", j ? ", " : "", (double)attn[i * S + j]);
        fputc(']', f);
    }
    fputs(n ? "\n  ]\n}\n" : "]\n}\n", f);
    return cli_atomic_commit(&af);
}

int cmd_align(int argc, char **argv) {
    const char *model_dir = NULL, *file = NULL, *sentence = NULL, *svg_path = NULL, *json_path = NULL;
    const char *tok_path = NULL, *tgt_tok_path = NULL, *title = NULL;
    long long threads = 0, max_len = -1;
    bool src_eos = false;
    const cli_option options[] = {
        {CLI_STR("--model", "-m", "DIR", &model_dir, "the model directory (config.json, model.safetensors)")},
        {CLI_STR("--src", NULL, "TEXT", &sentence, "the source sentence (instead of FILE)")},
        {CLI_STR("--svg", NULL, "OUT.svg", &svg_path, "write the alignment heatmap")},
        {CLI_STR("--json", NULL, "OUT.json", &json_path, "write the tokens and the attention weights")},
        {CLI_STR("--tokenizer", NULL, "PATH", &tok_path, "source tokenizer"),
         .def = "MODEL's tokenizer.json or vocab.txt"},
        {CLI_STR("--tgt-tokenizer", NULL, "PATH", &tgt_tok_path, "target tokenizer"), .def = "the source tokenizer"},
        {CLI_FLAG("--src-eos", NULL, &src_eos, "end the source with the model's eos token")},
        {CLI_INT("--max-len", NULL, "N", &max_len, 0, 100000, "at most N target tokens"),
         .def = "2 * source length + 10"},
        {CLI_STR("--title", NULL, "TEXT", &title, "the figure's title")},
        {CLI_THREADS(&threads)},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn align -m MODEL (--src \"sentence\" | FILE) [--svg OUT.svg] [--json OUT.json]",
        "Translates the sentence greedily with an RNN translation model (model_type rnnsearch or\n"
        "rnnencdec), prints the translation, and writes the attention weights: an alignment\n"
        "heatmap (source words across, target words down) and/or JSON with the tokens and the\n"
        "weights (one row per target token). FILE (or stdin with -) holds one sentence.",
        options, NULL};
    int n_pos, r = cli_parse(&spec, argc, argv, &n_pos);
    if (r != CLI_GO_ON) return r;
    if (n_pos > 1) return cli_usage_error("one input file at most");
    if (n_pos) file = argv[1];
    if (!model_dir || (!sentence && !file) || (sentence && file))
        return cli_usage_error("needs -m MODEL and either --src \"sentence\" or one FILE (see attn align --help)");
    int r0 = cli_set_threads(threads);
    if (r0) return r0;
    int rc = 1;
    attn_model *model = NULL;
    attn_tokenizer *tok = NULL, *tgt_tok_own = NULL;
    char *text = NULL, *translation = NULL, *svg = NULL, **src_words = NULL, **tgt_words = NULL;
    int32_t *src = NULL, *tgt = NULL;
    float *attn = NULL;
    int64_t S = 0, n_out = 0;
    size_t len = 0, tr_len = 0, svg_len = 0;
    attn_rnn_config cfg;
    attn_status st = attn_model_load(model_dir, &model);
    if (st) goto fail;
    if (!attn_model_rnn_config(model, &cfg)) {
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "%s is not an RNN translation model (model_type rnnsearch or rnnencdec)",
                         model_dir);
        goto fail;
    }
    if ((st = attn_tokenizer_load(tok_path ? tok_path : model_dir, &tok)) != ATTN_OK) goto fail;
    if (tgt_tok_path && (st = attn_tokenizer_load(tgt_tok_path, &tgt_tok_own)) != ATTN_OK) goto fail;
    const attn_tokenizer *tgt_tok = tgt_tok_own ? tgt_tok_own : tok;
    if (file) {
        if ((st = cli_read_text(file, &text, &len)) != ATTN_OK) goto fail;
        while (len && (text[len - 1] == '\n' || text[len - 1] == '\r')) text[--len] = 0;
        if (memchr(text, '\n', len)) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "%s: holds more than one line; align takes one sentence", file);
            goto fail;
        }
    }
    const char *input = file ? text : sentence;
    size_t input_len = file ? len : strlen(sentence);
    int32_t *ids = NULL;
    int64_t n_ids = 0;
    if ((st = attn_tokenizer_encode(tok, input, input_len, &ids, &n_ids)) != ATTN_OK) goto fail;
    S = n_ids + (src_eos ? 1 : 0);
    src = attn_malloc((size_t)(S > 0 ? S : 1) * sizeof *src);
    if (!src) {
        attn_free(ids);
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    if (n_ids) memcpy(src, ids, (size_t)n_ids * sizeof *src);
    attn_free(ids);
    if (src_eos) src[S - 1] = cfg.eos_token_id;
    if (S == 0) {
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "the source sentence is empty");
        goto fail;
    }
    for (int64_t j = 0; j < S; j++)
        if (src[j] >= cfg.src_vocab_size || src[j] == cfg.pad_token_id) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "source token %d at position %lld is %s", (int)src[j], (long long)j,
                             src[j] == cfg.pad_token_id ? "the padding token" : "outside the model's source vocabulary");
            goto fail;
        }
    if (max_len < 0) max_len = 2 * S + 10;
    tgt = attn_malloc((size_t)(max_len > 0 ? max_len : 1) * sizeof *tgt);
    attn = attn_calloc((size_t)((max_len > 0 ? max_len : 1) * S), sizeof *attn);
    src_words = calloc((size_t)S, sizeof *src_words);
    tgt_words = calloc((size_t)(max_len > 0 ? max_len : 1), sizeof *tgt_words);
    if (!tgt || !attn || !src_words || !tgt_words) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    if ((st = attn_rnn_greedy(model, src, S, max_len, tgt, &n_out, attn)) != ATTN_OK) goto fail;
    if ((st = attn_tokenizer_decode(tgt_tok, tgt, n_out, &translation, &tr_len)) != ATTN_OK) goto fail;
    if ((st = token_words(tok, src, S, src_words)) != ATTN_OK) goto fail;
    if ((st = token_words(tgt_tok, tgt, n_out, tgt_words)) != ATTN_OK) goto fail;
    if (svg_path) {
        if (n_out == 0) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "the translation is empty (eos first): no alignment to draw");
            goto fail;
        }
        if ((st = attn_svg_alignment((const char *const *)src_words, S, (const char *const *)tgt_words, n_out, attn, title,
                                     &svg, &svg_len)) != ATTN_OK)
            goto fail;
        if ((st = write_file(svg_path, svg, svg_len)) != ATTN_OK) goto fail;
    }
    if (json_path &&
        (st = write_json(json_path, translation, tr_len, src_words, src, S, tgt_words, tgt, n_out, attn)) != ATTN_OK)
        goto fail;
    fwrite(translation, 1, tr_len, stdout);
    fputc('\n', stdout);
    rc = 0;
    goto done;
fail:
    rc = cli_fail("align", st, NULL);
done:
    for (int64_t i = 0; src_words && i < S; i++) free(src_words[i]);
    for (int64_t i = 0; tgt_words && i < n_out; i++) free(tgt_words[i]);
    free(src_words);
    free(tgt_words);
    attn_free(svg);
    attn_free(translation);
    attn_free(src);
    attn_free(tgt);
    attn_free(attn);
    free(text);
    attn_tokenizer_free(tok);
    attn_tokenizer_free(tgt_tok_own);
    attn_model_free(model);
    return rc;
}
