# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A content-addressed cache of parsed and validated fleet files.

A fleet file whose bytes were parsed and passed the schema once is not parsed and
validated again: the entry's name is the sha256 of the cache format, the schema, the
file's kind and the file's bytes, so an edited file, a new collection version with another
schema, or another kind of file never meets an old entry. Only files that parsed to
JSON-shaped data and passed the schema are stored; a broken file is read every time, so its
errors are always reported.

Where: ``$CLAWOPS_PARSE_CACHE`` (a directory; ``off`` turns the cache off), else
``$XDG_CACHE_HOME/clawops/parse``, else ``~/.cache/clawops/parse``. The directory is made
with mode 0700 and used only while it belongs to this user and no one else can write it:
an entry is trusted as validated data. Deleting it at any time is safe.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat

FORMAT = "clawops-parse-1"
ENV = "CLAWOPS_PARSE_CACHE"
OFF = ("off", "0", "false", "no", "none")


def default_dir(environ=None):
    """The cache directory for this user, or None when the cache is off."""
    environ = os.environ if environ is None else environ
    chosen = environ.get(ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in OFF or not chosen.strip() else chosen
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "clawops", "parse")


def _json_shaped(value):
    """True when ``value`` survives a JSON round trip unchanged (str keys, JSON types)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_shaped(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_shaped(v) for v in value)
    return value is None or isinstance(value, (str, bool, int, float))


class ParseCache:
    """Entries ``<dir>/<2 hex>/<sha256>.json``; ``salt`` names what else decides validity
    (the schema)."""

    def __init__(self, directory, salt):
        self.directory = directory
        self.salt = salt
        self.hits = 0
        self.misses = 0
        self.usable = directory is not None and self._prepare()

    def _prepare(self):
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            info = os.stat(self.directory)
        except OSError:
            return False
        return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)

    def key(self, kind, raw):
        digest = hashlib.sha256()
        for part in (FORMAT, self.salt, kind):
            digest.update(part.encode("utf-8") + b"\0")
        digest.update(raw)
        return digest.hexdigest()

    def _path(self, key):
        return os.path.join(self.directory, key[:2], key + ".json")

    def has(self, key):
        return self.usable and os.path.isfile(self._path(key))

    def get(self, key):
        """The stored data, or None."""
        if not self.usable:
            return None
        try:
            with open(self._path(key), "r", encoding="utf-8") as handle:
                entry = json.load(handle)
        except (OSError, ValueError):
            self.misses += 1
            return None
        if not isinstance(entry, dict) or entry.get("key") != key:
            self.misses += 1
            return None
        self.hits += 1
        return entry.get("data")

    def put(self, key, data):
        """Store ``data`` when it is JSON-shaped; failures to write are ignored (a cache)."""
        if not self.usable or not _json_shaped(data):
            return
        path = self._path(key)
        tmp = "%s.%d.tmp" % (path, os.getpid())
        text = json.dumps({"key": key, "data": data}, separators=(",", ":"), ensure_ascii=False)
        try:
            try:
                handle = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            except FileNotFoundError:
                os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
                handle = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(tmp, path)
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass
