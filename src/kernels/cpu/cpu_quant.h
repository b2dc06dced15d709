/* cpu_quant.h — the quantized linear layer and embedding lookup of each CPU
 * build (cpu_quant.c; contracts in kernels.h and kernels/quant.h). */
#ifndef ATTN_KERNELS_CPU_QUANT_H
#define ATTN_KERNELS_CPU_QUANT_H

#include "kernels/cpu/cpu.h"
#include "kernels/quant.h"

void CPU_FN(cpu_matmul_forward_q)(float *out, const float *x, const void *w, int qtype, const float *bias, int64_t N,
                                  int64_t C, int64_t OC);
void CPU_FN(cpu_embedding_forward_q)(float *out, const void *table, int qtype, const int32_t *ids, int64_t N,
                                     int64_t C);
/* quant_act_row, bit for bit, in this build's vectors. */
void CPU_FN(cpu_quant_act_row)(quant_act *a, const float *x, int64_t C);
/* "avx512vnni", "avx2" or "scalar": the integer dot products this build's
 * matmul_forward_q uses on this CPU. */
const char *CPU_FN(cpu_quant_path)(void);

/* By name, for tests and benchmarks: the AVX-512 build's VNNI path (call it
 * only where cpu_quant_path_avx512() says "avx512vnni"), and each build's
 * path name. */
void cpu_matmul_forward_q_vnni(float *out, const float *x, const void *w, int qtype, const float *bias, int64_t N,
                               int64_t C, int64_t OC);
const char *cpu_quant_path_generic(void);
const char *cpu_quant_path_avx2(void);
const char *cpu_quant_path_avx512(void);
void cpu_quant_act_row_generic(quant_act *a, const float *x, int64_t C);
void cpu_quant_act_row_avx2(quant_act *a, const float *x, int64_t C);
void cpu_quant_act_row_avx512(quant_act *a, const float *x, int64_t C);

#endif
