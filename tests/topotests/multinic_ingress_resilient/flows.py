#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""flows.py: UDP flows towards a task VIP, and on which NIC each arrives.

    flows.py send FAMILY VIP PORT FIRST_SPORT COUNT INTERVAL
        one UDP packet per flow (source ports FIRST_SPORT .. +COUNT-1, so
        COUNT distinct 5-tuples) every INTERVAL seconds, until stdin closes.
    flows.py capture FAMILY VIP PORT
        prints "ready" once it listens on every interface (AF_PACKET), then
        records each UDP packet to VIP:PORT that arrives, until stdin
        closes; prints a JSON list of [source port, interface, first
        arrival, last arrival (time.time()), packets].

Run in the topotest's routers (``send`` on the remote host, ``capture`` on
the host whose NICs the flows arrive on).
"""

import ipaddress
import json
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
PACKET_OUTGOING = 4
IPPROTO_UDP = 17


def stdin_closed(timeout):
    "True once stdin is at end of file (waits up to timeout s)."
    ready, _, _ = select.select([sys.stdin], [], [], timeout)
    return bool(ready) and not sys.stdin.buffer.read1(4096)


def send(family, vip, port, first, count, interval):
    af = socket.AF_INET if family == 4 else socket.AF_INET6
    socks = []
    for sport in range(first, first + count):
        s = socket.socket(af, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0" if family == 4 else "::", sport))
        socks.append(s)
    payload = b"multinic resilient ingress flow"
    while True:
        for s in socks:
            try:
                s.sendto(payload, (vip, port))
            except OSError:
                pass  # an ICMP error of an earlier packet; the flow goes on
        if stdin_closed(interval):
            return


def udp_to(frame, family, vip, port):
    "The UDP source port of a frame to vip:port, else None."
    ethertype = struct.unpack_from("!H", frame, 12)[0]
    ip = frame[14:]
    if family == 4 and ethertype == ETH_P_IP and len(ip) >= 20:
        ihl = (ip[0] & 0x0F) * 4
        if ip[9] != IPPROTO_UDP or ip[16:20] != vip or len(ip) < ihl + 4:
            return None
        udp = ip[ihl:]
    elif family == 6 and ethertype == ETH_P_IPV6 and len(ip) >= 44:
        if ip[6] != IPPROTO_UDP or ip[24:40] != vip:
            return None
        udp = ip[40:]
    else:
        return None
    sport, dport = struct.unpack_from("!HH", udp, 0)
    return sport if dport == port else None


def capture(family, vip, port):
    vip = ipaddress.ip_address(vip).packed
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    seen = {}
    print("ready", flush=True)
    while True:
        ready, _, _ = select.select([sock, sys.stdin], [], [], 1.0)
        if sys.stdin in ready and not sys.stdin.buffer.read1(4096):
            break
        if sock not in ready:
            continue
        frame, addr = sock.recvfrom(65535)
        now = time.time()
        if addr[2] == PACKET_OUTGOING:
            continue
        sport = udp_to(frame, family, vip, port)
        if sport is None:
            continue
        key = (sport, addr[0])
        if key in seen:
            seen[key][1] = now
            seen[key][2] += 1
        else:
            seen[key] = [now, now, 1]
    print(json.dumps([[s, i] + v for (s, i), v in sorted(seen.items())]))


def main(argv):
    if len(argv) == 8 and argv[1] == "send":
        send(int(argv[2]), argv[3], int(argv[4]), int(argv[5]), int(argv[6]), float(argv[7]))
    elif len(argv) == 5 and argv[1] == "capture":
        capture(int(argv[2]), argv[3], int(argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
