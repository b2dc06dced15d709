/* model.c — the model's front door: loading any registered architecture,
 * saving, gradients and freeing, dispatched through the family table. */
#include "io/json.h"
#include "models/model_impl.h"
#include "ops/ops_impl.h"

#include <cJSON.h>
#include <math.h>
#include <string.h>

/* ---- the families --------------------------------------------------------- */

/* Translation models train on source-target pairs: the loss of a batch
 * that has them (label-smoothed cross-entropy of the targets). */
static bool has_pairs(graph *g, const model_batch *b) {
    if (b->src && b->targets) return true;
    if (!g->status) g->status = attn_errorf(ATTN_ERR_UNSUPPORTED, "a translation model trains on source-target pairs");
    return false;
}

static tensor *encdec_batch_loss(attn_model *m, graph *g, const model_batch *b) {
    if (!has_pairs(g, b)) return NULL;
    return encdec_loss(m, g, b->src, b->S, b->inputs, b->targets, b->B, b->T, b->label_smoothing);
}

static tensor *rnn_batch_loss(attn_model *m, graph *g, const model_batch *b) {
    if (!has_pairs(g, b)) return NULL;
    tensor *logits = rnn_forward(m, g, b->src, b->S, b->inputs, b->B, b->T, NULL);
    return logits ? op_cross_entropy_smooth(g, logits, b->targets, -1, b->label_smoothing) : NULL;
}

const model_family model_families[] = {
    [MODEL_GPT] = {"a GPT-2 model", gpt_load, gpt_save, gpt_sync_views, gpt_batch_loss, gpt_classify, gpt_forward, NULL,
                   attn_model_new, NULL, NULL, NULL, NULL, NULL, NULL},
    [MODEL_BERT] = {"a BERT-family encoder", bert_load, bert_save, bert_sync_views, bert_batch_loss, bert_classify, NULL,
                    "an encoder (BERT) model cannot decode or score text left to right", NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    [MODEL_ENCDEC] = {"an encoder-decoder translation model", encdec_load, encdec_save, encdec_sync_views,
                      encdec_batch_loss, NULL, NULL,
                      "an encoder-decoder model decodes from a source (attn_seq2seq_generate)", NULL, encdec_s2s_score,
                      encdec_s2s_defaults, encdec_s2s_begin, encdec_s2s_step, encdec_s2s_reorder, encdec_s2s_end,
                      encdec_s2s_keep},
    /* the RNN layers use ptensors directly: no views to sync */
    [MODEL_RNN] = {"an RNN translation model", rnn_load, rnn_save, NULL, rnn_batch_loss, NULL, NULL,
                   "an RNN translation model decodes with attn_rnn_step (attn align)", NULL, rnn_s2s_score, rnn_s2s_defaults,
                   rnn_s2s_begin, rnn_s2s_step, rnn_s2s_reorder, rnn_s2s_end, rnn_s2s_keep},
    [MODEL_OPT] = {"an OPT model", opt_load, opt_save, opt_sync_views, NULL, NULL, opt_forward, NULL,
                   opt_create, NULL, NULL, NULL, NULL, NULL, NULL},
    [MODEL_LLAMA] = {"a Llama-style decoder", llama_load, llama_save, llama_sync_views, NULL, NULL, llama_forward, NULL,
                     llama_create, NULL, NULL, NULL, NULL, NULL, NULL},
    [MODEL_BLOOM] = {"a BLOOM model", bloom_load, bloom_save, bloom_sync_views, NULL, NULL, bloom_forward, NULL,
                     bloom_create, NULL, NULL, NULL, NULL, NULL, NULL},
    [MODEL_ESM] = {"an ESM model", esm_load, esm_save, esm_sync_views, esm_batch_loss, NULL, NULL,
                   "an encoder (ESM) model cannot decode or score text left to right", NULL, NULL, NULL, NULL, NULL, NULL,
                   NULL, NULL},
};

tensor *model_batch_loss(attn_model *m, graph *g, const model_batch *b) {
    const model_family *f = &model_families[m->kind];
    if (f->batch_loss) return f->batch_loss(m, g, b);
    /* a decoder without a family loss of its own: next tokens only */
    if (!b->targets) {
        if (!g->status) g->status = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s trains on next tokens only", f->what);
        return NULL;
    }
    return op_cross_entropy(g, f->forward(m, g, b->inputs, b->B, b->T, NULL, false), b->targets, -1);
}

tensor *model_classify(attn_model *m, graph *g, const model_batch *b) {
    const model_family *f = &model_families[m->kind];
    if (f->classify) return f->classify(m, g, b);
    if (!g->status) g->status = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s has no classifier", f->what);
    return NULL;
}

/* The family's forward again, recorded, for the diagnostic pass of
 * model_nonfinite_error (the cache's length is not advanced by it). */
typedef struct forward_args {
    const int32_t *ids;
    int64_t B, T;
    kv_cache *cache;
    bool last_only;
} forward_args;

static tensor *rerun_forward(attn_model *m, graph *g, void *ctx) {
    const forward_args *a = ctx;
    return model_families[m->kind].forward(m, g, a->ids, a->B, a->T, a->cache, a->last_only);
}

tensor *model_forward(attn_model *m, graph *g, const int32_t *ids, int64_t B, int64_t T, kv_cache *cache,
                      bool last_only) {
    const model_family *f = &model_families[m->kind];
    if (!f->forward) {
        if (!g->status) g->status = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s", f->no_forward);
        return NULL;
    }
    if (cache && !g->status) { /* room for this forward's positions */
        int64_t need = cache->len + T;
        if (cache->runs) {
            need = 0;
            for (int64_t r = 0; r < cache->n_runs; r++)
                if (cache->runs[r].pos + cache->runs[r].count > need) need = cache->runs[r].pos + cache->runs[r].count;
        }
        if (need > cache->max_len) need = cache->max_len; /* past it: the forward's own error */
        attn_status st = kv_cache_reserve(m, cache, need);
        if (st) {
            g->status = st;
            return NULL;
        }
    }
    tensor *logits = f->forward(m, g, ids, B, T, cache, last_only);
    /* the cheap check of every inference forward (logits, scoring, each
     * decoding step); a recorded forward (training, the diagnostic pass
     * itself) is not checked here */
    if (logits && !g->record && !model_all_finite(logits->data, logits->numel)) {
        forward_args a = {ids, B, T, cache, last_only};
        attn_status st = model_nonfinite_error(m, "logits", rerun_forward, &a);
        if (!g->status) g->status = st;
        return NULL;
    }
    if (logits && cache && !cache->runs) cache->len += T;
    return logits;
}

attn_status attn_seq2seq_score(attn_model *m, const int32_t *src, int64_t S, const int32_t *tgt, int64_t T, int64_t B,
                               double *nll, int64_t *n_tokens) {
    if (!m || !model_families[m->kind].s2s_score)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "not a translation (sequence-to-sequence) model");
    return model_families[m->kind].s2s_score(m, src, S, tgt, T, B, nll, n_tokens);
}

