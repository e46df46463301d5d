#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
test_multinic_egress_kernel.py: multinicd's kernel-mode egress datapath.

             h1-eth0 ------ tor-eth0
    +----+   h1-eth1 ------ tor-eth1   +-----+ tor-eth4 -- remote-eth0 +--------+
    | h1 |   h1-eth2 ------ tor-eth2   | tor |                         | remote |
    +----+   h1-eth3 ------ tor-eth3   +-----+                         +--------+
      |
      +- netns job1 (the task): mn0 10.200.0.1/32, fd00:200::1/128

h1:     zebra + multinicd (-M grpc:50052); 10.0.N.2/24, fd00:0:N::2/64 on
        h1-ethN; no default route of its own.
tor:    zebra + staticd; 10.0.N.1/24, fd00:0:N::1/64; 10.1.0.1/24,
        fd00:1::1/64 towards remote; the task VIPs routed to h1 (via
        10.0.0.2 / fd00::2): ingress is not what this test is about.
remote: zebra + staticd; 10.1.0.2/24, fd00:1::2/64, default routes via tor;
        runs the iperf3 server.

The test plays the container runtime: it creates the task's network
namespace job1 inside h1 (``ip netns add`` in h1's mount namespace, where
multinicd sees /run/netns/job1) and removes it at the end. multinicd,
configured with ``egress-mode kernel``, the four NICs with their gateways and
the task, wires the task (veth pair mn-job1 <-> mn0, VIPs, neighbours and
default routes in job1, host routes through zebra, source rules) and spreads
its egress flows over the four NICs with a resilient nexthop group per family
in table 4242. What a user sees of that:

1. the task is reported wired with every object present, and job1 reaches
   remote (IPv4 and IPv6);
2. 32 concurrent TCP flows leave through all four NICs, with the VIP as
   source address;
3. a NIC going down leaves the group, traffic keeps flowing over the other
   three; back up, it carries traffic again;
4. deleting the task leaves nothing behind in h1 or in job1, nor does
   changing or removing the VIP of a wired task;
5. invalid input is refused with a message saying why and leaves the running
   configuration untouched (vtysh and gRPC).
