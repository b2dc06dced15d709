/* attn generate — sample from a model, streaming the text as it is made. */
#include "cli.h"

#include "attn/encoder.h"
#include "attn/generate.h"
#include "attn/rnn.h"
#include "attn/seq2seq.h"
#include "attn/tokenizer.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out) {
    fprintf(out,
            "usage: attn generate -m MODEL [options]\n\n"
            "Runs the prompt through the model (prefill), then decodes one token at a time with\n"
            "a KV cache, printing text as it is made. Stops at end-of-text or after -n tokens.\n\n"
            "  -m, --model DIR     model directory\n"
            "  -p, --prompt TEXT   prompt (default: the end-of-text token, i.e. start a document)\n"
            "  --ids \"1 2 3\"       prompt as token ids instead of text\n"
            "  -n, --max-tokens N  tokens to generate (200)\n"
            "  --temperature X     0 = greedy (0.8)\n"
            "  --top-k N           sample among the N most likely tokens (0 = all)\n"
            "  --top-p X           nucleus sampling mass (1 = off)\n"
            "  --seed N            sampling seed (42)\n"
            "  --print-ids         print the generated token ids instead of text\n"
            "  --no-stop           do not stop at end-of-text\n"
            "  --threads N         threads, 1 to 4 x the cores (ATTN_THREADS, or all cores)\n"
            "  --precision P       fp32 (default) or bf16: weight matrices in bf16 (half the\n"
            "                      bytes read per token), fp32 accumulation\n");
}

