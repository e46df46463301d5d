#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A read/write client for FRR's northbound gRPC service (frr-northbound.proto).

FRR's tests/topotests/lib/grpc-query.py only reads; this one also writes.
It is both a library (``NorthboundClient``) and a script that topotests run
inside a router's namespaces (the daemon's gRPC server listens on that
router's localhost). It depends on Debian's python3-grpcio and
python3-grpc-tools and nothing from topotests, so it runs anywhere.

The Python stubs are generated at run time from FRR's proto with
grpc_tools.protoc, like grpc-query.py does, but cached by the proto's
content hash under the temporary directory so that each call does not pay
for protoc.

Script use::

    nb_grpc.py --proto FRR/grpc/frr-northbound.proto --port 50052 < requests

``requests`` is one JSON object or a list of them; the answer (stdout) is a
JSON list with one result per request::

    {"op": "capabilities"}
    {"op": "get", "xpath": "/frr-multinic:multinic", "type": "config"}
        # type: all (default) | config | state; "with_defaults": bool
    {"op": "edit", "update": [[XPATH, VALUE], ...], "delete": [XPATH, ...]}
    {"op": "load", "config": {...JSON tree...}, "replace": false}

Results: ``{"ok": bool, "code": "OK" | gRPC status name, "message": str,
"stage": rpc that failed, ...}`` plus ``data`` (get: the parsed JSON tree,
capabilities: a dict) or ``transaction_id`` (edit/load).