"""

import ipaddress
import json
import os
import re
import sys

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, "../"))

# pylint: disable=wrong-import-position
from lib import topotest
from lib.common_config import step
from lib.topolog import logger

from multinic_lib import (
    IPERF_PORT,
    MC,
    SHARE_MAX,
    SHARE_MIN,
    SHARE_UNUSED,
    SHARE_USED,
    Iperf3Server,
    Northbound,
    accept_any_source,
    build_rack,
    byte_shares,
    cmd,
    cmd_ok,
    config_block,
    configure_multinic,
    enable_forwarding,
    expect,
    expect_grpc_refusal,
    expect_vtysh_refusal,
    format_shares,
    iperf3_client_args,
    ip_json,
    memory_leak_test,
    multinic_topology,
    ping_args,
    running_config,
    show_json,
    skip_if_topology_broken,
    spread_rounds,
    task_json,
    task_wired,
    tx_bytes,
    unified_diff,
    vtysh,
    vtysh_config,
)

pytestmark = [pytest.mark.multinicd]

GRPC_PORT = 50052

NICS = ["h1-eth0", "h1-eth1", "h1-eth2", "h1-eth3"]
TASK = "job1"
NETNS = "job1"
OTHER_TASK = "job2"  # the second task of the refusal tests, in its own netns
OTHER_NETNS = "job2"
VIP = {4: "10.200.0.1", 6: "fd00:200::1"}
VIP_PREFIX = {4: "10.200.0.1/32", 6: "fd00:200::1/128"}
REMOTE = {4: "10.1.0.2", 6: "fd00:1::2"}
GATEWAY = {4: "10.0.{}.1", 6: "fd00:0:{}::1"}
HOST_IFNAME = "mn-job1"
TASK_IFNAME = "mn0"
TASK_GATEWAY = {4: "169.254.1.1", 6: "fe80::1"}
EGRESS_TABLE = 4242
RULE_PRIORITY = 1000

# The multinic configuration under test, before and with the task.
NIC_LINES = [
    "nic h1-eth{0} gateway 10.0.{0}.1 gateway fd00:0:{0}::1".format(n)
    for n in range(len(NICS))
]
BASE_LINES = ["egress-mode kernel"] + NIC_LINES
TASK_LINES = [
    "task " + TASK,
    "netns " + NETNS,
    "vip " + VIP_PREFIX[4],
    "vip " + VIP_PREFIX[6],
    "exit",
]
# show running-config prints exactly this (IPv6 compared canonically).
EXPECTED_BLOCK = (
    "multinic\n"
    " egress-mode kernel\n"
    + "".join(" {}\n".format(line) for line in NIC_LINES)
    + " task job1\n"
    "  netns job1\n"
    "  vip 10.200.0.1/32\n"
    "  vip fd00:200::1/128\n"
    " exit\n"
    "exit\n"
)

# iperf3 flows per run; how they are judged: multinic_lib.traffic (SHARE_*).
IPERF_FLOWS = 32

# Filled by test_nics_configured: the state of h1 and job1 before the task.
SNAPSHOT = {}


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
    # The container runtime: the tasks' netns, with their loopback up.
    netns = {"h1": [NETNS, OTHER_NETNS]}
    with multinic_topology(request, build_topo, daemons, netns) as tgen:
        # Routers forward (topotest sets these; make sure) and tor accepts
        # the VIP as source on every NIC link although it routes it via
        # tor-eth0.
        enable_forwarding(tgen.gears["h1"], tgen.gears["tor"])
        accept_any_source(tgen.gears["tor"], ["tor-eth{}".format(n) for n in range(len(NICS) + 1)])
        yield tgen


@pytest.fixture(autouse=True)
def skip_on_failure(tgen, request):
    """Skip when the topology is broken (start-up error, a daemon died).

    An earlier test's failed assertion does not skip the rest (as in
    multinic_basic); tests that need an earlier one's state check it.
    """
    skip_if_topology_broken(tgen, request)


#
# helpers
#


def _canonical_ipv6(text):
    "Text with every IPv6 address or prefix in canonical (RFC 5952) form."

    def canon(match):
        word = match.group(0)
        try:
            if "/" in word:
                return str(ipaddress.IPv6Network(word, strict=False))
            return str(ipaddress.IPv6Address(word))
        except ValueError:
            return word

    return re.sub(r"[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(?:/\d+)?", canon, text)


def _nhg_members(h1, nhg_id, family):
    """Members of a kernel nexthop group as sorted ["dev via gateway"], the
    gateway in canonical form."""
    out = ip_json(h1, "nexthop", "show", "id", str(nhg_id))
    if not out:
        return []
    members = []
    for member in out[0].get("group", []):
        nh = ip_json(h1, "nexthop", "show", "id", str(member["id"]))
        nh = nh[0] if nh else {}
        gateway = nh.get("gateway")
        if gateway:
            gateway = str(ipaddress.ip_address(gateway))
        members.append("{} via {}".format(nh.get("dev"), gateway))
    return sorted(members)


def _nic_gateways(nics, family):
    "What _nhg_members() should be for these NICs."
    return sorted(
        "{} via {}".format(
            nic, ipaddress.ip_address(GATEWAY[family].format(NICS.index(nic)))
        )
        for nic in nics
    )


def _kernel_groups(h1, nics):
    """None when table 4242 has, for IPv4 and IPv6, a default route through
    a nexthop group of exactly ``nics`` via their gateways, else why not."""
    for family in [4, 6]:
        routes = ip_json(h1, "-{}".format(family), "route", "show", "table", str(EGRESS_TABLE))
        default = [r for r in routes if r.get("dst") == "default" and "nhid" in r]
        if len(default) != 1:
            return "IPv{} table {}: {}".format(family, EGRESS_TABLE, routes)
        members = _nhg_members(h1, default[0]["nhid"], family)
        want = _nic_gateways(nics, family)
        if members != want:
            return "IPv{} nexthop group {} members {} (want {})".format(
                family, default[0]["nhid"], members, want
            )
    return None


def _egress_groups(h1, nics):
    """None when the egress groups (v4 and v6) have exactly ``nics`` (via
    their gateways) as members, in multinicd's view (the task's objects) and
    in the kernel's, else why not."""
    task = task_json(h1, TASK)
    counts = [
        o.get("object", "")
        for o in task.get("objects", [])
        if o.get("kind") == "nexthop-group"
    ]
    want = "({} NIC{})".format(len(nics), "" if len(nics) == 1 else "s")
    if len(counts) != 2 or not all(want in c for c in counts):
        return "show multinic task: nexthop groups {} (want {} each)".format(counts, want)
    return _kernel_groups(h1, nics)


