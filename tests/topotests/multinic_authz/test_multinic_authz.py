#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
test_multinic_authz.py: prefix authorization; bad input never gets in.

    +----+ h1-eth0 ------ tor-eth0 +-----+ tor-eth3 -- remote-eth0 +--------+
    | h1 | h1-eth1 ------ tor-eth1 | tor |                         | remote |
    +----+                         +-----+                         +--------+
      |    +----+ h2-eth0 -------- tor-eth2
      |    | h2 |
      |    +----+
      +- netns mnauthz-job1 (task job1): 10.200.1.1/32, fd00:200:1::1/128

tor:    the rack switch: zebra, bgpd -M multinic (bgpd_multinic), multinicd
        holding the authorization policy (frr-multinic.yang) and handing it
        to bgpd_multinic. Host sessions: TCP-MD5 + GTSM, the fail-closed
        inbound route-map of doc/authorization.md ("match multinic"); h2's
        sessions keep soft-reconfiguration inbound, h1's do not.
h1:     zebra, multinicd (-M grpc), bgpd: a task whose VIP is announced on
        one eBGP session per NIC and family. Its multinicd holds the same
        policy and refuses tasks outside it.
h2:     plain bgpd, announcing h1's VIP, prefixes outside every range, a
        VIP with a foreign next hop and one VIP more than its limit (2),
        in both families.
remote: talks to h1's VIP.

Policy: vip-ranges 10.200.1.0/24, 10.200.2.0/24, fd00:200:1::/64,
fd00:200:2::/64; h1 may announce from the .1 ranges, h2 from the .2 ones;
max-vips-per-host 4, h2's max-vips 2.

What is checked:
1. sessions come up with TCP-MD5 and GTSM; tor's bgpd_multinic holds the
   policy multinicd sent;
2. h1's VIP reaches tor over both NICs and traffic flows to and from it;
3. h2 starts announcing while h1's traffic flows (continuous pings both
   ways, no loss allowed): none of its bad announcements is installed on
   tor, each is counted under its reason and logged, and h1's VIP keeps
   only h1's paths;
4. a policy change on tor (h2's limit raised; h1's IPv6 range revoked and
   restored) takes effect without any session reset; with a range shared
   by h1 and h2, h2 still cannot take h1's VIP (first host keeps it);
5. a sweep of invalid configurations through vtysh and gRPC on h1: each is
   refused with a message naming the problem, and the running
   configuration is byte-identical afterwards.
