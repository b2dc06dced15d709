/* attn chat-template — a conversation rendered by a chat template into the
 * prompt a chat model reads (what transformers' apply_chat_template gives). */
#include "cli.h"

#include "attn/chat.h"

#include <stdlib.h>
#include <string.h>

int cmd_chat_template(int argc, char **argv) {
    const char *template_path = NULL, *model = NULL, *bos = NULL, *eos = NULL;
    bool no_gen = false;
    const cli_option options[] = {
        {CLI_STR("--template", "-t", "FILE", &template_path, "a Jinja chat template file")},
        {CLI_STR("--model", "-m", "MODEL", &model,
                 "a model directory (chat_template.jinja or tokenizer_config.json) or a GGUF file")},
        {CLI_FLAG("--no-generation-prompt", NULL, &no_gen, "do not end with the opening of the assistant's turn")},
        {CLI_STR("--bos", NULL, "TEXT", &bos, "bos_token (default: the model's; none with --template)")},
        {CLI_STR("--eos", NULL, "TEXT", &eos, "eos_token (default: the model's; none with --template)")},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn chat-template [--template FILE | -m MODEL] [--no-generation-prompt] [MESSAGES.json]",
        "Prints the prompt a chat template makes of a conversation: MESSAGES.json (stdin\n"
        "without it or with -) holds [{\"role\": \"user\", \"content\": \"...\"}, ...] or\n"
        "{\"messages\": [...], \"tools\": [...]}. The template comes from --template, from\n"
        "the model (-m), or is ChatML when neither is given or the model has none.",
        options, NULL};
    int n_pos, r = cli_parse(&spec, argc, argv, &n_pos);
    if (r != CLI_GO_ON) return r;
    if (n_pos > 1) return cli_usage_error("one MESSAGES.json file at most");
    if (template_path && model) return cli_usage_error("give --template or -m, not both");
    char *source = NULL, *model_bos = NULL, *model_eos = NULL, *json = NULL, *out = NULL;
    size_t src_len = 0, json_len = 0, out_len = 0;
    attn_chat_template *t = NULL;
    int rc = 1;
    attn_status st = ATTN_OK;
    const char *name = "ChatML (built in)";
    if (template_path) {
        if ((st = cli_read_text(template_path, &source, &src_len))) goto fail;
        name = template_path;
    } else if (model) {
        char *found = NULL;
        if ((st = attn_chat_template_find(model, &found, &model_bos, &model_eos))) goto fail;
        if (found) {
            src_len = strlen(found);
            source = malloc(src_len + 1);
            if (!source) {
                attn_free(found);
                st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
                goto fail;
            }
            memcpy(source, found, src_len + 1);
            attn_free(found);
            name = model;
        }
    }
    if ((st = attn_chat_template_parse(name, source ? source : attn_chat_default_template(),
                                       source ? src_len : strlen(attn_chat_default_template()), &t)))
        goto fail;
    if ((st = cli_read_text(n_pos ? argv[1] : NULL, &json, &json_len))) goto fail;
    attn_chat_options opt = {!no_gen, bos ? bos : model_bos, eos ? eos : model_eos};
    if ((st = attn_chat_render_json(t, json, json_len, &opt, &out, &out_len))) goto fail;
    fwrite(out, 1, out_len, stdout);
    if ((st = cli_stdout_check())) goto fail;
    rc = 0;
    goto done;
fail:
    rc = cli_fail("chat-template", st, NULL);
done:
    free(source);
    free(json);
    attn_free(out);
    attn_free(model_bos);
    attn_free(model_eos);
    attn_chat_template_free(t);
    return rc;
}
