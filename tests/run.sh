#!/bin/sh
# Runs every unit-test binary in $BUILD/tests, the CLI end-to-end tests, and
# (when .venv exists) the Python tests against PyTorch / transformers; prints
# one closing line "N passed, N failed" summing every test.
#
# ATTN_TEST_JOBS tests run at once (default: the cores; 1 runs them one after
# another). With more than one, each test's OpenMP gets one thread unless
# OMP_NUM_THREADS says otherwise (tests that need more threads ask for them:
# --threads 2, attn_set_threads), so the tests side by side do not
# oversubscribe the cores; the Python tests run through pytest-xdist, one
# test file per worker. Each C and end-to-end test prints its line when it
# ends; the output of every failed one is printed again at the end.
BUILD=${BUILD:-build}
jobs=${ATTN_TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
case "$jobs" in '' | *[!0-9]* | 0) echo "tests/run.sh: ATTN_TEST_JOBS must be a count >= 1, not '$jobs'" >&2; exit 2 ;; esac
if [ "$jobs" -gt 1 ]; then
    OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
    export OMP_NUM_THREADS
fi
res=$(mktemp -d "${TMPDIR:-/tmp}/attn-tests.XXXXXX") || exit 1
trap 'rm -rf "$res"' EXIT
trap 'exit 130' INT TERM
total_pass=0
total_fail=0
add() { # add PASSED FAILED
    total_pass=$((total_pass + $1)); total_fail=$((total_fail + $2))
}

# The job list, one line per job: "INDEX KIND ISA PATH", longest first so
# that the last jobs to finish are short ones (the slow end-to-end scripts,
# then the rest of them, then the unit tests).
slow="learn_s2s option_tables"
n=0
emit() { n=$((n + 1)); printf '%04d %s %s %s\n' "$n" "$1" "$2" "$3"; }
{
    for s in $slow; do
        [ -f "tests/e2e/$s.sh" ] && emit e2e - "tests/e2e/$s.sh"
    done
    for t in tests/e2e/*.sh; do
        [ -f "$t" ] || continue
        case " $slow " in *" $(basename "$t" .sh) "*) continue ;; esac
        emit e2e - "$t"
    done
    # the kernel and gradient tests again on the builds this CPU would not
    # choose by itself (each CPU table against the reference kernels; not
    # under ATTN_QUICK, the sanitizer run, which keeps to the time budget)
    isas="avx2 generic"
    [ -z "$ATTN_QUICK" ] || isas=
    for isa in $isas; do
        for t in test_kernels test_grad; do
            [ -x "$BUILD/tests/$t" ] && emit unit "$isa" "$BUILD/tests/$t"
        done
    done
    for t in "$BUILD"/tests/test_*; do
        [ -x "$t" ] && emit unit - "$t"
    done
} > "$res/jobs"
xargs -P "$jobs" -L 1 sh tests/run_job.sh "$res" < "$res/jobs"
while read -r idx kind isa path; do
    if [ ! -f "$res/$idx.sum" ]; then
        echo "$path: did not run"; add 0 1; continue
    fi
    [ -f "$res/$idx.out" ] && cat "$res/$idx.out"
    read -r p f < "$res/$idx.sum"
    add "$p" "$f"
done < "$res/jobs"

# The Python reference tests need .venv (tools/setup.sh without --c-only).
# A skipped Python test counts as a failure: every input they read ships in
# the repository or is installed by tools/setup.sh.
if [ -z "$ATTN_QUICK" ] && [ -x .venv/bin/python ] && .venv/bin/python -c 'import pytest' 2>/dev/null; then
    par=""
    if [ "$jobs" -gt 1 ]; then
        if .venv/bin/python -c 'import xdist' 2>/dev/null; then
            par="-n $jobs --dist loadfile"
        else
            echo "tests/py: pytest-xdist is not installed (tools/setup.sh installs it); running one test at a time"
        fi
    fi
    out=$(.venv/bin/python -m pytest -q -rs --durations=15 $par tests/py 2>&1); rc=$?
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
