#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Test traffic for multinic_placement: a TCP sink and a "pulse" sender.

    flowtool.py sink PORT COUNT
        Accept COUNT connections on PORT (IPv4 and IPv6), read each to its
        end, print {"bytes": N} (all of them).  An 8 MB receive buffer
        keeps the window open while the sink is not scheduled (a busy test
        machine): the senders never find everything acknowledged and the
        window closed.
    flowtool.py pulse HOST PORT SNDBUF SEND,IDLE,SEND[,IDLE,SEND...]
        Connect with a send buffer of SNDBUF bytes, print {"sport": P} at
        once, then send as fast as the connection takes it for SEND
        seconds; then wait until the peer has acknowledged everything and
        send nothing for IDLE seconds more (the wire is idle for IDLE);
        and so on, printing {"phase": i} as phase i begins; close, print
        {"bytes": N}.

A large send buffer keeps data queued in the kernel while the
application is not scheduled (a busy test machine), so that the flow
has data in flight all through a sending phase; the sink's large
receive buffer does the same at the other end.  The sender is limited
by its congestion window.
"""

import array
import fcntl
import json
import socket
import sys
import termios
import threading
import time


# <asm-generic/socket.h>; Python's socket module does not name it
SO_RCVBUFFORCE = 33


def drain(conn, counts):
    with conn:
        while True:
            data = conn.recv(1 << 16)
            if not data:
                return
            counts.append(len(data))


def sink(port, count):
    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    # before listen(): accepted sockets inherit it; FORCE passes rmem_max
    srv.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
    srv.bind(("::", port))
    srv.listen(count)
    counts, threads = [], []
    for _ in range(count):
        conn, _ = srv.accept()
        threads.append(threading.Thread(target=drain, args=(conn, counts)))
        threads[-1].start()
    for th in threads:
        th.join()
    srv.close()
    print(json.dumps({"bytes": sum(counts)}), flush=True)


def unacked(conn):
    """Bytes the socket has not had acknowledged yet (SIOCOUTQ)."""
    buf = array.array("i", [0])
    fcntl.ioctl(conn.fileno(), termios.TIOCOUTQ, buf)
    return buf[0]


def pulse(host, port, sndbuf, phases):
    conn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
    conn.connect((host, port))
    print(json.dumps({"sport": conn.getsockname()[1]}), flush=True)
    block = b"\x5a" * (1 << 16)
    total = 0
    for i, seconds in enumerate(phases):
        print(json.dumps({"phase": i}), flush=True)
        end = time.monotonic() + seconds
        if i % 2:
            while unacked(conn):
                time.sleep(0.001)
            time.sleep(seconds)
            continue
        while time.monotonic() < end:
            total += conn.send(block)
    conn.close()
    print(json.dumps({"bytes": total}), flush=True)


def main(argv):
    if len(argv) == 4 and argv[1] == "sink":
        sink(int(argv[2]), int(argv[3]))
    elif len(argv) == 6 and argv[1] == "pulse":
        pulse(argv[2], int(argv[3]), int(argv[4]), [float(x) for x in argv[5].split(",")])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
