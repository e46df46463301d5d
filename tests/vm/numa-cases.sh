#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# NUMA placement and receive steering end to end (doc/numa.md), where NUMA
# nodes exist:
#   - in qemu (tests/vm/run-in-vm.sh, MN_VM=1): two nodes of one CPU each;
#     h1's four virtio NICs sit behind pxb-pcie bridges, two on node 0 and
#     two on node 1, so that sysfs reports their nodes; the tasks' nodes
#     come from their processes' cgroups (cgroup v2, cpuset.mems);
#   - on the host (veth): the nodes are the override ("nic X numa-node N",
#     a task's "numa-node N") and MULTINICD_NUMA_SYSFS fakes two nodes of
#     one CPU each; job0's node comes from its process's cgroup in the
#     host's cgroup v1 cpuset hierarchy (this host kind is hybrid).
#
#   h1 (this netns): zebra + multinicd, egress-mode ebpf
#     h1-eth0, h1-eth1 (node 0)  h1-eth2, h1-eth3 (node 1)
#       10.0.N.2/24 ---- tor-ethN 10.0.N.1 (netns tor)
#     task job0 (netns job0, node 0): 10.200.0.10/32
#     task job1 (netns job1, node 1): 10.200.0.11/32
#   tor: routes job0's VIP via h1-eth2 and job1's via h1-eth0 (each task's
#     packets arrive on the other node's NIC), the rest to remote
#     tor-eth4 10.1.0.1/24 ---- remote-eth0 10.1.0.2; 10.2.0.0/24 local
#
# Which NIC carried a task's flow is read from a capture on the tor side;
# which CPU received a task's packets from its counters (the per-CPU
# receive counts of mn_ingress, by the node of the CPU).  In the VM each
# NIC's interrupt is on a CPU of its own node; on the host a veth packet
# is received on the CPU that sent it (remote's ping, pinned).
#
# Run as root in a throw-away network and mount namespace (the VM, or the
# one tests/vm/run-datapath-tests makes on the host).  Prints "PASS
# numa/NAME" or "FAIL numa/NAME: why" per case, "# ..." diagnostics, and
# ends with "N passed, N failed".  Environment: BB (busybox), FRR_SBIN
# (/usr/lib/frr), MN_NUMA_CASES (the cases to run, in order; default
# all), MN_DP_TMP (work directory).
# Lists of addresses and pids are split into words on purpose:
# shellcheck disable=SC2046
set -u

BB=${BB:-busybox}
SBIN=${FRR_SBIN:-/usr/lib/frr}
RUN=/var/run/frr
ETC=/etc/frr
TMP=${MN_DP_TMP:-/var/tmp/mn-numa}/numa
CAP=$TMP/capture
CG=$TMP/cgroup
NICS="h1-eth0 h1-eth1 h1-eth2 h1-eth3"
VIP0=10.200.0.10
VIP1=10.200.0.11
NDST=16 # destinations per egress check (ICMP is hashed by addresses)
VM=${MN_VM:-0}

npass=0
nfail=0
why=

