"""The compared modes: one table, one class per way of sending a task's
traffic out of the host.

Every mode gets a task namespace with a /32 VIP from 10.200.0.0/16 and
is measured by the same code, egress and ingress. How the rack switch
reaches the VIP (ingress) is part of the mode: a static route for the
hand-wired modes, BGP (`redistribute multinic`, one path per NIC) for
multinicd's, plain multipath at the switch or, in the resilient variant,
a resilient nexthop group (`multinic resilient-ingress` on the switch).
A mode that cannot run here stays in the table and is reported as "not
available yet" with the reason, never silently dropped.

To add a mode: subclass Mode (setup/teardown, optionally available) and
add a row to MODES. The eBPF rows reuse MultinicMode with another
egress-mode/placement: they become measurable as soon as multinicd
accepts that configuration and reports the matching datapath.
"""

import json
import subprocess
import time

from util import (Anchor, ip, ip_json, netns_add, netns_del, netns_visible_to_multinicd,
                  nsexec, restart_host_frr, run, vtysh, vtysh_json, wait_for)

# Manual modes' policy routing: a table and rule priority that nothing
# else on the host uses (multinicd uses 4242, 10000+ifindex, pref 999/1000).
MANUAL_TABLE = 200
MANUAL_RULE_PREF = 1100
TASK_GW = "169.254.1.1"  # the task's on-link gateway, as multinicd does it


class Task:
    """Where a mode's traffic comes from: a namespace and its VIP."""

    def __init__(self, netns, vip, host_dev):
        self.netns = netns
        self.vip = vip
        self.host_dev = host_dev
        self.anchor = None

    def start_anchor(self):
        self.anchor = Anchor(self.netns)

    def stop_anchor(self):
        if self.anchor:
            self.anchor.stop()
            self.anchor = None


def ping(ns, dst, wait="0.2"):
    """True when one echo gets an answer (exit status, not output)."""
    return subprocess.run(["ip", "netns", "exec", ns, "ping", "-n", "-q", "-c", "1",
                           "-W", wait, dst], capture_output=True).returncode == 0


def sysctl_get(ns, key):
    return nsexec(ns, "sysctl", "-n", key).strip()


def sysctl_set(ns, key, value):
    nsexec(ns, "sysctl", "-qw", "%s=%s" % (key, value))


class Mode:
    key = ""          # short id used in JSON and on the command line
    label = ""        # what the table and the chart call it
    direction = "egress"
    control_plane = False  # measure wiring time and RSS (multinicd modes)
    ingress = ""      # how the rack switch spreads traffic to the VIP
    ebpf = False

    def available(self, topo):
        """(True, None) or (False, why)."""
        return True, None

    def setup(self, topo):
        """Make the mode ready; return its Task (traffic must flow)."""
        raise NotImplementedError

    def teardown(self, topo, task):
        """Undo setup; also after a setup that failed half-way (task None),
        so that the next mode starts from a clean host."""
        raise NotImplementedError

    def check(self, topo, task):
        """Behaviour worth reporting (list of strings) after setup."""
        return []

    switch_paths = None  # paths the switch has to the VIP (None: one per NIC)

    def ingress_available(self, topo):
        """(True, None) or (False, why): whether the switch can reach the
        VIP the way this mode means it to."""
        return True, None

    def ready(self, topo, task):
        """Before each measurement: the switch routes the VIP over every
        path again (after a NIC failure BGP needs a moment to bring the
        session and the path back), and the task reaches the remote."""
        if not self.ingress_available(topo)[0]:
            wait_reachable(task, topo)
            return
        n = self.switch_paths or len(topo["nics"])
        wait_for("%s in the switch's FIB with %d paths" % (task.vip, n),
                 lambda: fib_paths(topo["tor"], task.vip + "/32") == n, timeout=30,
                 period=0.05)
        wait_reachable(task, topo)

    def counters(self, topo):
        """The datapath's own drop counters, if it has any: {name: value}."""
        return {}

    # Unequal NICs: whether (and how) the mode weighs NICs.
    weighted = False

    def set_weights(self, topo, weights):
        """NIC weights (one per NIC), or None: back to the mode's own."""


class Unavailable(Mode):
    """A row for a mode the benchmark cannot measure yet."""

    def __init__(self, key, label, why, direction="egress"):
        self.key, self.label, self.why, self.direction = key, label, why, direction

    def available(self, topo):
        return False, self.why


