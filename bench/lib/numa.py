"""The NUMA rows (issue 19, doc/numa.md): where a task's egress leaves,
and what receive steering costs.

bench/run starts the host's multinicd with two fake NUMA nodes
(topology.sh, mnb_numa_nodes). The NUMA rows give the first half of the
NICs node 0 and the rest node 1 ("nic X numa-node N"), the task node 0,
and each NIC its tbf rate as its speed (the spill threshold is a share
of it):

* local: numa-policy prefer, flows capped so that together they offer
  half of what the local NICs carry: the share of the task's egress
  bytes that leaves through a remote NIC (target 0);
* spill and ignore: the same elephants unbounded and started together,
  more than the local NICs carry, under prefer and under ignore (every
  NIC alike). Placement is per new flow: flows placed before the local
  NICs load stay there, so this shows what a burst of simultaneous
  flows gets;
* wave-prefer and wave-ignore: half the elephants first, unbounded (they
  fill the local NICs), the other half WAVE_S later, when the sampler has
  marked the local NICs loaded: the aggregate of both waves under prefer
  (the second wave spills to node-1 NICs) against ignore (target:
  unchanged);
* steer-off and steer-xdp: unshaped ingress, receive-steering off and
  xdp (the steering program redirecting to a CPU of node 0): CPU
  seconds per GB received, and the difference per GB. The senders' TSO,
  GSO and transmit checksum offload are off, so that the veths carry
  wire-size frames with complete checksums, as a real NIC hands them to
  XDP; steer-off-gso and steer-xdp-gso are the same with them on, which
  on veth hands XDP 64 kB GSO packets whose checksums are left to
  offload: the host's Ip FragFails (forwarded packets larger than the
  MTU, dropped) is recorded beside them.

Only the multinicd modes have these rows.
"""

import json
import time

import measure
from util import log, vtysh, vtysh_json, wait_for

TASK_NODE = 0
SPILL_THRESHOLD = 90  # numa-policy prefer's default
ELEPHANTS = 8
LOCAL_LOAD = 0.5  # offered load of the "local" row, share of the local NICs' capacity
KERNEL_NHG_IDLE_S = 10
WAVE_S = 3.0  # the second wave's start: the NIC load sampler (1 s) has seen the first

# result key -> (numa-policy, receive-steering, what it measures)
FLOW_ROWS = ("numa_local", "numa_spill", "numa_ignore", "numa_wave_prefer", "numa_wave_ignore")
COST_ROWS = ("numa_steer_off", "numa_steer_xdp", "numa_steer_off_gso", "numa_steer_xdp_gso")
ROWS = FLOW_ROWS + COST_ROWS
FLOW_KEYS = ["remote_share", "goodput_mbit", "ratio", "local_mbit", "remote_mbit"]
COST_KEYS = ["gbit", "cpu_s_per_gb", "cpu_s", "iperf3_cpu_s", "ksoftirqd_cpu_s",
             "cpumap_cpu_s", "machine_busy_s", "steered", "on_node", "no_cpu", "redirect_errors",
             "retransmits", "frag_fails"]


def nic_node(topo, i):
    return 0 if i < (len(topo["nics"]) + 1) // 2 else 1


def local_nics(topo):
    return [i for i in range(len(topo["nics"])) if nic_node(topo, i) == TASK_NODE]


def configure(mode, topo, policy, steering):
    cmds = ["configure terminal", "multinic",
            "numa-policy %s spill-threshold %d" % (policy, SPILL_THRESHOLD),
            "receive-steering " + steering]
    for i, nic in enumerate(topo["nics"]):
        cmds.append("nic %s speed %d numa-node %d" % (nic["name"], topo["rate_mbit"],
                                                       nic_node(topo, i)))
    cmds += ["task " + mode.task_name, "numa-node %d" % TASK_NODE]
    vtysh(topo["h1"], *cmds)
    h1 = topo["h1"]
    wait_for("the task on NUMA node %d" % TASK_NODE,
             lambda: vtysh_json(h1, "show multinic task json")[mode.task_name]
             .get("numa", {}).get("node") == TASK_NODE, timeout=10)


