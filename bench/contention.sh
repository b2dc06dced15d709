#!/bin/sh
# Training throughput when another process shares the machine: the README
# demo's model (character-level, 4 layers, width 192) trained for 60 steps
# with 1 thread and with 2, on the quiet machine and beside one busy shell
# loop. The 2-thread runs: attn's default (GOMP_SPINCOUNT=1000; with
# OpenBLAS's products the thread governor stays off), governed (ATTN_GEMM=attn:
# attn's own products, so the governor may run steps on 1 thread while that
# measures faster), then --fixed-threads with libgomp's default spin
# (GOMP_SPINCOUNT unset: ~300,000 iterations) and OMP_WAIT_POLICY=passive.
# Prints the mean tokens/s of the last 30 steps of each run, and per setting
# the ratios of the 2-thread runs to the 1-thread run. Each run starts a fresh
# model (the output directory is removed).
#   sh bench/contention.sh      (after `make`; prepares runs/austen-char-data if missing)
set -eu
cd "$(dirname "$0")/.."
ATTN=${ATTN:-./attn}
DATA=${DATA:-runs/austen-char-data}
OUT=$(mktemp -d)
BUSY=
FIXED=
trap 'rm -rf "$OUT"; [ -n "$BUSY" ] && kill "$BUSY" 2>/dev/null; true' EXIT
[ -f "$DATA/train.bin" ] || "$ATTN" prepare -t char -o "$DATA" data/austen/*.txt > /dev/null
run() { # threads, label, then environment settings
    threads=$1 label=$2
    shift 2
    rm -rf "$OUT/m"
    env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT ATTN_THREADS=$threads OMP_NUM_THREADS=$threads "$@" "$ATTN" train --data "$DATA" \
        --out "$OUT/m" --layers 4 --heads 4 --width 192 --context 64 --batch 32 --steps 60 --lr 3e-3 --warmup 10 \
        --eval-every 1000 --seed 1 $FIXED > /dev/null 2>&1
    tail -n 30 "$OUT/m/train_log.jsonl" | sed -n 's/.*"tokens_per_s": \([0-9.]*\).*/\1/p' |
        awk -v l="$label" '{ s += $1; n++ } END { printf "%-52s %8.0f tokens/s\n", l, s / n }'
}
for mode in quiet "beside a busy process"; do
    if [ "$mode" != quiet ]; then
        sh -c 'while :; do :; done' &
        BUSY=$!
    fi
    one=$(run 1 "$mode, 1 thread" GOMP_SPINCOUNT=1000)
    two=$(run 2 "$mode, 2 threads, attn's default" GOMP_SPINCOUNT=1000)
    own=$(run 2 "$mode, 2 threads, governed (ATTN_GEMM=attn)" GOMP_SPINCOUNT=1000 ATTN_GEMM=attn)
    echo "$one"
    echo "$two"
    echo "$own"
    FIXED=--fixed-threads
    run 2 "$mode, 2 threads fixed, libgomp default spin" GOMP_SPINCOUNT=300000
    run 2 "$mode, 2 threads fixed, OMP_WAIT_POLICY=passive" OMP_WAIT_POLICY=passive
    FIXED=
    echo "$one
$two
$own" | awk -v m="$mode" '{ v[NR] = $(NF - 1) } END {
        printf "%s: 2 threads / 1 thread = %.2f (default), %.2f (governed)\n", m, v[2] / v[1], v[3] / v[1] }'
done
