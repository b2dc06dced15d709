/* amx.h — Intel AMX (Advanced Matrix Extensions) tiles for the bf16 GEMM
 * and the machine benchmark: the OS permission, the tile configuration
 * and the instructions.
 *
 * A core has eight tile registers tmm0..tmm7 of up to 16 rows x 64 bytes;
 * ldtilecfg gives each its rows and bytes per row, tileloadd / tilestored
 * move a tile from / to memory rows `stride` bytes apart, and
 *   tdpbf16ps C, A, B:  C (M x N fp32) += A (M x K pairs of bf16) . B (K x N pairs)
 * i.e. C[m][n] += A[m][2k] B[k][2n] + A[m][2k+1] B[k][2n+1] over k: B is
 * stored as pairs of consecutive k per column, the layout vdpbf16ps reads.
 * Linux hands out the tile state only to a process that asks for it
 * (arch_prctl ARCH_REQ_XCOMP_PERM). The instructions are written as
 * inline assembly with a memory clobber (the compiler must not move the
 * packing stores past a tile load), so no compiler flag is needed; they
 * run only where amx_bf16_usable() said yes. */
#ifndef ATTN_KERNELS_CPU_AMX_H
#define ATTN_KERNELS_CPU_AMX_H

#include <stdbool.h>
#include <stdint.h>

/* clang before 16 knows no "amx-*" names for __builtin_cpu_supports: such a
 * build (the fuzzing build uses Debian 12's clang 14) goes without AMX. */
#if defined(__x86_64__) && defined(__GNUC__) && defined(__linux__) && !(defined(__clang__) && __clang_major__ < 16)
#include <sys/syscall.h>
#include <unistd.h>
#define AMX_ASM 1
#endif

/* ldtilecfg's 64-byte operand (palette 1: eight tiles of <= 16 rows x 64 bytes). */
typedef struct amx_tilecfg {
    uint8_t palette, start_row, reserved[14];
    uint16_t colsb[16]; /* bytes per row of tile i */
    uint8_t rows[16];
} amx_tilecfg;
_Static_assert(sizeof(amx_tilecfg) == 64, "ldtilecfg reads 64 bytes");

/* Every tile 16 rows x 64 bytes (16 fp32 / 32 bf16 per row). */
static inline amx_tilecfg amx_config_full(void) {
    amx_tilecfg c = {.palette = 1};
    for (int i = 0; i < 8; i++) c.colsb[i] = 64, c.rows[i] = 16;
    return c;
}

/* True when the CPU has AMX-TILE and AMX-BF16 and the kernel granted this
 * process the tile state (asked once; the answer is kept). */
static inline bool amx_bf16_usable(void) {
#ifdef AMX_ASM
    static int ok = -1;
    if (ok < 0) {
        enum { ARCH_GET_XCOMP_PERM = 0x1022, ARCH_REQ_XCOMP_PERM = 0x1023, XFEATURE_XTILEDATA = 18 };
        __builtin_cpu_init();
        int yes = 0;
        if (__builtin_cpu_supports("amx-tile") && __builtin_cpu_supports("amx-bf16") &&
            syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0) {
            unsigned long features = 0;
            yes = syscall(SYS_arch_prctl, ARCH_GET_XCOMP_PERM, &features) == 0 && (features >> XFEATURE_XTILEDATA & 1);
        }
        ok = yes;
    }
    return ok;
#else
    return false;
#endif
}

#ifdef AMX_ASM
/* Tile numbers must be literal constants 0..7. */
#define AMX_CONFIG(cfg) __asm__ volatile("ldtilecfg %0" ::"m"(*(const amx_tilecfg *)(cfg)))
#define AMX_RELEASE() __asm__ volatile("tilerelease" ::: "memory")
#define AMX_ZERO(t) __asm__ volatile("tilezero %%tmm" #t ::)
#define AMX_LOAD(t, base, stride) \
    __asm__ volatile("tileloadd (%0,%1,1), %%tmm" #t ::"r"((const void *)(base)), "r"((long)(stride)) : "memory")
#define AMX_STORE(t, base, stride) \
    __asm__ volatile("tilestored %%tmm" #t ", (%0,%1,1)" ::"r"((void *)(base)), "r"((long)(stride)) : "memory")
#define AMX_DPBF16(c, a, b) __asm__ volatile("tdpbf16ps %%tmm" #b ", %%tmm" #a ", %%tmm" #c ::)
#endif

#endif
