#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
test_multinic_basic.py: multinicd management basics.

    +-----+ h1-eth0 -------- tor-eth0 +-----+
    | h1  |                           | tor |
    +-----+ h1-eth1 -------- tor-eth1 +-----+

h1:  zebra + multinicd (-M grpc:50052)
tor: zebra + bgpd (-M multinic, i.e. bgpd_multinic)

What a user sees of multinicd's management plane: it runs and reports its
datapath capabilities; it is configured through vtysh and through the gRPC
northbound with the same result in show running-config and in the saved
frr.conf; invalid or not-yet-implemented input is refused with a message and
leaves the running configuration untouched; bgpd_multinic answers in bgpd;
watchfrr restarts a killed multinicd and the restarted daemon gets its
configuration back.
"""

import json
import os
import platform
import re
import sys

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, "../"))

# pylint: disable=wrong-import-position
from lib import topotest
from lib.common_config import step
from lib.topolog import logger

from multinic_lib import (
    MC,
    WatchFrr,
    Northbound,
    config_block,
    daemon_pid,
    expect,
    expect_grpc_refusal,
    expect_vtysh_refusal,
    link_nics,
    memory_leak_test,
    module_path,
    multinic_topology,
    read_file,
    running_config,
    show_json,
    skip_if_topology_broken,
    vtysh,
    vtysh_config,
)

pytestmark = [pytest.mark.bgpd, pytest.mark.multinicd]

GRPC_PORT = 50052

# what test_vtysh_config enters under `multinic`
VTYSH_LINES = [" nic h1-eth0 weight 5", " nic h1-eth1 speed 25000", " nic-match 10 name h1-eth*"]
# show running-config after the vtysh test (spec order: egress-mode,
# placement, nic, nic-match, task; defaults not printed).
VTYSH_BLOCK = (
    "multinic\n"
    " nic h1-eth0 weight 5\n"
    " nic h1-eth1 speed 25000\n"
    " nic-match 10 name h1-eth*\n"
    "exit\n"
)
GRPC_LINE = " nic-match 20 driver veth"

CONFIG_KEYS = ["egressMode", "placement", "nics", "nicMatchRules", "tasks"]
CAPABILITY_KEYS = [
    "kernelRelease",
    "netkit",
    "veth",
    "tcx",
    "clsact",
    "btf",
    "bpfSchedCls",
    "libbpfVersion",
]
DATAPATHS = ["none", "netkit", "veth-tcx", "veth-clsact", "kernel"]
# This host's kernel: 6.18 without CONFIG_NETKIT; veth, tcx and BTF present.
HOST_CAPABILITIES = {"netkit": False, "veth": True, "tcx": True, "btf": True}


def build_topo(tgen):
    tgen.add_router("tor")
    tgen.add_router("h1")
    link_nics(tgen, "h1", "tor", 2)


@pytest.fixture(scope="module")
def tgen(request):
    "Setup/Teardown the environment and provide tgen argument to tests"
    # bgpd exits when a -M module is missing, which would take the whole
    # topology down; without the module only test_bgpd_multinic fails.
    bgpd_options = "-M multinic" if module_path("bgpd_multinic") else ""
    daemons = {
        "tor": [("zebra", ""), ("bgpd", bgpd_options)],
        "h1": [("zebra", ""), ("multinicd", "-M grpc:{}".format(GRPC_PORT))],
    }
    with multinic_topology(request, build_topo, daemons) as tgen:
        yield tgen


@pytest.fixture(autouse=True)
def skip_on_failure(tgen, request):
    "Skip when the topology is broken (start-up error, a daemon died)."
    skip_if_topology_broken(tgen, request)


#
# helpers
#


def _count(value):
    "Config summary entries may be counts or lists of items."
    if isinstance(value, list):
        return len(value)
    return value


def _check_show_multinic(out):
    "None when `show multinic json` has the documented shape, else why not."
    if not out:
        return "no JSON from `show multinic json`"
    for key in ["version", "configured", "config", "capabilities", "egress"]:
        if key not in out:
            return "missing key {!r} in {}".format(key, out)
    if not isinstance(out["version"], str) or not out["version"]:
        return "empty version: {!r}".format(out["version"])
    if not isinstance(out["configured"], bool):
        return "configured is not a boolean: {!r}".format(out["configured"])
    missing = [k for k in CONFIG_KEYS if k not in out["config"]]
    if missing:
        return "config lacks {}: {}".format(missing, out["config"])
    caps = out["capabilities"]
    missing = [k for k in CAPABILITY_KEYS if k not in caps]
    if missing:
        return "capabilities lack {}: {}".format(missing, caps)
    for key in CAPABILITY_KEYS:
        if key not in ("kernelRelease", "libbpfVersion") and not isinstance(
            caps[key], bool
        ):
            return "capability {} is not a boolean: {!r}".format(key, caps[key])
    result = topotest.json_cmp(caps, HOST_CAPABILITIES)
    if result is not None:
        return "capabilities differ from this host's: {}".format(result)
    if caps["kernelRelease"] != platform.release():
        return "kernelRelease {!r} is not uname -r {!r}".format(
            caps["kernelRelease"], platform.release()
        )
    if not str(caps["libbpfVersion"]).startswith("1."):
        return "libbpfVersion {!r} is not 1.x".format(caps["libbpfVersion"])
    egress = out["egress"]
    for key in ["datapath", "reason"]:
        if key not in egress:
            return "egress lacks {!r}: {}".format(key, egress)
    if egress["datapath"] not in DATAPATHS:
        return "egress datapath {!r} not one of {}".format(egress["datapath"], DATAPATHS)
    if not isinstance(egress["reason"], str) or not egress["reason"]:
        return "egress reason is empty: {!r}".format(egress["reason"])
    return None


#
# tests
#


def test_multinicd_running(tgen):
    "multinicd runs on h1 and `show multinic json` reports its capabilities."
    h1 = tgen.gears["h1"]

    step("multinicd is running on h1 and known to vtysh")
    assert daemon_pid(h1, "multinicd"), "multinicd is not running on h1"
    assert h1.check_router_running() == "", "a daemon of h1 is not running"

    step("show multinic json has version, configured, config, capabilities, egress")
    result = expect(lambda: _check_show_multinic(show_json(h1, "show multinic json")))
    assert result is None, "h1 `show multinic json`: {}".format(result)

    step("h1's frr.conf has no multinic block: not configured yet")
    out = show_json(h1, "show multinic json")
    assert out["configured"] is False, "configured before any multinic config: {}".format(
        out
    )


def test_vtysh_config(tgen):
    "Configuring through vtysh shows in running-config, in JSON and in frr.conf."
    h1 = tgen.gears["h1"]

    step("configure the multinic block through vtysh")
    rc, out = vtysh_config(h1, "multinic", *VTYSH_LINES)
    assert rc == 0, "vtysh refused the multinic configuration: {}".format(out)

    step("show running-config has exactly this multinic block")
    config = running_config(h1)
    block = config_block(config, "multinic")
    assert block == VTYSH_BLOCK, "multinic block in show running-config:\n{}".format(
        block if block is not None else config
    )

    step("show multinic json counts the configuration")
    out = show_json(h1, "show multinic json")
    assert out.get("configured") is True, "not configured: {}".format(out)
    conf = out.get("config", {})
    expected = {
        "egressMode": "auto",
        "placement": "least-loaded",
        "nics": 2,
        "nicMatchRules": 1,
        "tasks": 0,
    }
    got = {k: _count(conf.get(k)) for k in expected}
    assert got == expected, "show multinic json config: {}".format(conf)

    step("write memory saves the block into /etc/frr/frr.conf")
    rc, out = vtysh(h1, "write memory")
    assert rc == 0, "write memory failed: {}".format(out)
    saved = read_file(h1, "/etc/frr/frr.conf")
    assert saved is not None, "h1 has no /etc/frr/frr.conf"
    assert config_block(saved, "multinic") == VTYSH_BLOCK, (
        "saved frr.conf:\n{}".format(saved)
    )


def test_grpc_config(tgen):
    "Configuring through gRPC shows in Get, in running-config; state is readable."
    h1 = tgen.gears["h1"]
    nb = Northbound(h1, GRPC_PORT)

    step("commit nic-match 20 driver veth through gRPC")
    change = {MC: {"nic-match": [{"seq": 20, "driver": "veth"}]}}
    result = nb.commit_json(change)
    assert result.ok, "gRPC commit refused ({} at {}): {}".format(
        result.code, result.stage, result.message
    )

    step("gRPC Get config shows it")
    config = nb.get_config("/" + MC)
    cmp = topotest.json_cmp(config, change)
    assert cmp is None, "gRPC config {}: {}".format(config, cmp)

    step("vtysh show running-config shows it")
    block = config_block(running_config(h1), "multinic")
    assert block is not None and GRPC_LINE + "\n" in block, (
        "no {!r} in the multinic block:\n{}".format(GRPC_LINE, block)
    )

    step("LoadToCandidate (merge) adds nic-match 21, an edit deletes it again")
    xpath = "/frr-multinic:multinic/nic-match[seq='21']"
    result = nb.load_json({MC: {"nic-match": [{"seq": 21, "name-pattern": "h1-eth1"}]}})
    assert result.ok, "gRPC load refused ({} at {}): {}".format(
        result.code, result.stage, result.message
    )
    block = config_block(running_config(h1), "multinic") or ""
    assert " nic-match 21 name h1-eth1\n" in block, block
    result = nb.edit(delete=[xpath])
    assert result.ok, "gRPC delete refused ({} at {}): {}".format(
        result.code, result.stage, result.message
    )
    block = config_block(running_config(h1), "multinic") or ""
    assert "nic-match 21" not in block, block

    step("gRPC Get state returns version and capabilities")
    state = nb.get_state("/frr-multinic:multinic-state")
    body = state.get("frr-multinic:multinic-state", {})
    assert body.get("version"), "no version in gRPC state: {}".format(state)
    caps = body.get("capabilities", {})
    expected = {
        "kernel-release": platform.release(),
        "netkit": False,
        "veth": True,
        "tcx": True,
        "btf": True,
    }
    cmp = topotest.json_cmp(caps, expected)
    assert cmp is None, "gRPC capabilities {}: {}".format(caps, cmp)
    assert str(caps.get("libbpf-version", "")).startswith("1."), (
        "gRPC libbpf-version: {}".format(caps)
    )


def test_show_multinic_nic(tgen):
    "The configured NICs are selected, with their ifindex, state, speed and weight."
    h1 = tgen.gears["h1"]
    nb = Northbound(h1, GRPC_PORT)

    # nic h1-eth0 weight 5, nic h1-eth1 speed 25000 (test_vtysh_config),
    # nic-match 10 name h1-eth*, nic-match 20 driver veth: h1-eth0, h1-eth1.
    ifindex = {}
    for ifname in ["h1-eth0", "h1-eth1"]:
        out = h1.cmd_raises(["ip", "-j", "link", "show", "dev", ifname])
        ifindex[ifname] = json.loads(out)[0]["ifindex"]
    expected = {
        "h1-eth0": {"ifindex": ifindex["h1-eth0"], "operUp": True, "weight": 5},
        "h1-eth1": {"ifindex": ifindex["h1-eth1"], "operUp": True, "speed": 25000},
    }

    step("show multinic nic json lists h1-eth0 and h1-eth1")

    def _nics():
        out = show_json(h1, "show multinic nic json")
        if sorted(out) != sorted(expected):
            return "selected NICs {} (want {})".format(sorted(out), sorted(expected))
        return topotest.json_cmp(out, expected)

    result = expect(_nics)
    assert result is None, "h1 `show multinic nic json`: {}".format(result)

    step("gRPC state lists the same NICs")
    state = nb.get_state("/frr-multinic:multinic-state")
    nics = {
        n.get("name"): n
        for n in state.get("frr-multinic:multinic-state", {}).get("nic", [])
    }
    want = {
        name: {
            "ifindex": e["ifindex"],
            "oper-up": True,
            **({"weight": 5} if "weight" in e else {"speed": 25000}),
        }
        for name, e in expected.items()
    }
    assert sorted(nics) == sorted(want), "gRPC state NICs: {}".format(state)
    result = topotest.json_cmp(nics, want)
    assert result is None, "gRPC state NICs {}: {}".format(nics, result)


# command, what the refusal must mention (regex, case-insensitive)
INVALID_VTYSH = [
    # link bandwidth is bgpd's (per-neighbour route-map), not multinicd's
    ("link-bandwidth disabled", r"unknown command"),
    # vtysh's own parser refuses it; whatever it says is fine
    ("nic-match 30", r"%"),
    ("nic a/b", r"a/b|name"),
    ("nic aaaaaaaaaaaaaaaa", r"aaaaaaaaaaaaaaaa|name|length|15"),
]


@pytest.mark.parametrize(
    "command,reason", INVALID_VTYSH, ids=[c for c, _ in INVALID_VTYSH]
)
def test_vtysh_refuses_invalid(tgen, command, reason):
    "Invalid vtysh input is refused with a message; running-config is unchanged."
    h1 = tgen.gears["h1"]

    # Entering the node creates the (presence) multinic container when it
    # does not exist yet; do it before the snapshot.
    rc, out = vtysh_config(h1, "multinic")
    assert rc == 0, "cannot enter the multinic node: {}".format(out)
    expect_vtysh_refusal(h1, [command], reason)


# Addresses no task may take (issue 16 item 10), as a VIP or a per-NIC
# address: (address, what the refusal must say). h1's NICs are
# h1-eth0 10.0.1.2/24 and h1-eth1 10.0.2.2/24.
INVALID_TASK_ADDRESSES = [
    ("0.0.0.1/32", r"0\.0\.0\.0/8"),
    ("127.0.0.1/32", r"loopback"),
    ("224.0.0.5/32", r"multicast"),
    ("240.0.0.1/32", r"reserved"),
    ("255.255.255.255/32", r"broadcast"),
    ("169.254.1.1/32", r"link-local"),
    ("169.254.169.254/32", r"link-local"),
    ("10.0.1.2/32", r"interface|h1-eth0"),
    ("::/128", r"unspecified"),
    ("::1/128", r"loopback"),
    ("fe80::1/128", r"link-local"),
    ("ff02::1/128", r"multicast"),
    ("::ffff:127.0.0.1/128", r"IPv4-mapped"),
]


def _task_lines(address, as_vip):
    if as_vip:
        return ["task hostile", "vip " + address]
    return ["task hostile", "nic h1-eth0 address " + address]


@pytest.mark.parametrize("as_vip", [True, False], ids=["vip", "nic-address"])
@pytest.mark.parametrize(
    "address,reason", INVALID_TASK_ADDRESSES, ids=[a for a, _ in INVALID_TASK_ADDRESSES]
)
def test_vtysh_refuses_task_address(tgen, address, reason, as_vip):
    "No task may take a reserved, link-local, multicast or host address (vtysh)."
    h1 = tgen.gears["h1"]
    # entering "task hostile" creates the task: before the snapshot
    rc, out = vtysh_config(h1, "multinic", "task hostile")
    assert rc == 0, "cannot create task hostile: {}".format(out)
    try:
        expect_vtysh_refusal(h1, _task_lines(address, as_vip), reason)
    finally:
        vtysh_config(h1, "multinic", "no task hostile")


@pytest.mark.parametrize("as_vip", [True, False], ids=["vip", "nic-address"])
@pytest.mark.parametrize(
    "address,reason", INVALID_TASK_ADDRESSES, ids=[a for a, _ in INVALID_TASK_ADDRESSES]
)
def test_grpc_refuses_task_address(tgen, address, reason, as_vip):
    "No task may take a reserved, link-local, multicast or host address (gRPC)."
    h1 = tgen.gears["h1"]
    v6 = ":" in address
    if as_vip:
        task = {"name": "hostile", "vip-v6" if v6 else "vip-v4": address}
    else:
        task = {"name": "hostile", "nic-address": [
            {"nic": "h1-eth0", "ipv6" if v6 else "ipv4": address}]}
    expect_grpc_refusal(h1, Northbound(h1, GRPC_PORT), "task address " + address,
                        {MC: {"task": [task]}}, reason)


INVALID_GRPC = [
    # the authorization policy's own sweep is in multinic_authz
    (
        "authorization max-vips-per-host 0",
        {MC: {"authorization": {"max-vips-per-host": 0}}},
        r"max-vips-per-host is 1 to 1000000",
    ),
    (
        "authorization vip-range 10.200.0.0/33",
        {MC: {"authorization": {"vip-range": [{"prefix": "10.200.0.0/33"}]}}},
        r"10\.200\.0\.0/33|prefix",
    ),
    (
        "link-bandwidth disabled",
        {MC: {"announcement": {"link-bandwidth": "disabled"}}},
        r"announcement",
    ),
    (
        "nic-match 30 without condition",
        {MC: {"nic-match": [{"seq": 30}]}},
        r"condition",
    ),
    ("nic a/b", {MC: {"nic": [{"name": "a/b"}]}}, r"a/b|name"),
    (
        "nic aaaaaaaaaaaaaaaa",
        {MC: {"nic": [{"name": "a" * 16}]}},
        r"aaaaaaaaaaaaaaaa|name|length|15",
    ),
    (
        "task vip-v4 10.1.1.1/24",
        {MC: {"task": [{"name": "job1", "vip-v4": "10.1.1.1/24"}]}},
        r"host prefix|/32",
    ),
]


@pytest.mark.parametrize(
    "name,change,reason", INVALID_GRPC, ids=[n for n, _, _ in INVALID_GRPC]
)
def test_grpc_refuses_invalid(tgen, name, change, reason):
    "Invalid gRPC commits are refused with a message; config is unchanged."
    h1 = tgen.gears["h1"]
    expect_grpc_refusal(h1, Northbound(h1, GRPC_PORT), name, change, reason)


def test_grpc_refusal_reports_only_its_own_error(tgen):
    """A refused gRPC commit reports its own error, not an earlier request's.

    An EditCandidate refused by libyang (here: an invalid NIC name) must not
    leave its error behind to be reported again by the next, unrelated
    commit's "YANG error(s)" message.
    """
    h1 = tgen.gears["h1"]
    nb = Northbound(h1, GRPC_PORT)

    step("gRPC: an invalid NIC name, refused by EditCandidate")
    first = nb.commit_json({MC: {"nic": [{"name": "x/y"}]}})
    assert not first.ok, "gRPC accepted nic x/y: {}".format(first.raw)

    step("gRPC: then a nic-match without condition")
    second = nb.commit_json({MC: {"nic-match": [{"seq": 31}]}})
    logger.info("gRPC after a refused edit -> %s: %r", second.code, second.message)
    assert not second.ok, "gRPC accepted nic-match 31: {}".format(second.raw)
    assert re.search(r"condition", second.message, re.I), second.message
    assert not re.search(r"interface name|x/y", second.message, re.I), (
        "the refusal of nic-match 31 repeats the earlier nic x/y error: {!r}".format(
            second.message
        )
    )


def test_bgpd_multinic(tgen):
    "bgpd on tor loaded bgpd_multinic, which answers `show bgp multinic json`."
    tor = tgen.gears["tor"]
    assert module_path("bgpd_multinic"), (
        "bgpd_multinic is not installed (no bgpd_multinic.so in FRR's module dir)"
    )
    out = show_json(tor, "show bgp multinic json")
    cmp = topotest.json_cmp(out, {"module": "bgpd_multinic"})
    assert cmp is None, "tor `show bgp multinic json`: {} ({})".format(out, cmp)


def test_watchfrr_restarts_multinicd(tgen):
    """watchfrr restarts a killed multinicd, which gets its configuration back.

    This is Debian's supervision path: frrinit.sh starts ``watchfrr
    <daemons>``; when a daemon dies, watchfrr runs ``watchfrr.sh restart
    <daemon>`` (frrcommon.sh), which starts ``/usr/lib/frr/<daemon> -d
    $<daemon>_options`` and, because the integrated /etc/frr/frr.conf exists,
    feeds it its configuration with ``vtysh -b -d <daemon>``. So the
    configuration a restarted daemon gets back is the saved one: we save
    (``write file``) first, then kill -9 multinicd under watchfrr and expect
    a new multinicd with the same multinic block, answering vtysh and gRPC.
    multinic_lib.topo.WatchFrr writes h1's (private) /etc/frr/daemons with
    the options topotest started the daemons with, as the package would.
    """
    h1 = tgen.gears["h1"]

    step("configure multinic (as test_vtysh_config does; no-op after it)")
    rc, out = vtysh_config(h1, "multinic", *VTYSH_LINES)
    assert rc == 0, "vtysh refused the multinic configuration: {}".format(out)

    step("save the configuration (write file)")
    rc, out = vtysh(h1, "write file")
    assert rc == 0, "write file failed: {}".format(out)
    block = config_block(running_config(h1), "multinic")
    assert block, "no multinic block configured before the restart"
    saved = read_file(h1, "/etc/frr/frr.conf") or ""
    assert config_block(saved, "multinic") == block, "saved frr.conf:\n{}".format(saved)

    old_pid = daemon_pid(h1, "multinicd")
    assert old_pid, "multinicd is not running on h1"

    watchfrr = WatchFrr(h1, ["zebra", "multinicd"])
    watchfrr.start()
    try:
        step("watchfrr sees zebra and multinicd up")

        def _watchfrr_up():
            if not watchfrr.running():
                return "watchfrr exited:\n" + watchfrr.log()
            _, out = vtysh(h1, "show watchfrr")
            states = dict(re.findall(r"^\s+(\S+)\s+(\S+)\s*$", out, re.M))
            if states.get("zebra") == "Up" and states.get("multinicd") == "Up":
                return None
            return out

        result = expect(_watchfrr_up, count=40)
        assert result is None, "watchfrr does not see the daemons up: {}".format(result)

        step("kill -9 multinicd")
        h1.cmd_raises("kill -9 {}".format(old_pid))

        step("watchfrr starts a new multinicd")

        def _restarted():
            pid = daemon_pid(h1, "multinicd")
            if pid and pid != old_pid:
                out = show_json(h1, "show multinic json")
                if out.get("version"):
                    return None
                return "multinicd {} does not answer show multinic json".format(pid)
            return "no new multinicd (pid {})".format(pid)

        result = expect(_restarted, count=90, wait=1)
        assert result is None, "{}\nwatchfrr log:\n{}".format(result, watchfrr.log())

        step("the restarted multinicd has its configuration back")

        def _config_back():
            now = config_block(running_config(h1), "multinic")
            return None if now == block else now

        result = expect(_config_back, count=30, wait=1)
        assert result is None, "multinic block after restart:\n{}\nexpected:\n{}".format(
            result, block
        )

        step("and its gRPC northbound is back")
        state = Northbound(h1, GRPC_PORT).get_state("/frr-multinic:multinic-state")
        assert state.get("frr-multinic:multinic-state", {}).get("version"), (
            "gRPC state after restart: {}".format(state)
        )
    finally:
        watchfrr.stop()


def test_memory_leak(tgen):
    "FRR's memory-leak report: no daemon leaves memory allocated at exit."
    memory_leak_test(tgen)


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
