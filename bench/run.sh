#!/bin/sh
# Model benchmarks: attn beside PyTorch (the .venv's PyPI release, same
# shapes, same thread count), measured in the same run, interleaved, best
# of ROUNDS: fp32 against fp32, then attn bf16 (--precision bf16) against
# PyTorch bf16 autocast (training) or PyTorch fp32 (decoding), each bf16
# row followed by a line setting attn bf16 against the fp32 row above it
# (attn fp32, PyTorch fp32). Prints a Markdown table (the README's) and
# writes bench/results.json lines to $OUT (default build/bench/results.jsonl).
# Ends with bench/embed.sh (EMBED_N sentences, default 2000, 0 leaves it out; EMBED_ROUNDS, default 3;
# under ONLY, only when "sentence embeddings" contains it).
#   sh bench/run.sh             # THREADS=2 ROUNDS=2 by default
#   ONLY=124M sh bench/run.sh   # only the rows whose name contains 124M
set -eu
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-2}
OUT=${OUT:-build/bench/results.jsonl}
PY=${PY:-.venv/bin/python}
B=build/bench/bench_model
M=build/bench/bench_machine
[ -x "$B" ] && [ -x "$M" ] && [ -x ./attn ] || { echo "build first: make bench" >&2; exit 1; }
[ -x "$PY" ] || { echo "no $PY: run tools/setup.sh" >&2; exit 1; }
export OMP_NUM_THREADS=$THREADS ATTN_THREADS=$THREADS
mkdir -p "$(dirname "$OUT")"
: > "$OUT"

best() { # best tokens_per_s of the JSON lines on stdin
    sed -n 's/.*"tokens_per_s": \([0-9.]*\).*/\1/p' | sort -g | tail -n 1
}

# utilisation of the machine, from bench_machine's numbers measured now:
# training: model FLOPs (6 N + 12 L T C per token) / fp32 FMA peak (bf16:
# / the bf16 dot-product peak, or the AMX peak where attn's bf16 products
# run on AMX); decoding: weight bytes read per token (4 N,
# bf16: 2 N) / read bandwidth, and that limit in tokens/s.
util() { # kind tokens_per_s params layers context width
    awk -v k="$1" -v r="$2" -v n="$3" -v l="$4" -v t="$5" -v c="$6" -v peak="$PEAK" -v bpeak="$BPEAK" -v bw="$BW" 'BEGIN {
        f = 6 * n + 12 * l * t * c
        if (k == "train") printf "%.0f%% of fp32 peak (MFU)", 100 * r * f / (peak * 1e9);
        else if (k == "train_bf16") { if (bpeak > 0) printf "%.0f%% of bf16 peak (MFU)", 100 * r * f / (bpeak * 1e9); else printf "no bf16 peak" }
        else if (k == "decode_bf16") printf "%.0f%% of read bandwidth (limit %.1f tok/s at 2 bytes/weight)", 100 * r * 2 * n / (bw * 1e9), bw * 1e9 / (2 * n);
        else printf "%.0f%% of read bandwidth (limit %.1f tok/s at 4 bytes/weight)", 100 * r * 4 * n / (bw * 1e9), bw * 1e9 / (4 * n) }'
}

# The host's bandwidth is shared and moves; decoding rows measure it again
# after each round, and utilisation divides by the best seen (a limit read
# at a slow moment would put a decode above 100%).
remeasure() {
    bw=$($M --threads "$THREADS" --bandwidth | sed -n 's/.*"read_gb_per_s": \([0-9.]*\).*/\1/p')
    BW=$(awk -v a="$BW" -v b="$bw" 'BEGIN { print (b > a ? b : a) }')
}

run_case() { # name attn-args torch-script torch-args kind layers context width
    name=$1 a=$2 ts=$3 t=$4 kind=$5 L=$6 T=$7 C=$8
    case "$name" in *"${ONLY:-}"*) ;; *) return 0 ;; esac
    : > /tmp/attn_bench_a; : > /tmp/attn_bench_t
    r=0
    while [ "$r" -lt "$ROUNDS" ]; do
        $B $a --threads "$THREADS" | tee -a "$OUT" >> /tmp/attn_bench_a
        "$PY" "bench/$ts" $t --threads "$THREADS" 2>/dev/null | tail -n 1 | tee -a "$OUT" >> /tmp/attn_bench_t
        case "$kind" in decode*) remeasure ;; esac
        r=$((r + 1))
    done
    at=$(best < /tmp/attn_bench_a); tt=$(best < /tmp/attn_bench_t)
    params=$(sed -n 's/.*"params": \([0-9]*\).*/\1/p' /tmp/attn_bench_a | head -n 1)
    [ -n "$params" ] || params=$(sed -n 's/.*"params": \([0-9]*\).*/\1/p' /tmp/attn_bench_t | head -n 1)
    u=$(util "$kind" "$at" "$params" "$L" "$T" "$C")
    awk -v n="$name" -v a="$at" -v t="$tt" -v u="$u" 'BEGIN { printf "| %s | %.1f | %.1f | %.2fx | %s |\n", n, a, t, a / t, u }'
    case "$kind" in
    *_bf16) [ -n "${FP32_TORCH:-}" ] && awk -v a="$at" -v f="$FP32_ATTN" -v t="$FP32_TORCH" 'BEGIN {
        printf "| (attn bf16 above / attn fp32 %.1f = %.2fx) | %.1f | %.1f (PyTorch fp32) | %.2fx | |\n", f, a / f, a, t, a / t }' ;;
    *) FP32_TORCH=$tt FP32_ATTN=$at ;;
    esac
}

