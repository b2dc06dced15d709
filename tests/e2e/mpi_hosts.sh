#!/bin/sh
# Data-parallel training across two hosts: two network namespaces of this
# machine joined by a veth pair (10.77.0.1 and 10.77.0.2), MPICH's mpiexec
# in the first starting one rank on each (its ssh launcher replaced by
# tests/e2e/lib/netns_launch.sh, which enters the other namespace), the
# ranks talking over TCP only (UCX_TLS=tcp,self). With --deterministic-reduce
# the two hosts save the model of one process with --accum 2 byte for byte,
# and both end promptly (MPI_Finalize over TCP once hung here: see
# attn_dist_finalize); without it the run completes as well.
# Needs root (namespaces) and MPICH; says so and checks nothing otherwise.
set -eu
ATTN=${ATTN_BIN:-./attn}
case $ATTN in /*) ;; *) ATTN=$PWD/$ATTN ;; esac
fail() { echo "mpi_hosts.sh: FAIL: $*" >&2; exit 1; }
# MPICH's own name for it: `mpiexec` is Open MPI's where both are installed
MPIEXEC=mpiexec.mpich
command -v $MPIEXEC >/dev/null || MPIEXEC=mpiexec
if ! "$ATTN" --version | grep -q '^MPI: built in (MPICH;' || ! $MPIEXEC --version 2>/dev/null | grep -q HYDRA; then
    echo "mpi_hosts.sh: needs attn built with MPICH and MPICH's mpiexec (tools/setup.sh installs MPICH): not run"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "mpi_hosts.sh: needs root to make network namespaces: not run"
    exit 0
fi
tmp=$(mktemp -d)
a=attn_h1_$$ b=attn_h2_$$
. tests/e2e/lib/netns_hosts.sh
netns_hosts "$a" "$b" 10.77.0.1 10.77.0.2 || fail "making two network namespaces joined by a veth pair failed (root without CAP_SYS_ADMIN?)"
export OMP_NUM_THREADS=1
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$PWD/tests/e2e/mpi.lsan.supp:print_suppressions=0"
# under make asan: addresses checked, not leaks (processes on several hosts
# end without MPI_Finalize, see attn_dist_finalize, and LeakSanitizer's exit
# check crashes on MPICH's threads left alive)
[ -z "${ASAN_OPTIONS:-}" ] || export ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0:detect_leaks=0"
head -c 60000 data/austen/persuasion.txt > "$tmp/a.txt"
"$ATTN" prepare -t char -o "$tmp/data" "$tmp/a.txt" >/dev/null
small="--data $tmp/data --layers 1 --heads 2 --width 32 --context 32 --batch 4 --steps 4 --eval-every 2 --eval-batches 2
       --dropout 0.1 --threads 1 --quiet"
hosts() { # OUT OPTIONS...: one rank on each host, ended after 60 s at most
    out=$1
    shift
    # shellcheck disable=SC2086
    timeout 60 ip netns exec "$a" $MPIEXEC -hosts 10.77.0.1,10.77.0.2 -launcher ssh \
        -launcher-exec "$PWD/tests/e2e/lib/netns_launch.sh" -genv UCX_TLS tcp,self -n 2 \
        "$ATTN" train $small "$@" --out "$out" 2>"$tmp/err"
}
# shellcheck disable=SC2086
"$ATTN" train $small --deterministic-reduce --accum 2 --out "$tmp/one"
t0=$(date +%s)
hosts "$tmp/two" --deterministic-reduce || fail "two hosts, --deterministic-reduce: exit $? after $(($(date +%s) - t0)) s: $(cat "$tmp/err")"
[ $(($(date +%s) - t0)) -lt 30 ] || fail "two hosts took $(($(date +%s) - t0)) s for 4 tiny steps"
cmp "$tmp/one/model.safetensors" "$tmp/two/model.safetensors" ||
    fail "two hosts with --deterministic-reduce differ from one process with --accum 2"
# without it: the sum over TCP overlapped with the backward in many small buckets equals one sum after it
hosts "$tmp/two_fast" --bucket-mb 0.001 || fail "two hosts: exit $?: $(cat "$tmp/err")"
[ -s "$tmp/two_fast/model.safetensors" ] || fail "two hosts: no model saved"
hosts "$tmp/two_whole" --bucket-mb 0 || fail "two hosts, --bucket-mb 0: exit $?: $(cat "$tmp/err")"
cmp "$tmp/two_fast/model.safetensors" "$tmp/two_whole/model.safetensors" ||
    fail "two hosts: the sum overlapped with the backward differs from one sum after it"
echo "mpi_hosts.sh: ok (two hosts over TCP equal one process)"
