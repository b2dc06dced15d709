#!/bin/sh
# attn train --precision bf16: a run stopped at step 4 and resumed gives the
# uninterrupted bf16 run's losses and final weights exactly (checkpoints are
# fp32; the bf16 copies are remade from them); a bf16 checkpoint resumes in
# fp32 too; its losses stay close to the fp32 run's; attn generate
# --precision bf16 decodes; a bad --precision value is refused.
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 40000 data/austen/emma.txt > "$tmp/a.txt"
"$ATTN" prepare -t char -o "$tmp/data" "$tmp/a.txt" >/dev/null
common="--data $tmp/data --layers 2 --heads 2 --width 32 --context 32 --batch 4 --steps 8 --eval-every 4 --eval-batches 2 --quiet"
"$ATTN" train $common --out "$tmp/full" --precision bf16
"$ATTN" train $common --out "$tmp/part" --precision bf16 --stop-at 4
"$ATTN" train $common --out "$tmp/part" --precision bf16 --resume
. tests/e2e/lib/strip_timing.sh
strip "$tmp/full/train_log.jsonl" > "$tmp/a.log"
strip "$tmp/part/train_log.jsonl" > "$tmp/b.log"
[ "$(wc -l < "$tmp/a.log")" -eq 8 ] || { echo "expected 8 log lines"; exit 1; }
diff "$tmp/a.log" "$tmp/b.log" || { echo "resumed bf16 losses differ from the uninterrupted run"; exit 1; }
cmp "$tmp/full/model.safetensors" "$tmp/part/model.safetensors" || { echo "resumed bf16 weights differ"; exit 1; }
# the checkpoint is plain fp32: a bf16 run continues in fp32
"$ATTN" train $common --out "$tmp/mix" --precision bf16 --stop-at 4
"$ATTN" train $common --out "$tmp/mix" --precision fp32 --resume
[ "$(wc -l < "$tmp/mix/train_log.jsonl")" -eq 8 ] || { echo "bf16 -> fp32 resume should reach step 8"; exit 1; }
"$ATTN" train --data "$tmp/data" --layers 2 --heads 2 --width 32 --context 32 --batch 4 --steps 8 --eval-every 4 \
    --eval-batches 2 --quiet --out "$tmp/fp32"
# last losses of the fp32 and bf16 runs within 2% of each other
lf=$(tail -n 1 "$tmp/fp32/train_log.jsonl" | sed 's/.*"loss": \([0-9.e+-]*\).*/\1/')
lb=$(tail -n 1 "$tmp/full/train_log.jsonl" | sed 's/.*"loss": \([0-9.e+-]*\).*/\1/')
awk -v a="$lf" -v b="$lb" 'BEGIN { if (a + 0 <= 0 || b + 0 <= 0) { print "no losses: " a ", " b; exit 1 }; d = (a - b) / a; if (d < 0) d = -d; if (d > 0.02) { print "fp32 " a " vs bf16 " b; exit 1 } }'
out=$("$ATTN" generate -m "$tmp/full" --precision bf16 -n 8 --temperature 0 --print-ids --ids "5 6 7")
[ -n "$out" ] || { echo "bf16 generate printed nothing"; exit 1; }
if "$ATTN" generate -m "$tmp/full" --precision fp16 -n 2 2>"$tmp/err"; then echo "--precision fp16 accepted"; exit 1; fi
grep -q "precision" "$tmp/err" || { cat "$tmp/err"; exit 1; }
echo ok
