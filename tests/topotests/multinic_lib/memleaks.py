# SPDX-License-Identifier: GPL-2.0-or-later
"""FRR's memory-leak report, failing our topotests.

What FRR gives
--------------
An FRR daemon that exits cleanly (SIGTERM/SIGINT: ``frr_fini()`` ->
``log_memstats()``, lib/memory.c) prints every MTYPE that still has
allocations to its stderr whenever stderr is not a terminal::

    multinicd: showing active allocations in memory group multinicd
    multinicd: memstats:  Multinic task                 :      1 *        312

topotest starts each daemon with its stderr in
``<logdir>/<router>/<daemon>.err``. FRR's framework turns that into test
results with pytest's ``--memleaks`` option (conftest.py): it sets
``TOPOTESTS_CHECK_MEMLEAK`` (the prefix of the report files), a module's
``test_memory_leak`` stops every router (``report_memory_leaks``: SIGTERM,
then FRR writes ``<prefix><module>.txt``), and ``check_for_memleaks()``,
run after every test and once more when the module's topology is gone,
fails the test after which a ``.err`` file shows ``memstats:`` lines.

What we add
-----------
``tests/run-topotests`` always runs pytest with ``--memleaks``, and our
pytest plugin replaces conftest's ``check_for_memleaks`` with
``check_for_leaks`` below, which does the same and besides:

* reads ``watchfrr.out`` too: a daemon restarted by watchfrr (the
  ``WatchFrr`` helper) writes its stderr there, not to its ``.err``;
* reads a file again when it has grown or been rewritten (a daemon started
  again and stopped again), reporting only what is new;
* names each leak (router, daemon, memory group, MTYPE, count) in the
  failure, not just the number of MTYPEs;
* lets through the leaks listed in ``KNOWN_LEAKS`` (multinicd's and
  bgpd_multinic's known leaks, issue 15; exact lines) and
  ``KNOWN_FRR_LEAKS`` (FRR 10.3's own, recognised by a daemon's whole
  report), and lists them in the run's summary (with any KNOWN_LEAKS entry
  that was not seen).

Every module ends with ``test_memory_leak`` calling ``memory_leak_test()``,
which does what FRR's ``tgen.report_memory_leaks()`` does but also after an
earlier test's failed assertion (FRR skips the report then), and fails on a
leak itself.
"""

import collections
import glob
import os
import re

from lib.topolog import logger

# Known leaks of multinicd and bgpd_multinic, the daemons being rewritten
# under issue 15 (item 4: "Leak-free: FRR's memory-leak report enabled in
# every topotest and clean"). Never the test harness's: fix them in the
# daemon and delete the entry. Each entry is one line of FRR's report at the
# end of a test module, matched exactly:
#   (test directory, router, daemon, MTYPE): count of allocations left
# A leak with another count, MTYPE, daemon or module fails the test.
# None is known today: every multinicd and every bgpd_multinic-loaded bgpd
# of the five modules exits without a leak.
KNOWN_LEAKS = {}

# Known leaks of FRR itself, not of frr-multinic: a daemon's whole exit
# report passes when it has every MTYPE of ``marks``, and only MTYPEs of
# ``mtypes`` (any count: they grow with peers and routes). Any other MTYPE
# in the same report fails, as does each of its lines then.
FrrLeak = collections.namedtuple("FrrLeak", "name daemon marks mtypes reference")
KNOWN_FRR_LEAKS = [
    # bgp_exit() -> bgp_delete() -> peer_delete() -> bgp_clear_route()
    # queues the clearing of the peer's routes on its clear_node_queue
    # (peer_lock()ed; the peer holds the BGP instance); bgpd exits before
    # the event loop runs that work, so log_memstats() finds the instance,
    # its peers and tables still allocated. Every bgpd of these tests that
    # has BGP routes when it is stopped shows it (h1 of multinic_ingress_bgp,
    # h1 and h2 of multinic_authz, r2 of FRR's own bgp_unnumbered), in any
    # stop order, zebra up or not. FRR 10.3's bug, not ours: a backport of
    # the upstream fix to packaging/patches/ removes it (then delete this).
    FrrLeak(
        name="FRR 10.3 bgpd exits with route clearing still queued",
        daemon="bgpd",
        marks=frozenset({"BGP instance", "BGP node clear queue"}),
        mtypes=frozenset({
            # libfrr
            "Hash", "Hash Index", "Link List", "Link Node", "Ring buffer", "Stream",
            "Stream FIFO", "Route table", "Route node", "Typed-hash bucket",
            "Work queue", "Work queue item", "Work queue name string",
            # bgpd
            "BGP EVPN instance information", "BGP instance", "BGP Name data",
            "BGP peer", "BGP peer connection", "BGP peer hostname", "BGP table",
            # the interface name of a peer configured on an interface,
            # leaked with its peer (multinic_authz_hostile's switch)
            "BGP peer config interface",
            "BGP node", "BGP connected", "BGP node clear queue", "BGP PBR Context",
            "BGP MetaQ",
        }),
        reference="fixed upstream by FRRouting/frr#21844 (bgp_clear_node_queue_drain() "
        "when terminating), after 10.3",
    ),
    # zebra -r (--retain, the documented restart without loss): on exit
    # zebra_vrf_disable() returns as soon as the VRF is marked
    # ZEBRA_VRF_RETAIN, before route_table_finish() of the next-hop
    # tracking tables (rnh_table and rnh_table_multicast, IPv4 and IPv6:
    # the 4 "Route table"s). Retaining the kernel's routes is the point of
    # -r; freeing those tables is not, and FRR 10.3 skips it.
    FrrLeak(
        name="FRR 10.3 zebra -r exits without freeing its next-hop tracking tables",
        daemon="zebra",
        marks=frozenset({"Route table"}),
        mtypes=frozenset({"Route table"}),
        reference="zebra/zebra_vrf.c zebra_vrf_disable(): the ZEBRA_VRF_RETAIN early return",
    ),
]

