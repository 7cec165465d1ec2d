# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deployment revisions of one gateway, kept next to the instance.

``<revisions_dir>/<id>/revision.json`` plus the exact ``openclaw.json`` and ``compose.yml``
that revision ran (never the env file: only its sha256). Ids are ``r0001``, ``r0002``, ...

Status: ``candidate`` (applied, not yet gated) -> ``active`` (gate passed; at most one) |
``failed`` (gate failed; ``rolled_back_to`` names the revision restored). An active revision
becomes ``superseded`` when a newer one turns active, or ``rolled_back`` when a rollback
moves away from it. A candidate left behind by an interrupted run becomes ``interrupted``.

Pure Python, stdlib only; every write is a temp file + rename.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import json
import os
import re
import shutil

from ._clock import utc_text
from ._ownership import managed_view
from ._secrets import env_file_values, secrets_digest

STATUSES = ("candidate", "active", "failed", "superseded", "rolled_back", "interrupted")
FILES = {"config": "openclaw.json", "compose": "compose.yml"}
_ID = re.compile(r"^r(\d{4,})$")


class RevisionError(Exception):
    """A revision operation that cannot go on; the message names the fix."""


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


AT_PREFIX = "at:"


def parse_at(text, what="restore_at", error=None):
    """A point in time (restore_at, rollback_to=at:...): ISO 8601 with a time of day, in UTC
    unless it names an offset (2026-12-05T14:00Z, 2026-12-05 14:00, 2026-12-05T15:00+01:00).
    A bare date is refused: it does not say which moment of that day. ``error``: the typed
    error to raise (RevisionError by default)."""
    error = error or RevisionError
    value = str(text or "").strip()
    if not re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", value):
        raise error("%s %r is not a point in time: give a date and a time, like "
                    "2026-12-05T14:00Z (UTC unless it names an offset)" % (what, text))
    try:
        found = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise error("%s %r is not a point in time: give a date and a time, like "
                    "2026-12-05T14:00Z" % (what, text)) from None
    if found.tzinfo is None:
        found = found.replace(tzinfo=datetime.timezone.utc)
    return found.astimezone(datetime.timezone.utc)


def _instant(stamp):
    """A revision history time (now_iso) as a datetime."""
    return datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc)


def sha256_of(path):
    if not path or not os.path.isfile(path):
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def compose_image(compose_path):
    """The gateway's image ref from a compose.yml we generated, or from the objects file of a
    Kubernetes gateway (its first line says ``# clawops-image: <ref>``: ConfigMaps before the
    Deployment may hold seed text with an ``image:`` line)."""
    if not compose_path or not os.path.isfile(compose_path):
        return None
    with open(compose_path, encoding="utf-8") as handle:
        for line in handle:
            found = re.match(r"^# clawops-image: (\S+)$", line) or \
                re.match(r"^\s+image:\s*['\"]?([^'\"\s]+)", line)
            if found:
                return found.group(1)
    return None


