# shellcheck shell=bash
# The benchmark's network, in namespaces (sourced by bench/run):
#
#   mnb-remote (10.1.0.2, iperf3 server)
#        |  unshaped: it must carry N x R
#   mnb-tor   rack switch: FRR zebra + bgpd -M multinic (AS 65000) +
#        |     multinicd holding the authorization policy, one eBGP
#        |     session per host NIC, maximum-paths 8, L4 multipath hashing
#   tor-eth0 .. tor-eth{N-1}    10.0.i.1/24   tbf R (NIC receive side)
#   h1-eth0  .. h1-eth{N-1}     10.0.i.2/24   tbf R (NIC transmit side)
#   mnb-h1    the host: FRR zebra + multinicd + bgpd -M multinic
#        |    (AS 65101, "redistribute multinic"); main default via NIC 0
#   task namespaces (one per mode, made by bench/lib/modes.py)
#
# The switch learns multinic task VIPs by BGP, one path per NIC, as in
# doc/ingress-bgp.md and tests/topotests/multinic_ingress_bgp: the link
# bandwidth of each path is the NIC's speed as multinicd has it (the
# modes configure "nic IFNAME speed R"), no per-NIC route-map; the
# switch accepts them through the fail-closed route-map of
# doc/authorization.md. The hand-wired modes put a static route to their
# VIP on it instead. A mode may install its VIP at the switch through a
# resilient nexthop group ("multinic resilient-ingress", bench/lib/modes.py).
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
vtysh_enable=yes
all_wrap="/usr/bin/ip netns exec $ns"
zebra_options="-A 127.0.0.1 -s 90000000"
bgpd_options="-A 127.0.0.1"
$2
DAEMONS
	printf 'service integrated-vtysh-config\n' >"/etc/frr/$ns/vtysh.conf"
	# A log per pathspace, kept with the results (bench/run copies it).
	printf '%s\nlog file /var/log/frr/%s.frr.log informational\n' "$3" "$ns" \
		>"/etc/frr/$ns/frr.conf"
	chown frr:frrvty "/etc/frr/$ns/"*
	chmod 0640 "/etc/frr/$ns/"*
	"$MNB_FRRINIT" start "$ns" >"/var/log/frr/$ns.frrinit.log" 2>&1 9>&- ||
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

# BGP as doc/ingress-bgp.md configures it (the topotest's configs, IPv4
# only, without BFD: a NIC failing here is carrier loss, which takes the
# session down at once). The switch sends no default routes: multinicd
# is given each NIC's gateway, and the host's own default route stays
# the single-NIC one that mode (a) measures. bgpd runs with -M multinic
# (mnb_topology_up): the link bandwidth comes from multinicd's NIC speed.
mnb_bgp_host_conf() { # nics
	local i
	printf 'route-map HOST-OUT permit 10\n match source-protocol multinic\nexit\n'
	# as doc/ingress-bgp.md: 5 ms of route-processing hold, not 50 (patch 0015)
	printf 'bgp route-processing hold-time 5\n'
	# ... and 100 ms of update-group coalescing, not ~1.2 s (doc/ingress-bgp.md)
	printf 'router bgp 65101\n bgp router-id 10.0.0.2\n no bgp ebgp-requires-policy\n coalesce-time 100\n'
	printf ' no bgp default ipv4-unicast\n'
	for ((i = 0; i < $1; i++)); do
		printf ' neighbor 10.0.%d.1 remote-as external\n' "$i"
		printf ' neighbor 10.0.%d.1 timers 3 9\n neighbor 10.0.%d.1 timers connect 1\n' "$i" "$i"
	done
	printf ' address-family ipv4 unicast\n  maximum-paths 8\n  redistribute multinic\n'
	for ((i = 0; i < $1; i++)); do
		printf '  neighbor 10.0.%d.1 activate\n' "$i"
		printf '  neighbor 10.0.%d.1 route-map HOST-OUT out\n' "$i"
	done
	printf ' exit-address-family\nexit\n'
}

# The switch as doc/ingress-bgp.md and doc/authorization.md configure it:
# the authorization policy (h1 may announce task VIPs from 10.200.0.0/16)
# and the fail-closed inbound route-map on every host session.
mnb_bgp_switch_conf() { # nics
	local i
	printf 'multinic\n authorization vip-range 10.200.0.0/16\n'
	printf ' authorization max-vips-per-host 1000000\n'
	for ((i = 0; i < $1; i++)); do
		printf ' authorization host h1 neighbor 10.0.%d.2\n' "$i"
	done
	printf ' authorization host h1 vip-range 10.200.0.0/16\nexit\n'
	printf 'route-map HOSTS-IN deny 10\n match multinic unauthorized\nexit\n'
	printf 'route-map HOSTS-IN permit 20\n match multinic authorized\nexit\n'
	printf 'bgp route-processing hold-time 5\n'
	printf 'router bgp 65000\n bgp router-id 10.1.0.1\n no bgp ebgp-requires-policy\n'
	printf ' no bgp default ipv4-unicast\n'
	for ((i = 0; i < $1; i++)); do
		printf ' neighbor 10.0.%d.2 remote-as 65101\n' "$i"
		printf ' neighbor 10.0.%d.2 timers 3 9\n neighbor 10.0.%d.2 timers connect 1\n' "$i" "$i"
	done
	printf ' address-family ipv4 unicast\n  maximum-paths 8\n'
	for ((i = 0; i < $1; i++)); do
		printf '  neighbor 10.0.%d.2 activate\n' "$i"
		printf '  neighbor 10.0.%d.2 route-map HOSTS-IN in\n' "$i"
	done
	printf ' exit-address-family\nexit\n'
}

