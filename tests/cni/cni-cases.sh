#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# multinic-cni, the CNI plugin, driven exactly as a container runtime
# drives it (CNI_* environment variables, the network configuration on
# stdin, a real network namespace) against a real multinicd, then under
# a real runtime: podman with its CNI network backend.
#
#   h1 (this netns): zebra + bgpd + multinicd, 2 NICs, authorization
#     vip-range 10.200.0.0/24 and fd00:200::/64, one eBGP session per NIC
#     with "redistribute multinic"
#     h1-eth0..1 10.0.N.2/24 ---- tor-eth0..1 (netns tor: zebra + bgpd,
#     maximum-paths: the VIP gets one path per NIC)
#   tor-eth2 10.1.0.1/24 ---- remote-eth0 10.1.0.2 (netns remote; every
#     address of 10.2.0.0/24 is local: many destinations, hashed apart)
#
# Must run as root in a throw-away network, mount and PID namespace
# (tests/cni/run-cni-tests makes one): it owns /etc/frr, /var/run/frr,
# /run/netns, /sys/fs/bpf and podman's storage.  Prints "PASS NAME" or
# "FAIL NAME: why" per case, diagnostics as "# ..." lines, and ends with
# "N passed, N failed".
#
# Environment: FRR_SBIN (/usr/lib/frr), CNI_BIN (/usr/lib/cni: the plugin
# and Debian's IPAM plugins), MN_CNI_CASES (the groups to run, default
# "plugin podman").
set -u

SBIN=${FRR_SBIN:-/usr/lib/frr}
CNI_BIN=${CNI_BIN:-/usr/lib/cni}
PLUGIN=$CNI_BIN/multinic
RUN=/var/run/frr
ETC=/etc/frr
TMP=${MN_CNI_TMP:-/var/tmp/mn-cni}
IPAM_DIR=$TMP/ipam
NICS="h1-eth0 h1-eth1"
REMOTE=10.1.0.2
NET=mnnet

npass=0
nfail=0
why=

note() { echo "# $*"; }
bad() { why="${why:+$why; }$*"; }
result() {
	if [ -z "$why" ]; then
		echo "PASS $1"
		npass=$((npass + 1))
	else
		echo "FAIL $1: $why"
		nfail=$((nfail + 1))
		note "--- show multinic task"
		vtysh -c "show multinic task" 2>&1 | sed 's/^/#   /'
		note "--- multinicd log (last 10 lines)"
		tail -n 10 "$TMP/multinicd.log" 2>/dev/null | sed 's/^/#   /'
	fi
	why=
}
wait_for() { # SECONDS COMMAND...
	local n=$(($1 * 5))
	shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
		n=$((n - 1))
	done
	return 1
}
ns() { local n=$1; shift; ip netns exec "$n" "$@"; }

#
# The plugin as a runtime runs it
#

# conf NAME VERSION IPAM_JSON [EXTRA_JSON]: a network configuration.
conf() {
	jq -nc --arg name "$1" --arg v "$2" --argjson ipam "${3:-null}" --argjson extra "${4:-{\}}" \
		'{cniVersion: $v, name: $name, type: "multinic"} +
		 (if $ipam then {ipam: $ipam} else {} end) + $extra'
}
host_local() { # the ranges of the authorization policy, or $1
	jq -nc --arg dir "$IPAM_DIR" --arg r4 "${1:-10.200.0.0/24}" \
		'{type: "host-local", dataDir: $dir,
		  ranges: [[{subnet: $r4}], [{subnet: "fd00:200::/64"}]]}'
}
# cni COMMAND CONTAINERID IFNAME NETNS CONF: $out (stdout), $rc.
cni() {
	out=$(printf '%s' "$5" | env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		CNI_COMMAND="$1" CNI_CONTAINERID="$2" CNI_IFNAME="$3" CNI_NETNS="$4" \
		CNI_PATH="${cni_path:-$CNI_BIN}" CNI_ARGS="IgnoreUnknown=1" "$PLUGIN" 2>"$TMP/cni.err")
	rc=$?
}
js() { printf '%s' "$out" | jq -r "$1" 2>/dev/null; }
# The task multinicd made for an attachment, as "show multinic task json" has it.
task_of() { # CONTAINERID
	vtysh -c "show multinic task json" 2>/dev/null |
		jq -c --arg c "$1" 'to_entries[] | select(.value.cni.containerId == $c)'
}
netns_path() { echo "/run/netns/$1"; }
nics_up_now() { [ "$(vtysh -c 'show multinic nic json' | jq '[.[] | select(.operUp)] | length')" = "$1" ]; }
nics_up() { wait_for "$2" nics_up_now "$1"; } # N SECONDS: until multinicd sees N NICs up
newns() {
	ip netns del "$1" 2>/dev/null
	ip netns add "$1" && ns "$1" ip link set lo up
}
# host-local keeps one file per address: "CONTAINERID\r\nIFNAME"
ipam_holds() { grep -rlsP "^$1\r?\$" "$IPAM_DIR" >/dev/null; } # CONTAINERID

