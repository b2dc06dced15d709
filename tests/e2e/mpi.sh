#!/bin/sh
# Data-parallel training under mpirun (include/attn/dist.h), on a tiny GPT
# with one thread per process:
#   - --deterministic-reduce: W = 2 and 3 processes with --accum a save the
#     model of one process with --accum W x a byte for byte (and log the same
#     losses), for masked LM and translation pairs too; so does a resume of
#     a W = 2 run stopped halfway, resumed with W = 2 or with W = 1 and
#     --accum 2 (and the reverse): the checkpoint's data position is in
#     global micro-batches; a resume that changes the global batch is refused;
#   - --zero 1 (ZeRO-1, the AdamW moments sharded) gives the same parameters
#     bit for bit and checkpoints the whole moments, which resume with or
#     without it and across W;
#   - without it a W = 2 run is the same run after run;
#   - rank 0 alone logs and reports;
#   - a rank that fails in the middle of a step (the testing hook
#     ATTN_FAULT_RANK=R:S[:kill]) ends every rank at once with a non-zero
#     status, its error printed; ranks whose states drift apart (:diverge)
#     are stopped at the next checkpoint before it is written;
#   - the other MPI's launcher (mpirun.openmpi for an MPICH build, and the
#     reverse), where installed, is refused by every process.
# It runs under the launcher of the MPI attn was built with (attn --version).
# A build without MPI (attn --version: "MPI: not built in") refuses a launch
# of several processes instead, and that is all this test checks there.
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "mpi.sh: FAIL: $*" >&2; exit 1; }
run_status() { # COMMAND...: exit status in $rc, stderr in $tmp/err
    set +e
    "$@" 2>"$tmp/err"
    rc=$?
    set -e
}
. tests/e2e/lib/strip_timing.sh
export OMP_NUM_THREADS=1
# under make asan: MPI_Init's own leaks are not ours (the suppressions name
# them through the whole stack, which needs the slow unwinder)
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$PWD/tests/e2e/mpi.lsan.supp:print_suppressions=0"
[ -z "${ASAN_OPTIONS:-}" ] || export ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"

head -c 60000 data/austen/persuasion.txt > "$tmp/a.txt"
"$ATTN" prepare -t char -o "$tmp/data" "$tmp/a.txt" >/dev/null
small="--data $tmp/data --layers 1 --heads 2 --width 32 --context 32 --batch 4 --steps 4 --eval-every 2 --eval-batches 2
       --dropout 0.1 --threads 1 --quiet"

if ! "$ATTN" --version | grep -q '^MPI: built in'; then
    # what mpirun would set: MPICH's PMI_SIZE, Open MPI's OMPI_COMM_WORLD_SIZE
    for var in PMI_SIZE OMPI_COMM_WORLD_SIZE; do
        run_status env $var=2 "$ATTN" train $small --out "$tmp/refused"
        [ "$rc" = 1 ] || fail "$var=2 in a build without MPI: exit $rc"
        grep -q "^attn train: error: this attn was built without MPI, and a launcher (mpirun) started it as one of 2 processes" \
            "$tmp/err" || fail "$var=2: $(cat "$tmp/err")"
        [ ! -e "$tmp/refused" ] || fail "$var=2: the refused run wrote $tmp/refused"
    done
    echo "mpi.sh: this attn is built without MPI: only its refusal of mpirun was checked (tools/setup.sh installs MPICH; then rebuild)"
    exit 0
fi
# the launcher of the MPI attn was built with (Debian names both beside the
# `mpirun` alternative), and the other MPI's, if installed
case "$("$ATTN" --version | sed -n 's/^MPI: built in (\([^;]*\);.*/\1/p')" in
"Open MPI") launcher=mpirun.openmpi other=mpirun.mpich ;;
*) launcher=mpirun.mpich other=mpirun.openmpi ;;
esac
command -v $launcher >/dev/null || launcher=mpirun
command -v $launcher >/dev/null || fail "attn is built with MPI but there is no mpirun"
launcher_cmd() { # LAUNCHER: the command line that runs it here
    if $1 --version 2>&1 | grep -q "Open MPI\|OpenRTE"; then # MPICH's runs as root and oversubscribes as it is
        printf '%s --oversubscribe%s' "$1" "$([ "$(id -u)" != 0 ] || echo " --allow-run-as-root")"
    else
        printf '%s' "$1"
    fi
}
MPIRUN=$(launcher_cmd $launcher)
mpi() { # W COMMAND...: under mpirun -n W, ended after 60 s at most
    w=$1
    shift
    timeout 60 $MPIRUN -n "$w" "$@"
}