note() { echo "# $*"; }
bad() { why="${why:+$why; }$*"; }
result() {
	if [ -z "$why" ]; then
		echo "PASS numa/$1"
		npass=$((npass + 1))
	else
		echo "FAIL numa/$1: $why"
		nfail=$((nfail + 1))
		diagnostics
	fi
	why=
}
diagnostics() {
	for t in job0 job1; do
		note "--- show multinic task $t"
		vtysh -c "show multinic task $t" 2>&1 | sed 's/^/#   /'
	done
	note "--- show multinic counters (packets the programs left to the kernel: fallback, redirect errors)"
	vtysh -c "show multinic counters" 2>&1 | sed 's/^/#   /'
	note "--- ip rule; the node tables"
	ip rule 2>&1 | sed 's/^/#   /'
	for t in 4300 4301; do ip route show table $t 2>&1 | sed "s/^/#   table $t: /"; done
	note "--- multinicd log (last 10 lines)"
	tail -n 10 "$TMP/multinicd.log" 2>/dev/null | sed 's/^/#   /'
}
wait_for() { # wait_for SECONDS COMMAND...
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
vtj() { vtysh -c "$*" 2>/dev/null | tr -d ' \n'; }
# cfg LINE...: configuration lines under "multinic"
cfg() {
	cmd="vtysh -c configure -c multinic"
	for c in "$@"; do
		cmd="$cmd -c '$c'"
	done
	eval "$cmd" >$TMP/cfg.out 2>&1 && ! grep -q '^%' $TMP/cfg.out ||
		bad "refused: $* ($(cat $TMP/cfg.out))"
}
# jfield JSON KEY: the first value of "KEY" in one-line JSON
jfield() { echo "$1" | $BB sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p"; }
task_numa() { vtj "show multinic task $1 json" | $BB sed -n 's/.*"numa":{\([^}]*\)}.*/\1/p'; }

#
# Topology
#

# NIC N's node: 0 for h1-eth0/1, 1 for h1-eth2/3
nic_node() { echo $(($1 / 2)); }

# The VM's virtio NICs by MAC: 52:54:00:00:0N:10 is h1-ethN, :20 tor-ethN.
vm_nics() {
	for dev in /sys/class/net/*; do
		name=${dev##*/}
		mac=$(cat $dev/address)
		case $mac in 52:54:00:00:0[0-3]:[12]0) ;; *) continue ;; esac
		i=$(echo "$mac" | $BB cut -d: -f5)
		i=${i#0}
		case $mac in
		*:10) ip link set "$name" name h1-eth$i ;;
		*:20) ip link set "$name" netns tor && ns tor ip link set "$name" name tor-eth$i ;;
		esac
	done
	# each NIC's interrupts on a CPU of its own node, as a NUMA-aware irqbalance puts them
	for i in 0 1 2 3; do
		virtio=$($BB basename "$($BB readlink /sys/class/net/h1-eth$i/device)")
		for irq in $($BB awk -v v="$virtio-" '$0 ~ v {sub(":", "", $1); print $1}' /proc/interrupts); do
			echo "$(nic_node $i)" >/proc/irq/$irq/smp_affinity_list
		done
	done
}

host_nics() {
	for i in 0 1 2 3; do
		ip link add h1-eth$i type veth peer name tor-eth$i netns tor || return 1
	done
	# two fake nodes of one CPU each (this host has one node)
	mkdir -p $TMP/nodes/node0 $TMP/nodes/node1
	echo 0 >$TMP/nodes/node0/cpulist
	echo 1 >$TMP/nodes/node1/cpulist
	export MULTINICD_NUMA_SYSFS=$TMP/nodes
}

# A process in the task's netns, in a cgroup whose cpuset allows node N.
# cgroup v2 in the VM; the host's v1 cpuset hierarchy on the host.
task_cgroup() { # task_cgroup TASK NODE
	mkdir -p $CG/$1
	if [ "$VM" = 1 ]; then
		echo "$2" >$CG/$1/cpuset.mems
	else
		cat $CG/cpuset.effective_cpus >$CG/$1/cpuset.cpus
		echo "$2" >$CG/$1/cpuset.mems
	fi
	# into the cgroup first: the process in the netns inherits it
	sh -c "echo \$\$ >$CG/$1/cgroup.procs && exec ip netns exec $1 $BB sleep 100000" &
	echo $! >$TMP/$1.pid
	wait_for 5 sh -c "ip netns pids $1 | grep -q ."
}

cgroups_mount() {
	mkdir -p $CG
	if [ "$VM" = 1 ]; then
		mount -t cgroup2 none $CG || return 1
		echo +cpuset >$CG/cgroup.subtree_control || return 1
	else
		mount -t tmpfs tmpfs /sys/fs/cgroup 2>/dev/null
		mkdir -p /sys/fs/cgroup/cpuset
		mount -t cgroup -o cpuset cgroup /sys/fs/cgroup/cpuset || return 1
		CG=/sys/fs/cgroup/cpuset/mn-numa-test-$$
		mkdir -p $CG
		cat /sys/fs/cgroup/cpuset/cpuset.effective_cpus >$CG/cpuset.cpus
		cat /sys/fs/cgroup/cpuset/cpuset.effective_mems >$CG/cpuset.mems
	fi
}

