#!/bin/sh
# attn score --context N / --stride K: past the trained context (the fixtures' 32 positions) a
# rotary (llama) and an ALiBi (bloom) model score finite values; with --stride the scored tokens
# are the same at every window; learned positions (gpt2, 16 positions) are refused past n_positions
# with exit 1 naming why; --stride longer than --context is bad usage (exit 2). The values are
# checked against transformers in tests/py/test_score_context.py.
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk 'BEGIN { for (i = 0; i < 400; i++) printf "%d ", (i * 7 + 3) % 60; print "" }' >"$tmp/ids.txt"
for m in llama_tied bloom_tiny; do
    for w in 32 128 256; do
        out=$("$ATTN" score -m "tests/ref/$m" --ids "$tmp/ids.txt" --json --context "$w" --stride 32)
        echo "$out" | grep -q '"tokens": 399}' || { echo "$m --context $w --stride 32: $out"; exit 1; }
        echo "$out" | awk '{ v = $2; sub(",", "", v); if (!(v + 0 > 0 && v + 0 < 100)) { print "not finite: " $0; exit 1 } }'
    done
    out=$("$ATTN" score -m "tests/ref/$m" --ids "$tmp/ids.txt" --json --context 100)
    echo "$out" | grep -q '"tokens": 396}' || { echo "$m --context 100: $out"; exit 1; }
done
rc=0
"$ATTN" score -m tests/ref/gpt2_tiny --ids "$tmp/ids.txt" --context 64 >/dev/null 2>"$tmp/err" || rc=$?
[ "$rc" = 1 ] || { echo "gpt2 --context 64: exit $rc"; cat "$tmp/err"; exit 1; }
grep -q "^attn score: error: .*longer than the 16 positions this gpt2 model learned" "$tmp/err" || { cat "$tmp/err"; exit 1; }
"$ATTN" score -m tests/ref/gpt2_tiny --ids "$tmp/ids.txt" --context 16 --stride 4 --json | grep -q '"tokens": 399}'
rc=0
"$ATTN" score -m tests/ref/bloom_tiny --ids "$tmp/ids.txt" --context 16 --stride 32 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] || { echo "--stride > --context: exit $rc"; exit 1; }
rc=0
"$ATTN" score -m tests/ref/bloom_tiny --ids "$tmp/ids.txt" --stride 64 2>"$tmp/err" || rc=$?
[ "$rc" = 1 ] && grep -q "longer than the window of 32" "$tmp/err" || { echo "--stride 64 at context 32: exit $rc"; cat "$tmp/err"; exit 1; }
echo ok
