/* params.c — what every model kind does the same way with its parameter
 * table: one weight block behind the views, checkpoint names with an
 * optional prefix, and writing the table as a Hugging Face directory. */
#include "io/safetensors.h"
#include "kernels/bf16.h"
#include "models/model_impl.h"

#include <cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The checkpoint the next model_params_finish on this thread checks its
 * table against (model_params_expect). */
static _Thread_local const st_file *expect_file;
static _Thread_local bool bf16_next; /* model_load_bf16 */
static _Thread_local const char *expect_path, *expect_prefix;

void model_params_expect(const st_file *f, const char *path, const char *prefix) {
    expect_file = f;
    expect_path = path;
    expect_prefix = prefix ? prefix : "";
}

/* Every parameter that the checkpoint holds by name has the shape the
 * config implies (as stored: transposed where p->transpose), and the
 * matrices it lacks by name can come from its other tensors (tied or
 * renamed ones), so that a config that claims more than the file holds
 * fails before its weight block is allocated and filled. */
static attn_status check_expected(const attn_model *m) {
    const st_file *f = expect_file;
    int64_t missing = 0, spare = 0;
    const char *first_missing = NULL;
    bool *used = attn_calloc((size_t)f->n_tensors + 1, sizeof *used);
    if (!used) return ATTN_ERR_OUT_OF_MEMORY;
    attn_status st = ATTN_OK;
    for (int k = 0; k < m->n_params_tensors && !st; k++) {
        const param_info *p = &m->params[k];
        const st_tensor *t = model_find_tensor(f, p->name, expect_prefix);
        if (!t) {
            bool optional = m->table && (m->table->rows[p->spec].flags & PF_OPTIONAL);
            if (p->ndim == 2 && !optional) { /* a missing vector is small; an optional tensor reads as zeros */
                missing += p->numel;
                if (!first_missing) first_missing = p->name;
            }
            continue;
        }
        used[t - f->tensors] = true;
        int64_t want[2] = {p->transpose ? p->shape[1] : p->shape[0], p->transpose ? p->shape[0] : p->shape[1]};
        st = st_check_shape(t, p->ndim, want, expect_path);
    }
    for (int64_t i = 0; i < f->n_tensors && !st; i++)
        if (!used[i]) spare += f->tensors[i].numel;
    attn_free(used);
    if (!st && missing > spare)
        st = attn_errorf(ATTN_ERR_FORMAT,
                         "%s: missing tensor \"%s\": the config implies %lld more weights than the file holds",
                         expect_path, first_missing, (long long)(missing - spare));
    return st;
}

