# -*- coding: utf-8 -*-
"""Event log: hash chain, redaction, tamper detection at the right line."""

from __future__ import annotations

import json

from ansible_collections.clawops.orchestrator.plugins.module_utils._events import (
    GENESIS, append, verify)


def test_chain_and_redaction(tmp_path):
    log = str(tmp_path / "events.jsonl")
    first = append(log, "alice", "update", "acme/gw-a", "ok",
                   {"revision": "r0002", "gateway_token": "s3cret", "nested": {"api_key": "k"}})
    second = append(log, "alice", "rollback", "acme/gw-a", "ok")
    assert first["prev"] == GENESIS and second["prev"] == first["hash"]
    text = open(log, encoding="utf-8").read()
    assert "s3cret" not in text and '"k"' not in text and "<redacted>" in text
    assert verify(log) == (True, None, "chain intact")


def test_an_edited_line_is_found(tmp_path):
    log = str(tmp_path / "events.jsonl")
    for result in ("ok", "failed", "ok"):
        append(log, "bob", "update", "acme/gw-b", result)
    lines = open(log, encoding="utf-8").read().splitlines()
    event = json.loads(lines[1])
    event["result"] = "ok"
    lines[1] = json.dumps(event, sort_keys=True)
    with open(log, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    ok, line, message = verify(log)
    assert (ok, line) == (False, 2) and "changed" in message
