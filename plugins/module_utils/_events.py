# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Operational events as append-only JSON lines, each hash-chained to the one before.

One line per event: ``time``, ``actor``, ``action`` (update, rollback, backup, restore,
deploy, ...), ``target`` (org/gateway), ``result`` (ok, failed, rolled_back, ...),
``details`` (secrets redacted by the caller's no_log discipline and again here by key
name and by the values the caller names), optional ``diff`` (before/after of what changed,
redacted the same way), ``prev`` (the previous line's ``hash``), ``hash`` = sha256 of the
canonical JSON of the event without ``hash`` and ``mac``, and ``mac`` = HMAC-SHA256 of the
hash under the audit key. Appends hold an exclusive lock, so parallel forks of one
controller never interleave or break the chain.

Anchoring. The hash chain finds an edited line; the MAC finds a rewritten file (whoever can
write the log but not read the key cannot make lines that verify); the *head* finds a
truncated one: on every append the number of lines and the last hash are written, with
their MAC, to ``<heads dir>/<chain id>.json`` beside the key (``/etc/clawops/audit-heads``
for root), where a writer of the log cannot go. The chain id is the hash of the first line,
so a copy of a log is checked against the same head. Lines written before anchoring (no
``mac``) are accepted only as the prefix the head records.
"""

from __future__ import annotations

import datetime
import fcntl
import hashlib
import hmac
import json
import os

from . import _keys, _redact

GENESIS = "0" * 64


def redact(value, scrub=()):
    """Secret-named keys' string values, credential-shaped text and any occurrence of a
    value in ``scrub`` (secrets the caller knows) become ``<redacted>`` (_redact.py)."""
    return _redact.redact(value, scrub)


def default_key_file():
    """The audit key of this controller (apart from every events log)."""
    return _keys.default_key_file("audit.key")


def load_key(path=None, create=True):
    """The audit key (made on first use). Raises AuditError when it is unusable."""
    path = path or default_key_file()
    return _keys.load_key(path, create, "no audit key at %s: the trail is authenticated with "
                          "the key of the controller that wrote it; copy that key here (0600) "
                          "to verify it" % path, AuditError)


def heads_dir(key_file=None):
    return os.path.join(os.path.dirname(key_file or default_key_file()), "audit-heads")


def trail_key(key_file=None, create=True):
    """(key, heads directory) for ``append`` and ``verify``."""
    key_file = key_file or default_key_file()
    return load_key(key_file, create), heads_dir(key_file)


class AuditError(Exception):
    """The trail cannot be written or checked; the message says why and what to do."""


def event_hash(event):
    body = {k: v for k, v in event.items() if k not in ("hash", "mac")}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"),
                                     ensure_ascii=False).encode("utf-8")).hexdigest()


def line_mac(key, digest):
    return hmac.new(key, b"clawops-audit-1\0" + digest.encode("ascii"),
                    hashlib.sha256).hexdigest()


def _head_mac(key, head):
    message = "%s:%d:%s:%d:%s" % (head["chain"], head["lines"], head["hash"], head["legacy"],
                                  head.get("path", ""))
    return hmac.new(key, b"clawops-audit-head-1\0" + message.encode("ascii"),
                    hashlib.sha256).hexdigest()


def _head_path(directory, chain):
    return os.path.join(directory, chain + ".json")


def read_head(directory, chain, key):
    """The witnessed head of chain ``chain``, or None; AuditError if it was forged."""
    try:
        with open(_head_path(directory, chain), encoding="utf-8") as handle:
            head = json.load(handle)
    except FileNotFoundError:
        return None
    except ValueError:
        raise AuditError("the audit head %s is not JSON" % _head_path(directory, chain)) \
            from None
    if not hmac.compare_digest(str(head.get("mac", "")), _head_mac(key, head)):
        raise AuditError("the audit head %s does not verify under the audit key"
                         % _head_path(directory, chain))
    return head


def _write_head(directory, key, head):
    os.makedirs(directory, mode=0o700, exist_ok=True)
    head = dict(head, mac=_head_mac(key, head))
    path = _head_path(directory, head["chain"])
    temp = "%s.%d.tmp" % (path, os.getpid())
    with open(temp, "w", encoding="utf-8") as handle:
        json.dump(head, handle, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temp, 0o600)
    os.replace(temp, path)


def _count_lines(handle):
    """Non-empty lines of an open log, read in blocks: any line length, constant memory."""
    handle.seek(0)
    count, pending = 0, b""
    for block in iter(lambda: handle.read(1 << 20), b""):
        pending += block
        lines = pending.split(b"\n")
        pending = lines.pop()
        count += sum(1 for line in lines if line.strip())
    return count + (1 if pending.strip() else 0)


def _last_line(handle):
    """The last non-empty line, read backwards in blocks (a line may be any size)."""
    handle.seek(0, os.SEEK_END)
    end = handle.tell()
    tail = b""
    position = end
    while position > 0:
        step = min(position, 65536)
        position -= step
        handle.seek(position)
        tail = handle.read(step) + tail
        stripped = tail.rstrip(b"\n")
        cut = stripped.rfind(b"\n")
        if cut >= 0:
            return stripped[cut + 1:]
    return tail.rstrip(b"\n") or None


def _last_hash(handle):
    line = _last_line(handle)
    if not line or not line.strip():
        return GENESIS
    return json.loads(line.decode("utf-8")).get("hash", GENESIS)


def append(path, actor, action, target, result, details=None, now=None, diff=None, scrub=(),
           key=None, heads=None):
    """Append one event; returns it (with its hash). ``diff``: the before/after of what
    changed (unified diff text or {before, after}), redacted like the details. ``key``:
    the audit key (the line gets a MAC and the head in ``heads`` is advanced)."""
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
            head = None
            if key is not None:
                event["mac"] = line_mac(key, event["hash"])
                head = _next_head(handle, event, key, heads, path)
            handle.seek(0, os.SEEK_END)
            handle.write((json.dumps(event, sort_keys=True, ensure_ascii=False) + "\n")
                         .encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
            if head is not None:
                _write_head(heads, key, head)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    return event


def _first_line(handle):
    handle.seek(0)
    for line in iter(handle.readline, b""):
        if line.strip():
            return json.loads(line.decode("utf-8"))
    return None


def _next_head(handle, event, key, heads, path):
    """The head after ``event`` is appended. With a head, the log must end where it says
    (else AuditError: it was truncated or appended to without the key); without one, what
    is there now is anchored as the accepted prefix (one scan)."""
    where = os.path.abspath(path)
    if event["prev"] == GENESIS:
        return {"chain": event["hash"], "lines": 1, "hash": event["hash"], "legacy": 0,
                "path": where}
    chain = _first_line(handle)["hash"]
    head = read_head(heads, chain, key)
    if head is not None:
        if head["hash"] != event["prev"]:
            raise AuditError(
                "the events log %s does not end where its head says (line %d): it was "
                "truncated or appended to without the audit key; verify it "
                "(playbooks/audit_verify.yml) and move it aside" % (where, head["lines"]))
        return dict(head, lines=head["lines"] + 1, hash=event["hash"], path=where)
    if "mac" in json.loads(_last_line(handle).decode("utf-8")):
        raise AuditError("the events log %s has authenticated lines but no head in %s: it was "
                         "rewritten or its head removed; verify it (playbooks/audit_verify.yml)"
                         % (where, heads))
    count = _count_lines(handle)
    return {"chain": chain, "lines": count + 1, "hash": event["hash"], "legacy": count,
            "path": where}


def _heads_for(heads, where):
    """Chain ids of the heads that witnessed a log at ``where``."""
    found = []
    try:
        names = sorted(os.listdir(heads))
    except FileNotFoundError:
        return found
    for name in names:
        if not name.endswith(".json"):
            continue
        try:
            with open(os.path.join(heads, name), encoding="utf-8") as handle:
                if json.load(handle).get("path") == where:
                    found.append(name[:-5])
        except (OSError, ValueError):
            continue
    return found


def missing_trail(path):
    """What to say when there is no trail at ``path``."""
    return ("no audit trail at %s: nothing has been recorded there yet (check the path, or "
            "the org's default ~/.clawops/events/<org>.jsonl)" % path)


def verify_here(path, key_file=None, require_anchor=False):
    """``verify`` under this controller's audit key (``key_file``, or the default); a
    controller that has no key (and was named none) checks the hash chain only."""
    try:
        key, heads = trail_key(key_file, create=False)
    except AuditError:
        if key_file or os.path.exists(default_key_file()):
            raise
        key, heads = None, None
    return verify(path, key=key, heads=heads, require_anchor=require_anchor)


def verify(path, key=None, heads=None, require_anchor=False):
    """(ok, line number of the first broken line or None, message). With ``key``: every
    line after the head's legacy prefix must carry a valid MAC and the log must end where
    its head says (truncation); ``require_anchor``: a log without a head fails."""
    prev = GENESIS
    count, chain, legacy_seen = 0, None, 0
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
            count += 1
            chain = chain or event["hash"]
            if key is None and "mac" in event:
                return False, number, ("line %d carries a MAC but there is no audit key here: "
                                       "copy the key of the controller that wrote the trail"
                                       % number)
            if key is not None:
                if "mac" not in event:
                    if legacy_seen != count - 1:
                        return False, number, ("line %d has no MAC after authenticated lines: "
                                               "it was written without the audit key" % number)
                    legacy_seen = count
                elif not hmac.compare_digest(str(event["mac"]), line_mac(key, event["hash"])):
                    return False, number, ("line %d does not verify under the audit key: the "
                                           "trail was rewritten" % number)
            prev = event["hash"]
    if key is None:
        return True, None, "chain intact (not authenticated: no audit key)"
    try:
        head = read_head(heads, chain, key) if chain else None
    except AuditError as exc:
        return False, None, str(exc)
    if head is None:
        others = [c for c in _heads_for(heads, os.path.abspath(path)) if c != chain]
        if others or require_anchor or legacy_seen != count:
            return False, 1 if count else None, (
                "no witnessed head for this trail in %s%s: it was rewritten or its head "
                "removed" % (heads, " (the head for this file witnesses another first line)"
                             if others else ""))
        return True, None, "chain intact (not anchored yet: the next event anchors it)"
    if legacy_seen > head["legacy"]:
        return False, head["legacy"] + 1, ("line %d has no MAC but the head accepts only %d "
                                           "unauthenticated lines" % (head["legacy"] + 1,
                                                                      head["legacy"]))
    if count < head["lines"] or (count == head["lines"] and prev != head["hash"]):
        return False, count or None, ("the trail ends at line %d but its head witnessed %d "
                                      "lines: it was truncated" % (count, head["lines"]))
    if count > head["lines"]:
        return False, head["lines"] + 1, ("lines after %d are not witnessed by the head: "
                                          "they were appended without the audit key"
                                          % head["lines"])
    return True, None, "chain intact, anchored (%d lines, head witnessed)" % count