# ---- deterministic mode: W processes x --accum a == 1 process x --accum W*a
for case in "2 1" "3 1" "2 2"; do
    set -- $case
    w=$1 a=$2
    "$ATTN" train $small --deterministic-reduce --accum $((w * a)) --out "$tmp/one_$w$a"
    mpi "$w" "$ATTN" train $small --deterministic-reduce --accum "$a" --out "$tmp/dist_$w$a" ||
        fail "mpirun -n $w --accum $a --deterministic-reduce failed"
    cmp "$tmp/one_$w$a/model.safetensors" "$tmp/dist_$w$a/model.safetensors" ||
        fail "--deterministic-reduce: $w processes x --accum $a differ from 1 x --accum $((w * a))"
    strip "$tmp/one_$w$a/train_log.jsonl" > "$tmp/a.log"
    strip "$tmp/dist_$w$a/train_log.jsonl" > "$tmp/b.log"
    [ "$(wc -l < "$tmp/b.log")" -eq 4 ] || fail "$w processes: the log has $(wc -l < "$tmp/b.log") lines, not 4 (rank 0's)"
    diff "$tmp/a.log" "$tmp/b.log" || fail "--deterministic-reduce: $w processes logged other losses than 1"
    # each step's seconds in communication, with several processes only
    [ "$(grep -c '"comm_s": [0-9]*\.[0-9]*,' "$tmp/dist_$w$a/train_log.jsonl")" -eq 4 ] ||
        fail "$w processes: not every step logs comm_s"
    ! grep -q comm_s "$tmp/one_$w$a/train_log.jsonl" || fail "one process logs comm_s"
done

# ---- every objective's batches split the same way: masked LM, and translation pairs
"$ATTN" prepare -t tests/data/minilm -o "$tmp/wp" "$tmp/a.txt" >/dev/null
printf 'el perro come pan\tthe dog eats bread\nla casa es grande\tthe house is big\nel nino lee\tthe child reads\n' >"$tmp/p.tsv"
cut -f1 "$tmp/p.tsv" >"$tmp/both.txt"
cut -f2 "$tmp/p.tsv" >>"$tmp/both.txt"
"$ATTN" tokenizer train --type bpe --vocab-size 300 --min-frequency 1 --special-tokens '<s>,<pad>,</s>,<unk>' \
    -o "$tmp/ptok" "$tmp/both.txt" >/dev/null
"$ATTN" prepare --pairs -t "$tmp/ptok" -o "$tmp/pairs" --val "$tmp/p.tsv" "$tmp/p.tsv" >/dev/null
mlm="--objective mlm --data $tmp/wp"
s2s="--data $tmp/pairs --batch-tokens 16"
for obj in mlm s2s; do
    eval "opts=\$$obj"
    args="$opts --layers 1 --heads 2 --width 32 --context 32 --batch 4 --steps 3 --eval-every 2 --eval-batches 1 --dropout 0.1
          --threads 1 --quiet --deterministic-reduce"
    "$ATTN" train $args --accum 2 --out "$tmp/one_$obj"
    mpi 2 "$ATTN" train $args --out "$tmp/dist_$obj" || fail "$obj: mpirun -n 2 failed"
    cmp "$tmp/one_$obj/model.safetensors" "$tmp/dist_$obj/model.safetensors" ||
        fail "--deterministic-reduce, $obj: 2 processes differ from 1 x --accum 2"
done
[ -s "$tmp/dist_s2s/translate.json" ] || fail "the 2-process translation run wrote no translate.json"

