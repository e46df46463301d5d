#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
test_multinic_hardening.py: a host that a hostile task or bad input cannot
misuse (issue 16, host items 6-12), with the hostile side doing it.

    +----+  h1-eth0 ------ tor-eth0  +-----+ tor-eth2 -- remote-eth0 +--------+
    | h1 |  h1-eth1 ------ tor-eth1  | tor |                         | remote |
    +----+                           +-----+                         +--------+
      |
      +- netns hard-job1: task job1, 10.200.0.1/32, fd00:200::1/128 (hostile)
      +- netns hard-job2: task job2-long-name, 10.200.0.2/32, fd00:200::2/128

h1:     zebra + multinicd (-M grpc:50052); 10.0.N.2/24, fd00:0:N::2/64 on
        h1-ethN, default routes via tor (a spoofed packet let through
        would be forwarded; ICMP errors reach remote); both tasks in
        h1/frr.conf. job2's name is longer than 12 characters: its host
        device has the hashed name.
tor:    the rack switch; the task VIPs routed to h1 via h1-eth0.
remote: the hostile task's target, default routes via tor.

Task job1 is root in its netns and crafts its packets with scapy
(hostile.py, Debian's python3-scapy) at layer 2 on its device. Whether a
packet left h1 is read from captures (tcpdump) on tor (inbound on every
port: what left any NIC) and on remote. The datapath cases run in both
egress modes (``[ebpf]``: veth + tcx on this kernel; ``[kernel]``), the
test switching ``egress-mode`` between them:

* item 7, anti-spoofing: IPv4 and IPv6 packets (ICMP echo, UDP) from
  job2's VIP, from a host NIC address and from a random address leave no
  NIC and reach nothing, each is counted in job1's ``spoofed`` counter
  (exactly once), while the same packets from job1's VIP do arrive and
  its VIP still reaches remote;
* item 8, tagged frames: 802.1Q-tagged frames (VLAN 100, and priority
  tagged, VLAN 0) from job1 never leave a NIC tagged and the VLAN 100
  ones not at all (eBPF: counted as ``tagged``);
* item 8, TTL: a packet with TTL / hop limit 1 gets ICMP time exceeded
  from h1 itself and is not forwarded (eBPF: ``ttlExpired``);
* item 8, MTU: with ``mtu 1300`` on job1 (NICs 1500) a packet from remote
  that does not fit, sent with DF, gets fragmentation needed / packet too
  big from h1 naming MTU 1300 (eBPF: through mn_ingress, ``tooBig``);
* item 12: after ``no task``, the task's entry in ``show multinic
  counters`` is gone and stays gone while traffic for its old VIP arrives.

And once, independent of the datapath:

* item 6: ``netns`` naming a FIFO, a regular file, a device node, PID 1's
  or multinicd's own network namespace, a symlink to it, or a /run/netns
  name bound to it is refused at once with a message (vtysh; the FIFO and
  the bound name also through gRPC), multinicd keeps answering and the
  configuration is unchanged; while /proc/PID/ns/net of a root process in
  a container's netns is accepted and wired;
* item 11: ``nic-match`` rules that match multinicd's own task devices
  (``name mn*``, ``name *``, ``driver veth``) select every other device
  they match and never a task device; ``nic`` naming one is refused.

Item 9 (a task's MTU against the NICs) is in tests/vm/datapath-cases.sh,
item 10 (addresses) in multinic_basic; the items 1-5 (the rack switch) in
multinic_authz_hostile.
"""

import ipaddress
import json
import os
import random
import re
import subprocess
import sys
import time

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, "../"))

# pylint: disable=wrong-import-position
from lib.common_config import step
from lib.topolog import logger

from multinic_lib import (
    MC,
    Northbound,
    accept_any_source,
    build_rack,
    cmd,
    cmd_ok,
    configure_multinic,
    daemon_pid,
    enable_forwarding,
    expect,
    expect_grpc_refusal,
    expect_vtysh_refusal,
    ip_json,
    memory_leak_test,
    multinic_topology,
    ping_args,
    selected_route,
    show_json,
    skip_if_topology_broken,
    task_json,
    task_wired,
    vtysh,
)

pytestmark = [pytest.mark.multinicd]

GRPC_PORT = 50052
NICS = ["h1-eth0", "h1-eth1"]
TASK = "job1"
NETNS = "hard-job1"
VIP = {4: "10.200.0.1", 6: "fd00:200::1"}
OTHER = "job2-long-name"
OTHER_NETNS = "hard-job2"
OTHER_VIP = {4: "10.200.0.2", 6: "fd00:200::2"}
OTHER_LINES = [
    "task " + OTHER,
    "netns " + OTHER_NETNS,
    "vip {}/32".format(OTHER_VIP[4]),
    "vip {}/128".format(OTHER_VIP[6]),
    "exit",
]
# a task whose netns is given as /proc/PID/ns/net of a process in it
PROC_TASK = "job3"
PROC_NETNS = "hard-job3"
PROC_VIP = {4: "10.200.0.3", 6: "fd00:200::3"}
HOST_ADDR = {4: "10.0.0.2", 6: "fd00::2"}  # h1-eth0's
REMOTE = {4: "10.1.0.2", 6: "fd00:1::2"}
TASK_IFNAME = "mn0"

# egress-mode -> the datapath a wired task is then on (this kernel has no
# netkit: veth + tcx; the eBPF cases accept netkit and clsact too)
EBPF_DATAPATHS = ("netkit", "veth-tcx", "veth-clsact")
MODES = ["ebpf", "kernel"]

HOSTILE = os.path.join(CWD, "hostile.py")
PYTHON = "/usr/bin/python3"  # Debian's, with python3-scapy

# UDP ports of the hostile packets, one per kind, so that a capture tells
# them apart
SPOOF_PORT = 40100
VLAN_PORT = 40200  # tagged VLAN 100: must not leave at all
PRIO_PORT = 40201  # priority tagged (VLAN 0): must not leave tagged
PLAIN_PORT = 40202  # untagged: the captures' control
TTL_PORT = 33434


# the static routes every case relies on (IPv6 ones wait for DAD)
ROUTES = {
    "h1": {4: "0.0.0.0/0", 6: "::/0"},
    "tor": {4: "10.200.0.0/24", 6: "fd00:200::/64"},
    "remote": {4: "0.0.0.0/0", 6: "::/0"},
}


def _routes_missing(router, prefixes):
    "None when the router has selected routes to all of {family: prefix}, else which not."
    missing = [p for f, p in prefixes.items() if selected_route(router, f, p) is None]
    return "no route to {}".format(missing) if missing else None


def build_topo(tgen):
    build_rack(tgen, len(NICS), ["remote"])


@pytest.fixture(scope="module")
def tgen(request):
    "Setup/Teardown the environment and provide tgen argument to tests"
    daemons = {
        "tor": [("zebra", "")],
        "remote": [("zebra", "")],
        "h1": [("zebra", ""), ("multinicd", "-M grpc:{}".format(GRPC_PORT))],
    }
    netns = {"h1": [NETNS, OTHER_NETNS, PROC_NETNS]}
    with multinic_topology(request, build_topo, daemons, netns) as tgen:
        enable_forwarding(tgen.gears["h1"], tgen.gears["tor"])
        # tor must not hide a spoofed packet that h1 let through
        accept_any_source(tgen.gears["tor"], ["tor-eth{}".format(n) for n in range(3)])
        for name, prefixes in ROUTES.items():
            result = expect(lambda r=tgen.gears[name], p=prefixes: _routes_missing(r, p), count=60)
            assert result is None, "{}: {}".format(name, result)
        yield tgen


@pytest.fixture(autouse=True)
def skip_on_failure(tgen, request):
    "Skip when the topology is broken (start-up error, a daemon died)."
    skip_if_topology_broken(tgen, request)


#
# helpers
#


def _wired_on(h1, task, mode):
    "None when the task is wired on a datapath of egress-mode ``mode``, else why not."
    result = task_wired(h1, task)
    if result:
        return result
    datapath = task_json(h1, task).get("datapath")
    if (datapath in EBPF_DATAPATHS) != (mode == "ebpf"):
        return "task {} is on datapath {} under egress-mode {}".format(task, datapath, mode)
    return None


def _tasks(h1):
    return sorted(show_json(h1, "show multinic task json"))


@pytest.fixture
def egress_mode(tgen, request):
    """egress-mode ``request.param`` (ebpf or kernel) configured, every task
    wired on a datapath of that mode."""
    mode = request.param
    h1 = tgen.gears["h1"]
    if show_json(h1, "show multinic json").get("config", {}).get("egressMode") != mode:
        step("egress-mode " + mode)
        configure_multinic(h1, "egress-mode " + mode)
    for task in _tasks(h1):
        result = expect(lambda t=task: _wired_on(h1, t, mode), count=60)
        assert result is None, result
    return mode


def _ensure_other_task(h1, mode):
    "Task job2-long-name configured (again) and wired."
    if OTHER not in _tasks(h1):
        step("task " + OTHER)
        configure_multinic(h1, *OTHER_LINES)
    result = expect(lambda: _wired_on(h1, OTHER, mode), count=60)
    assert result is None, result


def _task_counters(h1, task=TASK):
    "The task's entry in show multinic counters json ({} when it has none)."
    return show_json(h1, "show multinic counters json").get("tasks", {}).get(task, {})


def _hostile(h1, packets):
    """job1 sends ``packets`` (hostile.py's specs) from its netns; one result
    per spec: {"sent": N, "errors": [...]}."""
    rc, out, err = cmd(
        h1,
        ["ip", "netns", "exec", NETNS, PYTHON, HOSTILE, TASK_IFNAME, json.dumps(packets)],
        timeout=60,
    )
    assert rc == 0, "hostile.py failed (rc {}): {}{}".format(rc, out, err)
    results = json.loads(out)
    logger.info("hostile.py %s -> %s", packets, results)
    return results


class Capture:
    """tcpdump on an interface of a router while a block runs (listening
    when it starts); ``lines`` afterwards: one per packet (``-nn -e``)."""

    def __init__(self, router, ifname, bpf_filter, inbound=False):
        self.router = router
        self.args = ["tcpdump", "-Z", "root", "-i", ifname, "-nn", "-e", "-l",
                     "--immediate-mode"] + (["-Q", "in"] if inbound else []) + [bpf_filter]
        self.proc = None
        self.lines = []

    def __enter__(self):
        self.proc = self.router.net.popen(self.args, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, encoding="utf-8")
        heard = []
        while True:
            line = self.proc.stderr.readline()
            heard.append(line)
            if not line or "listening on" in line:
                break
        assert line, "tcpdump on {} did not start: {}".format(self.router.name, heard)
        return self

    def __exit__(self, *exc):
        time.sleep(1)  # what is still on the wire
        self.proc.terminate()
        out, _ = self.proc.communicate(timeout=30)
        self.lines = [line for line in out.splitlines() if line.strip()]
        logger.info("%s captured %s packets: %s", " ".join(self.args), len(self.lines),
                    self.lines)
        return False

    def matching(self, pattern):
        "The captured lines matching the regular expression ``pattern``."
        return [line for line in self.lines if re.search(pattern, line)]


def _from(address, port=None):
    """A regular expression for a tcpdump line of a packet from ``address``
    (to UDP ``port``, when given)."""
    src = r" {}[. ]".format(re.escape(address))
    return src + (r".* > \S+\.{}: UDP".format(port) if port else "")


def _h1_addresses(h1):
    "Every address of h1 (all interfaces), as ipaddress objects."
    return {ipaddress.ip_address(a["local"])
            for link in ip_json(h1, "addr", "show") for a in link.get("addr_info", [])}


def _ping_ok(router, family, destination, netns=None, count=2):
    rc, out, err = cmd(router, ping_args(family, destination, count, "0.2", 2, netns=netns))
    return None if rc == 0 else "ping -{} {}: {}{}".format(family, destination, out, err)


#
# tests
#


def test_tasks_wired(tgen):
    "Both tasks are wired under the eBPF datapath and reach remote."
    h1 = tgen.gears["h1"]
    for task in (TASK, OTHER):
        result = expect(lambda t=task: _wired_on(h1, t, "ebpf"), count=60)
        assert result is None, result
    assert re.fullmatch(r"mn[a-z2-7]{13}", task_json(h1, OTHER).get("hostInterface", "")), \
        "{}'s host device is not the hashed form: {}".format(OTHER, task_json(h1, OTHER))
    for family in (4, 6):
        for netns in (NETNS, OTHER_NETNS):
            result = expect(lambda: _ping_ok(h1, family, REMOTE[family], netns), count=10)
            assert result is None, result


def _spoofed_sources():
    "{family: [source, ...]}: another task's VIP, a host NIC address, a random one."
    rnd = random.Random()
    return {
        4: [OTHER_VIP[4], HOST_ADDR[4], "203.0.113.{}".format(rnd.randint(1, 254))],
        6: [OTHER_VIP[6], HOST_ADDR[6], "fd00:99::{:x}".format(rnd.randint(1, 0xFFFF))],
    }


@pytest.mark.parametrize("egress_mode", MODES, indirect=True)
def test_spoofed_sources_dropped(tgen, egress_mode):
    "Item 7: packets from a source not the task's own reach nothing and are counted."
    h1, tor, remote = (tgen.gears[n] for n in ("h1", "tor", "remote"))
    _ensure_other_task(h1, egress_mode)
    sources = _spoofed_sources()
    step("job1 sends ICMP echo and UDP from {} and, as control, from its VIPs".format(sources))
    packets = [
        {"src": src, "dst": REMOTE[family], "proto": proto, "dport": SPOOF_PORT, "count": 3}
        for family in (4, 6) for src in sources[family] for proto in ("icmp", "udp")
    ]
    control = [{"src": VIP[family], "dst": REMOTE[family], "proto": "udp",
                "dport": SPOOF_PORT, "count": 2} for family in (4, 6)]
    spoofed = [s for f in (4, 6) for s in sources[f]]
    # what job1 sends (h1 itself sends ARP and neighbour advertisements
    # from its NIC address)
    capture_filter = "({}) and (udp port {} or {})".format(
        " or ".join("src host " + a for a in spoofed + list(VIP.values())), SPOOF_PORT,
        "icmp[icmptype] == icmp-echo or (icmp6 and ip6[40] == 128)")
    before = _task_counters(h1).get("spoofed", 0)
    with Capture(tor, "any", capture_filter, inbound=True) as at_tor, \
            Capture(remote, "remote-eth0", capture_filter, inbound=True) as at_remote:
        sent = sum(r["sent"] for r in _hostile(h1, packets))
        _hostile(h1, control)
    counted = _task_counters(h1).get("spoofed", 0) - before

    for where, capture in (("tor (left h1)", at_tor), ("remote", at_remote)):
        leaked = [line for src in spoofed for line in capture.matching(_from(src))]
        assert not leaked, "spoofed packets reached {}: {}".format(where, leaked)
        for family in (4, 6):
            seen = capture.matching(_from(VIP[family], SPOOF_PORT))
            assert len(seen) == 2, "{} saw {} of job1's 2 control packets from {}: {}".format(
                where, len(seen), VIP[family], capture.lines)
    assert counted == sent, "job1's spoofed counter grew by {}, {} spoofed packets sent".format(
        counted, sent)

    step("job1's VIPs still reach remote")
    for family in (4, 6):
        result = _ping_ok(h1, family, REMOTE[family], NETNS)
        assert result is None, result


@pytest.mark.parametrize("egress_mode", MODES, indirect=True)
def test_tagged_frames_do_not_leave_tagged(tgen, egress_mode):
    "Item 8: a VLAN-tagged frame from the task never leaves a NIC tagged."
    h1, tor, remote = (tgen.gears[n] for n in ("h1", "tor", "remote"))
    packets = [
        dict({"src": VIP[family], "dst": REMOTE[family], "proto": "udp", "count": 3}, **kind)
        for family in (4, 6)
        for kind in ({"vlan": 100, "dport": VLAN_PORT}, {"vlan": 0, "dport": PRIO_PORT},
                     {"dport": PLAIN_PORT})
    ]
    tagged_sent = sum(p["count"] for p in packets if "vlan" in p)
    before = _task_counters(h1).get("tagged", 0)
    bpf_filter = "udp portrange {}-{} or vlan".format(VLAN_PORT, PLAIN_PORT)
    step("job1 sends UDP tagged VLAN 100, priority tagged and untagged, IPv4 and IPv6")
    with Capture(tor, "tor-eth0", bpf_filter) as nic0, \
            Capture(tor, "tor-eth1", bpf_filter) as nic1, \
            Capture(remote, "remote-eth0", bpf_filter, inbound=True) as at_remote:
        _hostile(h1, packets)
    counted = _task_counters(h1).get("tagged", 0) - before

    tagged = nic0.matching(r"\bvlan\b") + nic1.matching(r"\bvlan\b")
    assert not tagged, "tagged frames left h1's NICs: {}".format(tagged)
    vlan100 = at_remote.matching(r"\.{}: UDP".format(VLAN_PORT))
    assert not vlan100, "VLAN 100 frames were forwarded to remote: {}".format(vlan100)
    for family in (4, 6):
        seen = at_remote.matching(_from(VIP[family], PLAIN_PORT))
        assert len(seen) == 3, "remote saw {} of the 3 untagged control packets from {}: {}".format(
            len(seen), VIP[family], at_remote.lines)
    if egress_mode == "ebpf":
        assert counted == tagged_sent, "job1's tagged counter grew by {}, {} frames sent".format(
            counted, tagged_sent)


@pytest.mark.parametrize("egress_mode", MODES, indirect=True)
def test_ttl_expiry_answered_by_host(tgen, egress_mode):
    "Item 8: a packet with TTL / hop limit 1 gets time exceeded from h1 and is not forwarded."
    h1, tor = tgen.gears["h1"], tgen.gears["tor"]
    packets = [{"src": VIP[family], "dst": REMOTE[family], "proto": "udp", "dport": TTL_PORT,
                "sport": 40000 + family, "ttl": 1, "await_error": True} for family in (4, 6)]
    before = _task_counters(h1).get("ttlExpired", 0)
    step("job1 sends UDP with TTL 1 and hop limit 1 to remote")
    with Capture(tor, "any", "udp port {}".format(TTL_PORT), inbound=True) as at_tor:
        results = _hostile(h1, packets)
    counted = _task_counters(h1).get("ttlExpired", 0) - before

    forwarded = at_tor.matching(r"\.{}: UDP".format(TTL_PORT))
    assert not forwarded, "packets with TTL 1 were forwarded to tor: {}".format(forwarded)
    h1_addresses = _h1_addresses(h1)
    for family, result in zip((4, 6), results):
        want_type = 11 if family == 4 else 3  # time exceeded, in transit
        errors = [e for e in result["errors"] if e["type"] == want_type and e["code"] == 0]
        assert errors, "IPv{}: no time exceeded for the TTL 1 packet: {}".format(family, result)
        strangers = [e for e in errors if ipaddress.ip_address(e["src"]) not in h1_addresses]
        assert not strangers, "IPv{}: time exceeded not from h1: {}".format(family, strangers)
    if egress_mode == "ebpf":
        assert counted == len(packets), "job1's ttlExpired grew by {}, {} packets sent".format(
            counted, len(packets))


TASK_MTU = 1300
TOO_BIG = {4: r"Frag needed and DF set \(mtu = {}\)", 6: r"Packet too big: mtu={}"}


def _mtu_in_use(h1, mtu):
    "None when job1's device has MTU ``mtu`` on both ends, else what it has."
    task = task_json(h1, TASK)
    links = ip_json(h1, "link", "show", TASK_IFNAME, netns=NETNS)
    peer = links[0].get("mtu") if links else None
    if task.get("mtu") != mtu or peer != mtu:
        return "job1's MTU: multinicd {}, {} in {} {} (want {})".format(
            task.get("mtu"), TASK_IFNAME, NETNS, peer, mtu)
    return None


@pytest.mark.parametrize("egress_mode", MODES, indirect=True)
def test_too_big_for_task_mtu(tgen, egress_mode):
    "Item 8: a packet larger than the task's MTU, with DF, gets fragmentation needed from h1."
    h1, remote = tgen.gears["h1"], tgen.gears["remote"]
    nic_mtu = show_json(h1, "show multinic nic json").get(NICS[0], {}).get("mtu")
    assert nic_mtu and nic_mtu > TASK_MTU, "NIC MTU {} (want above {})".format(nic_mtu, TASK_MTU)
    step("mtu {} on job1 (NICs {})".format(TASK_MTU, nic_mtu))
    configure_multinic(h1, "task " + TASK, "mtu {}".format(TASK_MTU))
    try:
        result = expect(lambda: _wired_on(h1, TASK, egress_mode) or _mtu_in_use(h1, TASK_MTU),
                        count=60)
        assert result is None, result
        # remote learnt the path MTU in an earlier run: forget it
        cmd_ok(remote, ["ip", "route", "flush", "cache"])
        cmd_ok(remote, ["ip", "-6", "route", "flush", "cache"])
        before = _task_counters(h1).get("tooBig", 0)
        h1_addresses = _h1_addresses(h1)
        for family in (4, 6):
            step("IPv{}: remote pings job1 with 1400 bytes, DF".format(family))
            args = ["ping", "-{}".format(family), "-M", "do", "-s", "1400", "-c", "1", "-W", "2",
                    VIP[family]]
            rc, out, err = cmd(remote, args)
            logger.info("%s -> rc %s: %s%s", args, rc, out, err)
            assert rc != 0 and re.search(TOO_BIG[family].format(TASK_MTU), out), \
                "IPv{}: no fragmentation needed / packet too big naming MTU {}: {}{}".format(
                    family, TASK_MTU, out, err)
            sender = re.search(r"From (\S+) icmp_seq", out)
            assert sender and ipaddress.ip_address(sender.group(1)) in h1_addresses, \
                "IPv{}: the error is not from h1: {}".format(family, out)
            step("IPv{}: a packet that fits arrives".format(family))
            rc, out, err = cmd(remote, ["ping", "-{}".format(family), "-M", "do", "-s", "1200",
                                        "-c", "1", "-W", "2", VIP[family]])
            assert rc == 0, "IPv{}: 1200 bytes with DF did not arrive: {}{}".format(
                family, out, err)
        counted = _task_counters(h1).get("tooBig", 0) - before
        if egress_mode == "ebpf":
            assert counted == 2, "job1's tooBig grew by {} (want 2: one per family)".format(
                counted)
    finally:
        configure_multinic(h1, "task " + TASK, "no mtu")
    result = expect(lambda: _wired_on(h1, TASK, egress_mode) or _mtu_in_use(h1, nic_mtu),
                    count=60)
    assert result is None, result


NOT_NETNS = r"is not a network namespace"
HOSTS_OWN = r"host's own network namespace"
HOST_NETNS_NAME = "hard-hostns"


def _bad_netns(h1, tmp, pid):
    """{what: (path, why refused)} of netns references that must be
    refused, made in ``tmp`` (h1's view): no namespaces at all, or h1's
    own (multinicd's, ``pid``)."""
    fifo, plain, device, link = (os.path.join(tmp, n) for n in ("fifo", "file", "null", "link"))
    cmd_ok(h1, ["mkfifo", fifo])
    cmd_ok(h1, ["touch", plain])
    cmd_ok(h1, ["mknod", device, "c", "1", "3"])
    cmd_ok(h1, ["ln", "-s", "/proc/1/ns/net", link])
    # a name under /run/netns bound to multinicd's own namespace
    cmd_ok(h1, ["ip", "netns", "attach", HOST_NETNS_NAME, str(pid)])
    # Where PID 1 is an init that nobody may look into, not even root (a
    # microVM's init, e.g. when the tests run in the host's PID
    # namespace), multinicd cannot tell whose namespace it is: it is
    # refused for that.  Elsewhere (an ordinary init, or the PID
    # namespace of a test harness) it is refused as the host's own.
    pid1 = HOSTS_OWN
    if cmd(h1, ["stat", "-L", "/proc/1/ns/net"])[0] != 0:
        pid1 = r"cannot look at network namespace .*Permission denied"
    return {
        "a FIFO": (fifo, NOT_NETNS),
        "a regular file": (plain, NOT_NETNS),
        "a device node": (device, NOT_NETNS),
        "PID 1's network namespace": ("/proc/1/ns/net", pid1),
        "multinicd's own network namespace": ("/proc/self/ns/net", HOSTS_OWN),
        "a symlink to /proc/1/ns/net": (link, pid1),
        "a /run/netns name bound to multinicd's namespace": (HOST_NETNS_NAME, HOSTS_OWN),
    }


def test_hostile_netns_refused(tgen):
    "Item 6: netns paths that are no task's namespace are refused at once; multinicd answers."
    h1 = tgen.gears["h1"]
    task_before = task_json(h1, TASK)
    tmp = cmd_ok(h1, ["mktemp", "-d", "/tmp/multinic-hardening.XXXXXX"]).strip()
    pid = daemon_pid(h1, "multinicd")
    try:
        refs = _bad_netns(h1, tmp, pid)
        for what, (path, reason) in refs.items():
            step("netns {} ({})".format(path, what))
            start = time.monotonic()
            expect_vtysh_refusal(h1, ["task " + TASK, "netns " + path], reason, timeout=10)
            elapsed = time.monotonic() - start
            assert elapsed < 5, "refusing {} took {:.1f} s".format(what, elapsed)
            rc, out = vtysh(h1, "show multinic task {} json".format(TASK), timeout=10)
            assert rc == 0 and json.loads(out).get(TASK), "multinicd does not answer: " + out

        nb = Northbound(h1, GRPC_PORT)
        for what in ("a FIFO", "a /run/netns name bound to multinicd's namespace"):
            path, reason = refs[what]
            expect_grpc_refusal(h1, nb, "netns " + what,
                                {MC: {"task": [{"name": TASK, "netns": path}]}}, reason)
    finally:
        cmd(h1, ["ip", "netns", "del", HOST_NETNS_NAME])
        cmd(h1, ["rm", "-rf", tmp])
    assert daemon_pid(h1, "multinicd") == pid, "multinicd restarted"
    task_after = task_json(h1, TASK)
    assert task_after.get("netns") == NETNS and task_after.get("status") == "wired", \
        "job1 before {}, after {}".format(task_before, task_after)


def test_netns_of_a_container_process_accepted(tgen):
    "Item 6: /proc/PID/ns/net of a root process in a container's netns is a task's netns."
    h1 = tgen.gears["h1"]
    proc = h1.net.popen(["ip", "netns", "exec", PROC_NETNS, "sleep", "120"],
                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL)
    try:
        result = expect(lambda: None if cmd_ok(h1, ["ip", "netns", "pids", PROC_NETNS]).split()
                        else "no process in " + PROC_NETNS, count=20, wait=0.2)
        assert result is None, result
        pid = cmd_ok(h1, ["ip", "netns", "pids", PROC_NETNS]).split()[0]
        path = "/proc/{}/ns/net".format(pid)
        step("task {} with netns {} (a root process in {})".format(PROC_TASK, path, PROC_NETNS))
        configure_multinic(h1, "task " + PROC_TASK, "netns " + path,
                           "vip {}/32".format(PROC_VIP[4]), "vip {}/128".format(PROC_VIP[6]))
        result = expect(lambda: task_wired(h1, PROC_TASK), count=40)
        assert result is None, result
        for family in (4, 6):
            result = expect(lambda f=family: _ping_ok(h1, f, REMOTE[f], PROC_NETNS), count=10)
            assert result is None, result
    finally:
        vtysh(h1, "configure terminal", "multinic", "no task " + PROC_TASK)
        proc.kill()
        proc.wait()


PROBE = "mnprobe0"  # named like no task device: a nic-match on mn* must select it
PROBE_PEER = "probepeer0"


def _selected(h1):
    return sorted(show_json(h1, "show multinic nic json"))


@pytest.mark.parametrize("rule, extra", [
    ("name mn*", [PROBE]),
    ("name *", [PROBE, PROBE_PEER]),
    ("driver veth", [PROBE, PROBE_PEER]),
], ids=["name-mn", "name-any", "driver-veth"])
def test_nic_match_never_selects_task_devices(tgen, rule, extra):
    "Item 11: a nic-match rule matching task devices selects all else it matches, not them."
    h1 = tgen.gears["h1"]
    own = [task_json(h1, t).get("hostInterface") for t in (TASK, OTHER)]
    assert all(own) and all(cmd(h1, ["ip", "link", "show", d])[0] == 0 for d in own), own
    want = sorted(NICS + extra)
    cmd_ok(h1, ["ip", "link", "add", PROBE, "type", "veth", "peer", "name", PROBE_PEER])
    try:
        step("nic-match 50 {} (task devices: {})".format(rule, own))
        configure_multinic(h1, "nic-match 50 " + rule)
        result = expect(lambda: None if _selected(h1) == want else "selected: {} (want {})".format(
            _selected(h1), want), count=20)
        assert result is None, result
        configure_multinic(h1, "no nic-match 50")
        result = expect(lambda: None if _selected(h1) == NICS else "selected: {}".format(
            _selected(h1)), count=20)
        assert result is None, result
    finally:
        vtysh(h1, "configure terminal", "multinic", "no nic-match 50")
        cmd(h1, ["ip", "link", "del", PROBE])
    for task in (TASK, OTHER):
        result = expect(lambda t=task: task_wired(h1, t), count=20)
        assert result is None, result


def test_nic_naming_a_task_device_refused(tgen):
    "Item 11: nic naming a task device (either form of its name) is refused."
    h1 = tgen.gears["h1"]
    for task in (TASK, OTHER):
        device = task_json(h1, task).get("hostInterface")
        expect_vtysh_refusal(h1, ["nic " + device], r"multinicd's own task devices")


@pytest.mark.parametrize("egress_mode", MODES, indirect=True)
def test_removed_task_counters_stay_gone(tgen, egress_mode):
    "Item 12: after no task, its counters are gone and stay gone while traffic for it arrives."
    h1, remote = tgen.gears["h1"], tgen.gears["remote"]
    _ensure_other_task(h1, egress_mode)
    result = expect(lambda: None if _task_counters(h1, OTHER) else "no counters for " + OTHER)
    assert result is None, result

    step("no task " + OTHER)
    configure_multinic(h1, "no task " + OTHER)
    result = expect(lambda: "counters of {} left: {}".format(OTHER, _task_counters(h1, OTHER))
                    if _task_counters(h1, OTHER) else None, count=20)
    assert result is None, result

    step("remote keeps sending to its old VIPs; its netns tries to send")
    for family in (4, 6):
        cmd(remote, ping_args(family, OTHER_VIP[family], 5, "0.2", 1))
        cmd(h1, ping_args(family, REMOTE[family], 2, "0.2", 1, netns=OTHER_NETNS))
    time.sleep(1)
    left = _task_counters(h1, OTHER)
    assert not left, "counters of {} came back: {}".format(OTHER, left)
    assert OTHER not in _tasks(h1)


def test_memory_leak(tgen):
    "FRR's memory-leak report: no daemon leaves memory allocated at exit."
    memory_leak_test(tgen)


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
