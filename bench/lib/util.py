"""Process, namespace and counter helpers shared by the benchmark modules."""

import json
import os
import subprocess
import sys
import time

VERBOSE = os.environ.get("MNB_VERBOSE") == "1"


def log(msg):
    print(time.strftime("%H:%M:%S") + " bench: " + msg, file=sys.stderr, flush=True)


def run(args, check=True, timeout=60, quiet=False):
    """Run a command (list); return its stdout. Errors name the command."""
    if VERBOSE:
        log("+ " + " ".join(args))
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError("command failed (%d): %s\n%s" % (
            p.returncode, " ".join(args), (p.stderr or p.stdout).strip()))
    if not quiet and VERBOSE and p.stderr.strip():
        log(p.stderr.strip())
    return p.stdout


def ip(ns, *args, check=True):
    return run(["ip", "-n", ns] + list(args), check=check)


def ip_json(ns, *args):
    out = ip(ns, "-j", *args)
    return json.loads(out) if out.strip() else []


def nsexec(ns, *args, check=True, timeout=60):
    return run(["ip", "netns", "exec", ns] + list(args), check=check, timeout=timeout)


def vtysh(ns, *cmds, check=True):
    """One vtysh invocation; a configuration error fails it (vtysh prints
    the daemon's refusal and exits non-zero)."""
    args = ["vtysh", "-N", ns]
    for c in cmds:
        args += ["-c", c]
    return run(args, check=check)


def vtysh_json(ns, cmd):
    out = vtysh(ns, cmd)
    return json.loads(out) if out.strip() else {}


def wait_for(what, pred, timeout=10.0, period=0.05):
    """Poll pred() until true; raise naming what never happened."""
    end = time.monotonic() + timeout
    while True:
        try:
            if pred():
                return
        except (RuntimeError, ValueError, KeyError):
            pass
        if time.monotonic() > end:
            raise RuntimeError("timed out after %.0f s waiting for %s" % (timeout, what))
        time.sleep(period)


def register_netns(registry, name):
    """Record a namespace before creating it, so cleanup finds it even if
    creation fails half-way (bench/lib/common.sh reads the same file)."""
    if not name.startswith("mnb-"):
        raise ValueError("refusing to create netns %s (not mnb-*)" % name)
    with open(registry, "a") as f:
        f.write(name + "\n")


def netns_add(registry, name):
    register_netns(registry, name)
    run(["ip", "netns", "add", name])
    ip(name, "link", "set", "lo", "up")


def netns_del(name):
    run(["ip", "netns", "del", name], check=False)


class Anchor:
    """A sleeping process inside a namespace. Its /proc/PID/net/* files
    show that namespace's counters, so the sampler reads every namespace
    from this process without spawning anything per sample."""

    def __init__(self, ns):
        self.ns = ns
        # ip netns exec execs in place: the pid is the sleep's own.
        self.proc = subprocess.Popen(["ip", "netns", "exec", ns, "sleep", "infinity"])
        wait_for("anchor in %s" % ns, lambda: self._in_ns(), timeout=5, period=0.01)

    def _in_ns(self):
        return os.readlink("/proc/%d/ns/net" % self.proc.pid) != os.readlink("/proc/self/ns/net")

    def path(self, name):
        return "/proc/%d/net/%s" % (self.proc.pid, name)

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def read_netdev(path):
    """/proc/net/dev -> {ifname: {rx_bytes, rx_packets, tx_bytes, tx_packets, tx_drop}}."""
    out = {}
    with open(path) as f:
        for line in f.readlines()[2:]:
            name, data = line.split(":", 1)
            v = [int(x) for x in data.split()]
            out[name.strip()] = {"rx_bytes": v[0], "rx_packets": v[1],
                                 "tx_bytes": v[8], "tx_packets": v[9], "tx_drop": v[11]}
    return out


def read_tcp_snmp(path):
    """RetransSegs and OutSegs from /proc/net/snmp (per namespace)."""
    with open(path) as f:
        lines = [l.split() for l in f if l.startswith("Tcp:")]
    kv = dict(zip(lines[0][1:], (int(x) for x in lines[1][1:])))
    return {"retrans": kv["RetransSegs"], "out": kv["OutSegs"]}


def qdisc_drops(ns, devs):
    """Packets the NICs' qdiscs dropped (tbf queue full), per device."""
    out = {}
    for q in ip_json_tc(ns):
        if q.get("dev") in devs and q.get("root"):
            out[q["dev"]] = q.get("drops", 0)
    return out


def ip_json_tc(ns):
    return json.loads(run(["ip", "netns", "exec", ns, "tc", "-s", "-j", "qdisc", "show"]) or "[]")


def vmrss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS for pid %d" % pid)


FRRINIT = "/usr/lib/frr/frrinit.sh"


def restart_host_frr(topo):
    """Restart FRR on the host (frrinit: watchfrr backs off when one daemon
    is killed repeatedly, a fresh watchfrr does not); wait until multinicd
    answers and the switch has its BGP sessions back."""
    h1 = topo["h1"]
    # The daemons inherit frrinit's stdout: a pipe would never see EOF.
    with open("/var/log/frr/%s.frrinit.log" % h1, "a") as logf:
        subprocess.run([FRRINIT, "restart", h1], stdout=logf, stderr=logf, timeout=120,
                       check=True)
    wait_for("multinicd answering after the restart",
             lambda: "version" in vtysh_json(h1, "show multinic json"), timeout=60,
             period=0.2)
    n = len(topo["nics"])
    wait_for("%d BGP sessions established again" % n,
             lambda: sum(1 for p in vtysh_json(topo["tor"], "show bgp neighbors json").values()
                         if p.get("bgpState") == "Established") == n, timeout=60, period=0.2)


def multinicd_pid(topo):
    try:
        with open("/var/run/frr/%s/multinicd.pid" % topo["h1"]) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def netns_visible_to_multinicd(topo, name):
    """Whether /run/netns/NAME is a network namespace in multinicd's own
    mount namespace (ip netns exec gave it one; new namespaces reach it by
    mount propagation, which something else on a shared machine can
    break)."""
    pid = multinicd_pid(topo)
    out = run(["nsenter", "-t", str(pid), "-m", "stat", "-f", "-c", "%T",
               "/run/netns/" + name], check=False)
    return out.strip() == "nsfs"