setup() {
	for n in tor remote job0 job1; do
		ip netns add $n || return 1
	done
	for n in "" tor remote job0 job1; do
		x=${n:+ip netns exec $n}
		$x $BB sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
			net.ipv4.ip_forward=1 >/dev/null
		$x ip link set lo up
	done
	if [ "$VM" = 1 ]; then vm_nics; else host_nics || return 1; fi
	for i in 0 1 2 3; do
		ip addr add 10.0.$i.2/24 dev h1-eth$i
		ip link set h1-eth$i up
		ns tor ip addr add 10.0.$i.1/24 dev tor-eth$i
		ns tor ip link set tor-eth$i up
	done
	ip link add tor-eth4 netns tor type veth peer name remote-eth0 netns remote || return 1
	ns tor ip addr add 10.1.0.1/24 dev tor-eth4
	ns tor ip link set tor-eth4 up
	ns tor ip route add $VIP0/32 via 10.0.2.2
	ns tor ip route add $VIP1/32 via 10.0.0.2
	ns tor ip route add 10.2.0.0/24 via 10.1.0.2
	ns remote ip addr add 10.1.0.2/24 dev remote-eth0
	ns remote ip link set remote-eth0 up
	ns remote ip route add default via 10.1.0.1
	ns remote ip route add local 10.2.0.0/24 dev lo

	cgroups_mount || return 1
	task_cgroup job0 0 || return 1
	if [ "$VM" = 1 ]; then
		task_cgroup job1 1 || return 1
		node1="" # from its cgroup
	else
		node1="  numa-node 1"
	fi
	if [ "$VM" = 1 ]; then override0="" override1=""; else override0=" numa-node 0" override1=" numa-node 1"; fi

	mkdir -p $RUN $ETC /var/tmp/frr /var/lib/frr
	chown frr:frr $RUN /var/tmp/frr /var/lib/frr
	chmod 755 $RUN
	echo "username root nopassword" >$ETC/vtysh.conf
	cat >$ETC/frr.conf <<EOF
multinic
 egress-mode ebpf
 nic h1-eth0 gateway 10.0.0.1$override0
 nic h1-eth1 gateway 10.0.1.1$override0
 nic h1-eth2 gateway 10.0.2.1$override1
 nic h1-eth3 gateway 10.0.3.1$override1
 task job0
  netns job0
  vip $VIP0/32
 exit
 task job1
  netns job1
  vip $VIP1/32
$node1
 exit
exit
EOF
	for d in zebra multinicd; do
		$SBIN/$d -d --log file:$TMP/$d.log --log-level debug || return 1
	done
	wait_for 20 test -S $RUN/multinicd.vty || return 1
	wait_for 20 test -S $RUN/zebra.vty || return 1
	vtysh -f $ETC/frr.conf >$TMP/config.out 2>&1 ||
		{ note "vtysh -f: $(cat $TMP/config.out)"; return 1; }
	for t in job0 job1; do
		wait_for 30 sh -c "vtysh -c 'show multinic task $t json' | grep -q '\"status\":\"wired\"'" ||
			{ note "task $t not wired"; return 1; }
	done
	for i in 0 1 2 3; do
		ping -c 1 -W 2 10.0.$i.1 >/dev/null 2>&1
	done
	ns tor tcpdump -Z root -i any -Q in -nn -t -l "src net 10.200.0.0/24" >$CAP 2>$TMP/tcpdump.err &
	wait_for 20 grep -q listening $TMP/tcpdump.err
}

teardown() {
	for d in multinicd zebra; do
		[ -f $RUN/$d.pid ] && kill "$(cat $RUN/$d.pid)" 2>/dev/null
	done
	kill $(jobs -p) $(cat $TMP/job0.pid $TMP/job1.pid 2>/dev/null) 2>/dev/null
	for t in job0 job1; do
		wait_for 5 rmdir $CG/$t
	done
	[ "$VM" = 1 ] || rmdir $CG 2>/dev/null
	for n in job0 job1 tor remote; do
		ip netns del $n 2>/dev/null
	done
}

#
# Evidence
#

