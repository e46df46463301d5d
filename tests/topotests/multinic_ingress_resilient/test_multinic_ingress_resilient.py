#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
test_multinic_ingress_resilient.py: the rack switch installs a host's task
VIP through a resilient nexthop group; a failing NIC moves only its flows.

    +----+ h1-eth0 ------ tor-eth0
    |    | h1-eth1 ------ tor-eth1 +-----+
    | h1 | h1-eth2 ------ tor-eth2 | tor | tor-eth4 -- remote-eth0 +--------+
    |    | h1-eth3 ------ tor-eth3 +-----+                         | remote |
    +----+                                                          +--------+
      +- netns mnres-job1 (task job1): 10.200.1.1/32, fd00:200:1::1/128

h1:     zebra, multinicd, bgpd: the task's VIP announced on one eBGP
        session per NIC and family ("redistribute multinic").
tor:    the rack switch: stock FRR's zebra and bgpd with bgpd_multinic
        (bgpd -M multinic), multinicd holding the authorization policy;
        "multinic resilient-ingress" in its frr.conf; flows hashed by
        their ports (fib_multipath_hash_policy=1).
remote: sends 32 UDP flows (32 source ports) to the VIP.

What is checked (IPv4 and IPv6):
1. tor installs the authorized VIP through a resilient group of its own
   (kernel: type resilient, 128 buckets, idle timer 1 s, unbalanced timer
   0) holding h1's 4 NICs; "show bgp multinic ingress json" lists it;
2. the 32 flows arrive over all 4 NICs, each flow on one NIC (seen on h1);
3. h1-eth0 going down while the flows run: only the flows that arrived on
   it move, each to one surviving NIC; every other flow stays on its NIC;
4. h1-eth0 back: tor's group has it again, the running flows stay where
   they are, and new flows arrive on it at once (the buckets idle for the
   idle timer are its);
5. the knob: running-config round trip with buckets and idle timer (the
   kernel group follows), show json; bad values are refused;
6. "no multinic resilient-ingress" with VIPs in groups: every VIP back on
   a plain multipath route in tor's RIB and kernel, the groups gone from
   the kernel; on again: resilient groups again.
