#!/usr/bin/python3
"""Runs every measurement on a topology bench/run has built, writes
results.json, results.md and results.png into the output directory.

Modes are interleaved (each repetition goes once through every mode, in a
rotated order) so that a burst of load from elsewhere on this shared
machine hits all modes alike instead of one mode's repetitions.
"""

import argparse
import hashlib
import json
import os
import platform
import signal
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import controlplane  # noqa: E402
import measure  # noqa: E402
import numa  # noqa: E402
import report  # noqa: E402
from modes import MODES, leftovers  # noqa: E402
from stats import summarize  # noqa: E402
from util import Anchor, log, vtysh_json  # noqa: E402

FLOW_KEYS = ["goodput_mbit", "ratio", "ratio_best", "jain", "retransmits", "qdisc_drops",
             "lost_packets", "sender_cpu_pct", "moves"]
MIXED_KEYS = ["goodput_mbit", "aggregate_ratio", "short_flows", "short_failed",
              "short_fct_median_ms", "short_fct_p90_ms", "retransmits", "moves"]
REORDER_KEYS = ["moves", "segments", "reordered", "reordered_host", "retransmitted",
                "capture_dropped"]
FAILOVER_KEYS = ["lost_packets", "recovery_s", "flow_stall_s", "flows_stalled", "flows_blocked",
                 "flow_stall_before_s", "failed_flows", "failed_flows_recovered_s",
                 "failed_flows_blocked", "surviving_flows", "surviving_moved",
                 "surviving_stall_s", "surviving_retrans_before", "surviving_retrans_after",
                 "redirect_errors", "degraded_ratio", "returned_s", "after_return_ratio",
                 "retransmits_2s", "retransmits_total", "qdisc_drops", "goodput_mbit",
                 "pre_mbit", "offered_mbit"]
COST_KEYS = ["gbit", "cpu_s_per_gb", "cpu_s", "iperf3_cpu_s", "ksoftirqd_cpu_s", "cpumap_cpu_s",
             "machine_busy_s"]
DIRECTIONS = ("egress", "ingress")
# What a run measures; --only picks some (to iterate on one part).
SECTIONS = ("throughput", "placement", "failover", "cost", "numa", "control")
# Placement rows: mixed traffic, and unequal NICs (the second half of the
# NICs at twice the rate, weights to match; as many elephants as units of
# R, so that perfect placement fills every NIC).
MIXED_ELEPHANTS = 4


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--topology", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--cp-reps", type=int, default=3,
                   help="repetitions of the control-plane measurements")
    p.add_argument("--duration", type=int, default=6, help="seconds per throughput run")
    # egress: elephants 8, 4, 2, then 32 flows right after the 2 elephants
    # (an uneven period: half the NICs were busy, half idle)
    p.add_argument("--egress-flows", default="8,4,2,32")
    p.add_argument("--ingress-flows", default="4,32")
    p.add_argument("--only", default=",".join(SECTIONS),
                   help="comma-separated sections: " + ", ".join(SECTIONS))
    p.add_argument("--failover", default="12,4,8",
                   help="duration,fail_at,back_at in seconds")
    p.add_argument("--failover-flows", type=int, default=32)
    p.add_argument("--cost-duration", type=int, default=4,
                   help="seconds per unshaped (datapath cost) run")
    p.add_argument("--cost-flows", type=int, default=4)
    p.add_argument("--fail-nic", type=int, default=0)
    p.add_argument("--tasks", default="1,8,32", help="task counts for the RSS figures")
    p.add_argument("--creep-cycles", type=int, default=3,
                   help="extra add/delete cycles of the largest task count")
    p.add_argument("--modes", default="", help="comma-separated mode keys (default all)")
    p.add_argument("--command", default="", help="the command line, for the record")
    return p.parse_args()


def git_describe():
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        rev = subprocess.run(["git", "-C", top, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", top, "status", "--porcelain",
                                "--untracked-files=no", "--", "bench", "frr-multinic", "bpf"],
                               capture_output=True, text=True).stdout.strip()
        return rev + ("+changes" if dirty else "")
    except OSError:
        return None


MULTINICD = "/usr/lib/frr/multinicd"


