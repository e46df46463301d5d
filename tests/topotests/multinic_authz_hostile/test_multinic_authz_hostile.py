#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
test_multinic_authz_hostile.py: the rack switch's authorization against
hosts that do what they should not, and against a switch set up without
the module or the policy.

    +------+ ha-eth1 -- bare-eth0 +------+   bare: bgpd WITHOUT bgpd_multinic
    |      | ha-eth2 -- nopol-eth0 +-------+ nopol: bgpd -M multinic, no policy
    |  ha  | ha-eth0 -- tor-eth0 +-----+
    +------+                     |     |
    +------+ hb-eth0 -- tor-eth1 | tor |  bgpd -M multinic + multinicd (policy)
    |  hb  |                     |     |
    +------+                     +-----+
    +------+ hu-eth0 -- tor-eth2 (unnumbered)
    |  hu  |
    +------+

ha: plain bgpd, numbered IPv4 and IPv6 sessions (route refresh; tor keeps
    soft-reconfiguration inbound for its IPv4 session).
hb: plain bgpd without capabilities: no route refresh, and tor keeps no
    soft-reconfiguration for it. Shares 10.210.0.0/24 with ha.
hu: plain bgpd on an unnumbered IPv6 session.

What is checked (issue 16, rack switch):
1. the documented route-map rejects everything on a bgpd without
   bgpd_multinic and on one without a policy;
2. a policy change removes what it makes unauthorized from tor's BGP table
   and kernel within 1 s, from a host that can neither refresh nor be
   replayed from soft-reconfiguration; and puts it back within 1 s;
3. a VIP refused because another host holds it is accepted within 1 s of
   that host's withdrawal, in either order, without the host's help;
4. the IPv6 next hop that is installed is the one checked: a forged
   link-local part on a numbered session is never installed, and on an
   unnumbered session it is refused;
5. reading received-routes/filtered-routes moves no counter and logs
   nothing; refusals are logged at most 20 per host in 10 s; a dampened
   (history) path does not hold its VIP; a policy sent by another zebra
   client than multinicd is ignored.
