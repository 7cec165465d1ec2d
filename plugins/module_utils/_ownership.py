# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who owns each path of a gateway's config (docs/day2.md, "Config ownership").

- ``managed`` (every path not listed): the fleet's value is written on every deploy; a
  different value in the file is drift, repaired by ``drift.yml -e drift_mode=remediate``.
- ``seed_only``: the fleet's value is written while the file does not have the path; once it
  has it (the gateway set it through its Control UI or ``openclaw config set``, or a person
  edited the file), the file's value is kept and is not drift.
- ``observed``: never written; the file's value is kept and reported, never repaired (the
  fleet may not declare it: the renderer drops what a template sets there, and says so).

Patterns are dotted config paths; ``*`` stands for one key (``channels.*.allowFrom``). A
pattern covers the subtree below it. The longest matching pattern decides. OpenClaw's own
write marker (``meta``) is always observed: a gateway that writes its config stamps it.

Pure: the deploy (``gateway_config``), the drift report and the renderer call it.
"""

from __future__ import annotations

import copy
import re

from ._layering import MANAGED_CONFIG, _managed_child

MODES = ("managed", "seed_only", "observed")
ALWAYS_OBSERVED = {"meta": "observed"}
_PART = re.compile(r"^(\*|[A-Za-z0-9_@-]+)$")


class OwnershipError(ValueError):
    """A pattern or mode the fleet may not use; ``fix`` says what to do."""

    def __init__(self, message, fix='see docs/day2.md, "Config ownership"'):
        super(OwnershipError, self).__init__(message)
        self.fix = fix


def split(pattern):
    """A pattern's parts (``a.*.b`` -> ['a', '*', 'b']); raises OwnershipError."""
    parts = pattern.split(".") if isinstance(pattern, str) and pattern else []
    if not parts or any(not part or not _PART.match(part) for part in parts):
        raise OwnershipError("%r is not a dotted config path (keys separated by '.', '*' for "
                             "one key)" % (pattern,))
    if parts[0] == "*":
        raise OwnershipError("%r starts with '*': name the top-level key" % pattern)
    return parts


def _covers(parts, path):
    if len(path) < len(parts):
        return False
    return all(p == "*" or p == str(k) for p, k in zip(parts, path))


def mode_of(path, ownership):
    """The mode of a config path (a tuple of keys) under ``ownership`` ({pattern: mode})."""
    best, best_len = "managed", -1
    for pattern, mode in dict(ALWAYS_OBSERVED, **(ownership or {})).items():
        parts = split(pattern)
        if _covers(parts, path) and len(parts) > best_len:
            best, best_len = mode, len(parts)
    return best


def writable(ownership):
    """Whether any path is owned by the gateway (its config must then be writable)."""
    return any(mode != "managed" for mode in (ownership or {}).values())


def _walk(node, path=()):
    """Every (path, value) of a config, dicts descended, other values as leaves."""
    if isinstance(node, dict) and node:
        for key in node:
            yield from _walk(node[key], path + (key,))
    else:
        yield path, node


def _owned_roots(node, ownership, path=()):
    """The paths of ``node`` at which a non-managed subtree starts (the shortest)."""
    if path and mode_of(path, ownership) != "managed":
        return [path]
    found = []
    if isinstance(node, dict):
        for key in node:
            found.extend(_owned_roots(node[key], ownership, path + (key,)))
    return found


def _get(node, path):
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None, False
        node = node[key]
    return node, True


def _set(node, path, value):
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = copy.deepcopy(value)


def drop(node, path):
    """Remove ``path`` from a config, and the objects the removal leaves empty."""
    parents = []
    for key in path[:-1]:
        if not isinstance(node, dict) or key not in node:
            return
        parents.append((node, key))
        node = node[key]
    if isinstance(node, dict):
        node.pop(path[-1], None)
    # an object left empty by the drop goes too
    for parent, key in reversed(parents):
        if parent[key] == {}:
            parent.pop(key)
        else:
            break


def observed_roots(config, ownership):
    """The paths of ``config`` the fleet may not write (observed), shortest first."""
    return [p for p in _owned_roots(config, ownership) if mode_of(p, ownership) == "observed"
            and p[0] not in ALWAYS_OBSERVED]


def _below(path, roots):
    return any(path[:len(root)] == root and len(path) > len(root) for root in roots)


def merge(declared, persisted, ownership):
    """What to write: the fleet's config with the file's values where the gateway owns the
    path (seed_only paths the file has, observed paths). ``persisted``: the file's config,
    or None (a first write: the seeds go in, nothing is observed yet)."""
    out = copy.deepcopy(declared)
    if not isinstance(persisted, dict):
        return out
    for path in _owned_roots(out, ownership):
        if mode_of(path, ownership) == "observed":
            drop(out, path)
    roots = _owned_roots(persisted, ownership)
    for path in roots:
        value, there = _get(persisted, path)
        if there:
            _set(out, path, value)
    # a managed pattern inside an owned subtree (ui.prefs seed_only, ui.prefs.lock managed):
    # the fleet's value there, not the file's

    def managed_below(path):
        return _below(path, roots) and mode_of(path, ownership) == "managed"
    for path, dummy in list(_walk(out)):
        if managed_below(path) and not _get(declared, path)[1]:
            drop(out, path)
    for path, value in _walk(declared):
        if managed_below(path):
            _set(out, path, value)
    return out


def managed_view(config, ownership):
    """``config`` without the paths the gateway owns (and OpenClaw's ``meta``): what a
    revision of a gateway that writes its config is made of."""
    out = copy.deepcopy(config)
    for path in _owned_roots(out, ownership):
        drop(out, path)
    return out


def classify(path, ownership):
    """How a difference between the fleet and the file at ``path`` (dotted) counts:
    ``drift`` (managed: repaired by remediate) or the owner's mode."""
    mode = mode_of(tuple(path.split(".")), ownership)
    return "drift" if mode == "managed" else mode


def check(pattern, mode):
    """Raise OwnershipError (its message names the fix) unless the fleet may give ``pattern``
    the ``mode``: a dotted path outside the keys the collection sets (MANAGED_CONFIG)."""
    guard = MANAGED_CONFIG
    for part in split(pattern):
        guard = _managed_child(guard, part)
        if guard is True or guard is None:
            break
    if mode not in MODES:
        raise OwnershipError("ownership of %s is %r: use one of %s" % (
            pattern, mode, ", ".join(MODES)))
    if guard is not None:
        raise OwnershipError("%s covers keys the collection sets (port, auth, agents, channel "
                             "accounts, bindings, policy lists): they are always managed"
                             % pattern, "name a path outside them")