static int cmp_offset(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Zeroes the floats of the weight block that no parameter covers (the
 * alignment padding between views, any tail), so that a block whose
 * parameters are all written by the loader holds no stale bytes. */
static attn_status zero_gaps(attn_model *m) {
    int n = m->n_params_tensors;
    int64_t *iv = attn_malloc((size_t)(2 * n + 1) * sizeof *iv);
    if (!iv) return ATTN_ERR_OUT_OF_MEMORY;
    for (int k = 0; k < n; k++) {
        iv[2 * k] = m->params[k].offset;
        iv[2 * k + 1] = m->params[k].numel;
    }
    qsort(iv, (size_t)n, 2 * sizeof *iv, cmp_offset);
    int64_t at = 0;
    for (int k = 0; k < n; k++) {
        if (iv[2 * k] > at) memset(m->weights + at, 0, (size_t)(iv[2 * k] - at) * sizeof(float));
        if (iv[2 * k] + iv[2 * k + 1] > at) at = iv[2 * k] + iv[2 * k + 1];
    }
    if (m->n_weights > at) memset(m->weights + at, 0, (size_t)(m->n_weights - at) * sizeof(float));
    attn_free(iv);
    return ATTN_OK;
}

attn_status model_params_finish(attn_model *m, int64_t n_floats) {
    size_t bytes;
    /* a loader that expects a checkpoint writes every parameter it holds
     * (params_read zeroes the optional ones the file lacks): the block is
     * not zeroed first, which would touch every page one time more */
    bool lazy = model_params_take_lazy() || expect_file;
    if (expect_file) {
        attn_status st = check_expected(m);
        expect_file = NULL;
        if (st) return st;
    }
    m->n_weights = n_floats;
    if (!size_mul((size_t)n_floats, sizeof(float), &bytes) || !(m->weights = attn_malloc_aligned(bytes)))
        return ATTN_ERR_OUT_OF_MEMORY;
    if (!lazy) memset(m->weights, 0, bytes);
    else if (zero_gaps(m)) return ATTN_ERR_OUT_OF_MEMORY;
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

/* ---- the table machinery -------------------------------------------------- */

/* Which pass places row r: 0 the leading globals, 1 and 2 the layer
 * groups, 3 the trailing globals. */
static int row_pass(const param_table *t, int r) {
    if (t->rows[r].group) return t->rows[r].group;
    for (int i = 0; i < r; i++)
        if (t->rows[i].group) return 3;
    return 0;
}

static bool is_norm(int role);

static bool row_present(const param_row *row, const param_layout *lay) {
    if (lay->no_bias && (row->flags & PF_BIAS) && !is_norm(row->role)) return false;
    return !row->part || (lay->parts & row->part);
}

void params_count(const param_table *t, const param_layout *lay, int64_t *total, int64_t *embedding) {
    int64_t all = 0, embd = 0;
    for (int r = 0; r < t->n_rows; r++) {
        const param_row *row = &t->rows[r];
        if (!row_present(row, lay) || (row->flags & PF_BUFFER)) continue;
        int64_t n = lay->dims[row->shape[0]] * (row->shape[1] ? lay->dims[row->shape[1]] : 1) *
                    (row->group ? lay->layers[row->group] : 1);
        all += n;
        if (row->role == ROLE_TOKEN_EMBD || row->role == ROLE_POS_EMBD) embd += n;
    }
    *total = all;
    if (embedding) *embedding = embd;
}

attn_status params_build(attn_model *m, const param_table *t, const param_layout *lay) {
    m->table = t;
    int64_t n = 0;
    for (int r = 0; r < t->n_rows; r++)
        if (row_present(&t->rows[r], lay)) n += t->rows[r].group ? lay->layers[t->rows[r].group] : 1;
    if (n > INT32_MAX) return attn_errorf(ATTN_ERR_INVALID_ARG, "too many parameter tensors");
    m->n_params_tensors = (int)n;
    m->params = attn_calloc((size_t)n + 1, sizeof *m->params);
    m->ptensors = attn_calloc((size_t)n + 1, sizeof *m->ptensors);
    if (!m->params || !m->ptensors) return ATTN_ERR_OUT_OF_MEMORY;
    int k = 0;
    int64_t offset = 0;
    for (int pass = 0; pass < 4; pass++) {
        int g = pass == 1 || pass == 2 ? pass : 0;
        for (int64_t layer = 0; layer < (g ? lay->layers[g] : 1); layer++)
            for (int r = 0; r < t->n_rows; r++) {
                const param_row *row = &t->rows[r];
                if (row_pass(t, r) != pass || !row_present(row, lay)) continue;
                param_info *p = &m->params[k];
                char pre[64] = "";
                if (g) snprintf(pre, sizeof pre, "%s%lld.", t->layer_name[g], (long long)layer);
                snprintf(p->name, sizeof p->name, "%s%s%s", row->flags & PF_PREFIX ? lay->prefix : "", pre, row->name);
                param_info_place(p, lay->dims[row->shape[0]], row->shape[1] ? lay->dims[row->shape[1]] : 0,
                                 row->flags & PF_DECAY, row->flags & PF_PACK, r, g ? (int)layer : -1, &offset);
                p->transpose = row->flags & PF_TRANSPOSE;
                p->heads3 = row->flags & PF_HEADS3 ? lay->qkv_heads : 0;
                k++;
            }
    }
    return model_params_finish(m, offset);
}

void params_sync(attn_model *m, void *const base[3], const size_t stride[3]) {
    const param_table *t = m->table;
    int64_t layers[3] = {1, 0, 0};
    for (int k = 0; k < m->n_params_tensors; k++) {
        const param_info *p = &m->params[k];
        const param_row *row = &t->rows[p->spec];
        char *at = (char *)base[row->group] + (row->group ? (size_t)p->layer * stride[row->group] : 0) + row->field;
        tensor *view = (tensor *)at;
        *view = m->ptensors[k];
        if (row->flags & PF_BUFFER) {
            view->requires_grad = false;
            view->grad = NULL;
        }
        if (row->group && p->layer + 1 > layers[row->group]) layers[row->group] = p->layer + 1;
    }
    for (const param_fuse *f = t->fuse; f && f->parts; f++)
        for (int64_t l = 0; l < layers[f->group]; l++) {
            char *layer = (char *)base[f->group] + (size_t)l * stride[f->group];
            const tensor *first = (const tensor *)(layer + f->first);
            int64_t rows = 0; /* the parts may differ in rows (grouped-query k and v) */
            for (int i = 0; i < f->parts; i++) rows += first[i].shape[0];
            *(tensor *)(layer + f->into) = param_fused(first, rows, first->ndim == 2 ? first->shape[1] : 1);
        }
}

static bool is_norm(int role) {
    return role == ROLE_EMBD_NORM || role == ROLE_ATTN_NORM || role == ROLE_CROSS_NORM || role == ROLE_FFN_NORM ||
           role == ROLE_OUTPUT_NORM || role == ROLE_HEAD_NORM;
}

void params_init(attn_model *m, uint64_t seed, float std, int64_t resid_layers) {
    float resid_std = resid_layers > 0 ? std / sqrtf(2.0f * (float)resid_layers) : std;
    for (int k = 0; k < m->n_params_tensors; k++) {
        const param_info *p = &m->params[k];
        const param_row *row = &m->table->rows[p->spec];
        float *w = m->weights + p->offset;
        if (row->flags & PF_BIAS) continue; /* zeros */
        if (is_norm(row->role)) {
            for (int64_t i = 0; i < p->numel; i++) w[i] = 1.0f;
            continue;
        }
        float sd = row->role == ROLE_ATTN_OUT || row->role == ROLE_FFN_DOWN ? resid_std : std;
        for (int64_t i = 0; i < p->numel; i++) w[i] = sd * rng_normal(seed, (uint64_t)k, (uint64_t)i);
    }
}

void params_heads3(float *dst, const float *src, const param_info *p, bool to_file) {
    int64_t H = p->heads3, D = p->shape[0] / (3 * H), n = p->shape[1];
    for (int64_t h = 0; h < H; h++)
        for (int64_t s = 0; s < 3; s++)
            for (int64_t d = 0; d < D; d++) {
                int64_t ours = (s * H + h) * D + d, theirs = (h * 3 + s) * D + d;
                memcpy(dst + (to_file ? theirs : ours) * n, src + (to_file ? ours : theirs) * n, (size_t)n * sizeof(float));
            }
}

/* dst (R, C) = src (C, R) transposed, in tiles that keep both sides in
 * cache, the row bands shared among the threads; into dst16 rounded to
 * bf16 instead where dst16 is given. */
static void transpose(float *dst, uint16_t *dst16, const float *src, int64_t R, int64_t C) {
    enum { TILE = 32 };
#pragma omp parallel for schedule(static) if (R * C >= (1 << 18))
    for (int64_t r0 = 0; r0 < R; r0 += TILE) {
        int64_t r1 = r0 + TILE < R ? r0 + TILE : R;
        for (int64_t c0 = 0; c0 < C; c0 += TILE) {
            int64_t c1 = c0 + TILE < C ? c0 + TILE : C;
            for (int64_t r = r0; r < r1; r++) {
                if (dst16)
                    for (int64_t c = c0; c < c1; c++) dst16[r * C + c] = bf16_from_f32(src[c * R + r]);
                else
                    for (int64_t c = c0; c < c1; c++) dst[r * C + c] = src[c * R + r];
            }
        }
    }
}

static bool listed(const char *const *list, const char *name) {
    size_t n = strlen(name);
    for (; list && *list; list++) {
        size_t k = strlen(*list);
        if (n >= k && !strcmp(name + n - k, *list)) return true;
    }
    return false;
}

void model_load_bf16(bool on) { bf16_next = on; }

/* A bf16 load (model_load_bf16): the bf16 block, before any weight is read. */
static attn_status bf16_begin(attn_model *m) {
    size_t bytes;
    if (!size_mul((size_t)m->n_weights, sizeof(uint16_t), &bytes) || !(m->weights_bf16 = attn_malloc_aligned(bytes)))
        return ATTN_ERR_OUT_OF_MEMORY;
    /* only the matrices' ranges are written and read */
    return ATTN_OK;
}

/* A bf16 load's matrix k from src, the file's values ((C, R) when
 * transposed): checked finite and rounded into the bf16 block. */
static attn_status bf16_take_from(attn_model *m, int k, const float *src, bool transposed, const char *path) {
    const param_info *p = &m->params[k];
    if (!model_all_finite(src, p->numel))
        return attn_errorf(ATTN_ERR_FORMAT, "%s: weights contain NaN or infinity (%s)", path, p->name);
    uint16_t *h = m->weights_bf16 + p->offset;
    if (transposed) transpose(NULL, h, src, p->shape[0], p->shape[1]);
    else {
#pragma omp parallel for schedule(static) if (p->numel >= (1 << 18))
        for (int64_t i = 0; i < p->numel; i++) h[i] = bf16_from_f32(src[i]);
    }
    m->ptensors[k].bf16_only = true;
    return ATTN_OK;
}

/* Parameter k just read into the fp32 block, in a bf16 load: a matrix is
 * rounded as above and its fp32 pages given back. */
static attn_status bf16_take(attn_model *m, int k, const char *path) {
    const param_info *p = &m->params[k];
    if (!model_param_bf16(p)) return ATTN_OK;
    attn_status st = bf16_take_from(m, k, m->weights + p->offset, false, path);
    if (!st) mem_release(m->weights + p->offset, (size_t)p->numel * sizeof(float));
    return st;
}

/* x's values as fp32: where they lie (fp32 in the file's mapping, at an
 * offset that is a multiple of 4), else read through *tmp, grown to the
 * largest such tensor. */
static attn_status values_f32(const st_tensor *x, int64_t numel, float **tmp, int64_t *tmp_cap, const float **out) {
    if (x->dtype == ST_F32 && !((uintptr_t)x->data & (sizeof(float) - 1))) {
        *out = x->data;
        return ATTN_OK;
    }
    if (numel > *tmp_cap) {
        attn_free(*tmp);
        *tmp_cap = 0;
        if (!(*tmp = attn_malloc((size_t)numel * sizeof(float)))) return ATTN_ERR_OUT_OF_MEMORY;
        *tmp_cap = numel;
    }
    *out = *tmp;
    return st_read_f32(x, *tmp, numel);
}

attn_status params_read(attn_model *m, const st_file *f, const char *path, const char *what) {
    bool to_bf16 = bf16_next && model_families[m->kind].forward;
    bf16_next = false;
    const param_table *t = m->table;
    const char *strip = t->strip_prefix ? t->strip_prefix : "";
    for (int64_t i = 0; i < f->n_tensors; i++)
        if (!model_has_param(m, f->tensors[i].name, strip) && !listed(t->ignore, f->tensors[i].name))
            return attn_errorf(ATTN_ERR_FORMAT, "%s: unexpected tensor \"%s\" for %s", path, f->tensors[i].name, what);
    float *tmp = NULL;
    int64_t tmp_cap = 0;
    attn_status st = to_bf16 ? bf16_begin(m) : ATTN_OK;
    for (int k = 0; k < m->n_params_tensors && !st; k++) {
        const param_info *p = &m->params[k];
        const param_row *row = &t->rows[p->spec];
        const st_tensor *x = model_find_tensor(f, p->name, strip);
        if (!x && row->role == ROLE_TOKEN_EMBD)
            for (const char *const *a = t->embd_alias; a && *a && !x; a++) x = model_find_tensor(f, *a, strip);
        if (!x && (row->flags & PF_OPTIONAL)) { /* zeros */
            memset(m->weights + p->offset, 0, (size_t)p->numel * sizeof(float));
            if (to_bf16) st = bf16_take(m, k, path);
            continue;
        }
        bool transposed = (row->flags & PF_TRANSPOSE) != 0;
        if (to_bf16 && x && model_param_bf16(p) && !p->heads3) { /* fp32 values never held */
            int64_t R = p->shape[0], C = p->shape[1];
            const float *from;
            if ((st = st_check_shape(x, 2, transposed ? (int64_t[]){C, R} : p->shape, path)) != ATTN_OK ||
                (st = values_f32(x, p->numel, &tmp, &tmp_cap, &from)) != ATTN_OK)
                break;
            st = bf16_take_from(m, k, from, transposed, path);
            st_release(f, x);
            continue;
        }
        if (!transposed && !p->heads3) {
            st = model_read_param(m, k, x, path);
            st_release(f, x); /* read: the mapping's pages of it leave the resident set */
            if (!st && to_bf16) st = bf16_take(m, k, path);
            continue;
        }
        if (!x) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: missing tensor \"%s\"", path, p->name);
            break;
        }
        int64_t R = p->shape[0], C = p->shape[1]; /* ours (R, C) <- theirs (C, R), or (R, C) permuted */
        if ((st = st_check_shape(x, p->ndim, p->heads3 ? p->shape : (int64_t[]){C, R}, path)) != ATTN_OK) break;
        const float *from;
        if ((st = values_f32(x, p->numel, &tmp, &tmp_cap, &from)) != ATTN_OK) break;
        float *dst = m->weights + p->offset;
        if (p->heads3) params_heads3(dst, from, p, false);
        else transpose(dst, NULL, from, R, C);
        st_release(f, x);
        if (to_bf16) st = bf16_take(m, k, path);
    }
    attn_free(tmp);
    if (!st && to_bf16) { /* the model as attn_model_set_precision(BF16) + attn_model_release_f32 leave it */
        for (int k = 0; k < m->n_params_tensors; k++)
            m->ptensors[k].data_bf16 = model_param_bf16(&m->params[k]) ? m->weights_bf16 + m->params[k].offset : NULL;
        m->f32_released = true;
        model_sync_views(m);
    }
    return st ? st : model_check_finite(m, path);
}

