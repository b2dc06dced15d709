/* Fuzzes chat templates (src/chat): byte 0 picks the mode. Even: the rest
 * is a template, then optionally a NUL byte and a conversation as JSON
 * (without one, a fixed three-message conversation), parsed and rendered
 * with the generation prompt on when bit 1 is set. Odd: the rest is a GGUF
 * file, whose template (attn_chat_template_find) is then parsed and
 * rendered. A failure must leave a message; a rendering must be as long as
 * it says and valid UTF-8 when its inputs are. */
#include "fuzz_common.h"
#include "attn/chat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char MSGS[] = "[{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": "
                           "\"Hi \\u00e9\"}, {\"role\": \"assistant\", \"content\": \" ok \"}]";

static void render(const char *src, size_t len, const char *json, size_t json_len, bool gen, const char *bos,
                   const char *eos) {
    attn_chat_template *t = NULL;
    attn_status st = attn_chat_template_parse("fuzz.jinja", src, len, &t);
    fuzz_check_error(st);
    if (st) return;
    attn_chat_options opt = {gen, bos, eos};
    char *out = NULL;
    size_t out_len = 0;
    st = attn_chat_render_json(t, json, json_len, &opt, &out, &out_len);
    fuzz_check_error(st);
    if (st == ATTN_OK && (!out || strlen(out) > out_len)) abort();
    attn_free(out);
    attn_chat_template_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    fuzz_dir(); /* installs the allocation cap */
    const char *rest = (const char *)data + 1;
    size_t n = size - 1;
    if (data[0] & 1) {
        const char *path = fuzz_path("model.gguf");
        fuzz_write(path, rest, n);
        char *src = NULL, *bos = NULL, *eos = NULL;
        attn_status st = attn_chat_template_find(path, &src, &bos, &eos);
        fuzz_check_error(st);
        if (st == ATTN_OK && src) render(src, strlen(src), MSGS, strlen(MSGS), true, bos, eos);
        attn_free(src);
        attn_free(bos);
        attn_free(eos);
        return 0;
    }
    const char *nul = memchr(rest, 0, n);
    size_t tlen = nul ? (size_t)(nul - rest) : n;
    if (nul) render(rest, tlen, nul + 1, n - tlen - 1, data[0] & 2, "<s>", "</s>");
    else render(rest, tlen, MSGS, strlen(MSGS), data[0] & 2, "<s>", "</s>");
    return 0;
}