def _buckets_of(h1, nics):
    """None when each of ``nics`` holds buckets of both egress groups (new
    flows can hash to it), else why not. A resilient group moves buckets to
    a NIC that (re)joins only once they have been idle for its idle timer."""
    for family in [4, 6]:
        routes = ip_json(h1, "-{}".format(family), "route", "show", "table", str(EGRESS_TABLE))
        default = [r for r in routes if r.get("dst") == "default" and "nhid" in r]
        if not default:
            return "IPv{}: no default route in table {}".format(family, EGRESS_TABLE)
        nhid = default[0]["nhid"]
        buckets = ip_json(h1, "nexthop", "bucket", "show", "id", str(nhid))
        held = {}
        for entry in buckets:
            member = entry.get("bucket", {}).get("nhid")
            held[member] = held.get(member, 0) + 1
        devs = {}
        for member, count in held.items():
            nh = ip_json(h1, "nexthop", "show", "id", str(member))
            dev = nh[0].get("dev") if nh else str(member)
            devs[dev] = devs.get(dev, 0) + count
        empty = [nic for nic in nics if not devs.get(nic)]
        if empty:
            return "IPv{} group {}: no bucket on {} (buckets per NIC: {})".format(
                family, nhid, empty, devs
            )
    return None


def _iperf(tgen, family, seconds=4, flows=IPERF_FLOWS):
    """Run iperf3 from job1 to remote; returns (tx byte deltas per NIC,
    client JSON, server JSON). Asserts the run succeeded."""
    h1 = tgen.gears["h1"]
    with Iperf3Server(tgen.gears["remote"], IPERF_PORT, json_output=True) as server:
        before = tx_bytes(h1, NICS)
        rc, out, err = cmd(
            h1,
            iperf3_client_args(NETNS, REMOTE[family], IPERF_PORT, flows, seconds,
                               json_output=True),
            timeout=seconds + 60,
        )
        after = tx_bytes(h1, NICS)
        try:
            client = json.loads(out)
        except ValueError:
            client = {}
        assert rc == 0 and "error" not in client, (
            "iperf3 -{} from {} to {} failed (rc {}): {}{}".format(
                family, NETNS, REMOTE[family], rc, client.get("error", out), err
            )
        )
        sout, serr = server.output(timeout=30)
        try:
            srv = json.loads(sout)
        except ValueError:
            srv = {}
        assert srv and "error" not in srv, "iperf3 server: {}{}".format(sout, serr)
    delta = {nic: after[nic] - before[nic] for nic in NICS}
    sent = client.get("end", {}).get("sum_sent", {}).get("bytes", 0)
    logger.info(
        "iperf3 IPv%s: %s bytes sent (%.1f Mbit/s); %s",
        family,
        sent,
        client.get("end", {}).get("sum_sent", {}).get("bits_per_second", 0) / 1e6,
        format_shares(delta),
    )
    return delta, client, srv


def _client_addresses(server_json):
    """Source addresses the iperf3 server saw (control and data connections),
    v4-mapped IPv6 unmapped."""
    start = server_json.get("start", {})
    seen = [start.get("accepted_connection", {}).get("host")]
    seen += [c.get("remote_host") for c in start.get("connected", [])]
    return [
        (a[len("::ffff:"):] if a and a.lower().startswith("::ffff:") else a) for a in seen
    ]


#
# state snapshots (test 4)
#


def _nexthop_descriptions(router, netns=None):
    "{id: content description} of the kernel's nexthops (ids replaced)."
    entries = {nh["id"]: nh for nh in ip_json(router, "nexthop", "show", netns=netns)}
    described = {}

    def describe(nh_id):
        if nh_id in described:
            return described[nh_id]
        nh = entries.get(nh_id)
        if nh is None:
            text = "id?"
        elif "group" in nh:
            members = sorted(
                "{}*{}".format(describe(m["id"]), m.get("weight", 1)) for m in nh["group"]
            )
            text = "group[{}] type {} {} proto {}".format(
                " ".join(members),
                nh.get("type", "mpath"),
                json.dumps(nh.get("resilient_args", {}), sort_keys=True),
                nh.get("protocol"),
            )
        else:
            rest = {k: v for k, v in nh.items() if k != "id"}
            text = json.dumps(rest, sort_keys=True)
        described[nh_id] = text
        return text

    for nh_id in entries:
        describe(nh_id)
    return described


VOLATILE = {
    "ifindex",
    "link_index",
    "stats",
    "stats64",
    "valid_life_time",
    "preferred_life_time",
    "expires",
    "used",
}


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _snapshot(router, netns=None):
    """What a user would list in h1 (netns None) or in a task netns, as text:
    links, addresses, routes of all tables, rules, nexthops. Volatile fields
    (counters, lifetimes, interface and nexthop ids) are left out, entries
    sorted."""
    nexthops = _nexthop_descriptions(router, netns)
    sections = []

    def section(title, entries):
        lines = sorted(json.dumps(e, sort_keys=True) for e in entries)
        sections.append("== {}\n{}".format(title, "\n".join(lines)))

    links = _strip(ip_json(router, "-d", "link", "show", netns=netns))
    section("ip -d link", links)
    addrs = []
    for link in _strip(ip_json(router, "addr", "show", netns=netns)):
        info = link.pop("addr_info", [])
        addrs.append({"ifname": link.get("ifname"), "addr_info": sorted(
            json.dumps(a, sort_keys=True) for a in info
        )})
    section("ip addr", addrs)
    for family in ["-4", "-6"]:
        routes = _strip(ip_json(router, family, "route", "show", "table", "all", netns=netns))
        for route in routes:
            if "nhid" in route:
                route["nhid"] = nexthops.get(route["nhid"], "id?")
            if "nexthops" in route:
                # the order of a group's members is not significant
                route["nexthops"] = sorted(
                    route["nexthops"], key=lambda nh: json.dumps(nh, sort_keys=True)
                )
        section("ip {} route show table all".format(family), routes)
        section("ip {} rule".format(family), _strip(ip_json(router, family, "rule", "show", netns=netns)))
    section("ip nexthop", list(nexthops.values()))
    return "\n".join(sections) + "\n"