def wire_task_by_hand(topo, netns, vip, host_dev):
    """What a container runtime without multinic does: a veth pair, the VIP
    in the task, an on-link gateway answered by a permanent neighbour
    entry, and a host route to the VIP."""
    h1 = topo["h1"]
    netns_add(topo["registry"], netns)
    run(["ip", "link", "add", host_dev, "netns", h1, "type", "veth",
         "peer", "name", "eth0", "netns", netns])
    ip(h1, "link", "set", host_dev, "up")
    ip(netns, "link", "set", "eth0", "up")
    ip(netns, "addr", "add", vip + "/32", "dev", "eth0")
    mac = ip_json(h1, "link", "show", host_dev)[0]["address"]
    ip(netns, "neigh", "add", TASK_GW, "lladdr", mac, "dev", "eth0", "nud", "permanent")
    ip(netns, "route", "add", "default", "via", TASK_GW, "dev", "eth0", "onlink",
       "src", vip)
    ip(h1, "route", "add", vip + "/32", "dev", host_dev)
    return Task(netns, vip, host_dev)


def fib_paths(ns, prefix):
    """Usable next hops of prefix in a namespace's kernel FIB (main
    table): neither dead nor on a link that is down."""
    n = 0
    for r in ip_json(ns, "route", "show", "exact", prefix):
        for hop in r.get("nexthops", [r]):
            flags = hop.get("flags", [])
            if (hop.get("gateway") or hop.get("dev")) and "dead" not in flags \
                    and "linkdown" not in flags:
                n += 1
    return n


def switch_route(topo, vip, nics):
    """A static route on the rack switch to vip over the given NICs."""
    nh = []
    for i in nics:
        nic = topo["nics"][i]
        nh += ["nexthop", "via", nic["address"], "dev", nic["switch_port"]]
    ip(topo["tor"], "route", "replace", vip + "/32", *nh)


def switch_group_type(topo, prefix):
    """The type of the kernel nexthop group the switch routes prefix
    through ("resilient", "mpath"), or None."""
    routes = ip_json(topo["tor"], "route", "show", "exact", prefix)
    nhid = routes[0].get("nhid") if routes else None
    if not nhid:
        return None
    group = ip_json(topo["tor"], "nexthop", "show", "id", str(nhid))
    group = group[0] if isinstance(group, list) and group else group
    if not group or "group" not in group:
        return None
    return group.get("type", "mpath")


def wait_announced(topo, vip, timeout=30):
    n = len(topo["nics"])
    wait_for("%s in the switch's FIB with %d paths" % (vip, n),
             lambda: fib_paths(topo["tor"], vip + "/32") == n, timeout=timeout, period=0.02)


def wait_reachable(task, topo, timeout=10):
    wait_for("%s reaching %s" % (task.netns, topo["remote_ip"]),
             lambda: ping(task.netns, topo["remote_ip"]), timeout=timeout, period=0.02)


class SingleNic(Mode):
    """(a) What the product replaces: the host's default route, NIC 0."""
    key = "single"
    label = "(a) single NIC"
    ingress = "a static route on the switch via NIC 0"
    switch_paths = 1

    def setup(self, topo):
        task = wire_task_by_hand(topo, "mnb-ta", "10.200.0.1", "mnb-ta-h")
        switch_route(topo, task.vip, [0])
        wait_reachable(task, topo)
        return task

    def teardown(self, topo, task):
        ip(topo["tor"], "route", "del", "10.200.0.1/32", check=False)
        netns_del("mnb-ta")  # takes the veth pair and the host route along


class LinuxMultipath(Mode):
    """(b) Plain Linux multipath configured by hand: a source rule into a
    table whose default route has one next hop per NIC, hashed on L4."""
    key = "multipath"
    label = "(b) Linux multipath by hand"
    ingress = "a static multipath route on the switch, one next hop per NIC, L4 hash"

    weighted = True

    def set_weights(self, topo, weights):
        nh = []
        for i, nic in enumerate(topo["nics"]):
            nh += ["nexthop", "via", nic["gateway"], "dev", nic["name"]]
            if weights:
                nh += ["weight", str(weights[i])]
        ip(topo["h1"], "route", "replace", "default", "table", str(MANUAL_TABLE), *nh)

    def setup(self, topo):
        h1 = topo["h1"]
        task = wire_task_by_hand(topo, "mnb-tb", "10.200.0.2", "mnb-tb-h")
        ip(h1, "rule", "add", "from", task.vip, "iif", task.host_dev,
           "lookup", str(MANUAL_TABLE), "pref", str(MANUAL_RULE_PREF))
        self.set_weights(topo, None)
        self.saved_policy = sysctl_get(h1, "net.ipv4.fib_multipath_hash_policy")
        sysctl_set(h1, "net.ipv4.fib_multipath_hash_policy", 1)
        switch_route(topo, task.vip, range(len(topo["nics"])))
        wait_reachable(task, topo)
        return task

    def teardown(self, topo, task):
        h1 = topo["h1"]
        ip(topo["tor"], "route", "del", "10.200.0.2/32", check=False)
        ip(h1, "rule", "del", "pref", str(MANUAL_RULE_PREF), check=False)
        ip(h1, "route", "flush", "table", str(MANUAL_TABLE), check=False)
        if getattr(self, "saved_policy", None) is not None:
            sysctl_set(h1, "net.ipv4.fib_multipath_hash_policy", self.saved_policy)
            self.saved_policy = None
        netns_del("mnb-tb")