# ---- a W = 2 run stopped at step 2 and resumed with W = 2 gives the whole run's model
mpi 2 "$ATTN" train $small --deterministic-reduce --out "$tmp/part" --stop-at 2 || fail "mpirun -n 2 --stop-at 2 failed"
cp -r "$tmp/part" "$tmp/part1"
mpi 2 "$ATTN" train $small --deterministic-reduce --out "$tmp/part" --resume || fail "mpirun -n 2 --resume failed"
cmp "$tmp/dist_21/model.safetensors" "$tmp/part/model.safetensors" || fail "a resumed 2-process run differs"
# ... and so does its resume in 1 process with --accum 2 (the same global batch), and the reverse
"$ATTN" train $small --deterministic-reduce --accum 2 --out "$tmp/part1" --resume 2>"$tmp/err" ||
    fail "resuming a 2-process run in 1 process with --accum 2: $(cat "$tmp/err")"
[ ! -s "$tmp/err" ] || fail "resume 2 -> 1 process with --deterministic-reduce warned: $(cat "$tmp/err")"
cmp "$tmp/dist_21/model.safetensors" "$tmp/part1/model.safetensors" || fail "a 2-process run resumed in 1 process differs"
strip "$tmp/dist_21/train_log.jsonl" > "$tmp/a.log"
strip "$tmp/part1/train_log.jsonl" > "$tmp/b.log"
diff "$tmp/a.log" "$tmp/b.log" || fail "a 2-process run resumed in 1 process logged other losses"
"$ATTN" train $small --deterministic-reduce --accum 2 --out "$tmp/part2" --stop-at 2
mpi 2 "$ATTN" train $small --deterministic-reduce --out "$tmp/part2" --resume || fail "resume 1 -> 2 processes failed"
cmp "$tmp/one_21/model.safetensors" "$tmp/part2/model.safetensors" || fail "a 1-process run resumed in 2 processes differs"
# ... while a resume that changes the global batch is refused, saying which --accum keeps it
run_status "$ATTN" train $small --deterministic-reduce --out "$tmp/part" --resume --steps 6
[ "$rc" = 1 ] || fail "resuming a 2-process run in 1 process with --accum 1: exit $rc"
grep -q "was trained with 2 processes x --accum 1 = 2 micro-batches per step, and this run has 1 x --accum 1 = 1 (with 1 process give --accum 2;" \
    "$tmp/err" || fail "resume with another global batch: $(cat "$tmp/err")"
run_status mpi 3 "$ATTN" train $small --deterministic-reduce --out "$tmp/part" --resume --steps 6
[ "$rc" != 0 ] || fail "resuming a 2-process run in 3 processes: exit 0"
grep -q "(2 micro-batches do not split over 3 processes;" "$tmp/err" || fail "resume 2 -> 3 processes: $(cat "$tmp/err")"
# ... and without --deterministic-reduce another number of processes is warned of
"$ATTN" train $small --accum 2 --out "$tmp/part3" --stop-at 2
mpi 2 "$ATTN" train $small --out "$tmp/part3" --resume 2>"$tmp/err" || fail "resume 1 -> 2 processes: $(cat "$tmp/err")"
grep -q "^attn train: warning: .* was trained with 1 process and continues with 2: without --deterministic-reduce" "$tmp/err" ||
    fail "resume 1 -> 2 processes without --deterministic-reduce: no warning: $(cat "$tmp/err")"

# ---- ZeRO-1 (--zero 1): the moments sharded over the ranks, the same parameters bit for bit.
# ATTN_NORM_BLOCK=100 (a testing hook: the gradient norm's block) lets the shards cut this tiny model's tensors.
for w in 2 3; do
    ATTN_NORM_BLOCK=100 "$ATTN" train $small --deterministic-reduce --accum "$w" --out "$tmp/zone_$w"
    ATTN_NORM_BLOCK=100 mpi "$w" "$ATTN" train $small --deterministic-reduce --zero 1 --out "$tmp/zero_$w" ||
        fail "mpirun -n $w --zero 1 failed"
    cmp "$tmp/zone_$w/model.safetensors" "$tmp/zero_$w/model.safetensors" ||
        fail "--zero 1 --deterministic-reduce: $w processes differ from 1 x --accum $w"
