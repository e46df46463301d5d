#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# multinicd's eBPF egress datapath end to end, on whatever kernel runs it:
# netkit where the kernel has it (Debian's 6.12 kernel in the VM of
# tests/vm/run-in-vm.sh), veth + tcx elsewhere (the host kernel).
# tests/vm/run-datapath-tests runs it in both places.
#
#   h1 (this netns): zebra + multinicd, egress-mode ebpf, 4 NICs
#     h1-eth0..3 10.0.N.2/24 fd00:0:N::2/64 ---- tor-eth0..3 (netns tor)
#     task job1 (netns job1): VIPs 10.200.0.1/32, fd00:200::1/128
#   tor: routes the VIPs to h1 via h1-eth0, the rest to remote
#     tor-eth4 10.1.0.1/24 fd00:1::1/64 ---- remote-eth0 10.1.0.2 fd00:1::2
#   remote: every address of 10.2.0.0/24 and fd00:2::/64 is local (many
#     destinations for ICMP, which is hashed by addresses); a TCP listener
#     on port 5000 (TCP is hashed by ports).
#
# Which NIC carried a packet, and with which source, is read from a
# capture on the tor side of the NICs (tcpdump); that the host stack did
# not forward it from h1's IP statistics (ForwDatagrams).
#
# Must run as root in a throw-away network and mount namespace (the VM,
# or the one run-datapath-tests creates on the host): it creates network
# namespaces, starts FRR daemons and owns /etc/frr, /var/run/frr and
# /sys/fs/bpf.  Prints one line per case, "PASS DATAPATH/NAME" or
# "FAIL DATAPATH/NAME: why" (DATAPATH: netkit or veth-tcx; "XFAIL" for a
# known failure), diagnostics as "# ..." lines, and ends with "N passed,
# N failed".  Exit status 0 when no case failed.
#
# Environment: BB the busybox binary (default busybox), MN_EXPECT_NETKIT=1
# to fail when the kernel has no netkit (the VM), FRR_SBIN (/usr/lib/frr),
# MN_DP_CASES the groups of cases to run, in order (default: probe wire
# egress ingress spoof nic-down restart hardening detach remove lifecycle;
# later ones assume probe and wire, restart egress, lifecycle remove),
# MN_DP_KNOWN_FAILURES (see KNOWN_FAILURES).
# Lists of addresses and pids are split into words on purpose:
# shellcheck disable=SC2046
set -u

BB=${BB:-busybox}
SBIN=${FRR_SBIN:-/usr/lib/frr}
RUN=/var/run/frr
ETC=/etc/frr
TMP=${MN_DP_TMP:-/var/tmp/mn-datapath}
CAP=$TMP/capture
NICS="h1-eth0 h1-eth1 h1-eth2 h1-eth3"
VIP4=10.200.0.1
VIP6=fd00:200::1
REMOTE4=10.1.0.2
REMOTE6=fd00:1::2
NDST=24 # destinations per ICMP case
NPORTS=16 # source ports per TCP case
TASK_IF=mn-job1
# A hostile task's sources: not its own (another task's, anyone's)
SPOOF4=10.9.9.9
SPOOF6=fd00:99::9
LINK_PIN=/sys/fs/bpf/multinic/links/task-job1

# Known failures: multinicd bugs these cases found, reported and not yet
# fixed.  Such a case prints "XFAIL ..." (not counted as failed) while it
# fails, and asks to be taken off this list once it passes.  Empty: the
# three it held (task removal leaving a pinned link, netkit links not
# adopted on restart) were fixed in 08950e4 and 105f14a.
KNOWN_FAILURES=${MN_DP_KNOWN_FAILURES-""}

npass=0
nfail=0
nxfail=0
why=
dp=unknown

note() { echo "# $*"; }
# Run "$@" quietly; on failure add $desc to the reasons the case fails.
ck() {
	desc=$1
	shift
	"$@" >/dev/null 2>&1 || why="${why:+$why; }$desc"
}
bad() { why="${why:+$why; }$*"; }
known() {
	for k in $KNOWN_FAILURES; do
		[ "$k" = "$1" ] && return 0
	done
	return 1
}
result() {
	if [ -z "$why" ]; then
		if known "$dp/$1"; then
			echo "PASS $dp/$1 (a known failure no more: take it off KNOWN_FAILURES in tests/vm/datapath-cases.sh)"
		else
			echo "PASS $dp/$1"
		fi
		npass=$((npass + 1))
	elif known "$dp/$1"; then
		echo "XFAIL $dp/$1: $why (known, see KNOWN_FAILURES)"
		nxfail=$((nxfail + 1))
	else
		echo "FAIL $dp/$1: $why"
		nfail=$((nfail + 1))
		diagnostics
	fi
	why=
}
diagnostics() {
	note "--- show multinic task job1"
	vtysh -c "show multinic task job1" 2>&1 | sed 's/^/#   /'
	note "--- bpftool link show"
	bpftool link show 2>&1 | sed 's/^/#   /'
	pid=$(cat $RUN/multinicd.pid 2>/dev/null)
	note "--- bpf links multinicd holds open: $(grep -h '^link_id:' /proc/${pid:-0}/fdinfo/* 2>/dev/null |
		$BB awk '{print $2}' | $BB sort -n | tr '\n' ' ')"
	note "--- multinicd log (last 15 lines)"
	tail -n 15 "$TMP/multinicd.log" 2>/dev/null | sed 's/^/#   /'
}
# wait_for SECONDS COMMAND...: until COMMAND succeeds
wait_for() {
	n=$(($1 * 5))
	shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		$BB sleep 0.2
		n=$((n - 1))
	done
	return 1
}

