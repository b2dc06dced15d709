#!/bin/sh
# Training throughput when another process shares the machine: the README
# demo's model (character-level, 4 layers, width 192) trained for 60 steps
# with 2 threads, on the quiet machine and beside one busy shell loop, with
# libgomp's default spin (GOMP_SPINCOUNT unset: ~300,000 iterations), the
# attn command's default (GOMP_SPINCOUNT=1000) and OMP_WAIT_POLICY=passive.
# Prints the mean tokens/s of the last 30 steps of each run.
#   sh bench/contention.sh      (after `make`; prepares runs/austen-char-data if missing)
set -eu
cd "$(dirname "$0")/.."
ATTN=${ATTN:-./attn}
DATA=${DATA:-runs/austen-char-data}
OUT=$(mktemp -d)
BUSY=
trap 'rm -rf "$OUT"; [ -n "$BUSY" ] && kill "$BUSY" 2>/dev/null; true' EXIT
[ -f "$DATA/train.bin" ] || "$ATTN" prepare -t char -o "$DATA" data/austen/*.txt > /dev/null
run() { # label, then environment settings
    label=$1
    shift
    env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT ATTN_THREADS=2 OMP_NUM_THREADS=2 "$@" "$ATTN" train --data "$DATA" \
        --out "$OUT/m" --layers 4 --heads 4 --width 192 --context 64 --batch 32 --steps 60 --lr 3e-3 --warmup 10 \
        --eval-every 1000 --seed 1 > /dev/null 2>&1
    tail -n 30 "$OUT/m/train_log.jsonl" | sed -n 's/.*"tokens_per_s": \([0-9.]*\).*/\1/p' |
        awk -v l="$label" '{ s += $1; n++ } END { printf "%-52s %8.0f tokens/s\n", l, s / n }'
}
for mode in quiet "beside a busy process"; do
    if [ "$mode" != quiet ]; then
        sh -c 'while :; do :; done' &
        BUSY=$!
    fi
    run "$mode, libgomp default" GOMP_SPINCOUNT=300000
    run "$mode, GOMP_SPINCOUNT=1000 (attn)" GOMP_SPINCOUNT=1000
    run "$mode, OMP_WAIT_POLICY=passive" OMP_WAIT_POLICY=passive
done
