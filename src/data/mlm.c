/* mlm.c — BERT's masked-LM masking (see include/attn/noise.h). */
#include "attn/noise.h"
#include "core/core.h"

#include <math.h>

attn_mlm_params attn_mlm_default_params(int32_t mask_id, int32_t vocab_size) {
    attn_mlm_params p;
    memset(&p, 0, sizeof p);
    p.mask_prob = 0.15f;
    p.replace_mask = 0.8f;
    p.replace_random = 0.1f;
    p.mask_id = mask_id;
    p.vocab_size = vocab_size;
    return p;
}

static bool special(const attn_mlm_params *p, int32_t t) {
    for (int i = 0; i < p->n_special; i++)
        if (p->special[i] == t) return true;
    return false;
}

attn_status attn_mlm_mask(const attn_mlm_params *p, uint64_t seed, const int32_t *ids, const uint8_t *word_start,
                          int64_t n, int32_t *out, int32_t *labels) {
    if (n < 0 || !(p->mask_prob >= 0 && p->mask_prob <= 1) || !(p->replace_mask >= 0) || !(p->replace_random >= 0) ||
        p->replace_mask + p->replace_random > 1.0f || p->vocab_size < 1)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "mlm: probabilities must be in [0, 1] and sum to at most 1");
    /* candidate words: [start, end) runs of non-special tokens */
    int64_t *starts = attn_malloc((size_t)(n + 1) * sizeof *starts), n_words = 0, n_tokens = 0;
    if (!starts) return ATTN_ERR_OUT_OF_MEMORY;
    for (int64_t i = 0; i < n; i++) {
        out[i] = ids[i];
        labels[i] = -1;
        if (special(p, ids[i])) continue;
        n_tokens++;
        bool begins = !word_start || word_start[i] || i == 0 || special(p, ids[i - 1]);
        if (begins) starts[n_words++] = i;
    }
    int64_t want = (int64_t)llround((double)p->mask_prob * (double)n_tokens);
    if (want < 1 && n_tokens > 0 && p->mask_prob > 0) want = 1;
    if (p->max_predictions > 0 && want > p->max_predictions) want = p->max_predictions;
    /* shuffle the words (Fisher-Yates from the seed), take them in order
     * while the budget allows, as create_pretraining_data does */
    for (int64_t i = n_words - 1; i > 0; i--) {
        int64_t j = (int64_t)(rng_hash(seed, 21, (uint64_t)i) % (uint64_t)(i + 1)), t = starts[i];
        starts[i] = starts[j];
        starts[j] = t;
    }
    int64_t chosen = 0;
    for (int64_t w = 0; w < n_words && chosen < want; w++) {
        int64_t s = starts[w], e = s + 1;
        while (e < n && !special(p, ids[e]) && word_start && !word_start[e]) e++;
        if (chosen + (e - s) > want) continue; /* a whole word that does not fit is skipped */
        for (int64_t i = s; i < e; i++) {
            labels[i] = ids[i];
            float r = rng_uniform(seed, 22, (uint64_t)i);
            if (r < p->replace_mask)
                out[i] = p->mask_id;
            else if (r < p->replace_mask + p->replace_random)
                out[i] = (int32_t)(rng_hash(seed, 23, (uint64_t)i) % (uint64_t)p->vocab_size);
        }
        chosen += e - s;
    }
    attn_free(starts);
    return ATTN_OK;
}

#define NSP_STREAM 0x6e7370ULL /* "nsp" */

void attn_nsp_draw(uint64_t seed, int64_t T, int64_t *a_len, int32_t *label, uint64_t *other) {
    uint64_t r = rng_hash(seed, NSP_STREAM, 0);
    int64_t n = T - 3;
    *a_len = 1 + (int64_t)(r % (uint64_t)(n - 1));
    *label = (int32_t)((r >> 40) & 1);
    *other = rng_hash(seed, NSP_STREAM, 1);
}