cap_mark() { $BB wc -l <$CAP; }
# "IFNAME DST" of each of VIP's ICMP flows captured since MARK, once each
cap_flows() { # cap_flows MARK VIP
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
		$BB awk -v src="$2" '$2 == "In" && $4 == src {dst = $6; sub(/:$/, "", dst); print $1, dst}' |
		$BB sort -u
}
dsts() { i=1; while [ $i -le "$1" ]; do printf '10.2.0.%d ' $i; i=$((i + 1)); done; }
# ping_all NETNS COUNT ADDRESS...: how many addresses did not answer
ping_all() {
	from=$1 cnt=$2
	shift 2
	rm -f $TMP/ping.*
	pids=
	for a in "$@"; do
		(ns "$from" $BB ping -c "$cnt" -i 0.2 -W 2 -q "$a" >/dev/null 2>&1 ||
			echo "$a" >$TMP/ping.lost.$a) &
		pids="$pids $!"
	done
	wait $pids
	ls $TMP/ping.lost.* 2>/dev/null | $BB wc -l
}
# The NICs (tor side) TASK's flows left through, as "tor-eth0 tor-eth1".
egress_nics() { # egress_nics TASK VIP [COUNT]
	m=$(cap_mark)
	lost=$(ping_all "$1" "${3:-1}" $(dsts $NDST))
	echo "$lost" >$TMP/lost.$1
	cap_flows "$m" "$2" >$TMP/flows.$1
	$BB awk '{print $1}' $TMP/flows.$1 | $BB sort -u | tr '\n' ' ' | $BB sed 's/ $//'
}
# egress_on TASK VIP "NICS" CASE: all its flows answered and left through NICS
egress_on() {
	used=$(egress_nics "$1" "$2")
	[ "$(cat $TMP/lost.$1)" = 0 ] || bad "$1: $(cat $TMP/lost.$1) of $NDST destinations did not answer"
	[ "$used" = "$3" ] || bad "$1's flows left through '$used', want '$3' ($(tr '\n' ' ' <$TMP/flows.$1))"
}
counter() { jfield "$(task_numa "$1")" "$2"; }
nic_steer() { # nic_steer NIC FIELD
	vtj "show multinic nic $1 json" | $BB sed -n "s/.*\"receiveSteering\":{[^}]*\"$2\":\([0-9]*\).*/\1/p"
}
link_id() { # the XDP link of a NIC, as bpftool shows it
	bpftool -j link show 2>/dev/null | tr -d ' ' | $BB sed 's/},{/}\n{/g' |
		grep '"type":"xdp"' | grep "\"ifindex\":$(cat /sys/class/net/$1/ifindex)[,}]" |
		$BB sed -n 's/^{"id":\([0-9]*\),.*/\1/p'
}

#
# Cases
#

case_topology() {
	j=$(vtj "show multinic json")
	echo "$j" | grep -q '"nodes":{"0":{"cpus":"0"},"1":{"cpus":"1"}}' ||
		bad "show multinic: nodes $(echo "$j" | $BB sed -n 's/.*"nodes":\({[^]]*}}\).*/\1/p')"
	if [ "$VM" = 1 ]; then src=sysfs; else src=configured; fi
	for i in 0 1 2 3; do
		n=$(vtj "show multinic nic h1-eth$i json")
		[ "$(jfield "$n" numaNode)" = "$(nic_node $i)" ] && [ "$(jfield "$n" numaNodeSource)" = $src ] ||
			bad "h1-eth$i: node $(jfield "$n" numaNode) ($(jfield "$n" numaNodeSource)), want $(nic_node $i) ($src)"
	done
	t0=$(task_numa job0)
	[ "$(jfield "$t0" node)" = 0 ] && [ "$(jfield "$t0" source)" = cgroup ] ||
		bad "job0: $t0, want node 0 from its cgroup"
	echo "$t0" | grep -q "\"cpuset\":\"$CG/job0/cpuset" || bad "job0's cpuset is not $CG/job0: $t0"
	t1=$(task_numa job1)
	if [ "$VM" = 1 ]; then want=cgroup; else want=configured; fi
	[ "$(jfield "$t1" node)" = 1 ] && [ "$(jfield "$t1" source)" = $want ] ||
		bad "job1: $t1, want node 1 ($want)"
	note "job0: $t0"
	note "job1: $t1"
	result topology
}