ns() { n=$1; shift; ip netns exec "$n" "$@"; }
vt() { vtysh -c "$*" 2>&1; }
# vtc CMD...: several commands in one vtysh session (none with a quote)
vtc() {
	cmd=vtysh
	for c in "$@"; do cmd="$cmd -c '$c'"; done
	eval "$cmd" 2>&1
}
# The show command's JSON on one line, without blanks.
vtj() { vtysh -c "$*" 2>/dev/null | tr -d ' \n'; }

#
# Topology and daemons
#

setup() {
	for n in tor remote job1; do
		ip netns add $n || return 1
	done
	for n in "" tor remote job1; do
		x=${n:+ip netns exec $n}
		$x $BB sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 \
			net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
			net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null
		$x ip link set lo up
	done
	i=0
	for nic in $NICS; do
		ip link add $nic type veth peer name tor-eth$i netns tor || return 1
		ip addr add 10.0.$i.2/24 dev $nic
		ip addr add fd00:0:$i::2/64 dev $nic
		ip link set $nic up
		ns tor ip addr add 10.0.$i.1/24 dev tor-eth$i
		ns tor ip addr add fd00:0:$i::1/64 dev tor-eth$i
		ns tor ip link set tor-eth$i up
		i=$((i + 1))
	done
	ip link add tor-eth4 netns tor type veth peer name remote-eth0 netns remote || return 1
	ns tor ip addr add 10.1.0.1/24 dev tor-eth4
	ns tor ip addr add fd00:1::1/64 dev tor-eth4
	ns tor ip link set tor-eth4 up
	ns tor ip route add $VIP4/32 via 10.0.0.2
	ns tor ip -6 route add $VIP6/128 via fd00:0:0::2
	ns tor ip route add 10.2.0.0/24 via $REMOTE4
	ns tor ip -6 route add fd00:2::/64 via $REMOTE6
	ns remote ip addr add $REMOTE4/24 dev remote-eth0
	ns remote ip addr add $REMOTE6/64 dev remote-eth0
	ns remote ip link set remote-eth0 up
	ns remote ip route add default via 10.1.0.1
	ns remote ip -6 route add default via fd00:1::1
	ns remote ip route add local 10.2.0.0/24 dev lo
	ns remote ip -6 route add local fd00:2::/64 dev lo
	ns remote $BB nc -ll -p 5000 -e $BB true </dev/null >/dev/null 2>&1 &

	mkdir -p $RUN $ETC $TMP /var/tmp/frr /var/lib/frr
	chown frr:frr $RUN /var/tmp/frr /var/lib/frr
	chmod 755 $RUN
	# root may use vtysh without PAM (the VM has no PAM configuration)
	echo "username root nopassword" >$ETC/vtysh.conf
	cat >$ETC/frr.conf <<EOF
interface h1-eth0
 ip address 10.0.0.2/24
exit
multinic
 egress-mode ebpf
 placement hash
 nic h1-eth0 gateway 10.0.0.1 gateway fd00:0:0::1
 nic h1-eth1 gateway 10.0.1.1 gateway fd00:0:1::1
 nic h1-eth2 gateway 10.0.2.1 gateway fd00:0:2::1
 nic h1-eth3 gateway 10.0.3.1 gateway fd00:0:3::1
 task job1
  netns job1
  vip $VIP4/32
  vip $VIP6/128
 exit
exit
EOF
	for d in zebra multinicd; do
		$SBIN/$d -d --log file:$TMP/$d.log --log-level debug || return 1
	done
	wait_for 20 test -S $RUN/multinicd.vty || return 1
	wait_for 20 test -S $RUN/zebra.vty || return 1
	# the task's device as it is created (netkit: its peer's policy)
	ip -d monitor link >$TMP/links 2>&1 &
	$BB sleep 0.2
	vtysh -f $ETC/frr.conf >$TMP/config.out 2>&1 ||
		{ note "vtysh -f: $(cat $TMP/config.out)"; return 1; }

	# The capture on the tor side of the NICs: "IFNAME In IP SRC > DST: ..."
	ns tor tcpdump -Z root -i any -Q in -nn -t -l \
		"src host $VIP4 or src host $VIP6 or src host $SPOOF4 or src host $SPOOF6" \
		>$CAP 2>$TMP/tcpdump.err &
	wait_for 20 grep -q listening $TMP/tcpdump.err
}

teardown() {
	for d in multinicd zebra; do
		[ -f $RUN/$d.pid ] && kill "$(cat $RUN/$d.pid)" 2>/dev/null
	done
	kill $(jobs -p) 2>/dev/null
	for n in job1 job2 job3 job4 tor remote; do
		ip netns del $n 2>/dev/null
	done
}

#
# Evidence
#

cap_mark() { $BB wc -l <$CAP; }
# "IFNAME FLOW" of each packet captured since MARK, once per pair; FLOW
# is the destination (ICMP) or source.port>destination.port (TCP).
cap_flows() {
	# the capture lags behind: until it has not grown for half a second
	n=0
	c0=$(cap_mark)
	while [ $n -lt 20 ]; do
		$BB sleep 0.5
		c1=$(cap_mark)
		[ "$c1" = "$c0" ] && [ $n -ge 1 ] && break
		c0=$c1
		n=$((n + 1))
	done
	$BB tail -n +$(($1 + 1)) $CAP |
		$BB awk '$2 == "In" && $5 == ">" {
			dst = $6; sub(/:$/, "", dst)
			if ($7 == "ICMP" || $7 == "ICMP6,") print $1, dst
			else print $1, $4 ">" dst }' | $BB sort -u
}
nics_used() { $BB awk '{print $1}' "$1" | $BB sort -u | $BB wc -l; }
# A flow captured on two NICs moved mid-flow.
split_flows() { $BB awk '{print $2}' "$1" | $BB sort | $BB uniq -d | $BB wc -l; }

# Datagrams the host stack forwarded (IPv4 + IPv6): the eBPF datapath
# bypasses it, kernel mode does not.
forwarded() {
	v4=$($BB awk '/^Ip: [0-9]/ {print $7}' /proc/net/snmp)
	v6=$($BB awk '$1 == "Ip6OutForwDatagrams" {print $2}' /proc/net/snmp6)
	echo $((v4 + v6))
}

