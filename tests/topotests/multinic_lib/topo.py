# SPDX-License-Identifier: GPL-2.0-or-later
"""Topotest glue for multinicd: daemon registration, config loading, vtysh.

FRR's topotest framework hard-codes its daemon table in two places:

* ``lib/topogen.py``: ``TopoRouter.RD`` maps RD_* numbers to daemon names;
  ``load_config()``/``load_frr_config()`` look names up there;
* ``lib/topotest.py``: every ``Router`` instance has a ``daemons`` dict
  (name -> enabled); ``loadConf()`` ignores ("No daemon X known") names that
  are not keys of it, and ``startRouterDaemons()``/``checkRouterRunning()``/
  ``checkRouterCores()`` iterate over it.

Adding ``multinicd`` to both is all FRR needs; no FRR file is patched. Once
registered, multinicd is handled exactly like FRR's own daemons:

* started by ``startRouterDaemons()`` after mgmtd, zebra and staticd (in the
  "all the other daemons" loop, in dict order, so after bgpd) as
  ``/usr/lib/frr/multinicd <options> --command-log-always --log
  file:multinicd.log --log-level debug -d`` in the router's log directory;
* checked by waiting for /var/run/frr/multinicd.{pid,vty};
* given ``log file multinicd.log debug`` / ``log commands`` through
  ``vtysh -d multinicd`` by ``TopoRouter.start()``;
* seen running by ``checkRouterRunning()`` through ``vtysh -c "show
  logging"`` (needs our vtysh patch, which vtysh has when it can reach
  multinicd at all);
* its unified-config lines pushed with the others by ``vtysh -f
  /etc/frr/frr.conf``;
* stopped (SIGTERM, then SIGBUS) and checked for cores/leaks at teardown.
"""

import glob
import json
import os
import shlex
import signal
import subprocess
import time

from lib.topogen import TopoRouter

MULTINICD = "multinicd"
# An RD_* number far from FRR's (0..22 in 10.3) so that FRR adding daemons
# does not collide with it.
RD_MULTINIC = 1000

FRR_STATEDIR = "/var/run/frr"
FRR_CONFDIR = "/etc/frr"


def _net(router):
    """The munet node of a TopoRouter (or the node itself)."""
    return getattr(router, "net", router)


def register_multinicd(tgen_or_router):
    """Teach topotest about multinicd.

    Accepts a Topogen (all its routers) or a single TopoRouter. Idempotent;
    call it after the routers were added (build_topo) and before loading
    configs.
    """
    if TopoRouter.RD.get(RD_MULTINIC) not in (None, MULTINICD):
        raise RuntimeError(
            "TopoRouter.RD[{}] is already {}".format(
                RD_MULTINIC, TopoRouter.RD[RD_MULTINIC]
            )
        )
    TopoRouter.RD[RD_MULTINIC] = MULTINICD
    TopoRouter.RD_MULTINIC = RD_MULTINIC

    if hasattr(tgen_or_router, "routers"):
        routers = list(tgen_or_router.routers().values())
    else:
        routers = [tgen_or_router]
    for router in routers:
        _net(router).daemons.setdefault(MULTINICD, 0)


def rd_of(daemon):
    """RD_* number of a daemon given by name (or already a number)."""
    if isinstance(daemon, int):
        return daemon
    for number, name in TopoRouter.RD.items():
        if name == daemon:
            return number
    raise KeyError("daemon {} unknown to topotest (register it first)".format(daemon))


def load_frr_config(router, source, daemons):
    """Load a unified frr.conf into a router and select the daemons to start.

    ``daemons``: iterable of ``(daemon, options)`` where daemon is a name
    ("zebra", "bgpd", "multinicd", ...) or a TopoRouter.RD_* number and
    options extra command-line options, e.g.
    ``[("zebra", ""), ("multinicd", "-M grpc:50052"), ("bgpd", "-M multinic")]``.
    zebra is added when missing (topotest adds mgmtd and staticd with it).
    """
    register_multinicd(router)
    items = [(rd_of(d), opts or "") for d, opts in daemons]
    if TopoRouter.RD_ZEBRA not in [number for number, _ in items]:
        items.insert(0, (TopoRouter.RD_ZEBRA, ""))
    router.load_frr_config(source, items)