case_config() {
	vtysh -c configure -c multinic -c "task job0" -c "numa-node 5" >$TMP/c.out 2>&1
	grep -q "NUMA node 5 does not exist on this host (nodes: 0-1" $TMP/c.out ||
		bad "numa-node 5 not refused as it should: $(cat $TMP/c.out)"
	vtysh -c configure -c multinic -c "receive-steering hardware" >$TMP/c.out 2>&1
	grep -q "receive-steering hardware is not implemented yet" $TMP/c.out ||
		bad "receive-steering hardware: $(cat $TMP/c.out)"
	cfg "numa-policy strict spill-threshold 50" "receive-steering xdp"
	vtysh -c "show running-config" >$TMP/rc.out
	grep -q '^ numa-policy strict spill-threshold 50$' $TMP/rc.out || bad "running-config: no 'numa-policy strict spill-threshold 50'"
	grep -q '^ receive-steering xdp$' $TMP/rc.out || bad "running-config: no 'receive-steering xdp'"
	[ "$VM" = 1 ] || grep -q '^ nic h1-eth2 gateway 10.0.2.1 numa-node 1$' $TMP/rc.out ||
		bad "running-config: no 'nic h1-eth2 gateway 10.0.2.1 numa-node 1'"
	cfg "numa-policy prefer" "no receive-steering xdp"
	vtysh -c "show running-config" >$TMP/rc.out
	grep -q 'numa-policy\|receive-steering' $TMP/rc.out && bad "defaults still in the running-config: $(grep 'numa\|steer' $TMP/rc.out)"
	result config
}

case_egress() { # the task's flows on its node's NICs
	egress_on job0 $VIP0 "tor-eth0 tor-eth1"
	egress_on job1 $VIP1 "tor-eth2 tor-eth3"
	if [ "$1" = ebpf ]; then
		for t in job0 job1; do
			[ "$(counter $t txRemotePackets)" = 0 ] && [ "$(counter $t txLocalPackets)" -ge $NDST ] ||
				bad "$t's counters: $(task_numa $t)"
		done
	else
		ip rule | grep -q "from $VIP1 iif mn-job1 lookup 4301" || bad "no rule into table 4301: $(ip rule | tr '\n' ' ')"
		[ "$(ip route show table 4301 | grep -c 'dev h1-eth[23]')" = 2 ] ||
			bad "table 4301: $(ip route show table 4301 | tr '\n' ' ')"
	fi
	result egress-$1
}

case_spill() {
	r0=$(counter job1 txRemotePackets)
	ip link set h1-eth2 down
	ip link set h1-eth3 down
	wait_for 10 sh -c "vtysh -c 'show multinic task job1 json' | grep -q 'spilled: no local NIC is up'" ||
		bad "job1 does not spill: $(task_numa job1)"
	egress_on job1 $VIP1 "tor-eth0 tor-eth1"
	[ "$(counter job1 txRemotePackets)" -ge $((r0 + NDST)) ] ||
		bad "job1's remote packets went from $r0 to $(counter job1 txRemotePackets)"
	result spill-down
	ip link set h1-eth2 up
	ip link set h1-eth3 up
	wait_for 10 sh -c "vtysh -c 'show multinic task job1 json' | grep -q '\"egressNics\":\"h1-eth2 h1-eth3\"'" ||
		bad "job1 not back on its NICs: $(task_numa job1)"
	for i in 2 3; do ping -c 1 -W 2 10.0.$i.1 >/dev/null 2>&1; done
	egress_on job1 $VIP1 "tor-eth2 tor-eth3"
	result spill-back
}