done
# its checkpoint holds the whole moments: the same file as without ZeRO ...
ATTN_NORM_BLOCK=100 mpi 3 "$ATTN" train $small --deterministic-reduce --out "$tmp/nozero_3" || fail "mpirun -n 3 failed"
cmp "$tmp/nozero_3/trainer_state.safetensors" "$tmp/zero_3/trainer_state.safetensors" ||
    fail "--zero 1: the trainer state differs from the unsharded optimizer's"
# ... which resumes with or without it, on another W: 3 x ZeRO -> 1 process -> 2 x ZeRO, bf16 too
export ATTN_NORM_BLOCK=100
mpi 3 "$ATTN" train $small --deterministic-reduce --zero 1 --accum 2 --steps 6 --out "$tmp/zr" --stop-at 2 || fail "zero: stop at 2"
"$ATTN" train $small --deterministic-reduce --accum 6 --steps 6 --out "$tmp/zr" --stop-at 4 --resume || fail "zero: 3 -> 1"
mpi 2 "$ATTN" train $small --deterministic-reduce --zero 1 --accum 3 --steps 6 --out "$tmp/zr" --resume || fail "zero: 1 -> 2"
"$ATTN" train $small --deterministic-reduce --accum 6 --steps 6 --out "$tmp/zr_one"
cmp "$tmp/zr_one/model.safetensors" "$tmp/zr/model.safetensors" || fail "--zero 1: a run resumed across W and ZeRO differs"
"$ATTN" train $small --deterministic-reduce --accum 2 --precision bf16 --out "$tmp/zb_one"
mpi 2 "$ATTN" train $small --deterministic-reduce --zero 1 --precision bf16 --out "$tmp/zb" || fail "--zero 1 bf16 failed"
cmp "$tmp/zb_one/model.safetensors" "$tmp/zb/model.safetensors" || fail "--zero 1 --precision bf16 differs from 1 process"
# without --deterministic-reduce: reduce-scatter, the same run after run; rank 0 reports the moments' size
mpi 2 "$ATTN" train $small --zero 1 --out "$tmp/zp_a" || fail "mpirun -n 2 --zero 1 failed"
mpi 2 "$ATTN" train $(echo "$small" | sed 's/--quiet//') --zero 1 --out "$tmp/zp_b" 2>"$tmp/err" || fail "--zero 1: $(cat "$tmp/err")"
cmp "$tmp/zp_a/model.safetensors" "$tmp/zp_b/model.safetensors" || fail "two 2-process --zero 1 runs differ"
[ "$(grep -c "^attn train: ZeRO-1: AdamW moments of [0-9.]* MiB per process at most (the largest of 2 shards; [0-9.]* MiB unsharded)" \
    "$tmp/err")" -eq 1 ] || fail "--zero 1: no line on the moments' size: $(cat "$tmp/err")"
unset ATTN_NORM_BLOCK

# ---- without the flag: the same at a fixed W, run after run; rank 0 alone reports
mpi 2 "$ATTN" train $small --out "$tmp/plain_a" || fail "mpirun -n 2 failed"
progress=$(echo "$small" | sed 's/--quiet//')
mpi 2 "$ATTN" train $progress --out "$tmp/plain_b" 2>"$tmp/err" || fail "mpirun -n 2 failed: $(cat "$tmp/err")"
cmp "$tmp/plain_a/model.safetensors" "$tmp/plain_b/model.safetensors" || fail "two 2-process runs differ"
[ "$(grep -c "^model saved to" "$tmp/err")" -eq 1 ] || fail "not one 'model saved' line: $(cat "$tmp/err")"
[ "$(grep -c "^step *4/4" "$tmp/err")" -eq 1 ] || fail "not one progress line per step: $(cat "$tmp/err")"