"""

import ipaddress
import json
import os
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
    bgp_peers_not_established,
    build_rack,
    cmd_ok,
    configure_multinic,
    enable_forwarding,
    expect,
    ip_json,
    memory_leak_test,
    module_path,
    multinic_topology,
    running_config,
    set_sysctls,
    show_json,
    skip_if_topology_broken,
    vtysh_config,
)

pytestmark = [pytest.mark.multinicd, pytest.mark.bgpd]

NICS = ["h1-eth0", "h1-eth1", "h1-eth2", "h1-eth3"]
# tor's port towards each of h1's NICs
TOR_PORT = {nic: nic.replace("h1-", "tor-") for nic in NICS}
FAILING = "h1-eth0"
NETNS = "mnres-job1"  # unique: /run/netns is shared with other tests
VIP = {4: "10.200.1.1", 6: "fd00:200:1::1"}
VIP_PREFIX = {4: "10.200.1.1/32", 6: "fd00:200:1::1/128"}
# as FRR prints them (fd00:0:0::2 is fd00::2)
TOR_NEIGHBORS = ["10.0.{}.2".format(n) for n in range(4)] + [
    str(ipaddress.ip_address("fd00:0:{}::2".format(n))) for n in range(4)
]
FLOWS = 32
PORT = 7000
# the flows of a test: source ports FIRST_SPORT.. (fresh ones: FRESH_SPORT..)
FIRST_SPORT = 40000
FRESH_SPORT = 41000
# a packet per flow every SEND_INTERVAL s: far below the idle timer, so
# every running flow's bucket stays busy
SEND_INTERVAL = 0.05
BUCKETS = 128
IDLE_TIMER = 1
FLOWS_TOOL = os.path.join(CWD, "flows.py")


def build_topo(tgen):
    build_rack(tgen, len(NICS), ["remote"])


@pytest.fixture(scope="module")
def tgen(request):
    "Setup/Teardown the environment and provide tgen argument to tests"
    assert module_path("bgpd_multinic"), "bgpd_multinic is not installed"
    daemons = {
        "tor": [("zebra", ""), ("bgpd", "-M multinic"), ("multinicd", "")],
        "h1": [("zebra", ""), ("multinicd", ""), ("bgpd", "")],
        "remote": [("zebra", "")],
    }
    with multinic_topology(request, build_topo, daemons, {"h1": [NETNS]}) as tgen:
        h1, tor = tgen.gears["h1"], tgen.gears["tor"]
        enable_forwarding(h1, tor)
        # the rack switch spreads flows by their ports (L4), as real ones do
        set_sysctls(
            tor, "net.ipv4.fib_multipath_hash_policy=1", "net.ipv6.fib_multipath_hash_policy=1"
        )
        yield tgen


@pytest.fixture(autouse=True)
def skip_on_failure(tgen, request):
    "Skip when the topology is broken (start-up error, a daemon died)."
    skip_if_topology_broken(tgen, request)


#
# helpers
#


def _kernel_group(tor, family):
    """The kernel's nexthop group of tor's route to the VIP: (group object of
    ``ip -j nexthop``, {tor port of each member}); (None, why) without one."""
    routes = ip_json(tor, "-{}".format(family), "route", "show", VIP_PREFIX[family])
    if not routes:
        return None, "no kernel route to {}".format(VIP_PREFIX[family])
    nhid = routes[0].get("nhid")
    if not nhid:
        return None, "kernel route {} has no nexthop object".format(routes[0])
    objects = {nh["id"]: nh for nh in ip_json(tor, "nexthop", "show")}
    group = objects.get(nhid)
    if group is None or "group" not in group:
        return None, "nexthop {} is not a group: {}".format(nhid, group)
    ports = {objects.get(m["id"], {}).get("dev") for m in group["group"]}
    return group, ports


def _resilient_group_is(tor, family, nics, buckets=BUCKETS, idle_timer=IDLE_TIMER):
    "None when tor's kernel routes the VIP through a resilient group of exactly ``nics``."
    group, ports = _kernel_group(tor, family)
    if group is None:
        return ports
    want = {TOR_PORT[nic] for nic in nics}
    if group.get("type") != "resilient":
        return "group {} is {}, not resilient".format(group["id"], group.get("type", "mpath"))
    args = group.get("resilient_args", {})
    if (args.get("buckets"), args.get("idle_timer"), args.get("unbalanced_timer")) != (
        buckets,
        idle_timer,
        0,
    ):
        return "group {}: resilient args {}".format(group["id"], args)
    if ports != want:
        return "group {} via {}, not {}".format(group["id"], sorted(ports), sorted(want))
    # bgpd_multinic's own account of the group
    groups = show_json(tor, "show bgp multinic ingress json").get("resilientGroups", {})
    shown = groups.get(VIP_PREFIX[family])
    if not shown or shown.get("id") != group["id"] or len(shown.get("nexthops", [])) != len(nics):
        return "show bgp multinic ingress: {} (kernel group {})".format(groups, group["id"])
    return None


def _wait_group(tor, family, nics, **kw):
    result = expect(lambda: _resilient_group_is(tor, family, nics, **kw), count=60, wait=0.25)
    if result is not None:
        for command in [
            "ip -d nexthop show",
            "ip -{} route show {}".format(family, VIP_PREFIX[family]),
            "vtysh -c 'show bgp multinic ingress json'",
            "vtysh -c 'show {} route {} json'".format("ip" if family == 4 else "ipv6",
                                                     VIP_PREFIX[family]),
        ]:
            logger.error("tor: %s\n%s", command, tor.run(command))
    assert result is None, "IPv{} on tor: {}".format(family, result)


class Flows:
    """UDP flows from remote to the VIP (``flows.py send``) while h1 records
    on which NIC each arrives (``flows.py capture``)."""

    def __init__(self, tgen, family):
        self.tgen = tgen
        self.family = family
        self.capture = None
        self.senders = []

    def _popen(self, router, args, **kw):
        return router.net.popen(
            ["/usr/bin/python3", FLOWS_TOOL] + [str(a) for a in args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            encoding="utf-8",
            **kw
        )

    def __enter__(self):
        self.capture = self._popen(
            self.tgen.gears["h1"], ["capture", self.family, VIP[self.family], PORT]
        )
        line = self.capture.stdout.readline()
        assert line.strip() == "ready", "capture on h1: {!r} {}".format(
            line, self.capture.stderr.read() if self.capture.poll() is not None else ""
        )
        return self

    def send(self, first_sport, count=FLOWS):
        "Start count flows (until the capture ends)."
        self.senders.append(
            self._popen(
                self.tgen.gears["remote"],
                ["send", self.family, VIP[self.family], PORT, first_sport, count, SEND_INTERVAL],
            )
        )

    def stop_senders(self):
        for proc in self.senders:
            _, err = proc.communicate(timeout=10)
            assert proc.returncode == 0, "flows.py send: {}".format(err)
        self.senders = []

    def arrivals(self):
        """Stop; {source port: [(first arrival, NIC, last arrival, packets)]},
        each flow's NICs in the order it arrived on them."""
        self.stop_senders()
        out, err = self.capture.communicate(timeout=10)
        assert self.capture.returncode == 0, "flows.py capture: {}".format(err)
        self.capture = None
        flows = {}
        for sport, nic, first, last, packets in json.loads(out):
            flows.setdefault(sport, []).append((first, nic, last, packets))
        return {sport: sorted(seen) for sport, seen in flows.items()}

    def __exit__(self, *exc):
        for proc in self.senders + ([self.capture] if self.capture else []):
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        return False


