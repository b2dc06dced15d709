# Sourced: two "hosts" made of network namespaces of this machine joined by a
# veth pair (needs root). netns_hosts NAME_A NAME_B ADDR_A ADDR_B makes
# namespaces NAME_A and NAME_B with addresses ADDR_A and ADDR_B (/24),
# exports ATTN_NETNS_HOSTS for tests/e2e/lib/netns_launch.sh (MPICH's
# launcher into them) and sets a trap that removes them, and the folder
# $tmp, on exit. Used by tests/e2e/mpi_hosts.sh and bench/mpi_tcp.sh.
netns_hosts_del() {
    ip netns del "$netns_a" 2>/dev/null || true
    ip netns del "$netns_b" 2>/dev/null || true
    rm -rf "$tmp"
}
netns_hosts() {
    netns_a=$1 netns_b=$2
    trap netns_hosts_del EXIT INT TERM
    ip netns add "$1" && ip netns add "$2" || return 1
    ip link add "va$$" type veth peer name "vb$$" || return 1
    ip link set "va$$" netns "$1" && ip link set "vb$$" netns "$2" &&
        ip -n "$1" addr add "$3/24" dev "va$$" && ip -n "$2" addr add "$4/24" dev "vb$$" &&
        ip -n "$1" link set lo up && ip -n "$2" link set lo up &&
        ip -n "$1" link set "va$$" up && ip -n "$2" link set "vb$$" up || return 1
    export ATTN_NETNS_HOSTS="$3=$1 $4=$2"
}