def _state(h1):
    return {"h1": _snapshot(h1), NETNS: _snapshot(h1, NETNS)}


#
# tests
#


def test_nics_configured(tgen):
    "egress-mode kernel and the four NICs with their gateways are in use."
    h1 = tgen.gears["h1"]

    step("configure egress-mode kernel and the four NICs")
    configure_multinic(h1, *BASE_LINES)

    step("show multinic nic json: the four NICs, up")

    def _nics():
        out = show_json(h1, "show multinic nic json")
        if sorted(out) != NICS:
            return "selected NICs {} (want {}): {}".format(sorted(out), NICS, out)
        down = [nic for nic in NICS if out[nic].get("operUp") is not True]
        return "not up: {}".format(out) if down else None

    result = expect(_nics)
    assert result is None, "h1 `show multinic nic json`: {}".format(result)

    step("show multinic json: kernel datapath, no task attached yet")
    egress = show_json(h1, "show multinic json").get("egress", {})
    cmp = topotest.json_cmp(egress, {"datapath": "kernel", "table": EGRESS_TABLE})
    assert cmp is None, "show multinic json egress: {} ({})".format(egress, cmp)

    step("IPv6 addresses of the NICs are usable (DAD done)")

    def _dad_done():
        tentative = [
            (link["ifname"], a["local"])
            for link in ip_json(h1, "-6", "addr", "show")
            for a in link.get("addr_info", [])
            if a.get("tentative")
        ]
        return tentative or None

    result = expect(_dad_done)
    assert result is None, "tentative IPv6 addresses in h1: {}".format(result)

    step("the egress table (it follows the NICs) is installed")
    result = expect(lambda: _kernel_groups(h1, NICS))
    assert result is None, "egress table without task: {}".format(result)

    step("snapshot h1 and job1 before the task")
    SNAPSHOT.update(_state(h1))