attn_status params_load(const model_source *src, attn_status (*alloc)(const void *cfg, attn_model **out), const void *cfg,
                        const char *strip, const char *what, attn_model **out) {
    *out = NULL;
    st_file *f = NULL;
    attn_model *m = NULL;
    attn_status st = st_open(src->weights_path, &f);
    if (st) return st;
    model_params_expect(f, src->weights_path, strip); /* shapes checked before the weights are allocated */
    st = alloc(cfg, &m);
    model_params_expect(NULL, NULL, NULL);
    if (st && st != ATTN_ERR_FORMAT) st = error_prefixf(st, "%s", src->config_path);
    if (!st) st = params_read(m, f, src->weights_path, what);
    st_close(f);
    if (st) {
        attn_model_free(m);
        return st;
    }
    *out = m;
    return ATTN_OK;
}

attn_status params_save_hf(const attn_model *m, const char *dir, const void *cfg) {
    const model_arch *a = m->arch;
    unsigned long failures = alloc_failures();
    cJSON *r = a->fixed ? cJSON_Parse(a->fixed) : cJSON_CreateObject();
    cJSON *arch = cJSON_CreateArray();
    if (arch) cJSON_AddItemToArray(arch, cJSON_CreateString(a->hf_class));
    json_add_item(r, "architectures", arch);
    cJSON_AddStringToObject(r, "model_type", a->model_type);
    json_write_fields(r, a->keys, cfg);
    cJSON_AddStringToObject(r, "torch_dtype", "float32");
    char *json = r ? cJSON_Print(r) : NULL;
    cJSON_Delete(r);
    attn_status st = !json || alloc_failures() != failures ? attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory building config.json")
                                                           : params_save_dir(m, dir, json);
    cJSON_free(json);
    return st;
}

