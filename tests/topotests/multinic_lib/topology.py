# SPDX-License-Identifier: GPL-2.0-or-later
"""Starting and stopping a multinic topology, the way every module does it.

A module's ``tgen`` fixture is::

    @pytest.fixture(scope="module")
    def tgen(request):
        "Setup/Teardown the environment and provide tgen argument to tests"
        daemons = {"tor": [("zebra", "")], "h1": [("zebra", ""), ("multinicd", "")]}
        with multinic_topology(request, build_topo, daemons, netns={"h1": [NETNS]}) as tgen:
            enable_forwarding(tgen.gears["h1"], tgen.gears["tor"])
            yield tgen

and its autouse fixture that skips the tests of a broken topology::

    @pytest.fixture(autouse=True)
    def skip_on_failure(tgen, request):
        skip_if_topology_broken(tgen, request)
"""

import contextlib
import os

from lib.topogen import Topogen

from .topo import (
    cmd,
    cmd_ok,
    daemon_installed,
    daemon_pid,
    load_frr_config,
    register_multinicd,
)


@contextlib.contextmanager
def multinic_topology(request, build_topo, daemons, netns=None):
    """A running topology for one test module; stopped when the block ends.

    On entry, in this order: multinicd is installed (asserted); the
    topology of ``build_topo`` is built and started; multinicd is known to
    topotest; the network namespaces of ``netns`` ({router name: [netns
    name, ...]}: the container runtime's tasks) exist in their router, with
    their loopback up (a leftover of the same name, from an interrupted
    run, is removed first); each router named in ``daemons`` ({router name:
    [(daemon, options), ...]}) has ``<module dir>/<router>/frr.conf`` loaded
    with those daemons, and every router is started. The namespaces exist
    before the daemons start, so a configuration naming them loads.

    On exit (also when the set-up failed half way): the namespaces are
    deleted and the topology is stopped.
    """
    assert daemon_installed("multinicd"), "multinicd is not installed in /usr/lib/frr"
    netns = netns or {}
    moddir = os.path.dirname(os.path.realpath(str(request.fspath)))
    tgen = Topogen(build_topo, request.module.__name__)
    added = []
    try:
        tgen.start_topology()
        register_multinicd(tgen)
        for name, names in netns.items():
            for ns in names:
                add_netns(tgen.gears[name], ns)
                added.append((name, ns))
        for name, router_daemons in daemons.items():
            load_frr_config(
                tgen.gears[name], os.path.join(moddir, name, "frr.conf"), router_daemons
            )
        tgen.start_router()
        yield tgen
    finally:
        for name, ns in added:
            delete_netns(tgen.gears[name], ns)
        tgen.stop_topology()


def build_rack(tgen, nics, others=()):
    """The rack of the egress and ingress tests: routers h1 and tor, then
    ``others``; h1's ``nics`` NICs h1-ethN cabled to tor-ethN; each of
    ``others`` (its <name>-eth0) to tor's next port, in order::

        h1-eth0 .. h1-eth<nics-1>  ---  tor-eth0 .. tor-eth<nics-1>
        tor-eth<nics> --- others[0]-eth0,  tor-eth<nics+1> --- others[1]-eth0, ...
    """
    for name in ["h1", "tor"] + list(others):
        tgen.add_router(name)
    link_nics(tgen, "h1", "tor", nics)
    for port, name in enumerate(others, start=nics):
        tgen.add_link(
            tgen.gears["tor"], tgen.gears[name], "tor-eth{}".format(port), name + "-eth0"
        )


def link_nics(tgen, host, switch, count):
    """``count`` links host-ethN <-> switch-ethN (N = 0 .. count-1): a host's
    NICs, each cabled to the same-numbered port of its rack switch."""
    for n in range(count):
        tgen.add_link(
            tgen.gears[host],
            tgen.gears[switch],
            "{}-eth{}".format(host, n),
            "{}-eth{}".format(switch, n),
        )


def add_netns(router, name):
    """A named network namespace in a router (``ip netns add`` in the
    router's mount namespace, where its daemons see /run/netns/NAME), with
    its loopback up; a leftover of the same name is removed first."""
    cmd(router, ["ip", "netns", "del", name])
    cmd_ok(router, ["ip", "netns", "add", name])
    cmd_ok(router, ["ip", "-n", name, "link", "set", "lo", "up"])


def delete_netns(router, name):
    "Delete a named network namespace of a router; no error when it is gone."
    cmd(router, ["ip", "netns", "del", name])


def set_sysctls(router, *settings):
    "``sysctl -qw KEY=VALUE`` for each setting in a router; asserts each succeeded."
    for setting in settings:
        cmd_ok(router, ["sysctl", "-qw", setting])


def enable_forwarding(*routers):
    """IPv4 and IPv6 forwarding on in each router (topotest turns it on;
    these tests do not depend on that)."""
    for router in routers:
        set_sysctls(router, "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1")


def accept_any_source(router, ifnames):
    """IPv4 reverse-path filtering off in a router (all and ``ifnames``): a
    rack switch then accepts a task VIP as source on every NIC link,
    whichever link it routes the VIP over."""
    set_sysctls(router, "net.ipv4.conf.all.rp_filter=0")
    set_sysctls(router, *("net.ipv4.conf.{}.rp_filter=0".format(i) for i in ifnames))


def skip_if_topology_broken(tgen, request):
    """pytest.skip when the topology is broken: a start-up error, or a
    daemon no longer running.

    Unlike FRR's usual ``tgen.routers_have_failure()``, an earlier test's
    failed assertion does not skip the rest: these tests are independent
    checks against one running topology, and one failure must not hide the
    others' results (tests that need an earlier one's state check it).
    """
    import pytest  # pylint: disable=import-outside-toplevel

    failed_tests = request.module.__name__ + "/"
    errors = [m for m in tgen.errorsd.values() if not m.startswith(failed_tests)]
    for router in tgen.routers().values():
        result = router.check_router_running()
        if result:
            errors.append(result)
    if errors:
        pytest.skip("\n".join(errors))


def kill_daemon(router, daemon):
    """kill -9 a daemon of a router (asserts it was running); its old PID.

    A killed FRR daemon leaves what it configured in the kernel and its
    pinned BPF objects in place: this is how the tests restart multinicd
    without it unwiring its tasks.
    """
    pid = daemon_pid(router, daemon)
    assert pid, "{} is not running on {}".format(daemon, router.name)
    router.net.cmd_raises("kill -9 {}".format(pid))
    return pid


def start_daemon(router, daemon, config=None, env=None):
    """Start a daemon of a router again with the options topotest started
    it with, then give it a configuration: by default the router's saved
    /etc/frr/frr.conf (``vtysh -b -d DAEMON``, what watchfrr.sh does),
    else the file ``config`` (``vtysh -f``). ``env``: environment variables
    of the daemon only, a value None meaning unset (the harness's own
    environment is restored after the start).
    """
    saved = {}
    for key, value in (env or {}).items():
        saved[key] = os.environ.pop(key, None)
        if value is not None:
            os.environ[key] = value
    try:
        router.net.startRouterDaemons(daemons=[daemon])
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    cmd_ok(
        router,
        ["vtysh", "-f", config, "-d", daemon] if config else ["vtysh", "-b", "-d", daemon],
    )
