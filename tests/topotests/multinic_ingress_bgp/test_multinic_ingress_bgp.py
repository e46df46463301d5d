#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
test_multinic_ingress_bgp.py: task VIPs announced by BGP, one path per NIC.

             h1-eth0 ------ tor-eth0
    +----+   h1-eth1 ------ tor-eth1   +-----+ tor-eth4 -- remote-eth0 +--------+
    | h1 |   h1-eth2 ------ tor-eth2   | tor |                         | remote |
    +----+   h1-eth3 ------ tor-eth3   +-----+ tor-eth5 -- spine-eth0  +--------+
      |                                                                | spine  |
      +- netns mnbgp-job1 (task job1): mn0 10.200.0.1/32, fd00:200::1/128     +--------+

h1:     zebra + multinicd + bgpd -M multinic + bfdd, AS 65101. 10.0.N.2/24
        and fd00:0:N::2/64 on h1-ethN; one eBGP session per NIC and family
        to tor, with BFD; "redistribute multinic"; one outbound route-map
        for every session (task routes only). NIC speeds are multinicd's
        (h1-eth0/1 100G, h1-eth2/3 200G): bgpd_multinic gives each NIC
        session that NIC's link bandwidth, no per-NIC route-map.
tor:    stock FRR (zebra + bgpd + bfdd), AS 65000: default routes to h1,
        maximum-paths 8, the rack aggregates 10.200.0.0/16 and
        fd00:200::/48 (summary-only) towards spine, L4 multipath hashing.
spine:  AS 65500, learns from tor.
remote: static default to tor; sends to the task.

What is checked (IPv4 and IPv6):
1. the task VIP reaches tor once per NIC: RIB and kernel FIB hold it with
   4 next hops, each h1's address on that NIC;
2. the paths carry the NICs' link bandwidths and tor weights its ECMP by
   them (2:1 for the 200G NICs);
3. spine holds the aggregate only, never the VIP;
4. 32 flows from remote to the VIP arrive over all 4 NICs;
5. a NIC going down leaves 3 paths within 1 s and traffic goes on; back up,
   4 paths again;
6. the task's device failing withdraws the VIP within 1 s; back, it returns;
7. kill -9 and restart of multinicd: tor keeps all 4 paths throughout;
8. a NIC speed changed in multinicd reaches tor within 1 s, exactly, at
   400G and 800G (no wrap), and tor's weights follow;
9. "no announce" withdraws the task's VIP on every session, "announce"
   brings it back;
10. a per-NIC task address reaches tor through its own NIC only;
11. deleting the task withdraws the VIP from tor (and the aggregate from
   spine, having no more contributor).