attn_status params_save_dir(const attn_model *m, const char *dir, const char *config_json) {
    attn_status st = dir_ensure(dir);
    if (st) return st;
    char *cfg_path = path_join(dir, "config.json"), *w_path = path_join(dir, "model.safetensors");
    st_entry *entries = attn_calloc((size_t)m->n_params_tensors + 1, sizeof *entries);
    int64_t *shapes = attn_calloc((size_t)m->n_params_tensors * 2 + 1, sizeof *shapes);
    float *tbuf = NULL;
    if (!cfg_path || !w_path || !entries || !shapes) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    for (int k = 0; k < m->n_params_tensors; k++) {
        const param_info *p = &m->params[k];
        const float *data = m->weights + p->offset;
        int64_t *sh = shapes + 2 * k;
        sh[0] = p->transpose ? p->shape[1] : p->shape[0];
        sh[1] = p->transpose ? p->shape[0] : p->shape[1];
        bool reorder = p->transpose || p->heads3; /* written to tbuf in the checkpoint's layout */
        if ((reorder || p->qtype) && !tbuf && !(tbuf = attn_malloc_aligned((size_t)m->n_weights * sizeof(float)))) {
            st = ATTN_ERR_OUT_OF_MEMORY;
            goto done;
        }
        float *deq = NULL;
        if (p->qtype) { /* a quantized matrix is saved dequantized */
            deq = reorder ? attn_malloc((size_t)p->numel * sizeof(float)) : tbuf + p->offset;
            if (!deq) {
                st = ATTN_ERR_OUT_OF_MEMORY;
                goto done;
            }
            model_param_f32(m, k, deq);
            data = deq;
        }
        if (reorder) {
            float *dst = tbuf + p->offset;
            int64_t R = p->shape[0], C = p->shape[1];
            if (p->heads3) params_heads3(dst, data, p, true);
            else
                for (int64_t r = 0; r < R; r++)
                    for (int64_t c = 0; c < C; c++) dst[c * R + r] = data[r * C + c];
            data = dst;
            if (p->qtype) attn_free(deq);
        }
        entries[k] = (st_entry){p->name, ST_F32, p->ndim, sh, data};
    }
    static const char *const meta[] = {"format", "pt", NULL};
    if ((st = st_write(w_path, entries, m->n_params_tensors, meta)) != ATTN_OK) goto done;
    st = file_write_atomic(cfg_path, config_json, strlen(config_json));
done:
    attn_free(cfg_path);
    attn_free(w_path);
    attn_free(entries);
    attn_free(shapes);
    attn_free_aligned(tbuf);
    return st;
}

