#!/usr/bin/python3
"""results.json -> results.md (tables) and results.png (chart).

Also usable alone, to redraw a past run:
    /usr/bin/python3 bench/lib/report.py bench/results/<run>/results.json
"""

import json
import os
import sys

HEADER_CAP = 1448 / 1514  # TCP payload per full-size frame (MTU 1500, timestamps)


def cell(s, digits=2, scale=1.0, never="never"):
    """'median (min–max)' of a spread; what is missing is said, not hidden."""
    if not s or s.get("n", 0) == 0:
        return "–"
    if s["median"] is None:
        return "–" if never is None else "%s (%d/%d)" % (never, s["missing"], s["n"])
    f = "%%.%df" % digits
    med, lo, hi = (f % (s[k] * scale) for k in ("median", "min", "max"))
    text = med if lo == hi else "%s (%s–%s)" % (med, lo, hi)
    if s.get("missing"):
        text += ", %s in %d/%d" % (never, s["missing"], s["n"])
    return text


def med(s, digits=0):
    if not s or s.get("median") is None:
        return "–"
    return ("%%.%df" % digits) % s["median"]


def shares_cell(shares):
    return " / ".join("%.0f" % (s["median"] * 100) if s["median"] is not None else "–"
                      for s in shares)


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def flows_of(meta, direction):
    """Flow counts of a direction's throughput runs (older results: one
    list for both)."""
    flows = meta["flows"]
    return flows[direction] if isinstance(flows, dict) else flows


def worst(s):
    """The worst repetition of a ratio (its minimum), None if none."""
    return None if not s or s.get("n", 0) == 0 else s.get("min")


def available_modes(res, direction="egress"):
    return [m for m in res["modes"] if m["available"]
            and (direction == "egress" or m.get("ingress_available", True))]


def label_of(res, key):
    return next(mm["label"] for mm in res["modes"] if mm["key"] == key)


def get(res, key, *path):
    """res["results"][key][path...], or None where any step is missing."""
    x = res["results"].get(key)
    for p in path:
        if not isinstance(x, dict) or p not in x:
            return None
        x = x[p]
    return x


def median_of(res, key, *path):
    s = get(res, key, *path)
    return None if not s or s.get("n", 0) == 0 else s.get("median")


MULTINIC = ("kernel", "ebpf-hash", "ebpf-least-loaded")
# modes that differ from one above at the switch only: their ingress rows
INGRESS_VARIANTS = ("kernel-resilient",)


