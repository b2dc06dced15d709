#!/bin/sh
# Attention forward + backward, causal, 12 heads of width 64 (GPT-2's), batch
# 1: attn's FlashAttention kernel against naive attention that materialises
# the T x T probabilities (BLAS GEMMs, as eager PyTorch does), for T = 256 ...
# 8192. Each (method, T) runs in its own process so that peak memory is its
# own; best of ROUNDS. Prints a Markdown table.
set -eu
cd "$(dirname "$0")/.."
B=build/bench/bench_attention
[ -x "$B" ] || { echo "build first: make build/bench/bench_attention" >&2; exit 1; }
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-2}
MAX_T=${MAX_T:-8192}
field() { sed -n "s/.*\"$1\": \([0-9.]*\).*/\1/p"; }
echo "| T | flash ms | naive ms | naive / flash time | flash extra MB | naive extra MB | flash peak RSS MB | naive peak RSS MB |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
T=256
while [ "$T" -le "$MAX_T" ]; do
    fb=""; nb=""; fl=""; nl=""
    r=0
    while [ "$r" -lt "$ROUNDS" ]; do
        f=$($B --min-t $T --max-t $T --only flash --threads "$THREADS")
        n=$($B --min-t $T --max-t $T --only naive --threads "$THREADS")
        fm=$(echo "$f" | field ms); nm=$(echo "$n" | field ms)
        if [ -z "$fb" ] || [ "$(awk -v a="$fm" -v b="$fb" 'BEGIN{print (a<b)}')" = 1 ]; then fb=$fm; fl=$f; fi
        if [ -z "$nb" ] || [ "$(awk -v a="$nm" -v b="$nb" 'BEGIN{print (a<b)}')" = 1 ]; then nb=$nm; nl=$n; fi
        r=$((r + 1))
    done
    awk -v T="$T" -v f="$fb" -v n="$nb" -v fe="$(echo "$fl" | field extra_bytes)" -v ne="$(echo "$nl" | field extra_bytes)" \
        -v fr="$(echo "$fl" | field peak_rss_growth_kb)" -v nr="$(echo "$nl" | field peak_rss_growth_kb)" \
        'BEGIN { printf "| %d | %.1f | %.1f | %.2fx | %.2f | %.1f | %.1f | %.1f |\n", T, f, n, n / f, fe / 1048576, ne / 1048576, fr / 1024, nr / 1024 }'
    T=$((T * 2))
done
