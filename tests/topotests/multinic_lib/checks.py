# SPDX-License-Identifier: GPL-2.0-or-later
"""What the multinic topotests check again and again, as one function each.

The ``task_*``/``*_route``/``bgp_*`` functions return None when the state is
the one wanted and otherwise a text saying what is wrong, so that they fit
``expect()`` (topotest.run_and_expect) and its assertion message. The
``expect_*_refusal`` functions assert.
"""

import difflib
import re
import time

from lib.common_config import step
from lib.topolog import logger

from .topo import running_config, show_json, vtysh_config

# The frr-multinic YANG config container: the top level of gRPC JSON trees.
MC = "frr-multinic:multinic"

SHOW_ROUTE = {4: "show ip route {} json", 6: "show ipv6 route {} json"}


#
# multinicd configuration
#


def configure_multinic(router, *lines):
    "vtysh: configure terminal / multinic / LINES in one session; asserts success."
    rc, out = vtysh_config(router, "multinic", *lines)
    assert rc == 0, "{}: vtysh refused {}: {}".format(router.name, list(lines), out)


def unified_diff(before, after, names=("before", "after")):
    "A unified diff of two texts (line by line), for assertion messages."
    return "\n".join(
        difflib.unified_diff(
            before.split("\n"), after.split("\n"), names[0], names[1], lineterm=""
        )
    )


def expect_vtysh_refusal(router, lines, reason, timeout=None):
    """vtysh refuses ``configure terminal`` / ``multinic`` / ``lines``.

    Asserts: vtysh exits non-zero, prints a message, the message matches the
    regular expression ``reason`` (case-insensitive, ``.`` matching
    newlines), and show running-config is byte-identical afterwards.
    ``timeout`` (seconds): the refusal must also come within that time.
    """
    lines = list(lines)
    before = running_config(router)

    step("vtysh: " + " / ".join(["multinic"] + lines))
    rc, out = vtysh_config(router, "multinic", *lines, timeout=timeout)
    logger.info("vtysh %s -> rc %s: %r", lines, rc, out)
    assert not (timeout and rc == 124), "vtysh {} got no answer within {} s".format(
        lines, timeout
    )
    assert rc != 0, "vtysh accepted {} (rc 0): {!r}".format(lines, out)
    assert out.strip(), "vtysh refused {} without a message".format(lines)
    assert re.search(reason, out, re.I | re.S), (
        "the refusal of {} does not say why (want /{}/): {!r}".format(lines, reason, out)
    )
    after = running_config(router)
    assert after == before, "running-config changed after refused {}:\n{}".format(
        lines, unified_diff(before, after)
    )


def expect_grpc_refusal(router, nb, name, change, reason):
    """The gRPC northbound ``nb`` refuses to commit the JSON tree ``change``.

    Asserts: the commit fails, with a message matching the regular
    expression ``reason`` (case-insensitive, ``.`` matching newlines), and
    both show running-config and the northbound's configuration (Get
    config of the multinic container) are unchanged afterwards. ``name``
    names the case in steps and messages.
    """
    before = running_config(router)
    before_nb = nb.get_config("/" + MC)

    step("gRPC commit: {}".format(name))
    result = nb.commit_json(change)
    logger.info("gRPC %s -> %s at %s: %r", name, result.code, result.stage, result.message)
    assert not result.ok, "gRPC accepted {}: {}".format(name, result.raw)
    assert result.message.strip(), "gRPC refused {} without a message: {}".format(
        name, result.raw
    )
    assert re.search(reason, result.message, re.I | re.S), (
        "the refusal of {} does not say why (want /{}/): {} at {}: {!r}".format(
            name, reason, result.code, result.stage, result.message
        )
    )
    after = running_config(router)
    assert after == before, "running-config changed after refused {}:\n{}".format(
        name, unified_diff(before, after)
    )
    after_nb = nb.get_config("/" + MC)
    assert after_nb == before_nb, "gRPC config changed after refused {}: {} -> {}".format(
        name, before_nb, after_nb
    )


#
# tasks
#


def task_json(router, task):
    "``show multinic task TASK json`` of one task; {} when it is not there."
    return show_json(router, "show multinic task {} json".format(task)).get(task, {})


def task_wired(router, task, datapath=None):
    """None when multinicd reports ``task`` wired (on ``datapath``, when
    given) with every one of its objects present, else why not."""
    state = task_json(router, task)
    if not state:
        return "no task {} in `show multinic task json`".format(task)
    if state.get("status") != "wired":
        return "task status {!r} (error {!r})".format(state.get("status"), state.get("error"))
    if datapath is not None and state.get("datapath") != datapath:
        return "task datapath {!r} (want {!r})".format(state.get("datapath"), datapath)
    absent = [o for o in state.get("objects", []) if o.get("present") is not True]
    if absent:
        return "objects not present: {}".format(absent)
    return None


#
# routing
#


def selected_route(router, family, prefix):
    "The selected route to ``prefix`` in a router's RIB (zebra's JSON), or None."
    routes = show_json(router, SHOW_ROUTE[family].format(prefix)).get(prefix, [])
    for route in routes:
        if route.get("selected"):
            return route
    return None


def bgp_peers_not_established(router, peers):
    "The ones of ``peers`` (addresses) whose BGP session in the router is not Established."
    neighbors = show_json(router, "show bgp neighbors json")
    return [p for p in peers if neighbors.get(p, {}).get("bgpState") != "Established"]


def seconds_until(start, check, families=(4, 6), timeout=10.0):
    """How long after ``start`` (time.monotonic()) ``check(family)`` first
    returned None, per family ({family: seconds}), polling every 20 ms;
    a family missing from the result never got there within ``timeout``."""
    elapsed = {}
    while len(elapsed) < len(families) and time.monotonic() - start < timeout:
        for family in families:
            if family not in elapsed and check(family) is None:
                elapsed[family] = time.monotonic() - start
        time.sleep(0.02)
    return elapsed