def _nic_of_each(arrivals, sports):
    "{source port: the one NIC it arrived on}; asserts one NIC per flow."
    nic_of = {}
    for sport in sports:
        seen = arrivals.get(sport)
        assert seen, "flow {} never arrived at h1".format(sport)
        nics = {nic for _, nic, _, _ in seen}
        assert len(nics) == 1, "flow {} arrived over several NICs: {}".format(sport, seen)
        nic_of[sport] = nics.pop()
    return nic_of


def _by_nic(nic_of):
    count = {nic: 0 for nic in NICS}
    for nic in nic_of.values():
        count[nic] += 1
    return count


def _link(router, ifname, state):
    cmd_ok(router, ["ip", "link", "set", ifname, state])


#
# tests
#


def test_sessions_and_task(tgen):
    "tor's host sessions are Established; h1's task is configured."
    tor, h1 = tgen.gears["tor"], tgen.gears["h1"]
    result = expect(lambda: bgp_peers_not_established(tor, TOR_NEIGHBORS) or None, count=80)
    assert result is None, "tor sessions not Established: {}".format(result)
    configure_multinic(
        h1, "task job1", "netns " + NETNS, "vip " + VIP_PREFIX[4], "vip " + VIP_PREFIX[6],
        "exit",
    )


@pytest.mark.parametrize("family", [4, 6])
def test_vip_through_resilient_group(tgen, family):
    "tor installs the VIP through a resilient group of h1's 4 NICs; flows use all 4."
    tor = tgen.gears["tor"]
    step("IPv{}: tor's kernel route to the VIP is a resilient group of 4".format(family))
    _wait_group(tor, family, NICS)

    step("IPv{}: {} flows arrive over all 4 NICs, one NIC each".format(family, FLOWS))
    with Flows(tgen, family) as flows:
        flows.send(FIRST_SPORT)
        time.sleep(1)
        arrivals = flows.arrivals()
    nic_of = _nic_of_each(arrivals, range(FIRST_SPORT, FIRST_SPORT + FLOWS))
    logger.info("IPv%s flows per NIC: %s", family, _by_nic(nic_of))
    unused = [nic for nic, n in _by_nic(nic_of).items() if n == 0]
    assert not unused, "no flow arrived on {}: {}".format(unused, _by_nic(nic_of))


