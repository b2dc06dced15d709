/* Fuzzes the GGUF reader (src/io/gguf.c): the input is a whole .gguf file,
 * opened through the mmap path (and from memory, which must agree); then
 * every key is looked up and printed as text, every tensor found by name and
 * dequantized, and the tokenizer built from tokenizer.ggml.* (and used, on a
 * short text, when it builds). */
#include "fuzz_common.h"

#include "attn/gguf.h"
#include "io/gguf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fuzz_path("model.gguf");
    fuzz_write(path, data, size);
    gguf_file *f = NULL, *m = NULL;
    attn_status st = gguf_open(path, &f);
    fuzz_check_error(st);
    attn_status sm = gguf_open_memory(data, size, "memory.gguf", &m);
    fuzz_check_error(sm);
    if ((st == ATTN_OK) != (sm == ATTN_OK) && size > 0) abort();   /* the two paths must agree */
    gguf_close(m);
    if (st != ATTN_OK) return 0;
    for (int64_t i = 0; i < f->n_kv; i++) {
        if (gguf_find(f, f->kv[i].key) != &f->kv[i]) abort();
        char *text = NULL;
        if (attn_gguf_kv_text(f, i, 16, &text) == ATTN_OK) attn_free(text);
        uint32_t u;
        float x;
        gguf_str s;
        (void)gguf_get_u32(f, f->kv[i].key, &u);
        (void)gguf_get_f32(f, f->kv[i].key, &x);
        (void)gguf_get_string(f, f->kv[i].key, &s);
    }
    for (int64_t i = 0; i < f->n_tensors; i++) {
        const gguf_tensor *t = &f->tensors[i];
        if (gguf_find_tensor(f, t->name) != t) abort();
        if (t->numel > (1 << 22)) continue;
        float *buf = attn_malloc((size_t)(t->numel ? t->numel : 1) * sizeof *buf);
        if (!buf) continue;
        if (gguf_tensor_f32(f, t, buf, t->numel) != ATTN_OK) abort();   /* a tensor the reader accepted */
        attn_free(buf);
    }
    attn_tokenizer *tok = NULL;
    st = attn_gguf_tokenizer(f, &tok);
    fuzz_check_error(st);
    if (st == ATTN_OK) {
        static const char text[] = "<|im_start|>user\nHello 12 worlds!\xff<|im_end|>";
        int32_t *ids = NULL;
        int64_t n = 0;
        if (attn_tokenizer_encode(tok, text, sizeof text - 1, &ids, &n) == ATTN_OK) {
            char *out = NULL;
            size_t len = 0;
            if (attn_tokenizer_decode(tok, ids, n, &out, &len) == ATTN_OK) attn_free(out);
        }
        attn_free(ids);
        attn_tokenizer_free(tok);
    }
    attn_gguf_specials sp;
    fuzz_check_error(attn_gguf_special_tokens(f, &sp));
    char *tmpl = NULL;
    fuzz_check_error(attn_gguf_chat_template(f, &tmpl));
    attn_free(tmpl);
    gguf_close(f);
    return 0;
}