def test_task_wired(tgen):
    "The task is wired with every object present; job1 reaches remote."
    h1 = tgen.gears["h1"]

    step("configure task job1")
    configure_multinic(h1, *TASK_LINES)

    step("show running-config prints the multinic block")
    block = config_block(running_config(h1), "multinic")
    assert block is not None and _canonical_ipv6(block) == _canonical_ipv6(
        EXPECTED_BLOCK
    ), "multinic block in show running-config:\n{}\nexpected:\n{}".format(
        block, EXPECTED_BLOCK
    )

    step("show multinic task job1 json: wired, every object present")
    result = expect(lambda: task_wired(h1, TASK), count=40)
    assert result is None, "task {}: {}\n{}".format(
        TASK, result, json.dumps(task_json(h1, TASK), indent=1)
    )
    task = task_json(h1, TASK)
    expected = {
        "netns": NETNS,
        "vipV4": VIP_PREFIX[4],
        "vipV6": VIP_PREFIX[6],
        "status": "wired",
        "datapath": "kernel",
        "device": "veth",
        "hostInterface": HOST_IFNAME,
        "taskInterface": TASK_IFNAME,
        "mtu": 1500,
    }
    cmp = topotest.json_cmp(task, expected)
    assert cmp is None, "show multinic task {} json: {}\n{}".format(TASK, cmp, task)
    assert "error" not in task, "wired task reports an error: {}".format(task)
    kinds = sorted({o.get("kind") for o in task.get("objects", [])})
    for kind in ["address", "link", "neighbour", "nexthop-group", "nftables", "route", "rule"]:
        assert kind in kinds, "no {} among the task's objects: {}".format(kind, task)

    step("show multinic json: the kernel egress is active")
    egress = show_json(h1, "show multinic json").get("egress", {})
    cmp = topotest.json_cmp(
        egress, {"datapath": "kernel", "table": EGRESS_TABLE, "active": True}
    )
    assert cmp is None, "show multinic json egress: {} ({})".format(egress, cmp)

    step("job1: mn0 has the VIPs, default routes via the veth's host side")
    mac = ip_json(h1, "link", "show", "dev", HOST_IFNAME)[0]["address"]
    addrs = ip_json(h1, "addr", "show", "dev", TASK_IFNAME, netns=NETNS)
    local = sorted(
        "{}/{}".format(a["local"], a["prefixlen"]) for a in addrs[0].get("addr_info", [])
        if a.get("scope") == "global"
    )
    assert local == sorted(VIP_PREFIX.values()), "{} addresses in {}: {}".format(
        TASK_IFNAME, NETNS, addrs
    )
    for family in [4, 6]:
        neigh = ip_json(h1, "-{}".format(family), "neigh", "show", "dev", TASK_IFNAME, netns=NETNS)
        entry = [n for n in neigh if n.get("dst") == TASK_GATEWAY[family]]
        assert entry and entry[0].get("lladdr") == mac and "PERMANENT" in entry[0].get(
            "state", []
        ), "IPv{} neighbour {} in {} (want permanent, lladdr {} of {}): {}".format(
            family, TASK_GATEWAY[family], NETNS, mac, HOST_IFNAME, neigh
        )
        routes = ip_json(h1, "-{}".format(family), "route", "show", "default", netns=NETNS)
        want = {
            "dst": "default",
            "gateway": TASK_GATEWAY[family],
            "dev": TASK_IFNAME,
            "prefsrc": VIP[family],
        }
        assert len(routes) == 1 and topotest.json_cmp(routes[0], want) is None, (
            "IPv{} default route in {}: {} (want {})".format(family, NETNS, routes, want)
        )

    step("h1: host routes to the VIPs through zebra, source rules to table 4242")
    for family in [4, 6]:
        routes = ip_json(h1, "-{}".format(family), "route", "show", VIP_PREFIX[family])
        want = {"dev": HOST_IFNAME, "protocol": "multinic"}
        assert len(routes) == 1 and topotest.json_cmp(routes[0], want) is None, (
            "IPv{} route to {} in h1: {} (want {})".format(family, VIP[family], routes, want)
        )
        rules = ip_json(h1, "-{}".format(family), "rule", "show")
        want = {
            "priority": RULE_PRIORITY,
            "src": VIP[family],
            "iif": HOST_IFNAME,
            "table": str(EGRESS_TABLE),
            "protocol": "multinic",
        }
        found = [r for r in rules if topotest.json_cmp(r, want) is None]
        assert found, "IPv{} rules in h1 (want {}): {}".format(family, want, rules)
        sysctl = "net.ipv{}.fib_multipath_hash_policy".format(family)
        value = cmd_ok(h1, ["sysctl", "-n", sysctl]).strip()
        assert value == "1", "{} is {} in h1 (want 1: L4 hash)".format(sysctl, value)

    step("h1: resilient nexthop groups of the four NICs' gateways in table 4242")
    result = expect(lambda: _egress_groups(h1, NICS))
    assert result is None, "egress groups: {}".format(result)
    result = _buckets_of(h1, NICS)
    assert result is None, "resilient buckets: {}".format(result)
    for family in [4, 6]:
        nhid = [
            r for r in ip_json(h1, "-{}".format(family), "route", "show", "table", str(EGRESS_TABLE))
            if r.get("dst") == "default"
        ][0]["nhid"]
        group = ip_json(h1, "nexthop", "show", "id", str(nhid))[0]
        assert group.get("type") == "resilient", "IPv{} egress group: {}".format(family, group)

    for family in [4, 6]:
        step("ping -{} from job1 to remote {}".format(family, REMOTE[family]))
        def ping(count):
            return ping_args(family, REMOTE[family], count, "0.2", netns=NETNS)

        def _reachable():
            rc, out, err = cmd(h1, ping(1))
            return None if rc == 0 else out + err

        result = expect(_reachable)
        assert result is None, "{} cannot reach {}: {}".format(NETNS, REMOTE[family], result)
        rc, out, err = cmd(h1, ping(3))
        assert rc == 0 and " 0% packet loss" in out, "`{}`: {}{}".format(
            " ".join(ping(3)), out, err
        )


@pytest.mark.parametrize("family", [4, 6], ids=["ipv4", "ipv6"])
def test_egress_spread(tgen, family):
    "32 concurrent flows leave through all four NICs, with the VIP as source."
    h1 = tgen.gears["h1"]
    result = task_wired(h1, TASK)
    if result:
        pytest.fail("task {} is not wired: {}".format(TASK, result))

    def run_round(rnd):
        step("IPv{}: iperf3 -P {} from job1 to remote, round {}".format(
            family, IPERF_FLOWS, rnd))
        delta, _, server = _iperf(tgen, family)
        seen = _client_addresses(server)
        assert seen and all(a == VIP[family] for a in seen), (
            "remote saw clients {} (want all {})".format(seen, VIP[family])
        )
        return delta

    total, rnd, bad = spread_rounds(run_round, NICS)
    assert not bad, (
        "IPv{}: after {} run(s) of {} flows, NICs outside {:.0%}..{:.0%} of the "
        "bytes: {}; tx bytes: {}".format(
            family, rnd, IPERF_FLOWS, SHARE_MIN, SHARE_MAX, bad, format_shares(total)
        )
    )


