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


def available_modes(res):
    return [m for m in res["modes"] if m["available"]]


def markdown(res):
    m, r = res["meta"], res["results"]
    fo = m["failover"]
    flows = m["flows"]
    lines = [
        "# frr-multinic benchmark, %s" % m["started"][:10],
        "",
        "%d NICs, each shaped with tbf to %d Mbit/s (limit N×R = %d Mbit/s); "
        "%d repetitions, each cell is the median (min–max). "
        "Absolute figures on this shared %d-CPU machine are noise; compare the ratios."
        % (m["nics"], m["rate_mbit"], m["limit_mbit"], m["reps"], m["cpus"]),
        "",
        "Command: `%s`  " % m["command"],
        "Kernel %s, multinicd %s (binary sha256 %s…, installed %s), checkout %s, "
        "load average %s at start, %s at end."
        % (m["kernel"], m["multinicd_version"],
           m.get("multinicd_binary", {}).get("sha256", "?"),
           m.get("multinicd_binary", {}).get("mtime", "?"), m["git"],
           " ".join("%.1f" % x for x in m["loadavg_start"]),
           " ".join("%.1f" % x for x in m.get("loadavg_end", []))),
        "",
        "![per-NIC throughput per mode; a NIC failing](results.png)",
        "",
        "## Egress: throughput and balance",
        "",
    ]
    head = ["mode"]
    for n in flows:
        head += ["%d flows: ratio to N×R" % n, "%d flows: Jain" % n]
    head += ["%d flows: per-NIC share %%" % flows[-1], "%d flows: retransmits" % flows[-1]]
    rows = []
    for mode in available_modes(res):
        if mode["direction"] != "egress":
            continue
        x = r[mode["key"]]
        row = [mode["label"]]
        for n in flows:
            row += [cell(x["flows%d" % n]["ratio"]), cell(x["flows%d" % n]["jain"])]
        last = x["flows%d" % flows[-1]]
        row += [shares_cell(last["shares"]), cell(last["retransmits"], 0)]
        rows.append(row)
    lines += table(head, rows)
    lines += [
        "",
        "Ratio: iperf3 goodput (receiver, first %d s left out) / (N×R); TCP/IP headers "
        "cap it at %.3f. Jain's index over the NICs' transmitted bytes: 1 = even, "
        "1/N = one NIC carries everything. Shares are the NICs' tx bytes, NIC 0 first "
        "(the chart sorts each run's NICs by load instead: which NIC a hash picks is luck)."
        % (m["omit_s"], HEADER_CAP),
        "",
        "## Egress: a NIC fails",
        "",
        "%d flows for %g s; %s is set down at %g s and up again at %g s."
        % (fo["flows"], fo["duration_s"], fo["nic"], fo["fail_at_s"], fo["back_at_s"]),
        "",
    ]
    rows = []
    for mode in available_modes(res):
        if mode["direction"] != "egress":
            continue
        x = r[mode["key"]]["failover"]
        rows.append([mode["label"], cell(x["recovery_s"]), cell(x["flow_stall_s"]),
                     cell(x["flow_stall_before_s"]),
                     "%s / %s" % (med(x["flows_stalled"]), med(x["flows_blocked"])),
                     cell(x["retransmits_2s"], 0),
                     cell(x.get("redirect_errors"), 0, never=None),
                     cell(x["degraded_ratio"]),
                     cell(x["returned_s"], never="not in the run"),
                     cell(x["after_return_ratio"])])
    lines += table(["mode", "aggregate recovered after (s)", "worst flow stall (s)",
                    "worst flow stall before the failure (s)",
                    "flows stalled > 0.5 s / resumed only once the NIC was back",
                    "retransmits, 2 s after", "eBPF redirect errors",
                    "while down: ratio to (N−1)×R",
                    "NIC back in use after (s)", "after return: ratio to N×R"], rows)
    lines += [
        "",
        "Aggregate recovered: from the failure until the NICs' aggregate transmit rate is "
        "back at ≥ 90% of what the remaining NICs can carry (or of the rate before the "
        "failure, if lower) for 3 consecutive 100 ms samples. Worst flow stall: the "
        "longest time one flow delivered nothing to the receiver, over the stalls that "
        "began while the NIC was down (100 ms resolution; the same measure over the "
        "seconds before the failure is the reference). \"NIC back in use\": until the returned "
        "NIC carries ≥ 50% of a fair share (aggregate / N). Ratios use the NICs' tx "
        "counters (headers included). eBPF redirect errors: packets the programs "
        "could not redirect during the run (`show multinic counters`).",
        "",
    ]
    lines += control_plane_md(res)
    lines += ["## Not available yet", ""]
    lines += ["* %s: %s" % (mm["label"], mm["why"]) for mm in res["modes"] if not mm["available"]]
    lines += ["", "## Checks", ""]
    lines += ["* %s" % n for n in res["notes"]] or ["* nothing unexpected was detected"]
    return "\n".join(lines) + "\n"


