#!/usr/bin/python3
"""Run inside the rack switch's namespace: watch its kernel FIB (rtnetlink
notifications, no polling) until every given IPv4 prefix has exactly N
usable next hops ("up"), or none of them is routed any more ("down");
then print the CLOCK_MONOTONIC time at which that became true.

    fibwatch.py up|down N TIMEOUT_S PREFIX...

Prints "ready" once subscribed and the FIB's current state is read, so
the caller commits only then; "done T" or "timeout" at the end. A next
hop is usable when it is neither dead nor on a link that is down
(RTNH_F_DEAD, RTNH_F_LINKDOWN). Routes using nexthop objects carry their
next hops in the notifications too (net.ipv4.nexthop_compat_mode, on by
default).
"""

import ipaddress
import select
import socket
import struct
import sys
import time

RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE = 24, 25, 26
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
RTMGRP_IPV4_ROUTE = 0x40
RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_MULTIPATH, RTA_TABLE = 1, 4, 5, 9, 15
RTNH_F_DEAD, RTNH_F_LINKDOWN = 1, 16
RT_TABLE_MAIN = 254
SO_RCVBUFFORCE = 33


def attrs(data):
    """rtattrs of a buffer: {type: payload} (the last of a type wins)."""
    out, off = {}, 0
    while off + 4 <= len(data):
        ln, typ = struct.unpack_from("=HH", data, off)
        if ln < 4:
            break
        out[typ & 0x3FFF] = data[off + 4:off + ln]
        off += (ln + 3) & ~3
    return out


def usable_hops(rtm_flags, a):
    if RTA_MULTIPATH in a:
        data, off, n = a[RTA_MULTIPATH], 0, 0
        while off + 8 <= len(data):
            ln, flags, _, _ = struct.unpack_from("=HBBi", data, off)
            if ln < 8:
                break
            if not flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN):
                n += 1
            off += (ln + 3) & ~3
        return n
    if RTA_GATEWAY in a or RTA_OIF in a:
        return 0 if rtm_flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN) else 1
    return 0


def handle(buf, watched, state):
    """Apply every route message of a netlink datagram; True at NLMSG_DONE."""
    off, done = 0, False
    while off + 16 <= len(buf):
        ln, typ, _, _, _ = struct.unpack_from("=LHHLL", buf, off)
        if ln < 16:
            break
        body = buf[off + 16:off + ln]
        off += (ln + 3) & ~3
        if typ == NLMSG_DONE:
            done = True
            continue
        if typ not in (RTM_NEWROUTE, RTM_DELROUTE) or len(body) < 12:
            continue
        family, dst_len, _, _, table, _, _, _, flags = struct.unpack_from("=BBBBBBBBI", body)
        if family != socket.AF_INET:
            continue
        a = attrs(body[12:])
        if RTA_TABLE in a:
            table = struct.unpack("=I", a[RTA_TABLE][:4])[0]
        if table != RT_TABLE_MAIN or RTA_DST not in a:
            continue
        prefix = "%s/%d" % (socket.inet_ntoa(a[RTA_DST][:4]), dst_len)
        if prefix in watched:
            state[prefix] = usable_hops(flags, a) if typ == RTM_NEWROUTE else 0
    return done


def main(goal, n, timeout, prefixes):
    watched = {str(ipaddress.ip_network(p)) for p in prefixes}
    state = dict.fromkeys(watched, 0)
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    try:
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((0, RTMGRP_IPV4_ROUTE))
    req = struct.pack("=LHHLL", 16 + 12, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 1, 0)
    req += struct.pack("=BBBBBBBBI", socket.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0)
    s.send(req)
    while not handle(s.recv(1 << 20), watched, state):
        pass

    def met():
        if goal == "up":
            return all(v == n for v in state.values())
        return not any(state.values())

    print("ready", flush=True)
    end = time.monotonic() + timeout
    while not met():
        left = end - time.monotonic()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            short = sorted(kv for kv in state.items()
                           if (kv[1] != n if goal == "up" else kv[1]))
            print("timeout: %d of %d prefixes not %s, e.g. %s" % (
                len(short), len(state), "with %d paths" % n if goal == "up" else "withdrawn",
                " ".join("%s=%d" % kv for kv in short[:8])), flush=True)
            return 1
        handle(s.recv(1 << 20), watched, state)
    print("done %.6f" % time.monotonic(), flush=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 5 or sys.argv[1] not in ("up", "down"):
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]))