def frrdir(router=None):
    """Directory of FRR's daemon binaries (topotest's frrdir)."""
    if router is not None and getattr(_net(router), "daemondir", None):
        return _net(router).daemondir
    return "/usr/lib/frr"


def daemon_installed(daemon, router=None):
    return os.path.isfile(os.path.join(frrdir(router), daemon))


def module_path(name):
    """Path of an installed FRR loadable module (e.g. "bgpd_multinic"), or None."""
    patterns = [
        "/usr/lib/*/frr/modules/{}.so",
        "/usr/lib/frr/modules/{}.so",
        "/usr/local/lib/frr/modules/{}.so",
    ]
    for pattern in patterns:
        found = sorted(glob.glob(pattern.format(name)))
        if found:
            return found[0]
    return None


#
# vtysh
#


def vtysh(router, *commands, daemon=None, timeout=None):
    """Run commands in one vtysh session (``vtysh -c ... -c ...``).

    Returns ``(rc, output)``; output joins stdout and stderr (vtysh prints
    daemon errors on stdout, its own parser errors on stderr). vtysh stops
    at the first command that fails and exits 1. ``timeout`` (seconds):
    vtysh is killed after that long and rc is 124 (``timeout(1)``), so
    that a daemon that hangs fails the test instead of blocking it.
    """
    args = ["timeout", str(timeout)] if timeout else []
    args += ["vtysh"]
    if daemon:
        args += ["-d", daemon]
    for command in commands:
        args += ["-c", command]
    rc, out, err = _net(router).cmd_status(args, warn=False)
    return rc, (out or "") + (err or "")


def vtysh_config(router, *lines, daemon=None, timeout=None):
    """``configure terminal`` followed by ``lines`` in one vtysh session."""
    return vtysh(router, "configure terminal", *lines, daemon=daemon, timeout=timeout)


def show_json(router, command, daemon=None):
    """Run a ``... json`` show command; {} when the output is not JSON."""
    _, out = vtysh(router, command, daemon=daemon)
    try:
        value = json.loads(out)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {"_": value}


def running_config(router, daemon=None):
    """``show running-config`` without vtysh's "Building configuration..." line."""
    rc, out = vtysh(router, "show running-config", daemon=daemon)
    assert rc == 0, "show running-config failed on {}: {}".format(router.name, out)
    lines = out.split("\n")
    return "\n".join(line for line in lines if line != "Building configuration...")


def config_block(config, header):
    """The block of ``config`` that starts with the line ``header`` and ends
    with its ``exit`` line (both included), or None."""
    lines = config.split("\n")
    try:
        start = lines.index(header)
    except ValueError:
        return None
    for end in range(start + 1, len(lines)):
        if lines[end] == "exit":
            return "\n".join(lines[start : end + 1]) + "\n"
    return None


#
# processes inside a router
#


def read_file(router, path):
    """Contents of a file as the router sees it (private /etc/frr, /var/run/frr)."""
    rc, out, err = _net(router).cmd_status(["cat", path], warn=False)
    if rc != 0:
        return None
    return out


def daemon_pid(router, daemon):
    """PID of a running FRR daemon from its pid file, or None."""
    text = read_file(router, os.path.join(FRR_STATEDIR, daemon + ".pid"))
    if not text or not text.strip().isdigit():
        return None
    pid = int(text.strip())
    rc, _, _ = _net(router).cmd_status(["kill", "-0", str(pid)], warn=False)
    return pid if rc == 0 else None


