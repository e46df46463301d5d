# SPDX-License-Identifier: GPL-2.0-or-later
"""Test-side gRPC northbound helper: runs nb_grpc.py inside a router.

A daemon started with ``-M grpc:PORT`` listens on the router's own
localhost, so the client must run in the router's network namespace:
``Northbound(router, port)`` runs ``nb_grpc.py`` there (with the Python
running pytest, i.e. Debian's) and parses its JSON answer.

``commit_json()`` takes a JSON tree as libyang prints it, e.g.
``{"frr-multinic:multinic": {"nic-match": [{"seq": 20, "driver": "veth"}]}}``,
turns it into path/value edits (list keys come from the YANG module) and
commits them: CreateCandidate -> EditCandidate -> Commit(ALL) ->
DeleteCandidate. Edits rather than LoadToCandidate because FRR validates a
loaded tree on its own, which hides the reason of a refusal (see
nb_grpc.NorthboundClient.load); ``load_json()`` is there for the other path.
"""

import collections
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "nb_grpc.py")

CommitResult = collections.namedtuple(
    "CommitResult", "ok code message transaction_id stage raw"
)


def frr_tree():
    """FRR source tree the topotest framework comes from."""
    tree = os.environ.get("FRR_MULTINIC_TREE")
    if tree and os.path.isdir(tree):
        return tree
    # lib/topotest.py is FRR's file (symlinked in our run dir):
    # <tree>/tests/topotests/lib/topotest.py
    from lib import topotest  # pylint: disable=import-outside-toplevel

    return os.path.realpath(
        os.path.join(os.path.dirname(os.path.realpath(topotest.__file__)), "../../..")
    )


def proto_path():
    path = os.path.join(frr_tree(), "grpc", "frr-northbound.proto")
    if not os.path.isfile(path):
        raise FileNotFoundError("FRR's gRPC proto not found at " + path)
    return path


def _yang_candidates(module):
    name = module + ".yang"
    top = os.environ.get("FRR_MULTINIC_TOP")
    if top:
        yield os.path.join(top, "yang", name)
    yield os.path.join(frr_tree(), "yang", name)
    # Running straight from a checkout: tests/topotests/multinic_lib/..
    yield os.path.join(HERE, "..", "..", "..", "yang", name)
    for found in glob.glob("/usr/share/yang/" + name):
        yield found


_KEYS_CACHE = {}


def yang_list_keys(module):
    """{list name: [key leaf, ...]} of a YANG module, from its source.

    A deliberately small reader: it pairs each ``list NAME {`` with the
    first ``key "..."`` statement inside it. Lists that share a name in one
    module (multinic/nic and multinic-state/nic) must share their key, which
    holds for frr-multinic; pass ``keys=`` to commit_json() otherwise.
    """
    if module in _KEYS_CACHE:
        return _KEYS_CACHE[module]
    for path in _yang_candidates(module):
        if os.path.isfile(path):
            break
    else:
        raise FileNotFoundError("YANG module {} not found".format(module))
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"/\*.*?\*/|//[^\n]*", "", f.read(), flags=re.S)
    keys = {}
    for match in re.finditer(r"\blist\s+([\w.-]+)\s*\{", text):
        body = text[match.end() :]
        key = re.search(r'\bkey\s+"([^"]+)"|\bkey\s+([\w.\- ]+);', body)
        # the key must belong to this list: no nested list in between
        nested = re.search(r"\blist\s+[\w.-]+\s*\{", body)
        if key and (not nested or key.start() < nested.start()):
            names = (key.group(1) or key.group(2)).split()
            name = match.group(1)
            if name in keys and keys[name] != names:
                raise ValueError("lists named {} with different keys".format(name))
            keys[name] = names
    _KEYS_CACHE[module] = keys
    return keys


def _value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _predicate(name, value):
    value = _value(value)
    quote = '"' if "'" in value else "'"
    return "[{}={}{}{}]".format(name, quote, value, quote)


