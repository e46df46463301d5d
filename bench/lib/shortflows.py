#!/usr/bin/python3
"""Short TCP flows for the "mixed traffic" bench row, and their completion
times.

    shortflows.py serve PORT
        Accept connections on PORT; read each to its end, then close it.
        Runs until killed.
    shortflows.py run HOST PORT COUNT SPREAD SEED MIN_KB MAX_KB
        Open COUNT flows to HOST:PORT, arriving as a Poisson process over
        SPREAD seconds, each sending a size drawn uniformly from
        MIN_KB..MAX_KB kB (the same sizes and arrival times for a given
        SEED, so every mode gets the same flows); print one JSON object:
        {"flows": [{"start_s", "bytes", "fct_ms"}...], "failed": N}.

    shortflows.py bursts HOST PORT FLOWS BURST_KB IDLE_MS SECONDS
        FLOWS connections to HOST:PORT, each sending BURST_KB kB at once,
        waiting until the peer has acknowledged all of it, then IDLE_MS
        ms, and again, for SECONDS; print {"flows": N, "bursts": N}.
        Bulk flows with idle gaps: the traffic that reaches flowlet
        boundaries (the reordering row of the bench).

A flow's completion time is from the start of connect() until the
server's close is seen: the handshake, every byte delivered (the server
reads to the end before it closes) and one more round trip, the way an
RPC or a small object transfer completes for an application.
"""

import array
import fcntl
import json
import random
import socket
import sys
import termios
import threading
import time


def serve(port):
    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    srv.bind(("::", port))
    srv.listen(256)

    def drain(conn):
        with conn:
            while conn.recv(1 << 16):
                pass

    while True:
        conn, _ = srv.accept()
        threading.Thread(target=drain, args=(conn,), daemon=True).start()


def one_flow(host, port, size, out):
    data = b"\x5a" * size
    t0 = time.monotonic()
    try:
        with socket.create_connection((host, port), timeout=30) as conn:
            conn.sendall(data)
            conn.shutdown(socket.SHUT_WR)
            while conn.recv(4096):
                pass
        out["fct_ms"] = (time.monotonic() - t0) * 1000
    except OSError as e:
        out["error"] = str(e)


def run(host, port, count, spread, seed, min_kb, max_kb):
    rng = random.Random(seed)
    plan, t = [], 0.0
    for _ in range(count):
        t += rng.expovariate(count / spread)
        plan.append((t, rng.randint(min_kb * 1000, max_kb * 1000)))
    results, threads = [], []
    start = time.monotonic()
    for at, size in plan:
        time.sleep(max(0.0, start + at - time.monotonic()))
        res = {"start_s": round(at, 4), "bytes": size}
        results.append(res)
        th = threading.Thread(target=one_flow, args=(host, port, size, res), daemon=True)
        th.start()
        threads.append(th)
    for th in threads:
        th.join(60)
    done = [r for r in results if "fct_ms" in r]
    print(json.dumps({"flows": done, "failed": len(results) - len(done)}))


def unacked(conn):
    """Bytes the socket has not had acknowledged yet (SIOCOUTQ)."""
    buf = array.array("i", [0])
    fcntl.ioctl(conn.fileno(), termios.TIOCOUTQ, buf)
    return buf[0]


def bursty_flow(host, port, burst, idle, end, counts):
    data = b"\x5a" * burst
    with socket.create_connection((host, port), timeout=30) as conn:
        while time.monotonic() < end:
            conn.sendall(data)
            counts["bursts"] += 1
            while unacked(conn) and time.monotonic() < end:
                time.sleep(0.001)
            time.sleep(idle)


def bursts(host, port, flows, burst_kb, idle_ms, seconds):
    end = time.monotonic() + seconds
    counts = {"bursts": 0}
    threads = [threading.Thread(target=bursty_flow, daemon=True,
                                args=(host, port, burst_kb * 1000, idle_ms / 1000, end, counts))
               for _ in range(flows)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(seconds + 60)
    print(json.dumps({"flows": flows, "bursts": counts["bursts"]}))


def main(argv):
    if len(argv) == 3 and argv[1] == "serve":
        serve(int(argv[2]))
    elif len(argv) == 9 and argv[1] == "run":
        run(argv[2], int(argv[3]), int(argv[4]), float(argv[5]), int(argv[6]), int(argv[7]),
            int(argv[8]))
    elif len(argv) == 8 and argv[1] == "bursts":
        bursts(argv[2], int(argv[3]), int(argv[4]), int(argv[5]), int(argv[6]),
               float(argv[7]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
