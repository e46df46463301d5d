"""Data-plane measurements: iperf3 from a task to the remote host, with the
NICs' transmit counters sampled every 100 ms alongside.

Throughput (goodput) comes from iperf3's receiver side; per-NIC figures
from the NICs' tx byte counters (what left each NIC, headers included,
i.e. what tbf counts against R). The failover run uses the counter series
rather than iperf3's intervals for timing: iperf3 3.12 reports sender-side
intervals (socket writes, smoothed by the send buffer) on a clock that
starts at an unknown instant, while the samples share CLOCK_MONOTONIC
with the moment the NIC is set down.
"""

import json
import os
import re
import statistics
import subprocess
import threading
import time

from stats import jain
from util import ip, ip_json, read_netdev, read_tcp_snmp, qdisc_drops, run

HERE = os.path.dirname(os.path.abspath(__file__))

PERIOD = 0.1          # counter sampling period (s)
IPERF_PORT = 5201
OMIT = 1              # iperf3 -O: seconds of slow start left out of goodput
# what "recovered" means: this share of what the surviving NICs can carry
RECOVERED = 0.9
RETURNED = 0.5        # a returned NIC counts as used at half its fair share
FAILOVER_LOAD = 0.6   # failover flows offer this share of (N-1) x R
# iperf3 paces -b by writing whole blocks (128 kB by default for TCP): 32
# flows' blocks coinciding overflow a NIC's queue even at half its rate.
# 8 kB blocks keep the bursts well under the queue (25 ms at R).
PACED_BLOCK = "8K"
STEADY = 3            # consecutive samples a condition must hold


class Sampler(threading.Thread):
    """Samples the host NICs' tx bytes (and the task's TCP retransmits)
    every PERIOD seconds until stopped."""

    def __init__(self, netdev_path, nics, snmp_path=None):
        super().__init__(daemon=True)
        self.netdev_path, self.nics, self.snmp_path = netdev_path, nics, snmp_path
        self.samples = []  # (t, [tx_bytes per NIC], retrans or None)
        self.halt = threading.Event()

    def sample(self):
        dev = read_netdev(self.netdev_path)
        retrans = None
        if self.snmp_path:
            try:
                retrans = read_tcp_snmp(self.snmp_path)["retrans"]
            except OSError:
                pass
        self.samples.append((time.monotonic(), [dev[n]["tx_bytes"] for n in self.nics], retrans))

    def run(self):
        nxt = time.monotonic()
        while not self.halt.is_set():
            try:
                self.sample()
            except OSError:  # the anchor is gone (interrupted)
                return
            nxt += PERIOD
            self.halt.wait(max(0.0, nxt - time.monotonic()))

    def stop(self):
        self.halt.set()
        self.join()
        try:
            self.sample()
        except OSError:  # the anchor is gone (interrupted): keep what we have
            pass
        return self.samples


def flow_port(local, peer):
    """A flow's key: the task's port of it (the one that is not iperf3's)."""
    lp, pp = int(local.rsplit(":", 1)[1]), int(peer.rsplit(":", 1)[1])
    return pp if lp == IPERF_PORT else lp


SS_FILTER = "( sport = :%d or dport = :%d )" % (IPERF_PORT, IPERF_PORT)


class FlowSampler(threading.Thread):
    """Bytes each iperf3 flow has delivered, read on the receiver with
    ss(8) every PERIOD seconds: shows which flows stall, and for how long,
    when a NIC fails (the aggregate alone hides it: the surviving NICs stay
    saturated). Flows are keyed by the task's port."""

    LINE = re.compile(r"(\S+:\d+)\s+(\S+:\d+)\s.*bytes_received:(\d+)")

    def __init__(self, ns):
        super().__init__(daemon=True)
        self.args = ["ip", "netns", "exec", ns, "ss", "-HtinO", "state", "established",
                     SS_FILTER]
        self.flows = {}  # port -> [(t, bytes)]
        self.halt = threading.Event()

    def sample(self):
        out = subprocess.run(self.args, capture_output=True, text=True).stdout
        t = time.monotonic()
        for line in out.splitlines():
            m = self.LINE.search(line)
            if m:
                self.flows.setdefault(flow_port(m.group(1), m.group(2)), []).append(
                    (t, int(m.group(3))))

    def run(self):
        nxt = time.monotonic()
        while not self.halt.is_set():
            self.sample()
            nxt += PERIOD
            self.halt.wait(max(0.0, nxt - time.monotonic()))

    def stop(self):
        self.halt.set()
        self.join()
        # the control connection carries a few hundred bytes: data flows only
        return {p: s for p, s in self.flows.items() if s[-1][1] > 16 << 10}


SS_ADDR = re.compile(r"(\S+:\d+)\s+(\S+:\d+)")