#
# Topology and daemons
#

frr_conf_h1() {
	cat <<EOF
router bgp 65101
 bgp router-id 10.0.0.2
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor 10.0.0.1 remote-as external
 neighbor 10.0.0.1 timers 1 3
 neighbor 10.0.0.1 timers connect 1
 neighbor 10.0.1.1 remote-as external
 neighbor 10.0.1.1 timers 1 3
 neighbor 10.0.1.1 timers connect 1
 address-family ipv4 unicast
  redistribute multinic
  neighbor 10.0.0.1 activate
  neighbor 10.0.1.1 activate
 exit-address-family
exit
multinic
 nic h1-eth0 gateway 10.0.0.1
 nic h1-eth1 gateway 10.0.1.1
 authorization vip-range 10.200.0.0/24
 authorization vip-range fd00:200::/64
exit
EOF
}

frr_conf_tor() {
	cat <<EOF
router bgp 65000
 bgp router-id 10.1.0.1
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor 10.0.0.2 remote-as 65101
 neighbor 10.0.0.2 timers 1 3
 neighbor 10.0.0.2 timers connect 1
 neighbor 10.0.1.2 remote-as 65101
 neighbor 10.0.1.2 timers 1 3
 neighbor 10.0.1.2 timers connect 1
 address-family ipv4 unicast
  maximum-paths 8
  neighbor 10.0.0.2 activate
  neighbor 10.0.1.2 activate
 exit-address-family
exit
EOF
}

start_multinicd() {
	$SBIN/multinicd -d --log file:$TMP/multinicd.log --log-level debug || return 1
	wait_for 20 test -S $RUN/multinicd.vty
}

setup() {
	local i=0 n nic
	for n in tor remote; do
		ip netns add $n || return 1
	done
	for n in "" tor remote; do
		${n:+ip netns exec $n} sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
			net.ipv6.conf.all.forwarding=1 net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 >/dev/null
		${n:+ip netns exec $n} ip link set lo up
	done
	for nic in $NICS; do
		ip link add $nic type veth peer name tor-eth$i netns tor || return 1
		ip addr add 10.0.$i.2/24 dev $nic
		ip link set $nic up
		ns tor ip addr add 10.0.$i.1/24 dev tor-eth$i
		ns tor ip link set tor-eth$i up
		i=$((i + 1))
	done
	ip link add tor-eth2 netns tor type veth peer name remote-eth0 netns remote || return 1
	ns tor ip addr add 10.1.0.1/24 dev tor-eth2
	ns tor ip link set tor-eth2 up
	ns remote ip addr add $REMOTE/24 dev remote-eth0
	ns remote ip link set remote-eth0 up
	ns remote ip route add default via 10.1.0.1
	ns remote ip route add local 10.2.0.0/24 dev lo
	ns tor ip route add 10.2.0.0/24 via $REMOTE

	mkdir -p $RUN/tor $ETC/tor $TMP /var/tmp/frr /var/lib/frr "$IPAM_DIR"
	chown frr:frr $RUN $RUN/tor /var/tmp/frr /var/lib/frr
	echo "username root nopassword" >$ETC/vtysh.conf
	cp $ETC/vtysh.conf $ETC/tor/vtysh.conf
	frr_conf_h1 >$ETC/frr.conf
	frr_conf_tor >$ETC/tor/frr.conf
	for d in zebra bgpd; do
		ns tor $SBIN/$d -N tor -d --log file:$TMP/tor-$d.log || return 1
	done
	$SBIN/zebra -d --log file:$TMP/zebra.log || return 1
	$SBIN/bgpd -d --log file:$TMP/bgpd.log || return 1
	start_multinicd || return 1
	wait_for 20 test -S $RUN/bgpd.vty && wait_for 20 test -S $RUN/tor/bgpd.vty || return 1
	vtysh -N tor -f $ETC/tor/frr.conf >$TMP/tor-config.out 2>&1 ||
		{ note "vtysh -N tor -f: $(cat $TMP/tor-config.out)"; return 1; }
	vtysh -f $ETC/frr.conf >$TMP/config.out 2>&1 ||
		{ note "vtysh -f: $(cat $TMP/config.out)"; return 1; }
	nics_up 2 20
}