class MultinicMode(Mode):
    """multinicd wires the task, exactly as demo/run-demo does: per-NIC
    gateways, a task netns, the datapath chosen by egress-mode."""
    control_plane = True
    task_name = "bench"
    ingress = ("BGP: redistribute multinic, one eBGP session and path per NIC; "
               "the switch's ECMP, L4 hash")

    def __init__(self, key, label, egress_mode, placement, ebpf, resilient=False):
        self.key, self.label = key, label
        self.egress_mode, self.placement = egress_mode, placement
        self.ebpf = ebpf  # whether `show multinic json` must report an eBPF datapath
        # the switch installs the VIP through a resilient nexthop group
        self.resilient = resilient
        if resilient:
            self.ingress = ("BGP as (c); the switch installs the VIP through a resilient "
                            "nexthop group (multinic resilient-ingress)")
            # its egress and control plane are those of the mode without it
            self.control_plane = False

    def base_config(self, topo):
        # placement always explicit: the mode must not depend on the default
        # (kernel mode: the only placement it accepts, hash); each NIC's
        # speed is its shaped rate, the link bandwidth its paths carry to
        # the switch (doc/ingress-bgp.md)
        cmds = ["configure terminal", "multinic", "egress-mode " + self.egress_mode,
                "placement " + self.placement]
        for nic in topo["nics"]:
            cmds.append("nic %s speed %d gateway %s" % (nic["name"], topo["rate_mbit"],
                                                       nic["gateway"]))
        return cmds

    def switch_resilient(self, topo, on):
        """multinic resilient-ingress on the switch, on or off."""
        vtysh(topo["tor"], "configure terminal", "router bgp 65000",
              ("" if on else "no ") + "multinic resilient-ingress")

    def configure(self, topo):
        """Commit the NIC part; wait until multinicd sees every NIC up."""
        h1 = topo["h1"]
        vtysh(h1, *self.base_config(topo))
        n = len(topo["nics"])
        wait_for("multinicd selecting %d NICs up" % n,
                 lambda: sum(1 for v in vtysh_json(h1, "show multinic nic json").values()
                             if v.get("operUp")) == n, timeout=15)

    def available(self, topo):
        """Ask multinicd itself: it must accept the configuration and report
        the expected datapath. Leaves multinicd unconfigured."""
        h1 = topo["h1"]
        try:
            vtysh(h1, *self.base_config(topo))
            shown = vtysh_json(h1, "show multinic json")
            egress = shown.get("egress", {})
            placement = shown.get("config", {}).get("placement")
        except RuntimeError as e:
            return False, "not available yet: multinicd refuses it (%s)" % \
                str(e).splitlines()[-1].strip()
        finally:
            vtysh(h1, "configure terminal", "no multinic", check=False)
        if (egress.get("datapath") not in ("kernel", "none")) != self.ebpf:
            return False, "not available yet: multinicd uses %s (%s)" % (
                egress.get("datapath"), egress.get("reason"))
        if placement != self.placement:
            return False, "not available yet: multinicd reports placement %s" % placement
        return True, None

    def setup(self, topo):
        h1 = topo["h1"]
        if not self.ebpf:
            # the kernel default, so that the check below sees multinicd set it
            sysctl_set(h1, "net.ipv4.fib_multipath_hash_policy", 0)
        netns_add(topo["registry"], "mnb-tc")
        self.setup_notes = []
        if not netns_visible_to_multinicd(topo, "mnb-tc"):
            self.setup_notes.append(
                "a new network namespace did not reach multinicd's mount namespace "
                "(mount propagation of /run/netns broken by something else on this "
                "machine): FRR on the host restarted before the repetition")
            restart_host_frr(topo)
        self.configure(topo)
        if self.resilient:
            self.switch_resilient(topo, True)
        vtysh(h1, "configure terminal", "multinic", "task " + self.task_name,
              "netns mnb-tc", "vip 10.200.0.3/32")
        task = Task("mnb-tc", "10.200.0.3", None)
        wait_for("task wired", lambda: self.task_status(h1) == "wired", timeout=10)
        task.host_dev = vtysh_json(h1, "show multinic task json")[self.task_name]["hostInterface"]
        if self.ingress_available(topo)[0]:
            wait_announced(topo, task.vip)
            if self.resilient:
                wait_for("%s through a resilient group at the switch" % task.vip,
                         lambda: switch_group_type(topo, task.vip + "/32") == "resilient",
                         timeout=10)
        wait_reachable(task, topo)
        return task

    def ingress_available(self, topo):
        a = topo.get("announce", {"ok": True})
        if a["ok"]:
            return True, None
        return False, "not available: the task VIP is not announced (%s)" % a["why"]

    def task_status(self, h1, name=None):
        return vtysh_json(h1, "show multinic task json").get(name or self.task_name, {}).get("status")

    def teardown(self, topo, task):
        vtysh(topo["h1"], "configure terminal", "no multinic")
        netns_del("mnb-tc")
        # the next multinicd mode announces the same VIP: withdrawn first
        if self.ingress_available(topo)[0]:
            wait_for("10.200.0.3 withdrawn from the switch",
                     lambda: fib_paths(topo["tor"], "10.200.0.3/32") == 0, timeout=30)
        if self.resilient:
            self.switch_resilient(topo, False)

    weighted = True

    def set_weights(self, topo, weights):
        """multinicd's NIC weights (least-loaded divides its loads by them,
        the Maglev table and the kernel's nexthop group share by them)."""
        cmds = ["configure terminal", "multinic"]
        for i, nic in enumerate(topo["nics"]):
            cmds.append("nic %s weight %d" % (nic["name"], weights[i]) if weights
                        else "no nic %s weight" % nic["name"])
        vtysh(topo["h1"], *cmds)

    def counters(self, topo):
        """eBPF mode: what the programs count as not forwarded (redirect
        errors: e.g. packets sent toward a NIC that is down; fallback:
        handed to the kernel's routing), summed over the NICs and tasks;
        with least-loaded placement also the flows it re-balanced (moves:
        the NICs' movedIn)."""
        if not self.ebpf:
            return {}
        c = vtysh_json(topo["h1"], "show multinic counters json")
        out = {"redirect_errors": 0, "fallback": 0}
        for group in ("nics", "tasks"):
            for v in c.get(group, {}).values():
                out["redirect_errors"] += v.get("redirectErrors", 0)
                out["fallback"] += v.get("fallback", 0)
        if self.placement == "least-loaded":
            out["moves"] = sum(v.get("movedIn", 0) for v in c.get("nics", {}).values())
        return out

    def check(self, topo, task):
        """What the configuration must have done to the host."""
        h1, notes = topo["h1"], list(getattr(self, "setup_notes", []))
        if self.ebpf:
            return notes
        pol = sysctl_get(h1, "net.ipv4.fib_multipath_hash_policy")
        if pol != "1":
            notes.append("fib_multipath_hash_policy is %s, not 1, after wiring" % pol)
        return notes


