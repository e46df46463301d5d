#!/usr/bin/python3
"""Run inside a task namespace: ping DST every millisecond or so until the
first echo reply, then print its CLOCK_MONOTONIC time.

    pinger.py DST TIMEOUT_S

Prints "ready" first, so the caller commits the task configuration only
once this process is running: the figure is then not inflated by process
start-up, and its resolution is ~1 ms instead of ping(8)'s -W granularity.
"""

import os
import select
import socket
import struct
import sys
import time


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def echo(ident, seq):
    hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    body = b"multinic-bench"
    return struct.pack("!BBHHH", 8, 0, checksum(hdr + body), ident, seq) + body


def is_reply(packet, ident):
    ihl = (packet[0] & 0x0F) * 4
    typ, _, _, rid, _ = struct.unpack("!BBHHH", packet[ihl:ihl + 8])
    return typ == 0 and rid == ident


def main(dst, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    ident = os.getpid() & 0xFFFF
    print("ready", flush=True)
    end = time.monotonic() + timeout
    seq = 0
    while time.monotonic() < end:
        seq = (seq + 1) & 0xFFFF
        try:
            s.sendto(echo(ident, seq), (dst, 0))
        except OSError:  # no route yet: the task is not wired
            time.sleep(0.001)
            continue
        wait_until = time.monotonic() + 0.002
        while True:
            left = wait_until - time.monotonic()
            if left <= 0 or not select.select([s], [], [], left)[0]:
                break
            if is_reply(s.recv(2048), ident):
                print("reply %.6f" % time.monotonic(), flush=True)
                return 0
    print("timeout", flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2])))