teardown() {
	local d
	podman_cmd rm -af -t 0 >/dev/null 2>&1
	for d in multinicd bgpd zebra; do
		[ -f $RUN/$d.pid ] && kill "$(cat $RUN/$d.pid)" 2>/dev/null
		[ -f $RUN/tor/$d.pid ] && kill "$(cat $RUN/tor/$d.pid)" 2>/dev/null
	done
	kill $(jobs -p) 2>/dev/null
	for n in $(ip netns list | awk '{print $1}'); do
		ip netns del "$n" 2>/dev/null
	done
}

#
# Cases: the plugin driven by hand
#

case_version() {
	local v
	for v in 0.4.0 1.0.0 1.1.0; do
		cni VERSION "" "" "" "{\"cniVersion\":\"$v\"}"
		[ $rc = 0 ] || bad "VERSION ($v) exited $rc"
		[ "$(js '.supportedVersions | join(",")')" = "0.4.0,1.0.0,1.1.0" ] ||
			bad "VERSION ($v): supportedVersions $(js -c .supportedVersions)"
		[ "$(js .cniVersion)" = $v ] || bad "VERSION ($v) answered cniVersion $(js .cniVersion)"
	done
	cni ADD c0 eth0 /run/netns/none "$(conf $NET 0.3.1 null)"
	[ $rc != 0 ] && [ "$(js .code)" = 1 ] || bad "cniVersion 0.3.1 not refused with code 1: $out"
	cni ADD "" eth0 /run/netns/none "$(conf $NET 1.1.0 null)"
	[ $rc != 0 ] && [ "$(js .code)" = 4 ] || bad "ADD without CNI_CONTAINERID not refused with code 4: $out"
	cni ADD c0 eth0 /run/netns/none "not json"
	[ $rc != 0 ] && [ "$(js .code)" = 6 ] || bad "a configuration that is not JSON not refused with code 6: $out"
	result version
}

case_status() {
	cni STATUS "" "" "" "$(conf $NET 1.1.0 null)"
	[ $rc = 0 ] && [ -z "$out" ] || bad "STATUS with both NICs up: exit $rc, $out"
	ip link set h1-eth1 down
	nics_up 1 10
	cni STATUS "" "" "" "$(conf $NET 1.1.0 null)"
	[ $rc != 0 ] && [ "$(js .code)" = 51 ] || bad "STATUS with one NIC of two down: exit $rc, $out (want code 51)"
	ip link set h1-eth0 down
	nics_up 0 10
	cni STATUS "" "" "" "$(conf $NET 1.1.0 null)"
	[ $rc != 0 ] && [ "$(js .code)" = 50 ] || bad "STATUS with no NIC up: exit $rc, $out (want code 50)"
	ip link set h1-eth0 up
	ip link set h1-eth1 up
	nics_up 2 10
	# an IPAM plugin that speaks 1.1.0 is asked too, and its error is ours
	fake_ipam
	cni_path=$TMP/cnibin
	cni STATUS "" "" "" "$(conf $NET 1.1.0 '{"type": "fake-ipam"}')"
	[ $rc != 0 ] && [ "$(js .msg)" = "pool exhausted" ] || bad "STATUS with a failing IPAM: exit $rc, $out"
	grep -q '^STATUS ' $TMP/fake-ipam.log || bad "the IPAM plugin was not asked for STATUS"
	cni GC "" "" "" "$(conf $NET 1.1.0 '{"type": "fake-ipam"}' '{"cni.dev/valid-attachments": []}')"
	[ $rc = 0 ] && grep -q '^GC .*valid-attachments' $TMP/fake-ipam.log ||
		bad "GC was not passed to the IPAM plugin: exit $rc, $out"
	cni_path=
	cni STATUS "" "" "" "$(conf $NET 1.1.0 '{}' '{"socket": "/nonexistent.sock"}')"
	[ $rc != 0 ] && [ "$(js .code)" = 50 ] || bad "STATUS with multinicd unreachable: exit $rc, $out (want code 50)"
	result status
}

# An IPAM plugin of specification 1.1.0 (host-local 1.1.1 is not) that
# logs what it is asked and is not ready.
fake_ipam() {
	mkdir -p $TMP/cnibin
	cat >$TMP/cnibin/fake-ipam <<EOF
#!/bin/sh
echo "\$CNI_COMMAND \$(cat)" >>$TMP/fake-ipam.log
case \$CNI_COMMAND in
VERSION) echo '{"cniVersion": "1.1.0", "supportedVersions": ["1.0.0", "1.1.0"]}' ;;
STATUS) echo '{"cniVersion": "1.1.0", "code": 50, "msg": "pool exhausted"}'; exit 1 ;;
esac
EOF
	chmod +x $TMP/cnibin/fake-ipam
}

