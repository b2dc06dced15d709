#!/bin/sh
# Crash safety of attn train: a short run (a tiny GPT on a slice of
# data/austen, a checkpoint every 5 steps) killed with SIGKILL again and
# again and resumed each time ends bit-identical to the run that was never
# interrupted (the logged losses, model.safetensors, the trainer state);
# so does a run that meets a full disk, which must fail with a clear error
# and leave its last checkpoint intact and resumable.
#   1. SIGKILL at every write of the first checkpoint (every third under
#      ATTN_QUICK, as in the sanitizer run of make asan; the testing hook
#      ATTN_FAULT_KILL_AT=k of src/core/file.c kills the process at its k-th
#      write-path event: temporary file created, each write, before and after
#      each rename), then --resume up to that checkpoint;
#   2. SIGKILL at random write events of the whole run, resumed after each;
#   3. SIGKILL after random delays, resumed after each;
#   4. a full disk simulated by ATTN_FAULT_ENOSPC_AFTER=n (writes fail with
#      ENOSPC after n bytes) at several points, then resumed with space;
#   5. where this user may mount one (root), a real small tmpfs that fills
#      up, then is enlarged (remount) and the run resumed.
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
mnt=""
cleanup() {
    if [ -n "$mnt" ]; then umount "$mnt" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "crash_safety.sh: FAIL: $*" >&2; exit 1; }

head -c 60000 data/austen/persuasion.txt > "$tmp/a.txt"
"$ATTN" prepare -t char -o "$tmp/data" "$tmp/a.txt" >/dev/null
common="--data $tmp/data --layers 1 --heads 2 --width 32 --context 32 --batch 4 --steps 60 --checkpoint-every 5
    --eval-every 10 --eval-batches 2 --dropout 0.1 --threads 2 --quiet"
"$ATTN" train $common --out "$tmp/ref"
"$ATTN" train $common --out "$tmp/ref5" --stop-at 5
. tests/e2e/lib/strip_timing.sh
strip "$tmp/ref/train_log.jsonl" > "$tmp/ref.log"
strip "$tmp/ref5/train_log.jsonl" > "$tmp/ref5.log"

# same_as REF DIR WHAT: DIR's losses, model files and trainer state equal REF's; no temporary file left
same_as() {
    strip "$2/train_log.jsonl" > "$tmp/got.log"
    diff "$tmp/$1.log" "$tmp/got.log" >/dev/null || fail "$3: the losses differ from the uninterrupted run"
    for f in model.safetensors config.json tokenizer.json trainer_state.safetensors; do
        cmp -s "$tmp/$1/$f" "$2/$f" || fail "$3: $f differs from the uninterrupted run's"
    done
    if ls -a "$2" | grep -q '\.tmp$'; then fail "$3: temporary files left: $(ls "$2")"; fi
}
# run_status COMMAND...: runs it, its exit status in $rc and its stderr in $tmp/err
run_status() {
    set +e
    "$@" 2>"$tmp/err"
    rc=$?
    set -e
}

# 1. every write event of the first checkpoint
k=1
stride=1
if [ -n "${ATTN_QUICK:-}" ]; then stride=3; fi
while :; do
    rm -rf "$tmp/k"
    run_status env ATTN_FAULT_KILL_AT=$k "$ATTN" train $common --out "$tmp/k" --stop-at 5
    if [ "$rc" = 0 ]; then break; fi
    [ "$rc" = 137 ] || fail "kill at write $k: exit $rc, not 137 (SIGKILL): $(cat "$tmp/err")"
    run_status "$ATTN" train $common --out "$tmp/k" --stop-at 5 --resume
    [ "$rc" = 0 ] || fail "resume after a kill at write $k of the first checkpoint: $(cat "$tmp/err")"
    same_as ref5 "$tmp/k" "kill at write $k of the first checkpoint"
    k=$((k + stride))
done
[ "$k" -gt 20 ] || fail "the first checkpoint took only $((k - 1)) write events"
same_as ref5 "$tmp/k" "the hook set past the last write"
first_writes=$k