class WatchFrr:
    """FRR's watchfrr supervising daemons of one router, the way Debian runs it.

    Debian's ``frrinit.sh start`` runs ``watchfrr -d <daemons>`` with its
    default commands ``/usr/lib/frr/watchfrr.sh {start,stop,restart} %s``.
    watchfrr.sh is frrcommon.sh: ``restart`` = ``daemon_stop`` then
    ``daemon_start``, which execs ``/usr/lib/frr/<daemon> -d
    $frr_global_options $<daemon>_options`` (options from /etc/frr/daemons)
    and then, as the integrated frr.conf exists, ``vtysh -b -d <daemon>``:
    the restarted daemon gets its configuration back from the saved frr.conf.

    We reproduce that inside the router: /etc/frr (private to the router) gets
    a ``daemons`` file whose ``<daemon>_options`` repeat the options topotest
    started the daemon with (plus its log file), and watchfrr runs with
    watchfrr.sh as -s/-k/-r commands (spelled out, they are watchfrr's
    defaults). watchfrr runs in the foreground (no -d) as a child we own, in
    the router's log directory: we can stop it by PID at the end and its own
    log lands next to the daemons' logs.
    """

    def __init__(self, router, daemons, extra_args=()):
        self.router = router
        self.net = _net(router)
        self.daemons = list(daemons)
        self.extra_args = list(extra_args)
        self.proc = None
        self.logdir = os.path.join(self.net.logdir, router.name)
        self.output = os.path.join(self.logdir, "watchfrr.out")

    def daemons_file(self):
        lines = [
            "# /etc/frr/daemons of {} for watchfrr.sh (frrcommon.sh),".format(
                self.router.name
            ),
            "# written by multinic_lib.topo.WatchFrr from topotest's options.",
        ]
        for daemon in self.daemons:
            options = self.net.daemons_options.get(daemon, "")
            options += " --log file:{} --log-level debug".format(
                os.path.join(self.logdir, daemon + ".log")
            )
            lines.append("{}=yes".format(daemon))
            lines.append("{}_options={}".format(daemon, shlex.quote(options.strip())))
        return "\n".join(lines) + "\n"

    def start(self):
        self.net.cmd_raises(
            "cat > {0}/daemons && chown frr:frr {0}/daemons".format(FRR_CONFDIR),
            stdin=self.daemons_file(),
        )
        script = os.path.join(frrdir(self.router), "watchfrr.sh")
        args = [
            os.path.join(frrdir(self.router), "watchfrr"),
            "-s",
            script + " start %s",
            "-k",
            script + " stop %s",
            "-r",
            script + " restart %s",
        ]
        args += self.extra_args + self.daemons
        out = open(self.output, "a", encoding="utf-8")
        try:
            self.proc = self.net.popen(
                args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        finally:
            out.close()
        return self

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        try:
            with open(self.output, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self, timeout=10):
        """Stop watchfrr (SIGTERM; it leaves the daemons running)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        self.net.cmd_status(["rm", "-f", os.path.join(FRR_STATEDIR, "watchfrr.pid")])
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def wait_for(predicate, timeout=30.0, interval=0.5):
    """Poll ``predicate`` until it returns a true value; return the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


#
# commands and waiting, as every multinic topotest needs them
#


def cmd(router, args, timeout=60):
    """Run a command (argument list) in a router: ``(rc, stdout, stderr)``."""
    return _net(router).cmd_status(args, warn=False, timeout=timeout)


def cmd_ok(router, args, timeout=60):
    """Run a command in a router, assert that it succeeded; its stdout."""
    rc, out, err = cmd(router, args, timeout)
    assert rc == 0, "{}: `{}` failed (rc {}): {}{}".format(
        router.name, " ".join(args), rc, out, err
    )
    return out


def expect(func, count=30, wait=0.5):
    """topotest.run_and_expect(func, None): None once func returns None,
    else func's last result (what is still wrong)."""
    from lib import topotest  # FRR's, importable once the test set sys.path

    _, result = topotest.run_and_expect(func, None, count=count, wait=wait)
    return result