def sender_retrans(ns):
    """Retransmitted segments so far of every iperf3 flow, on its sender
    (ss -ti): {port: count}."""
    out = subprocess.run(["ip", "netns", "exec", ns, "ss", "-HtinO", "state", "established",
                          SS_FILTER], capture_output=True, text=True).stdout
    res = {}
    for line in out.splitlines():
        m = SS_ADDR.search(line)
        if not m:
            continue
        r = re.search(r"retrans:\d+/(\d+)", line)
        res[flow_port(m.group(1), m.group(2))] = int(r.group(1)) if r else 0
    return res


def flow_bytes(topo, direction):
    """Bytes so far of every iperf3 flow through the switch, per NIC
    (nftables sets of topology.sh): {port: [bytes per NIC]}."""
    ports = {n["switch_port"]: i for i, n in enumerate(topo["nics"])}
    out = json.loads(run(["ip", "netns", "exec", topo["tor"], "nft", "-j", "list", "set",
                          "inet", "mnb", direction]))
    res = {}
    for item in out["nftables"]:
        for e in item.get("set", {}).get("elem", []):
            e = e.get("elem", e)
            dev, port = e["val"]["concat"]
            if dev in ports:
                res.setdefault(port, [0] * len(ports))[ports[dev]] += e["counter"]["bytes"]
    return res


def flush_flow_bytes(topo):
    for direction in ("egress", "ingress"):
        run(["ip", "netns", "exec", topo["tor"], "nft", "flush", "set", "inet", "mnb",
             direction])


def flow_nics(a, b):
    """The NIC each flow carried most bytes on between two flow_bytes
    snapshots; flows that carried nothing are left out."""
    out = {}
    for port, after in b.items():
        before = a.get(port, [0] * len(after))
        d = [y - x for x, y in zip(before, after)]
        if max(d) > 0:
            out[port] = d.index(max(d))
    return out


def best_limit(topo, flows, rates=None):
    """What placement can reach with `flows` elephants (bit/s): the sum of
    the min(flows, N) fastest NICs' rates (an elephant fills at most one
    NIC; 2 elephants cannot fill 4 NICs)."""
    rates = sorted(rates or [topo["rate_mbit"]] * len(topo["nics"]), reverse=True)
    return sum(rates[:flows]) * 1e6


class Path:
    """Where one direction's traffic is counted. Egress: the host's NICs
    transmit (h1-ethX, shaped), the task sends, the remote receives.
    Ingress: the switch's ports towards the NICs transmit (tor-ethX,
    shaped), the remote sends (iperf3 -R), the task receives."""

    def __init__(self, topo, anchors, task, direction):
        self.direction = direction
        if direction == "egress":
            self.nic_ns, self.nic_anchor = topo["h1"], anchors["h1"]
            self.devs = [n["name"] for n in topo["nics"]]
            self.sender, self.receiver = task.netns, topo["remote"]
            self.sender_snmp = task.anchor.path("snmp")
            self.iperf_extra = []
        else:
            self.nic_ns, self.nic_anchor = topo["tor"], anchors["tor"]
            self.devs = [n["switch_port"] for n in topo["nics"]]
            self.sender, self.receiver = topo["remote"], task.netns
            self.sender_snmp = anchors["remote"].path("snmp")
            self.iperf_extra = ["-R"]
        self.topo, self.anchors, self.task = topo, anchors, task

    def packets(self):
        """(packets that entered the path, packets that left it, drops of
        the NICs' tbf queues): what the host and the switch lost is
        entered - left - tbf drops, once queues are empty. Egress: sent
        by the task's device, sent by the switch to the remote; ingress:
        received by the switch from the remote, received by the task's
        device (wherever the host's datapath hands them over)."""
        task = read_netdev(self.task.anchor.path("dev"))
        tor = read_netdev(self.anchors["tor"].path("dev"))
        drops = sum(qdisc_drops(self.nic_ns, self.devs).values())
        if self.direction == "egress":
            sent = sum(v["tx_packets"] for k, v in task.items() if k != "lo")
            return sent, tor["tor-remote"]["tx_packets"], drops
        got = sum(v["rx_packets"] for k, v in task.items() if k != "lo")
        return tor["tor-remote"]["rx_packets"], got, drops


def offloads(topo, task, on, csum=True):
    """TSO/GSO of the senders' devices (the task's, the remote's). Off for
    the shaped runs: a sender's 64 kB GSO packet is counted as one packet
    where it enters the path and as ~45 where it leaves, which would make
    packet accounting meaningless; the NICs' tbf shaping segments them
    anyway. On for the unshaped datapath-cost runs, as on a real host.
    csum False: the transmit checksum offload off as well, so that the
    senders put complete checksums on the veths, as a real wire carries
    them (a veth otherwise passes CHECKSUM_PARTIAL packets along)."""
    state = "on" if on else "off"
    devs = [(task.netns, l["ifname"]) for l in ip_json(task.netns, "link", "show")
            if l["ifname"] != "lo"] + [(topo["remote"], "remote-eth0")]
    for ns, dev in devs:
        run(["ip", "netns", "exec", ns, "ethtool", "-K", dev, "tso", state, "gso", state,
             "tx", "on" if csum else "off"], check=False)


