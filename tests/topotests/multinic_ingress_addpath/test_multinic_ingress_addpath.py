#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
test_multinic_ingress_addpath.py: single-session mode, one path per NIC
over one BGP session with ADD-PATH.

    +----+ h1-eth0 ------ tor-eth0 +-----+   (the only BGP sessions)
    | h1 | h1-eth1 ------ tor-eth1 | tor |
    +----+                         +-----+
      +- netns mnap-job1 (task job1): 10.200.0.1/32, fd00:200::1/128

h1:   zebra + multinicd + bgpd -M multinic, AS 65101; one eBGP session
      per family, both over h1-eth0, "addpath-tx-all-paths";
      "multinic single-session" under router bgp, no "redistribute".
tor:  stock FRR, AS 65000, maximum-paths 8 (ADD-PATH receive is FRR's
      default).

What is checked (IPv4 and IPv6):
1. tor's RIB and kernel FIB hold the VIP with one next hop per h1 NIC
   (h1's address on each), though only one session carries it;
2. the paths carry their NIC's link bandwidth;
3. h1-eth1 going down withdraws its path from tor within 1 s (the session
   runs over h1-eth0: nothing but bgpd_multinic can withdraw it); back
   up, two paths again;
4. the settings round-trip through the running configuration;
   "multinic resilient-ingress" round-trips too (no VIP on a host uses it);
5. deleting the task withdraws the VIP.
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
    cmd_ok,
    configure_multinic,
    enable_forwarding,
    expect,
    link_nics,
    memory_leak_test,
    module_path,
    multinic_topology,
    running_config,
    seconds_until,
    selected_route,
    show_json,
    skip_if_topology_broken,
    task_json,
    vtysh_config,
)

pytestmark = [pytest.mark.multinicd, pytest.mark.bgpd]

NICS = ["h1-eth0", "h1-eth1"]
SPEED = {"h1-eth0": 100000, "h1-eth1": 200000}
TASK = "job1"
NETNS = "mnap-job1"
VIP_PREFIX = {4: "10.200.0.1/32", 6: "fd00:200::1/128"}
H1_ADDR = {4: "10.0.{}.2", 6: "fd00:0:{}::2"}
TOR_GW = {4: "10.0.{}.1", 6: "fd00:0:{}::1"}
AFI = {4: "ipv4", 6: "ipv6"}

# under `multinic`; only h1-eth0 has a BGP session (and a default route):
# the gateways of task egress are configured
MULTINIC_CONFIG = (
    ["egress-mode kernel"]
    + [
        "nic {} speed {} gateway {} gateway {}".format(
            nic, SPEED[nic], TOR_GW[4].format(n), TOR_GW[6].format(n)
        )
        for n, nic in enumerate(NICS)
    ]
    + ["task " + TASK, "netns " + NETNS, "vip " + VIP_PREFIX[4], "vip " + VIP_PREFIX[6]]
    + ["exit", "exit"]
)

WITHDRAW_DEADLINE = 1.0


def build_topo(tgen):
    for name in ["h1", "tor"]:
        tgen.add_router(name)
    link_nics(tgen, "h1", "tor", len(NICS))


@pytest.fixture(scope="module")
def tgen(request):
    "Setup/Teardown the environment and provide tgen argument to tests"
    assert module_path("bgpd_multinic"), "bgpd_multinic is not installed"
    daemons = {
        "tor": [("zebra", ""), ("bgpd", "")],
        "h1": [("zebra", ""), ("multinicd", ""), ("bgpd", "-M multinic")],
    }
    with multinic_topology(request, build_topo, daemons, {"h1": [NETNS]}) as tgen:
        enable_forwarding(tgen.gears["h1"], tgen.gears["tor"])
        yield tgen


@pytest.fixture(autouse=True)
def skip_on_failure(tgen, request):
    "Skip when the topology is broken (start-up error, a daemon died)."
    skip_if_topology_broken(tgen, request)