"""

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

from multinic_lib.northbound import frr_tree
from multinic_lib import (
    cmd,
    expect,
    memory_leak_test,
    module_path,
    multinic_topology,
    running_config,
    show_json,
    skip_if_topology_broken,
    vtysh,
    vtysh_config,
)

pytestmark = [pytest.mark.multinicd, pytest.mark.bgpd]

HA, HB = "10.0.10.2", "10.0.11.2"
SHARED_VIP = "10.210.0.5/32"
HB_VIP = "10.212.0.1/32"
DEADLINE = 1.0  # issue 16: revocation and revisits within 1 s


def build_topo(tgen):
    for name in ["tor", "ha", "hb", "hu", "bare", "nopol"]:
        tgen.add_router(name)
    tgen.add_link(tgen.gears["ha"], tgen.gears["tor"], "ha-eth0", "tor-eth0")
    tgen.add_link(tgen.gears["hb"], tgen.gears["tor"], "hb-eth0", "tor-eth1")
    tgen.add_link(tgen.gears["hu"], tgen.gears["tor"], "hu-eth0", "tor-eth2")
    tgen.add_link(tgen.gears["ha"], tgen.gears["bare"], "ha-eth1", "bare-eth0")
    tgen.add_link(tgen.gears["ha"], tgen.gears["nopol"], "ha-eth2", "nopol-eth0")


@pytest.fixture(scope="module")
def tgen(request):
    "Setup/Teardown the environment and provide tgen argument to tests"
    assert module_path("bgpd_multinic"), "bgpd_multinic is not installed"
    plain = [("zebra", ""), ("bgpd", "")]
    daemons = {
        "tor": [("zebra", ""), ("bgpd", "-M multinic"), ("multinicd", "")],
        "ha": plain,
        "hb": plain,
        "hu": plain,
        "bare": plain,
        "nopol": [("zebra", ""), ("bgpd", "-M multinic")],
    }
    with multinic_topology(request, build_topo, daemons) as tgen:
        yield tgen


@pytest.fixture(autouse=True)
def skip_on_failure(tgen, request):
    "Skip when the topology is broken (start-up error, a daemon died)."
    skip_if_topology_broken(tgen, request)


#
# helpers
#


def _authz(router):
    return show_json(router, "show bgp multinic authorization json")


def _rejected(router, host):
    return _authz(router).get("hosts", {}).get(host, {}).get("rejected", {})


def _fib_via(router, prefix):
    "The kernel's route to prefix (`ip route show` line), '' when there is none."
    family = "-6" if ":" in prefix else "-4"
    _, out, _ = cmd(router, ["ip", family, "route", "show", prefix])
    return out.strip()


def _bgp_peers(router, prefix):
    "Peers with a path to prefix in router's BGP table."
    afi = "ipv6" if ":" in prefix else "ipv4"
    paths = show_json(router, "show bgp {} unicast {} json".format(afi, prefix)).get("paths", [])
    return {p.get("peer", {}).get("peerId") for p in paths}


def _announce(router, asn, prefix, withdraw=False):
    afi = "ipv6" if ":" in prefix else "ipv4"
    rc, out = vtysh_config(router, "router bgp {}".format(asn),
                           "address-family {} unicast".format(afi),
                           "{}network {}".format("no " if withdraw else "", prefix))
    assert rc == 0, "{}: {}".format(router.name, out)


def _within(predicate, what, deadline=DEADLINE):
    "Poll predicate (true when done) every 20 ms; assert it held within deadline s."
    start = time.monotonic()
    while not predicate():
        elapsed = time.monotonic() - start
        assert elapsed <= deadline, "{}: not within {} s".format(what, deadline)
        time.sleep(0.02)
    elapsed = time.monotonic() - start
    logger.info("%s: %.3f s", what, elapsed)
    return elapsed


def _tor_log(tor):
    path = os.path.join(tor.net.logdir, tor.name, "bgpd.log")
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def _established(router, neighbors):
    out = show_json(router, "show bgp neighbors json")
    down = [n for n in neighbors if out.get(n, {}).get("bgpState") != "Established"]
    return "not Established: {}".format(down) if down else None


#
# 1. fails closed
#


def test_sessions(tgen):
    "Every session comes up; tor holds the policy; hb offers no route refresh."
    tor = tgen.gears["tor"]
    for name, neighbors in [("tor", [HA, "fd00:10::2", HB, "tor-eth2"]),
                            ("bare", ["10.0.20.2"]), ("nopol", ["10.0.21.2"])]:
        result = expect(lambda: _established(tgen.gears[name], neighbors), count=120)
        assert result is None, "{}: {}".format(name, result)
    result = expect(lambda: None if _authz(tor).get("policyReceived") else "no policy")
    assert result is None, result
    caps = show_json(tor, "show bgp neighbors {} json".format(HB))[HB].get("neighborCapabilities", {})
    assert caps.get("routeRefresh") in (None, "advertised"), "hb offers route refresh: {}".format(caps)
    assert "soft-reconfiguration" not in running_config(tor).split("neighbor 10.0.11.2 activate")[1].split("exit-address-family")[0]


@pytest.mark.parametrize("name", ["bare", "nopol"])
def test_fails_closed(tgen, name):
    "Without bgpd_multinic, or without a policy, the documented route-map accepts nothing."
    router, ha = tgen.gears[name], tgen.gears["ha"]
    peer, ha_addr = {"bare": ("10.0.20.1", "10.0.20.2"), "nopol": ("10.0.21.1", "10.0.21.2")}[name]

    step("{}: ha announces its VIP; nothing of it is accepted".format(name))

    def _advertised():
        out = show_json(ha, "show bgp ipv4 unicast neighbors {} advertised-routes json".format(peer))
        return None if "10.210.0.1/32" in out.get("advertisedRoutes", {}) else "not advertised"

    assert expect(_advertised) is None
    time.sleep(2)  # what would have come has come
    summary = show_json(router, "show bgp ipv4 unicast summary json")
    pfx = summary.get("peers", {}).get(ha_addr, {})
    assert pfx.get("state") == "Established", summary
    assert pfx.get("pfxRcd") == 0, "{} accepted {} prefixes from ha".format(name, pfx.get("pfxRcd"))
    assert not _bgp_peers(router, "10.210.0.1/32"), "{} has ha's VIP".format(name)
    assert _fib_via(router, "10.210.0.1") == ""

    if name == "bare":
        step("bare: the match lines were refused; the deny entry is what is left")
        assert "match multinic" not in running_config(router)
    else:
        step("nopol: bgpd_multinic counted the refusals as 'no policy'")
        out = _authz(router)
        assert not out.get("policyReceived"), out
        assert out.get("rejected", {}).get("noPolicy", 0) >= 1, out


#
# 2. revocation, whatever the host supports
#


def test_revocation_without_refresh(tgen):
    "A revoked range leaves tor's BGP table and FIB within 1 s; restored, it is back within 1 s."
    tor, hb = tgen.gears["tor"], tgen.gears["hb"]

    step("hb announces a VIP of its own range: installed")
    _announce(hb, 65102, HB_VIP)
    assert expect(lambda: None if "10.0.11.2" in _fib_via(tor, "10.212.0.1") else "not installed") is None

    step("revoke hb's range: the VIP leaves the BGP table and the kernel within 1 s")
    rc, out = vtysh_config(tor, "multinic", "no authorization host hb vip-range 10.212.0.0/24")
    assert rc == 0, out
    _within(lambda: _fib_via(tor, "10.212.0.1") == "", "revoked VIP out of tor's FIB")
    assert HB not in _bgp_peers(tor, HB_VIP)
    pattern = r"rejected 10\.212\.0\.1/32 from 10\.0\.11\.2 \(host hb\): in a vip-range not allowed"
    assert re.search(pattern, _tor_log(tor)), "no log line /{}/".format(pattern)

    step("restore it: the kept announcement is accepted again within 1 s, without hb")
    rc, out = vtysh_config(tor, "multinic", "authorization host hb vip-range 10.212.0.0/24")
    assert rc == 0, out
    _within(lambda: "10.0.11.2" in _fib_via(tor, "10.212.0.1"), "restored VIP in tor's FIB")


#
# 3. a refusal is revisited
#


@pytest.mark.parametrize("first,second", [("ha", "hb"), ("hb", "ha")])
def test_refusal_revisited(tgen, first, second):
    "A VIP refused because another host holds it is accepted within 1 s of that host's withdrawal."
    tor = tgen.gears["tor"]
    asn = {"ha": 65101, "hb": 65102}
    addr = {"ha": HA, "hb": HB}
    via = "10.210.0.5"

    step("{} announces {}, then {} announces it too: refused".format(first, SHARED_VIP, second))
    _announce(tgen.gears[first], asn[first], SHARED_VIP)
    assert expect(lambda: None if addr[first] in _fib_via(tor, via) else "not installed") is None
    before = _rejected(tor, second).get("ownedByOtherHost", 0)
    _announce(tgen.gears[second], asn[second], SHARED_VIP)
    assert expect(lambda: None if _rejected(tor, second).get("ownedByOtherHost", 0) > before
                  else "not refused") is None
    assert _bgp_peers(tor, SHARED_VIP) == {addr[first]}

    step("{} withdraws: {}'s announcement is accepted within 1 s".format(first, second))
    _announce(tgen.gears[first], asn[first], SHARED_VIP, withdraw=True)
    _within(lambda: addr[second] in _fib_via(tor, via), "{} takes the VIP".format(second))
    assert _rejected(tor, second).get("ownedByOtherHost", 0) == before + 1, "counted more than once"
    # the next case starts with `second` holding the VIP
    if second == "ha":
        _announce(tgen.gears[second], asn[second], SHARED_VIP, withdraw=True)
        assert expect(lambda: None if _fib_via(tor, via) == "" else "still there") is None


#
# 4. the IPv6 next hop that is installed is the one checked
#


def _nexthops(router, prefix):
    routes = show_json(router, "show ipv6 route {} json".format(prefix)).get(prefix, [])
    return {nh.get("ip") for r in routes if r.get("selected") for nh in r.get("nexthops", [])}


def test_ipv6_nexthop_numbered(tgen):
    "Numbered session: the global part is installed and checked; a forged link-local part is never used."
    tor, ha = tgen.gears["tor"], tgen.gears["ha"]
    assert expect(lambda: None if _nexthops(tor, "fd00:210::1/128") == {"fd00:10::2"}
                  else _nexthops(tor, "fd00:210::1/128")) is None
    _announce(ha, 65101, "fd00:210::9/128")
    assert expect(lambda: None if _nexthops(tor, "fd00:210::9/128") == {"fd00:10::2"}
                  else _nexthops(tor, "fd00:210::9/128")) is None
    assert "fe80::dead" not in vtysh(tor, "show ipv6 route fd00:210::9/128")[1]


def test_ipv6_nexthop_unnumbered(tgen):
    "Unnumbered session: the link-local part is installed, so it must be the session's address."
    tor, hu = tgen.gears["tor"], tgen.gears["hu"]
    result = expect(lambda: None if _fib_via(tor, "fd00:213::1") else "hu's VIP not installed")
    assert result is None, result
    assert "fe80::" in _fib_via(tor, "fd00:213::1"), _fib_via(tor, "fd00:213::1")
    before = _rejected(tor, "hu").get("foreignNextHop", 0)
    _announce(hu, 65103, "fd00:213::9/128")
    assert expect(lambda: None if _rejected(tor, "hu").get("foreignNextHop", 0) > before
                  else "not refused") is None
    assert _fib_via(tor, "fd00:213::9") == ""
    pattern = r"rejected fd00:213::9/128 from \S+ \(host hu\): next hop is not .*fe80::dead"
    assert re.search(pattern, _tor_log(tor)), "no log line /{}/".format(pattern)


#
# 5. each announcement judged, counted and logged once
#


def test_reading_moves_nothing(tgen):
    "received-routes/filtered-routes re-run the route-map: no counter moves, nothing is logged."
    tor, ha = tgen.gears["tor"], tgen.gears["ha"]
    _announce(ha, 65101, "192.0.2.1/32")  # outside every range
    assert expect(lambda: None if _rejected(tor, "ha").get("outsideRanges") else "not refused") is None
    time.sleep(1)
    before, log = _authz(tor), _tor_log(tor)
    for _ in range(3):
        for what in ["received-routes", "filtered-routes"]:
            out = vtysh(tor, "show bgp ipv4 unicast neighbors {} {}".format(HA, what))[1]
            assert "192.0.2.1/32" in out, "{}: {}".format(what, out)
            vtysh(tor, "show bgp ipv4 unicast neighbors {} {} json".format(HA, what))
    after = _authz(tor)
    for key in ["accepted", "rejected"]:
        assert after[key] == before[key], "{}: {} -> {}".format(key, before[key], after[key])
    assert after["hosts"]["ha"] == before["hosts"]["ha"]
    assert _tor_log(tor).count("rejected 192.0.2.1/32") == log.count("rejected 192.0.2.1/32") == 1


def test_rejection_logs_limited(tgen):
    "Forty refusals from one host: all counted, at most 20 logged in 10 s, the rest summed up later."
    tor, ha = tgen.gears["tor"], tgen.gears["ha"]
    time.sleep(10)  # a fresh logging period for ha
    before = _rejected(tor, "ha").get("outsideRanges", 0)
    log = _tor_log(tor)
    nets = ["network 198.51.100.{}/32".format(i) for i in range(40)]
    rc, out = vtysh_config(ha, "router bgp 65101", "address-family ipv4 unicast", *nets)
    assert rc == 0, out
    assert expect(lambda: None if _rejected(tor, "ha").get("outsideRanges", 0) == before + 40
                  else _rejected(tor, "ha")) is None
    new = _tor_log(tor)[len(log):]
    lines = len(re.findall(r"rejected 198\.51\.100\.\d+/32 from 10\.0\.10\.2 \(host ha\)", new))
    assert 1 <= lines <= 20, "{} rejection lines logged".format(lines)
    time.sleep(10)
    _announce(ha, 65101, "198.51.100.200/32")
    assert expect(lambda: None if re.search(r"\d+ more rejections of ha were not logged",
                                            _tor_log(tor)) else "no summary line") is None


def test_dampened_path_holds_nothing(tgen):
    "With dampening, a withdrawn path kept as history does not keep its VIP from another host."
    tor, ha, hb = tgen.gears["tor"], tgen.gears["ha"], tgen.gears["hb"]
    rc, out = vtysh_config(tor, "router bgp 65000", "address-family ipv4 unicast", "bgp dampening")
    assert rc == 0, out
    vip = "10.210.0.7/32"
    _announce(hb, 65102, vip)
    assert expect(lambda: None if HB in _fib_via(tor, "10.210.0.7") else "not installed") is None
    _announce(hb, 65102, vip, withdraw=True)
    out = show_json(tor, "show bgp ipv4 unicast {} json".format(vip))
    logger.info("after hb's withdrawal: %s", out)
    assert expect(lambda: None if _fib_via(tor, "10.210.0.7") == "" else "still there") is None
    _announce(ha, 65101, vip)
    assert expect(lambda: None if HA in _fib_via(tor, "10.210.0.7") else _authz(tor)["hosts"]) is None
    rc, out = vtysh_config(tor, "router bgp 65000", "address-family ipv4 unicast", "no bgp dampening")
    assert rc == 0, out


def test_policy_only_from_multinicd(tgen):
    "A complete policy sent by another zebra client (route type static) is ignored."
    tor = tgen.gears["tor"]
    before = _authz(tor)
    rc, out, err = cmd(tor, ["/usr/bin/python3", os.path.join(CWD, "zapi_policy.py"),
                             frr_tree(), "static"])
    assert rc == 0, out + err
    pattern = r"policy message from static \(instance 0\), not from multinicd; ignored"
    assert expect(lambda: None if re.search(pattern, _tor_log(tor)) else "not logged") is None
    after = _authz(tor)
    assert after["generation"] == before["generation"] and after["vipRanges"] == before["vipRanges"]
    assert HA in _fib_via(tor, "10.210.0.7"), "tor's routes changed"


def test_memory_leak(tgen):
    "FRR's memory-leak report: no daemon leaves memory allocated at exit."
    memory_leak_test(tgen)


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
