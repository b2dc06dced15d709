#!/bin/sh
# What guards a training run and its output directory:
#   - a second attn train on an OUT in use fails at once, naming the first's pid;
#   - SIGTERM / SIGINT: the step finishes, a checkpoint is written, the exit
#     status is 143 / 130 with a message saying how to resume, and the resumed
#     run equals the uninterrupted one bit for bit; a second signal ends the
#     process at once;
#   - a new run into an OUT that holds a model is refused unless --resume or
#     --overwrite;
#   - --resume may raise --steps (the schedule keeps its length: the added
#     steps run at --min-lr), and a changed setting is refused naming it;
#   - attn score reports progress on a long text; the recipes show progress
#     and keep their models out of build/.
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "train_guard.sh: FAIL: $*" >&2; exit 1; }
run_status() { # COMMAND...: exit status in $rc, stderr in $tmp/err
    set +e
    "$@" 2>"$tmp/err"
    rc=$?
    set -e
}
wait_lines() { # FILE N: until FILE has N lines (at most 60 s)
    i=0
    while [ "$(cat "$1" 2>/dev/null | wc -l)" -lt "$2" ]; do
        i=$((i + 1))
        [ "$i" -lt 600 ] || fail "$1 never reached $2 lines"
        sleep 0.1
    done
}
. tests/e2e/lib/strip_timing.sh

head -c 60000 data/austen/persuasion.txt > "$tmp/a.txt"
"$ATTN" prepare -t char -o "$tmp/data" "$tmp/a.txt" >/dev/null
small="--data $tmp/data --layers 1 --heads 2 --width 32 --context 32 --batch 4 --eval-every 10 --eval-batches 2 --threads 1"

# ---- a width that the heads do not divide: said in the options' terms, not config.json's
for obj in clm mlm; do
    run_status "$ATTN" train $small --objective $obj --width 30 --heads 4 --steps 1 --out "$tmp/w" --quiet
    [ "$rc" = 1 ] || fail "--width 30 --heads 4 ($obj): exit $rc"
    grep -qx "attn train: error: a new model's width (30) must be a positive multiple of its number of attention heads (4)" \
        "$tmp/err" || fail "--width 30 --heads 4 ($obj): $(cat "$tmp/err")"
done

# ---- a second run on a busy OUT; SIGTERM ends the first with a checkpoint
"$ATTN" train $small --steps 1000000 --out "$tmp/busy" --quiet 2>"$tmp/busy.err" &
p1=$!
pids="$pids $p1"
wait_lines "$tmp/busy/train_log.jsonl" 3
run_status "$ATTN" train $small --steps 10 --out "$tmp/busy" --overwrite --quiet
[ "$rc" = 1 ] || fail "a second run on a busy OUT exited $rc"
grep -q "^attn train: error: $tmp/busy is in use by another attn train (pid $p1)" "$tmp/err" ||
    fail "busy OUT: $(cat "$tmp/err")"
run_status "$ATTN" train $small --steps 1000000 --out "$tmp/busy" --resume --quiet
grep -q "in use by another attn train (pid $p1)" "$tmp/err" || fail "busy OUT, --resume: $(cat "$tmp/err")"
kill -TERM "$p1"
set +e
wait "$p1"
rc=$?
set -e
[ "$rc" = 143 ] || fail "SIGTERM: exit $rc, not 143: $(cat "$tmp/busy.err")"
grep -q "interrupted (SIGTERM) after step [0-9]*; the checkpoint in $tmp/busy is complete.*--resume" "$tmp/busy.err" ||
    fail "SIGTERM message: $(cat "$tmp/busy.err")"
[ -f "$tmp/busy/trainer_state.safetensors" ] || fail "SIGTERM: no checkpoint written"
s=$(tail -n 1 "$tmp/busy/train_log.jsonl" | sed 's/{"step": \([0-9]*\),.*/\1/')
grep -q "after step $s;" "$tmp/busy.err" || fail "SIGTERM: the message names another step than the log's last ($s)"
# resumed a few steps further: the same as a run never interrupted
"$ATTN" train $small --steps 1000000 --out "$tmp/busy" --resume --stop-at $((s + 4)) --quiet
"$ATTN" train $small --steps 1000000 --out "$tmp/whole" --stop-at $((s + 4)) --quiet
strip "$tmp/busy/train_log.jsonl" > "$tmp/a.log"
strip "$tmp/whole/train_log.jsonl" > "$tmp/b.log"
diff "$tmp/a.log" "$tmp/b.log" >/dev/null || fail "after SIGTERM and --resume the losses differ"
cmp -s "$tmp/busy/model.safetensors" "$tmp/whole/model.safetensors" || fail "after SIGTERM and --resume the weights differ"