def lost_between(p0, p1):
    return (p1[0] - p0[0]) - (p1[1] - p0[1]) - (p1[2] - p0[2])


def longest_stall(series, t_from, t_to):
    """(longest, blocked): the longest time the flow made no progress, over
    the stalls that began before t_to and ended after t_from, counted from
    t_from at the earliest; blocked if one of them, longer than 0.5 s,
    lasted past t_to (for a failover: the flow resumed only once the NIC
    was back). A flow that
    moves in every sample shows PERIOD, the resolution."""
    moved = [series[0][0]] + [t for (t, b), (_, pb) in zip(series[1:], series) if b > pb]
    if moved[-1] < series[-1][0]:
        moved.append(series[-1][0])  # stalled until the end of the series
    longest, blocked = 0.0, False
    for a, b in zip(moved, moved[1:]):
        if b > t_from and a < t_to:
            stall = b - max(a, t_from)
            longest = max(longest, stall)
            blocked = blocked or (b > t_to and stall > 0.5)
    return longest, blocked


def flow_stalls(flows, t_from, t_to):
    """Over all flows: the worst stall, how many flows stalled longer than
    0.5 s, and how many resumed only after t_to."""
    stalls = [longest_stall(s, t_from, t_to) for s in flows.values()]
    return {"worst_s": max((x for x, _ in stalls), default=None),
            "over_half_s": sum(1 for x, _ in stalls if x > 0.5),
            "blocked": sum(1 for _, b in stalls if b),
            "flows": len(stalls)}


def listening(remote_anchor, port=IPERF_PORT):
    """Whether a TCP socket listens on port in the remote namespace
    (iperf3 listens on a dual-stack IPv6 socket: look at both tables)."""
    want = ":%04X" % port
    for table in ("tcp", "tcp6"):
        with open(remote_anchor.path(table)) as f:
            if any(l.split()[1].endswith(want) and l.split()[3] == "0A"
                   for l in f.readlines()[1:]):
                return True
    return False