def _write_json(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.write("\n")
    os.chmod(tmp, 0o600)
    os.rename(tmp, path)


class Store(object):
    """The revisions of one gateway."""

    def __init__(self, directory):
        self.directory = directory

    def ids(self):
        if not os.path.isdir(self.directory):
            return []
        found = [n for n in os.listdir(self.directory) if _ID.match(n)
                 and os.path.isfile(os.path.join(self.directory, n, "revision.json"))]
        return sorted(found, key=lambda n: int(_ID.match(n).group(1)))

    def load(self, rev_id):
        path = os.path.join(self.directory, rev_id, "revision.json")
        if not os.path.isfile(path):
            raise RevisionError("revision %s not found in %s; list them with "
                                "playbooks/rollback.yml -e rollback_list=true"
                                % (rev_id, self.directory))
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        data["files"] = {kind: os.path.join(self.directory, rev_id, name)
                         for kind, name in FILES.items()}
        return data

    def all(self):
        return [self.load(i) for i in self.ids()]

    def save(self, data):
        data = dict(data)
        data.pop("files", None)
        _write_json(os.path.join(self.directory, data["id"], "revision.json"), data)

    def active(self):
        found = [r for r in self.all() if r["status"] == "active"]
        return found[-1] if found else None

    def set_status(self, data, status, actor=None, note=None, **extra):
        if status not in STATUSES:
            raise RevisionError("unknown revision status %r; use one of %s"
                                % (status, ", ".join(STATUSES)))
        data["status"] = status
        data.setdefault("history", []).append(
            {"status": status, "time": now_iso(), "actor": actor, "note": note})
        data.update({k: v for k, v in extra.items() if v is not None})
        self.save(data)
        return data

    def record(self, status, actor, current, image_id=None, source=None, note=None,
               spec=None, ownership=None):
        """New revision from the files deployed now (``current``: {config, compose, env}).

        An ``active`` record identical to the active revision changes nothing: returns
        (revision, False).
        """
        if status not in ("candidate", "active"):
            raise RevisionError("a new revision is recorded as candidate or active, not %r"
                                % status)
        fingerprint = fingerprint_of(current, image_id, ownership)
        active = self.active()
        if status == "active" and active and same(active, fingerprint):
            return active, False
        ids = self.ids()
        number = int(_ID.match(ids[-1]).group(1)) + 1 if ids else 1
        rev_id = "r%04d" % number
        os.makedirs(os.path.join(self.directory, rev_id), mode=0o700)
        for kind, name in FILES.items():
            if current.get(kind) and os.path.isfile(current[kind]):
                shutil.copy2(current[kind], os.path.join(self.directory, rev_id, name))
        data = dict(fingerprint, id=rev_id, created=now_iso(), actor=actor, source=source,
                    spec=spec or {}, history=[])
        data = self.set_status(data, status, actor, note)
        if status == "active" and active:
            self.set_status(active, "superseded", actor, "superseded by %s" % rev_id)
        return self.load(rev_id), True

    def config_diff(self, old_id, new_id, context=3):
        """Unified diff of the openclaw.json of two revisions (empty when either is missing).
        Rendered configs carry secret references, never values."""
        texts = []
        for rev_id in (old_id, new_id):
            path = os.path.join(self.directory, rev_id or "-", FILES["config"])
            try:
                with open(path, encoding="utf-8") as handle:
                    texts.append(handle.read().splitlines(True))
            except OSError:
                return ""
        return "".join(difflib.unified_diff(texts[0], texts[1], "%s/openclaw.json" % old_id,
                                            "%s/openclaw.json" % new_id, n=context))

    def mark(self, rev_id, status, actor=None, note=None, rolled_back_to=None,
             previous_status="superseded"):
        """Move a revision to ``status``; activating one moves the active one to
        ``previous_status`` (superseded, or rolled_back for a rollback)."""
        data = self.load(rev_id)
        if data["status"] == status:
            return data, False
        if status == "active":
            current = self.active()
            if current and current["id"] != rev_id:
                self.set_status(current, previous_status, actor,
                                "%s: %s is active now" % (previous_status, rev_id))
        data = self.set_status(data, status, actor, note, rolled_back_to=rolled_back_to)
        return self.load(rev_id), True

    def interrupt_candidates(self, actor=None):
        """Candidates left by a run that died: interrupted. Returns their ids."""
        done = []
        for data in self.all():
            if data["status"] == "candidate":
                self.set_status(data, "interrupted", actor,
                                "left as candidate by an interrupted run")
                done.append(data["id"])
        return done

    def active_at(self, when):
        """The revision that was active at ``when`` (a datetime): the one whose latest move to
        active before then was not followed by another move before then."""
        best, best_time = None, None
        for data in self.all():
            history = data.get("history") or []
            for number, entry in enumerate(history):
                if entry.get("status") != "active" or _instant(entry["time"]) > when:
                    continue
                ended = [_instant(later["time"]) for later in history[number + 1:]
                         if later.get("status") != "active"]
                if ended and ended[0] <= when:
                    continue
                if best_time is None or _instant(entry["time"]) > best_time:
                    best, best_time = data, _instant(entry["time"])
        return best

    def select(self, target):
        """The revision to roll back to: 'active', 'previous' (the newest revision that was
        active before the current one), 'at:<time>' (the one active then) or an id."""
        if str(target).startswith(AT_PREFIX):
            when = parse_at(target[len(AT_PREFIX):], "rollback_to")
            found = self.active_at(when)
            if not found:
                raise RevisionError("no revision was active at %s: the gateway's first "
                                    "revision is newer (list them with playbooks/rollback.yml "
                                    "-e rollback_list=true)" % utc_text(when))
            return found
        if target == "active":
            found = self.active()
            if not found:
                raise RevisionError("no active revision to roll back to: the gateway never "
                                    "passed a gate under clawops")
            return found
        if target == "previous":
            current = self.active()
            cut = int(_ID.match(current["id"]).group(1)) if current else None
            older = [r for r in self.all() if r["status"] in ("superseded", "rolled_back")
                     and (cut is None or int(_ID.match(r["id"]).group(1)) < cut)]
            if not older:
                raise RevisionError("no earlier revision that was active; name one with "
                                    "-e rollback_to=rNNNN")
            return older[-1]
        data = self.load(target)
        if data["status"] in ("failed", "interrupted", "candidate"):
            raise RevisionError("revision %s never passed its gate (status %s); roll back to a "
                                "revision that was active" % (target, data["status"]))
        return data


def env_digest_of(path):
    """The keyed digest of a deployed env file's values (_secrets.secrets_digest): never a
    plain sha256 of secrets. A K8s gateway's "env" file already holds that digest."""
    if not path or not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    values = env_file_values(text)
    if not values:  # the K8s env file: the Secret's digest on one line
        return sha256_of(path)
    return secrets_digest(values)


def config_sha256(path, ownership=None):
    """The sha256 of the deployed config; of its managed part when the gateway owns config
    paths (module_utils/_ownership.py): what the gateway changes there is not a new
    revision."""
    if not ownership or not path or not os.path.isfile(path):
        return sha256_of(path)
    try:
        with open(path, encoding="utf-8") as handle:
            config = json.load(handle)
    except ValueError:
        return sha256_of(path)
    view = managed_view(config, ownership)
    return hashlib.sha256(json.dumps(view, sort_keys=True, ensure_ascii=False)
                          .encode("utf-8")).hexdigest()


def fingerprint_of(current, image_id=None, ownership=None):
    return {"config_sha256": config_sha256(current.get("config"), ownership),
            "compose_sha256": sha256_of(current.get("compose")),
            "env_sha256": env_digest_of(current.get("env")),
            "image": {"ref": compose_image(current.get("compose")), "id": image_id}}


def same(revision, fingerprint):
    return all(revision.get(k) == fingerprint[k]
               for k in ("config_sha256", "compose_sha256", "env_sha256")) and \
        revision.get("image", {}).get("ref") == fingerprint["image"]["ref"] and \
        (revision.get("image", {}).get("id") == fingerprint["image"]["id"]
         or not fingerprint["image"]["id"])


def summary(data):
    return {k: data.get(k) for k in ("id", "status", "created", "actor", "source", "image",
                                     "config_sha256", "env_sha256", "rolled_back_to")}