# ping_all FAMILY COUNT FROM_NETNS ADDRESS...: COUNT echoes to each
# address at once; the number of addresses that did not answer.
ping_all() {
	fam=$1 cnt=$2 from=$3
	shift 3
	rm -f $TMP/ping.*
	pids=
	for a in "$@"; do
		(ns "$from" $BB ping -$fam -c "$cnt" -i 0.2 -W 3 -q "$a" >/dev/null 2>&1 ||
			echo "$a" >$TMP/ping.lost.$a) &
		pids="$pids $!"
	done
	wait $pids
	ls $TMP/ping.lost.* 2>/dev/null | $BB wc -l
}
dsts() { # dsts 4|6 N
	i=1
	while [ $i -le "$2" ]; do
		if [ "$1" = 4 ]; then printf '10.2.0.%d ' $i; else printf 'fd00:2::%x ' $i; fi
		i=$((i + 1))
	done
}

# egress FAMILY NAME: ICMP to NDST addresses from the task, twice each.
egress_icmp() {
	fam=$1
	m=$(cap_mark)
	f0=$(forwarded)
	lost=$(ping_all $fam 2 job1 $(dsts $fam $NDST))
	[ "$lost" = 0 ] || bad "$lost of $NDST destinations did not answer"
	cap_flows $m >$TMP/flows.$2
	[ "$(forwarded)" = "$f0" ] || bad "the host stack forwarded $(($(forwarded) - f0)) datagrams"
	used=$(nics_used $TMP/flows.$2)
	[ "$used" -ge 3 ] || bad "VIP-sourced flows left through $used NIC(s), want >= 3: $(tr '\n' ' ' <$TMP/flows.$2)"
	[ "$(split_flows $TMP/flows.$2)" = 0 ] || bad "flows split over NICs: $(tr '\n' ' ' <$TMP/flows.$2)"
	[ "$($BB wc -l <$TMP/flows.$2)" -ge "$NDST" ] || bad "only $($BB wc -l <$TMP/flows.$2) of $NDST flows captured with the VIP as source"
}

# egress_tcp FAMILY NAME: NPORTS connections from distinct source ports.
egress_tcp() {
	fam=$1
	if [ "$fam" = 4 ]; then dst=$REMOTE4; else dst=$REMOTE6; fi
	m=$(cap_mark)
	f0=$(forwarded)
	p=40001
	failed=0
	while [ $p -le $((40000 + NPORTS)) ]; do
		ns job1 $BB nc -w 3 -p $p $dst 5000 </dev/null >/dev/null 2>&1 ||
			failed=$((failed + 1))
		p=$((p + 1))
	done
	[ $failed = 0 ] || bad "$failed of $NPORTS connections failed"
	cap_flows $m >$TMP/flows.$2
	[ "$(forwarded)" = "$f0" ] || bad "the host stack forwarded $(($(forwarded) - f0)) datagrams"
	used=$(nics_used $TMP/flows.$2)
	[ "$used" -ge 3 ] || bad "connections left through $used NIC(s), want >= 3: $(tr '\n' ' ' <$TMP/flows.$2)"
	[ "$(split_flows $TMP/flows.$2)" = 0 ] || bad "connections split over NICs: $(tr '\n' ' ' <$TMP/flows.$2)"
}

task_rx() { # the task's rxPackets in show multinic counters json
	vtj "show multinic counters json" |
		$BB sed -n 's/.*"tasks":{.*"job1":{[^}]*"rxPackets":\([0-9]*\).*/\1/p'
}

# attached HOOK: mn_egress attached to the task's device, as bpftool sees
# it.  A netkit link is attached through the primary, but the kernel
# reports the device it sits on: the peer (its ifindex in the task's netns).
detached() { ! attached "$1"; }
attached() {
	if [ "$1" = netkit_peer ]; then
		ifindex=$(ip -n job1 -o link show mn0 2>/dev/null | $BB cut -d: -f1)
	else
		ifindex=$(cat /sys/class/net/$TASK_IF/ifindex 2>/dev/null)
	fi
	[ -n "$ifindex" ] || return 1
	for id in $(bpftool -j link show 2>/dev/null | tr -d ' ' | $BB sed 's/},{/}\n{/g' |
		grep "\"ifindex\":${ifindex}[,}]" | grep "\"attach_type\":\"$1\"" |
		$BB sed -n 's/.*"prog_id":\([0-9]*\).*/\1/p'); do
		bpftool prog show id "$id" 2>/dev/null | grep -q ' name mn_egress ' && return 0
	done
	return 1
}

task_counter() { # the task's COUNTER in show multinic counters json
	vtj "show multinic counters json" |
		$BB sed -n "s/.*\"tasks\":{.*\"job1\":{[^}]*\"$1\":\([0-9]*\).*/\1/p"
}