# ADD with host-local (cniVersion 1.1.0: host-local 1.1.1 only knows up
# to 1.0.0, so the plugin asks it again in 1.0.0), dual stack.
case_add() {
	local t ip4 ip6 nsp
	newns ct-a || bad "cannot create netns ct-a"
	nsp=$(netns_path ct-a)
	cni ADD ct-a eth0 "$nsp" "$(conf $NET 1.1.0 "$(host_local)")"
	echo "$out" >$TMP/add-a.json
	[ $rc = 0 ] || bad "ADD exited $rc: $out $(cat $TMP/cni.err)"
	ip4=$(js '.ips[] | select(.address | contains(".")) | .address')
	ip6=$(js '.ips[] | select(.address | contains(":")) | .address')
	case $ip4 in 10.200.0.*/32) ;; *) bad "IPv4 address $ip4, want 10.200.0.x/32 from host-local" ;; esac
	case $ip6 in fd00:200::*/128) ;; *) bad "IPv6 address $ip6, want fd00:200::x/128 from host-local" ;; esac
	[ "$(js .cniVersion)" = 1.1.0 ] || bad "result cniVersion $(js .cniVersion)"
	[ "$(js '.interfaces[1].name')" = eth0 ] && [ "$(js '.interfaces[1].sandbox')" = "$nsp" ] ||
		bad "sandbox interface $(js -c '.interfaces[1]')"
	[ "$(js '.interfaces[1].mtu')" = 1500 ] || bad "sandbox interface MTU $(js '.interfaces[1].mtu'), want 1500 (the NICs')"
	[ "$(js '.ips[0].interface')" = 1 ] || bad "ips[0].interface $(js '.ips[0].interface')"
	[ "$(js '[.routes[].dst] | sort | join(",")')" = "0.0.0.0/0,::/0" ] ||
		bad "routes $(js -c .routes)"
	t=$(task_of ct-a)
	[ "$(echo "$t" | jq -r .value.status)" = wired ] || bad "task $(echo "$t" | jq -c .value)"
	[ "$(echo "$t" | jq -r .value.cni.network)" = $NET ] || bad "task's CNI network $(echo "$t" | jq -r .value.cni.network)"
	[ "$(echo "$t" | jq -r .value.vipV4)" = "$ip4" ] || bad "task VIP $(echo "$t" | jq -r .value.vipV4), ADD said $ip4"
	ns ct-a ip -o addr show dev eth0 | grep -q "inet ${ip4%/32}/32" || bad "$ip4 is not on eth0 in the sandbox"
	ns ct-a ping -c 2 -W 2 -q $REMOTE >/dev/null 2>&1 || bad "the sandbox does not reach $REMOTE"
	ipam_holds ct-a || bad "host-local holds no address for ct-a"
	result add-host-local
}

case_announced() {
	local ip4
	ip4=$(jq -r '.ips[] | select(.address | contains(".")) | .address' $TMP/add-a.json)
	wait_for 20 sh -c "[ \$(vtysh -N tor -c 'show ip route $ip4 json' | jq '.[\"$ip4\"][0].nexthops | length') = 2 ]" ||
		bad "tor's route to $ip4: $(vtysh -N tor -c "show ip route $ip4 json" | jq -c '.[][0].nexthops' 2>/dev/null) (want one BGP next hop per NIC)"
	result announced
}

case_running_config() {
	local name
	name=$(task_of ct-a | jq -r .key)
	vtysh -c "show running-config" >$TMP/running.conf 2>&1
	grep -q "task $name" $TMP/running.conf && bad "running-config lists the CNI task $name"
	grep -q "^ nic h1-eth0" $TMP/running.conf || bad "running-config lacks the configuration: $(tr '\n' '|' <$TMP/running.conf)"
	vtysh -c "show multinic task $name" | grep -q "CNI attachment: container ct-a, network $NET, interface eth0" ||
		bad "show multinic task $name does not name the attachment"
	# a configured task is saved, with the name of its device in the netns
	newns cfg1 || bad "cannot create netns cfg1"
	vtysh -c "configure" -c "multinic" -c "task cfg1" -c "netns cfg1" -c "vip 10.200.0.200/32" \
		-c "ifname net9" >$TMP/cfg1.out 2>&1 || bad "task cfg1: $(cat $TMP/cfg1.out)"
	wait_for 10 ns cfg1 ip link show net9 || bad "no net9 in netns cfg1"
	vtysh -c "show running-config" >$TMP/running.conf 2>&1
	grep -qx "  ifname net9" $TMP/running.conf || bad "running-config lacks task cfg1's ifname"
	vtysh -c "configure" -c "multinic" -c "no task cfg1" >/dev/null 2>&1
	ip netns del cfg1
	result running-config
}