# ---- SIGINT: exit 130, a checkpoint at the last step
"$ATTN" train $small --steps 1000000 --out "$tmp/int" 2>"$tmp/int.err" &
p2=$!
pids="$pids $p2"
wait_lines "$tmp/int/train_log.jsonl" 3
kill -INT "$p2"
set +e
wait "$p2"
rc=$?
set -e
[ "$rc" = 130 ] || fail "SIGINT: exit $rc, not 130"
grep -q "interrupted (SIGINT).*--resume" "$tmp/int.err" || fail "SIGINT message: $(tail -n 2 "$tmp/int.err")"
s=$(tail -n 1 "$tmp/int/train_log.jsonl" | sed 's/{"step": \([0-9]*\),.*/\1/')
"$ATTN" train $small --steps 1000000 --out "$tmp/int" --resume --stop-at "$s" --quiet 2>"$tmp/err" ||
    fail "resume after SIGINT: $(cat "$tmp/err")"
[ "$(wc -l < "$tmp/int/train_log.jsonl")" = "$s" ] || fail "SIGINT: the checkpoint is not at the last logged step $s"

# ---- a signal after the last step's stop check (while its checkpoint is written, or
# later): the run is complete, so exit 0, not 130/143 with advice to resume. The
# testing hooks ATTN_FAULT_KILL_AT=k + ATTN_FAULT_SIGNAL=15 send SIGTERM at the k-th
# write event; with --steps 2 and no --checkpoint-every every write event is part
# of the final checkpoint.
for k in 1 4 9; do
    rm -rf "$tmp/late"
    run_status env ATTN_FAULT_KILL_AT=$k ATTN_FAULT_SIGNAL=15 "$ATTN" train $small --steps 2 --out "$tmp/late" --quiet
    [ "$rc" = 0 ] || fail "SIGTERM at write $k of the final checkpoint: exit $rc, not 0: $(cat "$tmp/err")"
    grep -q "SIGTERM received after the last step; the run is complete" "$tmp/err" ||
        fail "SIGTERM during the final checkpoint: $(cat "$tmp/err")"
    if grep -q -- "--resume" "$tmp/err"; then fail "a complete run suggests --resume: $(cat "$tmp/err")"; fi
    [ "$(wc -l < "$tmp/late/train_log.jsonl")" = 2 ] || fail "SIGTERM at write $k: the run did not reach step 2"
done
# the same signal during an earlier checkpoint still stops the run after its next step
rm -rf "$tmp/late"
run_status env ATTN_FAULT_KILL_AT=2 ATTN_FAULT_SIGNAL=15 "$ATTN" train $small --steps 5 --checkpoint-every 1 \
    --out "$tmp/late" --quiet
[ "$rc" = 143 ] || fail "SIGTERM during the checkpoint of step 1 of 5: exit $rc, not 143: $(cat "$tmp/err")"
grep -q "interrupted (SIGTERM) after step 2;.*--resume" "$tmp/err" || fail "SIGTERM at step 1 of 5: $(cat "$tmp/err")"

# ---- a second signal ends the run at once (a model whose step takes about a second)
big="--data $tmp/data --layers 4 --heads 4 --width 256 --context 128 --batch 16 --steps 100 --eval-every 0 --threads 2"
"$ATTN" train $big --out "$tmp/twice" 2>"$tmp/twice.err" &
p3=$!
pids="$pids $p3"
wait_lines "$tmp/twice/train_log.jsonl" 1
kill -INT "$p3"
sleep 0.2
kill -INT "$p3" 2>/dev/null || true
set +e
wait "$p3"
rc=$?
set -e
[ "$rc" = 130 ] || fail "two SIGINTs: exit $rc, not 130"
grep -q "stopping after this step with a checkpoint" "$tmp/twice.err" || fail "two SIGINTs: no notice of the first"
if grep -q "interrupted (SIGINT)" "$tmp/twice.err"; then fail "two SIGINTs: the run went on to its checkpoint"; fi