attn_status model_read_param(attn_model *m, int k, const st_tensor *t, const char *path) {
    const param_info *p = &m->params[k];
    if (!t) return attn_errorf(ATTN_ERR_FORMAT, "%s: missing tensor \"%s\"", path, p->name);
    attn_status st = st_check_shape(t, p->ndim, p->shape, path);
    if (st || t->dtype != ST_F32) return st ? st : st_read_f32(t, m->weights + p->offset, p->numel);
    /* fp32 as stored: copied in slices shared among the threads (the
     * first writes to the block's pages are its page faults) */
    const int64_t slice = 1 << 18;
    const unsigned char *from = t->data;
    unsigned char *to = (unsigned char *)(m->weights + p->offset);
#pragma omp parallel for schedule(static) if (p->numel >= 2 * slice)
    for (int64_t i = 0; i < p->numel; i += slice) {
        int64_t n = p->numel - i < slice ? p->numel - i : slice;
        memcpy(to + i * (int64_t)sizeof(float), from + i * (int64_t)sizeof(float), (size_t)n * sizeof(float));
    }
    return ATTN_OK;
}

attn_status model_check_heads(int64_t width, int64_t heads) {
    if (heads < 1 || width < 1 || width % heads)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "the width (%lld) must be a positive multiple of the attention heads (%lld)",
                           (long long)width, (long long)heads);
    if (width / heads > 512) return attn_errorf(ATTN_ERR_UNSUPPORTED, "head width above 512");
    return ATTN_OK;
}