# ---- the sum overlapped with the backward (--bucket-mb, on by default): buckets of ~250 floats cut this
# tiny model into many, each started as soon as the backward is done with it; at W = 2 a sum is one
# addition, the same whichever way MPI groups it, so the model is byte for byte that of one sum after
# the backward (--bucket-mb 0): a bucket started before its last gradient was written would differ.
# GPT with --accum 2 (the first micro-batch does not overlap) and --recompute, Llama, masked LM, pairs.
base="--layers 1 --heads 2 --width 32 --context 32 --batch 4 --steps 4 --eval-every 2 --eval-batches 1 --dropout 0.1 --threads 1 --quiet"
for case in "gpt --data $tmp/data --accum 2" "gptr --data $tmp/data --recompute" "llama --data $tmp/data --arch llama" \
    "mlm $mlm" "s2s $s2s"; do
    set -- $case
    name=$1
    shift
    mpi 2 "$ATTN" train $base "$@" --bucket-mb 0 --out "$tmp/whole_$name" || fail "$name: mpirun -n 2 --bucket-mb 0 failed"
    mpi 2 "$ATTN" train $base "$@" --bucket-mb 0.001 --out "$tmp/bucket_$name" || fail "$name: mpirun -n 2 --bucket-mb 0.001 failed"
    cmp "$tmp/whole_$name/model.safetensors" "$tmp/bucket_$name/model.safetensors" ||
        fail "$name: the gradients' sum overlapped with the backward differs from one sum after it"
done
# at W = 3, started in the same order on every rank: no hang, and the same run after run
mpi 3 "$ATTN" train $small --bucket-mb 0.001 --out "$tmp/b3a" || fail "mpirun -n 3 --bucket-mb 0.001 failed"
mpi 3 "$ATTN" train $small --bucket-mb 0.001 --out "$tmp/b3b" || fail "mpirun -n 3 --bucket-mb 0.001 failed"
cmp "$tmp/b3a/model.safetensors" "$tmp/b3b/model.safetensors" || fail "two 3-process runs with buckets differ"

# ---- a rank failing mid-step ends every rank with its error, at once
start=$(date +%s)
run_status env ATTN_FAULT_RANK=1:2 timeout 60 $MPIRUN -n 3 "$ATTN" train $small --out "$tmp/fault" >"$tmp/out"
[ "$rc" != 0 ] && [ "$rc" != 124 ] || fail "an error on rank 1: exit $rc"
grep -q "^attn train: error: rank 1 of 3: injected failure (ATTN_FAULT_RANK) at step 2" "$tmp/err" ||
    fail "an error on rank 1: $(cat "$tmp/err")"
[ ! -e "$tmp/fault/model.safetensors" ] || fail "an error on rank 1: rank 0 went on to save a model"
run_status env ATTN_FAULT_RANK=1:2:kill timeout 60 $MPIRUN -n 2 "$ATTN" train $small --deterministic-reduce --out "$tmp/killed" >"$tmp/out"
[ "$rc" != 0 ] && [ "$rc" != 124 ] || fail "rank 1 killed: exit $rc"
[ ! -e "$tmp/killed/model.safetensors" ] || fail "rank 1 killed: rank 0 went on to save a model"
# ---- ranks whose states drift apart (rank 1 nudges a weight after step 2) are stopped at the checkpoint
run_status env ATTN_FAULT_RANK=1:2:diverge timeout 60 $MPIRUN -n 2 "$ATTN" train $small --out "$tmp/drift" >"$tmp/out"
[ "$rc" != 0 ] && [ "$rc" != 124 ] || fail "ranks drifting apart: exit $rc"
grep -q "^attn train: error: rank [01] of 2: at step 4 the processes' parameters and moments no longer agree" "$tmp/err" ||
    fail "ranks drifting apart: $(cat "$tmp/err")"
[ ! -e "$tmp/drift/model.safetensors" ] || fail "ranks drifting apart: a model was saved"
[ $(($(date +%s) - start)) -lt 30 ] || fail "the failing runs took $(($(date +%s) - start)) s to end"

# ---- the other MPI's launcher: every process initialises alone, so each says so and none trains
if command -v $other >/dev/null; then
    run_status timeout 60 $(launcher_cmd $other) -n 2 "$ATTN" train $small --out "$tmp/other" >"$tmp/out"
    [ "$rc" != 0 ] && [ "$rc" != 124 ] || fail "$other -n 2: exit $rc"
    grep -q "^attn train: error: a launcher (mpirun) started attn as one of 2 processes, but attn's MPI (.*) sees 1: the launcher belongs to another MPI" \
        "$tmp/err" || fail "$other -n 2: $(cat "$tmp/err")"
    [ ! -e "$tmp/other/model.safetensors" ] || fail "$other -n 2: a model was saved"
fi
echo ok
