/* bf16 precision of whole models: gradients of one step, a short training
 * run and greedy decoding against the same model in fp32.
 *
 * Bounds. bf16 keeps 8 significant bits: rounding one GEMM input moves it
 * by at most 2^-8 relative, a product of two rounded inputs by 2^-7. A
 * value reaching the loss passes through the GEMMs of its path one after
 * another, and relative errors of a chain of d GEMMs add to first order:
 * the logits and the loss of a 2-layer GPT (d = 4 per layer * 2 + the
 * output projection = 9) are within 9 * 2^-7 = 7% of fp32, a gradient
 * after the forward and backward chains (d = 18) within 18 * 2^-7 = 14%.
 * These are worst cases (rounding errors of different terms mostly
 * cancel, so the observed differences are several times smaller) and the
 * tests use them as they are, on each parameter's gradient norm. */
#include "test.h"

#include "attn/generate.h"
#include "attn/train.h"
#include "io/safetensors.h"
#include "kernels/bf16.h"
#include "models/model_impl.h"
#include "train/trainer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GPT_DIR "tests/ref/gpt2_tiny"

enum { B = 2, T = 16 };

/* inputs/targets: a learnable pattern (each token determines the next) */
static void batch(int32_t *in, int32_t *tg, int32_t V, int shift) {
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            int32_t x = (int32_t)((b * 5 + t * 3 + shift) % V);
            in[b * T + t] = x;
            tg[b * T + t] = (int32_t)((x * 7 + 1) % V);
        }
}

/* The gradients of one loss on the model's grads block. */
static float loss_and_grads(attn_model *m, const int32_t *in, const int32_t *tg) {
    graph g;
    graph_init(&g, NULL);
    graph_reset(&g, true, true, 0);
    model_zero_grads(m);
    tensor *l = model_loss(m, &g, in, tg, B, T);
    float loss = l ? l->data[0] : NAN;
    CHECK(l != NULL);
    if (l) CHECK_OK(graph_backward(&g, l));
    graph_free(&g);
    return loss;
}

TEST("bf16 precision: the matrices get bf16 copies, the rest does not, fp32 frees them") {
    attn_model *m = NULL;
    CHECK_OK(attn_model_load(GPT_DIR, &m));
    if (!m) return;
    CHECK(attn_model_precision(m) == ATTN_PRECISION_F32);
    CHECK_OK(attn_model_set_precision(m, ATTN_PRECISION_BF16));
    CHECK(attn_model_precision(m) == ATTN_PRECISION_BF16);
    CHECK(m->wte.data_bf16 && m->layers[0].qkv_w.data_bf16 && m->layers[1].fc2_w.data_bf16);
    CHECK(!m->layers[0].qkv_b.data_bf16 && !m->lnf_w.data_bf16);
    /* copies are the nearest bf16 values of the fp32 weights */
    const tensor *w = &m->layers[1].fc_w;
    int bad = 0;
    for (int64_t i = 0; i < w->numel; i++) {
        float x = w->data[i], r;
        uint32_t u = (uint32_t)w->data_bf16[i] << 16;
        memcpy(&r, &u, sizeof r);
        bad += !(fabsf(r - x) <= fabsf(x) * 0x1p-8f);
    }
    CHECK(bad == 0);
    CHECK_STATUS(attn_model_set_precision(m, (attn_precision)7), ATTN_ERR_INVALID_ARG);
    CHECK_OK(attn_model_set_precision(m, ATTN_PRECISION_F32));
    CHECK(!m->weights_bf16 && !m->wte.data_bf16 && !m->layers[0].qkv_w.data_bf16);
    attn_model_free(m);
}

