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
import re
import subprocess
import threading
import time

from stats import jain
from util import ip, read_netdev, read_tcp_snmp, qdisc_drops

PERIOD = 0.1          # counter sampling period (s)
IPERF_PORT = 5201
OMIT = 1              # iperf3 -O: seconds of slow start left out of goodput
# what "recovered" means: this share of what the surviving NICs can carry
RECOVERED = 0.9
RETURNED = 0.5        # a returned NIC counts as used at half its fair share
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


class FlowSampler(threading.Thread):
    """Bytes each iperf3 flow has delivered, read on the receiver with
    ss(8) every PERIOD seconds: shows which flows stall, and for how long,
    when a NIC fails (the aggregate alone hides it: the surviving NICs stay
    saturated)."""

    LINE = re.compile(r"(\S+:\d+)\s+(\S+:\d+)\s.*bytes_received:(\d+)")

    def __init__(self, ns, port=IPERF_PORT):
        super().__init__(daemon=True)
        self.args = ["ip", "netns", "exec", ns, "ss", "-HtinO", "state", "established",
                     "( sport = :%d )" % port]
        self.flows = {}  # peer -> [(t, bytes)]
        self.halt = threading.Event()

    def sample(self):
        out = subprocess.run(self.args, capture_output=True, text=True).stdout
        t = time.monotonic()
        for line in out.splitlines():
            m = self.LINE.search(line)
            if m:
                self.flows.setdefault(m.group(2), []).append((t, int(m.group(3))))

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


