/* bench_seq2seq — a random Transformer (Marian layout) on random ids: one
 * training step (loss with label smoothing 0.1, backward) and batched greedy
 * and beam-search decoding to a fixed length (min_length = max_length, so
 * every hypothesis decodes every step). Prints one JSON line.
 *
 *   bench_seq2seq --layers L --heads H --width C --ffn F --vocab V --batch B --src S --len N --beams K */
#include "attn/seq2seq.h"
#include "core/core.h"
#include "models/model_impl.h"

#include <stdio.h>
#include <stdlib.h>

static long long arg(int argc, char **argv, const char *name, long long def) {
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], name)) return atoll(argv[i + 1]);
    return def;
}

static int fail(void) {
    fprintf(stderr, "bench_seq2seq: %s\n", attn_last_error());
    return 1;
}

static double decode(attn_model *m, int64_t beams, const int32_t *src, int64_t B, int64_t S, int64_t len) {
    attn_seq2seq_params p = attn_seq2seq_default_params(m);
    p.num_beams = beams;
    p.max_length = p.min_length = len + 1;
    p.forced_eos_token_id = -1;
    int32_t *out = attn_malloc((size_t)(B * len) * sizeof *out);
    int64_t *n = attn_malloc((size_t)B * sizeof *n);
    double t0 = time_now();
    attn_status st = attn_seq2seq_generate(m, &p, src, B, S, out, n, NULL);
    double dt = time_now() - t0;
    attn_free(out), attn_free(n);
    return st ? -1 : dt;
}

int main(int argc, char **argv) {
    attn_encdec_config c = attn_encdec_default_config(ATTN_ENCDEC_MARIAN);
    c.encoder_layers = c.decoder_layers = arg(argc, argv, "--layers", 3);
    c.encoder_heads = c.decoder_heads = arg(argc, argv, "--heads", 4);
    c.d_model = arg(argc, argv, "--width", 256);
    c.encoder_ffn = c.decoder_ffn = arg(argc, argv, "--ffn", 1024);
    c.vocab_size = arg(argc, argv, "--vocab", 8000);
    c.pad_token_id = c.decoder_start_token_id = (int32_t)(c.vocab_size - 1);
    c.max_positions = 256;
    c.dropout = 0;
    int64_t B = arg(argc, argv, "--batch", 8), S = arg(argc, argv, "--src", 24), len = arg(argc, argv, "--len", 24),
            beams = arg(argc, argv, "--beams", 4);
    attn_model *m;
    if (attn_encdec_new(&c, 1, &m)) return fail();
    int32_t *src = attn_malloc((size_t)(B * S) * 4), *tin = attn_malloc((size_t)(B * len) * 4),
            *tout = attn_malloc((size_t)(B * len) * 4);
    for (int64_t i = 0; i < B * S; i++) src[i] = 1 + (int32_t)(rng_uniform(3, 0, (uint64_t)i) * (float)(c.vocab_size - 2));
    for (int64_t i = 0; i < B * len; i++) tout[i] = 1 + (int32_t)(rng_uniform(3, 1, (uint64_t)i) * (float)(c.vocab_size - 2));
    for (int64_t i = 0; i < B * len; i++) tin[i] = i % len ? tout[i - 1] : c.decoder_start_token_id;
    if (model_enable_grads(m)) return fail();
    graph g;
    graph_init(&g, NULL);
    double best = 1e30;
    for (int rep = 0; rep < 4; rep++) {
        double t0 = time_now();
        graph_reset(&g, true, true, (uint64_t)rep);
        tensor *loss = encdec_loss(m, &g, src, S, tin, tout, B, len, 0.1f);
        if (!loss || graph_backward(&g, loss)) return fail();
        double dt = time_now() - t0;
        if (rep && dt < best) best = dt;
    }
    graph_free(&g);
    double greedy = decode(m, 1, src, B, S, len), beam = decode(m, beams, src, B, S, len);
    if (greedy < 0 || beam < 0) return fail();
    printf("{\"params\": %lld, \"batch\": %lld, \"src\": %lld, \"len\": %lld, \"train_step_s\": %.4f, "
           "\"train_tokens_per_s\": %.0f, \"greedy_s\": %.4f, \"greedy_tokens_per_s\": %.0f, \"beams\": %lld, "
           "\"beam_s\": %.4f, \"beam_hyp_tokens_per_s\": %.0f}\n",
           (long long)attn_model_num_params(m), (long long)B, (long long)S, (long long)len, best,
           (double)(B * len) / best, greedy, (double)(B * len) / greedy, (long long)beams, beam,
           (double)(B * beams * len) / beam);
    attn_free(src), attn_free(tin), attn_free(tout);
    attn_model_free(m);
    return 0;
}
