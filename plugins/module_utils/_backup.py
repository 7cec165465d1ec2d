# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Gateway backups: one tar.gz of config, state and workspaces with a sha256 manifest.

Layout of an archive: members ``<part>/<relative path>`` (parts: config, state,
workspaces) and, last, ``MANIFEST.json``: format, instance, time, reason and per file its
sha256, size, mode, uid and gid (directories and symlinks are listed too). Next to the
archive, ``<archive>.sha256`` holds the archive's own checksum (``sha256sum -c`` format).

Verification checks the archive checksum, then every member against the manifest (a file
changed, added or missing is named). Restore verifies first and refuses a bad archive
before touching anything; it extracts each part next to its directory and swaps it in
with renames, so a failure leaves the old directories in place.

Pure Python (stdlib only): runs on the Docker host inside the module.
"""

from __future__ import annotations

import datetime
import fnmatch
import hashlib
import hmac
import io
import json
import os
import posixpath
import re
import shutil
import tarfile
import tempfile

from . import _keys
from ._clock import utc_text
from ._hosttree import GATEWAY_UID
from ._revisions import AT_PREFIX, parse_at

MANIFEST = "MANIFEST.json"
FORMAT = 1
PARTS = ("config", "state", "workspaces")
CHUNK = 1024 * 1024


MAC_SUFFIX = ".hmac"


def default_key_file():
    """Where this host's backup key lives: apart from every backups directory."""
    return _keys.default_key_file("backup.key")


def load_key(path, create=False):
    """The host's backup key (``create``: made on first use, 32 random bytes, 0600 in a 0700
    directory). Archives are authenticated with it (``archive_mac``): whoever can only hand
    over or swap an archive, its checksum file and its manifest cannot forge the MAC."""
    return _keys.load_key(path, create, "no backup key at %s: archives are authenticated with "
                          "the key of the host that made them; copy that key here (0600) to "
                          "restore its archives" % path, BackupError)


def archive_mac(key, name, sha256):
    """HMAC-SHA256 over the archive's name and sha256 (the sha256 covers every byte)."""
    message = b"clawops-backup-1\0" + name.encode("utf-8") + b"\0" + sha256.encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class BackupError(Exception):
    """A backup operation that cannot go on; the message says why and what to do."""


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def tree_checksums(directory, exclude=()):
    """{relative path: sha256} of the regular files under ``directory`` (sorted walk)."""
    found = {}
    for rel, full, kind in _walk(directory, exclude):
        if kind == "file":
            found[rel] = sha256_file(full)
    return found


def _excluded(rel, exclude):
    return any(fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel.split("/")[0], pattern)
               for pattern in exclude)


def _walk(directory, exclude=()):
    """(relative path, full path, kind) for everything under directory, sorted, no symlink
    following; kind is file, dir or symlink (other kinds, e.g. sockets, are skipped)."""
    if not os.path.isdir(directory):
        return
    for current, dirs, files in os.walk(directory):
        dirs.sort()
        rel_dir = os.path.relpath(current, directory)
        keep = []
        for name in dirs:
            rel = name if rel_dir == "." else rel_dir + "/" + name
            full = os.path.join(current, name)
            if _excluded(rel, exclude):
                continue
            if os.path.islink(full):
                yield rel, full, "symlink"
                continue
            keep.append(name)
            yield rel, full, "dir"
        dirs[:] = keep
        for name in sorted(files):
            rel = name if rel_dir == "." else rel_dir + "/" + name
            full = os.path.join(current, name)
            if _excluded(rel, exclude):
                continue
            if os.path.islink(full):
                yield rel, full, "symlink"
            elif os.path.isfile(full):
                yield rel, full, "file"


