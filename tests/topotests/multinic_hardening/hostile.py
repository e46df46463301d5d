#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
hostile.py IFACE PACKETS: what a hostile task (root in its own network
namespace) sends, crafted with scapy; run inside the task's netns with
Debian's /usr/bin/python3 (python3-scapy).

The frames go out on IFACE (the task's device) at layer 2, addressed to
the MAC of the task's gateway: the permanent neighbour entry multinicd put
into the netns for 169.254.1.1 (the host end of the pair). Nothing the
kernel of the task's netns would refuse or fix up gets in the way: any
source address, an 802.1Q tag, any TTL.

PACKETS is a JSON list; each entry sends ``count`` packets:

    {"src": ADDRESS, "dst": ADDRESS,      IPv4 or IPv6 (by the ':')
     "proto": "icmp" | "udp",            echo request, or UDP with a payload
     "count": N,                          default 1
     "sport": PORT, "dport": PORT,        UDP ports (icmp: sport is the echo id)
     "vlan": VID,                         optional: an 802.1Q tag (0: priority tag)
     "ttl": N,                            optional: TTL / hop limit (default 64)
     "await_error": true}                 optional: wait up to 3 s for the ICMP or
                                          ICMPv6 error that quotes these packets

Prints a JSON list, one entry per packet spec: {"sent": N, "errors":
[{"src": ADDRESS, "type": T, "code": C}, ...]} (errors only when awaited).
"""

import json
import logging
import subprocess
import sys
import threading
import time

# scapy warns about routes it cannot find: it is not asked to route
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

# pylint: disable=wrong-import-position
from scapy.all import (  # pylint: disable=no-name-in-module
    ICMP,
    IP,
    UDP,
    AsyncSniffer,
    Dot1Q,
    Ether,
    ICMPv6EchoRequest,
    IPerror,
    IPerror6,
    IPv6,
    Raw,
    UDPerror,
    conf,
    get_if_hwaddr,
    sendp,
)

TASK_GATEWAY = "169.254.1.1"
PAYLOAD = b"multinic_hardening hostile task"
ERROR_WAIT = 3.0


def gateway_mac(iface):
    "The MAC of the task's gateway, from the netns's neighbour table."
    out = subprocess.run(
        ["ip", "-j", "neigh", "show", TASK_GATEWAY, "dev", iface],
        check=True, capture_output=True, text=True,
    ).stdout
    entries = json.loads(out or "[]")
    if not entries or "lladdr" not in entries[0]:
        sys.exit("no neighbour entry for {} on {}: {}".format(TASK_GATEWAY, iface, out))
    return entries[0]["lladdr"]


def frames(spec, src_mac, mac):
    "The frames of one packet spec."
    v6 = ":" in spec["dst"]
    ttl = spec.get("ttl", 64)
    out = []
    for seq in range(spec.get("count", 1)):
        if v6:
            ip = IPv6(src=spec["src"], dst=spec["dst"], hlim=ttl)
        else:
            ip = IP(src=spec["src"], dst=spec["dst"], ttl=ttl)
        if spec["proto"] == "udp":
            l4 = UDP(sport=spec.get("sport", 40000), dport=spec["dport"]) / Raw(PAYLOAD)
        elif v6:
            l4 = ICMPv6EchoRequest(id=spec.get("sport", 0x4d4e), seq=seq) / Raw(PAYLOAD)
        else:
            l4 = ICMP(id=spec.get("sport", 0x4d4e), seq=seq) / Raw(PAYLOAD)
        eth = Ether(src=src_mac, dst=mac)
        if "vlan" in spec:
            eth = eth / Dot1Q(vlan=spec["vlan"])
        out.append(eth / ip / l4)
    return out


def quotes(packet, spec):
    "packet is an ICMP/ICMPv6 error quoting a packet of spec."
    inner = packet.getlayer(IPerror6) or packet.getlayer(IPerror)
    if inner is None or inner.src != spec["src"] or inner.dst != spec["dst"]:
        return False
    if spec["proto"] == "udp":
        udp = packet.getlayer(UDPerror)
        return udp is not None and udp.dport == spec["dport"]
    return True


def error_of(packet):
    "{src, type, code} of an ICMP/ICMPv6 error."
    outer = packet.getlayer(IPv6) or packet.getlayer(IP)
    icmp = outer.payload
    return {"src": outer.src, "type": int(icmp.type), "code": int(icmp.code)}


def main():
    iface, specs = sys.argv[1], json.loads(sys.argv[2])
    conf.verb = 0
    mac = gateway_mac(iface)
    src_mac = get_if_hwaddr(iface)
    waiting = [s for s in specs if s.get("await_error")]
    sniffer = None
    captured = []  # the ICMP/ICMPv6 errors seen, as they come
    if waiting:
        ready = threading.Event()
        sniffer = AsyncSniffer(
            iface=iface,
            store=False,
            lfilter=lambda p: p.haslayer(IPerror) or p.haslayer(IPerror6),
            prn=captured.append,
            started_callback=ready.set,
        )
        sniffer.start()
        if not ready.wait(10):
            sys.exit("the sniffer on {} did not start".format(iface))
    results = []
    for spec in specs:
        batch = frames(spec, src_mac, mac)
        sendp(batch, iface=iface, verbose=False)
        results.append({"sent": len(batch), "errors": []})
    if sniffer:
        deadline = time.monotonic() + ERROR_WAIT
        while time.monotonic() < deadline:
            got = list(captured)
            if all(any(quotes(p, s) for p in got) for s in waiting):
                break
            time.sleep(0.1)
        sniffer.stop()
        for spec, result in zip(specs, results):
            if spec.get("await_error"):
                result["errors"] = [error_of(p) for p in captured if quotes(p, spec)]
    print(json.dumps(results))


if __name__ == "__main__":
    main()