@pytest.mark.parametrize("family", [4, 6])
def test_failing_nic_moves_only_its_flows(tgen, family):
    """h1-eth0 down under load: its flows move, the others stay; back up:
    the running flows stay, new ones reach it at once."""
    h1, tor = tgen.gears["h1"], tgen.gears["tor"]
    survivors = [nic for nic in NICS if nic != FAILING]
    sports = range(FIRST_SPORT, FIRST_SPORT + FLOWS)
    _wait_group(tor, family, NICS)

    with Flows(tgen, family) as flows:
        flows.send(FIRST_SPORT)
        time.sleep(1)
        step("IPv{}: {} goes down while {} flows run".format(family, FAILING, FLOWS))
        down_at = time.time()
        _link(h1, FAILING, "down")
        _wait_group(tor, family, survivors)
        time.sleep(1)
        arrivals = flows.arrivals()

    before, after, moved_elsewhere = {}, {}, []
    for sport in sports:
        seen = arrivals.get(sport, [])
        early = {nic for first, nic, _, _ in seen if first < down_at}
        late = {nic for _, nic, last, _ in seen if last > down_at + 0.5}
        assert len(early) == 1 and len(late) == 1, "flow {}: {}".format(sport, seen)
        before[sport], after[sport] = early.pop(), late.pop()
        if before[sport] != FAILING and after[sport] != before[sport]:
            moved_elsewhere.append(sport)
    on_failing = [s for s in sports if before[s] == FAILING]
    logger.info(
        "IPv%s: flows per NIC before %s, after %s; %d moved from %s",
        family, _by_nic(before), _by_nic(after), len(on_failing), FAILING,
    )
    assert on_failing, "no flow used {} before it failed".format(FAILING)
    assert not moved_elsewhere, "flows on surviving NICs moved: {}".format(
        {s: (before[s], after[s]) for s in moved_elsewhere}
    )
    assert all(after[s] in survivors for s in on_failing), "flows of {} went to {}".format(
        FAILING, {s: after[s] for s in on_failing}
    )

    step("IPv{}: {} comes back while the flows run".format(family, FAILING))
    with Flows(tgen, family) as flows:
        flows.send(FIRST_SPORT)
        time.sleep(0.5)
        up_at = time.time()
        _link(h1, FAILING, "up")
        _wait_group(tor, family, NICS)
        back_at = time.time()
        # its BGP sessions come back first (connect timer, IPv6 DAD)
        logger.info("IPv%s: %s back in tor's group %.1f s after link up", family, FAILING,
                    back_at - up_at)
        flows.send(FRESH_SPORT)
        time.sleep(1.5)
        arrivals = flows.arrivals()

    # the running flows stay where the failure put them
    still = _nic_of_each(arrivals, sports)
    moved = {s: (after[s], still[s]) for s in sports if still[s] != after[s]}
    assert not moved, "running flows moved when {} came back: {}".format(FAILING, moved)
    # new flows reach the returning NIC within the idle timer
    fresh = _nic_of_each(arrivals, range(FRESH_SPORT, FRESH_SPORT + FLOWS))
    firsts = sorted(
        first for s in fresh if fresh[s] == FAILING for first, _, _, _ in arrivals[s]
    )
    logger.info("IPv%s: new flows per NIC %s", family, _by_nic(fresh))
    assert firsts, "no new flow arrived on {} after it came back: {}".format(
        FAILING, _by_nic(fresh)
    )
    delay = firsts[0] - back_at
    logger.info("IPv%s: first new flow on %s %.3f s after the group had it", family, FAILING,
                delay)
    assert delay <= IDLE_TIMER, "{}'s first flow came {:.2f} s after it was back".format(
        FAILING, delay
    )


def _ingress_json(tor):
    return show_json(tor, "show bgp multinic ingress json").get("resilientIngress", {})


def _bgp_config_lines(tor):
    return [l for l in running_config(tor).splitlines() if "resilient-ingress" in l]


def _turn_on_with_defaults(tor):
    "multinic resilient-ingress: in the running-config, every VIP through a resilient group."
    rc, out = vtysh_config(tor, "router bgp 65000", "multinic resilient-ingress")
    assert rc == 0, out
    assert _bgp_config_lines(tor) == [" multinic resilient-ingress"]
    for family in [4, 6]:
        _wait_group(tor, family, NICS)


def test_knob_round_trip(tgen):
    "running-config and show of the knob; the kernel groups follow; bad values refused."
    tor = tgen.gears["tor"]
    assert _bgp_config_lines(tor) == [" multinic resilient-ingress"]
    assert _ingress_json(tor) == {"enabled": True, "buckets": BUCKETS, "idleTimer": IDLE_TIMER}

    step("buckets 64 idle-timer 2: the groups are rebuilt with them")
    rc, out = vtysh_config(tor, "router bgp 65000", "multinic resilient-ingress buckets 64 idle-timer 2")
    assert rc == 0, out
    assert _bgp_config_lines(tor) == [" multinic resilient-ingress buckets 64 idle-timer 2"]
    assert _ingress_json(tor) == {"enabled": True, "buckets": 64, "idleTimer": 2}
    for family in [4, 6]:
        _wait_group(tor, family, NICS, buckets=64, idle_timer=2)

    step("bad values are refused and change nothing")
    before = running_config(tor)
    for bad in ["buckets 1", "buckets 5000", "idle-timer 0"]:
        rc, out = vtysh_config(tor, "router bgp 65000", "multinic resilient-ingress " + bad)
        assert rc != 0 and out.strip(), "accepted {!r}: {}".format(bad, out)
    assert running_config(tor) == before

    step("multinic resilient-ingress again: resilient groups with the defaults")
    _turn_on_with_defaults(tor)