"""

import ipaddress
import json
import os
import re
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
    daemon_pid,
    enable_forwarding,
    expect,
    kill_daemon,
    memory_leak_test,
    module_path,
    multinic_topology,
    output_while,
    ping_args,
    running_config,
    seconds_until,
    selected_route,
    set_sysctls,
    show_json,
    skip_if_topology_broken,
    start_daemon,
    task_json,
)

pytestmark = [pytest.mark.multinicd, pytest.mark.bgpd]

NICS = ["h1-eth0", "h1-eth1", "h1-eth2", "h1-eth3"]
# each NIC's speed in multinicd (Mbit/s): the link bandwidth its session carries
SPEED = {"h1-eth0": 100000, "h1-eth1": 100000, "h1-eth2": 200000, "h1-eth3": 200000}
TASK = "job1"
# /run/netns is the host's: a name of this test's own, and any leftover of
# an interrupted run removed first
NETNS = "mnbgp-job1"
VIP = {4: "10.200.0.1", 6: "fd00:200::1"}
VIP_PREFIX = {4: "10.200.0.1/32", 6: "fd00:200::1/128"}
AGGREGATE = {4: "10.200.0.0/16", 6: "fd00:200::/48"}
H1_ADDR = {4: "10.0.{}.2", 6: "fd00:0:{}::2"}
AFI = {4: "ipv4", 6: "ipv6"}

# under `multinic`
MULTINIC_CONFIG = (
    ["egress-mode kernel"]
    + ["nic {} speed {}".format(nic, SPEED[nic]) for nic in NICS]
    + ["task " + TASK, "netns " + NETNS, "vip " + VIP_PREFIX[4], "vip " + VIP_PREFIX[6]]
    + ["exit", "exit"]
)

# the requirement: a NIC's path leaves tor within this after it goes down
WITHDRAW_DEADLINE = 1.0
FLOWS = 32
PACKETS_PER_FLOW = 50


def build_topo(tgen):
    build_rack(tgen, len(NICS), ["remote", "spine"])


@pytest.fixture(scope="module")
def tgen(request):
    "Setup/Teardown the environment and provide tgen argument to tests"
    assert module_path("bgpd_multinic"), "bgpd_multinic is not installed"
    bgp = [("zebra", ""), ("bgpd", ""), ("bfdd", "")]
    daemons = {
        "tor": bgp,
        "spine": bgp,
        "remote": [("zebra", "")],
        "h1": [("zebra", ""), ("multinicd", ""), ("bgpd", "-M multinic"), ("bfdd", "")],
    }
    # the container runtime: the task's netns
    with multinic_topology(request, build_topo, daemons, {"h1": [NETNS]}) as tgen:
        tor = tgen.gears["tor"]
        enable_forwarding(tgen.gears["h1"], tor)
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


def _vip_route(router, family, prefix=None):
    "The selected route to the VIP (or prefix) in a router's RIB, or None."
    return selected_route(router, family, prefix or VIP_PREFIX[family])


def _fib_nexthops(router, family):
    "Next hops (ip -> weight) of the VIP in the router's kernel FIB."
    out = cmd_ok(router, ["ip", "-{}".format(family), "-j", "route", "show", VIP_PREFIX[family]])
    routes = json.loads(out) if out.strip() else []
    hops = {}
    for route in routes:
        for hop in route.get("nexthops", [route]):
            if hop.get("gateway"):
                hops[hop["gateway"]] = hop.get("weight", 1)
    return hops


def _h1_address(family, nic):
    "h1's address on a NIC, in the canonical form FRR prints."
    return str(ipaddress.ip_address(H1_ADDR[family].format(NICS.index(nic))))


def _h1_addresses(family, nics=NICS):
    return {_h1_address(family, nic) for nic in nics}


def _paths_are(tor, family, nics):
    "None when tor's RIB and FIB reach the VIP through exactly these NICs."
    want = _h1_addresses(family, nics)
    route = _vip_route(tor, family)
    if route is None:
        return "no route to {}".format(VIP_PREFIX[family])
    if route.get("protocol") != "bgp":
        return "route to {} is {}, not bgp".format(VIP_PREFIX[family], route.get("protocol"))
    hops = [hop for hop in route.get("nexthops", []) if hop.get("active")]
    # tor's links to h1's NICs, in the same order
    want_ifs = {"tor-eth{}".format(NICS.index(nic)) for nic in nics}
    rib_ifs = {hop.get("interfaceName") for hop in hops}
    if rib_ifs != want_ifs or len(hops) != len(want_ifs):
        return "RIB next hops via {} != {}".format(sorted(rib_ifs), sorted(want_ifs))
    # IPv6 next hops are installed as h1's link-local addresses on each link
    rib = {hop.get("ip") for hop in hops}
    if family == 4 and rib != want:
        return "RIB next hops {} != {}".format(sorted(rib), sorted(want))
    fib = _fib_nexthops(tor, family)
    if family == 4 and set(fib) != want or len(fib) != len(want):
        return "kernel FIB next hops {} != {}".format(sorted(fib), sorted(want))
    return None


def _task_wired(h1):
    "None when multinicd reports the task wired, else why not."
    task = task_json(h1, TASK)
    if task.get("status") == "wired":
        return None
    return "task {} is {} ({})".format(TASK, task.get("status", "missing"), task.get("error"))


def _rx_packets(h1):
    counts = {}
    for nic in NICS:
        out = cmd_ok(h1, ["cat", "/sys/class/net/{}/statistics/rx_packets".format(nic)])
        counts[nic] = int(out.strip())
    return counts


SENDER = r"""
import socket, sys
family = socket.AF_INET if sys.argv[1] == "4" else socket.AF_INET6
vip, flows, packets = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
socks = []
for i in range(flows):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind(("", 40000 + i))
    socks.append(s)
for _ in range(packets):
    for s in socks:
        s.sendto(b"x" * 64, (vip, 9))
