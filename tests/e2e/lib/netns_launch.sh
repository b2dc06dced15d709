#!/bin/sh
# The remote-shell command of MPICH's launcher (mpiexec -launcher ssh
# -launcher-exec THIS) for hosts that are network namespaces of this machine:
# called as "THIS [ssh options] HOST COMMAND...", it runs COMMAND (one shell
# line, as ssh would) inside the namespace that ATTN_NETNS_HOSTS maps HOST to
# ("ADDRESS=NAMESPACE ..."). Used by tests/e2e/mpi_hosts.sh.
while [ $# -gt 0 ]; do
    case $1 in -*) shift ;; *) break ;; esac
done
host=$1
shift
for pair in $ATTN_NETNS_HOSTS; do
    if [ "${pair%%=*}" = "$host" ]; then exec ip netns exec "${pair#*=}" sh -c "$*"; fi
done
echo "netns_launch.sh: no namespace for host $host (ATTN_NETNS_HOSTS=$ATTN_NETNS_HOSTS)" >&2
exit 1
