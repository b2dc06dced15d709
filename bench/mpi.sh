#!/bin/sh
# Data parallelism on one machine: the same global batch trained as one
# process with 2 threads (--accum 2) and as `mpirun -n 2` processes with 1
# thread each (--accum 1), on the README demo's 6-layer shape and on GPT-2
# 124M's (GPT-2's 50,257-token vocabulary), interleaved (1x2, 2x1, 1x2, 2x1).
# Prints the mean tokens/s of the steps after the first (summed over the
# ranks), the 2x1 / 1x2 ratio, and rank 0's share of each step's time spent
# inside MPI calls (comm_s in the log: the all-reduce of the gradients, and
# the waits for the other rank it holds), with the all-reduce rate that
# implies (gradient bytes / communication seconds). The 2x1 runs sum the
# gradients during the backward pass in 16 MB buckets (the default); a third
# run, 2x1 with --bucket-mb 0 (one sum after the backward), shows what that
# overlap is worth.
#   sh bench/mpi.sh        (after `make`, with MPICH: tools/setup.sh; ~10 minutes on 2 cores)
#   STEPS=4 SHAPES=6-layer sh bench/mpi.sh
set -eu
cd "$(dirname "$0")/.."
ATTN=${ATTN:-$PWD/attn}
STEPS=${STEPS:-6}
BATCH=${BATCH:-4}
SHAPES=${SHAPES:-"6-layer 124M"}
MPIRUN=${MPIRUN:-mpirun}
command -v "$MPIRUN" > /dev/null || { echo "bench/mpi.sh: no $MPIRUN (tools/setup.sh installs MPICH)" >&2; exit 1; }
"$ATTN" --version | grep -q "MPI: built in" || { echo "bench/mpi.sh: this attn was built without MPI" >&2; exit 1; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
"$ATTN" prepare -t data/gpt2-tokenizer -o "$OUT/d" data/austen/emma.txt > /dev/null
run() { # label launcher... -- shape and options: prints "label tokens_per_s comm_share step_s"
    label=$1
    shift
    rm -rf "$OUT/m"
    "$@" --data "$OUT/d" --out "$OUT/m" --steps "$STEPS" --eval-every 100000 --warmup 1 --seed 1 --quiet > /dev/null
    tail -n +2 "$OUT/m/train_log.jsonl" | awk -v l="$label" '
        { t = $0; sub(/.*"tokens_per_s": /, "", t); sub(/[,}].*/, "", t)
          c = 0; if ($0 ~ /"comm_s"/) { c = $0; sub(/.*"comm_s": /, "", c); sub(/[,}].*/, "", c) }
          tps += t; comm += c; n++ }
        END { printf "%s %.1f %.6f\n", l, tps / n, comm / n }'
}
for name in $SHAPES; do
    case "$name" in
        124M) args="--layers 12 --heads 12 --width 768 --context 1024" ;;
        6-layer) args="--layers 6 --heads 6 --width 384 --context 256" ;;
        *) echo "bench/mpi.sh: unknown shape $name (6-layer, 124M)" >&2; exit 2 ;;
    esac
    ctx=${args##*--context }
    : > "$OUT/rows"
    for rep in 1 2; do
        # shellcheck disable=SC2086
        run 1x2 "$ATTN" train $args --batch "$BATCH" --accum 2 --threads 2 >> "$OUT/rows"
        # shellcheck disable=SC2086
        OMP_NUM_THREADS=1 run 2x1 "$MPIRUN" -n 2 "$ATTN" train $args --batch "$BATCH" --accum 1 --threads 1 >> "$OUT/rows"
        # shellcheck disable=SC2086
        OMP_NUM_THREADS=1 run 2x1s "$MPIRUN" -n 2 "$ATTN" train $args --batch "$BATCH" --accum 1 --threads 1 --bucket-mb 0 >> "$OUT/rows"
    done
    bytes=$(stat -c %s "$OUT/m/model.safetensors") # the fp32 weights: the gradient's size, near enough
    awk -v n="$name" -v b="$BATCH" -v ctx="$ctx" -v bytes="$bytes" '
        { tps[$1] += $2; comm[$1] += $3; c[$1]++ }
        END {
            one = tps["1x2"] / c["1x2"]; two = tps["2x1"] / c["2x1"]; cm = comm["2x1"] / c["2x1"]
            step = 2 * b * ctx / two
            printf "%s, global batch %d x %d tokens: 1 process x 2 threads %.0f tokens/s, 2 processes x 1 thread %.0f tokens/s (%.2fx); rank 0 in MPI %.3f s of a %.3f s step (%.1f%%), %.0f MB of gradients: %.2f GB/s through the all-reduce at least\n",
                n, 2 * b, ctx, one, two, two / one, cm, step, 100 * cm / step, bytes / 1e6, bytes / cm / 1e9
            ser = tps["2x1s"] / c["2x1s"]; cs = comm["2x1s"] / c["2x1s"]; steps = 2 * b * ctx / ser
            printf "  the sum overlapped with the backward (16 MB buckets) against one sum after it (--bucket-mb 0): %.0f against %.0f tokens/s (%.2fx); rank 0 in MPI %.3f s against %.3f s of a step\n",
                two, ser, two / ser, cm, cs
        }' "$OUT/rows"
done