"""


def _send_flows(remote, family):
    cmd_ok(
        remote,
        ["/usr/bin/python3", "-c", SENDER, str(family), VIP[family], str(FLOWS),
         str(PACKETS_PER_FLOW)],
    )


#
# tests
#


def test_sessions_and_bfd_up(tgen):
    "tor has one established session per h1 NIC and family, each with BFD up."
    tor = tgen.gears["tor"]
    h1_peers = _h1_addresses(4) | _h1_addresses(6)

    def _established():
        down = bgp_peers_not_established(tor, h1_peers)
        return "not established: {}".format(sorted(down)) if down else None

    result = expect(_established, count=120)
    assert result is None, result

    def _bfd_up():
        peers = json.loads(tor.vtysh_cmd("show bfd peers json") or "[]")
        up = {p.get("peer") for p in peers if p.get("status") == "up"}
        missing = h1_peers - up
        return "BFD not up with {}".format(sorted(missing)) if missing else None

    result = expect(_bfd_up, count=60)
    assert result is None, result


def test_task_wired_with_gateways_from_bgp(tgen):
    "multinicd wires the task; the NIC gateways come from tor's BGP default routes."
    h1 = tgen.gears["h1"]
    configure_multinic(h1, *MULTINIC_CONFIG)
    result = expect(lambda: _task_wired(h1), count=60)
    assert result is None, result


@pytest.mark.parametrize("family", [4, 6])
def test_vip_has_one_path_per_nic(tgen, family):
    "tor's RIB and kernel FIB hold the VIP with 4 next hops, h1's address on each NIC."
    tor = tgen.gears["tor"]
    result = expect(lambda: _paths_are(tor, family, NICS), count=60)
    assert result is None, result


def _link_bandwidths(tor, family):
    "Link bandwidth (Mbit/s) of each of tor's paths to the VIP, by next hop."
    route = show_json(tor, "show bgp {} unicast {} json".format(AFI[family], VIP_PREFIX[family]))
    bws = {}
    for path in route.get("paths", []):
        hops = path.get("nexthops", [])
        # h1 sends the extended (IPv6-address-specific) link bandwidth
        ecomm = path.get("extendedIpv6Community", {}).get("string", "")
        match = re.search(r"LB:\d+:\d+ \(([\d.]+) (Mbps|Gbps)\)", ecomm)
        if hops and match:
            value = float(match.group(1)) * (1000 if match.group(2) == "Gbps" else 1)
            bws[hops[0].get("ip")] = value
    return bws


@pytest.mark.parametrize("family", [4, 6])
def test_link_bandwidth_weights_ecmp(tgen, family):
    "Each path carries its NIC's speed as link bandwidth; tor weights its ECMP by it."
    tor = tgen.gears["tor"]
    want = {_h1_address(family, nic): float(SPEED[nic]) for nic in NICS}

    def _bandwidths():
        got = _link_bandwidths(tor, family)
        return None if got == want else "link bandwidths {} != {}".format(got, want)

    result = expect(_bandwidths, count=30)
    assert result is None, result

    route = _vip_route(tor, family)
    weights = {hop.get("interfaceName"): hop.get("weight") for hop in route["nexthops"]}
    logger.info("IPv%d next hop weights on tor: %s", family, weights)
    tor_if = {nic: "tor-eth{}".format(NICS.index(nic)) for nic in NICS}
    slow = [weights.get(tor_if[nic]) for nic in NICS if SPEED[nic] == 100000]
    fast = [weights.get(tor_if[nic]) for nic in NICS if SPEED[nic] == 200000]
    assert all(s and 1.8 <= f / s <= 2.2 for s in slow for f in fast), (
        "IPv{}: 200G NICs do not weigh twice the 100G ones: {}".format(family, weights)
    )
    fib = sorted(_fib_nexthops(tor, family).values())
    assert len(fib) == 4 and 1.8 <= fib[2] / fib[0] <= 2.2 and fib[0] == fib[1], (
        "kernel FIB weights are not 1:1:2:2: {}".format(fib)
    )


@pytest.mark.parametrize("family", [4, 6])
def test_spine_learns_the_aggregate_only(tgen, family):
    "Nothing beyond the rack learns host routes: spine has the aggregate, not the VIP."
    spine = tgen.gears["spine"]

    def _aggregate_only():
        if _vip_route(spine, family, AGGREGATE[family]) is None:
            return "spine has no {}".format(AGGREGATE[family])
        routes = show_json(spine, "show {} route json".format("ip" if family == 4 else "ipv6"))
        aggregate = ipaddress.ip_network(AGGREGATE[family])
        hosts = [p for p in routes if p != AGGREGATE[family]
                 and ipaddress.ip_network(p).subnet_of(aggregate)]
        return "spine learned {}".format(hosts) if hosts else None

    result = expect(_aggregate_only, count=60)
    assert result is None, result


@pytest.mark.parametrize("family", [4, 6])
def test_32_flows_arrive_over_all_nics(tgen, family):
    "32 flows from remote to the VIP arrive over all four of h1's NICs."
    h1, remote = tgen.gears["h1"], tgen.gears["remote"]
    cmd_ok(remote, ping_args(family, VIP[family], 3, "0.2", wait=2))
    before = _rx_packets(h1)
    _send_flows(remote, family)
    after = _rx_packets(h1)
    delta = {nic: after[nic] - before[nic] for nic in NICS}
    logger.info("IPv%d: packets received per NIC: %s", family, delta)
    total = FLOWS * PACKETS_PER_FLOW
    idle = [nic for nic in NICS if delta[nic] < PACKETS_PER_FLOW]
    assert not idle, "IPv{}: no flow arrived over {}: {}".format(family, idle, delta)
    assert sum(delta.values()) >= total, "IPv{}: packets lost: {} < {}".format(
        family, sum(delta.values()), total
    )


def test_nic_down_withdraws_its_path_within_1s(tgen):
    "A NIC going down: 3 paths on tor within 1 s, traffic goes on; up: 4 paths again."
    h1, tor, remote = tgen.gears["h1"], tgen.gears["tor"], tgen.gears["remote"]
    down = "h1-eth1"
    rest = [nic for nic in NICS if nic != down]
    for family in [4, 6]:
        assert _paths_are(tor, family, NICS) is None

    step("ip link set {} down".format(down))
    start = time.monotonic()
    cmd_ok(h1, ["ip", "link", "set", down, "down"])
    elapsed = seconds_until(start, lambda family: _paths_are(tor, family, rest))
    logger.info("path withdrawn after %s s", elapsed)
    try:
        for family in [4, 6]:
            assert family in elapsed, "IPv{}: {}".format(family, _paths_are(tor, family, rest))
            assert elapsed[family] <= WITHDRAW_DEADLINE, (
                "IPv{}: path of {} withdrawn after {:.2f} s".format(family, down, elapsed[family])
            )
            step("IPv{}: traffic to the VIP goes on over 3 NICs".format(family))
            cmd_ok(remote, ping_args(family, VIP[family], 5, "0.2", wait=2))
    finally:
        step("ip link set {} up".format(down))
        cmd_ok(h1, ["ip", "link", "set", down, "up"])
    for family in [4, 6]:
        result = expect(lambda: _paths_are(tor, family, NICS), count=60)
        assert result is None, "IPv{} after {} came back: {}".format(family, down, result)


def test_task_datapath_failure_withdraws_the_vip_within_1s(tgen):
    "The task's device failing withdraws its VIP from tor within 1 s; back, 4 paths."
    h1, tor = tgen.gears["h1"], tgen.gears["tor"]
    for family in [4, 6]:
        assert _paths_are(tor, family, NICS) is None

    step("ip link set mn-job1 down (the task's datapath fails)")
    start = time.monotonic()
    cmd_ok(h1, ["ip", "link", "set", "mn-" + TASK, "down"])
    try:
        elapsed = seconds_until(
            start, lambda family: None if _vip_route(tor, family) is None else "routed")
        logger.info("VIP withdrawn after %s s", elapsed)
        for family in [4, 6]:
            assert family in elapsed, "IPv{}: tor still routes the VIP".format(family)
            assert elapsed[family] <= WITHDRAW_DEADLINE, (
                "IPv{}: VIP withdrawn after {:.2f} s".format(family, elapsed[family])
            )
    finally:
        step("ip link set mn-job1 up")
        cmd_ok(h1, ["ip", "link", "set", "mn-" + TASK, "up"])
    for family in [4, 6]:
        result = expect(lambda: _paths_are(tor, family, NICS), count=60)
        assert result is None, "IPv{} after the task's device came back: {}".format(
            family, result
        )


def _bandwidths_are(tor, family, speeds):
    "None when each of tor's paths carries its NIC's speed (Mbit/s) exactly."
    want = {_h1_address(family, nic): float(speeds[nic]) for nic in NICS}
    got = _link_bandwidths(tor, family)
    return None if got == want else "link bandwidths {} != {}".format(got, want)


def test_speed_change_reaches_tor_within_1s(tgen):
    "A NIC speed changed in multinicd reaches tor within 1 s, exactly at 400G and 800G."
    h1, tor = tgen.gears["h1"], tgen.gears["tor"]
    fast = dict(SPEED, **{"h1-eth2": 800000, "h1-eth3": 400000})
    for family in [4, 6]:
        assert _bandwidths_are(tor, family, SPEED) is None

    step("nic h1-eth2 speed 800000, nic h1-eth3 speed 400000")
    start = time.monotonic()
    configure_multinic(h1, "nic h1-eth2 speed 800000", "nic h1-eth3 speed 400000")
    try:
        elapsed = seconds_until(start, lambda family: _bandwidths_are(tor, family, fast))
        logger.info("new link bandwidths on tor after %s s", elapsed)
        for family in [4, 6]:
            assert family in elapsed, "IPv{}: {}".format(family,
                                                        _bandwidths_are(tor, family, fast))
            assert elapsed[family] <= WITHDRAW_DEADLINE, (
                "IPv{}: new speed reached tor after {:.2f} s".format(family, elapsed[family])
            )
            route = _vip_route(tor, family)
            weights = {hop.get("interfaceName"): hop.get("weight") for hop in route["nexthops"]}
            logger.info("IPv%d weights on tor: %s", family, weights)
            # 100G : 800G is 1 : 8, 400G : 800G is 1 : 2
            assert 7.5 <= weights["tor-eth2"] / weights["tor-eth0"] <= 8.5, weights
            assert 1.8 <= weights["tor-eth2"] / weights["tor-eth3"] <= 2.2, weights
    finally:
        step("back to 200G")
        configure_multinic(h1, "nic h1-eth2 speed 200000", "nic h1-eth3 speed 200000")
    for family in [4, 6]:
        result = expect(lambda: _bandwidths_are(tor, family, SPEED), count=30)
        assert result is None, result


def test_no_announce_withdraws_the_vip(tgen):
    "no announce: tor loses the VIP on every session, the task stays wired; announce: back."
    h1, tor = tgen.gears["h1"], tgen.gears["tor"]
    configure_multinic(h1, "task " + TASK, "no announce")
    try:
        for family in [4, 6]:
            result = expect(
                lambda: None if _vip_route(tor, family) is None
                else "tor still routes {}".format(VIP_PREFIX[family]),
                count=20, wait=0.1)
            assert result is None, result
        assert _task_wired(h1) is None
        task = task_json(h1, TASK)
        assert task["announce"] is False, task
        assert " no announce" in running_config(h1, daemon="multinicd")
    finally:
        configure_multinic(h1, "task " + TASK, "announce")
    for family in [4, 6]:
        result = expect(lambda: _paths_are(tor, family, NICS), count=60)
        assert result is None, "IPv{} after announce: {}".format(family, result)


NIC_ADDR = {4: "10.200.1.1/32", 6: "fd00:200:1::1/128"}


@pytest.mark.parametrize("family", [4, 6])
def test_nic_address_through_its_own_nic_only(tgen, family):
    "A per-NIC task address reaches tor with one path, through its own NIC."
    h1, tor = tgen.gears["h1"], tgen.gears["tor"]
    nic = "h1-eth2"
    configure_multinic(h1, "task " + TASK, "nic {} address {}".format(nic, NIC_ADDR[family]))

    def _one_path():
        route = _vip_route(tor, family, NIC_ADDR[family])
        if route is None:
            return "tor has no route to {}".format(NIC_ADDR[family])
        hops = {hop.get("interfaceName") for hop in route.get("nexthops", [])
                if hop.get("active")}
        return None if hops == {"tor-eth2"} else "next hops via {}".format(sorted(hops))

    try:
        result = expect(_one_path, count=60)
        assert result is None, result
        ingress = show_json(h1, "show bgp multinic ingress json")
        assert ingress["prefixes"][NIC_ADDR[family]]["nic"] == nic, ingress
    finally:
        configure_multinic(h1, "task " + TASK,
                           "no nic {} address {}".format(nic, NIC_ADDR[family]))
    result = expect(
        lambda: None if _vip_route(tor, family, NIC_ADDR[family]) is None
        else "tor still routes {}".format(NIC_ADDR[family]), count=30)
    assert result is None, result


def test_show_bgp_multinic_ingress(tgen):
    "h1's bgpd_multinic shows the NICs multinicd sent, their speeds and link bandwidths."
    h1 = tgen.gears["h1"]
    ingress = show_json(h1, "show bgp multinic ingress json")
    assert ingress["linkBandwidth"] == "extended", ingress
    for nic in NICS:
        got = ingress["nics"][nic]
        assert got["up"] and got["speed"] == SPEED[nic], got
        assert got["linkBandwidth"] == SPEED[nic] * 125000, got
        assert len(got["sessions"]) == 2, got
    assert ingress["prefixes"][VIP_PREFIX[4]]["announce"] is True, ingress


def test_route_processing_hold_time(tgen):
    """bgpd's route-processing hold time (patch 0015) as h1 and tor are
    configured: shown in the running config, removed and set again (its
    default, 50 ms, is not written), and an out-of-range value refused
    with the running config unchanged."""
    line = "bgp route-processing hold-time 5"
    for gear in (tgen.gears["h1"], tgen.gears["tor"]):
        conf = gear.vtysh_cmd("show running-config bgpd")
        assert line in conf.splitlines(), conf
        gear.vtysh_cmd("configure terminal\nno bgp route-processing hold-time")
        conf = gear.vtysh_cmd("show running-config bgpd")
        assert "route-processing" not in conf, conf
        gear.vtysh_cmd("configure terminal\n" + line)
        before = gear.vtysh_cmd("show running-config bgpd")
        out = gear.vtysh_cmd("configure terminal\nbgp route-processing hold-time 1001")
        assert "% " in out, out
        assert gear.vtysh_cmd("show running-config bgpd") == before
        assert line in before.splitlines(), before


WATCH = r"""
for i in $(seq {n}); do
  ip -4 -j route show {v4}; echo; ip -6 -j route show {v6}; echo; sleep 0.1
