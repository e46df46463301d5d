#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
test_multinic_egress_ebpf.py: multinicd's eBPF egress datapath (veth + tcx, veth + clsact).

             h1-eth0 ------ tor-eth0
    +----+   h1-eth1 ------ tor-eth1   +-----+ tor-eth4 -- remote-eth0 +--------+
    | h1 |   h1-eth2 ------ tor-eth2   | tor |                         | remote |
    +----+   h1-eth3 ------ tor-eth3   +-----+                         +--------+
      |
      +- netns job1 (the task): mn0 10.200.0.1/32, fd00:200::1/128

The topology of multinic_egress_kernel; h1 runs multinicd with
``egress-mode ebpf`` and ``placement hash`` (the Maglev cases; h1/frr.conf
holds the whole configuration). tor routes
the VIPs to h1 via h1-eth0, so traffic from remote to the task enters through
h1-eth0's ingress program.

1. the task is wired with mn_egress attached (a pinned tcx link), and
   mn_ingress is attached to every NIC; job1 reaches remote (IPv4, IPv6);
2. 32 concurrent TCP flows leave through all four NICs and the programs'
   per-NIC counters grow on all four;
3. traffic from remote to the VIP is handed into the task by mn_ingress
   (the task's rx counters grow);
4. kill -9 of multinicd and a restart lose no packet of a ping running in
   the task (the pinned programs forward meanwhile); the task's device and
   the pinned links are adopted, not re-created;
5. a NIC going down moves only its own Maglev entries (the flows hashed to
   it), and carries no traffic; back up, the table is as before; per flow
   (captures on the NICs under 8 long flows): the flows of the other NICs
   stay on their NIC, those of the failed one move;
6. placement least-loaded: long flows started one after the other each go
   to a NIC that carries none yet and are recorded in the flow table; a
   NIC going down moves only its own flows;
7. egress-mode auto uses veth + tcx here, and falls back to the kernel
   datapath, saying why, when attaching fails;
8. without tcx (MULTINICD_DISABLE_CAPS=tcx) the programs go into clsact
   filters, forward both ways and survive a kill -9 and restart;
9. a multinicd restarted with egress-mode kernel removes what its eBPF
   predecessor pinned, and the task goes on through the kernel path;
10. "no task" removes the task's device and pinned link (last).
"""

import json
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
    IPERF_PORT,
    SHARE_MAX,
    SHARE_MIN,
    SHARE_USED,
    Iperf3Server,
    accept_any_source,
    build_rack,
    byte_shares,
    cmd,
    cmd_ok,
    configure_multinic,
    daemon_pid,
    enable_forwarding,
    expect,
    format_shares,
    iperf3_client_args,
    ip_json,
    kill_daemon,
    memory_leak_test,
    multinic_topology,
    output_while,
    ping_args,
    show_json,
    skip_if_topology_broken,
    spread_rounds,
    start_daemon,
    task_json,
    task_wired,
    tx_bytes,
)

pytestmark = [pytest.mark.multinicd]

GRPC_PORT = 50052
NICS = ["h1-eth0", "h1-eth1", "h1-eth2", "h1-eth3"]
TASK = "job1"
NETNS = "job1"
VIP = {4: "10.200.0.1", 6: "fd00:200::1"}
REMOTE = {4: "10.1.0.2", 6: "fd00:1::2"}
HOST_IFNAME = "mn-job1"
MAGLEV_MAP = "/sys/fs/bpf/multinic/maps-v3/mn_maglev"
MAPS_DIR = "/sys/fs/bpf/multinic/maps-v3"
FLOWS_MAP = os.path.join(MAPS_DIR, "mn_flows")
LINKS_DIR = "/sys/fs/bpf/multinic/links"

# iperf3 flows per run; how they are judged: multinic_lib.traffic (SHARE_*).
IPERF_FLOWS = 32


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
    # The container runtime: the task's netns exists before multinicd reads
    # its configuration (which names it).
    with multinic_topology(request, build_topo, daemons, {"h1": [NETNS]}) as tgen:
        enable_forwarding(tgen.gears["h1"], tgen.gears["tor"])
        accept_any_source(tgen.gears["tor"], ["tor-eth{}".format(n) for n in range(len(NICS) + 1)])
        yield tgen


@pytest.fixture(autouse=True)
def skip_on_failure(tgen, request):
    "Skip when the topology is broken (start-up error, a daemon died)."
    skip_if_topology_broken(tgen, request)


#
# helpers
#


def _task_json(h1):
    return task_json(h1, TASK)


def _task_wired(h1, datapath="veth-tcx"):
    "None when the task is wired, with mn_egress attached, else why not."
    result = task_wired(h1, TASK, datapath)
    if result:
        return result
    task = _task_json(h1)
    links = [o for o in task.get("objects", []) if o.get("kind") == "bpf-link"]
    if len(links) != 1 or "mn_egress" not in links[0]["object"]:
        return "no mn_egress bpf-link among the task's objects: {}".format(task)
    return None


def _counters(h1):
    return show_json(h1, "show multinic counters json")


def _nic_tx(h1):
    nics = _counters(h1).get("nics", {})
    return {nic: nics.get(nic, {}).get("txBytes", 0) for nic in NICS}


def _task_counters(h1):
    return _counters(h1).get("tasks", {}).get(TASK, {})


def _iperf(tgen, family, seconds=3, flows=IPERF_FLOWS):
    """iperf3 from job1 to remote; returns (tx byte deltas per NIC from the
    kernel, the same from the BPF counters)."""
    h1 = tgen.gears["h1"]
    with Iperf3Server(tgen.gears["remote"], IPERF_PORT) as server:
        before, bpf_before = tx_bytes(h1, NICS), _nic_tx(h1)
        rc, out, err = cmd(
            h1,
            iperf3_client_args(NETNS, REMOTE[family], IPERF_PORT, flows, seconds),
            timeout=seconds + 60,
        )
        after, bpf_after = tx_bytes(h1, NICS), _nic_tx(h1)
        assert rc == 0, "iperf3 -{} from {} failed: {}{}".format(family, NETNS, out, err)
        server.output(timeout=30)
    delta = {nic: after[nic] - before[nic] for nic in NICS}
    bpf = {nic: bpf_after[nic] - bpf_before[nic] for nic in NICS}
    logger.info("iperf3 IPv%s: kernel %s; BPF %s", family, format_shares(delta),
                format_shares(bpf))
    return delta, bpf


def _maglev(h1):
    "The Maglev table (list of slots) as the egress program reads it."
    out = cmd_ok(h1, ["bpftool", "-j", "map", "dump", "pinned", MAGLEV_MAP], timeout=120)
    table = {}
    for entry in json.loads(out):
        key = int.from_bytes(bytes(int(b, 16) for b in entry["key"]), "little")
        table[key] = int.from_bytes(bytes(int(b, 16) for b in entry["value"]), "little")
    return [table[k] for k in sorted(table)]


def _flows(h1):
    """Least-loaded's flow table: (source port, destination port) of the
    TCP flows from the IPv4 VIP -> NIC slot."""
    out = cmd_ok(h1, ["bpftool", "-j", "map", "dump", "pinned", FLOWS_MAP], timeout=120)
    flows = {}
    for entry in json.loads(out):
        key = bytes(int(b, 16) for b in entry["key"])
        value = bytes(int(b, 16) for b in entry["value"])
        # struct mn_flow_key: family, saddr[16], daddr[16], sport, dport, proto
        family = int.from_bytes(key[0:4], "little")
        saddr = ".".join(str(b) for b in key[4:8])
        if family != 2 or saddr != VIP[4] or key[40] != 6:
            continue
        ports = (int.from_bytes(key[36:38], "big"), int.from_bytes(key[38:40], "big"))
        flows[ports] = int.from_bytes(value[0:4], "little")
    return flows


# A flow sending fewer packets in a capture is iperf3's idle control
# connection (data flows send thousands, a few dozen while they recover
# from a lost NIC).
BUSY_FLOW_PACKETS = 10


def _nics_up(h1):
    "None when multinicd sees every NIC up, else which not."
    nics = show_json(h1, "show multinic nic json")
    down = [nic for nic in NICS if not nics.get(nic, {}).get("operUp")]
    return "NICs not up: {}".format(down) if down else None


def _flow_nics(h1, nics, seconds=1):
    """The NICs each busy TCP flow to the iperf3 port leaves through now
    (source port -> set of NICs), from a short capture on each of nics."""
    captures = {
        nic: h1.net.popen(
            ["timeout", str(seconds), "tcpdump", "-i", nic, "-nn", "-l", "-q",
             "tcp and dst portrange {}-{}".format(IPERF_PORT, IPERF_PORT + len(NICS))],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, encoding="utf-8")
        for nic in nics
    }
    packets = {}
    for nic, capture in captures.items():
        out, _ = capture.communicate(timeout=seconds + 30)
        for line in out.splitlines():
            match = re.search(r" IP6? \S+\.(\d+) > \S+\.\d+: ", line)
            if match:
                key = (int(match.group(1)), nic)
                packets[key] = packets.get(key, 0) + 1
    seen = {}
    for (port, nic), count in packets.items():
        if count >= BUSY_FLOW_PACKETS:
            seen.setdefault(port, set()).add(nic)
    return seen


def _start_iperf(tgen, family, seconds, flows):
    "iperf3 server on remote and client in job1, running in the background."
    server = Iperf3Server(tgen.gears["remote"], IPERF_PORT).start().wait_listening()
    client = tgen.gears["h1"].net.popen(
        iperf3_client_args(NETNS, REMOTE[family], IPERF_PORT, flows, seconds),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, encoding="utf-8")
    return server, client


def _stop_iperf(server, client):
    if client.poll() is None:
        client.kill()
    client.communicate()
    server.stop()


def _flow_moves(h1):
    """Least-loaded's re-balancing moves per flow (source port -> moves),
    from show multinic flows json."""
    moves = {}

    def walk(node):
        if isinstance(node, dict):
            if "sourcePort" in node and "moves" in node:
                moves[node["sourcePort"]] = node["moves"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(show_json(h1, "show multinic flows json"))
    return moves


def _nic_down_moves_only_its_flows(h1, family, rebalances=False):
    """Long flows run; the NIC (not h1-eth0) carrying most of them goes
    down: each flow that was elsewhere stays on its NIC, each one it
    carried moves to another NIC (per flow, from captures on the NICs).

    rebalances (least-loaded): the failed NIC's flows leave the others
    uneven (4 flows on 3 NICs), and least-loaded may then move a flow at a
    flowlet boundary, by design and without reordering (the placement
    topotest checks that). Such a flow's move count in the flow table has
    grown: it is a re-balancing move, not one the failure caused."""
    down = None
    try:
        moves0 = _flow_moves(h1) if rebalances else {}
        before = {port: nics for port, nics in _flow_nics(h1, NICS).items() if len(nics) == 1}
        before = {port: next(iter(nics)) for port, nics in before.items()}
        per_nic = {nic: [p for p, n in before.items() if n == nic] for nic in NICS}
        logger.info("IPv%s flows per NIC before: %s", family, per_nic)
        # not h1-eth0: tor sends the traffic for the VIP (the flows' ACKs) that way
        down = max(NICS[1:], key=lambda nic: len(per_nic[nic]))
        stay = {port: nic for port, nic in before.items() if nic != down}
        move = [port for port, nic in before.items() if nic == down]
        assert move and stay, "IPv{}: need flows on {} and elsewhere: {}".format(
            family, down, per_nic)

        step("IPv{}: ip link set {} down under {} flows".format(family, down, len(before)))
        cmd_ok(h1, ["ip", "link", "set", down, "down"])
        # the moved flows retransmit after their RTO, then slow-start again
        time.sleep(3)
        up = [nic for nic in NICS if nic != down]
        after = _flow_nics(h1, up, seconds=3)
        # a moved flow backs off exponentially (RTO 0.2, 0.4, 0.8, 1.6 s
        # ...): on a loaded machine it may not send within the first
        # capture; look again, a bounded number of times
        for _ in range(3):
            if all(port in after for port in list(stay) + move):
                break
            for port, nics in _flow_nics(h1, up, seconds=3).items():
                after.setdefault(port, set()).update(nics)
        logger.info("IPv%s flows after %s went down: %s", family, down, after)
        moved_others = {port: (nic, sorted(after[port])) for port, nic in stay.items()
                        if port in after and after[port] != {nic}}
        if rebalances and moved_others:
            moves1 = _flow_moves(h1)
            rebalanced = {port for port in moved_others
                          if moves1.get(port, 0) > moves0.get(port, 0)}
            logger.info("IPv%s: re-balancing moves after %s went down: %s", family, down,
                        {port: moved_others[port] for port in rebalanced})
            moved_others = {p: v for p, v in moved_others.items() if p not in rebalanced}
        assert not moved_others, "IPv{}: flows of other NICs moved: {}".format(
            family, moved_others)
        missing = [port for port in list(stay) + move if port not in after]
        assert not missing, "IPv{}: flows not seen after {} went down: {}".format(
            family, down, missing)
        stuck = [port for port in move if down in after[port]]
        assert not stuck, "IPv{}: flows still on {}: {}".format(family, down, stuck)
    finally:
        if down:
            cmd_ok(h1, ["ip", "link", "set", down, "up"])
    assert expect(lambda: _nics_up(h1)) is None, _nics_up(h1)


def _ping(h1, family, count=3, interval="0.2"):
    "ping from the task to remote."
    return ping_args(family, REMOTE[family], count, interval, netns=NETNS)


#
# tests
#


def test_task_wired(tgen):
    "The task is wired under the eBPF datapath; the programs are attached."
    h1 = tgen.gears["h1"]
    step("show multinic task: wired, mn_egress attached")
    result = expect(lambda: _task_wired(h1), count=60)
    assert result is None, "task {}: {}".format(TASK, result)

    step("show multinic: the datapath in use is veth-tcx")
    egress = show_json(h1, "show multinic json").get("egress", {})
    assert egress.get("datapath") == "veth-tcx", egress

    step("pinned links: the task's and every NIC's")
    links = cmd_ok(h1, ["ls", LINKS_DIR]).split()
    want = ["task-" + TASK] + ["nic-" + nic for nic in NICS]
    assert sorted(links) == sorted(want), "links in {}: {} (want {})".format(
        LINKS_DIR, links, want
    )
    counters = _counters(h1)
    assert counters.get("active") is True, counters
    assert sorted(counters.get("nics", {})) == NICS, counters


@pytest.mark.parametrize("family", [4, 6], ids=["ipv4", "ipv6"])
def test_ping_remote(tgen, family):
    "job1 reaches remote."
    h1 = tgen.gears["h1"]
    result = expect(lambda: None if cmd(h1, _ping(h1, family, 1))[0] == 0 else "no reply")
    assert result is None, "{} cannot reach {}".format(NETNS, REMOTE[family])
    rc, out, err = cmd(h1, _ping(h1, family, 5))
    assert rc == 0 and " 0% packet loss" in out, out + err


@pytest.mark.parametrize("family", [4, 6], ids=["ipv4", "ipv6"])
def test_egress_spread(tgen, family):
    "32 concurrent flows leave through all four NICs; the BPF counters grow on all."
    bpf_total = {nic: 0 for nic in NICS}

    def run_round(rnd):
        step("IPv{}: iperf3 -P {}, round {}".format(family, IPERF_FLOWS, rnd))
        delta, bpf = _iperf(tgen, family)
        for nic in NICS:
            bpf_total[nic] += bpf[nic]
        return delta

    total, _, bad = spread_rounds(run_round, NICS)
    assert not bad, "IPv{}: NICs outside {:.0%}..{:.0%}: {}".format(
        family, SHARE_MIN, SHARE_MAX, format_shares(total)
    )
    idle = [nic for nic in NICS if bpf_total[nic] <= 0]
    assert not idle, "IPv{}: BPF tx counters did not grow on {}: {}".format(
        family, idle, bpf_total
    )


@pytest.mark.parametrize("family", [4, 6], ids=["ipv4", "ipv6"])
def test_ingress_to_task(tgen, family):
    "remote reaches the VIP; mn_ingress hands the packets into the task."
    h1 = tgen.gears["h1"]
    remote = tgen.gears["remote"]
    before = _task_counters(h1).get("rxPackets", 0)
    rc, out, err = cmd(remote, ping_args(family, VIP[family], 5, "0.2"))
    assert rc == 0 and " 0% packet loss" in out, out + err
    after = _task_counters(h1).get("rxPackets", 0)
    assert after - before >= 5, "task rx packets {} -> {}".format(before, after)


def _datapath_objects(h1):
    """What must survive a restart untouched: the task's host device
    (ifindex) and the pinned links (ids: adopted, not re-created)."""
    objects = {HOST_IFNAME: ip_json(h1, "link", "show", HOST_IFNAME)[0]["ifindex"]}
    for name in cmd_ok(h1, ["ls", LINKS_DIR]).split():
        # bpftool 7.5 prints the link, then fails on something else (rc 255)
        _, out, err = cmd(h1, ["bpftool", "-j", "link", "show", "pinned",
                                os.path.join(LINKS_DIR, name)])
        objects[name] = json.loads(out.splitlines()[0])["id"] if out.strip() else err
    return objects


def test_restart_is_hitless(tgen):
    "kill -9 multinicd and restart it during a ping from the task: no loss."
    h1 = tgen.gears["h1"]
    assert daemon_pid(h1, "multinicd"), "multinicd is not running"
    objects = _datapath_objects(h1)
    log = os.path.join(h1.net.logdir, h1.name, "multinicd.log")
    log_start = os.path.getsize(log)

    def restart():
        time.sleep(0.5)
        step("kill -9 multinicd")
        old_pid = kill_daemon(h1, "multinicd")
        time.sleep(0.5)
        step("restart multinicd and give it its configuration back")
        start_daemon(h1, "multinicd")
        return old_pid

    out, old_pid = output_while(h1, _ping(h1, 4, 300, "0.01"), restart)
    logger.info("ping during the restart: %s", out)
    assert " 0% packet loss" in out and "300 received" in out, out
    new_pid = daemon_pid(h1, "multinicd")
    assert new_pid and new_pid != old_pid, "multinicd was not restarted"
    result = expect(lambda: _task_wired(h1), count=60)
    assert result is None, "task {} after the restart: {}".format(TASK, result)
    # past the settle time, when the maps are rewritten
    time.sleep(12)
    assert _datapath_objects(h1) == objects, "re-created instead of adopted: {} -> {}".format(
        objects, _datapath_objects(h1))
    counters = _counters(h1)
    errors = {name: c["redirectErrors"] for name, c in counters["nics"].items()
              if c["redirectErrors"]}
    assert not errors, "redirect errors: {}".format(errors)
    with open(log, encoding="utf-8", errors="replace") as f:
        f.seek(log_start)
        failures = [line for line in f if "cannot attach" in line]
    assert not failures, "multinicd after the restart: {}".format(failures)


def test_nic_down_moves_only_its_flows(tgen):
    "A NIC going down moves only its own Maglev entries; back up, all return."
    h1 = tgen.gears["h1"]
    down = "h1-eth2"
    slot = _counters(h1)["nics"][down]["slot"]
    before = _maglev(h1)
    assert slot in before, "{} (slot {}) owns no Maglev entry".format(down, slot)

    step("ip link set {} down".format(down))
    cmd_ok(h1, ["ip", "link", "set", down, "down"])
    try:

        def _moved():
            now = _maglev(h1)
            return None if slot not in now else "slot {} still in the table".format(slot)

        result = expect(_moved, count=30, wait=1)
        assert result is None, result
        now = _maglev(h1)
        moved_others = [i for i, s in enumerate(before) if s != slot and now[i] != s]
        assert not moved_others, "{} entries of other NICs moved".format(len(moved_others))

        for family in [4, 6]:
            step("IPv{}: traffic flows over the other three NICs".format(family))
            delta, bpf = _iperf(tgen, family)
            assert bpf[down] == 0, "IPv{}: {} is down but carried {}".format(family, down, bpf)
            idle = [nic for nic in NICS if nic != down and byte_shares(delta)[nic] < SHARE_USED]
            assert not idle, "IPv{}: {} idle: {}".format(family, idle, format_shares(delta))
    finally:
        step("ip link set {} up".format(down))
        cmd_ok(h1, ["ip", "link", "set", down, "up"])

    result = expect(lambda: None if _maglev(h1) == before else "table differs", count=30,
                     wait=1)
    assert result is None, "Maglev table after {} came back: {}".format(down, result)


@pytest.mark.parametrize("family", [4, 6], ids=["ipv4", "ipv6"])
def test_nic_down_keeps_other_flows(tgen, family):
    "Placement hash: a NIC going down moves its own flows, and only those."
    h1 = tgen.gears["h1"]
    assert expect(lambda: _nics_up(h1)) is None, _nics_up(h1)
    server, client = _start_iperf(tgen, family, 25, 8)
    try:
        time.sleep(2)
        _nic_down_moves_only_its_flows(h1, family)
    finally:
        _stop_iperf(server, client)


def test_least_loaded(tgen):
    "placement least-loaded: each new flow goes to the least loaded NIC; a NIC down moves only its own."
    h1 = tgen.gears["h1"]
    remote = tgen.gears["remote"]
    step("placement least-loaded")
    configure_multinic(h1, "placement least-loaded")
    ports = [IPERF_PORT + 1 + n for n in range(len(NICS))]
    servers, clients = [], []
    try:
        config = show_json(h1, "show multinic json").get("config", {})
        assert config.get("placement") == "least-loaded", config
        assert expect(lambda: _nics_up(h1)) is None, _nics_up(h1)

        step("one long flow after the other: each goes to a NIC that carries none yet")
        known = set(_flows(h1))
        for port in ports:
            servers.append(Iperf3Server(remote, port, capture=False).start())
        for port, server in zip(ports, servers):
            server.wait_listening()
            clients.append(h1.net.popen(
                iperf3_client_args(NETNS, REMOTE[4], port, seconds=30),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            # the flow's NIC gathers load before the next flow starts
            time.sleep(1)
        flows = {p: slot for p, slot in _flows(h1).items() if p not in known}
        before = _nic_tx(h1)
        time.sleep(2)
        after = _nic_tx(h1)
        delta = {nic: after[nic] - before[nic] for nic in NICS}
        logger.info("least-loaded, 4 flows started one after the other: %s; flow table %s",
                    format_shares(delta), flows)
        assert {p[1] for p in flows} == set(ports), "flows recorded: {}".format(flows)
        idle = [nic for nic in NICS if byte_shares(delta)[nic] < SHARE_MIN]
        assert not idle, "least-loaded put two long flows on one NIC, {} idle: {}".format(
            idle, format_shares(delta))

        _nic_down_moves_only_its_flows(h1, 4, rebalances=True)
    finally:
        for proc in clients:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()
        for server in servers:
            server.stop()
        configure_multinic(h1, "placement hash")


def _egress(h1):
    return show_json(h1, "show multinic json").get("egress", {})


def _set_egress_mode(h1, mode):
    configure_multinic(h1, "egress-mode " + mode)


def test_auto_picks_ebpf_and_falls_back(tgen):
    "egress-mode auto uses eBPF where attaching works; when it fails, kernel, and says why."
    h1 = tgen.gears["h1"]
    blocker = os.path.join(LINKS_DIR, "task-" + TASK)

    step("egress-mode auto picks veth-tcx on this kernel")
    _set_egress_mode(h1, "auto")
    try:
        egress = _egress(h1)
        assert egress.get("datapath") == "veth-tcx", egress
        assert "egress-mode auto" in egress.get("reason", ""), egress
        result = expect(lambda: _task_wired(h1), count=60)
        assert result is None, "task {} under auto: {}".format(TASK, result)

        step("attaching fails (the task's pin path is taken): auto falls back to kernel")
        _set_egress_mode(h1, "kernel")
        pinned = cmd_ok(h1, ["ls", LINKS_DIR]).split()
        assert pinned == [], "egress-mode kernel left links pinned: {}".format(pinned)
        cmd_ok(h1, ["mkdir", blocker])
        _set_egress_mode(h1, "auto")
        egress = _egress(h1)
        assert egress.get("datapath") == "kernel", egress
        for words in ["auto fell back from veth-tcx", "task {}".format(TASK),
                      "cannot attach mn_egress", "File exists"]:
            assert words in egress.get("reason", ""), "{!r} not in {}".format(words, egress)
        task = _task_json(h1)
        assert task.get("status") == "wired" and task.get("datapath") == "kernel", task
        assert not [o for o in task["objects"] if o.get("kind") == "bpf-link"], task
        assert _counters(h1).get("active") is False
        pinned = [name for name in cmd_ok(h1, ["ls", LINKS_DIR]).split()
                  if name != "task-" + TASK]
        assert pinned == [], "links left attached after the fallback: {}".format(pinned)
        for family in [4, 6]:
            rc, out, err = cmd(h1, _ping(h1, family, 5))
            assert rc == 0 and " 0% packet loss" in out, out + err

        step("the pin path is free again: egress-mode auto attaches once more")
        cmd_ok(h1, ["rmdir", blocker])
        _set_egress_mode(h1, "kernel")
        _set_egress_mode(h1, "auto")
        result = expect(lambda: _task_wired(h1), count=60)
        assert result is None, "task {} under auto again: {}".format(TASK, result)
    finally:
        cmd(h1, ["rmdir", blocker])
        _set_egress_mode(h1, "ebpf")
    result = expect(lambda: _task_wired(h1), count=60)
    assert result is None, "task {} back under ebpf: {}".format(TASK, result)


def _restart_multinicd(h1, disable_caps=None, config=None):
    """kill -9 multinicd, start it again (with MULTINICD_DISABLE_CAPS set to
    disable_caps, the test knob that makes the probe report features
    missing) and give it its configuration back (or the file config)."""
    old_pid = kill_daemon(h1, "multinicd")
    start_daemon(h1, "multinicd", config, env={"MULTINICD_DISABLE_CAPS": disable_caps or None})
    new_pid = daemon_pid(h1, "multinicd")
    assert new_pid and new_pid != old_pid, "multinicd was not restarted"


def _tc_filters(h1, dev):
    "The BPF programs in dev's clsact ingress filters (one line each)."
    out = cmd_ok(h1, ["tc", "filter", "show", "dev", dev, "ingress"])
    return [line for line in out.splitlines() if " handle " in line and " bpf " in line]


def test_clsact_fallback(tgen):
    "Without tcx the programs go into clsact filters, forward both ways and survive a restart."
    h1 = tgen.gears["h1"]

    step("restart multinicd with tcx reported missing")
    _restart_multinicd(h1, "tcx")
    try:
        caps = show_json(h1, "show multinic json").get("capabilities", {})
        assert caps.get("tcx") is False and caps.get("disabled") == "tcx", caps
        result = expect(lambda: _task_wired(h1, "veth-clsact"), count=60)
        assert result is None, "task {} on clsact: {}".format(TASK, result)
        egress = show_json(h1, "show multinic json").get("egress", {})
        assert egress.get("datapath") == "veth-clsact", egress
        links = [o for o in _task_json(h1)["objects"] if o.get("kind") == "bpf-link"]
        assert "clsact ingress" in links[0]["object"], links

        step("mn_egress on the task device, mn_ingress on every NIC: filters, no pinned link")
        for dev, prog in [(HOST_IFNAME, "mn_egress")] + [(nic, "mn_ingress") for nic in NICS]:
            filters = _tc_filters(h1, dev)
            assert len(filters) == 1 and prog in filters[0], "{}: {}".format(dev, filters)
        pinned = cmd_ok(h1, ["ls", LINKS_DIR]).split()
        assert pinned == [], "tcx links left pinned in {}: {}".format(LINKS_DIR, pinned)
        nics = _counters(h1).get("nics", {})
        assert all(nics[nic]["hook"] == "clsact ingress" for nic in NICS), nics

        step("32 flows leave through all four NICs through the filters")
        _, bpf = _iperf(tgen, 4)
        idle = [nic for nic in NICS if bpf[nic] <= 0]
        assert not idle, "BPF tx counters did not grow on {}: {}".format(idle, bpf)
        step("remote reaches the VIP through mn_ingress")
        before = _task_counters(h1).get("rxPackets", 0)
        rc, out, err = cmd(tgen.gears["remote"], ping_args(None, VIP[4], 5, "0.2"))
        assert rc == 0 and " 0% packet loss" in out, out + err
        assert _task_counters(h1).get("rxPackets", 0) - before >= 5

        step("a restart on clsact replaces the filters in place: one filter each, no loss")

        def restart():
            time.sleep(0.3)
            _restart_multinicd(h1, "tcx")

        out, _ = output_while(h1, _ping(h1, 4, 200, "0.01"), restart)
        logger.info("ping during the restart on clsact: %s", out)
        result = expect(lambda: _task_wired(h1, "veth-clsact"), count=60)
        assert result is None, "task {} after the restart: {}".format(TASK, result)
        for dev in [HOST_IFNAME] + NICS:
            filters = _tc_filters(h1, dev)
            assert len(filters) == 1, "{}: {}".format(dev, filters)
        assert " 0% packet loss" in out and "200 received" in out, out
    finally:
        step("back to tcx: pinned links again, our filters gone")
        _restart_multinicd(h1)
    result = expect(lambda: _task_wired(h1), count=60)
    assert result is None, "task {} back on tcx: {}".format(TASK, result)
    for dev in [HOST_IFNAME] + NICS:
        filters = _tc_filters(h1, dev)
        assert filters == [], "{}: our filter left behind: {}".format(dev, filters)
    links = cmd_ok(h1, ["ls", LINKS_DIR]).split()
    assert sorted(links) == sorted(["task-" + TASK] + ["nic-" + nic for nic in NICS]), links


def test_kernel_mode_restart_removes_ebpf_leftovers(tgen):
    "A multinicd restarted with egress-mode kernel takes off what its eBPF predecessor pinned."
    h1 = tgen.gears["h1"]
    assert expect(lambda: _task_wired(h1), count=60) is None
    with open(os.path.join(CWD, "h1/frr.conf"), encoding="utf-8") as f:
        conf = f.read()
    assert " egress-mode ebpf\n" in conf
    path = os.path.join(h1.net.logdir, h1.name, "frr-kernel.conf")
    with open(path, "w", encoding="utf-8") as f:
        f.write(conf.replace(" egress-mode ebpf\n", " egress-mode kernel\n"))

    step("kill -9 multinicd, restart it with egress-mode kernel")
    _restart_multinicd(h1, config=path)
    try:
        egress = _egress(h1)
        assert egress.get("datapath") == "kernel", egress

        def _left():
            pinned = cmd_ok(h1, ["ls", LINKS_DIR]).split()
            if pinned:
                return "pinned by the eBPF predecessor: {}".format(pinned)
            task = _task_json(h1)
            if task.get("status") != "wired" or task.get("datapath") != "kernel":
                return "task: {}".format(task)
            return None

        result = expect(_left, count=40)
        assert result is None, result
        for family in [4, 6]:
            rc, out, err = cmd(h1, _ping(h1, family, 5))
            assert rc == 0 and " 0% packet loss" in out, out + err
    finally:
        step("restart multinicd with its own configuration (egress-mode ebpf)")
        _restart_multinicd(h1)
    result = expect(lambda: _task_wired(h1), count=60)
    assert result is None, "task {} back on eBPF: {}".format(TASK, result)


def _task_addrs(h1):
    "The IPv4 task addresses in mn_addrs (those with a task device)."
    out = cmd_ok(h1, ["bpftool", "-j", "map", "dump", "pinned",
                       os.path.join(MAPS_DIR, "mn_addrs")], timeout=120)
    addrs = []
    for entry in json.loads(out):
        key = bytes(int(b, 16) for b in entry["key"])
        value = bytes(int(b, 16) for b in entry["value"])
        if int.from_bytes(key[0:4], "little") == 2 and int.from_bytes(value[0:4], "little"):
            addrs.append(".".join(str(b) for b in key[4:8]))
    return addrs


def test_task_removed_leaves_nothing(tgen):
    "no task: its device, its pinned link and its addresses in the maps go (last: the task is gone)."
    h1 = tgen.gears["h1"]
    assert expect(lambda: _task_wired(h1), count=60) is None
    assert VIP[4] in _task_addrs(h1), "the VIP is not in mn_addrs to begin with"
    configure_multinic(h1, "no task " + TASK)

    def _gone():
        left = []
        if "task-" + TASK in cmd_ok(h1, ["ls", LINKS_DIR]).split():
            left.append("pinned link task-" + TASK)
        if cmd(h1, ["ip", "link", "show", HOST_IFNAME])[0] == 0:
            left.append("device " + HOST_IFNAME)
        if VIP[4] in _task_addrs(h1):
            left.append("VIP {} in mn_addrs".format(VIP[4]))
        return "left behind: {}".format(left) if left else None

    result = expect(_gone, count=20)
    assert result is None, result
    # the NICs' programs stay (they serve every task)
    links = sorted(cmd_ok(h1, ["ls", LINKS_DIR]).split())
    assert links == sorted("nic-" + nic for nic in NICS), links


def test_memory_leak(tgen):
    "FRR's memory-leak report: no daemon leaves memory allocated at exit."
    memory_leak_test(tgen)


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