# The socket: mode 0600, and only root is served (the frr user owns it).
case_socket() {
	local st
	st=$(stat -c '%a %U' $RUN/multinic-cni.sock)
	[ "$st" = "600 frr" ] || bad "$RUN/multinic-cni.sock is $st, want 600 frr"
	out=$(conf $NET 1.1.0 null | env -i CNI_COMMAND=STATUS \
		setpriv --reuid frr --regid frr --clear-groups "$PLUGIN")
	printf '%s' "$out" | grep -q "only root may use multinicd's CNI socket" ||
		bad "the frr user was not refused: $out"
	out=$(conf $NET 1.1.0 null | env -i CNI_COMMAND=STATUS \
		setpriv --reuid nobody --regid nogroup --clear-groups "$PLUGIN")
	printf '%s' "$out" | grep -q "Permission denied" || bad "nobody was not refused: $out"
	result socket
}

case_check() {
	local c ip4
	c=$(conf $NET 1.1.0 "$(host_local)" "{\"prevResult\": $(cat $TMP/add-a.json)}")
	cni CHECK ct-a eth0 "$(netns_path ct-a)" "$c"
	[ $rc = 0 ] || bad "CHECK of a wired task exited $rc: $out"
	ip4=$(jq -r '.ips[] | select(.address | contains(".")) | .address' $TMP/add-a.json)
	ns ct-a ip addr del "$ip4" dev eth0
	cni CHECK ct-a eth0 "$(netns_path ct-a)" "$c"
	[ $rc != 0 ] && [ "$(js .code)" = 103 ] || bad "CHECK with the address removed: exit $rc, $out (want code 103)"
	cni CHECK ct-zz eth0 "$(netns_path ct-a)" "$c"
	[ $rc != 0 ] && [ "$(js .code)" = 3 ] || bad "CHECK of an unknown container: exit $rc, $out (want code 3)"
	result check
}

# Addresses from the runtime (no IPAM), cniVersion 0.4.0.
case_add_runtime_ips() {
	newns ct-b || bad "cannot create netns ct-b"
	cni ADD ct-b net1 "$(netns_path ct-b)" "$(conf $NET 0.4.0 null '{"runtimeConfig": {"ips": ["10.200.0.77/24"]}}')"
	[ $rc = 0 ] || bad "ADD exited $rc: $out"
	[ "$(js '.ips[0].address')" = 10.200.0.77/32 ] && [ "$(js '.ips[0].version')" = 4 ] ||
		bad "0.4.0 IPs $(js -c .ips)"
	[ "$(js '.interfaces[1].mtu')" = null ] || bad "a 0.4.0 result carries an interface MTU"
	ns ct-b ip -o addr show dev net1 | grep -q "10.200.0.77/32" || bad "10.200.0.77/32 not on net1"
	result add-runtime-ips
}

# static IPAM, cniVersion 1.0.0, MTU from the configuration.
case_add_static() {
	newns ct-c || bad "cannot create netns ct-c"
	cni ADD ct-c eth0 "$(netns_path ct-c)" \
		"$(conf $NET 1.0.0 '{"type": "static", "addresses": [{"address": "10.200.0.88/24"}]}' '{"mtu": 1400}')"
	[ $rc = 0 ] || bad "ADD exited $rc: $out"
	[ "$(js '.ips[0].address')" = 10.200.0.88/32 ] || bad "IPs $(js -c .ips)"
	[ "$(ns ct-c cat /sys/class/net/eth0/mtu 2>/dev/null)" = 1400 ] ||
		bad "eth0's MTU $(ns ct-c cat /sys/class/net/eth0/mtu 2>/dev/null), want 1400"
	result add-static
}

