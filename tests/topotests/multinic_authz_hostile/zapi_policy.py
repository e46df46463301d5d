#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
zapi_policy.py FRR_TREE PROTO: connect to zebra (/var/run/frr/zserv.api) as
a client of route type PROTO (e.g. "static") and send, in ZAPI opaque
messages of bgpd_multinic's policy type, a complete authorization policy
(generation 999, one vip-range 192.0.2.0/24, no host) -- what a daemon
other than multinicd must not be able to give bgpd_multinic.

ZAPI numbers (message types, route types) are read from the FRR tree's
lib/zclient.h and lib/route_types.h, the wire layout from
common/multinic_authz_wire.h's comment.
"""

import re
import socket
import struct
import sys
import time

OPAQUE_AUTHZ_POLICY = 0x4D4E4101
WIRE_VERSION = 1
BEGIN, RANGE, END = 1, 2, 4


def message_types(tree):
    with open(tree + "/lib/zclient.h", encoding="utf-8") as f:
        text = f.read()
    body = text[text.index("typedef enum {", text.index("ZEBRA_INTERFACE_ADD") - 200):]
    body = body[body.index("{") + 1 : body.index("} zebra_message_types_t;")]
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    return [name.strip() for name in body.split(",") if name.strip()]


def route_type(tree, name):
    with open(tree + "/lib/route_types.h", encoding="utf-8") as f:
        found = re.search(r"#define ZEBRA_ROUTE_{}\s+(\d+)".format(name.upper()), f.read())
    return int(found.group(1))


def header(command, body):
    return struct.pack("!HBBIH", 10 + len(body), 254, 6, 0, command) + body


def main(tree, proto_name):
    types = message_types(tree)
    hello, opaque = types.index("ZEBRA_HELLO"), types.index("ZEBRA_OPAQUE_MESSAGE")
    proto = route_type(tree, proto_name)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect("/var/run/frr/zserv.api")
    sock.sendall(header(hello, struct.pack("!BHIB", proto, 0, 0, 0)))
    parts = [
        struct.pack("!BBIIII", WIRE_VERSION, BEGIN, 999, 0, 1, 0),
        struct.pack("!BBIBB4s", WIRE_VERSION, RANGE, 999, socket.AF_INET, 24,
                    socket.inet_aton("192.0.2.0")),
        struct.pack("!BBI", WIRE_VERSION, END, 999),
    ]
    for part in parts:
        sock.sendall(header(opaque, struct.pack("!IHBHI", OPAQUE_AUTHZ_POLICY, 0, proto, 0, 0) + part))
    # zebra drops what a client sent if it sees the client gone first
    time.sleep(2)
    sock.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
