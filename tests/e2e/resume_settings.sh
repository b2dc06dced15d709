#!/bin/sh
# What --resume does with each class of the training settings table
# (src/train/settings.c):
#   - refused: a changed --weight-decay exits 1 with one error line naming
#     the option and both values, and leaves the checkpoint as it was;
#   - warned: a changed --precision resumes with a warning naming both;
#   - allowed: a larger --steps resumes to the new end;
#   - not a setting: --recompute trains the same model and may be switched;
#   - --optimizer muon resumes bit for bit and refuses another optimizer;
# and a checkpoint written before the table (tests/data/resume_before_table:
# 1 layer, width 8, inverse-sqrt, warmup 5, stopped at step 10 of 20 on the
# first 4000 bytes of Emma) still resumes like a run that never stopped,
# taking its warmup from the checkpoint.
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "resume_settings.sh: FAIL: $*" >&2; exit 1; }
run_status() { # COMMAND...: exit status in $rc, stderr in $tmp/err
    set +e
    "$@" 2>"$tmp/err"
    rc=$?
    set -e
}
. tests/e2e/lib/strip_timing.sh

head -c 4000 data/austen/emma.txt > "$tmp/a.txt"
"$ATTN" prepare -t char -o "$tmp/data" "$tmp/a.txt" >/dev/null
common="--data $tmp/data --layers 1 --heads 2 --width 8 --context 16 --batch 2 --steps 20 --schedule inverse-sqrt --eval-every 5 --eval-batches 1 --quiet"

# ---- a checkpoint of the version before the table (trained with --warmup 5;
# a resume without --warmup takes the checkpoint's). Its first 10 steps were
# computed by the build that wrote it, so the comparison with a run of this
# build is within 1e-4 (builds with other compiler flags differ in the last
# bits); a continuation through a checkpoint of this version is exact.
"$ATTN" train $common --warmup 5 --out "$tmp/full"
cp -r tests/data/resume_before_table "$tmp/old"
chmod -R u+w "$tmp/old"
cp -r "$tmp/old" "$tmp/old2"
run_status "$ATTN" train $common --out "$tmp/old" --resume
[ "$rc" = 0 ] || fail "the old checkpoint does not resume (exit $rc): $(cat "$tmp/err")"
[ ! -s "$tmp/err" ] || fail "resuming the old checkpoint said: $(cat "$tmp/err")"
[ "$(wc -l < "$tmp/old/train_log.jsonl")" -eq 20 ] || fail "the resumed old checkpoint did not reach step 20"
head -n 10 "$tmp/old/train_log.jsonl" | cmp -s - tests/data/resume_before_table/train_log.jsonl || fail "the resume changed steps 1-10 of the log"
field() { sed -n "s/.*\"$1\": \([0-9.e+-]*\).*/\1/p" "$2"; }
field lr "$tmp/full/train_log.jsonl" > "$tmp/lr.full"
field lr "$tmp/old/train_log.jsonl" > "$tmp/lr.old"
cmp -s "$tmp/lr.full" "$tmp/lr.old" || fail "the resumed old checkpoint's schedule differs: $(diff "$tmp/lr.full" "$tmp/lr.old" | head -4)"
field loss "$tmp/full/train_log.jsonl" > "$tmp/loss.full"
field loss "$tmp/old/train_log.jsonl" > "$tmp/loss.old"
paste "$tmp/loss.full" "$tmp/loss.old" | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 1e-4 * $1) { print "step " NR ": " $1 " vs " $2; bad = 1 } } END { exit bad }' ||
    fail "the resumed old checkpoint's losses are not the uninterrupted run's"
"$ATTN" train $common --out "$tmp/old2" --resume --stop-at 15
"$ATTN" train $common --out "$tmp/old2" --resume
strip "$tmp/old/train_log.jsonl" > "$tmp/a.log"
strip "$tmp/old2/train_log.jsonl" > "$tmp/b.log"
diff "$tmp/a.log" "$tmp/b.log" >/dev/null || fail "continuing through a new checkpoint differs: $(diff "$tmp/a.log" "$tmp/b.log" | head -4)"
cmp -s "$tmp/old/model.safetensors" "$tmp/old2/model.safetensors" || fail "continuing through a new checkpoint: the weights differ"

# ---- refused: named, exit 1, the checkpoint untouched
"$ATTN" train $common --out "$tmp/r" --stop-at 10
cp "$tmp/r/trainer_state.safetensors" "$tmp/state.before"
run_status "$ATTN" train $common --out "$tmp/r" --resume --weight-decay 0.2
[ "$rc" = 1 ] || fail "--resume --weight-decay 0.2 exited $rc"
[ "$(wc -l < "$tmp/err")" = 1 ] || fail "the refusal is not one line: $(cat "$tmp/err")"
grep -q "^attn train: error: --resume needs the settings of the original run: $tmp/r was trained with --weight-decay 0.1, not 0.2 (or start a new run from its weights with --init $tmp/r and another --out)$" "$tmp/err" ||
    fail "refusal: $(cat "$tmp/err")"