# spoof NAME: the task (root in its netns, as a hostile one may be) puts
# addresses that are not its own on its device and sends from them,
# IPv4 and IPv6, ICMP and UDP: nothing of it leaves through any NIC, the
# task's "spoofed" counter counts every packet; its VIP still works.
spoof() {
	m=$(cap_mark)
	s0=$(task_counter spoofed)
	ns job1 ip addr add $SPOOF4/32 dev mn0
	ns job1 ip addr add $SPOOF6/128 dev mn0 nodad
	ns job1 $BB ping -c 5 -i 0.1 -W 1 -I $SPOOF4 $REMOTE4 >/dev/null 2>&1 &&
		bad "a ping from $SPOOF4 was answered"
	ns job1 $BB ping -6 -c 5 -i 0.1 -W 1 -I $SPOOF6 $REMOTE6 >/dev/null 2>&1 &&
		bad "a ping from $SPOOF6 was answered"
	# UDP too: traceroute probes (how many busybox sends varies; not counted)
	ns job1 $BB traceroute -n -m 2 -q 1 -w 1 -s $SPOOF4 $REMOTE4 >/dev/null 2>&1
	ns job1 $BB traceroute -6 -n -m 2 -q 1 -w 1 -s $SPOOF6 $REMOTE6 >/dev/null 2>&1
	ns job1 ip addr del $SPOOF4/32 dev mn0
	ns job1 ip addr del $SPOOF6/128 dev mn0
	cap_flows $m >$TMP/flows.$1
	grep -E "(^| )($SPOOF4|$SPOOF6)" $TMP/flows.$1 >/dev/null &&
		bad "spoofed packets left: $(grep -E "$SPOOF4|$SPOOF6" $TMP/flows.$1 | tr '\n' ' ')"
	$BB tail -n +$((m + 1)) $CAP | grep -qE " ($SPOOF4|$SPOOF6)[. ]" &&
		bad "the tor saw spoofed sources: $($BB tail -n +$((m + 1)) $CAP | grep -E "$SPOOF4|$SPOOF6" | head -3 | tr '\n' ' ')"
	s1=$(task_counter spoofed)
	[ -n "$s1" ] && [ "$s1" -ge $((${s0:-0} + 10)) ] ||
		bad "the task's spoofed counter went from ${s0:-?} to ${s1:-?}, want at least +10 (5 + 5 pings)"
	lost=$(ping_all 4 1 job1 $REMOTE4)
	[ "$lost" = 0 ] || bad "the VIP no longer reaches $REMOTE4"
	lost=$(ping_all 6 1 job1 $REMOTE6)
	[ "$lost" = 0 ] || bad "the VIP no longer reaches $REMOTE6"
}

# The flow hash's seed (mn_config, pinned): random, never 0.
hash_seed() {
	bpftool -j map dump pinned /sys/fs/bpf/multinic/maps-v3/mn_config 2>/dev/null | tr -d ' \n' |
		$BB sed -n 's/.*"hash_seed":\([0-9]*\).*/\1/p'
}

task_status() { vtj "show multinic task job1 json" | $BB sed -n 's/.*"status":"\([a-z]*\)".*/\1/p'; }

#
# Cases
#

case_probe() {
	caps=$(vtj "show multinic json")
	if echo "$caps" | grep -q '"netkit":true'; then
		dp=netkit
	else
		dp=veth-tcx
		[ "${MN_EXPECT_NETKIT:-0}" = 1 ] && bad "the probe reports no netkit on a kernel with CONFIG_NETKIT=y"
	fi
	echo "$caps" | grep -q '"tcx":true' || bad "the probe reports no tcx"
	note "kernel $($BB uname -r); capabilities: $(echo "$caps" | $BB sed -n 's/.*"capabilities":{\([^}]*\)}.*/\1/p')"
	result probe
}