A change is committed the way the proto intends: CreateCandidate ->
EditCandidate (or LoadToCandidate) -> Commit(phase ALL) -> DeleteCandidate
(always, even after a failure). A refused commit returns ``ok: false`` and
the northbound's error message (e.g. a YANG ``must`` error-message or the
daemon's own validation message).
"""

import argparse
import atexit
import hashlib
import json
import os
import shutil
import stat
import sys
import tempfile

import grpc


def _trusted_stubs(path):
    """True when ``path`` holds stubs in a directory only we can write.

    We import code from it, so a directory someone else could have made or
    modified in the shared temporary directory is never used.
    """
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return (
        stat.S_ISDIR(st.st_mode)
        and st.st_uid == os.getuid()
        and not st.st_mode & 0o022
        and os.path.isfile(os.path.join(path, "frr_northbound_pb2_grpc.py"))
    )


def _stubs(proto):
    """Import frr_northbound_pb2{,_grpc} generated from ``proto``."""
    with open(proto, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    cache = os.path.join(
        tempfile.gettempdir(), "frr-multinic-grpc-{}-{}".format(os.getuid(), digest)
    )
    if not _trusted_stubs(cache):
        from grpc_tools import protoc  # pylint: disable=import-outside-toplevel

        work = tempfile.mkdtemp(prefix="frr-multinic-grpc-")  # ours, mode 0700
        args = [
            "protoc",
            "-I" + os.path.dirname(os.path.abspath(proto)),
            "--python_out=" + work,
            "--grpc_python_out=" + work,
            os.path.basename(proto),
        ]
        if protoc.main(args) != 0:
            shutil.rmtree(work, ignore_errors=True)
            raise RuntimeError("grpc_tools.protoc failed on {}".format(proto))
        try:
            os.rename(work, cache)
        except OSError:
            # Lost a race (identical stubs), or the name is taken by
            # something we do not trust: then use our private copy.
            if _trusted_stubs(cache):
                shutil.rmtree(work, ignore_errors=True)
            else:
                cache = work
                atexit.register(shutil.rmtree, work, True)
    sys.path.insert(0, cache)
    import frr_northbound_pb2  # pylint: disable=import-outside-toplevel
    import frr_northbound_pb2_grpc  # pylint: disable=import-outside-toplevel

    return frr_northbound_pb2, frr_northbound_pb2_grpc


def _error(stage, error):
    if isinstance(error, grpc.RpcError):
        code = error.code().name if error.code() else "UNKNOWN"
        message = error.details() or ""
    else:
        code = "CLIENT_ERROR"
        message = str(error)
    return {"ok": False, "code": code, "message": message, "stage": stage}


class NorthboundClient:
    """Thin synchronous wrapper over the Northbound service."""

    def __init__(self, port, host="localhost", proto=None, timeout=30.0):
        self.pb, pb_grpc = _stubs(proto)
        self.timeout = timeout
        self.channel = grpc.insecure_channel("{}:{}".format(host, port))
        self.stub = pb_grpc.NorthboundStub(self.channel)

    def close(self):
        self.channel.close()

    def capabilities(self):
        try:
            r = self.stub.GetCapabilities(
                self.pb.GetCapabilitiesRequest(), timeout=self.timeout
            )
        except grpc.RpcError as error:
            return _error("GetCapabilities", error)
        return {
            "ok": True,
            "code": "OK",
            "message": "",
            "data": {
                "frr_version": r.frr_version,
                "rollback_support": r.rollback_support,
                "modules": [
                    {"name": m.name, "organization": m.organization, "revision": m.revision}
                    for m in r.supported_modules
                ],
                "encodings": [self.pb.Encoding.Name(e) for e in r.supported_encodings],
            },
        }

    def get(self, xpath, gtype="all", with_defaults=False):
        """Get data under ``xpath``; ``data`` is the merged JSON tree."""
        request = self.pb.GetRequest()
        request.type = {
            "all": self.pb.GetRequest.ALL,
            "config": self.pb.GetRequest.CONFIG,
            "state": self.pb.GetRequest.STATE,
        }[gtype]
        request.encoding = self.pb.JSON
        request.with_defaults = bool(with_defaults)
        request.path.append(xpath)
        data = {}
        try:
            for response in self.stub.Get(request, timeout=self.timeout):
                text = response.data.data
                if text.strip():
                    _merge(data, json.loads(text))
        except grpc.RpcError as error:
            return _error("Get", error)
        except ValueError as error:
            return _error("Get", error)
        return {"ok": True, "code": "OK", "message": "", "data": data}

    def _commit(self, fill, comment):
        try:
            cid = self.stub.CreateCandidate(
                self.pb.CreateCandidateRequest(), timeout=self.timeout
            ).candidate_id
        except grpc.RpcError as error:
            return _error("CreateCandidate", error)
        try:
            stage, failure = fill(cid)
            if failure is not None:
                return _error(stage, failure)
            try:
                r = self.stub.Commit(
                    self.pb.CommitRequest(
                        candidate_id=cid,
                        phase=self.pb.CommitRequest.ALL,
                        comment=comment,
                    ),
                    timeout=self.timeout,
                )
            except grpc.RpcError as error:
                result = _error("Commit", error)
                # Committing a candidate equal to running is refused with
                # ABORTED ("No changes to apply"); say so explicitly.
                result["no_changes"] = result["code"] == "ABORTED"
                return result
            return {
                "ok": True,
                "code": "OK",
                "message": r.error_message,
                "transaction_id": r.transaction_id,
            }
        finally:
            try:
                self.stub.DeleteCandidate(
                    self.pb.DeleteCandidateRequest(candidate_id=cid),
                    timeout=self.timeout,
                )
            except grpc.RpcError:
                pass

    def edit(self, update=(), delete=(), comment=""):
        """Commit path/value edits: ``update`` [(xpath, value)], ``delete`` [xpath]."""

        def fill(cid):
            request = self.pb.EditCandidateRequest(candidate_id=cid)
            for xpath, value in update:
                request.update.add(path=xpath, value="" if value is None else str(value))
            for xpath in delete:
                request.delete.add(path=xpath)
            try:
                self.stub.EditCandidate(request, timeout=self.timeout)
            except grpc.RpcError as error:
                return "EditCandidate", error
            return None, None

        return self._commit(fill, comment)

    def load(self, config, replace=False, comment=""):
        """Commit a JSON tree with LoadToCandidate (MERGE or REPLACE).

        Note FRR parses the loaded tree with YANG validation on its own, so a
        tree that is only valid together with the running config (leafrefs,
        must) or that is invalid is refused as "Failed to parse the
        configuration" without libyang's reason; ``edit`` reports the reason.
        """
        text = config if isinstance(config, str) else json.dumps(config)

        def fill(cid):
            request = self.pb.LoadToCandidateRequest(
                candidate_id=cid,
                type=(
                    self.pb.LoadToCandidateRequest.REPLACE
                    if replace
                    else self.pb.LoadToCandidateRequest.MERGE
                ),
                config=self.pb.DataTree(encoding=self.pb.JSON, data=text),
            )
            try:
                self.stub.LoadToCandidate(request, timeout=self.timeout)
            except grpc.RpcError as error:
                return "LoadToCandidate", error
            return None, None

        return self._commit(fill, comment)

    def run(self, request):
        op = request.get("op")
        if op == "capabilities":
            return self.capabilities()
        if op == "get":
            return self.get(
                request["xpath"],
                request.get("type", "all"),
                request.get("with_defaults", False),
            )
        if op == "edit":
            return self.edit(
                [tuple(u) for u in request.get("update", [])],
                request.get("delete", []),
                request.get("comment", ""),
            )
        if op == "load":
            return self.load(
                request["config"], request.get("replace", False), request.get("comment", "")
            )
        return {"ok": False, "code": "CLIENT_ERROR", "message": "unknown op {!r}".format(op)}


def _merge(into, tree):
    for key, value in tree.items():
        if key in into and isinstance(into[key], dict) and isinstance(value, dict):
            _merge(into[key], value)
        elif key in into and isinstance(into[key], list) and isinstance(value, list):
            into[key].extend(value)
        else:
            into[key] = value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="localhost")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--proto", required=True, help="FRR's grpc/frr-northbound.proto")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)

    requests = json.load(sys.stdin)
    single = isinstance(requests, dict)
    if single:
        requests = [requests]
    client = NorthboundClient(args.port, args.host, args.proto, args.timeout)
    try:
        results = [client.run(r) for r in requests]
    finally:
        client.close()
    json.dump(results, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
