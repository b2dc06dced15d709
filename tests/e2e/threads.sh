#!/bin/sh
# OpenMP waiting: unless the user set OMP_WAIT_POLICY or GOMP_SPINCOUNT,
# attn restarts itself with GOMP_SPINCOUNT=1000 (cli/main.c); a user's
# choice is kept; the restart keeps the arguments and standard input.
# attn --version also names the kernels, matrix-product and bf16 paths and
# the thread count in force, following ATTN_* settings.
# Training's thread governor: with attn's own matrix products a step may run
# on fewer threads than --threads (the progress line says "1 of 2 threads";
# the 12th step always does, a probe), and the model is byte for byte that
# of --fixed-threads at 1 or 2 threads; with OpenBLAS's it stays off.
set -eu
ATTN=${ATTN_BIN:-./attn}
if ! "$ATTN" --version | grep -q "OpenMP waiting"; then echo "SKIPPED: built without OpenMP"; exit 0; fi
v=$(env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT "$ATTN" --version)
echo "$v" | grep -q "OpenMP waiting: GOMP_SPINCOUNT=1000$" || { echo "default policy not set: $v"; exit 1; }
v=$(env -u GOMP_SPINCOUNT OMP_WAIT_POLICY=passive "$ATTN" --version)
echo "$v" | grep -q "OpenMP waiting: OMP_WAIT_POLICY=passive$" || { echo "OMP_WAIT_POLICY not kept: $v"; exit 1; }
v=$(env -u OMP_WAIT_POLICY GOMP_SPINCOUNT=77 "$ATTN" --version)
echo "$v" | grep -q "OpenMP waiting: GOMP_SPINCOUNT=77$" || { echo "GOMP_SPINCOUNT not kept: $v"; exit 1; }
ids=$(echo "hello world" | env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT "$ATTN" tokenize -t tests/data/minilm)
[ "$ids" = "7592 2088" ] || { echo "standard input lost across the restart: got '$ids'"; exit 1; }
v=$(ATTN_CPU_ISA=generic ATTN_THREADS=1 "$ATTN" --version | sed -n 2p)
echo "$v" | grep -Eq "^kernels cpu-generic, matrix products (openblas|builtin), bf16 products fp32-emulation, threads 1$" ||
    { echo "ATTN_CPU_ISA=generic / ATTN_THREADS=1 not reported: $v"; exit 1; }
if grep -q avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo && grep -qw f16c /proc/cpuinfo; then
    v=$(ATTN_CPU_ISA=avx2 "$ATTN" --version | sed -n 2p)
    echo "$v" | grep -Eq "^kernels cpu-avx2, matrix products (openblas|builtin), bf16 products fp32-emulation," ||
        { echo "ATTN_CPU_ISA=avx2 not reported: $v"; exit 1; }
fi
v=$(ATTN_KERNELS=ref "$ATTN" --version | sed -n 2p)
echo "$v" | grep -q "^kernels ref, matrix products ref, bf16 products ref" || { echo "ATTN_KERNELS=ref not reported: $v"; exit 1; }
if grep -q avx512bw /proc/cpuinfo 2>/dev/null && grep -q avx512vl /proc/cpuinfo && grep -q avx512dq /proc/cpuinfo; then
    v=$(ATTN_GEMM=attn "$ATTN" --version | sed -n 2p)
    echo "$v" | grep -q "^kernels cpu-avx512, matrix products attn-packed," || { echo "ATTN_GEMM=attn not reported: $v"; exit 1; }
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 40000 data/austen/emma.txt > "$tmp/a.txt"
"$ATTN" prepare -t char -o "$tmp/data" "$tmp/a.txt" >/dev/null
common="--data $tmp/data --layers 2 --heads 4 --width 64 --context 32 --batch 8 --steps 16 --eval-every 8 --dropout 0.1"
# the governor runs where the matrix products give the same bits on any
# thread count: attn's own (packed where this CPU has them, else the blocked
# loop); with OpenBLAS's it stays off
mm=$(ATTN_GEMM=attn "$ATTN" --version | sed -n 's/.*matrix products \([a-z-]*\),.*/\1/p')
[ "$mm" = attn-packed ] && own=attn || own=builtin
ATTN_GEMM=$own "$ATTN" train $common --out "$tmp/adapt" --threads 2 2>"$tmp/progress"
grep -q "^step *12/16 .* | 1 of 2 threads" "$tmp/progress" || { echo "no step on 1 of 2 threads:"; cat "$tmp/progress"; exit 1; }
for n in 1 2; do
    ATTN_GEMM=$own "$ATTN" train $common --out "$tmp/fixed$n" --threads $n --fixed-threads --quiet
    cmp "$tmp/adapt/model.safetensors" "$tmp/fixed$n/model.safetensors" ||
        { echo "the governed run's model differs from --fixed-threads --threads $n"; exit 1; }
done
if ATTN_GEMM=blas "$ATTN" --version | grep -q "matrix products openblas"; then
    ATTN_GEMM=blas "$ATTN" train $common --out "$tmp/blas" --threads 2 2>"$tmp/progress"
    grep -q "of 2 threads" "$tmp/progress" && { echo "the governor ran on OpenBLAS's products:"; cat "$tmp/progress"; exit 1; }
fi
echo ok