def iperf3_server(topo, remote_anchor):
    """A one-off server (-1) per test: a stuck server from an aborted test
    can never poison the next one."""
    p = subprocess.Popen(["ip", "netns", "exec", topo["remote"], "iperf3", "-s", "-1"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.monotonic() + 5
    while not listening(remote_anchor):
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


def flows_run(topo, anchors, task, flows, duration, raw_path):
    """Steady-state throughput and balance with `flows` parallel flows."""
    nics = [n["name"] for n in topo["nics"]]
    rate = topo["rate_mbit"] * 1e6
    drops0 = qdisc_drops(topo["h1"], nics)
    server = iperf3_server(topo, anchors["remote"])
    sampler = Sampler(anchors["h1"].path("dev"), nics)
    sampler.start()
    t0 = time.monotonic()
    client = iperf3_client(task, topo, flows, duration, ["-O", str(OMIT)])
    try:
        res = finish(client, server, duration + OMIT + 30)
    finally:
        t1 = time.monotonic()
        samples = sampler.stop()
    with open(raw_path, "w") as f:
        json.dump(res, f)
    drops1 = qdisc_drops(topo["h1"], nics)
    # the steady part: after slow start, before the client winds down
    per_nic, dt = window_bytes(samples, t0 + OMIT + 0.3, t1 - 0.3)
    nic_mbit = [b * 8 / dt / 1e6 for b in per_nic]
    total = sum(per_nic)
    goodput = res["end"]["sum_received"]["bits_per_second"]
    return {
        "goodput_mbit": goodput / 1e6,
        "ratio": goodput / (len(nics) * rate),
        "nic_mbit": nic_mbit,
        "shares": [b / total if total else 0 for b in per_nic],
        # which NIC a hash puts the flows on is luck: busiest NIC first
        "nic_mbit_ranked": sorted(nic_mbit, reverse=True),
        "jain": jain(per_nic),
        "retransmits": res["end"]["sum_sent"].get("retransmits"),
        "qdisc_drops": sum(drops1.get(n, 0) - drops0.get(n, 0) for n in nics),
        "sender_cpu_pct": res["end"]["cpu_utilization_percent"]["host_total"],
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


def failover_run(topo, anchors, task, flows, timing, fail_nic, raw_path, counters=dict):
    """A NIC fails (ip link set down on h1) mid-run and comes back later.

    Reported: recovery (time from the failure until the aggregate is back
    at RECOVERED x what the surviving NICs can carry, or x the level before
    the failure if that was lower); the worst flow stall (the aggregate
    recovers at once when the surviving NICs stay saturated, while the
    flows that were on the failed NIC wait for a retransmission timeout);
    retransmits in the 2 s after the failure; the aggregate while degraded
    and after the NIC returned; how long until the returned NIC carries
    traffic again."""
    nics = [n["name"] for n in topo["nics"]]
    n, rate = len(nics), topo["rate_mbit"] * 1e6
    duration, at_fail, at_back = timing["duration"], timing["fail_at"], timing["back_at"]
    dev = nics[fail_nic]
    c0 = counters()
    drops0 = qdisc_drops(topo["h1"], nics)
    server = iperf3_server(topo, anchors["remote"])
    sampler = Sampler(anchors["h1"].path("dev"), nics, task.anchor.path("snmp"))
    flow_sampler = FlowSampler(topo["remote"])
    sampler.start()
    flow_sampler.start()
    t0 = time.monotonic()
    client = iperf3_client(task, topo, flows, duration, ["-i", "0.5"])
    try:
        time.sleep(max(0, t0 + at_fail - time.monotonic()))
        t_fail = time.monotonic()
        ip(topo["h1"], "link", "set", dev, "down")
        time.sleep(max(0, t0 + at_back - time.monotonic()))
        t_back = time.monotonic()
        ip(topo["h1"], "link", "set", dev, "up")
        restore_host_routes(topo)
        res = finish(client, server, duration + 60)
    finally:
        restore_nics(topo)
        samples = sampler.stop()
        flow_series = flow_sampler.stop()
    c1 = counters()
    drops1 = qdisc_drops(topo["h1"], nics)
    with open(raw_path, "w") as f:
        json.dump({"iperf3": res, "t0": t0, "t_fail": t_fail, "t_back": t_back,
                   "samples": samples, "flows": flow_series}, f)
    series = rates(samples)
    pre = mean_rate(series, t_fail - 2, t_fail, lambda p, a: a)
    target = RECOVERED * min(pre or 0, (n - 1) * rate)
    rec = first_steady(series, t_fail, lambda p, a: a >= target) if target > 0 else None
    recovery = None if rec is None or rec > t_back else max(0.0, rec - t_fail)
    ret = first_steady(series, t_back,
                       lambda p, a: a > 0 and p[fail_nic] >= RETURNED * a / n)
    retrans = [(t, r) for t, _, r in samples if r is not None]
    stalls = flow_stalls(flow_series, t_fail, t_back)
    normal = flow_stalls(flow_series, t0 + 1, t_fail)
    return {
        "flow_stall_s": stalls["worst_s"],
        "flows_stalled": stalls["over_half_s"],
        "flows_blocked": stalls["blocked"],
        "flows_seen": stalls["flows"],
        "flow_stall_before_s": normal["worst_s"],
        "fail_nic": dev,
        "pre_mbit": (pre or 0) / 1e6,
        "recovery_s": recovery,
        "degraded_ratio": ratio_or_none(mean_rate(series, t_fail + 1, t_back,
                                                  lambda p, a: a), (n - 1) * rate),
        "returned_s": None if ret is None else max(0.0, ret - t_back),
        "after_return_ratio": ratio_or_none(mean_rate(series, t_back + 1, samples[-1][0],
                                                      lambda p, a: a), n * rate),
        "retransmits_2s": delta_in(retrans, t_fail, t_fail + 2),
        "retransmits_total": res["end"]["sum_sent"].get("retransmits"),
        # tbf drops on the NICs (queue full); a NIC set down loses its
        # queue without counting it
        "qdisc_drops": sum(drops1.get(n, 0) - drops0.get(n, 0) for n in nics),
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


def ratio_or_none(x, limit):
    return None if x is None else x / limit


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