def binary_id(path=MULTINICD):
    """Which multinicd build ran: it is rebuilt and reinstalled while
    people work, and a run must say if that happened under it."""
    try:
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()[:16]
        return {"sha256": digest, "mtime": time.strftime(
            "%Y-%m-%dT%H:%M:%S", time.localtime(os.stat(path).st_mtime))}
    except OSError as e:
        return {"error": str(e)}


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def meta(args, topo):
    ver = vtysh_json(topo["h1"], "show multinic json")
    failover = [float(x) for x in args.failover.split(",")]
    return {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": args.command,
        "git": git_describe(),
        "multinicd_version": ver.get("version"),
        "multinicd_binary": binary_id(),
        "kernel": platform.release(),
        "cpus": os.cpu_count(),
        "loadavg_start": loadavg(),
        "nics": len(topo["nics"]),
        "rate_mbit": topo["rate_mbit"],
        "limit_mbit": len(topo["nics"]) * topo["rate_mbit"],
        "reps": args.reps,
        "cp_reps": args.cp_reps,
        "sections": args.only.split(","),
        "duration_s": args.duration,
        "omit_s": measure.OMIT,
        "flows": {"egress": flow_counts(args, "egress"), "ingress": flow_counts(args, "ingress")},
        "mixed": {"elephants": MIXED_ELEPHANTS, "short_flows": measure.SHORT_FLOWS,
                  "short_kb": list(measure.SHORT_KB)},
        "unequal": {"rates_mbit": unequal_rates(topo), "weights": unequal_weights(topo),
                    "flows": unequal_flows(topo)},
        "reorder": {"elephants": measure.REORDER_ELEPHANTS, "flows": measure.REORDER_FLOWS,
                    "burst_kb": measure.REORDER_BURST_KB, "idle_ms": measure.REORDER_IDLE_MS,
                    "weights": reorder_weights(topo, 0)},
        "failover": {"duration_s": failover[0], "fail_at_s": failover[1],
                     "back_at_s": failover[2], "flows": args.failover_flows,
                     "load": measure.FAILOVER_LOAD,
                     "nic": topo["nics"][args.fail_nic]["name"]},
        "cost": {"duration_s": args.cost_duration, "flows": args.cost_flows},
        "numa": {"nic_nodes": [numa.nic_node(topo, i) for i in range(len(topo["nics"]))],
                 "task_node": numa.TASK_NODE, "elephants": numa.ELEPHANTS,
                 "local_load": numa.LOCAL_LOAD, "spill_threshold": numa.SPILL_THRESHOLD,
                 "wave_s": numa.WAVE_S,
                 "sysfs": topo.get("numa_sysfs")},
        "task_counts": [int(x) for x in args.tasks.split(",")],
        "announce": topo.get("announce"),
    }