def _delete_task_and_compare(h1, why):
    "no task job1, then h1 and job1 must be as in SNAPSHOT (before the task)."
    assert SNAPSHOT, "no snapshot from before the task (test_nics_configured failed)"

    step("no task job1")
    configure_multinic(h1, "no task " + TASK)
    block = config_block(running_config(h1), "multinic") or ""
    assert "task" not in block, "task still configured:\n{}".format(block)

    step("show multinic task json is empty")
    result = expect(lambda: show_json(h1, "show multinic task json") or None)
    assert result is None, "show multinic task json after delete: {}".format(result)

    step("h1 and job1 are as before the task")

    def _same():
        now = _state(h1)
        return None if now == SNAPSHOT else now

    result = expect(_same, count=30, wait=1)
    if result is not None:
        diffs = [
            "{}:\n{}".format(where, unified_diff(SNAPSHOT[where], result[where]))
            for where in SNAPSHOT
            if SNAPSHOT[where] != result[where]
        ]
        # zebra's view of what is left (multinicd's groups are zebra's)
        _, nhgs = vtysh(h1, "show nexthop-group rib")
        diffs.append("h1 ip nexthop:\n" + cmd(h1, ["ip", "nexthop", "show"])[1])
        diffs.append("h1 zebra `show nexthop-group rib`:\n" + nhgs)
        pytest.fail("left behind after {}:\n{}".format(why, "\n".join(diffs)))


def test_task_delete_leaves_nothing(tgen):
    "no task job1 removes everything multinicd created, in h1 and in job1."
    _delete_task_and_compare(tgen.gears["h1"], "`no task {}`".format(TASK))


def _vip_traces(h1, vip):
    """Where an address still shows up: rules and routes in h1 (kernel and
    zebra's RIB), addresses and routes in job1, multinicd's task objects.
    [] if nowhere."""
    found = []
    host = vip.split("/")[0]
    family = "-6" if ":" in host else "-4"
    for rule in ip_json(h1, family, "rule", "show"):
        if rule.get("src") == host:
            found.append("h1 rule {}".format(rule))
    for route in ip_json(h1, family, "route", "show", "table", "all"):
        if route.get("dst") in (host, vip):
            found.append("h1 route {}".format(route))
    for link in ip_json(h1, family, "addr", "show", netns=NETNS):
        for addr in link.get("addr_info", []):
            if addr.get("local") == host:
                found.append("{} address {} on {}".format(NETNS, host, link.get("ifname")))
    for route in ip_json(h1, family, "route", "show", "table", "all", netns=NETNS):
        if route.get("prefsrc") == host or route.get("dst") in (host, vip):
            found.append("{} route {}".format(NETNS, route))
    show = "show {} route {} json".format("ipv6" if family == "-6" else "ip", vip)
    for prefix, routes in show_json(h1, show).items():
        for route in routes if isinstance(routes, list) else []:
            if route.get("protocol") == "multinic":
                found.append("h1 zebra RIB {} {}".format(prefix, route))
    for obj in task_json(h1, TASK).get("objects", []):
        if host in obj.get("object", ""):
            found.append("show multinic task object {}".format(obj))
    return found


