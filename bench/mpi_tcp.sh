#!/bin/sh
# Data parallelism over TCP: two "hosts" made of network namespaces of this
# machine joined by a veth pair (as tests/e2e/mpi_hosts.sh makes them), one
# rank with 1 thread on each, the ranks talking over TCP only
# (UCX_TLS=tcp,self). Trains the README demo's 6-layer shape (GPT-2's
# vocabulary) with the gradients' sum overlapped with the backward pass
# (--bucket-mb 16, the default) and with one sum after it (--bucket-mb 0),
# interleaved, and prints each one's mean tokens/s over the steps after the
# first and rank 0's seconds inside MPI per step.
#   sh bench/mpi_tcp.sh      (root, attn built with MPICH: tools/setup.sh; ~4 minutes on 2 cores)
#   STEPS=6 ROUNDS=3 SHAPE="--layers 12 --heads 12 --width 768 --context 1024" sh bench/mpi_tcp.sh
set -eu
cd "$(dirname "$0")/.."
ATTN=${ATTN:-$PWD/attn}
STEPS=${STEPS:-6}
ROUNDS=${ROUNDS:-2}
BATCH=${BATCH:-4}
SHAPE=${SHAPE:-"--layers 6 --heads 6 --width 384 --context 256"}
MPIEXEC=mpiexec.mpich
command -v $MPIEXEC > /dev/null || MPIEXEC=mpiexec
"$ATTN" --version | grep -q '^MPI: built in (MPICH;' || { echo "bench/mpi_tcp.sh: needs attn built with MPICH" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench/mpi_tcp.sh: needs root (network namespaces)" >&2; exit 1; }
tmp=$(mktemp -d)
a=attn_b1_$$ b=attn_b2_$$
. tests/e2e/lib/netns_hosts.sh
netns_hosts "$a" "$b" 10.77.1.1 10.77.1.2
export OMP_NUM_THREADS=1
"$ATTN" prepare -t data/gpt2-tokenizer -o "$tmp/d" data/austen/emma.txt > /dev/null
run() { # MB: prints "MB tokens_per_s comm_s"
    rm -rf "$tmp/m"
    # shellcheck disable=SC2086
    ip netns exec "$a" $MPIEXEC -hosts 10.77.1.1,10.77.1.2 -launcher ssh \
        -launcher-exec "$PWD/tests/e2e/lib/netns_launch.sh" -genv UCX_TLS tcp,self -n 2 \
        "$ATTN" train $SHAPE --data "$tmp/d" --out "$tmp/m" --batch "$BATCH" --threads 1 --steps "$STEPS" \
        --eval-every 100000 --warmup 1 --seed 1 --quiet --bucket-mb "$1" > /dev/null
    tail -n +2 "$tmp/m/train_log.jsonl" | awk -v l="$1" '
        { t = $0; sub(/.*"tokens_per_s": /, "", t); sub(/[,}].*/, "", t)
          c = $0; sub(/.*"comm_s": /, "", c); sub(/[,}].*/, "", c); tps += t; comm += c; n++ }
        END { printf "%s %.1f %.4f\n", l, tps / n, comm / n }'
}
: > "$tmp/rows"
r=0
while [ $r -lt "$ROUNDS" ]; do
    run 16 >> "$tmp/rows"
    run 0 >> "$tmp/rows"
    r=$((r + 1))
done
awk '{ tps[$1] += $2; comm[$1] += $3; c[$1]++ }
    END {
        o = tps[16] / c[16]; s = tps[0] / c[0]
        printf "two hosts over TCP, 1 thread each: overlapped (--bucket-mb 16) %.0f tokens/s, one sum after the backward (--bucket-mb 0) %.0f tokens/s (%.2fx); rank 0 in MPI %.3f s against %.3f s per step\n",
            o, s, o / s, comm[16] / c[16], comm[0] / c[0]
    }' "$tmp/rows"
