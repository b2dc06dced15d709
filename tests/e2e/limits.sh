#!/bin/sh
# Memory limits: under `ulimit -v` every command either works or ends with
# one clean "out of memory" error line and status 1 — never a hang (OpenBLAS,
# once linked, looped forever in its constructor below ~450 MB, even for
# --help), never a signal (attention tiles on the stack gave SIGSEGV at
# 70-77 MB) and never the OpenMP runtime's own exit (it could not create a
# worker thread at 72-78 MB). Above the limit the BLAS needs, --version
# still reports it.
set -eu
ATTN=${ATTN_BIN:-./attn}
# two threads: each OpenMP thread's stack counts against the limit
ATTN_THREADS=2; export ATTN_THREADS
# AddressSanitizer reserves terabytes of address space: no limit applies to it
if ldd "$ATTN" 2>/dev/null | grep -q libasan; then echo "SKIPPED: ulimit -v does not apply under AddressSanitizer"; exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 20000 data/austen/persuasion.txt > "$tmp/a.txt"
"$ATTN" prepare -t char -o "$tmp/data" "$tmp/a.txt" >/dev/null
# run LIMIT_KB NAME CMD...: exit 0, or exit 1 with one line naming "out of memory"
run() {
    lim=$1; name=$2; shift 2
    rc=0
    (ulimit -v "$lim"; exec timeout 30 "$@") >"$tmp/out" 2>"$tmp/err" || rc=$?
    if [ "$rc" -eq 0 ]; then return 0; fi
    # (training names the step it was at: "error: at step 3: out of memory ...")
    if [ "$rc" -eq 1 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] &&
        grep -Eq "^attn [a-z]*: error: (at step [0-9]+: )?out of memory" "$tmp/err"; then
        echo "  $name at ${lim} KB: $(cat "$tmp/err")"; return 1
    fi
    echo "$name under ulimit -v $lim: exit $rc (124: timed out; above 128: a signal)"; cat "$tmp/err"
    exit 1
}
# a model trained without a limit, for generate and score under each one
"$ATTN" train --data "$tmp/data" --layers 1 --heads 2 --width 32 --context 32 --batch 4 \
    --steps 3 --eval-every 3 --eval-batches 1 --quiet --out "$tmp/m" >/dev/null
# 60-100 MB in 2 MB steps: from 72 to 78 MB the model's buffers fitted but
# a worker thread's stack (8 MB) then did not, and libgomp printed its own
# "Thread creation failed" and exited
lims="300000 150000"
lim=60000
while [ "$lim" -le 100000 ]; do lims="$lims $lim"; lim=$((lim + 2000)); done
for lim in $lims 40000; do
    run "$lim" help "$ATTN" --help || true
    run "$lim" version "$ATTN" --version || true
    run "$lim" train "$ATTN" train --data "$tmp/data" --layers 1 --heads 2 --width 32 --context 32 --batch 4 \
        --steps 3 --eval-every 3 --eval-batches 1 --quiet --out "$tmp/m$lim" || true
    run "$lim" generate "$ATTN" generate -m "$tmp/m" -n 20 -p "The " || true
    run "$lim" score "$ATTN" score -m "$tmp/m" "$tmp/a.txt" || true
done
# 77-81 MB in 50 KB steps, score only: where memory ran out inside a
# matrix product's threads, a nested parallel region (one thread, but a
# team libgomp allocates) ended the process with libgomp's own "Out of
# memory allocating 1568 bytes" (at 78950 KB on the machine it was found on)
lim=77000
while [ "$lim" -le 81000 ]; do
    run "$lim" score "$ATTN" score -m "$tmp/m" "$tmp/a.txt" || true
    lim=$((lim + 50))
done
# --help and --version need no more than a few MB
(ulimit -v 40000; "$ATTN" --help >/dev/null) || { echo "--help fails under 40 MB"; exit 1; }
# under a limit too small for the BLAS's buffers, --version names the GEMM that runs
v=$( (ulimit -v 150000; "$ATTN" --version) | sed -n 2p)
echo "$v" | grep -q "matrix products openblas" && { echo "the BLAS reported under a 150 MB limit: $v"; exit 1; }
echo "$v" | grep -Eq "matrix products (attn-packed|builtin)," || { echo "no GEMM reported: $v"; exit 1; }
echo ok