def leftovers(topo, wait=3.0):
    """multinicd's routes, rules and devices still on the host `wait`
    seconds after `no multinic` (zebra applies the removals
    asynchronously). Nexthop objects are not counted: zebra keeps unused
    groups for its nexthop-group keep time (180 s by default) on purpose."""
    end = time.monotonic() + wait
    while True:
        found = _leftovers(topo["h1"])
        if not found or time.monotonic() > end:
            return found
        time.sleep(0.1)


def _leftovers(h1):
    found = []
    for r in ip_json(h1, "rule", "show"):
        if r.get("protocol") == "multinic" or str(r.get("table")) == "4242":
            found.append("rule pref %s from %s" % (r.get("priority"), r.get("src")))
    for r in ip_json(h1, "route", "show", "table", "all"):
        if r.get("protocol") == "multinic":
            found.append("route %s table %s" % (r.get("dst"), r.get("table", "main")))
    for link in ip_json(h1, "link", "show"):
        if link["ifname"].startswith("mn-") or (link["ifname"].startswith("mn")
                                                and len(link["ifname"]) == 10):
            found.append("link %s" % link["ifname"])
    # eBPF programs left on the NICs would also change the other modes' path
    for prog in bpf_attached(h1):
        found.append("BPF program %s on %s" % (prog.get("name"), prog.get("devname")))
    return found


def bpf_attached(ns):
    """tc/tcx programs attached in a namespace (bpftool net)."""
    try:
        out = json.loads(nsexec(ns, "bpftool", "-j", "net", "show") or "[]")
    except (RuntimeError, ValueError, OSError):
        return []
    return [p for entry in out for p in entry.get("tc", [])]


# The comparison, in report order.
MODES = [
    SingleNic(),
    LinuxMultipath(),
    MultinicMode("kernel", "(c) multinic kernel mode", "kernel", "hash", ebpf=False),
    MultinicMode("kernel-resilient", "(c') multinic kernel mode, resilient ingress",
                 "kernel", "hash", ebpf=False, resilient=True),
    MultinicMode("ebpf-hash", "(d) multinic eBPF, hash", "ebpf", "hash", ebpf=True),
    MultinicMode("ebpf-least-loaded", "(e) multinic eBPF, least-loaded", "ebpf",
                 "least-loaded", ebpf=True),
]
