# SPDX-License-Identifier: GPL-2.0-or-later
"""Traffic and link state in a router: ``ip -j``, ping, iperf3, NIC counters.

Spreading flows over NICs is checked by bytes: a task's iperf3 flows each
leave through one NIC, and every NIC's share of the bytes sent must be in a
range (``spread_rounds``, ``SHARE_MIN``..``SHARE_MAX``).
"""

import json
import subprocess

from lib.topolog import logger

from .topo import cmd, cmd_ok, expect

# A flow is placed on a NIC by a hash of its ports: how many of 32 flows a
# NIC gets is binomial (mean 8, sd 2.4), so one run of 32 flows falls outside
# 10%..40% on some NIC about one time in five even when the spreading is
# right. The spreading check therefore adds up to SPREAD_ROUNDS runs (fresh
# source ports each time) until every NIC's share of all bytes is in range:
# 96 flows miss it about once in 400. A NIC that is not used, or the whole
# load on one NIC, fails every round.
SPREAD_ROUNDS = 3
# Bytes, not flows, are counted, and on unshaped veth a flow's speed
# depends on CPU scheduling (2 cores, shared with whatever else runs):
# one NIC's byte share was seen at 9.2% over 96 well-spread flows. The
# floor only proves that every NIC carries a real part of the load;
# balance is the benchmark's to measure (bench/).
SHARE_MIN = 0.05
SHARE_MAX = 0.45
# "carries traffic" / "carries ~nothing" (a NIC down, or back up)
SHARE_USED = 0.01
SHARE_UNUSED = 0.01

IPERF_PORT = 5201


def ip_json(router, *args, netns=None):
    """``ip -j ARGS`` in a router (or in one of its named netns), parsed;
    [] for empty output. Asserts that ip succeeded."""
    command = ["ip"] + (["-n", netns] if netns else []) + ["-j"] + list(args)
    out = cmd_ok(router, command)
    return json.loads(out) if out.strip() else []


def ping_args(family, destination, count, interval=None, wait=1, netns=None):
    """The ping command line: ``ping -FAMILY -c COUNT [-i INTERVAL] -W WAIT
    DESTINATION``, run inside ``netns`` when given (``ip netns exec``).
    family None leaves the address family to ping."""
    args = ["ip", "netns", "exec", netns] if netns else []
    args += ["ping"] + (["-{}".format(family)] if family else [])
    args += ["-c", str(count)] + (["-i", str(interval)] if interval else [])
    return args + ["-W", str(wait), destination]


def tcp_listening(router, port):
    "True when something in the router listens on TCP ``port``."
    rc, out, _ = cmd(router, ["ss", "-Htln", "sport = :{}".format(port)])
    return rc == 0 and bool(out.strip())


def output_while(router, args, action, timeout=60):
    """Run the command ``args`` in a router in the background while
    ``action()`` runs. Returns (the command's output, stdout and stderr,
    once it has ended by itself within ``timeout`` s after action returned;
    what action returned). The command is killed if anything fails
    meanwhile."""
    proc = router.net.popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            encoding="utf-8")
    try:
        result = action()
        out, _ = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return out, result


class Iperf3Server:
    """``iperf3 -s -1`` (serves one client run, then exits) in a router.

    As a context manager it is listening when the block starts (asserted)
    and killed at its end if it is still running. ``json_output``: its
    report is JSON (``-J``); ``capture``: its output is kept for
    ``output()`` (else discarded).
    """

    def __init__(self, router, port=IPERF_PORT, json_output=False, capture=True):
        self.router = router
        self.port = port
        self.json_output = json_output
        self.capture = capture
        self.proc = None

    def start(self):
        "Start the server (not waiting for it to listen)."
        args = ["iperf3", "-s", "-1"] + (["-J"] if self.json_output else [])
        out = subprocess.PIPE if self.capture else subprocess.DEVNULL
        self.proc = self.router.net.popen(
            args + ["-p", str(self.port)],
            stdout=out,
            stderr=out,
            stdin=subprocess.DEVNULL,
            encoding="utf-8",
        )
        return self

    def _not_listening(self):
        if self.proc.poll() is not None:
            return "iperf3 server exited: {}".format(self.proc.communicate())
        return None if tcp_listening(self.router, self.port) else "not listening"

    def wait_listening(self):
        "Wait until the server listens; asserts that it does."
        result = expect(self._not_listening, count=30, wait=0.5)
        assert result is None, "iperf3 server on {}: {}".format(self.router.name, result)
        return self

    def output(self, timeout=30):
        "(stdout, stderr) once the server has exited after its client run."
        return self.proc.communicate(timeout=timeout)

    def stop(self):
        "Kill the server if it still runs."
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()

    def __enter__(self):
        return self.start().wait_listening()

    def __exit__(self, *exc):
        self.stop()
        return False


def iperf3_client_args(netns, server, port=IPERF_PORT, flows=None, seconds=None,
                       json_output=False):
    """The iperf3 client command line run in a task's netns: ``iperf3 -c
    SERVER -p PORT [-P FLOWS] [-t SECONDS] [-J]``."""
    args = ["ip", "netns", "exec", netns, "iperf3", "-c", server, "-p", str(port)]
    if flows is not None:
        args += ["-P", str(flows)]
    if seconds is not None:
        args += ["-t", str(seconds)]
    return args + (["-J"] if json_output else [])


def tx_bytes(router, ifnames):
    "{ifname: bytes sent} of the router's interfaces ``ifnames``, from the kernel."
    return {
        link["ifname"]: link["stats64"]["tx"]["bytes"]
        for link in ip_json(router, "-s", "link", "show")
        if link["ifname"] in ifnames
    }


def byte_shares(delta):
    "{NIC: share of the total} of {NIC: bytes}; all 0.0 when nothing was sent."
    total = sum(delta.values())
    return {nic: (delta[nic] / total if total else 0.0) for nic in delta}


def format_shares(delta):
    "'NIC 25.0% (N bytes), ...' of {NIC: bytes}, sorted by NIC."
    shares = byte_shares(delta)
    return ", ".join(
        "{} {:.1%} ({} bytes)".format(nic, shares[nic], delta[nic]) for nic in sorted(delta)
    )


def spread_rounds(run_round, nics, rounds=SPREAD_ROUNDS, share_min=SHARE_MIN,
                  share_max=SHARE_MAX):
    """Add up the {NIC: bytes} that ``run_round(n)`` (n = 1, 2, ...) returns
    until every one of ``nics`` has a share of the total within
    ``share_min``..``share_max``, at most ``rounds`` times (see SPREAD_ROUNDS).

    Returns (total bytes per NIC, rounds run, the NICs whose share is out of
    range: [] when the spreading is right).
    """
    total = {nic: 0 for nic in nics}
    for rnd in range(1, rounds + 1):
        delta = run_round(rnd)
        for nic in nics:
            total[nic] += delta[nic]
        shares = byte_shares(total)
        bad = [nic for nic in nics if not share_min <= shares[nic] <= share_max]
        if not bad:
            break
        logger.info("round %s: shares not yet in range: %s", rnd, format_shares(total))
    return total, rnd, bad