def test_task_vip_change_leaves_nothing(tgen):
    """Changing or removing the VIP of a wired task removes what multinicd
    created for the old VIP; deleting the task then leaves nothing behind."""
    h1 = tgen.gears["h1"]
    old = {4: "10.200.0.5/32", 6: "fd00:200::5/128"}

    step("task job1 with VIPs {} and {}".format(old[4], old[6]))
    configure_multinic(h1, "task " + TASK, "netns " + NETNS, "vip " + old[4], "vip " + old[6])
    result = expect(lambda: task_wired(h1, TASK), count=40)
    assert result is None, "task {} with VIPs {}: {}".format(TASK, old, result)
    for family in [4, 6]:
        assert _vip_traces(h1, old[family]), "no trace of VIP {} while wired".format(
            old[family]
        )

    step("change the VIPs to {} and {}".format(VIP_PREFIX[4], VIP_PREFIX[6]))
    configure_multinic(h1, "task " + TASK, "vip " + VIP_PREFIX[4], "vip " + VIP_PREFIX[6])

    def _changed():
        task = task_json(h1, TASK)
        if task.get("vipV4") != VIP_PREFIX[4] or task.get("vipV6") != VIP_PREFIX[6]:
            return "VIPs {} {}".format(task.get("vipV4"), task.get("vipV6"))
        return task_wired(h1, TASK)

    result = expect(_changed, count=40)
    assert result is None, "task {} after the VIP change: {}".format(TASK, result)
    for family in [4, 6]:
        result = expect(lambda: _vip_traces(h1, old[family]) or None)
        assert result is None, "old VIP {} left behind after the change: {}".format(
            old[family], result
        )

    step("the new VIPs work: job1 reaches remote")
    for family in [4, 6]:
        ping = ping_args(family, REMOTE[family], 1, netns=NETNS)
        result = expect(lambda: None if cmd(h1, ping)[0] == 0 else "no reply")
        assert result is None, "{} cannot reach {} after the VIP change".format(
            NETNS, REMOTE[family]
        )

    step("no vip {}: the task keeps its IPv4 VIP only".format(VIP_PREFIX[6]))
    configure_multinic(h1, "task " + TASK, "no vip " + VIP_PREFIX[6])

    def _removed():
        task = task_json(h1, TASK)
        if "vipV6" in task:
            return "vipV6 still {}".format(task["vipV6"])
        return task_wired(h1, TASK)

    result = expect(_removed, count=40)
    assert result is None, "task {} after `no vip {}`: {}".format(TASK, VIP_PREFIX[6], result)
    result = expect(lambda: _vip_traces(h1, VIP_PREFIX[6]) or None)
    assert result is None, "removed VIP {} left behind: {}".format(VIP_PREFIX[6], result)

    _delete_task_and_compare(h1, "VIP changes and `no task {}`".format(TASK))


def _nic_state(h1, nic, up):
    def check():
        entry = show_json(h1, "show multinic nic json").get(nic)
        if entry is None:
            return "{} not in show multinic nic json".format(nic)
        return None if entry.get("operUp") is up else entry

    return check


def test_nic_down_and_up(tgen):
    "A NIC going down leaves the egress; back up, it carries traffic again."
    h1 = tgen.gears["h1"]
    # After the "leaves nothing behind" tests: zebra keeps a nexthop it no
    # longer uses for `zebra nexthop-group keep` (180 s), and a NIC going
    # down and up leaves such transient nexthops (e.g. of the unreachable
    # route multinicd puts in the NIC's own table), which is no leftover of
    # a task. The task was deleted there: configure it again.
    step("task job1 (again)")
    configure_multinic(h1, *TASK_LINES)
    result = expect(lambda: task_wired(h1, TASK), count=40)
    assert result is None, "task {} is not wired: {}".format(TASK, result)
    down = "h1-eth2"
    others = [nic for nic in NICS if nic != down]

    step("ip link set {} down".format(down))
    cmd_ok(h1, ["ip", "link", "set", down, "down"])
    try:
        result = expect(_nic_state(h1, down, False))
        assert result is None, "show multinic nic json, {} after down: {}".format(down, result)
        result = expect(lambda: _egress_groups(h1, others))
        assert result is None, "egress groups with {} down: {}".format(down, result)

        for family in [4, 6]:
            step("IPv{}: traffic flows over the other three NICs".format(family))
            delta, _, _ = _iperf(tgen, family, seconds=3)
            shares = byte_shares(delta)
            assert shares[down] < SHARE_UNUSED, (
                "IPv{}: {} is down but carried {}".format(family, down, format_shares(delta))
            )
            idle = [nic for nic in others if shares[nic] < SHARE_USED]
            assert not idle, "IPv{}: {} carried no traffic: {}".format(
                family, idle, format_shares(delta)
            )
    finally:
        step("ip link set {} up".format(down))
        cmd_ok(h1, ["ip", "link", "set", down, "up"])

    result = expect(_nic_state(h1, down, True))
    assert result is None, "show multinic nic json, {} after up: {}".format(down, result)
    result = expect(lambda: _egress_groups(h1, NICS), count=40)
    assert result is None, "egress groups with {} back up: {}".format(down, result)
    result = expect(lambda: _buckets_of(h1, NICS), count=40)
    assert result is None, "resilient buckets with {} back up: {}".format(down, result)

    for family in [4, 6]:
        step("IPv{}: all four NICs carry traffic again".format(family))
        delta, _, _ = _iperf(tgen, family, seconds=3)
        shares = byte_shares(delta)
        idle = [nic for nic in NICS if shares[nic] < SHARE_USED]
        assert not idle, "IPv{}: {} carried no traffic after {} came back: {}".format(
            family, idle, down, format_shares(delta)
        )


#
# refusals
#