case_wire() {
	wait_for 30 sh -c "vtysh -c 'show multinic task job1 json' | grep -q '\"status\":\"wired\"'" ||
		bad "task status $(task_status): $(vtj 'show multinic task job1 json' | $BB sed -n 's/.*"error":"\([^"]*\)".*/\1/p')"
	task=$(vtj "show multinic task job1 json")
	echo "$task" | grep -q "\"datapath\":\"$dp\"" ||
		bad "task datapath is not $dp: $(echo "$task" | $BB sed -n 's/.*"datapath":"\([^"]*\)".*/\1/p')"
	ck "mn0 is not in netns job1" ns job1 ip link show mn0
	ck "the VIPs are not on mn0" sh -c "ip -n job1 addr show mn0 | grep -q $VIP4/32 && ip -n job1 addr show mn0 | grep -q $VIP6/128"
	ck "no pinned link $LINK_PIN" test -e $LINK_PIN
	if [ $dp = netkit ]; then
		d=$(ip -d link show $TASK_IF)
		echo "$d" | grep -q 'netkit mode l3' || bad "$TASK_IF is not a netkit in L3 mode: $(echo "$d" | tr '\n' ' ')"
		# born blackholed (no egress before the datapath is in place),
		# forward once mn_egress is attached (the policy applies only
		# while no program is, then the kernel path carries the task)
		grep -A3 "^[0-9]*: $TASK_IF@" $TMP/links | grep -m1 'netkit mode' |
			grep -q 'peer policy blackhole' ||
			bad "$TASK_IF was not created with peer policy blackhole: $(grep -A3 "^[0-9]*: $TASK_IF@" $TMP/links | grep -m1 'netkit')"
		echo "$d" | grep -q 'peer policy forward' ||
			bad "$TASK_IF's peer policy is not forward once wired: $(echo "$d" | grep netkit)"
		ck "mn_egress is not attached on the netkit peer hook of $TASK_IF" attached netkit_peer
	else
		ck "$TASK_IF is not a veth" sh -c "ip -d link show $TASK_IF | grep -q veth"
		ck "mn_egress is not attached on tcx ingress of $TASK_IF" attached tcx_ingress
	fi
	# the NICs' gateways are resolved before traffic is measured
	for i in 0 1 2 3; do
		ping -c 1 -W 2 10.0.$i.1 >/dev/null 2>&1
		ping -6 -c 1 -W 2 fd00:0:$i::1 >/dev/null 2>&1
	done
	result wire
}

case_ingress() { # ingress-ipv4 / ingress-ipv6: remote -> VIP
	fam=$1
	if [ "$fam" = 4 ]; then vip=$VIP4; else vip=$VIP6; fi
	r0=$(task_rx)
	f0=$(forwarded)
	ns remote $BB ping -$fam -c 5 -i 0.2 -W 3 -q $vip >/dev/null 2>&1 ||
		bad "remote does not reach the VIP $vip"
	r1=$(task_rx)
	[ -n "$r1" ] && [ "${r1:-0}" -ge $((${r0:-0} + 5)) ] ||
		bad "the task's rxPackets went from ${r0:-?} to ${r1:-?} (5 packets for the VIP: mn_ingress did not redirect them)"
	[ "$(forwarded)" = "$f0" ] || bad "the host stack forwarded $(($(forwarded) - f0)) datagrams"
	result ingress-ipv$fam
}

case_nic_down() {
	before=$TMP/flows.egress-ipv4-icmp
	ip link set h1-eth1 down
	wait_for 10 sh -c "vtysh -c 'show multinic nic h1-eth1 json' | tr -d ' \n' | grep -q '\"operUp\":false'" ||
		bad "multinicd does not see h1-eth1 down"
	$BB sleep 0.5
	egress_icmp 4 nic-down
	grep -q '^tor-eth1 ' $TMP/flows.nic-down && bad "flows still leave through h1-eth1"
	# only the down NIC's flows moved
	moved=$($BB awk 'NR == FNR {nic[$2] = $1; next}
		($2 in nic) && nic[$2] != "tor-eth1" && nic[$2] != $1 {print $2}' \
		$before $TMP/flows.nic-down | $BB wc -l)
	[ "$moved" = 0 ] || bad "$moved flows of the up NICs moved"
	result nic-down
	ip link set h1-eth1 up
	wait_for 10 sh -c "vtysh -c 'show multinic nic h1-eth1 json' | tr -d ' \n' | grep -q '\"operUp\":true'" ||
		bad "multinicd does not see h1-eth1 up again"
	$BB sleep 0.5
	egress_icmp 4 nic-up
	# hash placement: the table is the one before the NIC went down
	[ "$(cat $before)" = "$(cat $TMP/flows.nic-up)" ] ||
		bad "flows are not back where they were: before $(tr '\n' ' ' <$before); after $(tr '\n' ' ' <$TMP/flows.nic-up)"
	result nic-up
}

link_id() { # the id of the task's pinned link
	bpftool -j link show pinned $LINK_PIN 2>/dev/null | tr -d ' ' |
		$BB sed -n 's/^{"id":\([0-9]*\),.*/\1/p'
}

# kill -9 of multinicd and a restart: the pinned program forwards
# meanwhile, the new multinicd adopts the pinned link (same link, its
# program swapped atomically) and the flows stay where they were.
case_restart() {
	id0=$(link_id)
	seed0=$(hash_seed)
	ns job1 $BB ping -c 50 -i 0.1 -W 2 $($BB awk 'NR == 1 {print $2}' $TMP/flows.egress-ipv4-icmp) \
		>$TMP/restart.ping 2>&1 &
	pingpid=$!
	$BB sleep 0.5
	kill -9 "$(cat $RUN/multinicd.pid)"
	$BB sleep 0.5
	$SBIN/multinicd -d --log file:$TMP/multinicd.log --log-level debug ||
		bad "multinicd does not start again"
	wait_for 20 test -S $RUN/multinicd.vty
	vtysh -f $ETC/frr.conf >$TMP/config.out 2>&1 || bad "vtysh -f: $(cat $TMP/config.out)"
	wait_for 30 sh -c "vtysh -c 'show multinic task job1 json' | grep -q '\"status\":\"wired\"'" ||
		bad "task status after the restart: $(task_status)"
	wait $pingpid
	loss=$($BB sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' $TMP/restart.ping)
	[ "$loss" = 0 ] || bad "the ping across the restart lost packets: $(grep -E 'transmitted|loss' $TMP/restart.ping)"
	[ -n "$id0" ] && [ "$(link_id)" = "$id0" ] ||
		bad "the pinned link was not adopted: link id ${id0:-none} before, $(link_id) after"
	[ -n "$seed0" ] && [ "$seed0" != 0 ] && [ "$(hash_seed)" = "$seed0" ] ||
		bad "the flow hash seed was ${seed0:-unreadable} before the restart, $(hash_seed) after (want random, kept)"
	egress_icmp 4 restart
	[ "$(cat $TMP/flows.egress-ipv4-icmp)" = "$(cat $TMP/flows.restart)" ] ||
		bad "flows moved: before $(tr '\n' ' ' <$TMP/flows.egress-ipv4-icmp); after $(tr '\n' ' ' <$TMP/flows.restart)"
	result restart
}

case_detach() {
	vtysh -c 'configure' -c 'multinic' -c 'egress-mode kernel' >$TMP/detach.out 2>&1 ||
		bad "egress-mode kernel refused: $(cat $TMP/detach.out)"
	wait_for 20 sh -c "! test -e $LINK_PIN" || bad "$LINK_PIN is still pinned"
	wait_for 20 sh -c "vtysh -c 'show multinic task job1 json' | grep -q '\"status\":\"wired\"'" ||
		bad "task status in kernel mode: $(task_status)"
	# a link's release is deferred past its last reference (RCU): give
	# it a moment on a loaded machine
	hook=tcx_ingress
	[ $dp = netkit ] && hook=netkit_peer
	wait_for 10 detached $hook || bad "mn_egress is still attached"
	f0=$(forwarded)
	lost=$(ping_all 4 1 job1 $(dsts 4 8))
	[ "$lost" = 0 ] || bad "kernel mode: $lost of 8 destinations did not answer"
	lost=$(ping_all 6 1 job1 $(dsts 6 8))
	[ "$lost" = 0 ] || bad "kernel mode: $lost of 8 IPv6 destinations did not answer"
	[ "$(forwarded)" != "$f0" ] || bad "kernel mode: the host stack forwarded nothing"
	result detach

	# no eBPF program any more: nftables drops what the task spoofs
	spoof spoof-kernel
	result spoof-kernel

	vtysh -c 'configure' -c 'multinic' -c 'egress-mode ebpf' >$TMP/detach.out 2>&1 ||
		bad "egress-mode ebpf refused: $(cat $TMP/detach.out)"
	wait_for 20 test -e $LINK_PIN || bad "$LINK_PIN is not pinned again"
	wait_for 20 sh -c "vtysh -c 'show multinic task job1 json' | grep -q '\"status\":\"wired\"'" ||
		bad "task status: $(task_status)"
	egress_icmp 4 reattach
	result reattach
}

case_remove() {
	id0=$(link_id)
	vtysh -c 'configure' -c 'multinic' -c 'no task job1' >$TMP/remove.out 2>&1 ||
		bad "no task job1 refused: $(cat $TMP/remove.out)"
	wait_for 20 sh -c "! ip link show $TASK_IF" || bad "$TASK_IF still exists"
	wait_for 20 sh -c "! test -e $LINK_PIN" ||
		bad "$LINK_PIN is still pinned (link id ${id0:-none} before, $(link_id) now)"
	ck "mn0 is still in netns job1" sh -c "! ip -n job1 link show mn0"
	# the last task went: so does the anti-spoofing table
	wait_for 10 sh -c "! nft list table inet multinic >/dev/null 2>&1" ||
		bad "the table inet multinic is still there with no task: $(nft list table inet multinic 2>&1 | head -5 | tr '\n' ' ')"
	result task-removed
}

#
# Lifecycle: stopping is not deconfiguring; what a restart finds
#

# multinicd stopped the way frrinit and watchfrr stop it (SIGTERM), then
# started again with the configuration file CONF.
restart_multinicd() { # CONF
	kill -TERM "$(cat $RUN/multinicd.pid)"
	wait_for 10 sh -c "! kill -0 $(cat $RUN/multinicd.pid) 2>/dev/null" ||
		bad "multinicd did not stop on SIGTERM"
	$SBIN/multinicd -d --log file:$TMP/multinicd.log --log-level debug ||
		bad "multinicd does not start again"
	wait_for 20 test -S $RUN/multinicd.vty
	vtysh -f "$1" >$TMP/config.out 2>&1 || bad "vtysh -f: $(cat $TMP/config.out)"
}

config_with_tasks() { # FILE MODE TASK:NETNS:VIP4...
	out=$1 mode=$2
	shift 2
	{
		echo "multinic"
		echo " egress-mode $mode"
		for i in 0 1 2 3; do
			echo " nic h1-eth$i gateway 10.0.$i.1 gateway fd00:0:$i::1"
		done
		for t in "$@"; do
			echo " task ${t%%:*}"
			rest=${t#*:}
			echo "  netns ${rest%%:*}"
			echo "  vip ${rest#*:}/32"
			echo " exit"
		done
		echo "exit"
	} >"$out"
}

status_of() { vtj "show multinic task $1 json" | $BB sed -n 's/.*"status":"\([a-z]*\)".*/\1/p'; }
status_is() { [ "$(status_of "$1")" = "$2" ]; }
wired() { status_is "$1" wired; }
host_if_of() { vtj "show multinic task $1 json" | $BB sed -n 's/.*"hostInterface":"\([^"]*\)".*/\1/p'; }
rules_of() { ip rule show | grep -c "iif $1 "; }
# guarded against spoofing: the device is in the set the guard chain checks
nft_guarded() { nft get element inet multinic guarded "{ \"$1\" }" >/dev/null 2>&1; }
# the device in any of the anti-spoofing sets
nft_mentions() { nft list table inet multinic 2>/dev/null | grep -q "\"$1\""; }
no_rules_of() { [ "$(rules_of "$1")" = 0 ]; }

# SIGTERM under traffic: nothing is unwired, no packet is lost, and the
# new multinicd takes everything over (the same pinned link, or in
# kernel mode the same rules, which it did not delete).
case_sigterm() { # MODE
	mode=$1
	config_with_tasks $TMP/lifecycle.conf $mode job1:job1:$VIP4
	vtysh -f $TMP/lifecycle.conf >$TMP/config.out 2>&1 || bad "vtysh -f: $(cat $TMP/config.out)"
	wait_for 30 wired job1 || bad "job1 not wired in $mode mode: $(status_of job1)"
	id0=$(link_id)
	ifi0=$(cat /sys/class/net/$TASK_IF/ifindex 2>/dev/null)
	ns job1 $BB ping -c 60 -i 0.05 -W 2 $REMOTE4 >$TMP/sigterm.ping 2>&1 &
	pingpid=$!
	$BB sleep 0.5
	restart_multinicd $TMP/lifecycle.conf
	wait_for 30 wired job1 || bad "job1 not wired again: $(status_of job1)"
	wait $pingpid
	loss=$($BB sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' $TMP/sigterm.ping)
	[ "$loss" = 0 ] || bad "the ping across SIGTERM and restart lost packets: $(grep -E 'transmitted|loss' $TMP/sigterm.ping)"
	[ "$(cat /sys/class/net/$TASK_IF/ifindex 2>/dev/null)" = "$ifi0" ] ||
		bad "$TASK_IF was recreated (ifindex $ifi0 before, $(cat /sys/class/net/$TASK_IF/ifindex 2>/dev/null) after)"
	if [ $mode = ebpf ]; then
		[ -n "$id0" ] && [ "$(link_id)" = "$id0" ] ||
			bad "the pinned link was not adopted: link id ${id0:-none} before, $(link_id) after"
	else
		[ "$(rules_of $TASK_IF)" -ge 1 ] || bad "no rule for $TASK_IF after the restart"
	fi
	result sigterm-$mode
}

# A task removed from the configuration while multinicd was down: once
# the configuration is loaded and the tasks settled, its device pair, its
# rules and its pinned link are gone; the other task is untouched.
case_removed_while_down() {
	ip netns add job2
	config_with_tasks $TMP/two.conf ebpf job1:job1:$VIP4 job2:job2:10.200.0.2
	vtysh -f $TMP/two.conf >$TMP/config.out 2>&1 || bad "vtysh -f: $(cat $TMP/config.out)"
	wait_for 30 wired job2 || bad "job2 not wired: $(status_of job2)"
	no_rules_of mn-job2 && bad "mn-job2 has no rule"
	nft_guarded mn-job2 || bad "mn-job2 is not guarded against spoofing"
	ifi1=$(cat /sys/class/net/$TASK_IF/ifindex 2>/dev/null)
	# what multinicd 0.x (a chain and a counter per device) would have
	# left: it goes too, once the tasks are guarded again
	nft -f - <<-EOF || bad "cannot write the previous anti-spoofing layout"
		table inet multinic {
		 counter spoofed_mn-job2 { }
		 chain t_mn-job2 { ip saddr 10.200.0.2 return; counter name spoofed_mn-job2 drop; }
		 map tasks { type ifname : verdict; elements = { "mn-job2" : jump t_mn-job2 }; }
		 chain antispoof { type filter hook prerouting priority raw; policy accept; iifname vmap @tasks; }
		}
	EOF
	config_with_tasks $TMP/one.conf ebpf job1:job1:$VIP4
	restart_multinicd $TMP/one.conf
	wait_for 30 wired job1 || bad "job1 not wired again: $(status_of job1)"
	wait_for 30 sh -c "! ip link show mn-job2" || bad "mn-job2 is still there"
	wait_for 10 no_rules_of mn-job2 || bad "rules of mn-job2 are still there: $(ip rule show | grep mn-job2)"
	wait_for 10 sh -c "! test -e /sys/fs/bpf/multinic/links/task-job2" ||
		bad "task-job2 is still pinned"
	ck "mn0 is still in netns job2" sh -c "! ip -n job2 link show mn0"
	wait_for 10 sh -c "! nft get element inet multinic guarded '{ \"mn-job2\" }' >/dev/null 2>&1" ||
		bad "mn-job2 is still guarded"
	nft_mentions mn-job2 &&
		bad "the anti-spoofing sets still hold mn-job2: $(nft list table inet multinic | grep mn-job2 | tr '\n' ' ')"
	nft_guarded $TASK_IF || bad "job1 lost its anti-spoofing"
	wait_for 10 sh -c "! nft list chain inet multinic antispoof >/dev/null 2>&1" ||
		bad "the previous layout's dispatch chain is still there"
	nft list table inet multinic | grep -qE 't_mn-|spoofed_mn-|map tasks' &&
		bad "the previous layout is still there: $(nft list table inet multinic | tr '\n' ' ')"
	[ "$(cat /sys/class/net/$TASK_IF/ifindex 2>/dev/null)" = "$ifi1" ] ||
		bad "$TASK_IF was recreated"
	ip netns del job2
	result removed-while-down
}

# The task's netns goes: the task waits; it comes back: wired again.
case_netns_gone() {
	ip netns del job1
	wait_for 10 status_is job1 waiting ||
		bad "job1 is $(status_of job1) after its netns went, not waiting"
	ck "$TASK_IF is still there" sh -c "! ip link show $TASK_IF"
	ip netns add job1
	wait_for 10 wired job1 || bad "job1 is $(status_of job1) after its netns came back"
	ck "mn0 is not in the new netns job1" ip -n job1 link show mn0
	lost=$(ping_all 4 2 job1 $REMOTE4)
	[ "$lost" = 0 ] || bad "the task does not reach the remote host again"
	result netns-gone
}

# Two long task names whose devices multinicd 0.1 named alike (its
# 32-bit hash collided): each gets a device of its own.
case_name_collision() {
	ip netns add job3
	ip netns add job4
	{
		sed '$d' $TMP/one.conf
		printf ' task job-000512789\n  netns job3\n  vip 10.200.0.3/32\n exit\n'
		printf ' task job-000749192\n  netns job4\n  vip 10.200.0.4/32\n exit\n'
		echo exit
	} >$TMP/collide.conf
	vtysh -f $TMP/collide.conf >$TMP/config.out 2>&1 || bad "vtysh -f: $(cat $TMP/config.out)"
	wait_for 30 wired job-000512789 || bad "job-000512789: $(status_of job-000512789)"
	wait_for 30 wired job-000749192 || bad "job-000749192: $(status_of job-000749192)"
	a=$(host_if_of job-000512789)
	b=$(host_if_of job-000749192)
	[ -n "$a" ] && [ "$a" != "$b" ] || bad "both tasks use host device '$a'"
	ck "mn0 is not in job3" ip -n job3 link show mn0
	ck "mn0 is not in job4" ip -n job4 link show mn0
	vtysh -c 'configure' -c 'multinic' -c 'no task job-000512789' -c 'no task job-000749192' >/dev/null 2>&1
	ip netns del job3
	ip netns del job4
	result name-collision
}

#
# Hardening of the host side
#

mtu_of() { ip -n "$1" -o link show "$2" 2>/dev/null | $BB sed -n 's/.* mtu \([0-9]*\) .*/\1/p'; }
mtu_is() { [ "$(mtu_of "$1" "$2")" = "$3" ]; }

# A task without a configured MTU follows the NICs' smallest, in place.
case_mtu_follows() {
	ifi=$(cat /sys/class/net/$TASK_IF/ifindex 2>/dev/null)
	for nic in $NICS; do ip link set $nic mtu 1400; done
	wait_for 10 mtu_is job1 mn0 1400 || bad "mn0's MTU is $(mtu_of job1 mn0), not the NICs' 1400"
	[ "$(cat /sys/class/net/$TASK_IF/mtu)" = 1400 ] ||
		bad "$TASK_IF's MTU is $(cat /sys/class/net/$TASK_IF/mtu), not 1400"
	[ "$(cat /sys/class/net/$TASK_IF/ifindex 2>/dev/null)" = "$ifi" ] ||
		bad "$TASK_IF was recreated to change its MTU"
	for nic in $NICS; do ip link set $nic mtu 1500; done
	wait_for 10 mtu_is job1 mn0 1500 || bad "mn0's MTU is $(mtu_of job1 mn0) once the NICs are back at 1500"
	out=$(vtc 'configure' 'multinic' 'task job1' 'mtu 9000' 2>&1)
	case $out in
	*"larger than the smallest MTU"*) ;;
	*) bad "mtu 9000 above the NICs' 1500 was not refused: $out" ;;
	esac
	result mtu-follows
}

# Addresses a task may not take are refused, and change nothing.
case_bad_addresses() {
	before=$(vt 'show running-config')
	for a in 0.1.2.3 127.0.0.5 224.0.0.9 240.0.0.1 255.255.255.255 169.254.1.1 169.254.169.254 10.0.0.1; do
		out=$(vtysh -c 'configure' -c 'multinic' -c 'task job1' -c "vip $a/32" 2>&1)
		case $out in
		*"must be unicast"* | *"gateway of NIC"*) ;;
		*) bad "VIP $a was not refused: $out" ;;
		esac
	done
	for a in :: ::1 fe80::5 ff02::1; do
		out=$(vtysh -c 'configure' -c 'multinic' -c 'task job1' -c "vip $a/128" 2>&1)
		case $out in
		*"must be unicast"*) ;;
		*) bad "VIP $a was not refused: $out" ;;
		esac
	done
	out=$(vtysh -c 'configure' -c 'multinic' -c 'authorization vip-range 0.0.0.0/0' 2>&1)
	case $out in *"every address"*) ;; *) bad "vip-range 0.0.0.0/0 was not refused: $out" ;; esac
	[ "$(vt 'show running-config')" = "$before" ] || bad "the running configuration changed"
	result bad-addresses
}

