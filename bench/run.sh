#!/bin/sh
# Model benchmarks: attn beside PyTorch (the .venv's PyPI release, same
# shapes, fp32, same thread count), measured in the same run, interleaved,
# best of ROUNDS. Prints a Markdown table (the README's) and writes
# bench/results.json lines to $OUT (default build/bench/results.jsonl).
#   sh bench/run.sh            # THREADS=2 ROUNDS=2 by default
set -eu
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-2}
OUT=${OUT:-build/bench/results.jsonl}
PY=${PY:-.venv/bin/python}
B=build/bench/bench_model
[ -x "$B" ] || { echo "build first: make bench" >&2; exit 1; }
[ -x "$PY" ] || { echo "no $PY: run tools/setup.sh" >&2; exit 1; }
export OMP_NUM_THREADS=$THREADS ATTN_THREADS=$THREADS
mkdir -p "$(dirname "$OUT")"
: > "$OUT"

best() { # best tokens_per_s of the JSON lines on stdin
    sed -n 's/.*"tokens_per_s": \([0-9.]*\).*/\1/p' | sort -g | tail -n 1
}

run_case() { # name attn-args torch-script torch-args
    name=$1 a=$2 ts=$3 t=$4
    : > /tmp/attn_bench_a; : > /tmp/attn_bench_t
    r=0
    while [ "$r" -lt "$ROUNDS" ]; do
        $B $a --threads "$THREADS" | tee -a "$OUT" >> /tmp/attn_bench_a
        "$PY" "bench/$ts" $t --threads "$THREADS" 2>/dev/null | tail -n 1 | tee -a "$OUT" >> /tmp/attn_bench_t
        r=$((r + 1))
    done
    at=$(best < /tmp/attn_bench_a); tt=$(best < /tmp/attn_bench_t)
    awk -v n="$name" -v a="$at" -v t="$tt" 'BEGIN { printf "| %s | %.1f | %.1f | %.2fx |\n", n, a, t, a / t }'
}

torchv=$("$PY" -c 'import torch; print(torch.__version__)')
echo "attn vs PyTorch $torchv, fp32, $THREADS threads, best of $ROUNDS interleaved rounds (tokens/s)"
echo
echo "| benchmark | attn | PyTorch | attn / PyTorch |"
echo "|---|---:|---:|---:|"
run_case "train GPT-2 124M (12L 768w), B=4 T=256" \
    "train --layers 12 --heads 12 --width 768 --context 256 --vocab 50257 --batch 4 --steps 3 --warmup-steps 1" \
    bench_train_torch.py "--layers 12 --heads 12 --width 768 --context 256 --vocab 50257 --batch 4 --steps 3 --warmup-steps 1"
run_case "train 6L 384w, GPT-2 vocab, B=8 T=256" \
    "train --layers 6 --heads 6 --width 384 --context 256 --vocab 50257 --batch 8 --steps 4 --warmup-steps 1" \
    bench_train_torch.py "--layers 6 --heads 6 --width 384 --context 256 --vocab 50257 --batch 8 --steps 4 --warmup-steps 1"
run_case "decode GPT-2 124M, batch 1 (after an 8-token prompt)" \
    "decode --layers 12 --heads 12 --width 768 --context 1024 --vocab 50257 --prompt 8 --tokens 64" \
    bench_decode_torch.py "--layers 12 --heads 12 --width 768 --context 1024 --vocab 50257 --prompt-len 8 --new-tokens 64"
