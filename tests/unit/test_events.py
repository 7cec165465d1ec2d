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
    assert verify(log)[:2] == (True, None) and verify(log)[2].startswith("chain intact")


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


# -- anchoring (issue 17): MAC per line under a key held apart, a witnessed head -------------
import pytest  # noqa: E402

from ansible_collections.clawops.orchestrator.plugins.module_utils._events import (  # noqa: E402
    AuditError, event_hash, load_key)


@pytest.fixture
def anchored(tmp_path):
    key = load_key(str(tmp_path / "keys" / "audit.key"))
    heads = str(tmp_path / "keys" / "audit-heads")
    log = str(tmp_path / "logs" / "events.jsonl")

    def add(result="ok", **kwargs):
        return append(log, "alice", "update", "acme/gw-a", result, key=key, heads=heads, **kwargs)

    for result in ("ok", "failed", "ok", "ok"):
        add(result)
    return {"key": key, "heads": heads, "log": log, "add": add}


def _lines(path):
    return open(path, encoding="utf-8").read().splitlines()


def _write(path, lines):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + ("\n" if lines else ""))


def _check(state, log=None, **kwargs):
    return verify(log or state["log"], key=state["key"], heads=state["heads"], **kwargs)


def test_an_anchored_trail_verifies(anchored):
    ok, line, message = _check(anchored)
    assert ok and line is None and "anchored (4 lines" in message, message
    assert all("mac" in json.loads(text) for text in _lines(anchored["log"]))


def test_removing_the_last_lines_is_found(anchored):
    _write(anchored["log"], _lines(anchored["log"])[:2])
    ok, line, message = _check(anchored)
    assert not ok and "truncated" in message and "2" in message, message
    with pytest.raises(AuditError, match="does not end where its head says"):
        anchored["add"]()


def test_a_rewritten_trail_is_found(anchored):
    """A writer without the key re-makes every line: valid hashes, no valid MAC."""
    events = [json.loads(text) for text in _lines(anchored["log"])]
    prev, out = GENESIS, []
    for event in events:
        event["actor"] = "mallory"
        event["prev"] = prev
        event["hash"] = event_hash(event)
        prev = event["hash"]
        out.append(json.dumps(event, sort_keys=True))
    _write(anchored["log"], out)
    ok, line, message = _check(anchored)
    assert (ok, line) == (False, 1) and "rewritten" in message, message
    for event in events:
        event.pop("mac")
    prev, out = GENESIS, []
    for event in events:
        event["prev"] = prev
        event["hash"] = event_hash(event)
        prev = event["hash"]
        out.append(json.dumps(event, sort_keys=True))
    _write(anchored["log"], out)  # no MAC at all, a new first line: the path's head finds it
    ok, line, message = _check(anchored)
    assert not ok and "another first line" in message, message


def test_a_line_appended_without_the_key_is_found(anchored):
    append(anchored["log"], "mallory", "update", "acme/gw-a", "ok")
    ok, line, message = _check(anchored)
    assert (ok, line) == (False, 5) and "no MAC" in message, message


def test_a_forged_head_is_refused(anchored):
    import os
    name = os.listdir(anchored["heads"])[0]
    path = os.path.join(anchored["heads"], name)
    head = json.load(open(path, encoding="utf-8"))
    head["lines"] = 2
    json.dump(head, open(path, "w", encoding="utf-8"))
    ok, dummy, message = _check(anchored)
    assert not ok and "does not verify" in message


def test_a_copy_verifies_against_the_same_head(anchored, tmp_path):
    copy = str(tmp_path / "copy.jsonl")
    _write(copy, _lines(anchored["log"]))
    assert _check(anchored, copy)[0]


def test_events_of_any_size(anchored):
    """One event of 300 kB (larger than any fixed tail read) and appends after it."""
    anchored["add"](details={"note": "x" * 300000})
    anchored["add"]()
    anchored["add"]()
    ok, dummy, message = _check(anchored)
    assert ok and "7 lines" in message, message
    events = [json.loads(text) for text in _lines(anchored["log"])]
    assert events[-1]["prev"] == events[-2]["hash"] and events[-2]["prev"] == events[-3]["hash"]


def test_an_old_trail_is_anchored_by_its_next_append(tmp_path):
    log = str(tmp_path / "events.jsonl")
    for result in ("ok", "ok"):
        append(log, "bob", "update", "acme/gw-b", result)  # written before audit keys
    key = load_key(str(tmp_path / "k" / "audit.key"))
    heads = str(tmp_path / "k" / "heads")
    ok, dummy, message = verify(log, key=key, heads=heads)
    assert ok and "not anchored yet" in message
    assert not verify(log, key=key, heads=heads, require_anchor=True)[0]
    append(log, "bob", "update", "acme/gw-b", "ok", key=key, heads=heads)
    ok, dummy, message = verify(log, key=key, heads=heads, require_anchor=True)
    assert ok and "anchored (3 lines" in message, message
    _write(log, _lines(log)[1:])  # drop the oldest unauthenticated line
    assert not verify(log, key=key, heads=heads)[0]