def _plain_route_is(tor, family, nics, released):
    """None when tor has the VIP on a plain multipath route over ``nics`` in
    its RIB and kernel, and no resilient group is left anywhere (``released``:
    the ids of bgpd_multinic's groups before)."""
    routes = show_json(tor, "show {} route {} json".format(
        "ip" if family == 4 else "ipv6", VIP_PREFIX[family])).get(VIP_PREFIX[family], [])
    rib = [r for r in routes if r.get("selected")]
    if not rib:
        return "no selected route to {} in tor's RIB".format(VIP_PREFIX[family])
    fib = [nh.get("interfaceName") for nh in rib[0].get("nexthops", []) if nh.get("fib")]
    if sorted(fib) != sorted(TOR_PORT[nic] for nic in nics):
        return "RIB: {} installed via {}".format(VIP_PREFIX[family], fib)
    if rib[0].get("nexthopGroupId") in released:
        return "RIB: {} still through bgpd_multinic's group {}".format(
            VIP_PREFIX[family], rib[0]["nexthopGroupId"])
    group, ports = _kernel_group(tor, family)
    if group is None:
        return ports
    if group.get("type") == "resilient":
        return "kernel: {} still through resilient group {}".format(
            VIP_PREFIX[family], group["id"])
    if ports != {TOR_PORT[nic] for nic in nics}:
        return "kernel: group {} via {}".format(group["id"], sorted(ports))
    left = [
        nh["id"]
        for nh in ip_json(tor, "nexthop", "show")
        if nh.get("type") == "resilient" or nh["id"] in released
    ]
    if left:
        return "kernel: groups left: {}".format(left)
    groups = show_json(tor, "show bgp multinic ingress json").get("resilientGroups")
    if groups:
        return "show bgp multinic ingress: groups left {}".format(groups)
    return None


def _wait_plain(tor, family, nics, released):
    result = expect(lambda: _plain_route_is(tor, family, nics, released), count=40, wait=0.25)
    if result is not None:
        for command in [
            "ip -d nexthop show",
            "ip -{} route show {}".format(family, VIP_PREFIX[family]),
            "vtysh -c 'show {} route {} json'".format("ip" if family == 4 else "ipv6",
                                                     VIP_PREFIX[family]),
            "vtysh -c 'show nexthop-group rib'",
        ]:
            logger.error("tor: %s\n%s", command, tor.run(command))
    assert result is None, "IPv{} on tor: {}".format(family, result)


def test_off_and_on(tgen):
    """no multinic resilient-ingress with VIPs in groups: every VIP back on a
    plain multipath route (RIB and kernel), bgpd_multinic's groups gone
    from the kernel once zebra's nexthop-group keep time (1 s in tor's
    frr.conf) has passed; on again: every VIP through a resilient group."""
    tor = tgen.gears["tor"]
    for family in [4, 6]:
        _wait_group(tor, family, NICS)
    groups = show_json(tor, "show bgp multinic ingress json")["resilientGroups"]
    released = {g["id"] for g in groups.values()}
    assert len(released) == 2, groups

    step("no multinic resilient-ingress: plain multipath routes, the groups gone")
    rc, out = vtysh_config(tor, "router bgp 65000", "no multinic resilient-ingress")
    assert rc == 0, out
    assert _bgp_config_lines(tor) == []
    assert _ingress_json(tor)["enabled"] is False
    for family in [4, 6]:
        _wait_plain(tor, family, NICS, released)

    step("multinic resilient-ingress again: resilient groups")
    _turn_on_with_defaults(tor)


def test_memory_leak(tgen):
    "FRR's memory-leak report: no daemon leaves memory allocated at exit."
    memory_leak_test(tgen)


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
