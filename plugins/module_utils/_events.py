# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Operational events as append-only JSON lines, each hash-chained to the one before.

One line per event: ``time``, ``actor``, ``action`` (update, rollback, backup, restore,
deploy, ...), ``target`` (org/gateway), ``result`` (ok, failed, rolled_back, ...),
``details`` (secrets redacted by the caller's no_log discipline and again here by key
name and by the values the caller names), optional ``diff`` (before/after of what changed,
redacted the same way), ``prev`` (the previous line's ``hash``) and ``hash`` = sha256 of the canonical JSON
of the event without ``hash``. Appends hold an exclusive lock, so parallel forks of one
controller never interleave or break the chain.
"""

from __future__ import annotations

import datetime
import fcntl
import hashlib
import json
import os
import re

GENESIS = "0" * 64
_SECRET_KEY = re.compile(r"(token|secret|password|api[_-]?key|credential)", re.I)


def redact(value, scrub=()):
    """Secret-named keys' string values become ``<redacted>``; any occurrence of a value in
    ``scrub`` (secrets the caller knows) inside any string is replaced too."""
    if isinstance(value, dict):
        return {k: ("<redacted>" if _SECRET_KEY.search(str(k)) and isinstance(v, str) and v
                    else redact(v, scrub)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, scrub) for v in value]
    if isinstance(value, str):
        for secret in scrub:
            if secret and len(secret) >= 4:
                value = value.replace(secret, "<redacted>")
    return value


def event_hash(event):
    body = {k: v for k, v in event.items() if k != "hash"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"),
                                     ensure_ascii=False).encode("utf-8")).hexdigest()


def _last_hash(handle):
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    if size == 0:
        return GENESIS
    back = min(size, 65536)
    handle.seek(size - back)
    lines = handle.read(back).splitlines()
    for line in reversed(lines):
        if line.strip():
            return json.loads(line.decode("utf-8")).get("hash", GENESIS)
    return GENESIS


def append(path, actor, action, target, result, details=None, now=None, diff=None, scrub=()):
    """Append one event; returns it (with its hash). ``diff``: the before/after of what
    changed (unified diff text or {before, after}), redacted like the details."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, mode=0o700, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "r+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            stamp = (now or datetime.datetime.now(datetime.timezone.utc)).strftime(
                "%Y-%m-%dT%H:%M:%S.%fZ")
            event = {"time": stamp, "actor": actor, "action": action, "target": target,
                     "result": result, "details": redact(details or {}, scrub),
                     "prev": _last_hash(handle)}
            if diff:
                event["diff"] = redact(diff, scrub)
            event["hash"] = event_hash(event)
            handle.write((json.dumps(event, sort_keys=True, ensure_ascii=False) + "\n")
                         .encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    return event


def verify(path):
    """(ok, line number of the first broken line or None, message)."""
    prev = GENESIS
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except ValueError:
                return False, number, "line %d is not JSON" % number
            if event.get("prev") != prev:
                return False, number, "line %d does not follow line %d" % (number, number - 1)
            if event_hash(event) != event.get("hash"):
                return False, number, "line %d was changed after it was written" % number
            prev = event["hash"]
    return True, None, "chain intact"