# Each case: (id, lines entered under `multinic`, regex the refusal must match).
# They run against: the base lines, task job1 (wired) and task job2 (netns job2).
INVALID_VTYSH = [
    ("netns-unknown", ["task job2", "netns nosuchns"], r"does not exist"),
    ("vip4-not-host", ["task job2", "vip 10.200.0.9/24"], r"/32"),
    ("vip6-not-host", ["task job2", "vip fd00:200::9/64"], r"/128"),
    ("vip4-duplicate", ["task job2", "vip 10.200.0.1/32"], r"unique|vip-v4"),
    ("vip6-duplicate", ["task job2", "vip fd00:200::1/128"], r"unique|vip-v6"),
    (
        "vip4-nic-address",
        ["task job2", "vip 10.0.0.2/32"],
        r"already an address of interface h1-eth0",
    ),
    (
        "vip6-nic-address",
        ["task job2", "vip fd00:0:0::2/128"],
        r"already an address of interface h1-eth0",
    ),
    ("task-name-33", ["task " + "t" * 33], r"32|long|length"),
    ("netns-path-long", ["task job2", "netns /run/netns/" + "n" * 300], r"255|long|length"),
    ("mtu-100", ["task job2", "mtu 100"], r"range|1280"),
]

INVALID_GRPC = [
    ("task-name-33", {MC: {"task": [{"name": "t" * 33}]}}, r"32|long|length"),
    (
        "netns-path-long",
        {MC: {"task": [{"name": "job2", "netns": "/run/netns/" + "n" * 300}]}},
        r"255|long|length",
    ),
    ("mtu-100", {MC: {"task": [{"name": "job2", "mtu": 100}]}}, r"range|1280"),
    (
        "vip4-not-host",
        {MC: {"task": [{"name": "job2", "vip-v4": "10.200.0.9/24"}]}},
        r"/32",
    ),
    (
        "vip6-not-host",
        {MC: {"task": [{"name": "job2", "vip-v6": "fd00:200::9/64"}]}},
        r"/128",
    ),
    ("netns-unknown", {MC: {"task": [{"name": "job2", "netns": "nosuchns"}]}}, r"does not exist"),
    (
        "vip4-duplicate",
        {MC: {"task": [{"name": "job2", "vip-v4": "10.200.0.1/32"}]}},
        r"unique|vip-v4",
    ),
    (
        "vip4-nic-address",
        {MC: {"task": [{"name": "job2", "vip-v4": "10.0.0.2/32"}]}},
        r"already an address of interface h1-eth0",
    ),
]


def _refusal_setup(h1):
    "Base config, task job1 and a second task job2 in its own netns."
    configure_multinic(h1, *BASE_LINES)
    configure_multinic(h1, *TASK_LINES)
    configure_multinic(h1, "task " + OTHER_TASK, "netns " + OTHER_NETNS)


@pytest.mark.parametrize(
    "name,lines,reason", INVALID_VTYSH, ids=[n for n, _, _ in INVALID_VTYSH]
)
def test_vtysh_refuses_invalid(tgen, name, lines, reason):
    "Invalid vtysh input is refused with a message; running-config is unchanged."
    h1 = tgen.gears["h1"]
    _refusal_setup(h1)
    expect_vtysh_refusal(h1, lines, reason)


@pytest.mark.parametrize(
    "name,change,reason", INVALID_GRPC, ids=[n for n, _, _ in INVALID_GRPC]
)
def test_grpc_refuses_invalid(tgen, name, change, reason):
    "Invalid gRPC commits are refused with a message; config is unchanged."
    h1 = tgen.gears["h1"]
    _refusal_setup(h1)
    expect_grpc_refusal(h1, Northbound(h1, GRPC_PORT), name, change, reason)


def test_refuses_task_without_nic(tgen):
    "On a multinic block without NICs a task is refused: no usable NIC."
    h1 = tgen.gears["h1"]

    step("clean configuration: no multinic, then an empty multinic block")
    rc, out = vtysh_config(h1, "no multinic")
    assert rc == 0, "no multinic: {}".format(out)
    configure_multinic(h1)
    before = running_config(h1)
    assert config_block(before, "multinic") == "multinic\nexit\n", before

    try:
        expect_vtysh_refusal(h1, ["task x"], r"no usable NIC")
    finally:
        step("restore the configuration; job1 is wired again")
        configure_multinic(h1, *BASE_LINES)
        configure_multinic(h1, *TASK_LINES)

    result = expect(lambda: task_wired(h1, TASK), count=40)
    assert result is None, "task {} after restoring the configuration: {}".format(
        TASK, result
    )


def test_memory_leak(tgen):
    "FRR's memory-leak report: no daemon leaves memory allocated at exit."
    memory_leak_test(tgen)


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