attn_status model_check_finite(const attn_model *m, const char *path) {
    for (int k = 0; k < m->n_params_tensors; k++) {
        const param_info *p = &m->params[k];
        if (p->qtype) continue; /* quantized: no fp32 values (a NaN scale shows in the outputs' check) */
        if (m->ptensors[k].bf16_only) continue; /* checked as it was rounded; no fp32 values kept */
        if (model_all_finite(m->weights + p->offset, p->numel)) continue;
        for (int64_t i = 0; i < p->numel; i++)
            if (!isfinite(m->weights[p->offset + i]))
                return attn_errorf(ATTN_ERR_FORMAT, "%s: weights contain NaN or infinity (%s)", path, p->name);
    }
    return ATTN_OK;
}

/* Norm weights under TensorFlow's names (".gamma" / ".beta"), as transformers
 * still reads them and, from version 5, writes some ("LayerNorm.gamma"):
 * name with its legacy ending swapped for the other spelling into buf
 * (to_legacy: ".weight" -> ".gamma", ".bias" -> ".beta"; else back), or NULL. */
static const char *legacy_norm_name(const char *name, bool to_legacy, char *buf, size_t cap) {
    static const char *const ours[] = {".weight", ".bias"}, *const theirs[] = {".gamma", ".beta"};
    size_t n = strlen(name);
    for (int i = 0; i < 2; i++) {
        const char *from = to_legacy ? ours[i] : theirs[i], *to = to_legacy ? theirs[i] : ours[i];
        size_t k = strlen(from);
        if (n > k && !strcmp(name + n - k, from) && n - k + strlen(to) < cap) {
            snprintf(buf, cap, "%.*s%s", (int)(n - k), name, to);
            return buf;
        }
    }
    return NULL;
}

