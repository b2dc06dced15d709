#!/bin/sh
# Activation checkpointing (attn train --recompute) on GPT-2 124M's shape
# (12 layers, width 768, 12 heads, 1024 positions, GPT-2's 50,257-token
# vocabulary) and on the README demo's 6-layer shape: the peak resident
# memory of the training process (GNU time's maximum RSS) and the mean
# tokens/s of the steps after the first, without and with --recompute,
# interleaved (plain, recompute, plain, recompute), and their ratios.
#   sh bench/recompute.sh        (after `make`; about 10 minutes on 2 cores)
#   STEPS=4 BATCH=4 sh bench/recompute.sh
set -eu
cd "$(dirname "$0")/.."
ATTN=${ATTN:-$PWD/attn}
STEPS=${STEPS:-4}
BATCH=${BATCH:-4}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
[ -x /usr/bin/time ] || { echo "bench/recompute.sh: needs GNU time (apt-get install time)" >&2; exit 1; }
"$ATTN" prepare -t data/gpt2-tokenizer -o "$OUT/d" data/austen/emma.txt > /dev/null
run() { # label shape... : prints "label rss_MB tokens_per_s"
    label=$1
    shift
    rm -rf "$OUT/m"
    /usr/bin/time -f "%M" -o "$OUT/rss" "$ATTN" train --data "$OUT/d" --out "$OUT/m" --batch "$BATCH" --steps "$STEPS" \
        --eval-every 100000 --warmup 1 --seed 1 --quiet "$@" > /dev/null
    tps=$(tail -n +2 "$OUT/m/train_log.jsonl" | sed -n 's/.*"tokens_per_s": \([0-9.]*\).*/\1/p' |
        awk '{ s += $1; n++ } END { printf "%.1f", n ? s / n : 0 }')
    echo "$label $(awk '{ printf "%.0f", $1 / 1024 }' "$OUT/rss") $tps"
}
for shape in "124M:--layers 12 --heads 12 --width 768 --context 1024" "6-layer:--layers 6 --heads 6 --width 384 --context 256"; do
    name=${shape%%:*}
    args=${shape#*:}
    : > "$OUT/rows"
    for rep in 1 2; do
        # shellcheck disable=SC2086
        run plain $args >> "$OUT/rows"
        # shellcheck disable=SC2086
        run recompute $args --recompute >> "$OUT/rows"
    done
    awk -v n="$name" -v b="$BATCH" '
        { rss[$1] = (rss[$1] > $2 ? rss[$1] : $2); tps[$1] += $3; c[$1]++ }
        END {
            p = tps["plain"] / c["plain"]; r = tps["recompute"] / c["recompute"]
            printf "%s, batch %d: peak RSS %d MB plain, %d MB --recompute (%.2fx); %.0f vs %.0f tokens/s (--recompute at %.2fx the speed)\n",
                n, b, rss["plain"], rss["recompute"], rss["recompute"] / rss["plain"], p, r, r / p
        }' "$OUT/rows"
done
