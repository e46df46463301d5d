#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
test_multinic_placement.py: least-loaded placement of the eBPF egress
datapath on shaped NICs.

             h1-eth0 ------ tor-eth0
    +----+   h1-eth1 ------ tor-eth1   +-----+ tor-eth4 -- remote-eth0 +--------+
    | h1 |   h1-eth2 ------ tor-eth2   | tor |                         | remote |
    +----+   h1-eth3 ------ tor-eth3   +-----+                         +--------+
      |
      +- netns job1 (the task): mn0 10.200.0.1/32, fd00:200::1/128

h1 runs multinicd with ``egress-mode ebpf`` and ``placement least-loaded``;
each NIC is shaped to 50 Mbit/s with tbf (a 25 ms queue, as in bench/), so
that a NIC carries what its flows can push through it and the per-NIC byte
shares show the placement. tor routes the VIPs to h1 via h1-eth0: the
flows' acknowledgements come in through h1-eth0's mn_ingress, which
follows them for least-loaded.

1. the knobs (flowlet-timeout, rebalance-interval) round-trip through the
   running configuration, bad values are refused, and show multinic flows
   and show multinic counters report placement;
2. 4 elephant flows (iperf3 -P 4: a control connection and 4 data flows
   opened within milliseconds) end on 4 different NICs;
3. a burst of 32 new flows after an uneven period (2 elephants on 2 NICs
   that have just ended) leaves every NIC within 5 points of 1/N;
4. a flow moves only after an idle gap: two bulk flows share h1-eth0
   while the other NICs are down; the other NICs come back; if they still
   share h1-eth0 when one of them pauses, it moves at its first packet
   after the pause; in the end they do not share a NIC; the receiver gets
   no segment of either overtaken by one that left on another NIC
   (captures on every NIC and at the receiver).  Without a boundary no
   flow moves: tests/bpf covers that exactly;
5. a NIC going down moves only its own flows; back up, it takes
   re-balanced flows.
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
from lib.topogen import Topogen
from lib.topolog import logger

from multinic_lib import (
    cmd,
    cmd_ok,
    daemon_installed,
    expect,
    load_frr_config,
    memory_leak_test,
    register_multinicd,
    running_config,
    show_json,
    skip_if_topology_broken,
    vtysh,
    vtysh_config,
)

pytestmark = [pytest.mark.multinicd]

NICS = ["h1-eth0", "h1-eth1", "h1-eth2", "h1-eth3"]
NETNS = "job1"
REMOTE = "10.1.0.2"
RATE_MBIT = 50
IPERF_PORT = 5201
SINK_PORT = 5300
FLOWTOOL = os.path.join(CWD, "flowtool.py")
# "within 5 points of 1/N" for 4 NICs
SHARE_LOW, SHARE_HIGH = 0.20, 0.30


def build_topo(tgen):
    tgen.add_router("h1")
    tgen.add_router("tor")
    tgen.add_router("remote")
    for n in range(len(NICS)):
        tgen.add_link(
            tgen.gears["h1"], tgen.gears["tor"], "h1-eth{}".format(n), "tor-eth{}".format(n)
        )
    tgen.add_link(tgen.gears["tor"], tgen.gears["remote"], "tor-eth4", "remote-eth0")