# Every BGP session of the switch established.
mnb_wait_bgp() { # nics
	local _ up
	for _ in $(seq 150); do
		up=$(vtysh -N "$MNB_TOR" -c 'show bgp neighbors json' 2>/dev/null |
			grep -c '"bgpState":"Established"' || true)
		[ "$up" -ge "$1" ] && return 0
		sleep 0.2
	done
	mnb_die "$MNB_TOR: $1 BGP sessions never came up (see the logs in the results)"
}

# Per-flow accounting on the switch (nftables, forward hook): bytes of
# each iperf3 flow per switch port, so that the bench can tell which NIC
# every flow used before and after a NIC fails. Egress flows are keyed
# by their source port and the port they came in on, ingress flows by
# their destination port and the port they leave on.
mnb_flow_accounting() {
	ip netns exec "$MNB_TOR" nft -f - <<'NFT'
table inet mnb {
	set egress { type ifname . inet_service; flags dynamic; counter; size 65535; }
	set ingress { type ifname . inet_service; flags dynamic; counter; size 65535; }
	chain flows {
		type filter hook forward priority 0; policy accept;
		tcp dport 5201 update @egress { iifname . tcp sport }
		tcp sport 5201 update @ingress { oifname . tcp dport }
	}
}
NFT
}

mnb_topology_up() { # nics rate_mbit topology.json
	local nics=$1 rate=$2 i ns
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
	# Policy 1 spreads flows between the same two addresses by ports.
	ip netns exec "$MNB_TOR" sysctl -qw net.ipv4.fib_multipath_hash_policy=1
	mnb_flow_accounting

	mnb_frr_start "$MNB_TOR" "zebra=yes
bgpd=yes
bgpd_options=\"-A 127.0.0.1 -M multinic\"
multinicd=yes
multinicd_options=\"-A 127.0.0.1\"" "hostname $MNB_TOR
$(mnb_bgp_switch_conf "$nics")"
	mnb_frr_start "$MNB_H1" "zebra=yes
bgpd=yes
bgpd_options=\"-A 127.0.0.1 -M multinic\"
multinicd=yes
multinicd_options=\"-A 127.0.0.1\"" "hostname $MNB_H1
$(mnb_bgp_host_conf "$nics")"
	mnb_wait_vtysh "$MNB_H1" 'show multinic json' '"version"'
	mnb_wait_vtysh "$MNB_TOR" 'show interface brief' tor-eth0
	mnb_wait_bgp "$nics"
	mnb_check_announce "$nics"
	mnb_topology_json "$nics" "$rate" >"$3"
}

# Whether bgpd took "redistribute multinic" (the task VIPs' way into BGP).
# If it did not, the bench still measures what works: the switch gets a
# static route to all task VIPs over every NIC so that egress replies
# come back, and the report names the modes' ingress and announcement
# figures as not available, with bgpd's answer as the reason.
MNB_ANNOUNCE_WHY=""
mnb_check_announce() { # nics
	local i out nh=()
	vtysh -N "$MNB_H1" -c 'show running-config' | grep -q '^  redistribute multinic' &&
		return 0
	out=$(vtysh -N "$MNB_H1" -c 'configure terminal' -c 'router bgp 65101' \
		-c 'address-family ipv4 unicast' -c 'redistribute multinic' 2>&1) && return 0
	MNB_ANNOUNCE_WHY="bgpd refuses \"redistribute multinic\": $(echo "$out" | tr -d '%\n' | sed 's/^ *//')"
	mnb_log "no VIP announcement: $MNB_ANNOUNCE_WHY; a static route on the switch instead"
	for ((i = 0; i < $1; i++)); do nh+=(nexthop via "10.0.$i.2" dev "tor-eth$i"); done
	ip -n "$MNB_TOR" route add 10.200.0.0/16 "${nh[@]}"
}

# What the Python side needs to know about the topology.
mnb_topology_json() { # nics rate_mbit
	local i sep=""
	printf '{"h1": "%s", "tor": "%s", "remote": "%s", "remote_ip": "%s",\n' \
		"$MNB_H1" "$MNB_TOR" "$MNB_REMOTE" "$MNB_REMOTE_IP"
	printf ' "rate_mbit": %s, "registry": "%s",\n' "$2" "$MNB_REGISTRY"
	if [ -z "$MNB_ANNOUNCE_WHY" ]; then
		printf ' "announce": {"ok": true, "why": null},\n'
	else
		printf ' "announce": {"ok": false, "why": "%s"},\n' "${MNB_ANNOUNCE_WHY//\"/\\\"}"
	fi
	printf ' "nics": ['

	for ((i = 0; i < $1; i++)); do
		printf '%s\n  {"name": "h1-eth%d", "switch_port": "tor-eth%d", "address": "10.0.%d.2", "gateway": "10.0.%d.1"}' \
			"$sep" $i $i $i $i
		sep=,
	done
	printf ']}\n'
}
