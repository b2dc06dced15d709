/* params.c — what every model kind does the same way with its parameter
 * table: one weight block behind the views, checkpoint names with an
 * optional prefix, and writing the table as a Hugging Face directory. */
#include "io/safetensors.h"
#include "models/model_impl.h"

#include <math.h>

attn_status model_params_finish(attn_model *m, int64_t n_floats) {
    size_t bytes;
    m->n_weights = n_floats;
    if (!size_mul((size_t)n_floats, sizeof(float), &bytes) || !(m->weights = attn_malloc_aligned(bytes)))
        return ATTN_ERR_OUT_OF_MEMORY;
    memset(m->weights, 0, bytes);
    for (int k = 0; k < m->n_params_tensors; k++) {
        const param_info *p = &m->params[k];
        tensor *t = &m->ptensors[k];
        t->data = m->weights + p->offset;
        t->ndim = p->ndim;
        t->shape[0] = p->shape[0];
        t->shape[1] = p->shape[1];
        t->numel = p->numel;
        t->is_param = true;
    }
    return ATTN_OK;
}

tensor param_fused(const tensor *first, int64_t rows, int64_t cols) {
    tensor t = *first;
    t.ndim = cols > 1 ? 2 : 1;
    t.shape[0] = rows;
    t.shape[1] = cols;
    t.numel = rows * cols;
    return t;
}

void param_info_place(param_info *p, int64_t s0, int64_t s1, bool decay, bool pack, int spec, int layer, int64_t *offset) {
    p->ndim = s1 ? 2 : 1;
    p->shape[0] = s0;
    p->shape[1] = s1 ? s1 : 1;
    p->numel = p->shape[0] * p->shape[1];
    p->offset = *offset;
    p->decay = decay;
    p->spec = spec;
    p->layer = layer;
    *offset += pack ? p->numel : (p->numel + 15) & ~(int64_t)15; /* 64-byte aligned views */
}

attn_status model_read_param(attn_model *m, int k, const st_tensor *t, const char *path) {
    const param_info *p = &m->params[k];
    if (!t) return attn_errorf(ATTN_ERR_FORMAT, "%s: missing tensor \"%s\"", path, p->name);
    attn_status st = st_check_shape(t, p->ndim, p->shape, path);
    return st ? st : st_read_f32(t, m->weights + p->offset, p->numel);
}

attn_status model_check_finite(const attn_model *m, const char *path) {
    for (int64_t i = 0; i < m->n_weights; i++)
        if (!isfinite(m->weights[i])) return attn_errorf(ATTN_ERR_FORMAT, "%s: weights contain NaN or infinity", path);
    return ATTN_OK;
}

bool model_has_param(const attn_model *m, const char *name, const char *prefix) {
    size_t n = strlen(prefix);
    for (int k = 0; k < m->n_params_tensors; k++) {
        const char *p = m->params[k].name;
        if (!strcmp(p, name) || (n && !strncmp(p, prefix, n) && !strcmp(p + n, name))) return true;
    }
    return false;
}

const st_tensor *model_find_tensor(const st_file *f, const char *name, const char *prefix) {
    const st_tensor *t = st_find(f, name);
    size_t n = strlen(prefix);
    if (!t && n && !strncmp(name, prefix, n)) t = st_find(f, name + n);
    return t;
}

attn_status model_save_untransposed(const attn_model *m, const char *dir, const char *config_json) {
    attn_status st = dir_ensure(dir);
    if (st) return st;
    char *cfg_path = path_join(dir, "config.json"), *w_path = path_join(dir, "model.safetensors");
    st_entry *entries = attn_calloc((size_t)m->n_params_tensors, sizeof *entries);
    if (!cfg_path || !w_path || !entries) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    for (int k = 0; k < m->n_params_tensors; k++) {
        const param_info *p = &m->params[k];
        entries[k] = (st_entry){p->name, ST_F32, p->ndim, p->shape, m->weights + p->offset};
    }
    static const char *const meta[] = {"format", "pt", NULL};
    if ((st = st_write(w_path, entries, m->n_params_tensors, meta)) != ATTN_OK) goto done;
    st = file_write_atomic(cfg_path, config_json, strlen(config_json));
done:
    attn_free(cfg_path);
    attn_free(w_path);
    attn_free(entries);
    return st;
}
