#!/bin/sh
# Memory limits: under `ulimit -v` every command either works or ends with
# one clean "out of memory" error line and status 1 — never a hang (OpenBLAS,
# once linked, looped forever in its constructor below ~450 MB, even for
# --help) and never a signal (attention tiles on the stack gave SIGSEGV at
# 70-77 MB). Above the limit the BLAS needs, --version still reports it.
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
    if [ "$rc" -eq 1 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q "^attn [a-z]*: error: out of memory" "$tmp/err"; then
        echo "  $name at ${lim} KB: $(cat "$tmp/err")"; return 1
    fi
    echo "$name under ulimit -v $lim: exit $rc (124: timed out; above 128: a signal)"; cat "$tmp/err"
    exit 1
}
for lim in 300000 150000 100000 80000 40000; do
    run "$lim" help "$ATTN" --help || true
    run "$lim" version "$ATTN" --version || true
    if run "$lim" train "$ATTN" train --data "$tmp/data" --layers 1 --heads 2 --width 32 --context 32 --batch 4 \
        --steps 3 --eval-every 3 --eval-batches 1 --quiet --out "$tmp/m$lim"; then
        run "$lim" generate "$ATTN" generate -m "$tmp/m$lim" -n 20 -p "The " || true
        run "$lim" score "$ATTN" score -m "$tmp/m$lim" "$tmp/a.txt" || true
    fi
done
# --help and --version need no more than a few MB
(ulimit -v 40000; "$ATTN" --help >/dev/null) || { echo "--help fails under 40 MB"; exit 1; }
# under a limit too small for the BLAS's buffers, --version names the GEMM that runs
v=$( (ulimit -v 150000; "$ATTN" --version) | sed -n 2p)
echo "$v" | grep -q "matrix products openblas" && { echo "the BLAS reported under a 150 MB limit: $v"; exit 1; }
echo "$v" | grep -Eq "matrix products (attn-packed|builtin)," || { echo "no GEMM reported: $v"; exit 1; }
echo ok