# Hostile netns paths (issue 16 item 6): a FIFO (an open() would block the
# daemon), a device node (opening it may act), multinicd's own namespace and
# a symlink to it (the task would get the host's routes): each refused with
# a message at once, the daemon still answers, the configuration unchanged.
case_hostile_netns() {
	before=$(vt 'show running-config')
	$BB mkfifo $TMP/fifo
	$BB ln -sf /proc/1/ns/net $TMP/hostns
	for p in $TMP/fifo /dev/zero /proc/1/ns/net /proc/self/ns/net $TMP/hostns $TMP/none; do
		out=$($BB timeout 10 vtysh -c 'configure' -c 'multinic' -c 'task hostile' -c "netns $p" 2>&1)
		rc=$?
		[ $rc = 124 ] && bad "netns $p: vtysh hung (multinicd blocked?)"
		case $out in
		# PID 1's namespace: multinicd (user frr, no CAP_SYS_PTRACE) may not
		# even look at it ("cannot look at ... Permission denied"): refused too
		*"not a network namespace"* | *"host's own network namespace"* | *"does not exist"* | *"cannot look at"*) ;;
		*) bad "netns $p was not refused: $out" ;;
		esac
	done
	vtc 'configure' 'multinic' 'no task hostile' >/dev/null
	vt 'show multinic task json' | grep -q '"status"' || bad "multinicd does not answer"
	[ "$(vt 'show running-config')" = "$before" ] || bad "the running configuration changed"
	$BB rm -f $TMP/fifo $TMP/hostns
	result hostile-netns
}