done
"""


def test_restart_does_not_flap_vips(tgen):
    "kill -9 and restart of multinicd: tor keeps all four paths of the VIP throughout."
    h1, tor = tgen.gears["h1"], tgen.gears["tor"]
    for family in [4, 6]:
        assert _paths_are(tor, family, NICS) is None
    assert daemon_pid(h1, "multinicd"), "multinicd is not running"
    # what the restarted multinicd reads back (vtysh -b), as watchfrr does
    cmd_ok(h1, ["vtysh", "-c", "write memory"])

    script = WATCH.format(n=80, v4=VIP_PREFIX[4], v6=VIP_PREFIX[6])

    def restart():
        time.sleep(0.5)
        step("kill -9 multinicd")
        old_pid = kill_daemon(h1, "multinicd")
        time.sleep(1)
        step("restart multinicd and give it its configuration back")
        start_daemon(h1, "multinicd")
        result = expect(lambda: _task_wired(h1), count=60)
        assert result is None, "after the restart: {}".format(result)
        return old_pid

    out, old_pid = output_while(tor, ["sh", "-c", script], restart)
    new_pid = daemon_pid(h1, "multinicd")
    assert new_pid and new_pid != old_pid, "multinicd was not restarted"

    samples = [line for line in out.split("\n") if line.strip()]
    paths = []
    for line in samples:
        routes = json.loads(line) if line.strip().startswith("[") else []
        paths.append(sum(len(r.get("nexthops", [r])) for r in routes))
    logger.info("tor's paths to the VIPs every 100 ms during the restart: %s", paths)
    assert len(paths) >= 100, "too few samples: {}".format(out[-500:])
    assert all(n == 4 for n in paths), "the VIP flapped on tor: {}".format(paths)

    for family in [4, 6]:
        result = expect(lambda: _paths_are(tor, family, NICS), count=30)
        assert result is None, "IPv{} after the restart: {}".format(family, result)


def test_task_delete_withdraws_the_vip(tgen):
    "Deleting the task withdraws its VIP from tor, and the aggregate from spine."
    h1, tor, spine = tgen.gears["h1"], tgen.gears["tor"], tgen.gears["spine"]
    configure_multinic(h1, "no task " + TASK, "exit")
    for family in [4, 6]:

        def _gone():
            if _vip_route(tor, family) is not None:
                return "tor still routes {}".format(VIP_PREFIX[family])
            if _vip_route(spine, family, AGGREGATE[family]) is not None:
                return "spine still has {}".format(AGGREGATE[family])
            return None

        result = expect(_gone, count=30)
        assert result is None, result


def test_memory_leak(tgen):
    "FRR's memory-leak report: no daemon leaves memory allocated at exit."
    memory_leak_test(tgen)


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