cmp -s "$tmp/r/trainer_state.safetensors" "$tmp/state.before" || fail "the refused resume changed the checkpoint"
[ "$(wc -l < "$tmp/r/train_log.jsonl")" = 10 ] || fail "the refused resume changed the log"

# ---- warned: resumes in the other precision, saying so
run_status "$ATTN" train $common --out "$tmp/r" --resume --precision bf16 --stop-at 15
[ "$rc" = 0 ] || fail "--resume --precision bf16 exited $rc: $(cat "$tmp/err")"
grep -q "^attn train: warning: $tmp/r was trained with --precision fp32 and continues with --precision bf16" "$tmp/err" ||
    fail "no warning for the changed precision: $(cat "$tmp/err")"
[ "$(wc -l < "$tmp/r/train_log.jsonl")" = 15 ] || fail "the warned resume did not reach step 15"
# the checkpoint now records bf16: going on in bf16 is said nothing about
run_status "$ATTN" train $common --out "$tmp/r" --resume --precision bf16 --stop-at 16
[ "$rc" = 0 ] && [ ! -s "$tmp/err" ] || fail "a second bf16 resume: exit $rc, $(cat "$tmp/err")"

# ---- not a setting: --recompute (activation checkpointing) trains the same
# model bit for bit (with dropout), and a resume may switch it on or off
rcommon="--data $tmp/data --layers 2 --heads 2 --width 8 --context 16 --batch 2 --steps 12 --dropout 0.1 --eval-every 6 --eval-batches 1 --quiet"
"$ATTN" train $rcommon --out "$tmp/plain"
"$ATTN" train $rcommon --out "$tmp/rc" --recompute --stop-at 6
run_status "$ATTN" train $rcommon --out "$tmp/rc" --resume
[ "$rc" = 0 ] && [ ! -s "$tmp/err" ] || fail "resuming a --recompute run without it: exit $rc, $(cat "$tmp/err")"
strip "$tmp/plain/train_log.jsonl" > "$tmp/a.log"
strip "$tmp/rc/train_log.jsonl" > "$tmp/b.log"
diff "$tmp/a.log" "$tmp/b.log" >/dev/null || fail "--recompute changed the log: $(diff "$tmp/a.log" "$tmp/b.log" | head -4)"
cmp -s "$tmp/plain/model.safetensors" "$tmp/rc/model.safetensors" || fail "--recompute changed the weights"

# ---- --optimizer muon: its run stops and resumes bit for bit (the momentum
# lives in the first moment's place), learns (the final validation loss
# below the first), differs from AdamW's, and a resume may not change the
# optimizer or --muon-lr
"$ATTN" train $rcommon --out "$tmp/muon" --optimizer muon --muon-lr 0.05
"$ATTN" train $rcommon --out "$tmp/mu2" --optimizer muon --muon-lr 0.05 --stop-at 6
"$ATTN" train $rcommon --out "$tmp/mu2" --optimizer muon --muon-lr 0.05 --resume
strip "$tmp/muon/train_log.jsonl" > "$tmp/a.log"
strip "$tmp/mu2/train_log.jsonl" > "$tmp/b.log"
diff "$tmp/a.log" "$tmp/b.log" >/dev/null || fail "a resumed Muon run's log differs: $(diff "$tmp/a.log" "$tmp/b.log" | head -4)"
cmp -s "$tmp/muon/model.safetensors" "$tmp/mu2/model.safetensors" || fail "a resumed Muon run's weights differ"
! cmp -s "$tmp/muon/model.safetensors" "$tmp/plain/model.safetensors" || fail "--optimizer muon trained AdamW's model"
first=$(grep -o '"val_loss": [0-9.]*' "$tmp/muon/train_log.jsonl" | head -n 1 | cut -d' ' -f2)
last=$(grep -o '"val_loss": [0-9.]*' "$tmp/muon/train_log.jsonl" | tail -n 1 | cut -d' ' -f2)
awk -v a="$first" -v b="$last" 'BEGIN { exit !(b < a) }' || fail "Muon's validation loss did not fall ($first -> $last)"
for change in "--optimizer adamw:--optimizer" "--optimizer muon --muon-lr 0.02:--muon-lr"; do
    run_status "$ATTN" train $rcommon --out "$tmp/mu2" ${change%%:*} --resume --steps 14
    [ "$rc" = 1 ] && [ "$(wc -l < "$tmp/err")" = 1 ] && grep -q -- "${change#*:}" "$tmp/err" ||
        fail "a Muon resume with ${change%%:*}: exit $rc, $(cat "$tmp/err")"
done
cmp -s "$tmp/muon/model.safetensors" "$tmp/mu2/model.safetensors" || fail "a refused resume changed the model"

# ---- allowed: a larger step budget
run_status "$ATTN" train $common --out "$tmp/r" --resume --precision bf16 --steps 24
[ "$rc" = 0 ] && [ ! -s "$tmp/err" ] || fail "--resume --steps 24: exit $rc, $(cat "$tmp/err")"
[ "$(wc -l < "$tmp/r/train_log.jsonl")" = 24 ] || fail "--resume --steps 24 did not reach step 24"
echo ok