# An address outside the authorization policy: the northbound's refusal.
case_add_refused() {
	local before
	newns ct-x || bad "cannot create netns ct-x"
	before=$(vtysh -c "show multinic task json" | jq length)
	cni ADD ct-x eth0 "$(netns_path ct-x)" "$(conf $NET 1.0.0 "$(host_local 10.201.0.0/24)")"
	[ $rc != 0 ] && [ "$(js .code)" = 100 ] || bad "ADD of 10.201.0.x: exit $rc, $out (want code 100)"
	js .details | grep -q "outside every IPv4 authorization vip-range" ||
		bad "the error does not carry the validation's message: $(js .details)"
	[ "$(vtysh -c "show multinic task json" | jq length)" = "$before" ] || bad "a task was left"
	ipam_holds ct-x && bad "host-local still holds an address for ct-x"
	ns ct-x ip link show eth0 >/dev/null 2>&1 && bad "eth0 exists in the refused sandbox"
	result add-refused
}

case_del() {
	local name host
	name=$(task_of ct-a | jq -r .key)
	host=$(task_of ct-a | jq -r .value.hostInterface)
	cni DEL ct-a eth0 "$(netns_path ct-a)" "$(conf $NET 1.1.0 "$(host_local)")"
	[ $rc = 0 ] && [ -z "$out" ] || bad "DEL exited $rc: $out"
	[ -z "$(task_of ct-a)" ] || bad "task $name is still there"
	ip link show "$host" >/dev/null 2>&1 && bad "host device $host is still there"
	ipam_holds ct-a && bad "host-local still holds ct-a's addresses"
	cni DEL ct-a eth0 "$(netns_path ct-a)" "$(conf $NET 1.1.0 "$(host_local)")"
	[ $rc = 0 ] || bad "a repeated DEL exited $rc: $out"
	# the sandbox went first (a runtime may delete it before DEL)
	ip netns del ct-b
	cni DEL ct-b net1 "$(netns_path ct-b)" "$(conf $NET 0.4.0 null)"
	[ $rc = 0 ] || bad "DEL after the netns went exited $rc: $out"
	[ -z "$(task_of ct-b)" ] || bad "ct-b's task is still there"
	cni DEL ct-b net1 "" "$(conf $NET 0.4.0 null)"
	[ $rc = 0 ] || bad "a repeated DEL without CNI_NETNS exited $rc: $out"
	cni DEL ct-c eth0 "$(netns_path ct-c)" "$(conf $NET 1.0.0 '{"type": "static", "addresses": [{"address": "10.200.0.88/24"}]}')"
	[ $rc = 0 ] || bad "DEL of ct-c exited $rc: $out"
	result del
}

case_gc() {
	local c
	for c in g1 g2 g3; do
		newns $c || bad "cannot create netns $c"
	done
	cni ADD g1 eth0 "$(netns_path g1)" "$(conf $NET 1.1.0 "$(host_local)")" || true
	cni ADD g2 eth0 "$(netns_path g2)" "$(conf $NET 1.1.0 "$(host_local)")" || true
	# another network: GC of $NET must leave it alone
	cni ADD g3 eth0 "$(netns_path g3)" "$(conf other 1.1.0 null '{"runtimeConfig": {"ips": ["10.200.0.99/32"]}}')"
	[ -n "$(task_of g1)" ] && [ -n "$(task_of g2)" ] && [ -n "$(task_of g3)" ] ||
		bad "ADD of g1, g2, g3 did not make three tasks"
	c=$(conf $NET 1.1.0 "$(host_local)" '{"cni.dev/valid-attachments": [{"containerID": "g1", "ifname": "eth0"}]}')
	cni GC "" "" "" "$c"
	[ $rc = 0 ] || bad "GC exited $rc: $out"
	[ -n "$(task_of g1)" ] || bad "GC removed g1, a valid attachment"
	[ -z "$(task_of g2)" ] || bad "GC left g2, which is not in the valid attachments"
	[ -n "$(task_of g3)" ] || bad "GC of network $NET removed g3 of network other"
	ipam_holds g2 && bad "host-local still holds g2's addresses"
	ipam_holds g1 || bad "host-local released g1's addresses"
	cni GC "" "" "" "$c"
	[ $rc = 0 ] && [ -n "$(task_of g1)" ] || bad "a repeated GC: exit $rc, g1 $(task_of g1 | jq -r .value.status)"
	cni GC "" "" "" "$(conf $NET 1.1.0 "$(host_local)" '{"cni.dev/valid-attachments": []}')"
	[ $rc = 0 ] && [ -z "$(task_of g1)" ] || bad "GC with no valid attachment left g1"
	result gc
}