def _shape(h1):
    """tbf on each NIC's transmit side, as bench/lib/topology.sh does:
    burst 4 ms at the rate (at least a few MTUs), a 25 ms queue."""
    burst = max(RATE_MBIT * 1000000 // 8 // 250, 15000)
    for nic in NICS:
        cmd_ok(h1, ["tc", "qdisc", "replace", "dev", nic, "root", "tbf", "rate",
                    "{}mbit".format(RATE_MBIT), "burst", str(burst), "latency", "25ms"])


@pytest.fixture(scope="module")
def tgen(request):
    "Setup/Teardown the environment and provide tgen argument to tests"
    assert daemon_installed("multinicd"), "multinicd is not installed in /usr/lib/frr"

    tgen = Topogen(build_topo, request.module.__name__)
    tgen.start_topology()
    register_multinicd(tgen)
    h1 = tgen.gears["h1"]

    # The container runtime: the task's netns exists before multinicd reads
    # its configuration (which names it).
    cmd_ok(h1, ["ip", "netns", "add", NETNS])
    cmd_ok(h1, ["ip", "-n", NETNS, "link", "set", "lo", "up"])

    load_frr_config(tgen.gears["tor"], os.path.join(CWD, "tor/frr.conf"), [("zebra", "")])
    load_frr_config(tgen.gears["remote"], os.path.join(CWD, "remote/frr.conf"), [("zebra", "")])
    load_frr_config(h1, os.path.join(CWD, "h1/frr.conf"), [("zebra", ""), ("multinicd", "")])
    tgen.start_router()

    for name in ["h1", "tor"]:
        for sysctl in ["net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]:
            cmd_ok(tgen.gears[name], ["sysctl", "-qw", sysctl])
    cmd_ok(tgen.gears["tor"], ["sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0"])
    for n in range(len(NICS) + 1):
        cmd_ok(tgen.gears["tor"],
               ["sysctl", "-qw", "net.ipv4.conf.tor-eth{}.rp_filter=0".format(n)])
    _shape(h1)

    yield tgen

    cmd(h1, ["ip", "netns", "del", NETNS])
    tgen.stop_topology()


@pytest.fixture(autouse=True)
def skip_on_failure(tgen, request):
    "Skip when the topology is broken (start-up error, a daemon died)."
    skip_if_topology_broken(tgen, request)


#
# helpers
#


def _task_wired(h1):
    task = show_json(h1, "show multinic task job1 json").get("job1", {})
    if task.get("status") != "wired" or task.get("datapath") != "veth-tcx":
        return "task: {}".format(task)
    return None


def _nics_up(h1, want=True, nics=None):
    "None when multinicd sees every NIC of nics up (or down), else which not."
    shown = show_json(h1, "show multinic nic json")
    wrong = [nic for nic in nics or NICS if bool(shown.get(nic, {}).get("operUp")) != want]
    return "NICs not {}: {}".format("up" if want else "down", wrong) if wrong else None


def _set_links(h1, nics, state):
    for nic in nics:
        cmd_ok(h1, ["ip", "link", "set", nic, state])
    result = expect(lambda: _nics_up(h1, state == "up", nics), count=40)
    assert result is None, result


def _flows(h1, dport=None):
    """Booked flows of the task (show multinic flows): sport -> flow, with
    its "nic"; only those to dport if given."""
    shown = show_json(h1, "show multinic flows top 1000 json")
    flows = {}
    for nic in shown.get("nics", {}).values():
        for flow in nic.get("topFlows", []):
            if flow["protocol"] == "tcp" and (dport is None or flow["destinationPort"] == dport):
                flows[flow["sourcePort"]] = flow
    return flows


def _log_flows(h1, when):
    "The flow table and the NICs' placement counters, for the log."
    logger.info("%s: flows %s", when, json.dumps(show_json(h1, "show multinic flows json")))
    logger.info("%s: counters %s", when, json.dumps(
        show_json(h1, "show multinic counters json").get("nics", {})))


def _heavy(flows):
    return {port: f for port, f in flows.items() if f["heavy"]}


def _tx_bytes(h1):
    links = json.loads(cmd_ok(h1, ["ip", "-j", "-s", "link", "show"]))
    return {l["ifname"]: l["stats64"]["tx"]["bytes"] for l in links if l["ifname"] in NICS}


def _shares_over(h1, seconds):
    before = _tx_bytes(h1)
    time.sleep(seconds)
    after = _tx_bytes(h1)
    delta = {nic: after[nic] - before[nic] for nic in NICS}
    total = sum(delta.values())
    return {nic: (delta[nic] / total if total else 0.0) for nic in NICS}


def _fmt(shares):
    return ", ".join("{} {:.1%}".format(nic, shares[nic]) for nic in NICS)


def _listening(remote, port):
    def _check():
        _, out, _ = cmd(remote, ["ss", "-Htln", "sport = :{}".format(port)])
        return None if out.strip() else "nothing listens on {}".format(port)

    assert expect(_check) is None, "port {} on remote".format(port)


class Iperf:
    "iperf3 from the task to remote (a one-off server per run)."

    def __init__(self, tgen, args, port=IPERF_PORT):
        h1, remote = tgen.gears["h1"], tgen.gears["remote"]
        self.server = remote.net.popen(["iperf3", "-s", "-1", "-p", str(port)],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       stdin=subprocess.DEVNULL)
        _listening(remote, port)
        self.client = h1.net.popen(
            ["ip", "netns", "exec", NETNS, "iperf3", "-c", REMOTE, "-p", str(port)] + args,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, encoding="utf-8")

    def wait(self, timeout=60):
        out, _ = self.client.communicate(timeout=timeout)
        self.server.wait(timeout=10)
        assert self.client.returncode == 0, "iperf3 failed: {}".format(out)
        return out

    def stop(self):
        for proc in (self.client, self.server):
            if proc.poll() is None:
                proc.kill()
            proc.communicate()


#
# tests
#


def test_placement_configured(tgen):
    "The knobs round-trip, bad values are refused; the show commands report placement."
    h1 = tgen.gears["h1"]
    result = expect(lambda: _task_wired(h1), count=60)
    assert result is None, result
    assert expect(lambda: _nics_up(h1)) is None

    step("defaults: not in the running configuration, shown by show multinic flows")
    # least-loaded is the default placement: frr.conf says so, the
    # running configuration leaves it out like every default
    config = running_config(h1)
    assert "\n placement " not in config, config
    assert "flowlet-timeout" not in config and "rebalance-interval" not in config, config
    shown = show_json(h1, "show multinic flows json")
    assert shown.get("placement") == "least-loaded", shown
    assert shown.get("flowletTimeoutMs") == 50 and shown.get("rebalanceIntervalMs") == 100, shown
    assert sorted(shown.get("nics", {})) == NICS, shown

    step("placement hash round-trips; no placement hash is least-loaded again")
    rc, out = vtysh_config(h1, "multinic", "placement hash")
    assert rc == 0, out
    assert " placement hash\n" in running_config(h1)
    assert show_json(h1, "show multinic flows json").get("placement") == "hash"
    rc, out = vtysh_config(h1, "multinic", "no placement hash")
    assert rc == 0, out
    assert "\n placement " not in running_config(h1)
    assert show_json(h1, "show multinic flows json").get("placement") == "least-loaded"

    step("set, shown, removed again")
    rc, out = vtysh_config(h1, "multinic", "flowlet-timeout 40", "rebalance-interval 200")
    assert rc == 0, out
    config = running_config(h1)
    assert " flowlet-timeout 40\n" in config and " rebalance-interval 200\n" in config, config
    shown = show_json(h1, "show multinic flows json")
    assert shown.get("flowletTimeoutMs") == 40 and shown.get("rebalanceIntervalMs") == 200, shown
    rc, out = vtysh_config(h1, "multinic", "no flowlet-timeout", "no rebalance-interval")
    assert rc == 0, out
    config = running_config(h1)
    assert "flowlet-timeout" not in config and "rebalance-interval" not in config, config

    step("out of range: refused with a message, nothing changes")
    before = running_config(h1)
    for line in ["flowlet-timeout 0", "flowlet-timeout 10001", "rebalance-interval 9",
                 "rebalance-interval 10001"]:
        rc, out = vtysh_config(h1, "multinic", line)
        assert rc != 0 and out.strip(), "{!r} was accepted (rc {}): {!r}".format(line, rc, out)
    assert running_config(h1) == before

    step("show multinic counters: every NIC's load")
    nics = show_json(h1, "show multinic counters json").get("nics", {})
    for nic in NICS:
        for key in ["flows", "heavyFlows", "load", "rateBitsPerSecond", "flowsPlaced",
                    "movedIn", "movedOut"]:
            assert key in nics.get(nic, {}), "{} has no {}: {}".format(nic, key, nics)

    step("the text forms")
    rc, out = vtysh(h1, "show multinic flows")
    logger.info("show multinic flows:\n%s", out)
    assert rc == 0 and "flowlet timeout 50 ms, re-balance interval 100 ms" in out, out
    assert all("NIC {} (weight".format(nic) in out for nic in NICS), out
    rc, out = vtysh(h1, "show multinic counters")
    logger.info("show multinic counters:\n%s", out)
    assert rc == 0 and "Placement least-loaded" in out and "Last sweep" in out, out


def test_four_elephants_four_nics(tgen):
    "4 elephant flows opened together end on 4 different NICs."
    h1 = tgen.gears["h1"]
    assert expect(lambda: _nics_up(h1)) is None
    run = Iperf(tgen, ["-P", "4", "-t", "8"])
    try:
        def _spread():
            heavy = _heavy(_flows(h1, IPERF_PORT))
            nics = sorted(f["nic"] for f in heavy.values())
            if len(heavy) != 4 or len(set(nics)) != 4:
                return "elephants per NIC: {} ({})".format(
                    nics, show_json(h1, "show multinic flows json"))
            return None

        time.sleep(2)
        result = expect(_spread, count=10)
        assert result is None, result
        shares = _shares_over(h1, 2)
        logger.info("4 elephants: %s", _fmt(shares))
        low = [nic for nic in NICS if shares[nic] < 0.15]
        assert not low, "NICs left idle by 4 elephants: {}".format(_fmt(shares))
        run.wait()
    finally:
        run.stop()


def test_burst_after_uneven_period(tgen):
    "32 new flows right after 2 elephants ended: every NIC within 5 points of 1/N."
    h1 = tgen.gears["h1"]
    step("the uneven period: 2 elephants on 2 of the 4 NICs")
    run = Iperf(tgen, ["-P", "2", "-t", "3"])
    try:
        run.wait()
    finally:
        run.stop()
    step("32 new flows at once")
    run = Iperf(tgen, ["-P", "32", "-t", "7"])
    try:
        time.sleep(2.5)
        shares = _shares_over(h1, 3)
        logger.info("32 flows after an uneven period: %s", _fmt(shares))
        bad = [nic for nic in NICS if not SHARE_LOW <= shares[nic] <= SHARE_HIGH]
        assert not bad, "NICs outside {:.0%}..{:.0%}: {}".format(SHARE_LOW, SHARE_HIGH,
                                                               _fmt(shares))
        run.wait()
    finally:
        run.stop()


def _segments(capture, sport):
    """(start, end) sequence numbers of the data segments from sport, in
    capture order (tcpdump -S: absolute numbers)."""
    pattern = re.compile(r"\.{} > .* seq (\d+):(\d+),".format(sport))
    segs = []
    for line in capture.splitlines():
        m = pattern.search(line)
        if m:
            segs.append((int(m.group(1)), int(m.group(2))))
    return segs


def _before(a, b):
    "Sequence number a comes before b (32-bit serial arithmetic)."
    return (a - b) % (1 << 32) >= (1 << 31)


def _reordered(received, nic_of):
    """Segments that arrived after data beyond their start although sent
    only once (a lost one is sent twice): those overtaken by a segment
    that left on another NIC (reordered by a move) and those overtaken by
    one of their own NIC (before the NIC: the task's packets enter the
    veth backlog of whichever CPU sent them)."""
    moved, host, highest = [], [], None
    for start, end in received:
        nics = nic_of.get(start, [])
        if highest is not None and _before(start, highest[0]) and len(nics) == 1:
            (host if nics[0] in nic_of.get(highest[1], nics) else moved).append((start, end))
        if highest is None or _before(highest[0], end):
            highest = (end, start)
    return moved, host


def _dropped(stderr):
    m = re.search(r"(\d+) packets? dropped by kernel", stderr or "")
    return int(m.group(1)) if m else None


def _start_pulse(h1, phases):
    """A flowtool sender in the task (a 1 MB send buffer, doubled by the
    kernel: it keeps data in flight through the sender's own scheduling
    delays); returns (process, its source port)."""
    proc = h1.net.popen(["ip", "netns", "exec", NETNS, "python3", FLOWTOOL, "pulse", REMOTE,
                         str(SINK_PORT), str(1 << 20), phases],
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, encoding="utf-8")
    sport = json.loads(proc.stdout.readline())["sport"]
    assert json.loads(proc.stdout.readline()) == {"phase": 0}
    return proc, sport


def test_flow_moves_only_after_idle_gap(tgen):
    "Two flows share a NIC; the one that pauses moves after its pause, nothing is reordered."
    h1, tor, remote = tgen.gears["h1"], tgen.gears["tor"], tgen.gears["remote"]
    others = NICS[1:]
    # which NIC a segment left on is seen on the tor's end of the link:
    # that end stays up while h1's NICs go down and up (a capture on a
    # device that is down cannot start, and ends when the device goes down)
    tor_end = {nic: nic.replace("h1-", "tor-") for nic in NICS}
    pcap = {nic: os.path.join(tor.net.logdir, tor.name, "pulse-{}.pcap".format(nic))
            for nic in NICS}
    pcap["received"] = os.path.join(remote.net.logdir, remote.name, "pulse-received.pcap")
    procs, dumps = [], {}
    # one packet is one segment end to end, as in bench/ (tbf would
    # segment GSO packets on the way anyway)
    cmd_ok(h1, ["ip", "netns", "exec", NETNS, "ethtool", "-K", "mn0", "tso", "off", "gso",
                "off"])
    try:
        step("only h1-eth0 up: a steady flow and a pulsing flow both land there")
        _set_links(h1, others, "down")
        sink = remote.net.popen(["python3", FLOWTOOL, "sink", str(SINK_PORT), "2"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                encoding="utf-8")
        procs.append(sink)
        _listening(remote, SINK_PORT)
        # which NIC each segment left on, and what the receiver got
        for what, router, dev in [(nic, tor, tor_end[nic]) for nic in NICS] + [
                ("received", remote, "remote-eth0")]:
            dumps[what] = router.net.popen(
                ["tcpdump", "-Z", "root", "-i", dev, "-s", "128", "-B", "16384", "-nn", "-w",
                 pcap[what], "tcp dst port {} and greater 200".format(SINK_PORT)],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, encoding="utf-8")
        time.sleep(1)  # the captures are running
        # the steady flow sends 14 s without pause; the pulsing one 8 s,
        # then (once everything is acknowledged) nothing for 0.3 s, longer
        # than the flowlet timeout (50 ms) and shorter than the idle time
        # after which a flow leaves the books (1 s: then it would be
        # placed afresh, not moved), then 3 s
        steady, steady_port = _start_pulse(h1, "14")
        pulse, sport = _start_pulse(h1, "8,0.3,3")
        procs += [steady, pulse]

        def _both_on_eth0():
            flows = _flows(h1, SINK_PORT)
            on = [p for p in (sport, steady_port)
                  if p in flows and flows[p]["heavy"] and flows[p]["nic"] == "h1-eth0"]
            return None if len(on) == 2 else "flows: {}".format(flows)

        result = expect(_both_on_eth0, count=20)
        assert result is None, result
        _log_flows(h1, "both on h1-eth0")

        step("the other NICs come back")
        _set_links(h1, others, "up")
        time.sleep(2)
        _log_flows(h1, "2 s after the other NICs came back")

        # Either flow may reach a boundary of its own while it sends (a
        # retransmission timeout on the shared queue leaves nothing in
        # flight, a real idle moment): then it may move, and the other is
        # alone and stays.  What must hold: if the two still share
        # h1-eth0 when the pulse pauses, the pulse moves at its first
        # packet after the pause.
        step("the pulsing flow pauses")
        line = pulse.stdout.readline()
        assert json.loads(line) == {"phase": 1}, line
        t_pause = time.monotonic()
        before = _flows(h1, SINK_PORT)
        _log_flows(h1, "as the pulse pauses")
        assert pulse.poll() is None, "the pulsing flow ended too early (slow machine?)"
        sharing = before[sport]["nic"] == before[steady_port]["nic"]
        line = pulse.stdout.readline()
        assert json.loads(line) == {"phase": 2}, line
        time.sleep(1)  # in its second sending phase

        def _both_booked():
            flows = _flows(h1, SINK_PORT)
            return None if sport in flows and steady_port in flows else "flows: {}".format(flows)

        # a loaded machine may not have sent the second phase's first
        # packet yet (the flow is booked again from it)
        result = expect(_both_booked, count=10)
        assert result is None, "after the pause: {}".format(result)
        _log_flows(h1, "after the pause")
        after = _flows(h1, SINK_PORT)
        assert after[sport]["nic"] != after[steady_port]["nic"], \
            "both flows still share {}: {}".format(after[sport]["nic"], after)
        if sharing:
            # the pulse at its first packet after the pause, or the steady
            # flow if a boundary of its own came first (see above): one of
            # them moved once, after the pulse paused
            step("they shared a NIC at the pause: one of them moved after it")
            moved = [p for p in (sport, steady_port)
                     if after[p]["moves"] == before[p]["moves"] + 1]
            assert len(moved) == 1, "moves before {}, after {}".format(before, after)
            flow = after[moved[0]]
            assert 0 <= flow["movedMsAgo"] <= (time.monotonic() - t_pause) * 1000, \
                "the flow moved before the pause: {}".format(flow)
        for proc in (pulse, steady):
            proc.communicate(timeout=60)
            assert proc.returncode == 0, "a flowtool sender failed"
        sink_out, _ = sink.communicate(timeout=30)
        assert json.loads(sink_out.splitlines()[-1])["bytes"] > 0, sink_out
    finally:
        for proc in procs + list(dumps.values()):
            if proc.poll() is None:
                proc.terminate()
        errors = {what: proc.communicate()[1] for what, proc in dumps.items()}
        for proc in procs:
            proc.communicate()
        _set_links(h1, others, "up")
        cmd(h1, ["ip", "netns", "exec", NETNS, "ethtool", "-K", "mn0", "tso", "on", "gso",
                 "on"])

    step("the receiver got no segment of either flow reordered by a move")
    for what, err in errors.items():
        assert _dropped(err) == 0, "tcpdump on {} lost packets: {}".format(what, err)
    received_text = cmd_ok(remote, ["tcpdump", "-nn", "-S", "-r", pcap["received"]])
    sent_text = {nic: cmd_ok(tor, ["tcpdump", "-nn", "-S", "-r", pcap[nic]]) for nic in NICS}
    for port in (sport, steady_port):
        received = _segments(received_text, port)
        assert len(received) > 1000, "too few segments of {} captured: {}".format(
            port, len(received))
        nic_of = {}
        for nic in NICS:
            for start, _ in _segments(sent_text[nic], port):
                nic_of.setdefault(start, []).append(nic)
        moved, host = _reordered(received, nic_of)
        logger.info("flow %s: %d segments received, %d reordered on the host path",
                    port, len(received), len(host))
        assert not moved, "{}: {} of {} segments reordered by a move, e.g. {}".format(
            port, len(moved), len(received), moved[:5])


def test_nic_down_and_up(tgen):
    "A NIC going down moves only its own flows; back up, it takes re-balanced flows."
    h1 = tgen.gears["h1"]
    victim = "h1-eth2"
    assert expect(lambda: _nics_up(h1)) is None
    # paced flows: each block is acknowledged before the next, so the
    # flows reach flowlet boundaries all the time
    run = Iperf(tgen, ["-P", "8", "-b", "5M", "-l", "8K", "-t", "25"])
    try:
        def _eight_spread():
            heavy = _heavy(_flows(h1, IPERF_PORT))
            nics = {f["nic"] for f in heavy.values()}
            return None if len(heavy) == 8 and nics == set(NICS) else "flows: {}".format(
                sorted((p, f["nic"]) for p, f in heavy.items()))

        time.sleep(2)
        result = expect(_eight_spread, count=20)
        assert result is None, result
        before = {p: f["nic"] for p, f in _heavy(_flows(h1, IPERF_PORT)).items()}
        mine = [p for p, nic in before.items() if nic == victim]
        assert mine, "no flow on {}: {}".format(victim, before)

        _log_flows(h1, "8 paced flows")
        step("{} goes down: its flows move, the others stay".format(victim))
        _set_links(h1, [victim], "down")

        def _moved():
            now = {p: f["nic"] for p, f in _flows(h1, IPERF_PORT).items()}
            stuck = [p for p in mine if now.get(p) == victim]
            return "still on {}: {} ({})".format(victim, stuck, now) if stuck else None

        result = expect(_moved, count=20)
        assert result is None, result
        time.sleep(2)
        now = {p: f["nic"] for p, f in _flows(h1, IPERF_PORT).items()}
        moved = {p: (before[p], now.get(p)) for p in before
                 if p not in mine and now.get(p) != before[p]}
        assert not moved, "flows of other NICs moved: {}".format(moved)

        step("{} comes back: flows are re-balanced onto it".format(victim))
        moved_in = show_json(h1, "show multinic counters json")["nics"][victim]["movedIn"]
        _set_links(h1, [victim], "up")

        def _back_in_use():
            now = {p: f["nic"] for p, f in _flows(h1, IPERF_PORT).items()}
            counters = show_json(h1, "show multinic counters json")["nics"][victim]
            on = [p for p, nic in now.items() if nic == victim]
            if not on or counters["movedIn"] <= moved_in:
                return "{} carries {} (moved in: {})".format(victim, on, counters["movedIn"])
            return None

        result = expect(_back_in_use, count=20)
        _log_flows(h1, "{} back".format(victim))
        assert result is None, result
    finally:
        run.stop()


def test_memory_leak(tgen):
    "FRR's memory-leak report: no daemon leaves memory allocated at exit."
    memory_leak_test(tgen)


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