def _h1_address(family, nic):
    return str(ipaddress.ip_address(H1_ADDR[family].format(NICS.index(nic))))


def _vip_route(router, family):
    return selected_route(router, family, VIP_PREFIX[family])


def _fib_nexthops(router, family):
    out = cmd_ok(router, ["ip", "-{}".format(family), "-j", "route", "show", VIP_PREFIX[family]])
    routes = json.loads(out) if out.strip() else []
    return {hop.get("gateway") for r in routes for hop in r.get("nexthops", [r])
            if hop.get("gateway")}


def _paths_are(tor, family, nics):
    "None when tor's RIB and FIB reach the VIP through exactly h1's addresses on these NICs."
    want = {_h1_address(family, nic) for nic in nics}
    route = _vip_route(tor, family)
    if route is None:
        return "no route to {}".format(VIP_PREFIX[family])
    hops = [hop for hop in route.get("nexthops", []) if hop.get("active")]
    rib = {hop.get("ip") for hop in hops}
    ifs = {hop.get("interfaceName") for hop in hops}
    want_ifs = {"tor-eth{}".format(NICS.index(nic)) for nic in nics}
    if rib != want or ifs != want_ifs or len(hops) != len(want):
        return "RIB next hops {} via {} != {}".format(sorted(rib), sorted(ifs), sorted(want))
    fib = _fib_nexthops(tor, family)
    if fib != want:
        return "kernel FIB next hops {} != {}".format(sorted(fib), sorted(want))
    return None


def test_session_up_and_task_wired(tgen):
    "One session per family is established; multinicd wires the task."
    h1, tor = tgen.gears["h1"], tgen.gears["tor"]

    def _established():
        down = bgp_peers_not_established(tor, ["10.0.0.2", "fd00::2"])
        return "not established: {}".format(down) if down else None

    result = expect(_established, count=120)
    assert result is None, result
    configure_multinic(h1, *MULTINIC_CONFIG)

    def _wired():
        task = task_json(h1, TASK)
        return None if task.get("status") == "wired" else "task is {}".format(task)

    result = expect(_wired, count=60)
    assert result is None, result


@pytest.mark.parametrize("family", [4, 6])
def test_one_path_per_nic_over_one_session(tgen, family):
    "tor installs the VIP with one next hop per h1 NIC, from the one session."
    h1, tor = tgen.gears["h1"], tgen.gears["tor"]
    result = expect(lambda: _paths_are(tor, family, NICS), count=60)
    assert result is None, result
    ingress = show_json(h1, "show bgp multinic ingress json")
    got = ingress["prefixes"][VIP_PREFIX[family]]
    assert got["singleSessionPaths"] == 2 and "refused" not in got, got


@pytest.mark.parametrize("family", [4, 6])
def test_paths_carry_their_nic_bandwidth(tgen, family):
    "Each path carries its NIC's speed as link bandwidth (extended community)."
    tor = tgen.gears["tor"]
    route = show_json(tor, "show bgp {} unicast {} json".format(AFI[family], VIP_PREFIX[family]))
    got = {}
    for path in route.get("paths", []):
        ecomm = path.get("extendedIpv6Community", {}).get("string", "")
        match = re.search(r"LB:\d+:(\d+) ", ecomm)
        hops = path.get("nexthops", [])
        if hops and match:
            got[hops[0].get("ip")] = int(match.group(1))
    want = {_h1_address(family, nic): SPEED[nic] * 125000 for nic in NICS}
    assert got == want, "link bandwidths (bytes/s) {} != {}".format(got, want)


