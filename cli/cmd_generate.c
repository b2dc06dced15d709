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

int cmd_generate(int argc, char **argv) {
    const char *model_dir = NULL, *prompt = NULL, *ids_str = NULL;
    attn_sampler_params sp = attn_sampler_default_params();
    bool print_ids = false, no_stop = false;
    int precision = -1; /* as loaded */
    long long threads = 0;
    const cli_option options[] = {
        {CLI_STR("--model", "-m", "PATH", &model_dir, "model directory or GGUF file")},
        {CLI_STR("--prompt", "-p", "TEXT", &prompt, "prompt"), .def = "the end-of-text token, i.e. start a document"},
        {CLI_STR("--ids", NULL, "\"1 2 3\"", &ids_str, "prompt as token ids instead of text")},
        CLI_SAMPLER_ROWS(sp),
        {CLI_FLAG("--print-ids", NULL, &print_ids, "print the generated token ids instead of text")},
        {CLI_FLAG("--no-stop", NULL, &no_stop, "do not stop at end-of-text")},
        {CLI_THREADS(&threads)},
        {CLI_CHOICE("--precision", NULL, "fp32|bf16|q8_0|q4_0|q4_1", &precision, cli_inference_precisions,
                    "weight matrices in bf16 (half the bytes read per token, fp32 accumulation) or quantized to "
                    "ggml's block types (int8 products)"), .def = "as loaded (fp32; a GGUF file's own types)"},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn generate -m MODEL [options]",
        "Runs the prompt through the model (prefill), then decodes one token at a time with\n"
        "a KV cache, printing text as it is made. Stops at end-of-text or after -n tokens.",
        options, NULL};
    int n_pos, rc = cli_parse(&spec, argc, argv, &n_pos);
    if (rc != CLI_GO_ON) return rc;
    if (n_pos > 0) return cli_usage_error("unknown argument '%s' (see attn generate --help)", argv[1]);
    if (!model_dir) return cli_usage_error("-m MODEL is required (see attn generate --help)");
    if (prompt && ids_str) return cli_usage_error("give --prompt or --ids, not both");
    if ((rc = cli_set_threads(threads)) != 0) return rc;
    rc = 1;
    attn_model *model = NULL;
    attn_tokenizer *tok = NULL;
    attn_gen *gen = NULL;
    int32_t *ids = NULL;
    int64_t n = 0;
    /* the tokenizer before the weights: what its parsing held is given
     * back before they arrive (peak RSS: weights + tokenizer); its error
     * counts only after the model's, and not where ids go in and out */
    char tok_error[1024] = "";
    attn_status tok_st = attn_tokenizer_load(model_dir, &tok);
    if (tok_st) snprintf(tok_error, sizeof tok_error, "%s", attn_last_error() ? attn_last_error() : "");
    attn_status st = precision == ATTN_PRECISION_BF16 ? attn_model_load_inference(model_dir, ATTN_PRECISION_BF16, &model)
                                                      : attn_model_load(model_dir, &model);
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
    if (precision >= 0 && (st = attn_model_set_precision(model, (attn_precision)precision)) != ATTN_OK) goto fail;
    if ((st = attn_model_release_f32(model)) != ATTN_OK) goto fail; /* inference only: no fp32 beside bf16 */
    attn_gpt_config cfg = attn_model_config(model);
    if (tok_st && !(ids_str && print_ids)) { /* ids in, ids out: no tokenizer needed */
        st = tok_error[0] ? attn_errorf(tok_st, "%s", tok_error) : tok_st;
        goto fail;
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