STDERR_FILES = ("*.err", "watchfrr.out")

Leak = collections.namedtuple("Leak", "module router daemon group mtype count source")

_GROUP = re.compile(r"^(\S+): showing active allocations in memory group (.+?)\s*$")
_MEMSTAT = re.compile(r"^(\S+): memstats:\s+(.+?)\s*:\s+(\d+) \* ")

# Across the run, for the summary: known leaks seen (ours, line by line;
# FRR's, one per report), modules whose daemons were all stopped by
# memory_leak_test().
_seen_known = []
_seen_frr = []
_reported_modules = set()


def leak_report_enabled():
    "True when pytest runs with --memleaks (FRR's conftest then sets TOPOTESTS_CHECK_MEMLEAK)."
    return bool(os.environ.get("TOPOTESTS_CHECK_MEMLEAK"))


def module_key(modname):
    "The test directory of a module name ('multinic_basic.test_multinic_basic')."
    return modname.split(".")[0]


def parse_report(text, module, router, source):
    "The leaks (Leak) in the memstats lines of a daemon's stderr."
    leaks = []
    group = None
    for line in text.splitlines():
        match = _GROUP.match(line)
        if match:
            group = match.group(2)
            continue
        match = _MEMSTAT.match(line)
        if match:
            leaks.append(
                Leak(module, router, match.group(1), group, match.group(2),
                     int(match.group(3)), source)
            )
    return leaks


def _new_leaks(tgen):
    """Leaks written to the routers' daemon stderr files since the last look."""
    seen = tgen.__dict__.setdefault("multinic_leak_texts", {})
    module = module_key(tgen.modname)
    leaks = []
    paths = []
    for pattern in STDERR_FILES:
        paths += glob.glob(os.path.join(tgen.logdir, "*", pattern))
    for path in sorted(set(paths)):
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError:
            continue
        old = seen.get(path, "")
        if text == old:
            continue
        seen[path] = text
        # appended to (watchfrr.out) or rewritten (a daemon started again)
        new = text[len(old):] if old and text.startswith(old) else text
        if "memstats:" in new:
            router = os.path.basename(os.path.dirname(path))
            leaks += parse_report(new, module, router, path)
    return leaks


def is_known(leak):
    "True when the leak is listed, with exactly its count, in KNOWN_LEAKS."
    key = (leak.module, leak.router, leak.daemon, leak.mtype)
    return KNOWN_LEAKS.get(key) == leak.count


def known_frr_leak(report):
    """The entry of KNOWN_FRR_LEAKS that a daemon's whole exit report (its
    Leak lines from one file) is, or None."""
    names = {leak.mtype for leak in report}
    for known in KNOWN_FRR_LEAKS:
        if (
            all(leak.daemon == known.daemon for leak in report)
            and known.marks <= names
            and names <= known.mtypes
        ):
            return known
    return None


def describe(leak):
    "'module: router daemon: MTYPE * count (memory group G, in FILE)'"
    group = "memory group {}, ".format(leak.group) if leak.group else ""
    return "{}: {} {}: {} * {} ({}in {})".format(
        leak.module, leak.router, leak.daemon, leak.mtype, leak.count, group,
        os.path.basename(leak.source),
    )