int cmd_generate(int argc, char **argv) {
    const char *model_dir = NULL, *prompt = NULL, *ids_str = NULL;
    attn_sampler_params sp = attn_sampler_default_params();
    bool print_ids = false, no_stop = false;
    attn_precision precision = ATTN_PRECISION_F32;
    long long v, threads = 0;
    double x;
    sp.max_new_tokens = 200;
    for (int i = 1; i < argc; i++) {
        int r;
        if (cli_opt_flag(argv, i, "--help", "-h")) {
            usage(stdout);
            return 0;
        }
        if (cli_opt_flag(argv, i, "--print-ids", NULL)) {
            print_ids = true;
            continue;
        }
        if (cli_opt_flag(argv, i, "--no-stop", NULL)) {
            no_stop = true;
            continue;
        }
        if ((r = cli_opt_str(argc, argv, &i, "--model", "-m", &model_dir)) || (r = cli_opt_str(argc, argv, &i, "--prompt", "-p", &prompt)) ||
            (r = cli_opt_str(argc, argv, &i, "--ids", NULL, &ids_str))) {
            if (r < 0) return 2;
            continue;
        }
        if ((r = cli_opt_int_range(argc, argv, &i, "--max-tokens", "-n", 0, CLI_MAX_LEN, &v)) != 0) {
            if (r < 0) return 2;
            sp.max_new_tokens = v;
            continue;
        }
        if ((r = cli_opt_int_range(argc, argv, &i, "--top-k", NULL, 0, INT32_MAX, &v)) != 0) {
            if (r < 0) return 2;
            sp.top_k = (int32_t)v;
            continue;
        }
        if ((r = cli_opt_int_range(argc, argv, &i, "--seed", NULL, 0, LLONG_MAX, &v)) != 0) {
            if (r < 0) return 2;
            sp.seed = (uint64_t)v;
            continue;
        }
        if ((r = cli_opt_precision(argc, argv, &i, &precision)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        if ((r = cli_opt_threads(argc, argv, &i, &threads)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        if ((r = cli_opt_float_range(argc, argv, &i, "--temperature", "-t", 0, FLT_MAX, CLI_CLOSED, &x)) != 0) {
            if (r < 0) return 2;
            sp.temperature = (float)x;
            continue;
        }
        if ((r = cli_opt_float_range(argc, argv, &i, "--top-p", NULL, 0, 1, CLI_MIN_OPEN, &x)) != 0) {
            if (r < 0) return 2;
            sp.top_p = (float)x;
            continue;
        }
        return cli_usage_error("unknown option '%s' (see attn generate --help)", argv[i]);
    }
    if (!model_dir) return cli_usage_error("-m MODEL is required (see attn generate --help)");
    if (prompt && ids_str) return cli_usage_error("give --prompt or --ids, not both");
    int rc = cli_set_threads(threads);
    if (rc) return rc;
    rc = 1;
    attn_model *model = NULL;
    attn_tokenizer *tok = NULL;
    attn_gen *gen = NULL;
    int32_t *ids = NULL;
    int64_t n = 0;
    attn_status st = attn_model_load(model_dir, &model);
    if (st) goto fail;
    attn_encdec_config ecfg;
    attn_rnn_config rcfg;
    if (attn_model_encdec_config(model, &ecfg) || attn_model_rnn_config(model, &rcfg)) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED,
                         "%s is a translation (sequence-to-sequence) model, which decodes from a source: use attn translate -m %s",
                         model_dir, model_dir);
        goto fail;
    }
    attn_bert_config bcfg;
    if (attn_model_encoder_config(model, &bcfg)) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED,
                         "%s is an encoder (BERT-family) model, which does not generate text: use attn embed or attn classify",
                         model_dir);
        goto fail;
    }
    if ((st = attn_model_set_precision(model, precision)) != ATTN_OK) goto fail;
    attn_gpt_config cfg = attn_model_config(model);
    if ((st = attn_tokenizer_load(model_dir, &tok)) != ATTN_OK) {
        if (!(ids_str && print_ids)) goto fail; /* ids in, ids out: no tokenizer needed */
        tok = NULL;
    }
    int32_t eot = tok ? attn_tokenizer_eot(tok) : cfg.eos_token_id;
    if (ids_str) {
        if ((st = cli_parse_ids(ids_str, &ids, &n)) != ATTN_OK) goto fail;
    } else if (prompt) {
        if ((st = attn_text_check("--prompt", prompt, strlen(prompt))) != ATTN_OK) goto fail;
        int64_t unknown = attn_tokenizer_unknown_count(tok);
        if ((st = attn_tokenizer_encode(tok, prompt, strlen(prompt), &ids, &n)) != ATTN_OK) goto fail;
        cli_warn_unknown("generate", tok, unknown);
    }
    if (n > cfg.n_ctx)
        fprintf(stderr, "attn generate: note: the prompt's %lld tokens exceed the model's context of %lld; "
                        "generating from its last %lld\n", (long long)n, (long long)cfg.n_ctx, (long long)cfg.n_ctx);
    if (n == 0) {
        if (eot < 0) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "an empty prompt needs an end-of-text token to start from");
            goto fail;
        }
        attn_free(ids);
        if (!(ids = attn_malloc(sizeof *ids))) {
            st = ATTN_ERR_OUT_OF_MEMORY;
            goto fail;
        }
        ids[0] = eot;
        n = 1;
    }
    sp.stop_token = no_stop ? -1 : (cfg.eos_token_id >= 0 ? cfg.eos_token_id : eot);
    if ((st = attn_gen_new(model, &sp, &gen)) != ATTN_OK) goto fail;
    if ((st = attn_gen_start(gen, ids, n)) != ATTN_OK) goto fail;
    if (!print_ids && prompt) fputs(prompt, stdout);
    int32_t t;
    bool first = true;
    while ((st = attn_gen_next(gen, &t)) == ATTN_OK) {
        if (print_ids) {
            printf(first ? "%d" : " %d", (int)t);
        } else if (t != sp.stop_token) {
            const char *bytes;
            size_t len;
            if ((st = attn_tokenizer_token_bytes(tok, t, &bytes, &len)) != ATTN_OK) goto fail;
            fwrite(bytes, 1, len, stdout);
        }
        first = false;
        if ((st = cli_stdout_check()) != ATTN_OK) goto fail; /* a full disk stops the generation */
    }
    if (st != ATTN_DONE) goto fail;
    printf("\n");
    if ((st = cli_stdout_check()) != ATTN_OK) goto fail;
    rc = 0;
    goto done;
fail:
    fflush(stdout);
    rc = cli_fail("generate", st, NULL);
done:
    attn_gen_free(gen);
    attn_free(ids);
    attn_tokenizer_free(tok);
    attn_model_free(model);
    return rc;
}
