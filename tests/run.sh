#!/bin/sh
# Runs every unit-test binary in $BUILD/tests, the CLI end-to-end tests, and
# (when .venv exists) the Python tests against PyTorch / transformers; prints
# one closing line "N passed, N failed" summing every test.
BUILD=${BUILD:-build}
total_pass=0
total_fail=0
add() { # add PASSED FAILED
    total_pass=$((total_pass + $1)); total_fail=$((total_fail + $2))
}
unit() { # unit TEST [LABEL]: runs one unit-test binary (in the environment given)
    t0=$(date +%s)
    out=$("$1" 2>&1); rc=$?
    line=$(printf '%s\n' "$out" | tail -n 1)
    p=$(printf '%s' "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
    f=$(printf '%s' "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
    if [ -z "$p" ]; then
        printf '%s\n' "$out"; echo "$1${2:+ ($2)}: crashed (exit $rc)"; add 0 1; return
    fi
    if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then printf '%s\n' "$out"; [ "$f" -eq 0 ] && f=1; fi
    printf '%s%s [%s s]\n' "$line" "${2:+ ($2)}" $(($(date +%s) - t0))
    add "$p" "$f"
}
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] && unit "$t"
done
# the kernel and gradient tests again on the builds this CPU would not
# choose by itself (each CPU table against the reference kernels; not under
# ATTN_QUICK, the sanitizer run, which keeps to the suite's time budget)
isas="avx2 generic"
[ -z "$ATTN_QUICK" ] || isas=
for isa in $isas; do
    for t in test_kernels test_grad; do
        [ -x "$BUILD/tests/$t" ] && ATTN_CPU_ISA=$isa unit "$BUILD/tests/$t" "ATTN_CPU_ISA=$isa"
    done
done
for t in tests/e2e/*.sh; do
    [ -f "$t" ] || continue
    t0=$(date +%s)
    if out=$(ATTN_BIN=${ATTN_BIN:-./attn} sh "$t" 2>&1); then
        echo "$t: ok [$(($(date +%s) - t0)) s]"; add 1 0
    else
        printf '%s\n' "$out"; echo "$t: FAILED"; add 0 1
    fi
done
# The Python reference tests need .venv (tools/setup.sh without --c-only).
# A skipped Python test counts as a failure: every input they read ships in
# the repository or is installed by tools/setup.sh.
if [ -z "$ATTN_QUICK" ] && [ -x .venv/bin/python ] && .venv/bin/python -c 'import pytest' 2>/dev/null; then
    out=$(.venv/bin/python -m pytest -q -rs --durations=15 tests/py 2>&1); rc=$?
    printf '%s\n' "$out" | tail -n 50
    p=$(printf '%s\n' "$out" | tail -n 1 | grep -o '[0-9]* passed' | grep -o '[0-9]*'); p=${p:-0}
    f=$(printf '%s\n' "$out" | tail -n 1 | grep -o '[0-9]* failed' | grep -o '[0-9]*'); f=${f:-0}
    e=$(printf '%s\n' "$out" | tail -n 1 | grep -o '[0-9]* error' | grep -o '[0-9]*'); e=${e:-0}
    s=$(printf '%s\n' "$out" | tail -n 1 | grep -o '[0-9]* skipped' | grep -o '[0-9]*'); s=${s:-0}
    [ "$s" -ne 0 ] && echo "tests/py: $s skipped (a skip is a failure here; the reasons are above)"
    [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && [ "$e" -eq 0 ] && [ "$s" -eq 0 ] && f=1
    add "$p" $((f + e + s))
elif [ -z "$ATTN_QUICK" ]; then
    echo "tests/py: not run (no .venv with pytest: tools/setup.sh without --c-only installs it)"
    [ -n "$CI" ] && add 0 1
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
