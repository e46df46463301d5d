"""Control-plane figures of a multinicd mode: how long from committing
tasks to their being wired, announced (every VIP in the rack switch's
kernel FIB with one path per NIC, learnt by BGP) and reaching the remote
host, and what a task costs multinicd in memory (VmRSS)."""

import json
import os
import subprocess
import tempfile
import time

from modes import leftovers, ping
from stats import spread
from util import (ip_json, log, netns_add, netns_del, restart_host_frr, run, vmrss_kb,
                  vtysh, vtysh_json, wait_for)

CP_NETNS = "mnb-cp-%d"


def cp_vip(i):
    """Task i's VIP: 250 per /24 from 10.200.1.1, so that T = 1024 (and
    up to ~60,000) tasks each get a plain host address."""
    return "10.200.%d.%d/32" % (1 + (i - 1) // 250, 1 + (i - 1) % 250)


def multinicd_pid(topo):
    with open("/var/run/frr/%s/multinicd.pid" % topo["h1"]) as f:
        return int(f.read().strip())


def task_cmds(i):
    return ["task cp%d" % i, "netns " + CP_NETNS % i, "vip " + cp_vip(i), "exit"]


def commit(topo, lines):
    """One vtysh invocation, one commit of configuration lines under
    `multinic`.

    vtysh commits every -c line by itself (4 commits per task, each one
    diffing and copying the whole configuration: quadratic in T), so
    more than one line goes in as a file: vtysh -f brackets it in one
    transaction, as a northbound client (gRPC, the CNI socket) commits a
    batch. That costs ~0.1 s more than -c (the file lock vtysh takes on
    every daemon), so one task keeps -c."""
    lines = ["multinic"] + lines
    if len(lines) <= 5:
        vtysh(topo["h1"], "configure terminal", *lines)
        return
    with tempfile.NamedTemporaryFile("w", prefix="mnb-tasks-", suffix=".conf") as f:
        f.write("\n".join(lines) + "\n")
        f.flush()
        run(["vtysh", "-N", topo["h1"], "-f", f.name], timeout=120)


def commit_tasks(topo, ids):
    """All the tasks in one commit."""
    commit(topo, [line for i in ids for line in task_cmds(i)])


FIBWATCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fibwatch.py")


class FibWatch:
    """bench/lib/fibwatch.py in the switch's namespace, started before a
    commit: the instant every VIP has N paths (up), or none is left (down)."""

    def __init__(self, topo, goal, ids, timeout=60, ns=None, paths=None):
        self.timeout = timeout
        self.p = subprocess.Popen(["ip", "netns", "exec", ns or topo["tor"], "/usr/bin/python3",
                                   FIBWATCH, goal, str(paths or len(topo["nics"])),
                                   str(timeout)]
                                  + [cp_vip(i) for i in ids],
                                  stdout=subprocess.PIPE, text=True)
        if self.p.stdout.readline().strip() != "ready":
            self.p.kill()
            self.p.wait()
            raise RuntimeError("fibwatch did not start")

    def wait(self):
        """CLOCK_MONOTONIC time the goal was met."""
        try:
            line = self.p.stdout.readline().split()
        finally:
            try:
                self.p.wait(timeout=self.timeout + 5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        if not line or line[0] != "done":
            raise RuntimeError("the switch's FIB never got there: %s" % " ".join(line))
        return float(line[1])


def announcing(topo):
    return topo.get("announce", {"ok": True})["ok"]


def delete_tasks(topo, ids):
    """Delete tasks; returns the ms until the switch has withdrawn all
    their VIPs (None without VIP announcement)."""
    watch = FibWatch(topo, "down", ids, timeout=30) if announcing(topo) else None
    t0 = time.monotonic()
    commit(topo, ["no task cp%d" % i for i in ids])
    t_gone = watch.wait() if watch else None
    wait_for("tasks unwired", lambda: not any(
        l["ifname"].startswith("mn-cp") for l in ip_json(topo["h1"], "link", "show")),
        timeout=30)
    return None if t_gone is None else (t_gone - t0) * 1e3


def wired_count(topo):
    """Tasks wired, from multinicd's summary: the task list of a thousand
    tasks, polled, would cost multinicd more than what is measured."""
    summary = vtysh_json(topo["h1"], "show multinic json")
    return summary["config"]["taskStatus"]["wired"]


PINGER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pinger.py")


def vtysh_start_ms(topo, reps=3):
    """What a vtysh invocation costs before it sends anything: every
    figure from the start of a commit includes it (a process start with
    its dynamic linking, ~60 ms on the 2-core reference machine). The
    median of `reps` runs of a command that changes nothing."""
    times = []
    for _ in range(reps):
        t0 = time.monotonic()
        vtysh(topo["h1"], "show version")
        times.append((time.monotonic() - t0) * 1e3)
    return sorted(times)[len(times) // 2]


def time_to_ping(topo):
    """Commit one task while a pinger already runs in its (still empty)
    namespace; the time of the first echo reply ends the measurement."""
    pinger = subprocess.Popen(["ip", "netns", "exec", CP_NETNS % 1, "/usr/bin/python3",
                               PINGER, topo["remote_ip"], "15"],
                              stdout=subprocess.PIPE, text=True)
    watch = None
    try:
        if pinger.stdout.readline().strip() != "ready":
            raise RuntimeError("pinger did not start")
        watch = FibWatch(topo, "up", [1]) if announcing(topo) else None
        # the host's own route to the VIP (multinicd -> zebra -> kernel),
        # which bgpd redistributes: splits the announcement time in two
        host = FibWatch(topo, "up", [1], ns=topo["h1"], paths=1)
        t0 = time.monotonic()
        commit_tasks(topo, [1])
        t_commit = time.monotonic()
        answer = pinger.stdout.readline().split()
        t_host = host.wait()
        t_fib = watch.wait() if watch else None
    finally:
        pinger.kill()
        pinger.wait()
    if not answer or answer[0] != "reply":
        raise RuntimeError("task cp1 never reached the remote")
    delete_tasks(topo, [1])
    return {"commit_ms": (t_commit - t0) * 1e3, "ping_ms": (float(answer[1]) - t0) * 1e3,
            "host_route_ms": (t_host - t0) * 1e3, "vtysh_ms": vtysh_start_ms(topo),
            "announced_ms": None if t_fib is None else (t_fib - t0) * 1e3}


CNI_PLUGIN = "/usr/lib/cni/multinic"


def cni(topo, command, container, netns, vip):
    """Run the CNI plugin as a container runtime does (one process per
    verb, the network configuration on stdin, the runtime's `ips`
    capability for the address); its JSON answer."""
    conf = {"cniVersion": "1.0.0", "name": "mnb", "type": "multinic",
            "socket": "/var/run/frr/%s/multinic-cni.sock" % topo["h1"],
            "runtimeConfig": {"ips": [vip]}}
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "CNI_COMMAND": command,
           "CNI_CONTAINERID": container, "CNI_IFNAME": "eth0",
           "CNI_NETNS": "/run/netns/" + netns, "CNI_PATH": "/usr/lib/cni"}
    p = subprocess.run([CNI_PLUGIN], input=json.dumps(conf), env=env, capture_output=True,
                       text=True, timeout=30)
    if p.returncode != 0:
        raise RuntimeError("multinic-cni %s failed (%d): %s %s" % (
            command, p.returncode, p.stdout.strip(), p.stderr.strip()))
    return json.loads(p.stdout) if p.stdout.strip() else {}


def one_task_by_cni(topo):
    """One more task as a container runtime adds it: the CNI plugin's ADD
    (a small process that links no FRR library, one northbound
    transaction in multinicd, answered once the task is wired) to the
    VIP in the switch's FIB with N paths; then its DEL."""
    watch = FibWatch(topo, "up", [1]) if announcing(topo) else None
    host = FibWatch(topo, "up", [1], ns=topo["h1"], paths=1)
    t0 = time.monotonic()
    cni(topo, "ADD", "mnb-one", CP_NETNS % 1, cp_vip(1))
    t_added = time.monotonic()
    t_host = host.wait()
    t_fib = watch.wait() if watch else None
    gone = FibWatch(topo, "down", [1], timeout=30) if announcing(topo) else None
    cni(topo, "DEL", "mnb-one", CP_NETNS % 1, cp_vip(1))
    if gone:
        gone.wait()
    return {"add_ms": (t_added - t0) * 1e3, "host_route_ms": (t_host - t0) * 1e3,
            "announced_ms": None if t_fib is None else (t_fib - t0) * 1e3}


def wire_many(topo, count, rss_base):
    """Commit `count` tasks at once; time until all are wired (multinicd
    says so) and until all are announced (every VIP in the switch's FIB
    with N paths); multinicd's RSS with them, and its growth over the RSS
    before any task (rss_base) per task; the time until the switch has
    withdrawn them all once they are deleted."""
    pid = multinicd_pid(topo)
    ids = list(range(1, count + 1))
    watch = FibWatch(topo, "up", ids) if announcing(topo) else None
    # every VIP's route in the host's kernel (multinicd -> zebra), which
    # bgpd redistributes: splits the announcement time in two
    host = FibWatch(topo, "up", ids, ns=topo["h1"], paths=1)
    t0 = time.monotonic()
    commit_tasks(topo, ids)
    wait_for("%d tasks wired" % count, lambda: wired_count(topo) == count,
             timeout=60, period=0.05)
    t_wired = time.monotonic()
    t_host = host.wait()
    t_fib = watch.wait() if watch else None
    # the last task must also work, not only be reported wired
    wait_for("task cp%d reaching the remote" % count,
             lambda: ping(CP_NETNS % count, topo["remote_ip"], wait="0.05"),
             timeout=15, period=0.0)
    rss1 = vmrss_kb(pid)
    withdrawn = delete_tasks(topo, ids)
    return {"wired_ms": (t_wired - t0) * 1e3, "host_routes_ms": (t_host - t0) * 1e3,
            "announced_ms": None if t_fib is None else (t_fib - t0) * 1e3,
            "rss_kb": rss1, "rss_per_task_kb": (rss1 - rss_base) / count,
            "withdrawn_ms": withdrawn, "pid": pid}


def restart_frr(topo):
    """A fresh multinicd for every repetition, so that each one measures
    what tasks cost a process that never had any."""
    restart_host_frr(topo)


def mtype_counts(topo):
    """FRR's own allocation accounting of multinicd: MTYPE -> live count."""
    out, in_qmem = {}, False
    for line in vtysh(topo["h1"], "show memory multinicd").splitlines():
        if line.startswith("--- qmem"):  # past the malloc statistics
            in_qmem = True
            continue
        parts = [p.strip() for p in line.split(":")]
        if in_qmem and len(parts) == 2 and parts[1] and parts[1].split()[0].isdigit():
            out[parts[0]] = int(parts[1].split()[0])
    return out


def mtypes_after_deletion(topo, before, timeout=15):
    """multinicd's MTYPE counts once it has heard of the deleted task
    devices: zebra reports them after the kernel has deleted them (all at
    once, in bulk), so right after the tasks are gone multinicd may still
    hold their interfaces. Waits until it holds no more than before."""
    end = time.monotonic() + timeout
    while True:
        now = mtype_counts(topo)
        if now.get("Interface", 0) <= before.get("Interface", 0) or time.monotonic() > end:
            return now
        time.sleep(0.2)


# multinicd gives its freed heap back 2 s after a bulk deletion
# (multinic_task_netns.c, MN_TASK_TRIM_DELAY_MS)
TRIM_DELAY_S = 2.0


def rss_at_rest(pid):
    """multinicd's RSS once the tasks of a cycle are deleted and it has
    given the freed heap back: what a leak would raise from cycle to
    cycle. The RSS with the tasks wired also moves with where the
    allocator happened to place them (a page or two either way)."""
    time.sleep(TRIM_DELAY_S + 1.0)
    return vmrss_kb(pid)


def heap_in_use_kb(topo):
    """The bytes multinicd's allocator has handed out and not taken back
    (mallinfo's uordblks, `show memory`'s "Used ordinary blocks"): every
    allocation, FRR's or a library's, without the allocator's page-level
    placement that moves RSS. multinicd runs without glibc's per-thread
    cache, whose chunks would count here as in use."""
    units = {"bytes": 1 / 1024, "B": 1 / 1024, "KiB": 1, "MiB": 1024, "GiB": 1024 * 1024}
    for line in vtysh(topo["h1"], "show memory multinicd").splitlines():
        if line.strip().startswith("Used ordinary blocks:"):
            value, unit = line.split(":", 1)[1].split()[:2]
            return float(value) * units[unit]
    return None


def one_repetition(topo, mode, counts, cycles):
    """Fresh multinicd: RSS before any task; then 1, 8, 32 tasks (each
    committed at once, measured, deleted); the ping time of one task; and
    a few more cycles of the largest count to see whether RSS creeps."""
    restart_frr(topo)
    mode.configure(topo)
    pid = multinicd_pid(topo)
    rss0 = vmrss_kb(pid)
    wires = {c: wire_many(topo, c, rss0) for c in sorted(counts)}
    ping = time_to_ping(topo)
    by_cni = one_task_by_cni(topo)
    biggest = max(counts)
    # RSS alone cannot tell a leak from heap fragmentation; FRR's MTYPE
    # counts (with no task wired, before and after the cycles) can, for
    # what FRR allocates.
    leak, rest = [wires[biggest]["rss_kb"]], [rss_at_rest(pid)]
    heap = [heap_in_use_kb(topo)]
    # after the rest: the first trim's timer has run (its event statistics
    # entry, "Thread stats", is made the first time an event runs)
    mt0 = mtype_counts(topo)
    for _ in range(cycles):
        leak.append(wire_many(topo, biggest, rss0)["rss_kb"])
        rest.append(rss_at_rest(pid))
        heap.append(heap_in_use_kb(topo))
    mt1 = mtypes_after_deletion(topo, mt0)
    if multinicd_pid(topo) != pid:
        raise RuntimeError("multinicd restarted during the control-plane runs")
    grown = {k: mt1[k] - mt0.get(k, 0) for k in mt1 if mt1[k] > mt0.get(k, 0)}
    return {"rss_before_kb": rss0, "wires": wires, "ping": ping, "cni": by_cni,
            "rss_cycles_kb": leak, "rss_rest_kb": rest, "heap_in_use_kb": heap,
            "mtypes_grown": grown}


def measure(topo, mode, reps, counts, cycles):
    """All control-plane figures for a multinicd mode."""
    notes = []
    for i in range(1, max(counts) + 1):
        netns_add(topo["registry"], CP_NETNS % i)
    runs = []
    try:
        for _ in range(reps):
            runs.append(one_repetition(topo, mode, counts, cycles))
            r = runs[-1]
            log("  fresh multinicd %d kB; %s; one more task: pings remote %.0f ms, announced %s ms; "
                "RSS over %d cycles of %d tasks: %s kB" % (
                    r["rss_before_kb"], ", ".join(
                        "%d task(s) wired in %.0f ms, announced in %s ms, %d kB" % (
                            c, w["wired_ms"], "%.0f" % w["announced_ms"]
                            if w["announced_ms"] is not None else "-", w["rss_kb"])
                        for c, w in r["wires"].items()),
                    r["ping"]["ping_ms"], "-" if r["ping"]["announced_ms"] is None
                    else "%.0f" % r["ping"]["announced_ms"], cycles + 1, max(counts),
                    " ".join(str(x) for x in r["rss_cycles_kb"])))
        for r in runs:
            if r["mtypes_grown"]:
                notes.append("FRR memory types of multinicd grew over %d add/delete cycles of "
                             "%d tasks: %s" % (cycles, max(counts), ", ".join(
                                 "%s +%d" % kv for kv in sorted(r["mtypes_grown"].items()))))
        vtysh(topo["h1"], "configure terminal", "no multinic")
        left = leftovers(topo)
        if left:
            notes.append("left on the host after `no multinic`: " + "; ".join(left))
    finally:
        for i in range(1, max(counts) + 1):
            netns_del(CP_NETNS % i)
    return {
        "commit_ms": spread([r["ping"]["commit_ms"] for r in runs]),
        "ping_ms": spread([r["ping"]["ping_ms"] for r in runs]),
        # one task committed to a multinicd and bgpd that have run a while
        "announced_ms": spread([r["ping"].get("announced_ms") for r in runs]),
        "host_route_ms": spread([r["ping"].get("host_route_ms") for r in runs]),
        "vtysh_ms": spread([r["ping"].get("vtysh_ms") for r in runs]),
        # the same through the CNI plugin, as a container runtime adds one
        "cni_add_ms": spread([r["cni"]["add_ms"] for r in runs]),
        "cni_host_route_ms": spread([r["cni"]["host_route_ms"] for r in runs]),
        "cni_announced_ms": spread([r["cni"].get("announced_ms") for r in runs]),
        "rss_before_kb": spread([r["rss_before_kb"] for r in runs]),
        "tasks": {str(c): {
            key: spread([r["wires"][c][key] for r in runs])
            for key in ("wired_ms", "host_routes_ms", "announced_ms", "withdrawn_ms", "rss_kb",
                        "rss_per_task_kb")
        } for c in counts},
        # RSS at rest (tasks deleted) after the last cycle minus after the
        # first: the creep judged; with the tasks wired, shown beside
        "rss_creep_kb": spread([r["rss_rest_kb"][-1] - r["rss_rest_kb"][0] for r in runs]),
        "rss_creep_wired_kb": spread([r["rss_cycles_kb"][-1] - r["rss_cycles_kb"][0]
                                      for r in runs]),
        # what the allocator holds in use, after the last cycle minus after
        # the first: the creep judged (RSS also moves with page placement)
        "heap_creep_kb": spread([None if None in (r["heap_in_use_kb"][-1], r["heap_in_use_kb"][0])
                                 else r["heap_in_use_kb"][-1] - r["heap_in_use_kb"][0]
                                 for r in runs]),
        "creep_cycles": cycles,
        "raw": runs,
        "notes": notes,
    }