def json_to_edits(tree, keys=None):
    """Flatten a JSON (RFC 7951) config tree into [(xpath, value)] updates.

    Presence containers and list entries without other content become
    updates of their own path with an empty value; leaf-lists one update
    per value; YANG ``empty`` leaves ([null]) an update with "".
    """
    edits = []

    def keys_of(qualified):
        local = qualified.split(":", 1)[-1]
        if local not in keys:
            raise KeyError("no key known for list {}".format(qualified))
        return keys[local]

    def walk(path, node):
        if not node:
            edits.append((path, ""))
            return
        for name, value in node.items():
            child = "{}/{}".format(path, name)
            if isinstance(value, dict):
                walk(child, value)
            elif isinstance(value, list) and value and all(
                isinstance(v, dict) for v in value
            ):
                for entry in value:
                    knames = keys_of(name)
                    missing = [k for k in knames if k not in entry]
                    if missing:
                        raise KeyError("{} entry lacks key {}".format(child, missing))
                    entry_path = child + "".join(_predicate(k, entry[k]) for k in knames)
                    rest = {k: v for k, v in entry.items() if k not in knames}
                    walk(entry_path, rest)
            elif value == [None]:
                edits.append((child, ""))
            elif isinstance(value, list):
                for item in value:
                    edits.append((child + _predicate(".", item), _value(item)))
            else:
                edits.append((child, _value(value)))

    for top, body in tree.items():
        if keys is None:
            module = top.split(":", 1)[0]
            keys = yang_list_keys(module)
        if not isinstance(body, dict):
            raise ValueError("top-level node {} must be a container".format(top))
        walk("/" + top, body)
    return edits


class NorthboundError(AssertionError):
    pass


class Northbound:
    """gRPC northbound of one daemon (``-M grpc:PORT``) in one router."""

    def __init__(self, router, port, timeout=30):
        self.router = router
        self.net = getattr(router, "net", router)
        self.port = port
        self.timeout = timeout
        self.proto = proto_path()

    def batch(self, requests):
        """Run requests (see nb_grpc.py) in one client process; list of results."""
        args = [
            sys.executable,
            SCRIPT,
            "--port",
            str(self.port),
            "--proto",
            self.proto,
            "--timeout",
            str(self.timeout),
        ]
        rc, out, err = self.net.cmd_status(
            args, stdin=json.dumps(requests), warn=False, timeout=self.timeout * 3
        )
        if rc != 0:
            raise NorthboundError(
                "gRPC client failed in {} (rc {}): {}{}".format(
                    self.router.name, rc, out, err
                )
            )
        try:
            results = json.loads(out)
        except ValueError as error:
            raise NorthboundError(
                "gRPC client output is not JSON: {!r} ({}) {}".format(out, error, err)
            ) from error
        return results

    def request(self, request):
        return self.batch([request])[0]

    # -- reads ------------------------------------------------------------

    def get(self, xpath, gtype="all", with_defaults=False):
        """JSON tree under xpath; raises NorthboundError when Get fails."""
        result = self.request(
            {"op": "get", "xpath": xpath, "type": gtype, "with_defaults": with_defaults}
        )
        if not result["ok"]:
            raise NorthboundError(
                "gRPC Get {} ({}) failed: {} {}".format(
                    xpath, gtype, result["code"], result["message"]
                )
            )
        return result["data"]

    def get_config(self, xpath, with_defaults=False):
        return self.get(xpath, "config", with_defaults)

    def get_state(self, xpath):
        return self.get(xpath, "state")

    def capabilities(self):
        result = self.request({"op": "capabilities"})
        if not result["ok"]:
            raise NorthboundError(
                "gRPC GetCapabilities failed: {} {}".format(result["code"], result["message"])
            )
        return result["data"]

    # -- writes -----------------------------------------------------------

    @staticmethod
    def _result(raw):
        return CommitResult(
            raw.get("ok", False),
            raw.get("code", ""),
            raw.get("message", ""),
            raw.get("transaction_id", 0),
            raw.get("stage", ""),
            raw,
        )

    def edit(self, update=(), delete=(), comment=""):
        """Commit path/value edits; CommitResult (message = refusal reason)."""
        return self._result(
            self.request(
                {
                    "op": "edit",
                    "update": [list(u) for u in update],
                    "delete": list(delete),
                    "comment": comment,
                }
            )
        )

    def commit_json(self, tree, delete=(), keys=None, comment=""):
        """Commit a JSON config tree (merged into running) plus deletions."""
        return self.edit(json_to_edits(tree, keys), delete, comment)

    def load_json(self, tree, replace=False, comment=""):
        """Commit a JSON tree through LoadToCandidate (MERGE or REPLACE)."""
        return self._result(
            self.request(
                {"op": "load", "config": tree, "replace": replace, "comment": comment}
            )
        )
