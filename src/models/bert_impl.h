/* bert_impl.h — what bert.c shares with bert_io.c (the rest of the encoder's
 * internal interface is in model_impl.h). */
#ifndef ATTN_BERT_IMPL_H
#define ATTN_BERT_IMPL_H

#include "attn/encoder.h"
#include "models/model_impl.h"

/* An encoder with zeroed weights; prefix ("bert.", "roberta." or "") goes
 * before the encoder's and pooler's checkpoint names. */
attn_status bert_model_alloc(const attn_bert_config *cfg, const char *prefix, attn_model **out);
/* Whether cfg is one of attn's variants (model_type attn_bert): pre-LN,
 * no linear biases or GEGLU. */
static inline bool bert_is_variant(const attn_bert_config *c) {
    return c->pre_ln || c->no_bias || c->activation == ATTN_BERT_GEGLU;
}
/* sentence-transformers' max_seq_length (0 = none). */
void bert_set_max_length(attn_model *m, int64_t n);

#endif