def select_modes(args):
    if not args.modes:
        return list(MODES)
    want = args.modes.split(",")
    unknown = set(want) - {m.key for m in MODES}
    if unknown:
        sys.exit("bench: unknown mode(s): %s (known: %s)" % (
            ", ".join(sorted(unknown)), ", ".join(m.key for m in MODES)))
    return [m for m in MODES if m.key in want]


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM: stop measuring at once (bench/run cleans up)."""


def on_signal(signum, _frame):
    # Ctrl-C reaches the whole process group: iperf3 and the anchors die
    # too, and the errors that follows must not read as a failed repetition.
    global INTERRUPTED
    INTERRUPTED = True
    raise Interrupted(signal.Signals(signum).name)


INTERRUPTED = False


def multinicd_pid(topo):
    try:
        with open("/var/run/frr/%s/multinicd.pid" % topo["h1"]) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def flow_counts(args, direction):
    return [int(x) for x in getattr(args, direction + "_flows").split(",")]


def unequal_weights(topo):
    n = len(topo["nics"])
    return [1] * (n // 2) + [2] * (n - n // 2)


def unequal_rates(topo):
    return [topo["rate_mbit"] * w for w in unequal_weights(topo)]


def unequal_flows(topo):
    return sum(unequal_weights(topo))


def throughput_runs(mode, topo, anchors, task, args, rep, raw, res, directions):
    """Egress and ingress throughput with each flow count."""
    for direction in directions:
        for n in flow_counts(args, direction):
            mode.ready(topo, task)
            r = measure.flows_run(topo, anchors, task, n, args.duration, os.path.join(
                raw, "%s-%s-%dflows-rep%d.json" % (mode.key, direction, n, rep)), direction,
                counters=lambda: mode.counters(topo))
            res["%s%d" % (direction, n)].append(r)
            log("  %-28s %s %2d flows: %5.1f Mbit/s, ratio %.3f (to best %.3f), Jain %.3f, "
                "lost %d%s" % (mode.label, direction, n, r["goodput_mbit"], r["ratio"],
                               r["ratio_best"], r["jain"], r["lost_packets"], moves_note(r)))


def moves_note(r):
    return "" if r.get("moves") is None else ", %d moves" % r["moves"]


def placement_runs(mode, topo, anchors, task, args, rep, raw, res):
    """Mixed traffic, then unequal NICs (egress)."""
    mode.ready(topo, task)
    r = measure.mixed_run(topo, anchors, task, MIXED_ELEPHANTS, args.duration, os.path.join(
        raw, "%s-mixed-rep%d.json" % (mode.key, rep)), counters=lambda: mode.counters(topo))
    res["mixed"].append(r)
    log("  %-28s mixed: aggregate %.3f, %d short flows, median completion %.1f ms%s" % (
        mode.label, r["aggregate_ratio"], r["short_flows"], r["short_fct_median_ms"] or 0,
        moves_note(r)))
    if not mode.weighted:
        for key in ("unequal", "reorder"):
            res[key].append({"error": "not applicable: the mode does not weigh NICs"})
        return
    rates = unequal_rates(topo)
    try:
        measure.shape_nics(topo, rates)
        mode.set_weights(topo, unequal_weights(topo))
        time.sleep(1)  # the datapath takes the weights (tables rebuilt)
        mode.ready(topo, task)
        r = measure.flows_run(topo, anchors, task, unequal_flows(topo), args.duration,
                              os.path.join(raw, "%s-unequal-rep%d.json" % (mode.key, rep)),
                              counters=lambda: mode.counters(topo), rates=rates)
    finally:
        measure.shape_nics(topo, None)
        mode.set_weights(topo, None)
    res["unequal"].append(r)
    log("  %-28s unequal NICs %s Mbit/s: ratio to their sum %.3f%s" % (
        mode.label, "/".join(str(x) for x in rates), r["ratio"], moves_note(r)))
    reorder_runs(mode, topo, anchors, task, args, rep, raw, res)


def reorder_weights(topo, i):
    """The i-th weighting of the reordering row: NIC 0 three times the
    others, then all equal (the mode's own weights), and so on."""
    if i is None or i % 2:
        return None
    return [3] + [1] * (len(topo["nics"]) - 1)


def reorder_runs(mode, topo, anchors, task, args, rep, raw, res):
    """Reordering while the NICs' weights alternate (weighted modes)."""
    mode.ready(topo, task)
    r = measure.reorder_run(topo, anchors, task, max(args.duration, 6), os.path.join(
        raw, "%s-reorder-rep%d.json" % (mode.key, rep)),
        lambda i: mode.set_weights(topo, reorder_weights(topo, i)),
        counters=lambda: mode.counters(topo))
    res["reorder"].append(r)
    log("  %-28s reordering: %d of %d segments reordered by a move, %d on the host path, "
        "%d retransmitted%s" % (mode.label, r["reordered"], r["segments"], r["reordered_host"],
                                r["retransmitted"], moves_note(r)))


def failover_runs(mode, topo, anchors, task, args, rep, raw, res, directions):
    d, fail_at, back_at = (float(x) for x in args.failover.split(","))
    timing = {"duration": int(d), "fail_at": fail_at, "back_at": back_at}
    for direction in directions:
        mode.ready(topo, task)
        r = measure.failover_run(topo, anchors, task, args.failover_flows, timing,
                                 args.fail_nic, os.path.join(
                                     raw, "%s-%s-failover-rep%d.json" % (
                                         mode.key, direction, rep)),
                                 counters=lambda: mode.counters(topo), direction=direction)
        res["failover_" + direction].append(r)
        log("  %-28s %s failover: %d packets lost, recovery %s s, failed NIC's %d flows "
            "resumed after %s s, %d/%d surviving flows moved, NIC back in use after %s s" % (
                mode.label, direction, r["lost_packets"], fmt(r["recovery_s"]),
                r["failed_flows"], fmt(r["failed_flows_recovered_s"]), r["surviving_moved"],
                r["surviving_flows"], fmt(r["returned_s"])))


def cost_runs(mode, topo, anchors, task, args, rep, raw, res, directions):
    for direction in directions:
        mode.ready(topo, task)
        r = measure.cost_run(topo, anchors, task, args.cost_flows, args.cost_duration,
                             os.path.join(raw, "%s-%s-cost-rep%d.json" % (
                                 mode.key, direction, rep)), direction)
        res["cost_" + direction].append(r)
        log("  %-28s %s unshaped: %.2f Gbit/s, %.2f CPU s/GB" % (
            mode.label, direction, r["gbit"], r["cpu_s_per_gb"] or 0))


def run_mode_rep(mode, topo, anchors, args, rep, raw, res, notes):
    """One repetition of every data-plane measurement of one mode (of the
    sections asked for): egress and ingress throughput with each flow
    count, mixed traffic and unequal NICs, a NIC failing under egress and
    under ingress traffic, the unshaped datapath cost."""
    task = None
    pid = None
    sections = args.only.split(",")
    keys = result_keys(args)
    try:
        task = mode.setup(topo)
        pid = multinicd_pid(topo)  # setup may have restarted FRR (see its notes)
        task.start_anchor()
        for note in mode.check(topo, task):
            notes.append("%s: %s" % (mode.label, note))
        directions = [d for d in DIRECTIONS
                      if d == "egress" or mode.ingress_available(topo)[0]]
        if "throughput" in sections:
            throughput_runs(mode, topo, anchors, task, args, rep, raw, res, directions)
        if "placement" in sections:
            placement_runs(mode, topo, anchors, task, args, rep, raw, res)
        if "failover" in sections:
            failover_runs(mode, topo, anchors, task, args, rep, raw, res, directions)
        if "cost" in sections:
            cost_runs(mode, topo, anchors, task, args, rep, raw, res, directions)
        if "numa" in sections:
            numa.runs(mode, topo, anchors, task, args, rep, raw, res)
    except Exception as e:  # one broken repetition must not lose the others
        if INTERRUPTED:
            raise Interrupted("interrupted") from e
        log("  %s: repetition %d failed: %s" % (mode.label, rep, e))
        traceback.print_exc()
        err = {"error": str(e)}
        for key in keys:
            if len(res[key]) <= rep:
                res[key].append(err)
    finally:
        if task:
            task.stop_anchor()
        try:
            mode.teardown(topo, task)
        except Exception as e:
            notes.append("%s: teardown failed: %s" % (mode.label, e))
        measure.restore_nics(topo)
    if pid is not None and multinicd_pid(topo) != pid:
        notes.append("%s: multinicd restarted (pid %s -> %s) during repetition %d: a "
                     "crash? see multinicd.log" % (mode.label, pid, multinicd_pid(topo), rep + 1))
    if mode.control_plane:
        left = leftovers(topo)
        if left:
            notes.append("%s: left on the host after `no multinic`: %s" % (
                mode.label, "; ".join(left)))


def result_keys(args):
    sections = args.only.split(",")
    keys = []
    if "throughput" in sections:
        keys += ["%s%d" % (d, n) for d in DIRECTIONS for n in flow_counts(args, d)]
    if "placement" in sections:
        keys += ["mixed", "unequal", "reorder"]
    if "failover" in sections:
        keys += ["failover_" + d for d in DIRECTIONS]
    if "cost" in sections:
        keys += ["cost_" + d for d in DIRECTIONS]
    if "numa" in sections:
        keys += list(numa.ROWS)
    return keys


def dedupe(notes):
    """The same finding in every repetition is one note, with its count."""
    out = []
    for n in dict.fromkeys(notes):
        c = notes.count(n)
        out.append(n if c == 1 else "%s (%d times)" % (n, c))
    return out


def fmt(x):
    return "never" if x is None else "%.2f" % x


def main():
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    args = parse_args()
    with open(args.topology) as f:
        topo = json.load(f)
    raw = os.path.join(args.out, "raw")
    os.makedirs(raw, exist_ok=True)
    anchors = {"h1": Anchor(topo["h1"]), "tor": Anchor(topo["tor"]),
               "remote": Anchor(topo["remote"])}
    result = {"schema": 2, "meta": meta(args, topo), "modes": [], "results": {},
              "control_plane": {}, "notes": []}
    notes = result["notes"]
    modes = select_modes(args)
    ready = []
    for m in modes:
        ok, why = m.available(topo)
        ing_ok, ing_why = m.ingress_available(topo)
        result["modes"].append({"key": m.key, "label": m.label, "ingress": m.ingress,
                                "ebpf": m.ebpf, "available": ok, "why": why,
                                "ingress_available": ing_ok, "ingress_why": ing_why})
        log("mode %-34s %s" % (m.label, "available" if ok else why))
        if ok:
            ready.append(m)
    unknown = set(args.only.split(",")) - set(SECTIONS)
    if unknown:
        sys.exit("bench: unknown section(s): %s (known: %s)" % (
            ", ".join(sorted(unknown)), ", ".join(SECTIONS)))
    data = {m.key: {k: [] for k in result_keys(args)} for m in ready}
    for rep in range(args.reps):
        order = ready[rep % len(ready):] + ready[:rep % len(ready)] if ready else []
        result["meta"].setdefault("loadavg_reps", []).append(loadavg())
        log("repetition %d/%d: %s (load average %s)" % (
            rep + 1, args.reps, ", ".join(m.key for m in order),
            " ".join("%.1f" % x for x in loadavg())))
        for m in order:
            run_mode_rep(m, topo, anchors, args, rep, raw, data[m.key], notes)
    for m in ready:
        out = {"reps": data[m.key]}
        for key, reps in data[m.key].items():
            if key.startswith("failover_"):
                out[key] = summarize(reps, FAILOVER_KEYS)
            elif key.startswith("cost_"):
                out[key] = summarize(reps, COST_KEYS)
            elif key in numa.FLOW_ROWS:
                out[key] = summarize(reps, numa.FLOW_KEYS, ["nic_mbit"])
            elif key in numa.COST_ROWS:
                out[key] = summarize(reps, numa.COST_KEYS)
            elif key == "mixed":
                out[key] = summarize(reps, MIXED_KEYS)
            elif key == "reorder":
                out[key] = summarize(reps, REORDER_KEYS)
            else:
                out[key] = summarize(reps, FLOW_KEYS, ["nic_mbit", "shares", "nic_mbit_ranked"])
        result["results"][m.key] = out
    for m in ready:
        if m.control_plane and "control" in args.only.split(","):
            log("control plane: %s" % m.label)
            try:
                cp = controlplane.measure(topo, m, args.cp_reps, result["meta"]["task_counts"],
                                          args.creep_cycles)
                notes.extend("%s: %s" % (m.label, n) for n in cp.pop("notes"))
                result["control_plane"][m.key] = cp
            except Exception as e:
                if INTERRUPTED:
                    raise Interrupted("interrupted") from e
                log("control plane of %s failed: %s" % (m.label, e))
                traceback.print_exc()
                result["control_plane"][m.key] = {"error": str(e)}
    if binary_id() != result["meta"]["multinicd_binary"]:
        notes.append("%s was replaced during the run (now %s): figures may mix builds"
                     % (MULTINICD, binary_id()))
    result["notes"] = dedupe(notes)
    result["meta"]["loadavg_end"] = loadavg()
    result["meta"]["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    for a in anchors.values():
        a.stop()
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(result, f, indent=1)
    report.write(result, args.out)
    log("results in %s" % args.out)


if __name__ == "__main__":
    try:
        main()
    except Interrupted as e:
        log("interrupted (%s): no results written" % e)
        sys.exit(130)
