#!/bin/sh
# A run stopped at step 6 and resumed gives the uninterrupted run's losses
# step for step and the same final weights, byte for byte; an interrupted
# checkpoint write (a stale .tmp file) does not disturb the resume.
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 60000 data/austen/persuasion.txt > "$tmp/a.txt"
"$ATTN" prepare -t char -o "$tmp/data" "$tmp/a.txt" >/dev/null
common="--data $tmp/data --layers 2 --heads 2 --width 32 --context 32 --batch 4 --steps 12 --eval-every 4 --eval-batches 2 --dropout 0.1 --quiet"
"$ATTN" train $common --out "$tmp/full"
"$ATTN" train $common --out "$tmp/part" --stop-at 6
[ "$(wc -l < "$tmp/part/train_log.jsonl")" -eq 6 ] || { echo "stop-at 6 should log 6 steps"; exit 1; }
echo "garbage from a crash" > "$tmp/part/trainer_state.safetensors.tmp"
"$ATTN" train $common --out "$tmp/part" --resume
# compare everything but the timing field
. tests/e2e/lib/strip_timing.sh
strip "$tmp/full/train_log.jsonl" > "$tmp/a.log"
strip "$tmp/part/train_log.jsonl" > "$tmp/b.log"
[ "$(wc -l < "$tmp/a.log")" -eq 12 ] || { echo "expected 12 log lines"; exit 1; }
diff "$tmp/a.log" "$tmp/b.log" || { echo "resumed losses differ from the uninterrupted run"; exit 1; }
cmp "$tmp/full/model.safetensors" "$tmp/part/model.safetensors" || { echo "resumed weights differ"; exit 1; }
# resuming with different settings is refused
if "$ATTN" train $common --out "$tmp/part" --resume --lr 0.5 2>"$tmp/err"; then echo "changed settings accepted"; exit 1; fi
grep -q "settings" "$tmp/err" || { cat "$tmp/err"; exit 1; }
echo ok