static bool has_param_named(const attn_model *m, const char *name, const char *prefix) {
    size_t n = strlen(prefix);
    for (int k = 0; k < m->n_params_tensors; k++) {
        const char *p = m->params[k].name;
        if (!strcmp(p, name) || (n && !strncmp(p, prefix, n) && !strcmp(p + n, name))) return true;
    }
    return false;
}

bool model_has_param(const attn_model *m, const char *name, const char *prefix) {
    char buf[256];
    const char *alt = legacy_norm_name(name, false, buf, sizeof buf);
    return has_param_named(m, name, prefix) || (alt && has_param_named(m, alt, prefix));
}

static const st_tensor *find_named(const st_file *f, const char *name, const char *prefix) {
    const st_tensor *t = st_find(f, name);
    size_t n = strlen(prefix);
    if (!t && n && !strncmp(name, prefix, n)) t = st_find(f, name + n);
    return t;
}

const st_tensor *model_find_tensor(const st_file *f, const char *name, const char *prefix) {
    const st_tensor *t = find_named(f, name, prefix);
    char buf[256];
    const char *alt = t ? NULL : legacy_norm_name(name, true, buf, sizeof buf);
    return alt ? find_named(f, alt, prefix) : t;
}

/* ---- non-finite outputs ------------------------------------------------------ */

bool model_all_finite(const float *x, int64_t n) {
    /* a sum of x * 0 is NaN exactly when some x is NaN or infinite; the
     * loop vectorises, where a test per element would stop at each */
    float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
    for (int64_t i = 0; i < n; i++) acc += x[i] * 0.0f;
    return acc == 0.0f;
}