# ---- a finished model is not overwritten by accident
"$ATTN" train $small --steps 12 --out "$tmp/m" --quiet
cp "$tmp/m/model.safetensors" "$tmp/m.before"
run_status "$ATTN" train $small --steps 12 --seed 2 --out "$tmp/m" --quiet
[ "$rc" = 1 ] || fail "a new run over a finished model exited $rc"
grep -q "^attn train: error: $tmp/m already holds a model.*--resume.*--overwrite" "$tmp/err" || fail "overwrite: $(cat "$tmp/err")"
cmp -s "$tmp/m/model.safetensors" "$tmp/m.before" || fail "the refused run changed the model"
mkdir "$tmp/hf" && cp "$tmp/m/config.json" "$tmp/m/model.safetensors" "$tmp/hf/"   # a model from elsewhere
run_status "$ATTN" train $small --steps 12 --out "$tmp/hf" --quiet
[ "$rc" = 1 ] || fail "a new run over a model directory without trainer state exited $rc"
"$ATTN" train $small --steps 12 --seed 2 --out "$tmp/m" --overwrite --quiet
cmp -s "$tmp/m/model.safetensors" "$tmp/m.before" && fail "--overwrite did not replace the model"
[ "$(wc -l < "$tmp/m/train_log.jsonl")" = 12 ] || fail "--overwrite: the log is not the new run's"

# ---- --resume with more steps; a changed setting is named
"$ATTN" train $small --steps 20 --out "$tmp/g" --quiet
strip "$tmp/g/train_log.jsonl" > "$tmp/g20.log"
"$ATTN" train $small --steps 30 --out "$tmp/g" --resume --quiet 2>"$tmp/err" || fail "--resume --steps 30: $(cat "$tmp/err")"
[ "$(wc -l < "$tmp/g/train_log.jsonl")" = 30 ] || fail "--resume --steps 30 did not reach step 30"
head -n 20 "$tmp/g/train_log.jsonl" | strip /dev/stdin | diff "$tmp/g20.log" - >/dev/null || fail "--steps 30 changed steps 1-20"
min_lr=0.000100000005 # --min-lr: lr / 10 as a float, as the log prints it
n=$(sed -n '21,30s/.*"lr": \([0-9.e+-]*\),.*/\1/p' "$tmp/g/train_log.jsonl" | grep -c -x "$min_lr" || true)
[ "$n" = 10 ] || fail "the added steps do not all run at the final learning rate $min_lr"
run_status "$ATTN" train $small --steps 30 --out "$tmp/g" --resume --lr 0.5 --quiet
[ "$rc" = 1 ] || fail "--resume --lr 0.5 exited $rc"
grep -q -- "was trained with --lr 0.001, not 0.5 .*--init $tmp/g" "$tmp/err" || fail "changed --lr: $(cat "$tmp/err")"
run_status "$ATTN" train $small --steps 30 --out "$tmp/g" --resume --batch 8 --quiet
grep -q -- "was trained with --batch 4, not 8 " "$tmp/err" || fail "changed --batch: $(cat "$tmp/err")"
run_status "$ATTN" train $small --steps 25 --out "$tmp/g" --resume --quiet
grep -q -- "already at step 30, past --steps 25" "$tmp/err" || fail "--steps behind the checkpoint: $(cat "$tmp/err")"

# ---- attn score on a long text reports its progress (ATTN_PROGRESS_INTERVAL_MS=0: after every piece)
"$ATTN" score -m "$tmp/g" "$tmp/a.txt" --quiet > "$tmp/quiet.out" 2>"$tmp/err"
[ ! -s "$tmp/err" ] || fail "score --quiet wrote to stderr: $(cat "$tmp/err")"
ATTN_PROGRESS_INTERVAL_MS=0 "$ATTN" score -m "$tmp/g" "$tmp/a.txt" > "$tmp/progress.out" 2>"$tmp/err"
grep -q "^scored [0-9]* of 60000 tokens ([0-9]*%)" "$tmp/err" || fail "score shows no progress: $(cat "$tmp/err")"
cmp -s "$tmp/quiet.out" "$tmp/progress.out" || fail "score's result depends on its progress reports"

# ---- recipes: progress shown, models under runs/ (make clean deletes build/)
if grep -n -- '--quiet' recipes/*.sh; then fail "a recipe silences attn's progress"; fi
if grep -n 'build/' recipes/*.sh; then fail "a recipe writes under build/"; fi
grep -q 'OUT=${OUT:-runs/austen-char}' recipes/austen_demo.sh || fail "the demo no longer writes runs/austen-char"
if grep -n 'runs/model\b' README.md; then fail "README examples use runs/model, which the demo does not write"; fi
echo ok