TEST("bf16 precision: loss and every gradient of one step agree with fp32 within the bf16 bound") {
    attn_model *a = NULL, *b = NULL;
    CHECK_OK(attn_model_load(GPT_DIR, &a));
    CHECK_OK(attn_model_load(GPT_DIR, &b));
    if (!a || !b) return;
    CHECK_OK(model_enable_grads(a));
    CHECK_OK(model_enable_grads(b));
    CHECK_OK(attn_model_set_precision(b, ATTN_PRECISION_BF16));
    int32_t in[B * T], tg[B * T];
    batch(in, tg, (int32_t)a->cfg.vocab_size, 0);
    float la = loss_and_grads(a, in, tg), lb = loss_and_grads(b, in, tg);
    CHECK(fabsf(la - lb) <= 0.07f * la);
    CHECK(la != lb); /* bf16 is in effect */
    double worst = 0;
    const char *worst_name = "";
    for (int k = 0; k < a->n_params_tensors; k++) {
        const param_info *p = &a->params[k];
        double d = 0, n = 0;
        for (int64_t i = 0; i < p->numel; i++) {
            double x = a->grads[p->offset + i], y = b->grads[p->offset + i];
            d += (x - y) * (x - y);
            n += x * x;
        }
        double rel = n > 0 ? sqrt(d / n) : sqrt(d);
        if (rel > worst) worst = rel, worst_name = p->name;
        CHECK(rel <= 0.14);
    }
    fprintf(stderr, "    loss fp32 %.6f bf16 %.6f; worst gradient relative difference %.4f (%s)\n", (double)la, (double)lb,
            worst, worst_name);
    CHECK(worst > 0);
    attn_model_free(a);
    attn_model_free(b);
}

TEST("bf16 precision: 30 AdamW steps track fp32's losses within 2% and learn as much") {
    attn_model *a = NULL, *b = NULL;
    CHECK_OK(attn_model_load(GPT_DIR, &a));
    CHECK_OK(attn_model_load(GPT_DIR, &b));
    if (!a || !b) return;
    attn_optim_params p = attn_optim_default_params();
    p.lr = 3e-3f;
    p.warmup_steps = 5;
    p.max_steps = 30;
    attn_trainer *ta = NULL, *tb = NULL;
    CHECK_OK(attn_trainer_new(a, &p, &ta));
    CHECK_OK(attn_model_set_precision(b, ATTN_PRECISION_BF16)); /* before or after the trainer: either works */
    CHECK_OK(attn_trainer_new(b, &p, &tb));
    if (!ta || !tb) return;
    int32_t in[B * T], tg[B * T];
    float first = 0, la = 0, lb = 0, worst = 0;
    for (int s = 0; s < 30; s++) {
        batch(in, tg, (int32_t)a->cfg.vocab_size, s % 4);
        CHECK_OK(attn_trainer_step(ta, in, tg, 1, B, T, &la, NULL));
        CHECK_OK(attn_trainer_step(tb, in, tg, 1, B, T, &lb, NULL));
        if (s == 0) first = la;
        float rel = fabsf(la - lb) / la;
        worst = rel > worst ? rel : worst;
    }
    fprintf(stderr, "    loss %.4f -> fp32 %.4f, bf16 %.4f; worst relative difference %.4f\n", (double)first, (double)la,
            (double)lb, (double)worst);
    CHECK(worst <= 0.02f);
    CHECK(la < 0.6f * first && lb < 0.6f * first);
    /* the bf16 copies follow the master weights after every step */
    const tensor *w = &b->layers[0].proj_w;
    int stale = 0;
    for (int64_t i = 0; i < w->numel; i++) {
        float r;
        uint32_t u = (uint32_t)w->data_bf16[i] << 16;
        memcpy(&r, &u, sizeof r);
        stale += !(fabsf(r - w->data[i]) <= fabsf(w->data[i]) * 0x1p-8f);
    }
    CHECK(stale == 0);
    attn_trainer_free(ta);
    attn_trainer_free(tb);
    attn_model_free(a);
    attn_model_free(b);
}