attn_status s2s_score_inputs(const int32_t *tgt, int64_t B, int64_t T, int64_t V, int32_t start, int32_t pad, int32_t *in,
                             double *nll, int64_t *n_tokens) {
    for (int64_t b = 0; b < B; b++) {
        n_tokens[b] = 0;
        nll[b] = 0;
        for (int64_t t = 0; t < T; t++) {
            int32_t y = tgt[b * T + t];
            if (y != -1 && (y < 0 || y >= V))
                return attn_errorf(ATTN_ERR_INVALID_ARG, "target token %d of pair %lld is outside the vocabulary [0, %lld)", (int)y,
                                   (long long)b, (long long)V);
            n_tokens[b] += y != -1;
            int32_t prev = t == 0 ? start : tgt[b * T + t - 1];
            in[b * T + t] = prev == -1 ? pad : prev;
        }
        if (!n_tokens[b]) return attn_errorf(ATTN_ERR_INVALID_ARG, "target %lld is empty", (long long)b);
    }
    return ATTN_OK;
}

void s2s_score_add(const float *logits, const int32_t *tgt, int64_t B, int64_t T, int64_t V, double *nll) {
    for (int64_t b = 0; b < B; b++)
        for (int64_t t = 0; t < T; t++) {
            int32_t y = tgt[b * T + t];
            if (y == -1) continue;
            const float *row = logits + (b * T + t) * V;
            double mx = -INFINITY, s = 0;
            for (int64_t j = 0; j < V; j++) mx = fmax(mx, (double)row[j]);
            for (int64_t j = 0; j < V; j++) s += exp((double)row[j] - mx);
            nll[b] += mx + log(s) - (double)row[y];
        }
}

