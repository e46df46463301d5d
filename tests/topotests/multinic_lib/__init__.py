# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers shared by the frr-multinic topotests (tests/topotests/multinic_*).

* ``pytest_plugin``: environment shims for FRR's topotest framework on our
  test hosts (the kernel has no /proc/modules); loaded with ``-p``.
* ``topo``: registers multinicd with topotest, loads unified configs with
  per-daemon options, vtysh helpers, watchfrr.
* ``topology``: a module's topology started and stopped (``tgen`` fixture),
  NIC links, task netns, sysctls, skipping a broken topology, restarting a
  daemon.
* ``checks``: multinicd configuration, tasks, refusals of bad input, routes.
* ``traffic``: ``ip -j``, ping, iperf3, NIC byte counters and shares.
* ``memleaks``: FRR's memory-leak report as a failing test
  (``memory_leak_test``), known leaks (``KNOWN_LEAKS``).
* ``northbound`` / ``nb_grpc``: gRPC northbound client (reads and commits).

Names are re-exported lazily so that importing the package (as pytest does
for the plugin) does not import FRR's topotest modules before pytest is set
up.
"""

import importlib

_EXPORTS = {
    "MULTINICD": "topo",
    "RD_MULTINIC": "topo",
    "register_multinicd": "topo",
    "load_frr_config": "topo",
    "daemon_installed": "topo",
    "module_path": "topo",
    "vtysh": "topo",
    "vtysh_config": "topo",
    "show_json": "topo",
    "running_config": "topo",
    "config_block": "topo",
    "read_file": "topo",
    "daemon_pid": "topo",
    "WatchFrr": "topo",
    "wait_for": "topo",
    "cmd": "topo",
    "cmd_ok": "topo",
    "expect": "topo",
    "multinic_topology": "topology",
    "build_rack": "topology",
    "link_nics": "topology",
    "add_netns": "topology",
    "delete_netns": "topology",
    "set_sysctls": "topology",
    "enable_forwarding": "topology",
    "accept_any_source": "topology",
    "skip_if_topology_broken": "topology",
    "kill_daemon": "topology",
    "start_daemon": "topology",
    "MC": "checks",
    "SHOW_ROUTE": "checks",
    "configure_multinic": "checks",
    "unified_diff": "checks",
    "expect_vtysh_refusal": "checks",
    "expect_grpc_refusal": "checks",
    "task_json": "checks",
    "seconds_until": "checks",
    "task_wired": "checks",
    "selected_route": "checks",
    "bgp_peers_not_established": "checks",
    "IPERF_PORT": "traffic",
    "SPREAD_ROUNDS": "traffic",
    "SHARE_MIN": "traffic",
    "SHARE_MAX": "traffic",
    "SHARE_USED": "traffic",
    "SHARE_UNUSED": "traffic",
    "ip_json": "traffic",
    "ping_args": "traffic",
    "tcp_listening": "traffic",
    "output_while": "traffic",
    "Iperf3Server": "traffic",
    "iperf3_client_args": "traffic",
    "tx_bytes": "traffic",
    "byte_shares": "traffic",
    "format_shares": "traffic",
    "spread_rounds": "traffic",
    "memory_leak_test": "memleaks",
    "KNOWN_LEAKS": "memleaks",
    "Northbound": "northbound",
    "NorthboundError": "northbound",
    "CommitResult": "northbound",
    "json_to_edits": "northbound",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        module = importlib.import_module("." + _EXPORTS[name], __name__)
        return getattr(module, name)
    raise AttributeError("module {!r} has no attribute {!r}".format(__name__, name))