def check_for_leaks():
    """Fail the running test when a daemon reported a leak (FRR's memstats
    lines) since the last check that neither KNOWN_LEAKS nor
    KNOWN_FRR_LEAKS lists.

    Replaces conftest.py's check_for_memleaks() under --memleaks (see the
    module's docstring); also called by memory_leak_test().
    """
    import pytest  # pylint: disable=import-outside-toplevel
    from lib.topogen import get_topogen  # pylint: disable=import-outside-toplevel

    tgen = get_topogen()
    if tgen is None:
        return
    reports = collections.OrderedDict()
    for leak in _new_leaks(tgen):
        reports.setdefault((leak.router, leak.daemon, leak.source), []).append(leak)
    unexpected = []
    for (router, daemon, source), report in reports.items():
        frr = known_frr_leak(report)
        if frr is not None:
            what = "{}: {} {}: {} MTYPEs ({}, in {})".format(
                report[0].module, router, daemon, len(report), frr.name,
                os.path.basename(source),
            )
            logger.warning("known FRR memory leak (KNOWN_FRR_LEAKS): %s", what)
            _seen_frr.append(what)
            continue
        for leak in report:
            if is_known(leak):
                logger.warning("known memory leak (issue 15; KNOWN_LEAKS): %s", describe(leak))
                _seen_known.append(leak)
            else:
                unexpected.append(leak)
    if unexpected:
        lines = [describe(leak) for leak in unexpected]
        logger.error("memory leaks found:\n\t%s", "\n\t".join(lines))
        pytest.fail(
            "memory leaks (MTYPEs still allocated when a daemon exited):\n"
            + "\n".join(lines),
            pytrace=False,
        )


def memory_leak_test(tgen):
    """The body of every module's last test, ``test_memory_leak``.

    Stops every daemon of every router (SIGTERM, as FRR's
    ``report_memory_leaks()`` does; FRR then writes its report file) and
    fails when a daemon left memory allocated that neither KNOWN_LEAKS nor
    KNOWN_FRR_LEAKS lists. Skipped only without --memleaks. Unlike FRR's
    ``tgen.report_memory_leaks()`` it also runs after an earlier test's
    failed assertion: that must not hide a leak.
    """
    import pytest  # pylint: disable=import-outside-toplevel

    if not leak_report_enabled():
        pytest.skip("Memory leak test/report is disabled (pytest --memleaks enables it)")
    for router in tgen.routers().values():
        router.report_memory_leaks(tgen.modname)
    _reported_modules.add(module_key(tgen.modname))
    check_for_leaks()


def summary_lines():
    "Lines for the end of the run: known leaks seen, listed leaks not seen."
    lines = [
        "daemons stopped and checked by test_memory_leak in {} module(s): {}".format(
            len(_reported_modules), " ".join(sorted(_reported_modules)) or "-"
        ),
        "known leaks seen (KNOWN_LEAKS, issue 15): {}".format(len(_seen_known)),
        "known FRR leaks seen (KNOWN_FRR_LEAKS): {}".format(len(_seen_frr)),
    ]
    for leak in _seen_known:
        lines.append("known leak, not failing (issue 15): " + describe(leak))
    for what in _seen_frr:
        lines.append("known FRR leak, not failing: " + what)
    seen = {(l.module, l.router, l.daemon, l.mtype) for l in _seen_known}
    for key, count in sorted(KNOWN_LEAKS.items()):
        if key[0] in _reported_modules and key not in seen:
            lines.append(
                "KNOWN_LEAKS lists {} {} {}: {} * {}, not seen with that count: "
                "fixed? then delete the entry".format(key[0], key[1], key[2], key[3], count)
            )
    return lines


def install(config):
    """Make FRR's conftest.py use check_for_leaks under --memleaks.

    conftest's hooks (pytest_runtest_call, the module_check_memtest
    fixture) call ``check_for_memleaks`` through the module's globals, so
    rebinding that name is enough; FRR's file is not modified.
    """
    for plugin in config.pluginmanager.get_plugins():
        if os.path.basename(getattr(plugin, "__file__", "") or "") == "conftest.py" and hasattr(
            plugin, "check_for_memleaks"
        ):
            plugin.check_for_memleaks = check_for_leaks
            logger.info("--memleaks: conftest.check_for_memleaks is multinic_lib's check_for_leaks")
            return
    raise RuntimeError(
        "--memleaks: FRR's conftest.py has no check_for_memleaks() to extend "
        "(has FRR's topotest framework changed?)"
    )
