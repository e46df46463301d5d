# shellcheck shell=bash
# The benchmark's network, in namespaces (sourced by bench/run):
#
#   mnb-remote (10.1.0.2, iperf3 server)
#        |  unshaped: it must carry N x R
#   mnb-tor   rack switch, FRR zebra; 10.200.0.0/16 (task VIPs) -> ECMP
#        |     over every NIC, so return traffic survives a NIC failure
#   tor-eth0 .. tor-eth{N-1}    10.0.i.1/24   tbf R (NIC receive side)
#   h1-eth0  .. h1-eth{N-1}     10.0.i.2/24   tbf R (NIC transmit side)
#   mnb-h1    the host, FRR zebra + multinicd; main default via NIC 0
#        |
#   task namespaces (one per mode, made by bench/lib/modes.py)
#
# Each NIC is shaped with tbf to a rate far below what the CPU can move,
# so that throughput / (N x R) measures balancing, not CPU (DESIGN §5).
# Requires common.sh.

# tbf on one device. burst: 4 ms at the rate (at least a few MTUs), so
# that a 1 ms timer slack cannot starve the bucket; latency bounds the
# queue so that TCP sees drops, as behind a real NIC, not a bottomless
# buffer.
mnb_shape() { # netns dev rate_mbit
	local burst=$(($3 * 1000000 / 8 / 250))
	[ "$burst" -ge 15000 ] || burst=15000
	ip netns exec "$1" tc qdisc replace dev "$2" root tbf \
		rate "${3}mbit" burst "$burst" latency 25ms
}

# Host routing sysctls: forward, no reverse-path filter (the task VIPs
# come back over any NIC), skip next hops whose link is down (that is
# how the switch stops sending to a failed NIC without BGP).
mnb_sysctls() { # netns
	ip netns exec "$1" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.all.ignore_routes_with_linkdown=1 \
		net.ipv4.conf.default.ignore_routes_with_linkdown=1
}

# An FRR pathspace named after the namespace, started like a Debian host
# starts FRR (frrinit + watchfrr), as demo/run-demo does.
mnb_frr_start() { # netns daemons-lines frr.conf-text
	local ns=$1
	install -d -o frr -g frrvty -m 0775 "/etc/frr/$ns"
	cat >"/etc/frr/$ns/daemons" <<DAEMONS
# written by frr-multinic bench/run
$2
vtysh_enable=yes
all_wrap="/usr/bin/ip netns exec $ns"
zebra_options="-A 127.0.0.1 -s 90000000"
DAEMONS
	printf 'service integrated-vtysh-config\n' >"/etc/frr/$ns/vtysh.conf"
	# A log per pathspace, kept with the results (bench/run copies it).
	printf '%s\nlog file /var/log/frr/%s.frr.log informational\n' "$3" "$ns" \
		>"/etc/frr/$ns/frr.conf"
	chown frr:frrvty "/etc/frr/$ns/"*
	chmod 0640 "/etc/frr/$ns/"*
	"$MNB_FRRINIT" start "$ns" >"/var/log/frr/$ns.frrinit.log" 2>&1 ||
		mnb_die "frrinit start $ns failed (see /var/log/frr/$ns.frrinit.log)"
}

mnb_wait_vtysh() { # netns command grep-pattern
	local _
	for _ in $(seq 100); do
		vtysh -N "$1" -c "$2" 2>/dev/null | grep -q "$3" && return 0
		sleep 0.2
	done
	mnb_die "$1: '$2' never answered"
}

mnb_topology_up() { # nics rate_mbit topology.json
	local nics=$1 rate=$2 i ns nh=()
	mnb_netns_add "$MNB_TOR"
	mnb_netns_add "$MNB_H1"
	mnb_netns_add "$MNB_REMOTE"
	for ns in "$MNB_TOR" "$MNB_H1" "$MNB_REMOTE"; do mnb_sysctls "$ns"; done
	for ((i = 0; i < nics; i++)); do
		ip link add h1-eth$i netns "$MNB_H1" type veth \
			peer name tor-eth$i netns "$MNB_TOR"
		ip -n "$MNB_TOR" addr add 10.0.$i.1/24 dev tor-eth$i
		ip -n "$MNB_H1" addr add 10.0.$i.2/24 dev h1-eth$i
		ip -n "$MNB_TOR" link set tor-eth$i up
		ip -n "$MNB_H1" link set h1-eth$i up
		mnb_shape "$MNB_H1" h1-eth$i "$rate"
		mnb_shape "$MNB_TOR" tor-eth$i "$rate"
		nh+=(nexthop via "10.0.$i.2" dev "tor-eth$i")
	done
	# The host as it is before multinic: one default route, via NIC 0.
	ip -n "$MNB_H1" route add default via 10.0.0.1
	ip link add remote-eth0 netns "$MNB_REMOTE" type veth \
		peer name tor-remote netns "$MNB_TOR"
	ip -n "$MNB_TOR" addr add 10.1.0.1/24 dev tor-remote
	ip -n "$MNB_REMOTE" addr add "$MNB_REMOTE_IP/24" dev remote-eth0
	ip -n "$MNB_TOR" link set tor-remote up
	ip -n "$MNB_REMOTE" link set remote-eth0 up
	ip -n "$MNB_REMOTE" route add default via 10.1.0.1
	# What BGP will announce once ingress lands: every task VIP over
	# every NIC. Policy 1 spreads the (ACK) flows by ports.
	ip netns exec "$MNB_TOR" sysctl -qw net.ipv4.fib_multipath_hash_policy=1
	ip -n "$MNB_TOR" route add 10.200.0.0/16 "${nh[@]}"

	mnb_frr_start "$MNB_TOR" "zebra=yes" "hostname $MNB_TOR"
	mnb_frr_start "$MNB_H1" "zebra=yes
multinicd=yes
multinicd_options=\"-A 127.0.0.1\"" "hostname $MNB_H1"
	mnb_wait_vtysh "$MNB_H1" 'show multinic json' '"version"'
	mnb_wait_vtysh "$MNB_TOR" 'show interface brief' tor-eth0
	mnb_topology_json "$nics" "$rate" >"$3"
}

# What the Python side needs to know about the topology.
mnb_topology_json() { # nics rate_mbit
	local i sep=""
	printf '{"h1": "%s", "tor": "%s", "remote": "%s", "remote_ip": "%s",\n' \
		"$MNB_H1" "$MNB_TOR" "$MNB_REMOTE" "$MNB_REMOTE_IP"
	printf ' "rate_mbit": %s, "registry": "%s", "nics": [' "$2" "$MNB_REGISTRY"
	for ((i = 0; i < $1; i++)); do
		printf '%s\n  {"name": "h1-eth%d", "switch_port": "tor-eth%d", "address": "10.0.%d.2", "gateway": "10.0.%d.1"}' \
			"$sep" $i $i $i $i
		sep=,
	done
	printf ']}\n'
}