def unconfigure(mode, topo):
    cmds = ["configure terminal", "multinic", "no numa-policy", "no receive-steering off"]
    for nic in topo["nics"]:
        cmds += ["no nic %s numa-node" % nic["name"], "no nic %s speed" % nic["name"]]
    cmds += ["task " + mode.task_name, "no numa-node"]
    vtysh(topo["h1"], *cmds, check=False)


def split(topo, r):
    """The task's egress per NIC node: remote share, local and remote Mbit/s."""
    local = set(local_nics(topo))
    lo = sum(x for i, x in enumerate(r["nic_mbit"]) if i in local)
    re = sum(x for i, x in enumerate(r["nic_mbit"]) if i not in local)
    r["local_mbit"], r["remote_mbit"] = lo, re
    r["remote_share"] = re / (lo + re) if lo + re else None
    return r


def flow_row(mode, topo, anchors, task, args, rep, raw, key, policy, bitrate):
    configure(mode, topo, policy, "off")
    time.sleep(1.5)  # the sampler's NIC loads start from idle (1 s samples)
    mode.ready(topo, task)
    r = measure.flows_run(topo, anchors, task, ELEPHANTS, args.duration, "%s/%s-%s-rep%d.json"
                          % (raw, mode.key, key, rep), counters=lambda: mode.counters(topo),
                          bitrate=bitrate)
    return split(topo, r)


def wave_row(mode, topo, anchors, task, args, rep, raw, key, policy):
    """Two waves of ELEPHANTS / 2 unbounded flows, the second WAVE_S after
    the first (a second iperf3 server port): the NICs' transmit rates
    while both run."""
    configure(mode, topo, policy, "off")
    # kernel mode: a resilient group's bucket moves to a joining NIC only
    # once idle for its idle timer (multinic_zapi.c: 10 s); a host's node
    # groups are long-lived, this one was just made by configure()
    time.sleep(KERNEL_NHG_IDLE_S + 1 if mode.egress_mode == "kernel" else 1.5)
    mode.ready(topo, task)
    half = ELEPHANTS // 2
    devs = [n["name"] for n in topo["nics"]]
    measure.offloads(topo, task, False)
    servers = [measure.iperf3_server(topo, anchors["remote"], measure.IPERF_PORT + i)
               for i in (0, 1)]
    sampler = measure.Sampler(anchors["h1"].path("dev"), devs)
    sampler.start()
    first = measure.iperf3_client(task, topo, half, int(WAVE_S + args.duration + 1),
                                  ["-p", str(measure.IPERF_PORT)])
    time.sleep(WAVE_S)
    t0 = time.monotonic()
    second = measure.iperf3_client(task, topo, half, args.duration,
                                   ["-p", str(measure.IPERF_PORT + 1)])
    try:
        res = [measure.finish(c, srv, WAVE_S + args.duration + 30)
               for c, srv in ((second, servers[1]), (first, servers[0]))]
    finally:
        t1 = time.monotonic()
        samples = sampler.stop()
    with open("%s/%s-%s-rep%d.json" % (raw, mode.key, key, rep), "w") as f:
        json.dump(res, f)
    per_nic, dt = measure.window_bytes(samples, t0 + measure.OMIT + 0.3, t1 - 0.3)
    nic_mbit = [b * 8 / dt / 1e6 for b in per_nic]
    r = {"nic_mbit": nic_mbit, "goodput_mbit": sum(nic_mbit),
         "ratio": sum(nic_mbit) / (len(devs) * topo["rate_mbit"])}
    return split(topo, r)


def steer_counters(topo):
    """mn_steer's counters over the NICs: packets redirected to a CPU of
    their task's node, already there, whose node has no CPU, whose
    redirect failed."""
    shown = vtysh_json(topo["h1"], "show multinic nic json")
    out = {"steered": 0, "on_node": 0, "no_cpu": 0, "redirect_errors": 0}
    for v in shown.values():
        s = v.get("receiveSteering", {})
        for key, name in (("steered", "steered"), ("on_node", "onNode"), ("no_cpu", "noCpu"),
                          ("redirect_errors", "errors")):
            out[key] += s.get(name, 0)
    return out