# 2. random write events over the whole run (12 checkpoints): 10 kills, resumed after each
rm -rf "$tmp/r"
resume=""
n=0
for k in $(awk -v m=$((3 * first_writes)) 'BEGIN { srand(15); for (i = 0; i < 10; i++) print 1 + int(rand() * m) }'); do
    run_status env ATTN_FAULT_KILL_AT=$k "$ATTN" train $common --out "$tmp/r" $resume
    [ "$rc" = 137 ] || [ "$rc" = 0 ] || fail "random kill at write $k: exit $rc: $(cat "$tmp/err")"
    [ "$rc" = 137 ] && n=$((n + 1))
    resume=--resume
done
[ "$n" -ge 5 ] || fail "only $n of 10 runs were killed"
"$ATTN" train $common --out "$tmp/r" --resume
same_as ref "$tmp/r" "$n kills at random writes"

# 3. SIGKILL after random delays (the whole run takes about a second)
rm -rf "$tmp/d"
resume=""
for delay in $(awk 'BEGIN { srand(7); for (i = 0; i < 8; i++) printf "%.3f\n", 0.02 + rand() * 0.25 }'); do
    "$ATTN" train $common --out "$tmp/d" $resume 2>/dev/null &
    pid=$!
    sleep "$delay"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    # once a run has locked OUT, --resume continues it (or starts it over if it had no checkpoint)
    if [ -f "$tmp/d/.attn-train.lock" ]; then resume=--resume; fi
done
"$ATTN" train $common --out "$tmp/d" ${resume:-}
same_as ref "$tmp/d" "kills after random delays"

# 4. a full disk (simulated): the run fails naming the file, the last checkpoint stays resumable
state_bytes=$(wc -c < "$tmp/ref/trainer_state.safetensors")
for budget in 1000 $((state_bytes / 2)) $((3 * state_bytes / 2)) $((5 * state_bytes / 2 + 70000)); do
    rm -rf "$tmp/f"
    run_status env ATTN_FAULT_ENOSPC_AFTER=$budget "$ATTN" train $common --out "$tmp/f"
    [ "$rc" = 1 ] || fail "full disk after $budget bytes: exit $rc, not 1"
    grep -q "^attn train: error: .*$tmp/f/.*No space left on device" "$tmp/err" ||
        fail "full disk after $budget bytes: unclear error: $(cat "$tmp/err")"
    if ls -a "$tmp/f" | grep -q '\.tmp$'; then fail "full disk after $budget bytes: temporary files left"; fi
    if [ -f "$tmp/f/trainer_state.safetensors" ]; then
        grep -q "the checkpoint of step [0-9]* in $tmp/f is intact" "$tmp/err" ||
            fail "full disk after $budget bytes: the error does not name the intact checkpoint: $(cat "$tmp/err")"
        # the last complete checkpoint loads as a model and resumes
        "$ATTN" generate -m "$tmp/f" -n 5 --seed 1 >/dev/null || fail "full disk after $budget bytes: the checkpoint is damaged"
    fi
    "$ATTN" train $common --out "$tmp/f" --resume
    same_as ref "$tmp/f" "full disk after $budget bytes, then resumed"
done

# 5. a real full disk: a 400 KB tmpfs holds one checkpoint (about 270 KB) but not the
# writing of the second; enlarged, the run resumes
mkdir -p "$tmp/mnt"
if mount -t tmpfs -o size=400k tmpfs "$tmp/mnt" 2>/dev/null; then
    mnt=$tmp/mnt
    run_status "$ATTN" train $common --out "$mnt/t"
    [ "$rc" = 1 ] || fail "tmpfs: exit $rc, not 1"
    grep -q "No space left on device" "$tmp/err" || fail "tmpfs: unclear error: $(cat "$tmp/err")"
    [ -f "$mnt/t/trainer_state.safetensors" ] || fail "tmpfs: the first checkpoint is missing"
    mount -o remount,size=8m "$mnt" || fail "tmpfs: cannot enlarge it"
    "$ATTN" train $common --out "$mnt/t" --resume
    same_as ref "$mnt/t" "tmpfs full, then enlarged and resumed"
    umount "$mnt"
    mnt=""
else
    echo "crash_safety.sh: note: cannot mount a tmpfs here; the full disk was only simulated" >&2
fi
echo ok