torchv=$("$PY" -c 'import torch; print(torch.__version__)')
mach=$($M --threads "$THREADS")
echo "$mach" >> "$OUT"
PEAK=$(echo "$mach" | sed -n 's/.*"fp32_fma_gflops": \([0-9.]*\).*/\1/p')
BW=$(echo "$mach" | sed -n 's/.*"read_gb_per_s": \([0-9.]*\).*/\1/p')
BPEAK=$(echo "$mach" | sed -n 's/.*"bf16_dot_gflops": \([0-9.]*\).*/\1/p')
APEAK=$(echo "$mach" | sed -n 's/.*"amx_bf16_gflops": \([0-9.]*\).*/\1/p')
paths=$(./attn --version | sed -n 2p)
echo "attn vs PyTorch $torchv, $THREADS threads, best of $ROUNDS interleaved rounds (tokens/s)"
echo "machine, measured now: fp32 FMA peak $PEAK GFLOP/s, bf16 dot peak $BPEAK GFLOP/s, AMX bf16 peak ${APEAK:-0} GFLOP/s, read bandwidth $BW GB/s"
echo "attn paths: $paths"
# bf16 training's utilisation: of the peak of the unit its products ran on
case "$paths" in *"bf16 products amx"*) BPEAK=$APEAK ;; esac
echo
echo "| benchmark | attn | PyTorch | attn / PyTorch | attn utilisation |"
echo "|---|---:|---:|---:|---|"
run_case "train GPT-2 124M (12L 768w), B=4 T=256" \
    "train --layers 12 --heads 12 --width 768 --context 256 --vocab 50257 --batch 4 --steps 3 --warmup-steps 1" \
    bench_train_torch.py "--layers 12 --heads 12 --width 768 --context 256 --vocab 50257 --batch 4 --steps 3 --warmup-steps 1" \
    train 12 256 768
run_case "train GPT-2 124M, bf16 (PyTorch: bf16 autocast)" \
    "train --layers 12 --heads 12 --width 768 --context 256 --vocab 50257 --batch 4 --steps 3 --warmup-steps 1 --precision bf16" \
    bench_train_torch.py "--layers 12 --heads 12 --width 768 --context 256 --vocab 50257 --batch 4 --steps 3 --warmup-steps 1 --autocast bf16" \
    train_bf16 12 256 768
run_case "train 6L 384w, GPT-2 vocab, B=8 T=256" \
    "train --layers 6 --heads 6 --width 384 --context 256 --vocab 50257 --batch 8 --steps 4 --warmup-steps 1" \
    bench_train_torch.py "--layers 6 --heads 6 --width 384 --context 256 --vocab 50257 --batch 8 --steps 4 --warmup-steps 1" \
    train 6 256 384
run_case "train 6L 384w, bf16 (PyTorch: bf16 autocast)" \
    "train --layers 6 --heads 6 --width 384 --context 256 --vocab 50257 --batch 8 --steps 4 --warmup-steps 1 --precision bf16" \
    bench_train_torch.py "--layers 6 --heads 6 --width 384 --context 256 --vocab 50257 --batch 8 --steps 4 --warmup-steps 1 --autocast bf16" \
    train_bf16 6 256 384
run_case "decode GPT-2 124M, batch 1 (after an 8-token prompt)" \
    "decode --layers 12 --heads 12 --width 768 --context 1024 --vocab 50257 --prompt 8 --tokens 64" \
    bench_decode_torch.py "--layers 12 --heads 12 --width 768 --context 1024 --vocab 50257 --prompt-len 8 --new-tokens 64" \
    decode 12 1024 768
run_case "decode GPT-2 124M, bf16 weights (PyTorch: fp32)" \
    "decode --layers 12 --heads 12 --width 768 --context 1024 --vocab 50257 --prompt 8 --tokens 64 --precision bf16" \
    bench_decode_torch.py "--layers 12 --heads 12 --width 768 --context 1024 --vocab 50257 --prompt-len 8 --new-tokens 64" \
    decode_bf16 12 1024 768

# sentence embeddings: attn embed vs sentence-transformers on all-MiniLM-L6-v2 (bench/embed.sh),
# a row named "sentence embeddings" for ONLY; EMBED_N=0 leaves it out
case "sentence embeddings" in *"${ONLY:-}"*)
    if [ "${EMBED_N:-2000}" != 0 ]; then
        echo
        N=${EMBED_N:-2000} ROUNDS=${EMBED_ROUNDS:-3} THREADS=$THREADS PY=$PY OUT=$OUT sh bench/embed.sh
    fi ;;
esac