# spill-load: job1's NICs (node 1) loaded past the threshold: its new
# flows spill to every NIC; back on its own once they are idle.  The
# NICs' speed is set to 1 Mbit/s so that h1's own pings to the tor load
# them past 1 %.
case_spill_load() {
	cfg "numa-policy prefer spill-threshold 1" "nic h1-eth2 speed 1" "nic h1-eth3 speed 1"
	r0=$(counter job1 txRemotePackets)
	loads=
	for i in 2 3; do
		ping -s 1400 -i 0.05 -c 400 -q 10.0.$i.1 >/dev/null 2>&1 &
		loads="$loads $!"
	done
	wait_for 15 sh -c "vtysh -c 'show multinic task job1 json' | grep -q 'loaded past the threshold'" ||
		bad "job1 does not spill with its NICs loaded: $(task_numa job1); h1-eth2: $(vtj show multinic nic h1-eth2 json | $BB grep -o '"txBitsPerSecond":[0-9]*,"spillLoaded":[a-z]*')"
	[ "$(vtj show multinic nic h1-eth3 json | $BB grep -o '"spillLoaded":[a-z]*')" = '"spillLoaded":true' ] ||
		bad "h1-eth3 is not shown loaded"
	ping_all job1 1 $(dsts $NDST) >/dev/null
	[ "$(counter job1 txRemotePackets)" -gt "$r0" ] ||
		bad "job1 sent nothing through node 0's NICs while spilled ($(counter job1 txRemotePackets), was $r0)"
	result spill-load
	# shellcheck disable=SC2086 # a list of pids
	kill $loads 2>/dev/null
	# shellcheck disable=SC2086
	wait $loads 2>/dev/null
	wait_for 15 sh -c "vtysh -c 'show multinic task job1 json' | grep -q '\"egressNics\":\"h1-eth2 h1-eth3\"'" ||
		bad "job1 not back on its NICs once they are idle: $(task_numa job1)"
	cfg "numa-policy prefer" "no nic h1-eth2 speed" "no nic h1-eth3 speed"
	result spill-unload
}
case_strict() {
	# job0's VIP comes in through node 1's NICs: through node 0's meanwhile
	ns tor ip route replace $VIP0/32 via 10.0.1.2
	cfg "numa-policy strict"
	ip link set h1-eth2 down
	ip link set h1-eth3 down
	wait_for 10 sh -c "vtysh -c 'show multinic task job1 json' | grep -q 'numa-policy strict: no local NIC is up'" ||
		bad "job1 under strict: $(task_numa job1)"
	lost=$(ping_all job1 1 $(dsts 4))
	[ "$lost" = 4 ] || bad "job1 reached $((4 - lost)) of 4 destinations without a NIC of its node"
	egress_on job0 $VIP0 "tor-eth0 tor-eth1"
	result strict
	ip link set h1-eth2 up
	ip link set h1-eth3 up
	ns tor ip route replace $VIP0/32 via 10.0.2.2
	cfg "numa-policy prefer"
	for i in 2 3; do ping -c 1 -W 2 10.0.$i.1 >/dev/null 2>&1; done
}

case_ignore() {
	cfg "numa-policy ignore"
	used=$(egress_nics job0 $VIP0)
	n=$(echo "$used" | wc -w)
	[ "$n" -ge 3 ] || bad "numa-policy ignore: job0's flows left through $n NICs ($used), want >= 3"
	result ignore
	cfg "numa-policy prefer"
}

case_node_change() {
	ifindex=$(cat /sys/class/net/mn-job1/ifindex)
	if [ "$VM" = 1 ]; then
		echo 0 >$CG/job1/cpuset.mems
	else
		cfg "task job1" "numa-node 0"
	fi
	wait_for 15 sh -c "vtysh -c 'show multinic task job1 json' | tr -d ' \n' | grep -q '\"numa\":{\"node\":0'" ||
		bad "job1's node did not change: $(task_numa job1)"
	egress_on job1 $VIP1 "tor-eth0 tor-eth1"
	[ "$(cat /sys/class/net/mn-job1/ifindex 2>/dev/null)" = "$ifindex" ] || bad "job1 was rewired (its device changed)"
	result node-change
	if [ "$VM" = 1 ]; then
		echo 1 >$CG/job1/cpuset.mems
	else
		cfg "task job1" "numa-node 1"
	fi
	wait_for 15 sh -c "vtysh -c 'show multinic task job1 json' | tr -d ' \n' | grep -q '\"numa\":{\"node\":1'" ||
		bad "job1 not back on node 1"
}

# remote pings a task's VIP; the packets arrive on a NIC of the other node
rx_ping() { # rx_ping VIP
	# on veth a packet is received where it was sent: on node 0's CPU
	ns remote $BB taskset -c 0 $BB ping -c 10 -i 0.1 -W 2 -q "$1" >/dev/null 2>&1
}