TEST("bf16 weights decode: logits close to fp32's, greedy tokens equal over 12 steps of a trained model") {
    attn_model *a = NULL, *b = NULL;
    CHECK_OK(attn_model_load(GPT_DIR, &a));
    if (!a) return;
    /* train briefly so that the next token is clear (an untrained model's
     * near-uniform logits would make argmax a coin toss at bf16's precision) */
    attn_optim_params p = attn_optim_default_params();
    p.lr = 3e-3f;
    p.warmup_steps = 5;
    p.max_steps = 60;
    attn_trainer *tr = NULL;
    CHECK_OK(attn_trainer_new(a, &p, &tr));
    if (!tr) return;
    int32_t in[B * T], tg[B * T];
    for (int s = 0; s < 60; s++) {
        batch(in, tg, (int32_t)a->cfg.vocab_size, s % 4);
        float l;
        CHECK_OK(attn_trainer_step(tr, in, tg, 1, B, T, &l, NULL));
    }
    attn_trainer_free(tr);
    char dir[] = "/tmp/attn_bf16_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    CHECK_OK(attn_model_save(a, dir));
    CHECK_OK(attn_model_load(dir, &b));
    if (!b) return;
    CHECK_OK(attn_model_set_precision(b, ATTN_PRECISION_BF16));
    int64_t V = a->cfg.vocab_size;
    int32_t ids[T];
    for (int t = 0; t < T; t++) ids[t] = (int32_t)((t * 3 + 1) % V);
    float *la = malloc(sizeof(float) * (size_t)(T * V)), *lb = malloc(sizeof(float) * (size_t)(T * V));
    CHECK_OK(attn_model_logits(a, ids, 1, T, la));
    CHECK_OK(attn_model_logits(b, ids, 1, T, lb));
    double scale = 0, diff = 0;
    for (int64_t i = 0; i < T * V; i++) {
        scale = fmax(scale, fabs((double)la[i]));
        diff = fmax(diff, fabs((double)la[i] - (double)lb[i]));
    }
    fprintf(stderr, "    logits: max |fp32| %.3f, max |bf16 - fp32| %.4f\n", scale, diff);
    CHECK(diff <= 0.07 * scale); /* the bound above, on the logits' scale */
    CHECK(diff > 0);
    attn_sampler_params sp = attn_sampler_default_params();
    sp.temperature = 0;
    sp.max_new_tokens = 12;
    sp.stop_token = -1;
    int32_t out[2][12];
    attn_model *models[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        attn_gen *gen = NULL;
        CHECK_OK(attn_gen_new(models[k], &sp, &gen));
        if (!gen) return;
        CHECK_OK(attn_gen_start(gen, ids, 2));
        for (int i = 0; i < 12; i++) CHECK_OK(attn_gen_next(gen, &out[k][i]));
        attn_gen_free(gen);
    }
    CHECK(!memcmp(out[0], out[1], sizeof out[0]));
    free(la);
    free(lb);
    char path[128];
    const char *files[] = {"config.json", "model.safetensors", "generation_config.json", "tokenizer.json"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        remove(path);
    }
    CHECK(rmdir(dir) == 0);
    attn_model_free(a);
    attn_model_free(b);
}

/* The model of dir with every matrix's fp32 values rounded to bf16 and
 * bf16 precision set: what a bf16 model whose fp32 weights were released
 * computes (its embedding lookups read the bf16 rows). */
static attn_model *rounded_bf16(const char *dir) {
    attn_model *m = NULL;
    CHECK_OK(attn_model_load(dir, &m));
    if (!m) return NULL;
    for (int k = 0; k < m->n_params_tensors; k++) {
        const param_info *p = &m->params[k];
        if (!model_param_bf16(p)) continue;
        for (int64_t i = 0; i < p->numel; i++) m->weights[p->offset + i] = bf16_round_f32(m->weights[p->offset + i]);
    }
    CHECK_OK(attn_model_set_precision(m, ATTN_PRECISION_BF16));
    return m;
}

