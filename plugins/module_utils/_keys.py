# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Host keys kept apart from what they authenticate (backup archives, the audit trail).

A key is 32 random bytes in a 0600 file of a 0700 directory: ``/etc/clawops/<name>`` when
running as root, ``~/.config/clawops/<name>`` otherwise. Whoever can write backups or the
events log but not that directory cannot forge a MAC. Pure Python (stdlib only)."""

from __future__ import annotations

import os

KEY_BYTES = 32


class KeyProblem(Exception):
    """A key that is missing, too short or readable by others; the message says the fix."""


def default_key_file(name):
    """Where this host's key ``name`` lives (``backup.key``, ``audit.key``)."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return os.path.join("/etc/clawops", name)
    return os.path.join(os.path.expanduser("~"), ".config", "clawops", name)


def load_key(path, create=False, missing=None, error=None):
    """The key at ``path`` (``create``: made on first use). ``missing``: the message when it
    does not exist and may not be made; ``error``: the exception class to raise (the
    caller's own; default KeyProblem)."""
    try:
        return _load(path, create, missing)
    except KeyProblem as exc:
        if error is None:
            raise
        raise error(str(exc)) from None


def _load(path, create, missing):
    if not os.path.exists(path):
        if not create:
            raise KeyProblem(missing or "no key at %s" % path)
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        # written whole under a temporary name, then linked into place: a concurrent run
        # (parallel forks on first use) sees no key or the whole key, never a partial one
        temp = "%s.%d.tmp" % (path, os.getpid())
        handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(handle, "wb") as out:
            out.write(os.urandom(KEY_BYTES))
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            pass  # made by a concurrent run: use that one
        finally:
            os.unlink(temp)
    info = os.stat(path)
    if info.st_mode & 0o077 or (hasattr(os, "geteuid") and info.st_uid != os.geteuid()):
        raise KeyProblem("key %s must belong to this user and be readable by no one else "
                         "(chmod 600)" % path)
    with open(path, "rb") as handle:
        key = handle.read()
    if len(key) < KEY_BYTES:
        raise KeyProblem("key %s is shorter than %d bytes" % (path, KEY_BYTES))
    return key