def share_dev(res, key, group):
    """Median over repetitions of the largest distance (points) of a NIC's
    share from 1/N."""
    reps = [r for r in (get(res, key, "reps", group) or []) if not r.get("error")]
    if not reps:
        return None
    n = len(reps[0]["shares"])
    devs = sorted(max(abs(x - 1.0 / n) for x in r["shares"]) * 100 for r in reps)
    return {"median": devs[len(devs) // 2] if len(devs) % 2 else
            (devs[len(devs) // 2 - 1] + devs[len(devs) // 2]) / 2,
            "min": devs[0], "max": devs[-1], "n": len(devs), "missing": 0}


def verdict(ok):
    return "–" if ok is None else ("**met**" if ok else "**not met**")


def targets(res):
    """The issue's targets against the measured medians. Nothing here is
    tuned to pass: a target is met or not by the median as measured."""
    m = res["meta"]
    avail = {mm["key"]: mm for mm in res["modes"]}
    rows = []

    def why_missing(key, ingress=False, section=None):
        mm = avail.get(key)
        if not mm:
            return "not run (--modes)"
        if not mm["available"]:
            return mm["why"]
        if ingress and not mm.get("ingress_available", True):
            return mm["ingress_why"]
        if section and section not in m.get("sections", [section]):
            return "not run (--only)"
        return "no result (see the repetitions' errors)"

    def add(target, key, value, ok, missing_ingress=False, section=None):
        label = label_of(res, key) if key in avail else key
        if value is None:
            rows.append([target, label, why_missing(key, missing_ingress, section),
                         "not measured"])
        else:
            rows.append([target, label, value, verdict(ok)])

    b = median_of(res, "multipath", "egress32", "ratio")
    for key in MULTINIC:
        x = median_of(res, key, "egress32", "ratio")
        add("every multinic mode, egress 32 flows ≥ 0.90 of N×R and ≥ (b) (%s)"
            % ("–" if b is None else "%.3f" % b), key,
            None if x is None else "%.3f (%s)" % (x, cell(get(res, key, "egress32", "ratio"))),
            None if x is None else (x >= 0.90 and (b is None or x >= b)))
    for key in MULTINIC + INGRESS_VARIANTS:
        x = median_of(res, key, "ingress32", "ratio")
        add("ingress 32 flows ≥ 0.85 of N×R", key,
            None if x is None else cell(get(res, key, "ingress32", "ratio")),
            None if x is None else x >= 0.85, True)
    for key in MULTINIC:
        for d in ("egress", "ingress"):
            s = share_dev(res, key, d + "32")
            add("%s 32 flows: every NIC's share within ±3 points of 1/N (%.0f %%)"
                % (d, 100.0 / m["nics"]), key,
                None if s is None else "largest distance %s points" % cell(s, 1),
                None if s is None else s["median"] <= 3.0, d == "ingress")
    for key in MULTINIC + INGRESS_VARIANTS:
        for d in ("ingress",) if key in INGRESS_VARIANTS else ("egress", "ingress"):
            fo = get(res, key, "failover_" + d)
            moved = median_of(res, key, "failover_" + d, "surviving_moved")
            rb = median_of(res, key, "failover_" + d, "surviving_retrans_before")
            ra = median_of(res, key, "failover_" + d, "surviving_retrans_after")
            ok = None if moved is None or ra is None else (moved == 0 and ra <= (rb or 0))
            add("%s, NIC failure: no loss on the surviving NICs' flows (none moved, their "
                "retransmits 2 s after ≤ 2 s before)" % d, key,
                None if moved is None or not fo else
                "%s of %s moved; retransmits %s after / %s before" % (
                    med(fo["surviving_moved"]), med(fo["surviving_flows"]),
                    med(fo["surviving_retrans_after"]), med(fo["surviving_retrans_before"])),
                ok, d == "ingress", "failover")
            rec = get(res, key, "failover_" + d, "failed_flows_recovered_s")
            nfail = median_of(res, key, "failover_" + d, "failed_flows")
            target = "%s, NIC failure: the failed NIC's flows resume within 1 s" % d
            if nfail == 0:
                rows.append([target, label_of(res, key),
                             "no flow was on the failed NIC (median of the repetitions)",
                             "not measured"])
                continue
            x = None if not rec or rec.get("n", 0) == 0 else rec["median"]
            add(target, key,
                None if not rec or rec.get("n", 0) == 0 else
                cell(rec, never="not while the NIC was down") + " s",
                None if not rec or rec.get("n", 0) == 0 else (x is not None and x <= 1.0),
                d == "ingress", "failover")
    k = {d: median_of(res, "kernel", "cost_" + d, "gbit") for d in ("egress", "ingress")}
    for key in ("ebpf-hash", "ebpf-least-loaded"):
        for d in ("egress", "ingress"):
            x = median_of(res, key, "cost_" + d, "gbit")
            add("%s, unshaped: eBPF path throughput ≥ kernel path (%s Gbit/s)" % (
                d, "–" if k[d] is None else "%.2f" % k[d]), key,
                None if x is None or k[d] is None else "%.2f Gbit/s" % x,
                None if x is None or k[d] is None else x >= k[d], d == "ingress", "cost")
    for key in MULTINIC:
        cp = (res.get("control_plane") or {}).get(key) or {}
        s = cp.get("announced_ms")
        x = None if not s or s.get("median") is None else s["median"]
        first = (cp.get("tasks") or {}).get("1", {}).get("announced_ms")
        add("one task wired and announced (commit → VIP in the switch's FIB with N paths) "
            "within 100 ms", key, None if x is None else
            "%s ms (the VIP's route in the host's kernel after %s ms; the first task "
            "after FRR started: %s ms)" % (
                cell(s, 0), cell(cp.get("host_route_ms"), 0, never=None),
                cell(first, 0, never=None)),
            None if x is None else x <= 100, True, "control")
    return rows


PLACEMENT_MODES = ("ebpf-hash", "ebpf-least-loaded")


def share_dev_worst(res, key, group):
    s = share_dev(res, key, group)
    return None if s is None else s["max"]


def placement_targets(res):
    """Issue 14's targets, on the worst repetition where it says so. Like
    targets(): nothing is tuned to pass, a target is met or not as
    measured."""
    avail = {mm["key"]: mm for mm in res["modes"]}
    rows = []
    m = res["meta"]
    n_nics = m["nics"]

    def add(target, key, value, ok):
        label = label_of(res, key) if key in avail else key
        if value is None:
            rows.append([target, label, "not measured", "–"])
        else:
            rows.append([target, label, value, verdict(ok)])

    egress = flows_of(m, "egress")
    for key in PLACEMENT_MODES:
        for n in [f for f in egress if f < 32]:
            s = get(res, key, "egress%d" % n, "ratio_best")
            w = worst(s)
            add("egress, %d elephants: ≥ 0.93 of what %d NIC(s) can carry (min(F, N)×R) in "
                "the worst repetition" % (n, min(n, n_nics)), key,
                None if w is None else "worst %.3f, median %s" % (w, cell(s, 3)), w is not None
                and w >= 0.93)
        if 32 in egress:
            s = get(res, key, "egress32", "ratio")
            w, dev = worst(s), share_dev_worst(res, key, "egress32")
            add("egress, 32 flows after an uneven period: ≥ 0.93 of N×R, every NIC within ±3 "
                "points of 1/N (worst repetition)", key,
                None if w is None else "worst %.3f, largest distance from 1/N %.1f points" % (
                    w, dev), w is not None and w >= 0.93 and dev <= 3.0)
    hash_fct = median_of(res, "ebpf-hash", "mixed", "short_fct_median_ms")
    for key in PLACEMENT_MODES:
        s = get(res, key, "mixed", "aggregate_ratio")
        fct = median_of(res, key, "mixed", "short_fct_median_ms")
        w = worst(s)
        ok = w is not None and w >= 0.90
        if key != "ebpf-hash":
            ok = ok and fct is not None and hash_fct is not None and fct <= hash_fct
        add("mixed traffic: aggregate ≥ 0.90 of N×R (worst repetition), short flows' median "
            "completion time no worse than hash (%s ms)" % (
                "–" if hash_fct is None else "%.1f" % hash_fct), key,
            None if w is None else "aggregate worst %.3f; short flows' median %s ms" % (
                w, cell(get(res, key, "mixed", "short_fct_median_ms"), 1)), ok)
        s = get(res, key, "unequal", "ratio")
        w = worst(s)
        add("unequal NICs (%s Mbit/s, weights %s): ≥ 0.90 of their sum (worst repetition)" % (
            "/".join(str(x) for x in m.get("unequal", {}).get("rates_mbit", [])),
            "/".join(str(x) for x in m.get("unequal", {}).get("weights", []))), key,
            None if w is None else "worst %.3f, median %s" % (w, cell(s, 3)),
            w is not None and w >= 0.90)
    t = reorder_totals(res, "ebpf-least-loaded")
    h = reorder_totals(res, "ebpf-hash")
    add("0 reordered segments from moves (reordering row: bursty flows captured at both "
        "ends while NIC weights alternate)", "ebpf-least-loaded",
        None if t is None else "%d of %d segments reordered by a move over %d moves (hash: "
        "%s; on the host path, whatever the placement: %d)" % (
            t[1], t[2], t[0] or 0, "–" if h is None else "%d of %d" % (h[1], h[2]), t[4]),
        t is not None and (t[0] or 0) > 0 and t[1] == 0)
    return rows


def placement_groups(res):
    """The result groups of the placement rows: elephants and 32 flows
    (egress), mixed traffic, unequal NICs."""
    return ["egress%d" % n for n in flows_of(res["meta"], "egress")] + ["mixed", "unequal"]


def placement_moves(res, key):
    """Moves over every placement run of a mode (None when it does not
    re-balance)."""
    moves = None
    for group in placement_groups(res):
        for r in get(res, key, "reps", group) or []:
            if not r.get("error") and r.get("moves") is not None:
                moves = (moves or 0) + r["moves"]
    return moves


def reorder_totals(res, key):
    """(moves, reordered by a move, segments, retransmitted, reordered on
    the host path) over the reordering row's repetitions, None when it was
    not measured."""
    reps = [r for r in get(res, key, "reps", "reorder") or [] if not r.get("error")]
    if not reps:
        return None
    moves = [r["moves"] for r in reps if r.get("moves") is not None]
    return (sum(moves) if moves else None,) + tuple(
        sum(r.get(k) or 0 for r in reps)
        for k in ("reordered", "segments", "retransmitted", "reordered_host"))


def placement_md(res):
    m = res["meta"]
    egress = flows_of(m, "egress")
    lines = ["## Placement (egress)", "",
             "Each cell: median (worst repetition); ratios as in the throughput tables. "
             "Elephants: iperf3 -P F, goodput / min(F, N)×R (what F elephants can fill). "
             "32 flows: started right after the 2-elephant run ended (half the NICs were "
             "busy, half idle). Mixed: %d elephants plus %d short flows of %d–%d kB arriving "
             "as a Poisson process during the run (the same flows in every mode): aggregate "
             "goodput / N×R, and the short flows' completion times (connect to the server's "
             "close). Unequal NICs: %s Mbit/s, NIC weights %s, %d elephants, goodput / the "
             "NICs' sum. Moves: flows least-loaded re-balanced at flowlet boundaries in "
             "these runs. Reordering row (modes that weigh NICs): %d elephants keep every "
             "NIC's queue full while %d bulk flows send %d kB at once, wait until it is "
             "acknowledged, pause %d ms and so on; the NICs' weights alternate every second "
             "between %s and the mode's own; the bursty flows are captured on every NIC and "
             "at the remote: reordered = segments that arrived after data beyond them although "
             "sent only once, by a move when the segment that overtook them left on another "
             "NIC, on the host path when on the same NIC (the task's packets enter the veth "
             "backlog of whichever CPU sent them; summed over the repetitions). Moves are "
             "least-loaded's; hash and the kernel move flows when their tables change, "
             "uncounted." % (
                 m.get("mixed", {}).get("elephants", 0), m.get("mixed", {}).get("short_flows", 0),
                 *m.get("mixed", {}).get("short_kb", [0, 0]),
                 "/".join(str(x) for x in m.get("unequal", {}).get("rates_mbit", [])),
                 "/".join(str(x) for x in m.get("unequal", {}).get("weights", [])),
                 m.get("unequal", {}).get("flows", 0),
                 m.get("reorder", {}).get("elephants", 0), m.get("reorder", {}).get("flows", 0),
                 m.get("reorder", {}).get("burst_kb", 0), m.get("reorder", {}).get("idle_ms", 0),
                 "/".join(str(x) for x in m.get("reorder", {}).get("weights") or [])), ""]
    head = ["mode"] + ["%d %s" % (n, "elephants" if n < 32 else "flows after 2") for n in egress]
    head += ["32 flows: largest distance from 1/N (points)", "mixed: aggregate",
             "mixed: short flows' median completion (ms)", "mixed: 90th percentile (ms)",
             "unequal NICs: ratio to ΣR", "moves in these runs",
             "reordering row: moves",
             "reordering row: segments reordered by a move / all (on the host path; "
             "retransmitted)"]
    rows = []
    for mode in available_modes(res):
        key = mode["key"]
        row = [mode["label"]]
        for n in egress:
            s = get(res, key, "egress%d" % n, "ratio_best" if n < 32 else "ratio")
            row.append(mw(s))
        dev = share_dev(res, key, "egress32")
        row.append("–" if dev is None else "%.1f (%.1f)" % (dev["median"], dev["max"]))
        row.append(mw(get(res, key, "mixed", "aggregate_ratio")))
        row.append(cell(get(res, key, "mixed", "short_fct_median_ms"), 1, never=None))
        row.append(cell(get(res, key, "mixed", "short_fct_p90_ms"), 1, never=None))
        reps = get(res, key, "reps", "unequal") or []
        row.append("not applicable" if reps and all(
            str(r.get("error", "")).startswith("not applicable") for r in reps)
            else mw(get(res, key, "unequal", "ratio")))
        moves = placement_moves(res, key)
        row.append("–" if moves is None else str(moves))
        t = reorder_totals(res, key)
        row.append("–" if t is None or t[0] is None else str(t[0]))
        row.append("not applicable" if t is None else "%d / %d (%d; %d)" % (
            t[1], t[2], t[4], t[3]))
        rows.append(row)
    lines += table(head, rows)
    return lines + [""]


def mw(s, digits=3):
    """'median (worst)' of a ratio's spread."""
    if not s or s.get("n", 0) == 0 or s.get("median") is None:
        return "–"
    f = "%%.%df" % digits
    return (f + " (" + f + ")") % (s["median"], s["min"])


def markdown(res):
    m, r = res["meta"], res["results"]
    fo = m["failover"]
    quick = m["reps"] < 3
    lines = [
        "# frr-multinic benchmark, %s%s" % (
            m["started"][:10], " — SMOKE RUN (1 repetition, short runs: not the figures "
            "of record)" if quick else ""),
        "",
        "%d NICs, each shaped with tbf to %d Mbit/s (limit N×R = %d Mbit/s); "
        "%d repetition(s), each cell is the median (min–max). "
        "Absolute figures on this shared %d-CPU machine are noise; compare the ratios."
        % (m["nics"], m["rate_mbit"], m["limit_mbit"], m["reps"], m["cpus"]),
        "",
        "Command: `%s`  " % m["command"],
        "Kernel %s, multinicd %s (binary sha256 %s…, installed %s), checkout %s, "
        "load average (1 min) %s at start, %s at the start of each repetition, %s at the "
        "end (this machine is shared; other work ran alongside)."
        % (m["kernel"], m["multinicd_version"],
           m.get("multinicd_binary", {}).get("sha256", "?"),
           m.get("multinicd_binary", {}).get("mtime", "?"), m["git"],
           "%.1f" % m["loadavg_start"][0],
           " / ".join("%.1f" % x[0] for x in m.get("loadavg_reps", [])) or "–",
           " ".join("%.1f" % x for x in m.get("loadavg_end", [])[:1])),
        "",
    ]
    ann = m.get("announce") or {"ok": True}
    if not ann["ok"]:
        lines += ["**Task VIPs were not announced by BGP in this run**: %s. The switch had "
                  "a static route to 10.200.0.0/16 over every NIC instead, so multinicd's "
                  "egress was measured, its ingress and announcement times were not." % ann["why"],
                  ""]
    lines += [
        "![per-NIC throughput per mode, egress and ingress; a NIC failing; datapath cost; "
        "control plane](results.png)",
        "",
        "## Targets (issue 7)",
        "",
        "Verdicts use the median of the repetitions; the spread is in the tables below.",
        "",
    ]
    lines += table(["target", "mode", "measured", ""], targets(res))
    lines += ["", "## Targets (issue 14: placement)", "",
              "Verdicts on the worst repetition where the target says so; the least-loaded "
              "rows against hash, measured side by side.", ""]
    lines += table(["target", "mode", "measured", ""], placement_targets(res))
    lines += [""]
    lines += placement_md(res)
    for d in ("egress", "ingress"):
        flows = flows_of(m, d)
        lines += ["## %s: throughput and balance" % d.capitalize(), ""]
        head = ["mode"]
        if d == "ingress":
            head += ["how the switch spreads it"]
        for n in flows:
            head += ["%d flows: ratio to N×R" % n, "%d flows: Jain" % n]
        head += ["%d flows: per-NIC share %%" % flows[-1], "%d flows: retransmits" % flows[-1],
                 "%d flows: packets lost" % flows[-1]]
        rows = []
        for mode in res["modes"]:
            if not mode["available"]:
                continue
            row = [mode["label"]]
            if d == "ingress":
                row += [mode.get("ingress", "")]
            x = r.get(mode["key"], {})
            if d == "ingress" and not mode.get("ingress_available", True):
                rows.append(row + [mode["ingress_why"]] + [""] * (len(head) - len(row) - 1))
                continue
            if "%s%d" % (d, flows[-1]) not in x:
                rows.append(row + ["not measured (--only)"] + [""] * (len(head) - len(row) - 1))
                continue
            for n in flows:
                row += [cell(x["%s%d" % (d, n)]["ratio"]), cell(x["%s%d" % (d, n)]["jain"])]
            last = x["%s%d" % (d, flows[-1])]
            row += [shares_cell(last["shares"]), cell(last["retransmits"], 0),
                    cell(last["lost_packets"], 0)]
            rows.append(row)
        lines += table(head, rows)
        lines += [""]
    lines += [
        "Ratio: iperf3 goodput (receiver, first %d s left out) / (N×R); TCP/IP headers "
        "cap it at %.3f. Jain's index over the NICs' transmitted bytes (egress: the host's "
        "NICs; ingress: the switch's ports towards them): 1 = even, 1/N = one NIC carries "
        "everything. Shares: NIC 0 first (the chart sorts each run's NICs by load: which "
        "NIC a hash picks is luck). Packets lost: packets that entered the host (egress: "
        "from the task) or the switch (ingress: from the remote) and never left it, less "
        "the tbf queues' own drops (a full queue drops by design; TCP retransmits them)."
        % (m["omit_s"], HEADER_CAP),
        "",
        "## A NIC fails",
        "",
        "%d flows for %g s, paced to %.0f %% of what the N−1 surviving NICs can carry in "
        "all (%.0f Mbit/s), so that no queue overflows while the flows are spread; %s is "
        "set down at %g s (its switch port loses carrier) and up again at %g s; once with "
        "egress traffic, once with ingress traffic."
        % (fo["flows"], fo["duration_s"], fo.get("load", 0) * 100,
           fo.get("load", 0) * (m["nics"] - 1) * m["rate_mbit"], fo["nic"], fo["fail_at_s"],
           fo["back_at_s"]),
        "",
    ]
    rows = []
    for d in ("egress", "ingress"):
        for mode in available_modes(res, d):
            if "failover_" + d not in r[mode["key"]]:
                continue
            x = r[mode["key"]]["failover_" + d]
            rows.append([mode["label"], d, cell(x["lost_packets"], 0), cell(x["recovery_s"]),
                         "%s: %s" % (med(x["failed_flows"]),
                                     cell(x["failed_flows_recovered_s"],
                                          never="not while down")),
                         "%s of %s" % (med(x["surviving_moved"]), med(x["surviving_flows"])),
                         "%s / %s" % (med(x["surviving_retrans_after"]),
                                      med(x["surviving_retrans_before"])),
                         cell(x["surviving_stall_s"]), cell(x["flow_stall_before_s"]),
                         cell(x.get("redirect_errors"), 0, never=None),
                         cell(x["degraded_ratio"]),
                         cell(x["returned_s"], never="not in the run"),
                         cell(x["after_return_ratio"])])
    lines += table(["mode", "traffic", "packets lost", "aggregate recovered after (s)",
                    "failed NIC's flows: resumed after (s)",
                    "surviving NICs' flows moved",
                    "surviving flows' retransmits 2 s after / before",
                    "surviving flows' worst stall (s)", "any flow's worst stall before (s)",
                    "eBPF redirect errors", "while down: aggregate / before",
                    "NIC back in use after (s)", "after return: aggregate / before"], rows)
    lines += [
        "",
        "Packets lost: as above, over the whole run (a NIC set down also loses what its "
        "queue held). Aggregate recovered: from the failure until the aggregate rate over "
        "the NICs is back at ≥ 90% of the rate before the failure for 3 consecutive 100 ms "
        "samples. Which NIC each flow uses "
        "comes from the switch's per-port flow counters (nftables) in the second before the "
        "failure and from 1 s after it until the NIC returns; a flow's stall is the longest "
        "time it delivered nothing to the receiver (100 ms resolution); \"resumed after\" is "
        "the worst stall among the failed NIC's flows, \"not while down\" if one of them "
        "waited for the NIC to return. Retransmits: the sender's per-flow counters (ss). "
        "\"NIC back in use\": until the returned NIC carries ≥ 50% of a fair share.",
        "",
        "## Datapath cost (unshaped)",
        "",
        "The NICs' tbf qdiscs removed, %d flows for %d s: the CPU is the limit."
        % (m["cost"]["flows"], m["cost"]["duration_s"]),
        "",
    ]
    rows = []
    for d in ("egress", "ingress"):
        for mode in available_modes(res, d):
            if "cost_" + d not in r[mode["key"]]:
                continue
            x = r[mode["key"]]["cost_" + d]
            rows.append([mode["label"], d, cell(x["gbit"]), cell(x["cpu_s_per_gb"]),
                         cell(x["iperf3_cpu_s"]), cell(x["ksoftirqd_cpu_s"]),
                         cell(x["machine_busy_s"])])
    lines += table(["mode", "traffic", "throughput (Gbit/s)", "CPU s per GB",
                    "iperf3 CPU s", "ksoftirqd CPU s", "whole machine busy (CPU s)"], rows)
    lines += [
        "",
        "CPU time: iperf3 sender and receiver (user + system time: this kernel has no "
        "separate IRQ time accounting, so the softirq forwarding through the veths that runs "
        "in their context is included) plus the ksoftirqd threads and the cpumap threads (work XDP redirected to another CPU), per GB received. The "
        "whole machine's busy time includes other work on this shared machine.",
        "",
    ]
    lines += numa_md(res)
    lines += control_plane_md(res)
    lines += ["## Not available", ""]
    na = ["* %s: %s" % (mm["label"], mm["why"]) for mm in res["modes"] if not mm["available"]]
    na += ["* %s, ingress: %s" % (mm["label"], mm["ingress_why"]) for mm in res["modes"]
           if mm["available"] and not mm.get("ingress_available", True)]
    lines += na or ["* every mode was measured"]
    lines += ["", "## Checks", ""]
    lines += ["* %s" % n for n in res["notes"]] or ["* nothing unexpected was detected"]
    return "\n".join(lines) + "\n"


def numa_md(res):
    """The NUMA rows (issue 19): remote share of a task's egress, the
    aggregate with spill against without NUMA placement, steering cost."""
    m, r = res["meta"], res["results"]
    modes = [mm for mm in available_modes(res)
             if (get(res, mm["key"], "numa_local", "remote_share") or {}).get("n")]
    if not modes:
        return []
    nm = m["numa"]
    nodes = nm["nic_nodes"]
    lines = [
        "## NUMA placement and receive steering (issue 19)",
        "",
        "Two fake NUMA nodes (`%s`); NICs %s on node 0, %s on node 1 (`nic X numa-node N`, "
        "`speed` = the tbf rate); the task on node %d; %d flows; spill threshold %d%%."
        % (nm["sysfs"], ", ".join(str(i) for i, n in enumerate(nodes) if n == 0),
           ", ".join(str(i) for i, n in enumerate(nodes) if n == 1), nm["task_node"],
           nm["elephants"], nm["spill_threshold"]),
        "",
    ]
    rows = []
    for mode in modes:
        x = r[mode["key"]]
        local = x["numa_local"]
        rs = local["remote_share"]["median"]
        row = [mode["label"], cell(local["remote_share"], 3),
               verdict(None if rs is None else rs <= 0.01)]
        for prefer, ignore in (("numa_spill", "numa_ignore"),
                               ("numa_wave_prefer", "numa_wave_ignore")):
            p, i = x.get(prefer), x.get(ignore)
            if not p or not i:
                row += ["–"] * 4
                continue
            mp, mi = p["goodput_mbit"]["median"], i["goodput_mbit"]["median"]
            row += [cell(p["goodput_mbit"], 1), cell(p["remote_share"], 3),
                    cell(i["goodput_mbit"], 1),
                    "–" if not mp or not mi else "%.3f" % (mp / mi)]
        mp = median_of(res, mode["key"], "numa_wave_prefer", "goodput_mbit")
        mi = median_of(res, mode["key"], "numa_wave_ignore", "goodput_mbit")
        row.append(verdict(None if not mp or not mi else mp / mi >= 0.95))
        rows.append(row)
    lines += table(["mode", "remote share, local NICs at %d%%" % (nm["local_load"] * 100),
                    "target 0", "burst: prefer (Mbit/s)", "its remote share",
                    "burst: ignore (Mbit/s)", "prefer / ignore", "waves: prefer (Mbit/s)",
                    "its remote share", "waves: ignore (Mbit/s)", "prefer / ignore",
                    "waves: target ≥ 0.95"], rows)
    lines += [
        "",
        "Remote share: the bytes the task's flows sent through node-1 NICs over all it "
        "sent (the NICs' transmit counters in the steady part of the run). First column: "
        "each flow capped (iperf3 -b) so that together they offer %d%% of the local NICs' "
        "capacity: nothing should leave through a remote NIC. Burst: all flows unbounded "
        "and started together (iperf3 goodput): placement is per new flow, so flows placed "
        "before the local NICs load stay on them. Waves: half the flows, then the other "
        "half %.0f s later, once the NIC load sampler has marked the local NICs loaded "
        "(Mbit/s on the NICs while both run): with `numa-policy prefer` the second wave "
        "spills to node-1 NICs; the aggregate should match `numa-policy ignore` (every "
        "NIC alike)." % (nm["local_load"] * 100, nm.get("wave_s", 0)),
        "",
    ]
    rows = []
    for mode in modes:
        x = r[mode["key"]]
        for gso in ("", "_gso"):
            off, xdp = x.get("numa_steer_off" + gso), x.get("numa_steer_xdp" + gso)
            if not off or not xdp or not off["cpu_s_per_gb"]["n"]:
                continue
            a, b = off["cpu_s_per_gb"]["median"], xdp["cpu_s_per_gb"]["median"]
            frames = "GSO 64 kB" if gso else "wire-size"
            for name, y in (("off", off), ("xdp", xdp)):
                rows.append([mode["label"], frames, name, cell(y["gbit"]),
                             cell(y["cpu_s_per_gb"]), cell(y.get("cpumap_cpu_s")),
                             med(y.get("steered")), med(y.get("on_node")),
                             med(y.get("redirect_errors")), med(y.get("retransmits")),
                             med(y.get("frag_fails"))])
            rows.append([mode["label"], frames, "xdp − off", "", "–" if a is None or b is None
                         else "%+.2f (%+.0f%%)" % (b - a, (b - a) / a * 100 if a else 0)]
                        + [""] * 6)
    if rows:
        lines += ["Receive steering, unshaped ingress (as the datapath cost above): "
                  "`receive-steering off` against `xdp` (mn_steer in XDP on every NIC, "
                  "redirecting the task's packets through a cpumap to a CPU of node 0). Wire-size: "
                  "the senders' TSO, GSO and transmit checksum offload off, so that the veths "
                  "carry MTU-size frames with complete checksums, as a real NIC hands them to "
                  "XDP (the figure of record). GSO 64 kB: all three on, so that "
                  "XDP on the veth sees the sender's 64 kB GSO packets as multi-buffer frames; "
                  "the host's Ip FragFails counts forwarded packets dropped as larger than "
                  "the MTU.", ""]
        lines += table(["mode", "frames", "receive-steering", "throughput (Gbit/s)",
                        "CPU s per GB", "cpumap threads CPU s", "packets steered",
                        "already on the node", "redirect errors", "TCP retransmits",
                        "host Ip FragFails"], rows)
        lines += [""]
    failed = ["* %s, %s: %s" % (mode["label"], key[5:].replace("_", " "), rr["error"])
              for mode in modes for key in sorted(r[mode["key"]]) if key.startswith("numa_")
              for rr in r[mode["key"]].get("reps", {}).get(key, []) if rr.get("error")]
    if failed:
        lines += ["Runs of these rows that gave no figure:", ""] + failed + [""]
    return lines


def lifecycle_targets(res):
    """Issue 15's control-plane targets, on the medians of the
    repetitions.  Times include starting vtysh (the commit's client);
    what the client's start leaves is shown beside, not judged."""
    cps = {k: v for k, v in (res.get("control_plane") or {}).items() if "error" not in v}
    counts = res["meta"]["task_counts"]
    rows = []

    def add(target, key, value, ok):
        rows.append([target, label_of(res, key), value, verdict(ok)])

    def task_med(cp, count, k):
        s = (cp["tasks"].get(str(count)) or {}).get(k)
        return None if not s else s.get("median")

    k64 = cps.get("kernel") and task_med(cps["kernel"], 64, "wired_ms")
    for key, cp in cps.items():
        if key.startswith("ebpf") and 64 in counts and k64:
            e = task_med(cp, 64, "wired_ms")
            add("eBPF wiring at T = 64 ≤ 1.2× kernel mode's (%.0f ms)" % k64, key,
                None if e is None else "%.0f ms (%.2f×)" % (e, e / k64),
                None if e is None else e <= 1.2 * k64)
        ann = (cp.get("announced_ms") or {}).get("median")
        vt = (cp.get("vtysh_ms") or {}).get("median")
        add("one task, commit → switch FIB with N paths ≤ 60 ms once sessions are up: "
            "vtysh (a new vtysh process per commit)", key,
            None if ann is None else "%.0f ms (without vtysh's own start, %s ms)" % (
                ann, "–" if vt is None else "%.0f" % (ann - vt)),
            None if ann is None else ann <= 60)
        cni = (cp.get("cni_announced_ms") or {}).get("median")
        if "cni_announced_ms" in cp:
            add("one task, commit → switch FIB with N paths ≤ 60 ms once sessions are up: "
                "the CNI plugin (a container runtime's ADD)", key,
                None if cni is None else "%.0f ms (ADD answered after %.0f ms)" % (
                    cni, cp["cni_add_ms"]["median"]),
                None if cni is None else cni <= 60)
        if 1 in counts:
            first = task_med(cp, 1, "announced_ms")
            add("the first task after FRR starts announced ≤ 200 ms after the sessions are "
                "up", key, None if first is None else "%.0f ms" % first,
                None if first is None else first <= 200)
        if 1024 in counts:
            a = task_med(cp, 1024, "announced_ms")
            w = task_med(cp, 1024, "wired_ms")
            r = task_med(cp, 1024, "rss_per_task_kb")
            add("1024 tasks on one host wired and announced ≤ 5 s (RSS per task reported)", key,
                None if a is None else "wired %.0f ms, announced %.0f ms; %.1f kB per task" % (
                    w, a, r), None if a is None else a <= 5000)
        creep = (cp.get("rss_creep_kb") or {}).get("max")
        wired_creep = (cp.get("rss_creep_wired_kb") or {}).get("max")
        heap = (cp.get("heap_creep_kb") or {}).get("max")
        grown = [r["mtypes_grown"] for r in cp.get("raw", []) if r.get("mtypes_grown")]
        add("RSS and FRR MTYPE creep over %d cycles of %d tasks: 0 (judged on the heap "
            "in use and the MTYPE counts; RSS shown)" % (
                cp.get("creep_cycles", 0) + 1, max(counts)), key,
            None if heap is None else "heap in use %+.0f kB, MTYPEs grown: %s; RSS at rest "
            "%+.0f kB, with the tasks wired %s kB (worst repetitions)" % (
                heap, "; ".join(", ".join("%s +%d" % kv for kv in sorted(g.items()))
                                for g in grown) or "none",
                creep, "–" if wired_creep is None else "%+.0f" % wired_creep),
            None if heap is None else heap <= 0 and not grown)
    return rows


def control_plane_md(res):
    cps = res.get("control_plane") or {}
    if not cps:
        return []
    counts = res["meta"]["task_counts"]
    lines = ["## Control plane (multinicd, bgpd)", ""]
    lines += ["Targets (issue 15): verdicts on the medians of the repetitions (RSS creep on "
              "the worst). Times include starting vtysh, the commit's client (shown apart "
              "below).", ""]
    lines += table(["target", "mode", "measured", ""], lifecycle_targets(res))
    lines += [""]
    head = ["mode", "first task after FRR started: commit → wired (ms)",
            "first task: commit → announced (ms)",
            "one more task: commit → VIP route in the host's kernel (ms)",
            "of which a vtysh invocation by itself (ms)",
            "one more task: commit → announced (ms)",
            "one more task: commit → pings remote (ms)",
            "one more task by the CNI plugin: ADD → answered / VIP route in the host's "
            "kernel / announced (ms)", "RSS (kB) before any task",
            "RSS growth per task (kB) at %d tasks" % max(counts),
            "creep (kB) over %s more cycle(s) of %d tasks: heap in use / RSS at rest / "
            "RSS wired" % (
                next(iter(cps.values())).get("creep_cycles", "?"), max(counts))]
    rows = []
    for key, cp in cps.items():
        label = label_of(res, key)
        if "error" in cp:
            rows.append([label, "failed: " + cp["error"]] + [""] * (len(head) - 2))
            continue
        t = cp["tasks"]
        one = t.get("1") or t[str(min(counts))]
        rows.append([label, cell(one["wired_ms"], 0),
                     cell(one.get("announced_ms"), 0, never=None),
                     cell(cp.get("host_route_ms"), 0, never=None),
                     cell(cp.get("vtysh_ms"), 0, never=None),
                     cell(cp.get("announced_ms"), 0, never=None),
                     cell(cp["ping_ms"], 0),
                     " / ".join(cell(cp.get(k), 0, never=None) for k in (
                         "cni_add_ms", "cni_host_route_ms", "cni_announced_ms")),
                     cell(cp["rss_before_kb"], 0),
                     cell(t[str(max(counts))]["rss_per_task_kb"], 1),
                     " / ".join(cell(cp.get(k), 0) for k in (
                         "heap_creep_kb", "rss_creep_kb", "rss_creep_wired_kb"))])
    lines += table(head, rows)
    lines += ["", "T tasks committed at once: time until all are wired / all announced "
              "(every VIP in the switch's kernel FIB with N paths) / all withdrawn from the "
              "switch after they are deleted (ms), and multinicd's RSS growth per task (kB):", ""]
    head = ["mode", "figure"] + ["T = %d" % c for c in counts]
    rows = []
    for key, cp in cps.items():
        if "error" in cp:
            continue
        t = cp["tasks"]
        label = label_of(res, key)
        for name, k, digits in (("wired (ms)", "wired_ms", 0),
                                ("every VIP route in the host's kernel (ms)", "host_routes_ms", 0),
                                ("announced (ms)", "announced_ms", 0),
                                ("withdrawn (ms)", "withdrawn_ms", 0),
                                ("RSS growth per task (kB)", "rss_per_task_kb", 1)):
            rows.append([label, name] + [cell(t[str(c)].get(k), digits, never=None)
                                         for c in counts])
            label = ""
    lines += table(head, rows)
    lines += ["", "Each repetition restarts FRR on the host (a fresh multinicd and bgpd), "
              "waits for its BGP sessions and commits T = %s tasks in turn (the first "
              "of these commits is the first task after FRR started); \"one more task\" is "
              "committed after those, to daemons that have run a while. "
              "Times from the start of the vtysh commit (one commit for all T tasks), "
              "so they include vtysh starting (a new process, dynamically linked against "
              "FRR's libraries), measured apart as \"a vtysh invocation by itself\" "
              "(`show version`); "
              "\"announced\" is seen by a process on the switch listening to its kernel's "
              "route notifications (rtnetlink), \"pings remote\" is the first echo reply "
              "from the task, pinging every ~2 ms. RSS is multinicd's VmRSS (4 kB pages); "
              "growth per task = (RSS with T tasks − RSS before any task) / T; creep of the "
              "heap in use: what multinicd's allocator has handed out and not taken back "
              "(`show memory`, mallinfo), after the last cycle's tasks are deleted minus "
              "after the first's, every allocation counted, FRR's or a library's; creep at "
              "rest: "
              "RSS after the last cycle's tasks are deleted (and multinicd has given the "
              "freed heap back, 2 s after a bulk deletion) minus after the first cycle's; "
              "wired: RSS with the tasks wired in the last cycle minus in the first (it "
              "also moves with where the allocator placed them). The "
              "one task by the CNI plugin is `multinic-cni` run as a runtime runs it (ADD, "
              "the `ips` capability, no IPAM): one northbound transaction, answered once "
              "the task is wired."
              % ", ".join(str(c) for c in counts), ""]
    return lines


def chart(res, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    m = res["meta"]
    modes = res["modes"]
    fig = plt.figure(figsize=(16, 27), dpi=90)
    gs = fig.add_gridspec(5, 2, height_ratios=[1.1, 1.1, 1, 1, 1])
    colors = plt.get_cmap("tab10").colors
    for row, d in enumerate(("egress", "ingress")):
        for col, n in enumerate([n for n in (4, 32) if n in flows_of(m, d)]):
            bars(fig.add_subplot(gs[row, col]), res, modes, d, n, colors)
    placement_plot(fig.add_subplot(gs[2, 0]), res, modes, colors)
    fct_plot(fig.add_subplot(gs[2, 1]), res, modes, colors)
    for col, d in enumerate(("egress", "ingress")):
        failover_plot(fig.add_subplot(gs[3, col]), res, modes, d, colors)
    cost_plot(fig.add_subplot(gs[4, 0]), res, modes, colors)
    cp_plot(fig.add_subplot(gs[4, 1]), res, colors)
    fig.suptitle("frr-multinic: %d NICs × %d Mbit/s (tbf), %d repetition(s), %s%s"
                 % (m["nics"], m["rate_mbit"], m["reps"], m["started"][:10],
                    "  [SMOKE RUN]" if m["reps"] < 3 else ""), fontsize=15)
    fig.tight_layout(rect=(0, 0, 1, 0.98))
    fig.savefig(path)
    plt.close(fig)


def placement_plot(ax, res, modes, colors):
    """Per placement row, one bar per mode: the median ratio; a black tick
    at the worst repetition."""
    groups = placement_groups(res)
    names = {"mixed": "mixed\n(aggregate)", "unequal": "unequal\nNICs"}
    shown = [mm for mm in modes if mm["available"]]
    width = 0.8 / max(1, len(shown))
    for g, group in enumerate(groups):
        what = "ratio_best" if group.startswith("egress") and group != "egress32" else \
            "aggregate_ratio" if group == "mixed" else "ratio"
        for k, mode in enumerate(shown):
            s = get(res, mode["key"], group, what)
            if not s or s.get("median") is None:
                continue
            x = g - 0.4 + width * (k + 0.5)
            ax.bar(x, s["median"], width, color=colors[modes.index(mode) % 10],
                   label=mode["label"] if g == 0 else None)
            ax.plot([x - width / 2, x + width / 2], [s["min"]] * 2, color="black", linewidth=1.5)
    ax.axhline(HEADER_CAP, color="grey", linestyle="--", linewidth=0.8)
    ax.axhline(0.93, color="red", linestyle=":", linewidth=0.8)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels([names.get(g, g.replace("egress", "") + (" flows\nafter 2" if g ==
                                                                "egress32" else " elephants"))
                        for g in groups], fontsize=9)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("ratio to what placement can reach")
    ax.set_title("placement (egress): median per mode, black tick = worst repetition;\n"
                 "red dotted: 0.93, grey dashed: the header cap", fontsize=11)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=8)


def fct_plot(ax, res, modes, colors):
    """Mixed traffic: the short flows' median completion time per mode
    (median over repetitions, min–max bars), with the 90th percentile."""
    shown = [mm for mm in modes if mm["available"]]
    for g, mode in enumerate(shown):
        s = get(res, mode["key"], "mixed", "short_fct_median_ms")
        p90 = get(res, mode["key"], "mixed", "short_fct_p90_ms")
        if not s or s.get("median") is None:
            continue
        c = colors[modes.index(mode) % 10]
        ax.bar(g, s["median"], 0.6, color=c, yerr=[[s["median"] - s["min"]],
                                                   [s["max"] - s["median"]]], capsize=3)
        if p90 and p90.get("median") is not None:
            ax.plot([g - 0.3, g + 0.3], [p90["median"]] * 2, color="black", linewidth=1.5)
    ax.set_xticks(range(len(shown)))
    ax.set_xticklabels([wrap(mm["label"]) for mm in shown], fontsize=9)
    ax.set_ylabel("ms")
    ax.set_title("mixed traffic: short flows' median completion time (bars), 90th percentile "
                 "(black)", fontsize=11)


def bars(ax, res, modes, direction, flows, colors):
    """Grouped bars: one group per mode, one bar per NIC (median, min–max)."""
    m = res["meta"]
    n = m["nics"]
    width = 0.8 / n
    for g, mode in enumerate(modes):
        ok = mode["available"] and (direction == "egress" or mode.get("ingress_available", True))
        s = res["results"].get(mode["key"], {}).get("%s%d" % (direction, flows))
        if not ok or not s or s["ratio"]["median"] is None:
            why = "not available" if not mode["available"] else \
                "VIP not announced" if not ok else "failed"
            ax.text(g, m["rate_mbit"] * 0.5, "not measured:\n" + why, rotation=90,
                    ha="center", va="center", color="grey", fontsize=9)
            continue
        for i, nic in enumerate(s["nic_mbit_ranked"]):
            if nic["median"] is None:
                continue
            x = g - 0.4 + width * (i + 0.5)
            ax.bar(x, nic["median"], width, color=colors[i % 10],
                   yerr=[[nic["median"] - nic["min"]], [nic["max"] - nic["median"]]],
                   capsize=2, label=rank_name(i, n) if g == 0 else None)
        ax.text(g, m["rate_mbit"] * 1.08, "%.0f%% of N×R\nJain %.2f" % (
            s["ratio"]["median"] * 100, s["jain"]["median"]), ha="center", fontsize=9)
    ax.axhline(m["rate_mbit"], color="black", linestyle="--", linewidth=1)
    ax.text(len(modes) - 0.55, m["rate_mbit"], "R = %d Mbit/s" % m["rate_mbit"],
            va="bottom", ha="right", fontsize=8)
    ax.set_xlim(-0.5, len(modes) - 0.5)
    ax.set_xticks(range(len(modes)))
    ax.set_xticklabels([wrap(mm["label"]) for mm in modes], fontsize=9)
    ax.set_ylim(0, m["rate_mbit"] * 1.3)
    ax.set_ylabel("per-NIC rate (Mbit/s)")
    ax.set_title("%s, %d flows: per-NIC throughput per mode\n(NICs sorted by load in each run; "
                 "median, min–max bars)" % (direction, flows), fontsize=11)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper right", fontsize=8, ncol=n)


def rank_name(i, n):
    if i == 0:
        return "busiest NIC"
    if i == n - 1:
        return "least loaded"
    return ["2nd", "3rd"][i - 1] if i <= 2 else "%dth" % (i + 1)


def wrap(label):
    words, lines, cur = label.split(), [], ""
    for w in words:
        if cur and len(cur) + len(w) > 16:
            lines.append(cur)
            cur = w
        else:
            cur = (cur + " " + w).strip()
    return "\n".join(lines + [cur])


def median_rep(reps):
    """The failover repetition with the median recovery, then the median
    worst flow stall (a real run, not an average of runs)."""
    ok = [r for r in reps if not r.get("error")]
    if not ok:
        return None
    ok.sort(key=lambda r: (r["recovery_s"] is None, r["recovery_s"] or 0,
                           r.get("flow_stall_s") or 0))
    return ok[len(ok) // 2]


def failover_plot(ax, res, modes, direction, colors):
    m = res["meta"]
    fo = m["failover"]
    for g, mode in enumerate(modes):
        rep = median_rep(res["results"].get(mode["key"], {}).get("reps", {}).get(
            "failover_" + direction, []))
        if not rep:
            continue
        s = rep["series"]
        ax.plot(s["t"], s["aggregate_mbit"], color=colors[g % 10], linewidth=1.6,
                label="%s: %d lost, %s of %s surviving flows moved" % (
                    mode["label"], rep["lost_packets"], rep["surviving_moved"],
                    rep["surviving_flows"]))
    n, rate = m["nics"], m["rate_mbit"]
    ax.axvline(fo["fail_at_s"], color="red", linestyle=":", linewidth=1)
    ax.axvline(fo["back_at_s"], color="green", linestyle=":", linewidth=1)
    ax.text(fo["fail_at_s"], n * rate * 1.12, " %s down" % fo["nic"], color="red", fontsize=9)
    ax.text(fo["back_at_s"], n * rate * 1.12, " %s up" % fo["nic"], color="green", fontsize=9)
    levels = [(n * rate, "N×R"), ((n - 1) * rate, "(N−1)×R")]
    if fo.get("load"):
        levels.append((fo["load"] * (n - 1) * rate, "offered"))
    for level, name in levels:
        ax.axhline(level, color="grey", linestyle="--", linewidth=0.8)
        ax.text(fo["duration_s"] * 0.995, level, name, ha="right", va="bottom", fontsize=8,
                color="grey")
    ax.set_xlim(0, fo["duration_s"])
    ax.set_ylim(0, n * rate * 1.2)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("aggregate rate over the NICs (Mbit/s)")
    ax.set_title("%s: a NIC fails, %d flows, 100 ms samples (median repetition)"
                 % (direction, fo["flows"]), fontsize=11)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower left", fontsize=8)


def cost_plot(ax, res, modes, colors):
    """Unshaped throughput per mode, egress and ingress, CPU s/GB on top."""
    width = 0.38
    for g, mode in enumerate(modes):
        for k, d in enumerate(("egress", "ingress")):
            s = res["results"].get(mode["key"], {}).get("cost_" + d)
            if not s or s["gbit"]["median"] is None:
                continue
            x = g - 0.2 + k * width
            ax.bar(x, s["gbit"]["median"], width, color=colors[k],
                   yerr=[[s["gbit"]["median"] - s["gbit"]["min"]],
                         [s["gbit"]["max"] - s["gbit"]["median"]]], capsize=2,
                   label=d if g == 0 else None)
            if s["cpu_s_per_gb"]["median"] is not None:
                ax.text(x, s["gbit"]["median"] * 1.02, "%.1f" % s["cpu_s_per_gb"]["median"],
                        ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(modes)))
    ax.set_xticklabels([wrap(mm["label"]) for mm in modes], fontsize=9)
    ax.set_ylabel("Gbit/s (unshaped)")
    ax.margins(y=0.15)
    ax.set_title("datapath cost, NICs unshaped: throughput (bars) and CPU s per GB "
                 "(numbers)", fontsize=11)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper right", fontsize=8)


def cp_plot(ax, res, colors):
    cps = res.get("control_plane") or {}
    counts = res["meta"]["task_counts"]
    keys = [mm["key"] for mm in res["modes"]]
    for key, cp in cps.items():
        if "error" in cp:
            continue
        c = colors[keys.index(key) % 10]
        for k, style, name in (("announced_ms", "-", "announced"), ("wired_ms", ":", "wired")):
            ys = [cp["tasks"][str(t)].get(k, {}) for t in counts]
            pts = [(t, y["median"]) for t, y in zip(counts, ys) if y and y.get("median")]
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], style, marker="o",
                        color=c, label="%s: %s" % (label_of(res, key), name))
    ax.axhline(100, color="grey", linestyle="--", linewidth=0.8)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(counts)
    ax.set_xticklabels([str(t) for t in counts])
    ax.set_xlabel("tasks committed at once (T)")
    ax.set_ylabel("ms from the commit")
    ax.set_title("control plane: until all T tasks are wired / announced (every VIP in the "
                 "switch's FIB with N paths)", fontsize=11)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", fontsize=8)


def write(res, out_dir):
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write(markdown(res))
    chart(res, os.path.join(out_dir, "results.png"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: report.py RESULTS.json")
    with open(sys.argv[1]) as f:
        write(json.load(f), os.path.dirname(os.path.abspath(sys.argv[1])))