TEST("bf16 inference without fp32 weights (load_inference, release_f32): the rounded model's logits exactly, "
     "for GPT-2, OPT, Llama, Qwen2 and BLOOM; saving, training and fp32 refused") {
    static const char *const dirs[] = {GPT_DIR, "tests/ref/opt_tiny_proj", "tests/ref/llama_gqa", "tests/ref/qwen2_tiny",
                                       "tests/ref/bloom_tiny"};
    enum { TT = 6 };
    const int32_t ids[2 * TT] = {1, 5, 9, 2, 7, 3, 4, 8, 6, 0, 2, 5};
    for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
        attn_model *want_m = rounded_bf16(dirs[d]), *loaded = NULL, *released = NULL;
        CHECK_OK(attn_model_load_inference(dirs[d], ATTN_PRECISION_BF16, &loaded));
        CHECK_OK(attn_model_load(dirs[d], &released));
        if (!want_m || !loaded || !released) return;
        CHECK_OK(attn_model_set_precision(released, ATTN_PRECISION_BF16));
        CHECK_OK(attn_model_release_f32(released));
        CHECK(loaded->f32_released && released->f32_released);
        int64_t V = attn_model_config(loaded).vocab_size;
        float *want = malloc((size_t)(2 * TT * V) * sizeof *want), *got = malloc((size_t)(2 * TT * V) * sizeof *got);
        CHECK_OK(attn_model_logits(want_m, ids, 2, TT, want));
        attn_model *both[2] = {loaded, released};
        for (int k = 0; k < 2; k++) {
            memset(got, 0, (size_t)(2 * TT * V) * sizeof *got);
            CHECK_OK(attn_model_logits(both[k], ids, 2, TT, got));
            if (memcmp(got, want, (size_t)(2 * TT * V) * sizeof *got))
                fprintf(stderr, "  %s (%s): logits differ from the rounded model's\n", dirs[d], k ? "released" : "loaded");
            CHECK(!memcmp(got, want, (size_t)(2 * TT * V) * sizeof *got));
        }
        CHECK(attn_model_precision(loaded) == ATTN_PRECISION_BF16);
        CHECK_OK(attn_model_set_precision(loaded, ATTN_PRECISION_BF16));
        CHECK_STATUS(attn_model_set_precision(loaded, ATTN_PRECISION_F32), ATTN_ERR_UNSUPPORTED);
        CHECK_STATUS(attn_model_set_precision(loaded, ATTN_PRECISION_Q8_0), ATTN_ERR_UNSUPPORTED);
        CHECK_STATUS(attn_model_save(loaded, "/nonexistent/attn-release"), ATTN_ERR_UNSUPPORTED);
        CHECK_STATUS(model_enable_grads(released), ATTN_ERR_UNSUPPORTED);
        free(want);
        free(got);
        attn_model_free(want_m);
        attn_model_free(loaded);
        attn_model_free(released);
    }
    /* a model being trained keeps its fp32 weights */
    attn_model *m = NULL;
    CHECK_OK(attn_model_load(GPT_DIR, &m));
    if (!m) return;
    CHECK_OK(attn_model_set_precision(m, ATTN_PRECISION_BF16));
    CHECK_OK(model_enable_grads(m));
    CHECK_STATUS(attn_model_release_f32(m), ATTN_ERR_INVALID_ARG);
    CHECK(!m->f32_released);
    attn_model_free(m);
}

/* dir's config.json and model.safetensors copied to a new directory (out),
 * with the first value of tensor `name` set to NaN. */
static bool copy_with_nan(const char *dir, const char *name, char *out) {
    strcpy(out, "/tmp/attn_nan_XXXXXX");
    if (!mkdtemp(out)) return false;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp %s/config.json %s/model.safetensors %s/", dir, dir, out);
    if (system(cmd) != 0) return false;
    char path[256];
    snprintf(path, sizeof path, "%s/model.safetensors", out);
    st_file *f = NULL;
    if (st_open(path, &f)) return false;
    long offset = -1;
    for (int64_t i = 0; i < f->n_tensors; i++)
        if (!strcmp(f->tensors[i].name, name) && f->tensors[i].dtype == ST_F32)
            offset = (long)((const char *)f->tensors[i].data - (const char *)f->map);
    st_close(f);
    FILE *w = offset >= 0 ? fopen(path, "r+b") : NULL;
    float nan = NAN;
    bool ok = w && !fseek(w, offset, SEEK_SET) && fwrite(&nan, sizeof nan, 1, w) == 1;
    if (w) ok = !fclose(w) && ok;
    return ok;
}

TEST("a NaN in a weight matrix is refused by fp32 and bf16 loads alike, the tensor named "
     "(GPT-2's transposed Conv1D matrices and Llama's as stored)") {
    static const char *const cases[][2] = {
        {GPT_DIR, "transformer.h.0.attn.c_attn.weight"},
        {GPT_DIR, "transformer.wte.weight"},
        {"tests/ref/llama_gqa", "model.layers.0.mlp.down_proj.weight"},
        {"tests/ref/llama_gqa", "lm_head.weight"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char dir[64];
        CHECK(copy_with_nan(cases[c][0], cases[c][1], dir));
        for (int bf16 = 0; bf16 < 2; bf16++) {
            attn_model *m = NULL;
            attn_status st = bf16 ? attn_model_load_inference(dir, ATTN_PRECISION_BF16, &m) : attn_model_load(dir, &m);
            CHECK_STATUS(st, ATTN_ERR_FORMAT);
            CHECK(!m);
            const char *e = attn_last_error();
            /* the name as the model spells it: without GPT-2's "transformer." */
            const char *name = strncmp(cases[c][1], "transformer.", 12) ? cases[c][1] : cases[c][1] + 12;
            CHECK(e && strstr(e, "NaN or infinity") && strstr(e, name));
            if (e && (!strstr(e, "NaN or infinity") || !strstr(e, name)))
                fprintf(stderr, "  %s, %s: %s\n", cases[c][1], bf16 ? "bf16" : "fp32", e);
            attn_model_free(m);
        }
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        CHECK(system(cmd) == 0);
    }
}
