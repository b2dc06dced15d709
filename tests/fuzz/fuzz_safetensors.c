/* Fuzzes the safetensors reader (src/io/safetensors.c): the input is a whole
 * .safetensors file; every tensor st_open accepts is then converted with
 * st_read_f32 or st_read_i32, so offsets and sizes it vouched for are read. */
#include "fuzz_common.h"
#include "io/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fuzz_path("model.safetensors");
    fuzz_write(path, data, size);
    st_file *f = NULL;
    attn_status st = st_open(path, &f);
    fuzz_check_error(st);
    if (st != ATTN_OK) return 0;
    for (int64_t i = 0; i < f->n_tensors; i++) {
        const st_tensor *t = &f->tensors[i];
        if (st_find(f, t->name) == NULL) abort();
        if (t->numel > (1 << 22)) continue;
        void *buf = attn_malloc((size_t)(t->numel ? t->numel : 1) * 4);
        if (!buf) continue;
        if (t->dtype == ST_F32 || t->dtype == ST_F16 || t->dtype == ST_BF16 || t->dtype == ST_F64)
            fuzz_check_error(st_read_f32(t, buf, t->numel));
        else
            fuzz_check_error(st_read_i32(t, buf, t->numel));
        attn_free(buf);
    }
    st_close(f);
    return 0;
}