def test_nic_down_withdraws_its_path_within_1s(tgen):
    "h1-eth1 down: its path leaves tor within 1 s; up: two paths again."
    h1, tor = tgen.gears["h1"], tgen.gears["tor"]
    for family in [4, 6]:
        assert _paths_are(tor, family, NICS) is None

    step("ip link set h1-eth1 down")
    start = time.monotonic()
    cmd_ok(h1, ["ip", "link", "set", "h1-eth1", "down"])
    try:
        elapsed = seconds_until(start, lambda family: _paths_are(tor, family, ["h1-eth0"]))
        logger.info("path withdrawn after %s s", elapsed)
        for family in [4, 6]:
            assert family in elapsed, "IPv{}: {}".format(
                family, _paths_are(tor, family, ["h1-eth0"]))
            assert elapsed[family] <= WITHDRAW_DEADLINE, (
                "IPv{}: path withdrawn after {:.2f} s".format(family, elapsed[family]))
    finally:
        step("ip link set h1-eth1 up")
        cmd_ok(h1, ["ip", "link", "set", "h1-eth1", "up"])
    for family in [4, 6]:
        result = expect(lambda: _paths_are(tor, family, NICS), count=60)
        assert result is None, "IPv{} after h1-eth1 came back: {}".format(family, result)


def test_settings_round_trip_and_refusals(tgen):
    "The settings round-trip through the running config; conflicting ones are refused."
    h1 = tgen.gears["h1"]
    rc, out = vtysh_config(h1, "router bgp 65101", "multinic link-bandwidth ieee-float")
    assert rc == 0, out
    config = running_config(h1, daemon="bgpd")
    assert " multinic single-session\n" in config, config
    assert " multinic link-bandwidth ieee-float\n" in config, config
    rc, out = vtysh_config(h1, "router bgp 65101", "multinic link-bandwidth")
    assert rc == 0, out
    assert "multinic link-bandwidth" not in running_config(h1, daemon="bgpd")

    # On a host no authorized VIP is installed through a resilient group, so
    # the switch-side knob round-trips (its behaviour is tested by
    # multinic_ingress_resilient).
    rc, out = vtysh_config(h1, "router bgp 65101", "multinic resilient-ingress buckets 64")
    assert rc == 0, out
    assert " multinic resilient-ingress buckets 64\n" in running_config(h1, daemon="bgpd")
    ingress = show_json(h1, "show bgp multinic ingress json")
    assert ingress["resilientIngress"]["enabled"] is True, ingress
    rc, out = vtysh_config(h1, "router bgp 65101", "no multinic resilient-ingress")
    assert rc == 0, out
    assert "resilient-ingress" not in running_config(h1, daemon="bgpd")
    ingress = show_json(h1, "show bgp multinic ingress json")
    assert ingress["resilientIngress"]["enabled"] is False, ingress
    assert ingress["singleSession"] is True, ingress

    rc, out = vtysh_config(h1, "router bgp 65101", "address-family ipv4 unicast",
                           "redistribute multinic")
    assert rc == 0, out
    try:
        rc, out = vtysh_config(h1, "router bgp 65101", "no multinic single-session",
                               "multinic single-session")
        assert rc != 0 and "redistribute multinic" in out, out
    finally:
        rc, out = vtysh_config(h1, "router bgp 65101", "address-family ipv4 unicast",
                               "no redistribute multinic")
    assert rc == 0, out
    rc, out = vtysh_config(h1, "router bgp 65101", "multinic single-session")
    assert rc == 0, out
    tor = tgen.gears["tor"]
    for family in [4, 6]:
        result = expect(lambda: _paths_are(tor, family, NICS), count=60)
        assert result is None, "IPv{}: {}".format(family, result)


def test_task_delete_withdraws_the_vip(tgen):
    "Deleting the task withdraws its paths from tor."
    h1, tor = tgen.gears["h1"], tgen.gears["tor"]
    configure_multinic(h1, "no task " + TASK)
    for family in [4, 6]:
        result = expect(lambda: None if _vip_route(tor, family) is None
                        else "tor still routes {}".format(VIP_PREFIX[family]), count=30)
        assert result is None, result
    ingress = show_json(h1, "show bgp multinic ingress json")
    assert VIP_PREFIX[4] not in ingress["prefixes"], ingress


def test_memory_leak(tgen):
    "FRR's memory-leak report: no daemon leaves memory allocated at exit."
    memory_leak_test(tgen)


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