# No NIC up: the task cannot be wired; ADD gives up after 10 s and leaves nothing.
case_add_timeout() {
	local t0
	newns ct-t || bad "cannot create netns ct-t"
	ip link set h1-eth0 down
	ip link set h1-eth1 down
	t0=$(date +%s)
	cni ADD ct-t eth0 "$(netns_path ct-t)" "$(conf $NET 1.1.0 null '{"runtimeConfig": {"ips": ["10.200.0.66/32"]}}')"
	[ $rc != 0 ] && [ "$(js .code)" = 102 ] || bad "ADD with no NIC up: exit $rc, $out (want code 102)"
	js .details | grep -q "waiting" || bad "the error does not say the task was waiting: $(js .details)"
	[ $(($(date +%s) - t0)) -le 15 ] || bad "ADD took $(($(date +%s) - t0)) s"
	[ -z "$(task_of ct-t)" ] || bad "the task was left"
	ip link set h1-eth0 up
	ip link set h1-eth1 up
	nics_up 2 10
	ip netns del ct-t
	result add-timeout
}

# A restarted multinicd commits its CNI tasks again (state file in /var/run/frr).
case_restart() {
	local t0 t1
	t0=$(task_of g3 | jq -c '{key, vip: .value.vipV4, ns: .value.netns}')
	kill "$(cat $RUN/multinicd.pid)"
	wait_for 10 sh -c "! test -S $RUN/multinicd.vty"
	cni STATUS "" "" "" "$(conf $NET 1.1.0 null)"
	[ $rc != 0 ] && [ "$(js .code)" = 50 ] || bad "STATUS with multinicd stopped: exit $rc, $out (want code 50)"
	cni DEL g3 eth0 "$(netns_path g3)" "$(conf other 1.1.0 null)"
	[ $rc != 0 ] && [ "$(js .code)" = 11 ] || bad "DEL with multinicd stopped: exit $rc, $out (want code 11, try again)"
	start_multinicd || bad "multinicd does not start again"
	vtysh -f $ETC/frr.conf >$TMP/config.out 2>&1 || bad "vtysh -f: $(cat $TMP/config.out)"
	wait_for 20 sh -c "[ \"\$(vtysh -c 'show multinic task json' | jq -r '.[] | select(.cni.containerId == \"g3\") | .status')\" = wired ]" ||
		bad "g3's task after the restart: $(task_of g3 | jq -c .value)"
	t1=$(task_of g3 | jq -c '{key, vip: .value.vipV4, ns: .value.netns}')
	[ "$t0" = "$t1" ] || bad "g3's task was $t0, is $t1"
	vtysh -c "show running-config" | grep -q "task cni-" && bad "running-config lists a CNI task after the restart"
	ns g3 ping -c 2 -W 2 -q $REMOTE >/dev/null 2>&1 || bad "g3 does not reach $REMOTE after the restart"
	cni DEL g3 eth0 "$(netns_path g3)" "$(conf other 1.1.0 null)"
	[ $rc = 0 ] && [ -z "$(task_of g3)" ] || bad "DEL of g3: exit $rc, $out"
	result restart
}

#
# podman
#

PODMAN_CONF=$TMP/podman
podman_cmd() {
	CONTAINERS_CONF=$PODMAN_CONF/containers.conf podman --root $PODMAN_CONF/storage \
		--runroot $PODMAN_CONF/run --tmpdir $PODMAN_CONF/tmp --cgroup-manager cgroupfs --runtime runc \
		--network-backend cni --network-config-dir $PODMAN_CONF/net.d "$@"
}

podman_setup() {
	local bb
	mkdir -p $PODMAN_CONF/net.d $PODMAN_CONF/rootfs/bin
	# podman's default ulimits are above this sandbox's hard limits
	cat >$PODMAN_CONF/containers.conf <<EOF
[containers]
default_ulimits = []
[network]
cni_plugin_dirs = ["$CNI_BIN"]
EOF
	jq -n --arg dir "$IPAM_DIR" '{cniVersion: "1.0.0", name: "multinic",
		plugins: [{type: "multinic", ipam: {type: "host-local", dataDir: $dir,
			ranges: [[{subnet: "10.200.0.0/24"}]]}}]}' >$PODMAN_CONF/net.d/90-multinic.conflist
	# the image, from busybox-static: no registry
	bb=$(command -v busybox)
	cp "$bb" $PODMAN_CONF/rootfs/bin/busybox
	for a in $("$bb" --list); do
		[ "$a" = busybox ] || ln -s busybox $PODMAN_CONF/rootfs/bin/$a
	done
	tar -C $PODMAN_CONF/rootfs -cf $PODMAN_CONF/image.tar .
	podman_cmd import $PODMAN_CONF/image.tar localhost/mn-busybox:test >$TMP/podman-import.out 2>&1
}