def iperf3_server(topo, remote_anchor, port=IPERF_PORT):
    """A one-off server (-1) per test: a stuck server from an aborted test
    can never poison the next one."""
    p = subprocess.Popen(["ip", "netns", "exec", topo["remote"], "iperf3", "-s", "-1",
                          "-p", str(port)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.monotonic() + 5
    while not listening(remote_anchor, port):
        if time.monotonic() > end or p.poll() is not None:
            p.kill()
            raise RuntimeError("iperf3 server did not start in %s" % topo["remote"])
        time.sleep(0.01)
    return p


def iperf3_client(task, topo, flows, duration, extra=()):
    args = ["ip", "netns", "exec", task.netns, "iperf3", "-c", topo["remote_ip"],
            "-P", str(flows), "-t", str(duration), "-J"] + list(extra)
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(client, server, timeout):
    """Wait for the client; kill both on timeout. Returns iperf3's JSON."""
    try:
        out, err = client.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        client.kill()
        out, err = client.communicate()
        server.kill()
        server.wait()
        raise RuntimeError("iperf3 did not finish within %d s" % timeout)
    try:
        server.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    try:
        res = json.loads(out)
    except ValueError:
        raise RuntimeError("iperf3 gave no JSON: %s" % (err or out)[-300:])
    if res.get("error"):
        raise RuntimeError("iperf3: %s" % res["error"])
    return res


def rates(samples):
    """Per-interval rates (bit/s): [(t_end, [per NIC], aggregate)]."""
    out = []
    for (t0, b0, _), (t1, b1, _) in zip(samples, samples[1:]):
        dt = t1 - t0
        if dt <= 0:
            continue
        per = [(y - x) * 8 / dt for x, y in zip(b0, b1)]
        out.append((t1, per, sum(per)))
    return out


def window_bytes(samples, t_from, t_to):
    """Bytes per NIC between the first sample at/after t_from and the last
    at/before t_to, and the time between them."""
    inside = [s for s in samples if t_from <= s[0] <= t_to]
    if len(inside) < 2:
        raise RuntimeError("no counter samples in the measurement window")
    a, b = inside[0], inside[-1]
    return [y - x for x, y in zip(a[1], b[1])], b[0] - a[0]


def flows_run(topo, anchors, task, flows, duration, raw_path, direction="egress",
              counters=dict, rates=None, bitrate=None):
    """Steady-state throughput and balance with `flows` parallel flows.
    rates: the NICs' tbf rates (Mbit/s) when they are not all topo's;
    bitrate: each flow's cap (iperf3 -b, e.g. "25M"), None: unbounded."""
    path = Path(topo, anchors, task, direction)
    nics = path.devs
    limit = sum(rates) * 1e6 if rates else len(nics) * topo["rate_mbit"] * 1e6
    offloads(topo, task, False)
    p0, c0 = path.packets(), counters()
    server = iperf3_server(topo, anchors["remote"])
    sampler = Sampler(path.nic_anchor.path("dev"), nics)
    sampler.start()
    t0 = time.monotonic()
    client = iperf3_client(task, topo, flows, duration, ["-O", str(OMIT)] + path.iperf_extra
                           + (["-b", bitrate] if bitrate else []))
    try:
        res = finish(client, server, duration + OMIT + 30)
    finally:
        t1 = time.monotonic()
        samples = sampler.stop()
    with open(raw_path, "w") as f:
        json.dump(res, f)
    time.sleep(0.1)  # the queues drain (25 ms of tbf latency at most)
    p1, c1 = path.packets(), counters()
    # the steady part: after slow start, before the client winds down
    per_nic, dt = window_bytes(samples, t0 + OMIT + 0.3, t1 - 0.3)
    nic_mbit = [b * 8 / dt / 1e6 for b in per_nic]
    total = sum(per_nic)
    goodput = res["end"]["sum_received"]["bits_per_second"]
    return {
        "goodput_mbit": goodput / 1e6,
        "ratio": goodput / limit,
        # to what placement can reach with this many flows (their NICs)
        "ratio_best": goodput / best_limit(topo, flows, rates),
        "nic_mbit": nic_mbit,
        "shares": [b / total if total else 0 for b in per_nic],
        # which NIC a hash puts the flows on is luck: busiest NIC first
        "nic_mbit_ranked": sorted(nic_mbit, reverse=True),
        "jain": jain(per_nic),
        "retransmits": res["end"]["sum_sent"].get("retransmits"),
        "qdisc_drops": p1[2] - p0[2],
        "lost_packets": lost_between(p0, p1),
        "sender_cpu_pct": res["end"]["cpu_utilization_percent"][
            "host_total" if direction == "egress" else "remote_total"],
        "moves": moves_between(c0, c1),
    }


def moves_between(c0, c1):
    """Flows the datapath re-balanced between two counter snapshots (None
    when it does not re-balance)."""
    return None if "moves" not in c1 else c1["moves"] - c0.get("moves", 0)


# Mixed traffic: elephants plus short flows arriving during the run.
SHORT_PORT = 5300
SHORT_FLOWS = 200
SHORT_KB = (10, 100)
SHORT_SEED = 14


def short_flows_server(topo, remote_anchor):
    p = subprocess.Popen(["ip", "netns", "exec", topo["remote"], "/usr/bin/python3",
                          os.path.join(HERE, "shortflows.py"), "serve", str(SHORT_PORT)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.monotonic() + 5
    while not listening(remote_anchor, SHORT_PORT):
        if time.monotonic() > end or p.poll() is not None:
            p.kill()
            raise RuntimeError("short-flow server did not start in %s" % topo["remote"])
        time.sleep(0.01)
    return p


def mixed_run(topo, anchors, task, elephants, duration, raw_path, counters=dict):
    """`elephants` long flows for the whole run, plus SHORT_FLOWS short
    ones (SHORT_KB kB each, the same sizes and arrival times in every mode
    and repetition) arriving as a Poisson process over the measured part
    of the run. Reported: the aggregate (the elephants' goodput plus the
    short flows' bytes over the run, / N×R) and the short flows'
    completion times."""
    path = Path(topo, anchors, task, "egress")
    limit = len(path.devs) * topo["rate_mbit"] * 1e6
    offloads(topo, task, False)
    c0 = counters()
    server = iperf3_server(topo, anchors["remote"])
    shorts_server = short_flows_server(topo, anchors["remote"])
    shorts = None
    try:
        client = iperf3_client(task, topo, elephants, duration, ["-O", str(OMIT)])
        time.sleep(OMIT)
        shorts = subprocess.Popen(
            ["ip", "netns", "exec", task.netns, "/usr/bin/python3",
             os.path.join(HERE, "shortflows.py"), "run", topo["remote_ip"], str(SHORT_PORT),
             str(SHORT_FLOWS), str(duration - 0.5), str(SHORT_SEED), str(SHORT_KB[0]),
             str(SHORT_KB[1])], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        res = finish(client, server, duration + OMIT + 30)
        out, err = shorts.communicate(timeout=90)
    finally:
        for p in (shorts, shorts_server):
            if p and p.poll() is None:
                p.kill()
                p.wait()
    c1 = counters()
    try:
        short = json.loads(out)
    except ValueError:
        raise RuntimeError("short flows gave no JSON: %s" % (err or out)[-300:])
    with open(raw_path, "w") as f:
        json.dump({"iperf3": res, "short": short}, f)
    fcts = sorted(f["fct_ms"] for f in short["flows"])
    short_bytes = sum(f["bytes"] for f in short["flows"])
    elephants_bps = res["end"]["sum_received"]["bits_per_second"]
    return {
        "goodput_mbit": elephants_bps / 1e6,
        "aggregate_ratio": (elephants_bps + short_bytes * 8 / duration) / limit,
        "short_flows": len(fcts),
        "short_failed": short["failed"],
        "short_fct_median_ms": statistics.median(fcts) if fcts else None,
        "short_fct_p90_ms": fcts[int(0.9 * (len(fcts) - 1))] if fcts else None,
        "retransmits": res["end"]["sum_sent"].get("retransmits"),
        "moves": moves_between(c0, c1),
    }


# Reordering: elephants keep the NICs' queues full (25 ms), bursty flows
# (REORDER_FLOWS of them, REORDER_BURST_KB at once, then idle until
# acknowledged plus REORDER_IDLE_MS) are captured at both ends, and the
# NICs' weights alternate every second, so that placement keeps moving
# flows between NICs with deep queues.
REORDER_ELEPHANTS = 4
REORDER_FLOWS = 8
REORDER_BURST_KB = 256
REORDER_IDLE_MS = 20
SEG = re.compile(r"\.(\d+) > \S+: Flags \[[^]]*\], seq (\d+):(\d+),")


def capture(ns, dev, port, path):
    """tcpdump of the data segments to port (a short snapshot each)."""
    return subprocess.Popen(
        ["ip", "netns", "exec", ns, "tcpdump", "-Z", "root", "-i", dev, "-s", "128", "-B",
         "32768", "-nn", "-w", path, "tcp dst port %d and greater 200" % port],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def segments(path):
    """{source port: [(start, end)...]} in capture order (absolute seq)."""
    text = run(["tcpdump", "-nn", "-S", "-r", path], timeout=120, quiet=True)
    out = {}
    for line in text.splitlines():
        m = SEG.search(line)
        if m:
            out.setdefault(int(m.group(1)), []).append((int(m.group(2)), int(m.group(3))))
    return out


def seq_before(a, b):
    return (a - b) % (1 << 32) >= (1 << 31)


def reordered(received, nic_of):
    """Segments of one flow that arrived after data beyond their start
    although sent only once (a lost segment is sent twice: its
    retransmission arriving late is no reordering): (by a move, on the
    host path).  nic_of[start] is the set of NICs a segment left on
    (several when retransmitted on another NIC).  A segment overtaken by
    one that left on another NIC was reordered by a move; overtaken by
    one of its own NIC, before the NIC (the task's packets enter the veth
    backlog of whichever CPU sent them)."""
    moved = host = 0
    highest = None  # (end, start of that segment)
    for start, end in received:
        nics = nic_of.get(start, ())
        if highest is not None and seq_before(start, highest[0]) and len(nics) == 1:
            if nics[0] in nic_of.get(highest[1], nics):
                host += 1
            else:
                moved += 1
        if highest is None or seq_before(highest[0], end):
            highest = (end, start)
    return moved, host


def task_device(task):
    return next(l["ifname"] for l in ip_json(task.netns, "link", "show") if l["ifname"] != "lo")


def reorder_run(topo, anchors, task, duration, raw_path, weights, counters=dict):
    """Bursty flows between elephants while the NICs' weights alternate
    (weights(i): set the i-th weighting, None at the end). Reported: the
    moves the datapath made, and the bursty flows' segments the receiver
    got reordered, by a move (overtaken by a segment that left on another
    NIC) and on the host path, against all their segments. Captured on
    every NIC (which NIC each segment left on; a retransmission counts
    as a second sending) and at the remote."""
    offloads(topo, task, False)
    tmp = os.path.dirname(raw_path)
    pcaps = {nic["name"]: os.path.join(tmp, "reorder-%s.pcap" % nic["name"])
             for nic in topo["nics"]}
    pcaps["received"] = os.path.join(tmp, "reorder-received.pcap")
    c0 = counters()
    server = iperf3_server(topo, anchors["remote"])
    bursty_server = short_flows_server(topo, anchors["remote"])
    dumps = {nic["name"]: capture(topo["h1"], nic["name"], SHORT_PORT, pcaps[nic["name"]])
             for nic in topo["nics"]}
    dumps["received"] = capture(topo["remote"], "remote-eth0", SHORT_PORT, pcaps["received"])
    bursty = None
    try:
        time.sleep(1)  # the captures run
        client = iperf3_client(task, topo, REORDER_ELEPHANTS, duration + 1, [])
        time.sleep(1)  # the elephants fill the queues
        bursty = subprocess.Popen(
            ["ip", "netns", "exec", task.netns, "/usr/bin/python3",
             os.path.join(HERE, "shortflows.py"), "bursts", topo["remote_ip"],
             str(SHORT_PORT), str(REORDER_FLOWS), str(REORDER_BURST_KB),
             str(REORDER_IDLE_MS), str(duration - 1)], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        for i in range(int(duration) - 1):
            time.sleep(1)
            weights(i)
        out, err = bursty.communicate(timeout=60)
        finish(client, server, 60)
    finally:
        weights(None)
        for p in (bursty, bursty_server):
            if p and p.poll() is None:
                p.kill()
                p.wait()
        errors = {}
        for what, p in dumps.items():
            p.terminate()
            errors[what] = p.communicate(timeout=30)[1]
    c1 = counters()
    dropped = {w: int(m.group(1)) for w, e in errors.items()
               for m in [re.search(r"(\d+) packets? dropped by kernel", e or "")] if m}
    received = segments(pcaps.pop("received"))
    nic_of, sent = {}, 0
    for nic, path in pcaps.items():
        for port, segs in segments(path).items():
            sent += len(segs)
            for start, _ in segs:
                nic_of.setdefault(port, {}).setdefault(start, []).append(nic)
    for path in list(pcaps.values()) + [os.path.join(tmp, "reorder-received.pcap")]:
        os.remove(path)
    flows = {p: reordered(received[p], {k: tuple(v) for k, v in nic_of.get(p, {}).items()})
             for p in received}
    with open(raw_path, "w") as f:
        json.dump({"bursts": json.loads(out) if out.strip() else {"error": err[-300:]},
                   "capture_dropped": dropped, "reordered_per_flow": flows}, f)
    return {
        "moves": moves_between(c0, c1),
        "segments": sum(len(v) for v in received.values()),
        "reordered": sum(m for m, _ in flows.values()),
        "reordered_host": sum(h for _, h in flows.values()),
        "retransmitted": sent - sum(len(starts) for starts in nic_of.values()),
        "capture_dropped": sum(dropped.values()),
    }


def first_steady(series, t_from, cond):
    """Start time of the first run of STEADY consecutive intervals (ending
    after t_from) meeting cond; None if there is none."""
    run = []
    for t, per, agg in series:
        if t <= t_from:
            continue
        run = run + [t] if cond(per, agg) else []
        if len(run) == STEADY:
            return run[0] - PERIOD  # the interval's start
    return None


def mean_rate(series, t_from, t_to, pick):
    vals = [pick(per, agg) for t, per, agg in series if t_from < t <= t_to]
    return sum(vals) / len(vals) if vals else None


def failover_run(topo, anchors, task, flows, timing, fail_nic, raw_path, counters=dict,
                 direction="egress"):
    """A NIC fails (ip link set down on h1; the switch's port loses its
    carrier) mid-run and comes back later, under paced flows that offer
    FAILOVER_LOAD of what the surviving NICs can carry.

    Reported: packets lost (entered the host, egress, or the switch,
    ingress, and never left it, tbf drops apart); recovery (time from the
    failure until the aggregate is back at RECOVERED x what the surviving
    NICs can carry, or x the level before the failure if that was lower);
    the worst flow stall, over all flows, over the flows that were on the
    failed NIC (how long until they resume elsewhere) and over those of
    the surviving NICs; how many flows of the surviving NICs moved to
    another NIC (the switch's per-port flow counters); the surviving
    flows' retransmits in the 2 s after the failure against the 2 s
    before; the aggregate while degraded and after the NIC returned; how
    long until the returned NIC carries traffic again."""
    path = Path(topo, anchors, task, direction)
    nics = path.devs
    n, rate = len(nics), topo["rate_mbit"] * 1e6
    duration, at_fail, at_back = timing["duration"], timing["fail_at"], timing["back_at"]
    # Paced flows, FAILOVER_LOAD of what the surviving NICs can carry in
    # all: no NIC's queue overflows before or after the failure as long as
    # the flows are spread, so a retransmission is a packet the failure
    # cost, and the aggregate shows when the failed NIC's flows are back.
    per_flow = FAILOVER_LOAD * (n - 1) * rate / flows
    dev = topo["nics"][fail_nic]["name"]
    c0 = counters()
    offloads(topo, task, False)
    flush_flow_bytes(topo)
    p0 = path.packets()
    server = iperf3_server(topo, anchors["remote"])
    sampler = Sampler(path.nic_anchor.path("dev"), nics, path.sender_snmp)
    flow_sampler = FlowSampler(path.receiver)
    sampler.start()
    flow_sampler.start()
    t0 = time.monotonic()
    client = iperf3_client(task, topo, flows, duration,
                           ["-i", "0.5", "-b", "%d" % per_flow, "-l", PACED_BLOCK]
                           + path.iperf_extra)
    snap = {}

    def fail():
        snap["nft_fail"] = flow_bytes(topo, direction)
        snap["retrans_fail"] = sender_retrans(path.sender)
        snap["t_fail"] = time.monotonic()
        ip(topo["h1"], "link", "set", dev, "down")

    def back():
        snap["nft_back"] = flow_bytes(topo, direction)
        snap["t_back"] = time.monotonic()
        ip(topo["h1"], "link", "set", dev, "up")
        restore_host_routes(topo)

    def take(key, what):
        return lambda: snap.__setitem__(key, what())

    events = [
        (max(0.5, at_fail - 2), take("retrans_before", lambda: sender_retrans(path.sender))),
        (max(0.6, at_fail - 1), take("nft_before", lambda: flow_bytes(topo, direction))),
        (at_fail, fail),
        (at_fail + 1, take("nft_settled", lambda: flow_bytes(topo, direction))),
        (at_fail + 2, take("retrans_after", lambda: sender_retrans(path.sender))),
        (at_back, back),
    ]
    try:
        for at, action in sorted(events, key=lambda e: e[0]):
            time.sleep(max(0, t0 + at - time.monotonic()))
            action()
        res = finish(client, server, duration + 60)
    finally:
        restore_nics(topo)
        samples = sampler.stop()
        flow_series = flow_sampler.stop()
    time.sleep(0.1)  # the queues drain
    p1 = path.packets()
    t_fail, t_back = snap["t_fail"], snap["t_back"]
    c1 = counters()
    series = rates(samples)
    pre = mean_rate(series, t_fail - 2, t_fail, lambda p, a: a)
    target = RECOVERED * min(pre or 0, (n - 1) * rate)
    post = mean_rate(series, t_fail + 1, t_back, lambda p, a: a)
    after_rate = mean_rate(series, t_back + 1, samples[-1][0], lambda p, a: a)
    rec = first_steady(series, t_fail, lambda p, a: a >= target) if target > 0 else None
    recovery = None if rec is None or rec > t_back else max(0.0, rec - t_fail)
    ret = first_steady(series, t_back,
                       lambda p, a: a > 0 and p[fail_nic] >= RETURNED * a / n)
    retrans = [(t, r) for t, _, r in samples if r is not None]
    stalls = flow_stalls(flow_series, t_fail, t_back)
    normal = flow_stalls(flow_series, t0 + 1, t_fail)
    # which NIC each flow used before the failure, and once it settled
    before = flow_nics(snap["nft_before"], snap["nft_fail"])
    after = flow_nics(snap["nft_settled"], snap["nft_back"])
    failed = [p for p, i in before.items() if i == fail_nic]
    surviving = [p for p, i in before.items() if i != fail_nic]
    moved = [p for p in surviving if p in after and after[p] != before[p]]
    failed_stalls = flow_stalls({p: flow_series[p] for p in failed if p in flow_series},
                                t_fail, t_back)
    surv_stalls = flow_stalls({p: flow_series[p] for p in surviving if p in flow_series},
                              t_fail, t_back)
    rb, rf, ra = snap["retrans_before"], snap["retrans_fail"], snap["retrans_after"]
    surv_before = sum(rf.get(p, 0) - rb.get(p, 0) for p in surviving if p in rb)
    surv_after = sum(ra.get(p, 0) - rf.get(p, 0) for p in surviving if p in rf)
    with open(raw_path, "w") as f:
        json.dump({"iperf3": res, "t0": t0, "snapshots": snap, "samples": samples,
                   "flows": flow_series}, f)
    return {
        "direction": direction,
        "lost_packets": lost_between(p0, p1),
        "flow_stall_s": stalls["worst_s"],
        "flows_stalled": stalls["over_half_s"],
        "flows_blocked": stalls["blocked"],
        "flows_seen": stalls["flows"],
        "flow_stall_before_s": normal["worst_s"],
        "failed_flows": len(failed),
        # the failed NIC's flows: worst time until they moved on (None if
        # one of them waited for the NIC to come back)
        "failed_flows_recovered_s": (failed_stalls["worst_s"] if failed
                                     and not failed_stalls["blocked"] else None),
        "failed_flows_blocked": failed_stalls["blocked"],
        "surviving_flows": len(surviving),
        "surviving_moved": len(moved),
        "surviving_stall_s": surv_stalls["worst_s"],
        "surviving_retrans_before": surv_before,
        "surviving_retrans_after": surv_after,
        "fail_nic": dev,
        "pre_mbit": (pre or 0) / 1e6,
        "recovery_s": recovery,
        "offered_mbit": per_flow * flows / 1e6,
        # the aggregate while the NIC is down and after it returned, as a
        # share of the aggregate before the failure
        "degraded_ratio": ratio_or_none(post, pre),
        "returned_s": None if ret is None else max(0.0, ret - t_back),
        "after_return_ratio": ratio_or_none(after_rate, pre),
        "retransmits_2s": delta_in(retrans, t_fail, t_fail + 2),
        "retransmits_total": res["end"]["sum_sent"].get("retransmits"),
        # tbf drops on the NICs (queue full); a NIC set down loses its
        # queue without counting it (that shows in lost_packets)
        "qdisc_drops": p1[2] - p0[2],
        "goodput_mbit": res["end"]["sum_received"]["bits_per_second"] / 1e6,
        "datapath_counters": {k: c1[k] - c0.get(k, 0) for k in c1},
        "redirect_errors": (c1["redirect_errors"] - c0.get("redirect_errors", 0)
                            if "redirect_errors" in c1 else None),
        "series": {
            "t": [round(t - t0, 3) for t, _, _ in series],
            "aggregate_mbit": [round(a / 1e6, 2) for _, _, a in series],
            "nic_mbit": [[round(p[i] / 1e6, 2) for _, p, _ in series] for i in range(n)],
            "fail_at": round(t_fail - t0, 3),
            "back_at": round(t_back - t0, 3),
        },
    }


def tbf(topo, ns, dev, rate=None):
    """The NIC shaping of topology.sh (mnb_shape), to put it back (or at
    another rate)."""
    rate = rate or topo["rate_mbit"]
    burst = max(rate * 1000000 // 8 // 250, 15000)
    ip_tc = ["ip", "netns", "exec", ns, "tc", "qdisc", "replace", "dev", dev, "root", "tbf",
             "rate", "%dmbit" % rate, "burst", str(burst), "latency", "25ms"]
    run(ip_tc)


def shape_nics(topo, rates=None):
    """Every NIC (both ends of its link) at its rate in Mbit/s; None: all
    back at topo's rate."""
    for i, nic in enumerate(topo["nics"]):
        rate = rates[i] if rates else None
        tbf(topo, topo["h1"], nic["name"], rate)
        tbf(topo, topo["tor"], nic["switch_port"], rate)


def shaped_devs(topo):
    return [(topo["h1"], n["name"]) for n in topo["nics"]] + \
        [(topo["tor"], n["switch_port"]) for n in topo["nics"]]


def kthread_ticks(prefix):
    """utime + stime of every kernel thread whose name starts with prefix
    (clock ticks): "ksoftirqd/" is the softirq work (forwarding through the
    veths) not done in a process's context, "cpumap/" the work XDP
    redirected to other CPUs (receive steering)."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                st = f.read()
        except OSError:
            continue
        comm = st[st.index("(") + 1:st.rindex(")")]
        if comm.startswith(prefix):
            fields = st[st.rindex(")") + 2:].split()
            total += int(fields[11]) + int(fields[12])
    return total


def machine_busy_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v) - v[3] - v[4]  # all but idle and iowait


def cost_run(topo, anchors, task, flows, duration, raw_path, direction="egress", gso=True,
             csum=True):
    """Datapath cost on an unshaped path: the NICs' tbf qdiscs are removed
    for the run, so the CPU is the limit. CPU time = iperf3 sender and
    receiver (their user + system time, which includes the softirq
    forwarding done in their context: this kernel has no separate IRQ
    time accounting) + the ksoftirqd threads + the cpumap threads (XDP
    redirected work; none without receive steering), per GB of goodput.
    gso: the senders' TSO/GSO on, as on a real host; off, a veth carries
    wire-size frames, as a real NIC hands them to XDP; csum: the senders'
    transmit checksum offload (off: complete checksums, as on a wire)."""
    path = Path(topo, anchors, task, direction)
    hz = os.sysconf("SC_CLK_TCK")
    for ns, dev in shaped_devs(topo):
        run(["ip", "netns", "exec", ns, "tc", "qdisc", "del", "dev", dev, "root"], check=False)
    offloads(topo, task, gso, csum)
    try:
        server = iperf3_server(topo, anchors["remote"])
        k0, c0, m0 = kthread_ticks("ksoftirqd/"), kthread_ticks("cpumap/"), \
            machine_busy_ticks()
        client = iperf3_client(task, topo, flows, duration, path.iperf_extra)
        res = finish(client, server, duration + 30)
        k1, c1, m1 = kthread_ticks("ksoftirqd/"), kthread_ticks("cpumap/"), \
            machine_busy_ticks()
    finally:
        offloads(topo, task, False)
        for ns, dev in shaped_devs(topo):
            tbf(topo, ns, dev)
    with open(raw_path, "w") as f:
        json.dump(res, f)
    recv = res["end"]["sum_received"]
    secs = recv["seconds"]
    cpu = res["end"]["cpu_utilization_percent"]
    iperf_s = (cpu["host_total"] + cpu["remote_total"]) / 100 * secs
    softirq_s = (k1 - k0) / hz
    cpumap_s = (c1 - c0) / hz
    gb = recv["bytes"] / 1e9
    return {
        "direction": direction,
        "gbit": recv["bits_per_second"] / 1e9,
        "cpu_s": iperf_s + softirq_s + cpumap_s,
        "iperf3_cpu_s": iperf_s,
        "ksoftirqd_cpu_s": softirq_s,
        "cpumap_cpu_s": cpumap_s,
        "cpu_s_per_gb": (iperf_s + softirq_s + cpumap_s) / gb if gb else None,
        "machine_busy_s": (m1 - m0) / hz,
        "seconds": secs,
    }


def ratio_or_none(x, limit):
    return None if x is None or not limit else x / limit


def delta_in(pairs, t_from, t_to):
    """Growth of a sampled counter between two instants (nearest samples)."""
    before = [v for t, v in pairs if t <= t_from]
    upto = [v for t, v in pairs if t <= t_to]
    if not before or not upto:
        return None
    return upto[-1] - before[-1]


def restore_host_routes(topo):
    """A NIC set down loses its routes; the host's default route via NIC 0
    is put back as the host's network configuration would (mode (a) and
    the topology rely on it)."""
    nic0 = topo["nics"][0]
    ip(topo["h1"], "route", "replace", "default", "via", nic0["gateway"], "dev",
       nic0["name"], check=False)


def restore_nics(topo):
    for nic in topo["nics"]:
        ip(topo["h1"], "link", "set", nic["name"], "up", check=False)
    restore_host_routes(topo)
