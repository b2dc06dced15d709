/* model.c — the model's front door: loading any registered architecture,
 * saving, gradients and freeing, dispatched through the family table. */
#include "io/json.h"
#include "models/model_impl.h"
#include "ops/ops_impl.h"

#include <cJSON.h>
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
    [MODEL_GPT] = {"a GPT-2 model", gpt_load, gpt_save, gpt_sync_views, gpt_batch_loss, gpt_classify, gpt_forward, NULL},
    [MODEL_BERT] = {"a BERT-family encoder", bert_load, bert_save, bert_sync_views, bert_batch_loss, bert_classify, NULL,
                    "an encoder (BERT) model cannot decode or score text left to right"},
    [MODEL_ENCDEC] = {"an encoder-decoder translation model", encdec_load, encdec_save, encdec_sync_views,
                      encdec_batch_loss, NULL, NULL,
                      "an encoder-decoder model decodes from a source (attn_seq2seq_generate)"},
    /* the RNN layers use ptensors directly: no views to sync */
    [MODEL_RNN] = {"an RNN translation model", rnn_load, rnn_save, NULL, rnn_batch_loss, NULL, NULL,
                   "an RNN translation model decodes with attn_rnn_step (attn align)"},
};

tensor *model_batch_loss(attn_model *m, graph *g, const model_batch *b) {
    return model_families[m->kind].batch_loss(m, g, b);
}

tensor *model_classify(attn_model *m, graph *g, const model_batch *b) {
    const model_family *f = &model_families[m->kind];
    if (f->classify) return f->classify(m, g, b);
    if (!g->status) g->status = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s has no classifier", f->what);
    return NULL;
}

tensor *model_forward(attn_model *m, graph *g, const int32_t *ids, int64_t B, int64_t T, kv_cache *cache,
                      bool last_only) {
    const model_family *f = &model_families[m->kind];
    if (f->forward) return f->forward(m, g, ids, B, T, cache, last_only);
    if (!g->status) g->status = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s", f->no_forward);
    return NULL;
}

/* ---- loading and saving ---------------------------------------------------- */

attn_status attn_model_load(const char *dir, attn_model **out) {
    *out = NULL;
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

attn_status attn_model_save(const attn_model *m, const char *dir) { return model_families[m->kind].save(m, dir); }

attn_status model_enable_grads(attn_model *m) {
    if (m->grads) return ATTN_OK;
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
    graph_free(&m->g);
    attn_free_aligned(m->weights);
    attn_free_aligned(m->grads);
    attn_free_aligned(m->weights_bf16);
    attn_free(m->params);
    attn_free(m->ptensors);
    attn_free(m->layers);
    json_free_labels(m->label_names, m->n_label_names);
    attn_free(m);
}