"""

import os
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
    SHOW_ROUTE,
    Northbound,
    bgp_peers_not_established,
    cmd,
    configure_multinic,
    enable_forwarding,
    expect,
    expect_grpc_refusal,
    expect_vtysh_refusal,
    link_nics,
    memory_leak_test,
    module_path,
    multinic_topology,
    ping_args,
    running_config,
    selected_route,
    show_json,
    skip_if_topology_broken,
    vtysh,
    vtysh_config,
)

pytestmark = [pytest.mark.multinicd, pytest.mark.bgpd]

GRPC_PORT = 50053
NETNS = "mnauthz-job1"  # unique: /run/netns is shared with other tests
VIP = {4: "10.200.1.1/32", 6: "fd00:200:1::1/128"}
VIP_ADDR = {4: "10.200.1.1", 6: "fd00:200:1::1"}
REMOTE = {4: "10.1.0.2", 6: "fd00:1::2"}
# tor's interfaces towards h1's NICs and h2 (IPv6: the global next hops,
# which tor's route-map prefers and bgpd_multinic checks)
H1_NEXTHOPS = {4: {"tor-eth0", "tor-eth1"}, 6: {"tor-eth0", "tor-eth1"}}
H2_NEXTHOPS = {4: {"tor-eth2"}, 6: {"tor-eth2"}}
SHOW_BGP = {4: "show bgp ipv4 unicast {} json", 6: "show bgp ipv6 unicast {} json"}

TASK_CONFIG = ["task job1", "netns " + NETNS, "vip " + VIP[4], "vip " + VIP[6]]

# what h2 announces (h2/frr.conf), by the reason tor must refuse it
H2_BAD = {
    4: {
        "rangeNotAllowed": "10.200.1.1/32",  # h1's VIP
        "outsideRanges": "192.0.2.1/32",
        "foreignNextHop": "10.200.2.9/32",
    },
    6: {
        "rangeNotAllowed": "fd00:200:1::1/128",
        "outsideRanges": "2001:db8::1/128",
        "foreignNextHop": "fd00:200:2::9/128",
    },
}
H2_VIPS = {
    4: ["10.200.2.1/32", "10.200.2.2/32", "10.200.2.3/32"],
    6: ["fd00:200:2::1/128", "fd00:200:2::2/128", "fd00:200:2::3/128"],
}
H2_LIMIT = 2
LOG_REASON = {
    "rangeNotAllowed": "in a vip-range not allowed to the host",
    "outsideRanges": "outside every vip-range",
    "foreignNextHop": "next hop is not the host's address on the session",
    "vipLimit": "host's VIP limit reached",
}
TOR_NEIGHBORS = [
    "10.0.0.2", "fd00::2", "10.0.1.2", "fd00:0:1::2", "10.0.2.2", "fd00:0:2::2",
]


def build_topo(tgen):
    for name in ["h1", "h2", "tor", "remote"]:
        tgen.add_router(name)
    link_nics(tgen, "h1", "tor", 2)
    tgen.add_link(tgen.gears["h2"], tgen.gears["tor"], "h2-eth0", "tor-eth2")
    tgen.add_link(tgen.gears["tor"], tgen.gears["remote"], "tor-eth3", "remote-eth0")


@pytest.fixture(scope="module")
def tgen(request):
    "Setup/Teardown the environment and provide tgen argument to tests"
    assert module_path("bgpd_multinic"), "bgpd_multinic is not installed"
    daemons = {
        "tor": [("zebra", ""), ("bgpd", "-M multinic"), ("multinicd", "")],
        "h1": [("zebra", ""), ("multinicd", "-M grpc:{}".format(GRPC_PORT)), ("bgpd", "")],
        "h2": [("zebra", ""), ("bgpd", "")],
        "remote": [("zebra", "")],
    }
    with multinic_topology(request, build_topo, daemons, {"h1": [NETNS]}) as tgen:
        enable_forwarding(tgen.gears["h1"], tgen.gears["tor"])
        yield tgen


@pytest.fixture(autouse=True)
def skip_on_failure(tgen, request):
    "Skip when the topology is broken (start-up error, a daemon died)."
    skip_if_topology_broken(tgen, request)


#
# helpers
#


def _rib_nexthops(router, family, prefix):
    "Interfaces of the selected route's active next hops, or None without a route."
    route = selected_route(router, family, prefix)
    if route is None:
        return None
    return {nh.get("interfaceName") for nh in route.get("nexthops", []) if nh.get("active")}


def _authz(tor):
    return show_json(tor, "show bgp multinic authorization json")


def _sessions(tor):
    "(established, dropped) connection counts per tor neighbor."
    out = show_json(tor, "show bgp neighbors json")
    return {
        n: (out.get(n, {}).get("connectionsEstablished"), out.get(n, {}).get("connectionsDropped"))
        for n in TOR_NEIGHBORS
    }


def _tor_log(tor):
    path = os.path.join(tor.net.logdir, tor.name, "bgpd.log")
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def _check_h1_vip(tgen, family):
    "h1's VIP on tor: via h1's two NICs only; traffic to and from it flows."
    tor, remote, h1 = tgen.gears["tor"], tgen.gears["remote"], tgen.gears["h1"]

    def _paths():
        hops = _rib_nexthops(tor, family, VIP[family])
        return None if hops == H1_NEXTHOPS[family] else "tor next hops {}".format(hops)

    result = expect(_paths, count=40)
    if result is not None:
        for router, command in [
            (h1, "show multinic task json"),
            (h1, SHOW_ROUTE[family].format(VIP[family])),
            (h1, SHOW_BGP[family].format(VIP[family])),
            (tor, SHOW_BGP[family].format(VIP[family])),
            (tor, "show bgp multinic authorization json"),
        ]:
            logger.error("%s: %s\n%s", router.name, command, router.vtysh_cmd(command))
    assert result is None, "h1's VIP {} on tor: {}".format(VIP[family], result)
    pings = [
        (remote, ping_args(family, VIP_ADDR[family], 3, "0.2")),
        (h1, ping_args(family, REMOTE[family], 3, "0.2", netns=NETNS)),
    ]
    for router, args in pings:
        # the first ping after wiring may wait for the task's egress routes
        def _ping():
            rc, out, err = cmd(router, args)
            return None if rc == 0 else "{}: {}{}".format(" ".join(args), out, err)

        result = expect(_ping, count=20, wait=1)
        assert result is None, "{}: {}".format(router.name, result)


#
# the rack switch
#


def test_sessions_and_policy(tgen):
    "Sessions come up with TCP-MD5 and GTSM; bgpd_multinic holds the policy."
    tor = tgen.gears["tor"]

    def _up():
        return bgp_peers_not_established(tor, TOR_NEIGHBORS) or None

    step("every host session of tor is Established")
    result = expect(_up, count=80)
    assert result is None, "tor sessions not Established: {}".format(result)

    step("the sessions are protected: TCP-MD5 password and GTSM on each")
    config = running_config(tor)
    for n in TOR_NEIGHBORS:
        for line in [r" neighbor {} password \S+", r" neighbor {} ttl-security hops 1"]:
            assert re.search(line.format(re.escape(n)), config), (
                "tor: no /{}/ in the running config".format(line.format(n))
            )

    step("bgpd_multinic received the policy from multinicd")

    def _policy():
        out = _authz(tor)
        if not out.get("policyReceived"):
            return "no policy: {}".format(out)
        want = {"10.200.1.0/24", "10.200.2.0/24", "fd00:200:1::/64", "fd00:200:2::/64"}
        if set(out.get("vipRanges", [])) != want or set(out.get("hosts", {})) != {"h1", "h2"}:
            return "policy {}".format(out)
        return None

    result = expect(_policy, count=40)
    assert result is None, result
    sent = show_json(tor, "show multinic authorization json").get("sentToBgpd", {})
    assert sent.get("generation", 0) >= 1 and sent.get("complete"), (
        "tor's multinicd: {}".format(sent)
    )
    out = _authz(tor)
    assert out["hosts"]["h2"]["maxVips"] == H2_LIMIT, out
    assert out["hosts"]["h1"]["maxVips"] == 4, out


def test_h1_vip_announced(tgen):
    "h1's task is wired; its VIP reaches tor over both NICs; traffic flows."
    h1 = tgen.gears["h1"]
    step("configure task job1 on h1")
    configure_multinic(h1, *TASK_CONFIG)
    vips = show_json(h1, "show multinic authorization json").get("taskVips")
    assert vips == {"ipv4": 1, "ipv6": 1}, "h1's task VIPs: {}".format(vips)
    for family in (4, 6):
        step("IPv{}: h1's VIP on tor with 2 paths, traffic both ways".format(family))
        _check_h1_vip(tgen, family)


def _pings_start(tgen, family, count):
    "Pings to h1's VIP from remote and from the task to remote, in the background."
    remote, h1 = tgen.gears["remote"], tgen.gears["h1"]
    return [
        (name, router.net.popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                encoding="utf-8"))
        for name, router, args in [
            ("remote -> VIP", remote, ping_args(family, VIP_ADDR[family], count, "0.1")),
            ("VIP -> remote", h1, ping_args(family, REMOTE[family], count, "0.1", netns=NETNS)),
        ]
    ]


def _pings_check(pings, count):
    "Every ping answered."
    for name, proc in pings:
        try:
            out, _ = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        logger.info("ping %s: %s", name, out)
        assert " 0% packet loss" in out and "{} received".format(count) in out, (
            "h1's traffic ({}) was affected: {}".format(name, out)
        )


@pytest.mark.parametrize("family", [4, 6])
def test_bad_announcements_refused(tgen, family):
    "None of h2's bad announcements is installed; each is counted and logged."
    tor, h2 = tgen.gears["tor"], tgen.gears["h2"]

    step("IPv{}: h2 announces its bad prefixes while h1's traffic flows".format(family))
    count = 80
    pings = _pings_start(tgen, family, count)
    try:
        time.sleep(1)
        nets = ["network " + p for p in list(H2_BAD[family].values()) + H2_VIPS[family]]
        rc, out = vtysh_config(h2, "router bgp 65102",
                               "address-family ipv{} unicast".format(family), *nets)
        assert rc == 0, "h2: {}".format(out)
    except BaseException:
        for _, proc in pings:
            proc.kill()
        raise

    step("IPv{}: h2's limit-bound VIPs: exactly {} of {} installed".format(
        family, H2_LIMIT, len(H2_VIPS[family])))

    def _h2_vips():
        got = [p for p in H2_VIPS[family] if _rib_nexthops(tor, family, p)]
        return None if len(got) == H2_LIMIT else "installed: {}".format(got)

    result = expect(_h2_vips, count=40)
    assert result is None, result
    for p in H2_VIPS[family]:
        hops = _rib_nexthops(tor, family, p)
        assert hops in (None, H2_NEXTHOPS[family]), "{} via {}".format(p, hops)

    step("IPv{}: the others are not in tor's RIB nor BGP table from h2".format(family))
    for reason, prefix in H2_BAD[family].items():
        hops = _rib_nexthops(tor, family, prefix)
        if reason == "rangeNotAllowed":
            assert hops == H1_NEXTHOPS[family], "h1's VIP via {}".format(hops)
            paths = show_json(tor, SHOW_BGP[family].format(prefix)).get("paths", [])
            peers = {p.get("peer", {}).get("peerId") for p in paths}
            assert not peers & {"10.0.2.2", "fd00:0:2::2"}, "h2's path to h1's VIP: {}".format(paths)
        else:
            assert hops is None, "{} ({}) installed via {}".format(prefix, reason, hops)

    step("IPv{}: each refusal is counted under its reason and logged".format(family))

    def _counted():
        rej = _authz(tor).get("hosts", {}).get("h2", {}).get("rejected", {})
        missing = [r for r in list(H2_BAD[family]) + ["vipLimit"] if not rej.get(r)]
        return "not counted: {} ({})".format(missing, rej) if missing else None

    result = expect(_counted, count=40)
    assert result is None, result

    log = _tor_log(tor)
    for reason, prefix in list(H2_BAD[family].items()):
        pattern = r"multinic authorization: rejected {} from \S+ \(host h2\): {}".format(
            re.escape(prefix), re.escape(LOG_REASON[reason]))
        assert re.search(pattern, log), "no log line /{}/".format(pattern)
    limited = [p for p in H2_VIPS[family] if not _rib_nexthops(tor, family, p)]
    pattern = r"rejected {} from \S+ \(host h2\): {}".format(
        re.escape(limited[0]), re.escape(LOG_REASON["vipLimit"]))
    assert re.search(pattern, log), "no log line /{}/".format(pattern)

    step("IPv{}: h1's VIP and traffic were unaffected throughout".format(family))
    _pings_check(pings, count)
    _check_h1_vip(tgen, family)


def test_reading_counts_nothing(tgen):
    "received-routes and filtered-routes re-run the inbound route-map: no counter moves."
    tor = tgen.gears["tor"]
    before = _authz(tor)
    log = _tor_log(tor).count("multinic authorization: rejected")
    for _ in range(3):
        for afi, neighbor in [("ipv4", "10.0.2.2"), ("ipv6", "fd00:0:2::2")]:
            for what in ["received-routes", "filtered-routes"]:
                rc, out = vtysh(tor, "show bgp {} unicast neighbors {} {}".format(afi, neighbor, what))
                assert rc == 0 and "/" in out, "{} {}: {}".format(neighbor, what, out)
    after = _authz(tor)
    assert (after["accepted"], after["rejected"]) == (before["accepted"], before["rejected"]), (
        "counters moved under reading: {} -> {}".format(before["rejected"], after["rejected"]))
    assert after["hosts"]["h2"] == before["hosts"]["h2"]
    assert _tor_log(tor).count("multinic authorization: rejected") == log, "reading logged refusals"


def test_policy_change_without_session_reset(tgen):
    "A policy change on tor re-evaluates received routes; no session resets."
    tor = tgen.gears["tor"]
    before = _sessions(tor)
    assert all(v[0] for v in before.values()), "sessions not established: {}".format(before)
    generation = _authz(tor)["generation"]

    step("raise h2's limit to 3: its third VIP per family is installed (soft-reconfiguration)")
    configure_multinic(tor, "authorization host h2 max-vips 3")

    def _all_three():
        missing = [p for f in (4, 6) for p in H2_VIPS[f] if not _rib_nexthops(tor, f, p)]
        return "not installed: {}".format(missing) if missing else None

    result = expect(_all_three, count=40)
    assert result is None, result
    assert _authz(tor)["generation"] > generation

    step("revoke h1's IPv6 range: its IPv6 VIP leaves tor at once, IPv4 stays")
    configure_multinic(tor, "no authorization host h1 vip-range fd00:200:1::/64")
    result = expect(
        lambda: None if _rib_nexthops(tor, 6, VIP[6]) is None else "still there", count=40
    )
    assert result is None, "h1's IPv6 VIP still on tor after its range was revoked"
    assert _rib_nexthops(tor, 4, VIP[4]) == H1_NEXTHOPS[4]

    step("restore it: the IPv6 VIP is back with both paths")
    configure_multinic(tor, "authorization host h1 vip-range fd00:200:1::/64")
    _check_h1_vip(tgen, 6)

    step("no session was reset")
    after = _sessions(tor)
    assert after == before, "sessions reset by policy changes: {} -> {}".format(before, after)

    step("restore h2's limit")
    configure_multinic(tor, "authorization host h2 max-vips 2")
    result = expect(lambda: None if len([p for p in H2_VIPS[4] if _rib_nexthops(tor, 4, p)])
                    == H2_LIMIT else "not back to the limit", count=40)
    assert result is None, result
    _check_h1_vip(tgen, 4)
    _check_h1_vip(tgen, 6)


def test_shared_range_first_host_keeps_vip(tgen):
    "With a range shared by h1 and h2, h2 still cannot take h1's VIP."
    tor = tgen.gears["tor"]
    before = _sessions(tor)

    step("allow h2 h1's ranges too")
    configure_multinic(
        tor,
        "authorization host h2 vip-range 10.200.1.0/24",
        "authorization host h2 vip-range fd00:200:1::/64",
    )

    def _owned():
        rej = _authz(tor).get("hosts", {}).get("h2", {}).get("rejected", {})
        return None if rej.get("ownedByOtherHost", 0) >= 2 else "not counted: {}".format(rej)

    result = expect(_owned, count=40)
    assert result is None, "h2's announcements of h1's VIPs: {}".format(result)
    log = _tor_log(tor)
    for family in (4, 6):
        pattern = r"rejected {} from \S+ \(host h2\): VIP announced by another host \(host h1\)".format(
            re.escape(VIP[family]))
        assert re.search(pattern, log), "no log line /{}/".format(pattern)
        _check_h1_vip(tgen, family)

    step("take them back")
    configure_multinic(
        tor,
        "no authorization host h2 vip-range 10.200.1.0/24",
        "no authorization host h2 vip-range fd00:200:1::/64",
    )
    assert _sessions(tor) == before, "sessions reset by policy changes"


#
# bad input on the host: vtysh and gRPC
#

# (node lines, command, what the refusal must mention)
INVALID_VTYSH = [
    ([], "authorization vip-range 10.200.0.0/33", r"10\.200\.0\.0/33 is not an IPv4 or IPv6 prefix"),
    ([], "authorization vip-range 10.200.3.1/24", r"host bits.*10\.200\.3\.0/24"),
    ([], "authorization vip-range 10.200.1.128/25", r"overlaps vip-range 10\.200\.1\.0/24"),
    ([], "authorization vip-range 10.200.0.0/16", r"overlaps"),
    ([], "authorization vip-range 10.200.9.9/32", r"aggregate.*/31"),
    ([], "authorization vip-range fd00:200:9::/129", r"fd00:200:9::/129 is not an IPv4 or IPv6"),
    ([], "authorization vip-range fd00:200:1::8000/113", r"overlaps vip-range fd00:200:1::/64"),
    ([], "authorization vip-range not-a-prefix", r"not-a-prefix is not an IPv4 or IPv6 prefix"),
    ([], "authorization vip-range 0.0.0.0/0", r"length 0 would authorize every address"),
    ([], "authorization vip-range ::/0", r"length 0 would authorize every address"),
    ([], "authorization max-vips-per-host 0", r"max-vips-per-host is 1 to 1000000"),
    ([], "authorization max-vips-per-host 1000001", r"max-vips-per-host is 1 to 1000000"),
    ([], "authorization max-vips-per-host many", r"max-vips-per-host is 1 to 1000000 \(not many\)"),
    ([], "authorization max-vips-per-host 1", r"2 IPv4 VIPs.*max-vips-per-host 1"),
    ([], "authorization host h3 vip-range 10.200.2.0/24", r"at least one BGP neighbor"),
    ([], "authorization host h3 neighbor 10.0.0.2", r"one authorization host only"),
    ([], "authorization host h1 vip-range 10.200.9.0/24", r"leafref|10\.200\.9\.0/24"),
    ([], "authorization host h1 vip-range 10.200.9.0", r"10\.200\.9\.0 is not an IPv4 or IPv6 prefix"),
    ([], "authorization host h1 neighbor 10.0.0.300", r"10\.0\.0\.300 is not a valid IPv4"),
    ([], "authorization host h1 neighbor fd00::zz", r"fd00::zz is not a valid IPv4 or IPv6 address"),
    ([], "authorization host h1 neighbor eth0/1", r"eth0/1 is neither an IP address nor an interface"),
    ([], "authorization host h1 max-vips 0", r"max-vips is 1 to 1000000"),
    ([], "authorization host -h4 neighbor 10.0.9.9", r"Host name"),
    ([], "authorization host h'4 neighbor 10.0.9.9", r"quotes"),
    ([], "no authorization vip-range 10.200.1.0/24", r"leafref|10\.200\.1\.0/24"),
    (["task job1"], "vip 10.201.0.5/32", r"job1.*10\.201\.0\.5/32 is outside every IPv4"),
    (["task job1"], "vip fd00:201::5/128", r"job1.*fd00:201::5/128 is outside every IPv6"),
    (["task job1"], "nic h1-eth0 address 10.201.0.6/32", r"nic-address on h1-eth0 10\.201\.0\.6/32"),
    (["task job1"], "vip 10.200.1.1/24", r"host prefix|/32"),
    (["task job2"], "vip 10.200.1.1/32", r"unique|10\.200\.1\.1/32|vip"),
]


def _sweep_setup(tgen):
    "A second task (no netns) so that limits and conflicts have something to bite."
    configure_multinic(tgen.gears["h1"], "task job2", "vip 10.200.1.2/32")


@pytest.mark.parametrize(
    "node,command,reason", INVALID_VTYSH, ids=[c for _, c, _ in INVALID_VTYSH]
)
def test_vtysh_refuses_invalid(tgen, node, command, reason):
    "Invalid vtysh input is refused with a message; running-config is byte-identical."
    h1 = tgen.gears["h1"]
    if "job2" not in running_config(h1):
        _sweep_setup(tgen)
    expect_vtysh_refusal(h1, node + [command], reason)


HOST = {"name": "h3"}
INVALID_GRPC = [
    ("vip-range /33", {"vip-range": [{"prefix": "10.200.0.0/33"}]}, r"10\.200\.0\.0/33|prefix"),
    ("vip-range overlap", {"vip-range": [{"prefix": "10.200.0.0/16"}]}, r"overlaps"),
    ("vip-range host route", {"vip-range": [{"prefix": "fd00:200:9::1/128"}]}, r"/127"),
    ("vip-range 0.0.0.0/0", {"vip-range": [{"prefix": "0.0.0.0/0"}]}, r"length 0"),
    ("vip-range ::/0", {"vip-range": [{"prefix": "::/0"}]}, r"length 0"),
    ("max-vips-per-host 0", {"max-vips-per-host": 0}, r"1 to 1000000"),
    ("max-vips-per-host 2000000", {"max-vips-per-host": 2000000}, r"1 to 1000000"),
    ("max-vips-per-host -1", {"max-vips-per-host": -1}, r"-1|invalid|uint32"),
    ("max-vips-per-host 1 (2 tasks)", {"max-vips-per-host": 1}, r"2 IPv4 VIPs"),
    ("host without neighbor", {"host": [dict(HOST, **{"vip-range": ["10.200.2.0/24"]})]},
     r"at least one BGP neighbor"),
    ("neighbor of two hosts", {"host": [dict(HOST, neighbor=["10.0.1.2"])]},
     r"one authorization host only"),
    ("dangling vip-range", {"host": [{"name": "h1", "vip-range": ["10.200.7.0/24"]}]},
     r"leafref|10\.200\.7\.0/24"),
    ("bad host name", {"host": [{"name": "bad name", "neighbor": ["10.0.9.9"]}]},
     r"Host name|bad name"),
    ("malformed neighbor", {"host": [dict(HOST, neighbor=["10.0.0.256"])]},
     r"10\.0\.0\.256 is not a valid IPv4 address"),
    ("host max-vips 0", {"host": [{"name": "h1", "max-vips": 0}]}, r"max-vips is 1 to 1000000"),
]
INVALID_GRPC_TASKS = [
    ("VIP outside the ranges", [{"name": "job1", "vip-v4": "10.201.0.5/32"}],
     r"job1: VIP 10\.201\.0\.5/32 is outside every IPv4"),
    ("IPv6 VIP outside the ranges", [{"name": "job1", "vip-v6": "fd00:201::5/128"}],
     r"outside every IPv6"),
    ("IPv6 VIP as vip-v4", [{"name": "job1", "vip-v4": "fd00:200:1::9/128"}],
     r"fd00:200:1::9/128|invalid|ipv4"),
    ("IPv4 VIP as vip-v6", [{"name": "job1", "vip-v6": "10.200.1.9/32"}],
     r"10\.200\.1\.9/32|invalid|ipv6"),
    ("conflicting tasks (same VIP)", [{"name": "job2", "vip-v4": "10.200.1.1/32"}],
     r"unique|vip"),
    ("new task outside the ranges", [{"name": "job3", "vip-v4": "10.202.0.1/32"}],
     r"job3.*outside every IPv4"),
    ("per-NIC address outside", [{"name": "job1", "nic-address": [
        {"nic": "h1-eth1", "ipv4": "10.201.1.1/32"}]}], r"nic-address on h1-eth1"),
]
GRPC_CASES = [(n, {MC: {"authorization": c}}, r) for n, c, r in INVALID_GRPC] + [
    (n, {MC: {"task": t}}, r) for n, t, r in INVALID_GRPC_TASKS
]


@pytest.mark.parametrize("name,change,reason", GRPC_CASES, ids=[n for n, _, _ in GRPC_CASES])
def test_grpc_refuses_invalid(tgen, name, change, reason):
    "Invalid gRPC commits are refused with a message; config is byte-identical."
    h1 = tgen.gears["h1"]
    if "job2" not in running_config(h1):
        _sweep_setup(tgen)
    expect_grpc_refusal(h1, Northbound(h1, GRPC_PORT), name, change, reason)


def test_grpc_deleting_a_used_range_refused(tgen):
    "Deleting a vip-range that a task's VIP needs is refused (gRPC delete)."
    h1 = tgen.gears["h1"]
    nb = Northbound(h1, GRPC_PORT)
    before = running_config(h1)
    # h1's hosts reference it too: drop those references in the same commit
    xp = "/{}/authorization".format(MC)
    result = nb.edit(delete=[
        xp + "/host[name='h1']/vip-range[.='10.200.1.0/24']",
        xp + "/vip-range[prefix='10.200.1.0/24']",
    ])
    logger.info("gRPC delete range -> %s: %r", result.code, result.message)
    assert not result.ok, result.raw
    assert re.search(r"job1: VIP 10\.200\.1\.1/32 is outside every IPv4", result.message), (
        result.message
    )
    assert running_config(h1) == before


def test_h1_unaffected_at_the_end(tgen):
    "After all of it, h1's VIP is still on tor via h1 only and its traffic flows."
    for family in (4, 6):
        _check_h1_vip(tgen, family)


def test_memory_leak(tgen):
    "FRR's memory-leak report: no daemon leaves memory allocated at exit."
    memory_leak_test(tgen)


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
