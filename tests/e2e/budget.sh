#!/bin/sh
# attn train --budget-flops: FLOPs per token 6 N + 6 layers x seq-len x width
# (N every parameter, embeddings included) in every log line with the FLOPs
# done; a budget of 7.5 steps' FLOPs runs the same 7 steps, with the same
# schedule, as --steps 7, and --schedule one-cycle falls linearly to 0 over
# it; --steps with it is a usage error, a budget under one step an error,
# and a budget for another objective is refused.
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "budget.sh: $*"; exit 1; }
head -c 20000 data/austen/persuasion.txt > "$tmp/a.txt"
"$ATTN" prepare -t char -o "$tmp/data" "$tmp/a.txt" >/dev/null
common="--data $tmp/data --layers 2 --heads 2 --width 32 --context 32 --batch 4 --eval-every 0 --eval-batches 1 --quiet"
"$ATTN" train $common --steps 7 --out "$tmp/steps"
V=$(sed -n 's/.*"vocab_size":[[:space:]]*\([0-9]*\).*/\1/p' "$tmp/steps/config.json")
[ -n "$V" ] || fail "no vocab_size in config.json"
# GPT-2 with 2 layers of width 32, 32 positions: 32 V + 32 x 32 + 2 x 12704 + 64 parameters
N=$((32 * V + 1024 + 2 * 12704 + 64))
fpt=$((6 * N + 6 * 2 * 32 * 32))
grep -q "\"flops_per_token\": $fpt, \"flops\": $((fpt * 128))}" "$tmp/steps/train_log.jsonl" ||
    fail "want flops_per_token $fpt (N $N) and 1 x 128 tokens' FLOPs: $(head -n 1 "$tmp/steps/train_log.jsonl")"
budget=$((fpt * 128 * 15 / 2)) # 7.5 steps of 4 x 32 tokens
"$ATTN" train $common --budget-flops "$budget" --out "$tmp/budget"
[ "$(wc -l < "$tmp/budget/train_log.jsonl")" -eq 7 ] || fail "want 7 steps from the budget"
tail -n 1 "$tmp/budget/train_log.jsonl" | grep -q "\"step\": 7, .*\"flops\": $((fpt * 128 * 7))}" || fail "last line"
. tests/e2e/lib/strip_timing.sh
strip "$tmp/steps/train_log.jsonl" > "$tmp/a.log"
strip "$tmp/budget/train_log.jsonl" > "$tmp/b.log"
diff "$tmp/a.log" "$tmp/b.log" >/dev/null || fail "the budget's run differs from --steps 7: $(diff "$tmp/a.log" "$tmp/b.log")"
# one-cycle to zero over the budget (Cramming's): lr falls by lr/7 a step, 1/7 of the peak at step 7
"$ATTN" train $common --budget-flops "$budget" --schedule one-cycle --min-lr 0 --out "$tmp/cycle"
awk -F'"lr": ' 'NR == 1 { split($2, a, ","); first = a[1] } END { split($2, a, ","); r = a[1] / first
    if (NR != 7 || r < 1 / 7 - 1e-6 || r > 1 / 7 + 1e-6) { print "one-cycle: " NR " steps, last/first lr " r; exit 1 } }' \
    "$tmp/cycle/train_log.jsonl" || fail "one-cycle schedule"
set +e
"$ATTN" train $common --budget-flops "$budget" --steps 7 --out "$tmp/x" 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "^attn train: error: --budget-flops sets the number of steps: give it or --steps, not both" "$tmp/err" ||
    fail "--steps and --budget-flops: exit $rc $(cat "$tmp/err")"
"$ATTN" train $common --budget-flops 1000 --out "$tmp/y" 2> "$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q "^attn train: error: a budget of 1000 FLOPs is less than one step" "$tmp/err" ||
    fail "tiny budget: exit $rc $(cat "$tmp/err")"
"$ATTN" train $common --budget-flops 1e12 --objective mlm --out "$tmp/z" 2> "$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q "causal-LM runs on token shards only" "$tmp/err" || fail "mlm budget: exit $rc $(cat "$tmp/err")"
set -e
echo "budget.sh: ok"