case_podman() {
	local ip4 name host ids
	podman_setup || { bad "podman import: $(tail -3 $TMP/podman-import.out)"; result podman-run; return; }
	ns tor tcpdump -Z root -i any -Q in -nn -t -l "src net 10.200.0.0/24" >$TMP/capture 2>$TMP/tcpdump.err &
	wait_for 10 grep -q listening $TMP/tcpdump.err
	if ! podman_cmd run -d --name c1 --network multinic --ulimit host localhost/mn-busybox:test \
		sleep 600 >$TMP/podman-run.out 2>&1; then
		bad "podman run: $(tail -5 $TMP/podman-run.out)"
		result podman-run
		return
	fi
	ip4=$(podman_cmd inspect c1 | jq -r '.[0].NetworkSettings.Networks.multinic.IPAddress')
	t=$(vtysh -c "show multinic task json" | jq -c '.[] | select(.cni.network == "multinic")')
	[ "$(echo "$t" | jq -r .status)" = wired ] || bad "the container's task: $t"
	[ "$(echo "$t" | jq -r .vipV4)" = "$ip4/32" ] || bad "podman says $ip4, the task has $(echo "$t" | jq -r .vipV4)"
	podman_cmd exec c1 ip -o addr show eth0 | grep -q "inet $ip4/32" || bad "$ip4/32 not on eth0 in the container"
	result podman-run

	# 32 destinations, hashed over the NICs
	for i in $(seq 1 32); do
		podman_cmd exec c1 ping -c 1 -W 2 10.2.0.$i >/dev/null 2>&1 || bad "10.2.0.$i does not answer the container"
	done
	sleep 1
	used=$(awk '$2 == "In" {print $1}' $TMP/capture | sort | uniq -c | tr '\n' ' ')
	[ "$(awk '$2 == "In" {print $1}' $TMP/capture | sort -u | wc -l)" = 2 ] ||
		bad "the container's packets reached tor on: $used (want both NICs)"
	note "packets from the container per tor interface: $used"
	result podman-all-nics

	wait_for 20 sh -c "[ \$(vtysh -N tor -c 'show ip route $ip4/32 json' | jq '.[\"$ip4/32\"][0].nexthops | length') = 2 ]" ||
		bad "tor's route to $ip4/32: $(vtysh -N tor -c "show ip route $ip4/32 json" | jq -c '.[][0].nexthops' 2>/dev/null)"
	ns remote ping -c 2 -W 2 -q $ip4 >/dev/null 2>&1 || bad "remote does not reach the container's VIP $ip4"
	result podman-announced

	host=$(echo "$t" | jq -r .hostInterface)
	podman_cmd rm -f -t 0 c1 >$TMP/podman-rm.out 2>&1 || bad "podman rm: $(tail -3 $TMP/podman-rm.out)"
	[ -z "$(vtysh -c 'show multinic task json' | jq -c '.[] | select(.cni.network == "multinic")')" ] ||
		bad "the task is still there"
	ip link show "$host" >/dev/null 2>&1 && bad "host device $host is still there"
	[ -z "$(ls $IPAM_DIR/multinic 2>/dev/null | grep -v -e lock -e last_reserved)" ] ||
		bad "host-local still holds: $(ls $IPAM_DIR/multinic)"
	wait_for 20 sh -c "! vtysh -N tor -c 'show ip route $ip4/32 json' | jq -e '.[\"$ip4/32\"]'" ||
		bad "tor still has a route to $ip4/32"
	ids=$(ip netns list | grep -c '^netns-')
	[ "$ids" = 0 ] || bad "$ids podman network namespaces left"
	result podman-rm
}

#
# Main
#

trap teardown EXIT
mkdir -p $TMP
if ! setup; then
	echo "FAIL setup: the topology or the daemons did not come up (logs in $TMP)"
	echo "0 passed, 1 failed"
	exit 1
fi
note "multinicd $(vtysh -c 'show multinic json' | jq -r '.version // empty'), datapath $(vtysh -c 'show multinic json' | jq -r .egress.datapath)"
for group in ${MN_CNI_CASES:-plugin podman}; do
	case $group in
	plugin)
		case_version
		case_socket
		case_status
		case_add
		case_announced
		case_running_config
		case_check
		case_add_runtime_ips
		case_add_static
		case_add_refused
		case_add_timeout
		case_del
		case_gc
		case_restart
		;;
	podman) case_podman ;;
	diag) eval "${MN_CNI_DIAG:-true}" ;; # a command of one's own, for debugging
	esac
done
echo "$npass passed, $nfail failed"
[ $nfail = 0 ]