case_steer() {
	l0=$(counter job1 rxLocalCpuPackets) r0=$(counter job1 rxRemoteCpuPackets)
	rx_ping $VIP1 || bad "remote does not reach job1"
	l1=$(counter job1 rxLocalCpuPackets) r1=$(counter job1 rxRemoteCpuPackets)
	[ $((r1 - r0)) -ge 10 ] ||
		bad "without steering job1's packets were received on its own node's CPU (local +$((l1 - l0)), remote +$((r1 - r0))): the case cannot tell"
	note "steering off: job1 received local +$((l1 - l0)), remote +$((r1 - r0))"
	cfg "receive-steering xdp"
	wait_for 10 sh -c "vtysh -c 'show multinic nic h1-eth0 json' | tr -d ' \n' | grep -q '\"method\":\"xdp\"'" ||
		bad "h1-eth0 does not steer: $(vtj 'show multinic nic h1-eth0 json')"
	s0=$(nic_steer h1-eth0 steered)
	rx_ping $VIP1 || bad "remote does not reach job1 with steering"
	l2=$(counter job1 rxLocalCpuPackets) r2=$(counter job1 rxRemoteCpuPackets)
	[ $((l2 - l1)) -ge 10 ] && [ "$r2" = "$r1" ] ||
		bad "with steering job1 received local +$((l2 - l1)), remote +$((r2 - r1))"
	[ "$(nic_steer h1-eth0 steered)" -ge $((s0 + 10)) ] ||
		bad "h1-eth0 steered $s0 then $(nic_steer h1-eth0 steered)"
	note "steering xdp: job1 received local +$((l2 - l1)), remote +$((r2 - r1)); h1-eth0: $(vtysh -c 'show multinic nic h1-eth0' | grep -A1 'receive steering' | tail -1)"
	# and job0, whose packets arrive on node 1's h1-eth2
	l0=$(counter job0 rxLocalCpuPackets) r0=$(counter job0 rxRemoteCpuPackets)
	ns remote $BB taskset -c 1 $BB ping -c 10 -i 0.1 -W 2 -q $VIP0 >/dev/null 2>&1 || bad "remote does not reach job0"
	[ $(($(counter job0 rxLocalCpuPackets) - l0)) -ge 10 ] && [ "$(counter job0 rxRemoteCpuPackets)" = "$r0" ] ||
		bad "job0 received local +$(($(counter job0 rxLocalCpuPackets) - l0)), remote +$(($(counter job0 rxRemoteCpuPackets) - r0))"
	result steer-xdp
}

# kill -9 of multinicd: the steering programs stay (pinned links), the new
# multinicd adopts them (same links), packets are still steered
case_steer_restart() {
	# the configuration a restarted multinicd loads has the steering in it
	$BB sed -i '/^ egress-mode/a\ receive-steering xdp' $ETC/frr.conf
	id0=$(link_id h1-eth0)
	kill -9 "$(cat $RUN/multinicd.pid)"
	$BB sleep 0.5
	l0=$(counter job1 rxLocalCpuPackets)
	[ "$(link_id h1-eth0)" = "$id0" ] && [ -n "$id0" ] || bad "the XDP link went with multinicd: ${id0:-none} before, $(link_id h1-eth0) after"
	$SBIN/multinicd -d --log file:$TMP/multinicd.log --log-level debug || bad "multinicd does not start again"
	wait_for 20 test -S $RUN/multinicd.vty
	vtysh -c "show running-config" >/dev/null 2>&1
	vtysh -f $ETC/frr.conf >$TMP/config.out 2>&1 || bad "vtysh -f: $(cat $TMP/config.out)"
	wait_for 30 sh -c "vtysh -c 'show multinic task job1 json' | grep -q '\"status\":\"wired\"'" || bad "job1 not wired again"
	$BB sleep 1
	[ "$(link_id h1-eth0)" = "$id0" ] || bad "the XDP link was not adopted: $id0 before, $(link_id h1-eth0) after"
	r0=$(counter job1 rxRemoteCpuPackets)
	rx_ping $VIP1 || bad "remote does not reach job1 after the restart"
	[ "$(counter job1 rxRemoteCpuPackets)" = "$r0" ] || bad "after the restart job1's packets are received on the other node"
	result steer-restart
	cfg "no receive-steering xdp"
	wait_for 10 sh -c "! bpftool link show 2>/dev/null | grep -q xdp" ||
		bad "receive-steering off left XDP links: $(bpftool link show | grep -A2 xdp | tr '\n' ' ')"
	result steer-off
}