def control_plane_md(res):
    cps = res.get("control_plane") or {}
    if not cps:
        return []
    counts = res["meta"]["task_counts"]
    lines = ["## Control plane (multinicd)", ""]
    head = ["mode", "commit → task pings remote (ms)", "vtysh commit (ms)"]
    head += ["%d task(s): all wired (ms)" % c for c in counts]
    head += ["RSS (kB) before any task", "RSS (kB) with %s tasks" % "/".join(str(c) for c in counts),
             "RSS growth per task (kB) at %s" % "/".join(str(c) for c in counts),
             "RSS creep (kB) over %s more add/delete cycle(s) of %d tasks" % (
                 next(iter(cps.values())).get("creep_cycles", "?"), max(counts))]
    rows = []
    for key, cp in cps.items():
        label = next(mm["label"] for mm in res["modes"] if mm["key"] == key)
        if "error" in cp:
            rows.append([label, "failed: " + cp["error"]] + [""] * (len(head) - 2))
            continue
        t = cp["tasks"]
        rows.append([label, cell(cp["ping_ms"], 0), cell(cp["commit_ms"], 0)]
                    + [cell(t[str(c)]["wired_ms"], 0) for c in counts]
                    + [cell(cp["rss_before_kb"], 0),
                       " / ".join(med(t[str(c)]["rss_kb"]) for c in counts),
                       " / ".join(med(t[str(c)]["rss_per_task_kb"], 1) for c in counts),
                       cell(cp["rss_creep_kb"], 0)])
    lines += table(head, rows)
    lines += ["", "Each repetition starts a fresh multinicd (frrinit restart). Times from the "
              "start of the vtysh commit (one commit for all T tasks); \"pings remote\": first "
              "echo reply from the task, pinging every ~2 ms. RSS is multinicd's VmRSS with "
              "the tasks wired (4 kB pages); growth per task = (RSS with T tasks − RSS before "
              "any task) / T, with T = %s in that order (the first task also pays for what "
              "multinicd allocates once); creep: RSS with the tasks wired in the last cycle "
              "minus in the first (a leak makes it grow)." % ", ".join(str(c) for c in counts),
              ""]
    return lines


