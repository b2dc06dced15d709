/* bench_rnn — RNNsearch training-step time (forward + backward of the
 * loss, no optimizer) on random sentences; prints one JSON line.
 * bench/bench_rnn_torch.py runs the same model and step in PyTorch.
 *
 *   bench_rnn [--batch B --src-len S --tgt-len T --embed E --hidden H --align A --maxout M
 *              --vocab V --steps N --threads K --encdec 1] */
#include "core/core.h"
#include "models/model_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long arg(int argc, char **argv, const char *name, long long def) {
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], name)) return atoll(argv[i + 1]);
    return def;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
    attn_rnn_config c = attn_rnn_default_config();
    int64_t B = arg(argc, argv, "--batch", 32), S = arg(argc, argv, "--src-len", 30), T = arg(argc, argv, "--tgt-len", 30);
    c.attention = !arg(argc, argv, "--encdec", 0);
    c.embed_size = arg(argc, argv, "--embed", 256);
    c.hidden_size = arg(argc, argv, "--hidden", 256);
    c.align_size = arg(argc, argv, "--align", 256);
    c.maxout_size = arg(argc, argv, "--maxout", 256);
    c.src_vocab_size = c.tgt_vocab_size = arg(argc, argv, "--vocab", 8000);
    int steps = (int)arg(argc, argv, "--steps", 5);
    attn_set_threads((int)arg(argc, argv, "--threads", 0));
    attn_model *m = NULL;
    attn_status st = attn_rnn_new(&c, 1, &m);
    if (st || model_enable_grads(m)) {
        fprintf(stderr, "bench_rnn: %s\n", attn_last_error());
        return 1;
    }
    int32_t *src = attn_malloc((size_t)(B * S) * sizeof(int32_t)), *tin = attn_malloc((size_t)(B * T) * sizeof(int32_t));
    int32_t *tout = attn_malloc((size_t)(B * T) * sizeof(int32_t));
    for (int64_t i = 0; i < B * S; i++) src[i] = 3 + (int32_t)(rng_hash(7, 1, (uint64_t)i) % (uint64_t)(c.src_vocab_size - 3));
    for (int64_t i = 0; i < B * T; i++) tout[i] = 3 + (int32_t)(rng_hash(7, 2, (uint64_t)i) % (uint64_t)(c.tgt_vocab_size - 3));
    for (int64_t b = 0; b < B; b++) {
        tin[b * T] = c.bos_token_id;
        for (int64_t t = 1; t < T; t++) tin[b * T + t] = tout[b * T + t - 1];
    }
    graph g;
    graph_init(&g, NULL);
    double best = 1e30, loss = 0;
    for (int s = 0; s < steps + 1; s++) {
        double t0 = now();
        graph_reset(&g, true, true, (uint64_t)s);
        tensor *l = rnn_loss(m, &g, src, S, tin, tout, B, T);
        if (!l || graph_backward(&g, l)) {
            fprintf(stderr, "bench_rnn: %s\n", attn_last_error());
            return 1;
        }
        loss = (double)l->data[0];
        double dt = now() - t0;
        if (s > 0 && dt < best) best = dt; /* step 0 warms the arena */
    }
    printf("{\"impl\": \"attn\", \"model\": \"%s\", \"threads\": %d, \"B\": %lld, \"S\": %lld, \"T\": %lld, "
           "\"ms_per_step\": %.1f, \"tgt_tokens_per_s\": %.0f, \"loss\": %.4f}\n",
           c.attention ? "rnnsearch" : "rnnencdec", attn_get_threads(), (long long)B, (long long)S, (long long)T,
           1e3 * best, (double)(B * T) / best, loss);
    graph_free(&g);
    attn_model_free(m);
    attn_free(src), attn_free(tin), attn_free(tout);
    return 0;
}
