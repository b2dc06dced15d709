/* Reference bf16 linear layer: every GEMM input rounded to bf16 (nearest
 * even), products and sums in double, so the oracle has no summation-order
 * error of its own; the bias and its gradient stay fp32 as in the fp32
 * layer. */
#include "kernels/bf16.h"
#include "kernels/ref/ref.h"

static double r16(float x) { return (double)bf16_round_f32(x); }
static double w16(uint16_t w) { return (double)bf16_to_f32(w); }

void ref_matmul_forward_bf16(float *out, const float *inp, const uint16_t *weight, const float *bias, int64_t N,
                             int64_t C, int64_t OC) {
    for (int64_t n = 0; n < N; n++)
        for (int64_t o = 0; o < OC; o++) {
            double acc = 0.0;
            for (int64_t c = 0; c < C; c++) acc += r16(inp[n * C + c]) * w16(weight[o * C + c]);
            out[n * OC + o] = (float)acc + (bias ? bias[o] : 0.0f);
        }
}

void ref_matmul_backward_bf16(float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                              const uint16_t *weight, int64_t N, int64_t C, int64_t OC) {
    if (dinp)
        for (int64_t n = 0; n < N; n++)
            for (int64_t c = 0; c < C; c++) {
                double acc = 0;
                for (int64_t o = 0; o < OC; o++) acc += r16(dout[n * OC + o]) * w16(weight[o * C + c]);
                dinp[n * C + c] += (float)acc;
            }
    if (dweight)
        for (int64_t o = 0; o < OC; o++)
            for (int64_t c = 0; c < C; c++) {
                double acc = 0;
                for (int64_t n = 0; n < N; n++) acc += r16(dout[n * OC + o]) * r16(inp[n * C + c]);
                dweight[o * C + c] += (float)acc;
            }
    if (dbias) ref_matmul_backward(NULL, NULL, dbias, dout, inp, NULL, N, C, OC);
}

void ref_matmul_act_forward_bf16(float *out, float *pre, const float *inp, const uint16_t *weight, const float *bias,
                                 int64_t N, int64_t C, int64_t OC, kernel_act act) {
    ref_matmul_forward_bf16(pre, inp, weight, bias, N, C, OC);
    ref_act_forward(out, pre, N * OC, act);
}