def chart(res, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    m = res["meta"]
    egress = [mm for mm in res["modes"] if mm["direction"] == "egress"]
    flows = m["flows"]
    fig = plt.figure(figsize=(14, 10), dpi=100)
    gs = fig.add_gridspec(2, len(flows), height_ratios=[1.15, 1])
    colors = plt.get_cmap("tab10").colors
    for col, n in enumerate(flows):
        ax = fig.add_subplot(gs[0, col])
        bars(ax, res, egress, n, colors)
    ax = fig.add_subplot(gs[1, :])
    failover_plot(ax, res, egress, colors)
    fig.suptitle("frr-multinic egress: %d NICs × %d Mbit/s (tbf), %d repetitions, %s"
                 % (m["nics"], m["rate_mbit"], m["reps"], m["started"][:10]), fontsize=14)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    fig.savefig(path)
    plt.close(fig)


def bars(ax, res, egress, flows, colors):
    """Grouped bars: one group per mode, one bar per NIC (median, min–max)."""
    m = res["meta"]
    n = m["nics"]
    width = 0.8 / n
    for g, mode in enumerate(egress):
        if not mode["available"]:
            ax.text(g, m["rate_mbit"] * 0.5, "not available yet", rotation=90,
                    ha="center", va="center", color="grey", fontsize=9)
            continue
        s = res["results"][mode["key"]]["flows%d" % flows]
        for i, nic in enumerate(s["nic_mbit_ranked"]):
            if nic["median"] is None:
                continue
            x = g - 0.4 + width * (i + 0.5)
            ax.bar(x, nic["median"], width, color=colors[i % 10],
                   yerr=[[nic["median"] - nic["min"]], [nic["max"] - nic["median"]]],
                   capsize=2, label=rank_name(i, n) if g == 0 else None)
        if s["ratio"]["median"] is not None:
            ax.text(g, m["rate_mbit"] * 1.08, "%.0f%% of N×R\nJain %.2f" % (
                s["ratio"]["median"] * 100, s["jain"]["median"]), ha="center", fontsize=9)
    ax.axhline(m["rate_mbit"], color="black", linestyle="--", linewidth=1)
    ax.text(len(egress) - 0.55, m["rate_mbit"], "R = %d Mbit/s" % m["rate_mbit"],
            va="bottom", ha="right", fontsize=8)
    ax.set_xlim(-0.5, len(egress) - 0.5)
    ax.set_xticks(range(len(egress)))
    ax.set_xticklabels([wrap(mm["label"]) for mm in egress], fontsize=9)
    ax.set_ylim(0, m["rate_mbit"] * 1.3)
    ax.set_ylabel("per-NIC transmit rate (Mbit/s)")
    ax.set_title("%d flows: per-NIC throughput per mode\n(each run's NICs sorted by load; "
                 "median, min–max bars)" % flows, fontsize=11)
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


def failover_plot(ax, res, egress, colors):
    m = res["meta"]
    fo = m["failover"]
    for g, mode in enumerate(egress):
        if not mode["available"]:
            continue
        rep = median_rep(res["results"][mode["key"]]["reps"]["failover"])
        if not rep:
            continue
        s = rep["series"]
        ax.plot(s["t"], s["aggregate_mbit"], color=colors[g % 10], linewidth=1.6,
                label="%s: aggregate recovered %s, worst flow stall %.1f s" % (
                    mode["label"], "never" if rep["recovery_s"] is None
                    else "after %.1f s" % rep["recovery_s"], rep["flow_stall_s"] or 0))
    n, rate = m["nics"], m["rate_mbit"]
    ax.axvline(fo["fail_at_s"], color="red", linestyle=":", linewidth=1)
    ax.axvline(fo["back_at_s"], color="green", linestyle=":", linewidth=1)
    ax.text(fo["fail_at_s"], n * rate * 1.12, " %s down" % fo["nic"], color="red", fontsize=9)
    ax.text(fo["back_at_s"], n * rate * 1.12, " %s up" % fo["nic"], color="green", fontsize=9)
    for level, name in ((n * rate, "N×R"), ((n - 1) * rate, "(N−1)×R")):
        ax.axhline(level, color="grey", linestyle="--", linewidth=0.8)
        ax.text(fo["duration_s"] * 0.995, level, name, ha="right", va="bottom", fontsize=8,
                color="grey")
    ax.set_xlim(0, fo["duration_s"])
    ax.set_ylim(0, n * rate * 1.2)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("aggregate transmit rate (Mbit/s)")
    ax.set_title("a NIC fails: aggregate of all NICs, %d flows, 100 ms samples "
                 "(the median repetition of each mode)" % fo["flows"])
    # between the single-NIC curve (<= R) and the others (>= (N-1)R)
    ax.legend(loc="center left", bbox_to_anchor=(0.01, 0.42), fontsize=9)


def write(res, out_dir):
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write(markdown(res))
    chart(res, os.path.join(out_dir, "results.png"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: report.py RESULTS.json")
    with open(sys.argv[1]) as f:
        write(json.load(f), os.path.dirname(os.path.abspath(sys.argv[1])))