# What the hardware-steering probe found on each NIC: in the VM, the
# virtio NICs' interrupts (vm_nics pinned them to their NIC's node) and
# no RSS contexts, so that auto falls back to the program; veth has none.
case_probe() {
	cfg "receive-steering auto"
	for i in 0 1 2 3; do
		s=$(vtj "show multinic nic h1-eth$i json" | $BB sed -n 's/.*"receiveSteering":\(.*\)/\1/p')
		irqs=$(echo "$s" | $BB sed -n 's/.*"interrupts":{\([^{}]*\({[^{}]*}[^{}]*\)*\)}.*/\1/p')
		all=$(echo "$irqs" | grep -o '"numaNode":-\{0,1\}[0-9]*' | $BB wc -l)
		own=$(echo "$irqs" | grep -o "\"numaNode\":$(nic_node $i)[,}]" | $BB wc -l)
		[ "$(jfield "$s" method)" = xdp ] || bad "h1-eth$i under auto: $(jfield "$s" method) ($(jfield "$s" why))"
		echo "$s" | grep -q '"rssContexts":false' || bad "h1-eth$i: RSS contexts reported: $s"
		echo "$s" | grep -q 'cannotcreateRSScontexts' || bad "h1-eth$i: auto does not say why not hardware: $(jfield "$s" why)"
		if [ "$VM" = 1 ]; then
			[ "$all" -ge 2 ] && [ "$own" = "$all" ] && [ "$(jfield "$s" interruptNodes)" = 1 ] ||
				bad "h1-eth$i: $own of $all interrupts on node $(nic_node $i), interruptNodes $(jfield "$s" interruptNodes): $irqs"
		else
			[ "$all" = 0 ] && [ "$(jfield "$s" interruptNodes)" = 0 ] || bad "h1-eth$i (veth) has interrupts: $irqs"
		fi
	done
	note "h1-eth0: $(vtysh -c "show multinic nic h1-eth0" | grep "probe:")"
	vtysh -c "show multinic nic h1-eth0" | grep -q "probe: .*interrupt" || bad "show multinic nic h1-eth0: no probe line"
	[ "$VM" = 1 ] && { vtysh -c "show multinic nic h1-eth0" | grep -q "interrupt [0-9]* virtio.*: CPUs 0 (node 0)" ||
		bad "show multinic nic h1-eth0: no interrupt lines: $(vtysh -c 'show multinic nic h1-eth0' | grep -i interrupt)"; }
	cfg "no receive-steering auto"
	result probe
}

main() {
	rm -rf $TMP
	mkdir -p $TMP
	: >$CAP
	if ! setup >$TMP/setup.log 2>&1; then
		sed 's/^/# /' $TMP/setup.log
		tail -n 5 $TMP/multinicd.log 2>/dev/null | sed 's/^/# multinicd: /'
		echo "FAIL numa/setup: the topology or FRR did not start"
		nfail=1
	else
		for c in ${MN_NUMA_CASES:-topology config probe egress-ebpf egress-kernel spill spill-load strict ignore node-change steer steer-restart}; do
			case $c in
			topology) case_topology ;;
			config) case_config ;;
			probe) case_probe ;;
			egress-ebpf) case_egress ebpf ;;
			egress-kernel)
				cfg "egress-mode kernel"
				$BB sleep 1
				case_egress kernel
				cfg "egress-mode ebpf"
				wait_for 20 sh -c "vtysh -c 'show multinic task job1 json' | grep -q '\"datapath\":\"veth-tcx\"\|\"datapath\":\"netkit\"'"
				;;
			spill) case_spill ;;
			spill-load) case_spill_load ;;
			strict) case_strict ;;
			ignore) case_ignore ;;
			node-change) case_node_change ;;
			steer) case_steer ;;
			steer-restart) case_steer_restart ;;
			esac
		done
	fi
	teardown
	echo "$npass passed, $nfail failed"
	[ $nfail = 0 ]
}

main