def frag_fails(anchor):
    """Ip FragFails of a namespace: packets to forward that were larger
    than the MTU and could not be fragmented (DF), hence dropped."""
    with open(anchor.path("snmp")) as f:
        lines = [line.split() for line in f if line.startswith("Ip:")]
    return int(dict(zip(lines[0][1:], lines[1][1:]))["FragFails"])


def cost_row(mode, topo, anchors, task, args, rep, raw, key, steering, gso):
    configure(mode, topo, "prefer", steering)
    mode.ready(topo, task)
    c0, f0 = steer_counters(topo), frag_fails(anchors["h1"])
    r = measure.cost_run(topo, anchors, task, args.cost_flows, args.cost_duration,
                         "%s/%s-%s-rep%d.json" % (raw, mode.key, key, rep), "ingress", gso=gso,
                         csum=gso)
    c1, f1 = steer_counters(topo), frag_fails(anchors["h1"])
    r["frag_fails"] = f1 - f0
    for k in c0:
        r[k] = c1[k] - c0[k]
    r["retransmits"] = measure_retransmits(raw, mode, key, rep)
    return r


def measure_retransmits(raw, mode, key, rep):
    """The sender's TCP retransmits in the cost run (iperf3's JSON)."""
    with open("%s/%s-%s-rep%d.json" % (raw, mode.key, key, rep)) as f:
        return json.load(f)["end"]["sum_sent"].get("retransmits")


def runs(mode, topo, anchors, task, args, rep, raw, res):
    if not mode.control_plane:
        for key in ROWS:
            res[key].append({"error": "not applicable: multinicd modes only"})
        return
    local_cap = len(local_nics(topo)) * topo["rate_mbit"]
    per_flow = "%dM" % max(1, int(local_cap * LOCAL_LOAD / ELEPHANTS))
    try:
        for key, policy, bitrate in (("numa_local", "prefer", per_flow),
                                     ("numa_spill", "prefer", None),
                                     ("numa_ignore", "ignore", None)):
            r = flow_row(mode, topo, anchors, task, args, rep, raw, key, policy, bitrate)
            res[key].append(r)
            log("  %-28s NUMA %-6s %d flows%s: %.1f Mbit/s (%.1f local, %.1f remote), remote "
                "share %.3f" % (mode.label, key[5:], ELEPHANTS,
                                " of %s" % bitrate if bitrate else "", r["goodput_mbit"],
                                r["local_mbit"], r["remote_mbit"], r["remote_share"] or 0))
        for key, policy in (("numa_wave_prefer", "prefer"), ("numa_wave_ignore", "ignore")):
            r = wave_row(mode, topo, anchors, task, args, rep, raw, key, policy)
            res[key].append(r)
            log("  %-28s NUMA %s: 2 x %d flows %.0f s apart: %.1f Mbit/s on the NICs (%.1f "
                "local, %.1f remote), remote share %.3f" % (
                    mode.label, key[5:], ELEPHANTS // 2, WAVE_S, r["goodput_mbit"],
                    r["local_mbit"], r["remote_mbit"], r["remote_share"] or 0))
        if not mode.ingress_available(topo)[0]:
            for key in COST_ROWS:
                res[key].append({"error": "not applicable: no ingress (VIP not announced)"})
            return
        for key in COST_ROWS:
            steering, gso = key.split("_")[2], key.endswith("_gso")
            try:
                r = cost_row(mode, topo, anchors, task, args, rep, raw, key, steering, gso)
            except RuntimeError as e:
                # a stalled transfer (iperf3 timed out) is this row's finding, not the rep's
                log("  %-28s NUMA %s: %s" % (mode.label, key, e))
                res[key].append({"error": str(e)})
                measure.restore_nics(topo)
                continue
            res[key].append(r)
            log("  %-28s NUMA receive-steering %-3s, GSO %-3s: %.2f Gbit/s, %.2f CPU s/GB, %d "
                "packets steered, %d already on the node, %d redirect errors, %s retransmits, "
                "%d FragFails" % (mode.label, steering, "on" if gso else "off", r["gbit"],
                                  r["cpu_s_per_gb"] or 0, r["steered"], r["on_node"],
                                  r["redirect_errors"], r["retransmits"], r["frag_fails"]))
    finally:
        unconfigure(mode, topo)