/* ---- loading and saving ---------------------------------------------------- */

attn_status attn_model_load(const char *dir, attn_model **out) {
    *out = NULL;
    if (gguf_is_file(dir)) return gguf_model_load(dir, out);
    if (!strchr(dir, '/') && !file_exists(dir)) { /* an installed model's short name */
        char *path = NULL;
        attn_status st = attn_model_find(dir, &path);
        if (!st) st = gguf_is_file(path) ? gguf_model_load(path, out) : attn_model_load(path, out);
        attn_free(path);
        return st;
    }
    char *cfg_path = path_join(dir, "config.json"), *w_path = path_join(dir, "model.safetensors");
    cJSON *config = NULL;
    const model_arch *arch = NULL;
    attn_status st = ATTN_OK;
    if (!cfg_path || !w_path) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    if (!file_exists(cfg_path)) {
        st = attn_errorf(ATTN_ERR_IO, "%s is not a model directory (no config.json)", dir);
        goto done;
    }
    if ((st = json_read_object(cfg_path, &config)) != ATTN_OK) goto done;
    if ((st = registry_lookup(config, cfg_path, &arch)) != ATTN_OK) goto done;
    model_source src = {dir, cfg_path, w_path, config, arch};
    st = model_families[arch->kind].load(&src, out);
done:
    cJSON_Delete(config);
    attn_free(cfg_path);
    attn_free(w_path);
    return st;
}

attn_status attn_model_load_inference(const char *path, attn_precision precision, attn_model **out) {
    *out = NULL;
    if (precision < ATTN_PRECISION_F32 || precision > ATTN_PRECISION_Q4_1)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "unknown precision %d", (int)precision);
    model_load_bf16(precision == ATTN_PRECISION_BF16); /* a decoder's safetensors: bf16 as read */
    attn_status st = attn_model_load(path, out);
    model_load_bf16(false);
    if (!st) st = attn_model_set_precision(*out, precision);
    if (!st) st = attn_model_release_f32(*out);
    if (st) {
        attn_model_free(*out);
        *out = NULL;
    }
    return st;
}

attn_status attn_model_save(const attn_model *m, const char *dir) {
    if (m->f32_released) return model_released_error("saved");
    return model_families[m->kind].save(m, dir);
}

attn_status attn_model_new_arch(const char *model_type, const attn_gpt_config *cfg, uint64_t seed, attn_model **out) {
    *out = NULL;
    const model_arch *a = model_type ? registry_find(model_type) : NULL;
    if (!a || !model_families[a->kind].create)
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "a new model of type \"%s\" cannot be made from a decoder's sizes (gpt2, opt, llama, bloom)",
                           model_type ? model_type : "(null)");
    return model_families[a->kind].create(cfg, seed, out);
}

attn_status model_enable_grads(attn_model *m) {
    if (m->grads) return ATTN_OK;
    if (m->f32_released) return model_released_error("trained");
    if (m->qweights) return attn_errorf(ATTN_ERR_UNSUPPORTED, "a quantized model runs inference only; train an fp32 model");
    m->grads = attn_malloc_aligned((size_t)m->n_weights * sizeof(float));
    if (!m->grads) return ATTN_ERR_OUT_OF_MEMORY;
    memset(m->grads, 0, (size_t)m->n_weights * sizeof(float));
    for (int k = 0; k < m->n_params_tensors; k++) {
        m->ptensors[k].grad = m->grads + m->params[k].offset;
        m->ptensors[k].requires_grad = true;
    }
    model_sync_views(m);
    return ATTN_OK;
}

void model_sync_views(attn_model *m) {
    void (*sync)(attn_model *) = model_families[m->kind].sync_views;
    if (sync) sync(m);
}

void model_zero_grads(attn_model *m) {
    if (m->grads) memset(m->grads, 0, (size_t)m->n_weights * sizeof(float));
}

void attn_model_free(attn_model *m) {
    if (!m) return;
    bert_free(m->bert);
    encdec_free(m->encdec);
    rnn_free(m->rnn);
    attn_free_aligned(m->weights);
    attn_free_aligned(m->grads);
    attn_free_aligned(m->weights_bf16);
    attn_free_aligned(m->qweights);
    attn_free(m->params);
    attn_free(m->ptensors);
    attn_free(m->layers);
    json_free_labels(m->label_names, m->n_label_names);
    attn_free(m->state);
    attn_free(m);
}

