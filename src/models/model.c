/* model.c — the model's front door: loading any registered architecture,
 * saving, gradients and freeing, dispatched through the family table. */
#include "io/json.h"
#include "models/model_impl.h"

#include <cJSON.h>
#include <string.h>

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

