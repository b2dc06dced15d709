#!/bin/sh
# attn train --objective grpo end to end on the built-in arithmetic task: a
# tiny character-level GPT pretrained for a few steps on sums samples
# groups of completions, logs the step's mean reward and the held-out
# greedy exact-match accuracy; a run stopped and resumed matches the
# uninterrupted one bit for bit (sampling is a function of the seed and the
# step), with and without the KL penalty (--kl: no effect at step 1, where
# the policy is its reference; the log's "kl" is ~0 there and grows
# after); bad settings get one error line, status 1.
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk 'BEGIN { for (i = 1; i <= 300; i++) { a = i % 50; b = (i * 7) % 50; print a "+" b "=" a + b } }' > "$tmp/sums.txt"
"$ATTN" prepare -o "$tmp/data" "$tmp/sums.txt" > /dev/null
"$ATTN" train --data "$tmp/data" --out "$tmp/lm" --layers 2 --heads 2 --width 32 --context 32 --steps 40 --batch 16 \
    --lr 3e-3 --threads 2 --quiet
g="--objective grpo --init $tmp/lm --data arith --batch 2 --group 4 --lr 3e-3 --threads 2 --quiet"
"$ATTN" train $g --steps 6 --eval-every 3 --out "$tmp/full"
[ "$(grep -c '"reward_mean"' "$tmp/full/train_log.jsonl")" -eq 6 ] || { echo "want a mean reward every step"; exit 1; }
[ "$(grep -c '"val_exact_match"' "$tmp/full/train_log.jsonl")" -eq 2 ] || { echo "want two evaluations"; exit 1; }
"$ATTN" train $g --steps 6 --eval-every 3 --out "$tmp/part" --stop-at 2
"$ATTN" train $g --steps 6 --eval-every 3 --out "$tmp/part" --resume
. tests/e2e/lib/strip_timing.sh
strip "$tmp/full/train_log.jsonl" > "$tmp/a.log"
strip "$tmp/part/train_log.jsonl" > "$tmp/b.log"
diff "$tmp/a.log" "$tmp/b.log" || { echo "resumed GRPO log differs"; exit 1; }
cmp "$tmp/full/model.safetensors" "$tmp/part/model.safetensors" || { echo "resumed GRPO weights differ"; exit 1; }
if "$ATTN" train $g --steps 7 --out "$tmp/part" --resume --group 8 2> "$tmp/err"; then echo "a changed --group was accepted"; exit 1; fi
grep -q -- "--group" "$tmp/err" || { cat "$tmp/err"; exit 1; }
# with the KL penalty: nothing at the first step (the policy is the
# reference), a different run after it, and a bit-exact resume
"$ATTN" train $g --kl 0.5 --steps 6 --eval-every 3 --out "$tmp/klfull"
a=$(head -n 1 "$tmp/full/train_log.jsonl" | grep -o '"loss": [-0-9.e]*' | cut -d' ' -f2)
b=$(head -n 1 "$tmp/klfull/train_log.jsonl" | grep -o '"loss": [-0-9.e]*' | cut -d' ' -f2)
awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; exit !(d < 1e-6 && d > -1e-6) }' || { echo "step 1 with --kl: $b, without: $a"; exit 1; }
cmp -s "$tmp/full/model.safetensors" "$tmp/klfull/model.safetensors" && { echo "--kl 0.5 changed nothing"; exit 1; }
# the log's KL from the reference: none without --kl, ~0 at step 1, > 0 once the policy moved
grep -q '"kl"' "$tmp/full/train_log.jsonl" && { echo "a KL logged without --kl"; exit 1; }
[ "$(grep -c '"kl": ' "$tmp/klfull/train_log.jsonl")" -eq 6 ] || { echo "want the KL every step with --kl"; exit 1; }
k1=$(sed -n 1p "$tmp/klfull/train_log.jsonl" | grep -o '"kl": [-0-9.e]*' | cut -d' ' -f2)
k6=$(sed -n 6p "$tmp/klfull/train_log.jsonl" | grep -o '"kl": [-0-9.e]*' | cut -d' ' -f2)
echo "  KL step 1 $k1, step 6 $k6"; awk -v a="$k1" -v b="$k6" 'BEGIN { exit !(a >= 0 && a < 1e-6 && b > 1e-5) }' || { echo "KL at step 1: $k1, at step 6: $k6"; exit 1; }
"$ATTN" train $g --kl 0.5 --steps 6 --eval-every 3 --out "$tmp/klpart" --stop-at 3
"$ATTN" train $g --kl 0.5 --steps 6 --eval-every 3 --out "$tmp/klpart" --resume
strip "$tmp/klfull/train_log.jsonl" > "$tmp/a.log"
strip "$tmp/klpart/train_log.jsonl" > "$tmp/b.log"
diff "$tmp/a.log" "$tmp/b.log" || { echo "resumed GRPO --kl log differs"; exit 1; }
cmp "$tmp/klfull/model.safetensors" "$tmp/klpart/model.safetensors" || { echo "resumed GRPO --kl weights differ"; exit 1; }

fail=0
. tests/e2e/lib/expect_error.sh # bad DESCRIPTION FRAGMENT COMMAND...
bad "no --init" "--init" "$ATTN" train --objective grpo --data arith --steps 1 --quiet --out "$tmp/bad1"
bad "another task" "--data arith" "$ATTN" train --objective grpo --init "$tmp/lm" --data "$tmp/sums.txt" --steps 1 --quiet \
    --out "$tmp/bad2"
bad "--kl on --resume without --init" "--kl compares" "$ATTN" train --objective grpo --data arith --kl 0.5 --steps 9 \
    --quiet --out "$tmp/klpart" --resume
bad "a group of one" "--group must be at least 2" "$ATTN" train --objective grpo --init "$tmp/lm" --data arith --group 1 \
    --steps 1 --quiet --out "$tmp/bad3"
[ "$fail" -eq 0 ] || exit 1
echo ok
