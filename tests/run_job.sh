#!/bin/sh
# One job of tests/run.sh: run_job.sh RESULTS INDEX KIND ISA PATH
#   KIND unit: a unit-test binary (ISA "-" for the CPU's own kernel table,
#              else ATTN_CPU_ISA=ISA); its last line says "N passed, N failed"
#   KIND e2e:  an end-to-end script, one test, passed when it exits 0
# Prints one line when the job ends (one write, so lines of jobs running at
# once do not mix) and leaves RESULTS/INDEX.sum ("PASSED FAILED") and, when
# the job failed, its whole output in RESULTS/INDEX.out for run.sh to print.
res=$1 idx=$2 kind=$3 isa=$4 path=$5
t0=$(date +%s)
label=""
[ "$isa" = - ] || label=" (ATTN_CPU_ISA=$isa)"
case "$kind" in
unit)
    if [ "$isa" = - ]; then out=$("$path" 2>&1); rc=$?
    else out=$(ATTN_CPU_ISA=$isa "$path" 2>&1); rc=$?; fi
    line=$(printf '%s\n' "$out" | tail -n 1)
    p=$(printf '%s' "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
    f=$(printf '%s' "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
    if [ -z "$p" ]; then
        p=0 f=1 msg="$path$label: crashed (exit $rc)"
    else
        [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
        msg="$line$label [$(($(date +%s) - t0)) s]"
    fi
    ;;
e2e)
    if out=$(ATTN_BIN=${ATTN_BIN:-./attn} sh "$path" 2>&1); then
        p=1 f=0 msg="$path: ok [$(($(date +%s) - t0)) s]"
    else
        p=0 f=1 msg="$path: FAILED [$(($(date +%s) - t0)) s]"
    fi
    ;;
*)
    echo "run_job.sh: unknown kind '$kind'" >&2; exit 2 ;;
esac
if [ "$f" -ne 0 ]; then printf '%s\n%s\n' "$out" "$msg" > "$res/$idx.out"; fi
printf '%s %s\n' "$p" "$f" > "$res/$idx.sum"
printf '%s\n' "$msg"
