#!/bin/sh
# OpenMP waiting: unless the user set OMP_WAIT_POLICY or GOMP_SPINCOUNT,
# attn restarts itself with GOMP_SPINCOUNT=1000 (cli/main.c); a user's
# choice is kept; the restart keeps the arguments and standard input.
set -eu
ATTN=${ATTN_BIN:-./attn}
if ! "$ATTN" --version | grep -q "OpenMP waiting"; then echo "SKIPPED: built without OpenMP"; exit 0; fi
v=$(env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT "$ATTN" --version)
echo "$v" | grep -q "OpenMP waiting: GOMP_SPINCOUNT=1000$" || { echo "default policy not set: $v"; exit 1; }
v=$(env -u GOMP_SPINCOUNT OMP_WAIT_POLICY=passive "$ATTN" --version)
echo "$v" | grep -q "OpenMP waiting: OMP_WAIT_POLICY=passive$" || { echo "OMP_WAIT_POLICY not kept: $v"; exit 1; }
v=$(env -u OMP_WAIT_POLICY GOMP_SPINCOUNT=77 "$ATTN" --version)
echo "$v" | grep -q "OpenMP waiting: GOMP_SPINCOUNT=77$" || { echo "GOMP_SPINCOUNT not kept: $v"; exit 1; }
ids=$(echo "hello world" | env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT "$ATTN" tokenize -t tests/data/minilm)
[ "$ids" = "7592 2088" ] || { echo "standard input lost across the restart: got '$ids'"; exit 1; }
echo ok