# A rule matching multinicd's own device names never selects them.
case_nic_match_own_devices() {
	vtc 'configure' 'multinic' 'nic-match 50 name mn*' >/dev/null
	$BB sleep 1
	vtj 'show multinic nic json' | grep -q "\"$TASK_IF\"" && bad "$TASK_IF was selected as a NIC"
	out=$(vtysh -c 'configure' -c 'multinic' -c "nic $TASK_IF" 2>&1)
	case $out in *"never NICs"*) ;; *) bad "nic $TASK_IF was not refused: $out" ;; esac
	vtc 'configure' 'multinic' 'no nic-match 50' >/dev/null
	wired job1 || bad "job1 is $(status_of job1)"
	result nic-match-own-devices
}

main() {
	rm -rf $TMP
	mkdir -p $TMP
	: >$CAP
	if ! setup >$TMP/setup.log 2>&1; then
		sed 's/^/# /' $TMP/setup.log
		for d in zebra multinicd; do
			tail -n 5 $TMP/$d.log 2>/dev/null | sed "s/^/# $d: /"
		done
		echo "FAIL $dp/setup: the topology or FRR did not start"
		nfail=1
	else
		for c in ${MN_DP_CASES:-probe wire egress ingress spoof nic-down restart hardening detach remove lifecycle}; do
			case $c in
			probe) case_probe ;;
			wire) case_wire ;;
			egress)
				egress_icmp 4 egress-ipv4-icmp
				result egress-ipv4-icmp
				egress_icmp 6 egress-ipv6-icmp
				result egress-ipv6-icmp
				egress_tcp 4 egress-ipv4-tcp
				result egress-ipv4-tcp
				egress_tcp 6 egress-ipv6-tcp
				result egress-ipv6-tcp
				;;
			ingress)
				case_ingress 4
				case_ingress 6
				;;
			spoof)
				spoof spoof-ebpf
				result spoof-ebpf
				;;
			nic-down) case_nic_down ;;
			restart) case_restart ;;
			detach) case_detach ;;
			remove) case_remove ;;
			hardening)
				case_mtu_follows
				case_bad_addresses
				case_hostile_netns
				case_nic_match_own_devices
				;;
			lifecycle)
				case_sigterm ebpf
				case_sigterm kernel
				case_removed_while_down
				case_netns_gone
				case_name_collision
				;;
			esac
		done
	fi
	teardown
	[ $nxfail = 0 ] || echo "$nxfail known failures (XFAIL)"
	echo "$npass passed, $nfail failed"
	[ $nfail = 0 ]
}

main