class _HashingReader(object):
    """Reads a file for tarfile and hashes exactly the bytes that go into the archive."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _timestamp(now=None):
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y%m%dT%H%M%S") + "%03dZ" % (now.microsecond // 1000)


def create_archive(parts, dest_dir, instance, reason="manual", exclude=(), keep=0, now=None,
                   key=None, retention=None):
    """Archive ``parts`` ({part: directory}) into ``dest_dir``; returns a summary dict.

    The file is written under a temporary name and renamed when complete; the checksum file
    is written last. ``keep`` > 0 removes the oldest archives of this instance beyond it;
    ``retention`` ({last, daily, weekly, monthly}) instead keeps what it names (``retained``).
    """
    for part in parts:
        if part not in PARTS:
            raise BackupError("unknown backup part %r; use %s" % (part, ", ".join(PARTS)))
    os.makedirs(dest_dir, mode=0o700, exist_ok=True)
    stamp = _timestamp(now)
    name = "%s-%s-%s.tar.gz" % (instance, stamp, _safe(reason))
    final = os.path.join(dest_dir, name)
    partial = final + ".partial"
    manifest = {"format": FORMAT, "instance": instance, "created": stamp, "reason": reason,
                "parts": sorted(parts), "entries": {}}
    total = 0
    try:
        with tarfile.open(partial, "w:gz", format=tarfile.PAX_FORMAT) as tar:
            for part in sorted(parts):
                directory = parts[part]
                if not os.path.isdir(directory):
                    raise BackupError("%s directory %s does not exist" % (part, directory))
                root_info = tar.gettarinfo(directory, arcname=part)
                tar.addfile(root_info)
                manifest["entries"][part] = _entry(root_info, "dir")
                for rel, full, kind in _walk(directory, exclude):
                    arcname = part + "/" + rel
                    info = tar.gettarinfo(full, arcname=arcname)
                    if kind == "file":
                        with open(full, "rb") as handle:
                            reader = _HashingReader(handle)
                            tar.addfile(info, reader)
                        entry = _entry(info, "file")
                        entry["sha256"] = reader.digest.hexdigest()
                        total += info.size
                    else:
                        tar.addfile(info)
                        entry = _entry(info, kind)
                    manifest["entries"][arcname] = entry
            data = json.dumps(manifest, sort_keys=True, indent=1).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mode = 0o600
            info.mtime = int(datetime.datetime.now(datetime.timezone.utc).timestamp())
            tar.addfile(info, io.BytesIO(data))
        os.chmod(partial, 0o600)
        os.rename(partial, final)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise
    archive_sha = sha256_file(final)
    with open(final + ".sha256", "w", encoding="utf-8") as handle:
        handle.write("%s  %s\n" % (archive_sha, name))
    os.chmod(final + ".sha256", 0o600)
    if key is not None:
        handle = os.open(final + MAC_SUFFIX, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write("%s  %s\n" % (archive_mac(key, name, archive_sha), name))
    removed = prune_as_told(dest_dir, instance, retention, keep)
    return {"path": final, "name": name, "sha256": archive_sha, "files":
            sum(1 for e in manifest["entries"].values() if e["type"] == "file"),
            "bytes": total, "size": os.path.getsize(final), "created": stamp,
            "reason": reason, "removed": removed}


def _safe(text):
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in str(text))[:40] or "manual"


def _entry(info, kind):
    entry = {"type": kind, "mode": "%04o" % (info.mode & 0o7777), "uid": info.uid,
             "gid": info.gid}
    if kind == "file":
        entry["size"] = info.size
    if kind == "symlink":
        entry["target"] = info.linkname
    return entry


def list_archives(dest_dir, instance=None):
    """Archives in ``dest_dir`` (of ``instance``), oldest first, with size and checksum file."""
    if not os.path.isdir(dest_dir):
        return []
    found = []
    for name in sorted(os.listdir(dest_dir)):
        if not name.endswith(".tar.gz") or (instance and not name.startswith(instance + "-")):
            continue
        path = os.path.join(dest_dir, name)
        found.append({"name": name, "path": path, "size": os.path.getsize(path),
                      "has_checksum": os.path.exists(path + ".sha256"),
                      "authenticated": os.path.exists(path + MAC_SUFFIX)})
    return found


def prune(dest_dir, instance, keep):
    archives = list_archives(dest_dir, instance)
    return _remove(archives[:max(0, len(archives) - keep)])


def _remove(items):
    removed = []
    for item in items:
        for path in (item["path"], item["path"] + ".sha256", item["path"] + MAC_SUFFIX):
            if os.path.exists(path):
                os.remove(path)
        removed.append(item["name"])
    return removed


RETENTION_KEYS = ("last", "daily", "weekly", "monthly")


def retained(names, instance, retention):
    """The archive names a retention keeps: the newest ``last``, and the newest of each of the
    latest ``daily`` days, ``weekly`` ISO weeks and ``monthly`` months that have one (UTC, by
    the time in the name). Names the collection did not give are kept."""
    unknown = sorted(set(retention) - set(RETENTION_KEYS))
    if unknown:
        raise BackupError("retention %s: use last, daily, weekly and monthly (counts)"
                          % ", ".join(unknown))
    stamps = {name: archive_time(name, instance) for name in names}
    dated = sorted(((when, name) for name, when in stamps.items() if when is not None),
                   reverse=True)
    keep = {name for name, when in stamps.items() if when is None}
    keep.update(name for dummy, name in dated[:int(retention.get("last") or 0)])
    periods = {"daily": lambda t: t.date(), "weekly": lambda t: t.isocalendar()[:2],
               "monthly": lambda t: (t.year, t.month)}
    for kind, period_of in periods.items():
        seen = []
        for made, name in dated:  # newest first: the first of each period is its newest
            period = period_of(made)
            if period in seen:
                continue
            if len(seen) >= int(retention.get(kind) or 0):
                break
            seen.append(period)
            keep.add(name)
    return keep


def prune_as_told(dest_dir, instance, retention=None, keep=0):
    """The pruning after a backup: by ``retention`` when given, else the newest ``keep``
    (0: none)."""
    if retention:
        return prune_retention(dest_dir, instance, retention)
    return prune(dest_dir, instance, keep) if keep else []


def prune_retention(dest_dir, instance, retention):
    """Remove the archives of ``instance`` in ``dest_dir`` the retention does not keep."""
    archives = list_archives(dest_dir, instance)
    keep = retained([a["name"] for a in archives], instance, retention)
    return _remove([a for a in archives if a["name"] not in keep])


def copy_archive(made, copy_dir, instance, retention=None, keep=0):
    """A second copy of an archive just made (``made``: create_archive's summary) with its
    checksum and MAC files in ``copy_dir`` (another disk, a mounted share), its sha256 checked
    after the copy; the copies there pruned like the originals. Returns the copy's path and
    what was pruned."""
    os.makedirs(copy_dir, mode=0o700, exist_ok=True)
    source = made["path"]
    target = os.path.join(copy_dir, os.path.basename(source))
    for suffix in ("", ".sha256", MAC_SUFFIX):
        if os.path.exists(source + suffix):
            partial = target + suffix + ".partial"
            shutil.copyfile(source + suffix, partial)
            os.chmod(partial, 0o600)
            os.replace(partial, target + suffix)
    if sha256_file(target) != made["sha256"]:
        os.remove(target)
        raise BackupError("the copy of %s in %s does not match the archive (sha256): removed; "
                          "check the second target" % (os.path.basename(source), copy_dir))
    return {"path": target, "pruned": prune_as_told(copy_dir, instance, retention, keep)}


def archive_time(name, instance):
    """When an archive was made (its name's stamp), as a UTC datetime; None for a name the
    collection did not give."""
    found = re.match(r"^%s-(\d{8}T\d{6})(\d{3})Z-" % re.escape(instance), name)
    if not found:
        return None
    return datetime.datetime.strptime(found.group(1), "%Y%m%dT%H%M%S").replace(
        microsecond=int(found.group(2)) * 1000, tzinfo=datetime.timezone.utc)


def resolve(dest_dir, instance, archive):
    """An archive path from a name, a path, ``latest`` or ``at:<time>`` (the newest archive
    made at or before that time: point-in-time restore)."""
    if str(archive or "").startswith(AT_PREFIX):
        when = parse_at(archive[len(AT_PREFIX):], error=BackupError)
        archives = [(archive_time(a["name"], instance), a)
                    for a in list_archives(dest_dir, instance)]
        before = [a for made, a in archives if made is not None and made <= when]
        if not before:
            dated = sorted(made for made, a in archives if made is not None)
            raise BackupError("no backup of %s was made at or before %s (%s); pick a later "
                              "time or an archive by name" % (
                                  instance, utc_text(when),
                                  "the oldest is from %s" % utc_text(dated[0])
                                  if dated else "there is none"))
        return before[-1]["path"]
    if archive in (None, "", "latest"):
        archives = list_archives(dest_dir, instance)
        if not archives:
            raise BackupError("no backup of %s in %s; create one first (playbooks/backup.yml)"
                              % (instance, dest_dir))
        return archives[-1]["path"]
    path = archive if os.path.isabs(archive) else os.path.join(dest_dir, archive)
    if not os.path.isfile(path):
        raise BackupError("backup %s not found; list them with playbooks/backup.yml "
                          "-e backup_action=list" % path)
    return path


def verify_archive(path, key=None, trust_unsigned=False):
    """{'ok': bool, 'errors': [...], 'manifest': {...} or None, 'sha256': str,
    'authenticated': bool}. With ``key``, the archive's MAC must match (an archive without
    one passes only with ``trust_unsigned``, an archive made before MACs existed)."""
    errors = []
    sidecar = path + ".sha256"
    actual = sha256_file(path)
    authenticated = False
    if key is not None:
        mac_file = path + MAC_SUFFIX
        if os.path.exists(mac_file):
            with open(mac_file, encoding="utf-8") as handle:
                given = (handle.read().split() or [""])[0]
            if hmac.compare_digest(given, archive_mac(key, os.path.basename(path), actual)):
                authenticated = True
            else:
                errors.append("the archive's MAC does not match this host's backup key: it was "
                              "not made here, or it was changed")
        elif not trust_unsigned:
            errors.append("the archive has no MAC (%s): it cannot be authenticated; restore an "
                          "archive made before MACs existed only with trust_unsigned"
                          % os.path.basename(mac_file))
    if not os.path.exists(sidecar):
        errors.append("checksum file %s is missing" % os.path.basename(sidecar))
    else:
        with open(sidecar, encoding="utf-8") as handle:
            expected = (handle.read().split() or [""])[0]
        if expected != actual:
            errors.append("archive sha256 %s does not match %s (%s): the archive was changed "
                          "or damaged" % (actual, os.path.basename(sidecar), expected))
    manifest = None
    seen = {}
    try:
        with tarfile.open(path, "r:gz") as tar:
            for info in tar:
                if info.name == MANIFEST:
                    manifest = json.loads(tar.extractfile(info).read().decode("utf-8"))
                    continue
                if info.isfile():
                    digest = hashlib.sha256()
                    handle = tar.extractfile(info)
                    for block in iter(lambda: handle.read(CHUNK), b""):
                        digest.update(block)
                    seen[info.name] = {"type": "file", "sha256": digest.hexdigest()}
                elif info.isdir():
                    seen[info.name] = {"type": "dir"}
                elif info.issym():
                    seen[info.name] = {"type": "symlink", "target": info.linkname}
                else:
                    errors.append("unexpected member %s (type %r)" % (info.name, info.type))
    except (tarfile.TarError, OSError, EOFError, ValueError, UnicodeDecodeError) as exc:
        errors.append("archive cannot be read: %s" % exc)
        return {"ok": False, "errors": errors, "manifest": None, "sha256": actual,
                "authenticated": authenticated}
    if manifest is None:
        errors.append("%s is missing from the archive" % MANIFEST)
        return {"ok": False, "errors": errors, "manifest": None, "sha256": actual,
                "authenticated": authenticated}
    errors += _unsafe_members(path, manifest.get("parts", []))
    entries = manifest.get("entries", {})
    for name in sorted(set(entries) - set(seen)):
        errors.append("%s is in the manifest but not in the archive" % name)
    for name in sorted(set(seen) - set(entries)):
        errors.append("%s is in the archive but not in the manifest" % name)
    for name in sorted(set(seen) & set(entries)):
        want, got = entries[name], seen[name]
        if want["type"] != got["type"]:
            errors.append("%s is a %s in the archive, a %s in the manifest"
                          % (name, got["type"], want["type"]))
        elif want["type"] == "file" and want.get("sha256") != got["sha256"]:
            errors.append("%s has sha256 %s, the manifest says %s"
                          % (name, got["sha256"], want.get("sha256")))
        elif want["type"] == "symlink" and want.get("target") != got["target"]:
            errors.append("symlink %s points to %s, the manifest says %s"
                          % (name, got["target"], want.get("target")))
    return {"ok": not errors, "errors": errors, "manifest": manifest, "sha256": actual,
            "authenticated": authenticated}


def check_all(dest_dir, instance, key=None, trust_unsigned=False, now=None):
    """The integrity job's check of every archive of ``instance`` in ``dest_dir``: each one
    verified (MAC, checksum, every member against the manifest), and the newest intact one
    extracted for real into a scratch directory that is removed afterwards (a restore that
    would work). Returns the record the exporter reads:
    {time, dir, checked, failed: [{name, errors}], extracted, ok}."""
    now = now if now is not None else datetime.datetime.now(datetime.timezone.utc)
    record = {"time": now.timestamp(), "dir": dest_dir, "checked": 0, "failed": [],
              "extracted": None}
    good = None
    for item in list_archives(dest_dir, instance):
        record["checked"] += 1
        result = verify_archive(item["path"], key, trust_unsigned)
        if result["ok"]:
            good = (item, result["manifest"])
        else:
            record["failed"].append({"name": item["name"], "errors": result["errors"][:5]})
    if good is not None:
        item, manifest = good
        scratch = tempfile.mkdtemp(prefix=".integrity-", dir=dest_dir)
        try:
            restore_archive(item["path"], dict((part, os.path.join(scratch, part))
                                               for part in manifest.get("parts", [])),
                            key, trust_unsigned)
            record["extracted"] = item["name"]
        except (BackupError, OSError, tarfile.TarError) as exc:
            record["failed"].append({"name": item["name"], "errors": ["test extract: %s" % exc]})
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    record["ok"] = not record["failed"]
    return record


def _unsafe_members(path, part_names):
    """Every member _check_member refuses, as error lines (verification reports them all)."""
    problems = []
    with tarfile.open(path, "r:gz") as tar:
        infos = [info for info in tar.getmembers() if info.name != MANIFEST]
    links, seen = {info.name for info in infos if info.issym()}, set()
    for info in infos:
        try:
            _check_member(info, part_names, links, seen)
        except BackupError as exc:
            problems.append(str(exc))
    return problems


def _check_member(info, part_names, links, seen=None):
    """Refuse a member that could write outside its part or change what another member
    wrote: a name that is not already normal (absolute, '..', '.', an empty segment, a
    trailing slash: ``state/./a/x`` and ``state//tmp/x`` are refused, not normalised), a
    name that appears twice (a link and then a file of the same name), a path that goes
    through a symlink of the archive, a setuid or setgid file, a device or FIFO. A symlink
    itself may point anywhere (npm links a plugin's peer dependency to the image's
    /opt/openclaw): it is restored as a link, and nothing is ever written through it."""
    name = info.name
    if not name or name.startswith("/") or posixpath.normpath(name) != name \
            or any(part in ("", ".", "..") for part in name.split("/")):
        raise BackupError("unsafe member path %r in the archive; refusing to restore" % name)
    if name.split("/")[0] not in part_names:
        raise BackupError("member %s is outside the archive's parts" % name)
    if seen is not None:
        if name in seen:
            raise BackupError("member %s appears twice in the archive; refusing to restore"
                              % name)
        seen.add(name)
    if not (info.isfile() or info.isdir() or info.issym()):
        raise BackupError("member %s is neither a file, a directory nor a symlink" % name)
    if info.mode & 0o6000 and not info.issym():
        raise BackupError("member %s has the setuid or setgid bit; refusing to restore" % name)
    parts = name.split("/")
    for depth in range(1, len(parts)):
        if "/".join(parts[:depth]) in links:
            raise BackupError("member %s goes through the symlink %s; refusing to restore"
                              % (name, "/".join(parts[:depth])))


def restore_archive(path, targets, key=None, trust_unsigned=False):
    """Verify (with ``key``: its MAC too), then replace each directory of ``targets``
    ({part: dir}) with the archive's, extracted into a staging directory first.

    The gateway must be stopped. Returns {'restored': [parts], 'verify': {...}}.
    """
    result = verify_archive(path, key, trust_unsigned)
    if not result["ok"]:
        raise BackupError("backup %s failed verification, nothing was restored: %s"
                          % (os.path.basename(path), "; ".join(result["errors"][:5])))
    parts = [p for p in result["manifest"].get("parts", []) if p in targets]
    if not parts:
        raise BackupError("the archive holds none of the parts %s" % ", ".join(sorted(targets)))
    staged = {}
    try:
        for part in parts:
            staging = targets[part].rstrip("/") + ".restore-tmp"
            if os.path.exists(staging):
                shutil.rmtree(staging)
            staged[part] = staging
        with tarfile.open(path, "r:gz") as tar:
            members, seen = [], set()
            links = {info.name for info in tar.getmembers() if info.issym()}
            for info in tar.getmembers():
                if info.name == MANIFEST:
                    continue
                _check_member(info, result["manifest"]["parts"], links, seen)
                if info.name.split("/")[0] in staged:
                    members.append(info)
            for info in members:
                part, dummy, rel = info.name.partition("/")
                dest = os.path.join(staged[part], rel) if rel else staged[part]
                _extract(tar, info, dest, staged[part])
            # directory modes and owners after their content is in place
            for info in reversed(members):
                if info.isdir():
                    part, dummy, rel = info.name.partition("/")
                    dest = os.path.join(staged[part], rel) if rel else staged[part]
                    _apply_meta(dest, info)
        previous = {}
        for part in parts:
            target = targets[part].rstrip("/")
            if os.path.exists(target):
                previous[part] = target + ".pre-restore"
                if os.path.exists(previous[part]):
                    shutil.rmtree(previous[part])
                os.rename(target, previous[part])
            os.rename(staged.pop(part), target)
        for old in previous.values():
            shutil.rmtree(old)
    finally:
        for staging in staged.values():
            if os.path.exists(staging):
                shutil.rmtree(staging)
    return {"restored": parts, "verify": {"ok": True, "sha256": result["sha256"],
                                          "authenticated": result["authenticated"],
                                          "files": sum(1 for e in result["manifest"]["entries"]
                                                       .values() if e["type"] == "file")}}


def _extract(tar, info, dest, staging):
    """Write one checked member below ``staging``: its directory must resolve inside the
    staging directory, and a file is created new, never through an existing link."""
    if info.isdir():
        os.makedirs(dest, exist_ok=True)
        _inside(dest, staging, info.name)
        return
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    _inside(os.path.dirname(dest), staging, info.name)
    if info.issym():
        os.symlink(info.linkname, dest)
        _chown(dest, info, follow=False)
        return
    handle = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                     0o600)
    with tar.extractfile(info) as source, os.fdopen(handle, "wb") as target:
        shutil.copyfileobj(source, target, CHUNK)
    _apply_meta(dest, info)


def _inside(path, staging, name):
    real, root = os.path.realpath(path), os.path.realpath(staging)
    if real != root and not real.startswith(root + os.sep):
        raise BackupError("member %s would be written outside the restore (%s); refusing"
                          % (name, real))


def _apply_meta(dest, info):
    _chown(dest, info)
    os.chmod(dest, info.mode & 0o1777)  # setuid/setgid members were refused
    os.utime(dest, (info.mtime, info.mtime))


def restored_owner(uid):
    """A gateway's files belong to root or to the gateway: any other owner in an archive (an
    earlier gateway uid such as 1000, or a person's account) is restored as the gateway's."""
    return 0 if uid == 0 else GATEWAY_UID


def _chown(dest, info, follow=True):
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.chown(dest, restored_owner(info.uid), restored_owner(info.gid),
                 follow_symlinks=follow)
