/* encdec_impl.h — what encdec.c shares with encdec_io.c and the decoder
 * (generate/seq2seq.c). The architecture is described in attn/seq2seq.h. */
#ifndef ATTN_ENCDEC_IMPL_H
#define ATTN_ENCDEC_IMPL_H

#include "attn/seq2seq.h"
#include "models/model_impl.h"

typedef struct enc_layer {
    tensor q_w, k_w, v_w, q_b, k_b, v_b;  /* checkpoint views, back to back */
    tensor qkv_w, qkv_b;                  /* fused views over them */
    tensor o_w, o_b, ln1_w, ln1_b, fc1_w, fc1_b, fc2_w, fc2_b, ln2_w, ln2_b;
} enc_layer;

typedef struct dec_layer {
    tensor q_w, k_w, v_w, q_b, k_b, v_b, qkv_w, qkv_b, o_w, o_b, ln1_w, ln1_b;  /* self-attention */
    tensor cq_w, cq_b, ck_w, cv_w, ck_b, cv_b, ckv_w, ckv_b, co_w, co_b, ln2_w, ln2_b; /* cross */
    tensor fc1_w, fc1_b, fc2_w, fc2_b, ln3_w, ln3_b;
} dec_layer;

struct encdec_model {
    attn_encdec_config cfg;
    tensor shared;                        /* (V, C): both embeddings and the output projection */
    tensor enc_pos, dec_pos;              /* BART: (P + 2, C) learned */
    tensor enc_ln_w, enc_ln_b, dec_ln_w, dec_ln_b; /* BART: layernorm_embedding */
    tensor logits_bias;                   /* (1, V) final_logits_bias, never trained */
    tensor sinusoid;                      /* MARIAN: (P, C) static table, not a parameter */
    enc_layer *enc;
    dec_layer *dec;
    /* generation_config.json values where given (else the config's) */
    int32_t gen_decoder_start, gen_eos, gen_pad, gen_forced_bos, gen_forced_eos;
    int64_t gen_max_length, gen_min_length; /* 0 = none given */
    int64_t gen_num_beams;
    float gen_length_penalty;
    attn_early_stopping gen_early_stopping;
};

/* A model with zeroed weights (sinusoids filled) for a checked cfg. */
attn_status encdec_alloc(const attn_encdec_config *cfg, attn_model **out);
attn_status encdec_config_check(const attn_encdec_config *cfg);

/* Decoding state for N = B * per_source hypotheses: the encoder output's
 * cross-attention keys/values per layer, computed once per source, and a
 * self-attention KV cache per layer for up to max_steps decoder tokens. */
typedef struct encdec_state encdec_state;
attn_status encdec_state_new(attn_model *m, const int32_t *src, int64_t B, int64_t S, int64_t per_source,
                             int64_t max_steps, encdec_state **out);
/* Feeds tokens (N), one per hypothesis, at the next position; logits (N, V). */
attn_status encdec_state_step(encdec_state *s, const int32_t *tokens, float *logits);
/* Hypothesis i continues from hypothesis from[i]'s cache (i in [0, N));
 * from[i] must belong to the same source. */
attn_status encdec_state_reorder(encdec_state *s, const int32_t *from);
/* Continues with sources[0..n) only (increasing indices), each with its
 * hypotheses: B = n, N = n * per_source. */
attn_status encdec_state_keep(encdec_state *s, const int32_t *sources, int64_t n);
void encdec_state_free(encdec_state *s);

/* Encoder output (B, S, C) and decoder output (B, T, C) and logits
 * (B, T, V) of a full, uncached pass (any NULL output is skipped). */
attn_status encdec_run(attn_model *m, const int32_t *src, int64_t S, const int32_t *tgt_in, int64_t B, int64_t T,
                       float *enc_out, float *dec_out, float *logits);

#endif