static const char *op_label(op_kind op) {
    switch (op) {
    case OP_EMBEDDING: return "embedding lookup";
    case OP_LINEAR: return "linear layer";
    case OP_LAYERNORM: return "layer norm";
    case OP_GELU:
    case OP_GELU_ERF: return "GELU";
    case OP_RELU: return "ReLU";
    case OP_RELU2: return "squared ReLU";
    case OP_QK_NORM: return "QK-norm";
    case OP_ADD: return "addition";
    case OP_DROPOUT: return "dropout";
    case OP_ATTENTION: return "attention";
    case OP_CROSS_ENTROPY:
    case OP_CROSS_ENTROPY_SMOOTH: return "cross-entropy";
    case OP_TANH: return "tanh";
    case OP_SELECT: return "position select";
    case OP_SCALE: return "scale";
    case OP_GRU:
    case OP_GRU_CELL: return "GRU";
    case OP_ADDITIVE_ATTENTION: return "additive attention";
    case OP_WEIGHTED_SUM: return "weighted sum";
    case OP_CONCAT: return "concatenation";
    case OP_STACK: return "stack";
    case OP_MAXOUT: return "maxout";
    default: return "op";
    }
}

/* The parameter whose block holds t's data, or -1. */
static int param_of(const attn_model *m, const tensor *t) {
    if (!t || !t->data || t->data < m->weights || t->data >= m->weights + m->n_weights) return -1;
    int64_t off = t->data - m->weights;
    for (int k = 0; k < m->n_params_tensors; k++)
        if (off >= m->params[k].offset && off < m->params[k].offset + m->params[k].numel) return k;
    return -1;
}

attn_status model_nonfinite_error(attn_model *m, const char *what, model_rerun_fn rerun, void *ctx) {
    /* the diagnostic pass: the forward again with every op on the tape
     * (ops record when a parameter requires a gradient), then the first
     * op whose output is not finite */
    int found = -1, near = -1;
    op_kind op = OP_COUNT;
    bool *had = attn_malloc((size_t)m->n_params_tensors + 1);
    if (had && rerun) {
        for (int k = 0; k < m->n_params_tensors; k++) {
            had[k] = m->ptensors[k].requires_grad;
            m->ptensors[k].requires_grad = true;
        }
        model_sync_views(m);
        graph dg;
        graph_init(&dg, NULL);
        graph_reset(&dg, true, false, 0);
        rerun(m, &dg, ctx);
        int last = -1;
        for (int64_t i = 0; i < dg.n_tape && found < 0; i++) {
            const tape_entry *e = &dg.tape[i];
            int here = -1;
            for (int j = 0; j < 3 && here < 0; j++) here = param_of(m, e->in[j]);
            if (e->out && e->out->data && !model_all_finite(e->out->data, e->out->numel)) {
                found = here >= 0 ? here : last;
                near = here >= 0;
                op = e->op;
            }
            if (here >= 0) last = here;
        }
        graph_free(&dg);
        for (int k = 0; k < m->n_params_tensors; k++) m->ptensors[k].requires_grad = had[k];
        model_sync_views(m);
    }
    attn_free(had);
    if (op == OP_COUNT)
        return attn_errorf(ATTN_ERR_FORMAT, "non-finite values (NaN or infinity) in the %s; the weights may be corrupt",
                           what);
    if (found < 0)
        return attn_errorf(ATTN_ERR_FORMAT,
                           "non-finite values (NaN or infinity) first appear in the output of the %s, before any "
                           "weight; the weights may be corrupt", op_label(op));
    const param_info *p = &m->params[found];
    char layer[32] = "";
    if (p->layer >= 0) snprintf(layer, sizeof layer, " layer %d, in", p->layer);
    return attn_errorf(ATTN_ERR_FORMAT,
                       "non-finite values (NaN or infinity) first appear in%s the output of the %s (%s %s); the "
                       "weights may be corrupt",
                       layer, op_label(op), near ? "weight" : "after", p->name);
}

attn_status model_check_output(attn_model *m, const float *x, int64_t n, const char *what, model_rerun_fn rerun,
                               void *ctx) {
    return model_all_finite(x, n) ? ATTN_OK : model_nonfinite_error(m, what, rerun, ctx);
}
