# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deep merge with per-leaf provenance, ``@{variable}`` substitution and managed keys.

A *provenance tree* mirrors a value: for a dict it is a dict with the same keys, for a
list that was appended to it is a list, and everywhere else it is a ``Source`` naming
the layer, the file and the key path inside that file that set the value. A ``Source``
standing for a whole subtree covers everything below it (``child_source``).

Merge rules (documented in docs/fleet-reference.md, tested in tests/unit):
* objects merge key by key, recursively;
* scalars and arrays replace what was there;
* ``{"$append": [...]}`` appends to the inherited array instead of replacing it;
* a layer may not set a *managed* key (derived by the orchestrator): that is an error
  naming the layer's file and key path.
"""

from __future__ import annotations

import copy
import re
from collections import namedtuple

from ._errors import ManagedKeyError, SchemaProblem, SubstitutionError, format_key_path

Source = namedtuple("Source", "layer file path")
Source.__doc__ = "Where a value came from: layer name, file (relative to the fleet dir), key path in it."

APPEND = "$append"
PASSTHROUGH_DOLLAR_KEYS = frozenset(["$schema"])
EMPTY = None  # key of the provenance entry of an empty object


def child_source(node, key):
    """Provenance node of ``key`` below ``node``."""
    if isinstance(node, Source):
        return Source(node.layer, node.file, node.path + (key,))
    if isinstance(node, dict):
        return node.get(key)
    if isinstance(node, list) and isinstance(key, int) and key < len(node):
        return node[key]
    return None


def _stamp(src, layer):
    """Record ``layer`` on a provenance node (a Source, or a tree of them)."""
    if layer is None or src is None:
        return src
    if isinstance(src, Source):
        return src if src.layer == layer else Source(layer, src.file, src.path)
    if isinstance(src, dict):
        return {key: _stamp(item, layer) for key, item in src.items()}
    return [_stamp(item, layer) for item in src]


def _is_append(value):
    return isinstance(value, dict) and len(value) == 1 and APPEND in value


class Variables:
    """Values for ``@{name}`` in templates and overrides.

    ``@{name}`` alone in a string yields the variable's own type (a port stays an
    integer); inside longer text it is interpolated. ``@@{`` writes a literal ``@{``.
    Unknown names are errors that point at the file and key path using them.
    """

    PATTERN = re.compile(r"@@\{|@\{([^{}]*)\}")

    def __init__(self, values, scope):
        self.values = values
        self.scope = scope

    def child(self, extra, scope):
        merged = dict(self.values)
        merged.update(extra)
        return Variables(merged, scope)

    def lookup(self, name, src):
        name = name.strip()
        if name in self.values:
            return self.values[name]
        known = ", ".join(sorted(self.values)) or "(none)"
        raise SubstitutionError(
            "unknown variable @{%s} in the %s scope" % (name, self.scope),
            src.file if src else None, src.path if src else (),
            "use one of: %s; or define it under 'variables:' in fleet.yml, the group or the "
            "gateway; write @@{ for a literal @{" % known)

    def apply(self, text, src):
        if "@{" not in text:
            return text
        match = self.PATTERN.fullmatch(text)
        if match and match.group(0) != "@@{":
            return self.lookup(match.group(1), src)

        def repl(found):
            if found.group(0) == "@@{":
                return "@{"
            value = self.lookup(found.group(1), src)
            return value if isinstance(value, str) else _json_scalar(value)
        return self.PATTERN.sub(repl, text)


def _json_scalar(value):
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return str(value)


def _copy_leaf(value, src, variables):
    """Copy a leaf value (scalar or list), substituting variables in strings."""
    if isinstance(value, str):
        return variables.apply(value, src) if variables is not None else value
    if isinstance(value, list):
        if variables is None:
            return copy.deepcopy(value)
        return [_copy_leaf(item, child_source(src, index), variables)
                for index, item in enumerate(value)]
    if isinstance(value, dict):
        return {key: _copy_leaf(item, child_source(src, key), variables)
                for key, item in value.items()}
    return value


def _managed_child(guard, key):
    if guard is None or guard is True:
        return guard
    node = guard.get(key)
    if node is None:
        node = guard.get("*")
    return node


def merge_into(dst, dprov, src, sprov, layer=None, variables=None, guard=None, dpath=()):
    """Deep-merge ``src`` (with provenance ``sprov``) over ``dst`` (with ``dprov``) in place.

    ``layer`` stamps the recorded sources, ``variables`` substitutes ``@{...}`` in
    strings, ``guard`` is a trie of managed key paths that ``src`` must not set
    (``True`` marks a managed subtree, ``"*"`` matches any key), and ``dpath`` is
    where ``dst`` sits in the rendered config (for messages).
    """
    for key, sval in src.items():
        sp = child_source(sprov, key)
        kpath = dpath + (key,)
        if isinstance(key, str) and key.startswith("$") and not _is_append(sval) \
                and key not in PASSTHROUGH_DOLLAR_KEYS:
            raise SchemaProblem("unknown directive %r" % key, sp.file if sp else None,
                                sp.path if sp else kpath,
                                "the directives are $include (in templates) and "
                                '{"$append": [...]} as a value')
        sub_guard = _managed_child(guard, key)
        if sub_guard is True:
            raise ManagedKeyError(
                "sets %s, which clawops derives from the fleet definition"
                % format_key_path(kpath), sp.file if sp else None, sp.path if sp else kpath,
                MANAGED_FIXES.get(_fix_key(kpath), "remove it from this layer"))
        if _is_append(sval):
            items = sval[APPEND]
            isrc = child_source(sp, APPEND)
            if not isinstance(items, list):
                raise SchemaProblem("$append needs an array, got %s" % type(items).__name__,
                                    isrc.file if isrc else None, isrc.path if isrc else kpath,
                                    'write {"$append": ["item", ...]}')
            current = dst.get(key)
            if layer is None and (current is None or _is_append(current)):
                # Resolving $include: nothing to append to yet. Keep the directive so the
                # layer that uses this template appends to what earlier layers set.
                pending = list(current[APPEND]) if current is not None else []
                pprov = child_source(dprov.get(key), APPEND) if current is not None else []
                pprov = list(pprov) if isinstance(pprov, list) else [
                    child_source(pprov, i) for i in range(len(pending))]
                pending.extend(copy.deepcopy(items))
                pprov.extend(child_source(isrc, i) for i in range(len(items)))
                dst[key] = {APPEND: pending}
                dprov[key] = {APPEND: pprov}
                continue
            if current is None:
                current, cprov = [], []
            elif not isinstance(current, list):
                raise SchemaProblem("$append on %s, which is not an array (%s)"
                                    % (format_key_path(kpath), type(current).__name__),
                                    isrc.file if isrc else None, isrc.path if isrc else kpath,
                                    "use $append only where an earlier layer set an array")
            else:
                old = dprov.get(key)
                cprov = list(old) if isinstance(old, list) else [old] * len(current)
                current = list(current)
            for index, item in enumerate(items):
                item_src = _stamp(child_source(isrc, index), layer)
                current.append(_copy_leaf(item, item_src, variables))
                cprov.append(item_src)
            dst[key] = current
            dprov[key] = cprov
        elif isinstance(sval, dict):
            dval = dst.get(key)
            if not isinstance(dval, dict):
                dval = {}
                dst[key] = dval
                dprov[key] = {}
            elif not isinstance(dprov.get(key), dict):
                dprov[key] = _expand(dprov.get(key), dval)
            if not sval:
                if not dval:
                    dprov[key][EMPTY] = _stamp(sp, layer)
                continue
            merge_into(dval, dprov[key], sval, sp, layer, variables, sub_guard, kpath)
        else:
            stamped = _stamp(sp, layer)
            dst[key] = _copy_leaf(sval, stamped, variables)
            dprov[key] = stamped


def _expand(node, value):
    """Turn a Source covering a whole object into a per-key provenance dict."""
    return {key: child_source(node, key) for key in value}


def same_source(value, source):
    """A provenance tree giving every leaf of ``value`` the one ``source``."""
    if isinstance(value, dict) and value:
        return {key: same_source(item, source) for key, item in value.items()}
    return source


def set_leaf(dst, dprov, path, value, source):
    """Set ``path`` in ``dst`` to ``value`` with provenance ``source`` (creating objects)."""
    for key in path[:-1]:
        nxt = dst.get(key)
        if not isinstance(nxt, dict):
            nxt = {}
            dst[key] = nxt
            dprov[key] = {}
        elif not isinstance(dprov.get(key), dict):
            dprov[key] = _expand(dprov.get(key), nxt)
        dst, dprov = nxt, dprov[key]
    dst[path[-1]] = value
    dprov[path[-1]] = source


def provenance_rows(value, prov, path=()):
    """Yield ``(key_path, value, Source)`` for every leaf of ``value``.

    Arrays of scalars set by one source are one leaf; arrays built by ``$append`` or
    holding objects yield one row per element (objects recursively).
    """
    if isinstance(value, dict):
        if not value:
            src = prov.get(EMPTY) if isinstance(prov, dict) else prov
            yield path, value, src
            return
        for key, item in value.items():
            yield from provenance_rows(item, child_source(prov, key), path + (key,))
        return
    if isinstance(value, list):
        per_element = isinstance(prov, list) or any(isinstance(i, (dict, list)) for i in value)
        if per_element and value:
            for index, item in enumerate(value):
                yield from provenance_rows(item, child_source(prov, index), path + (index,))
            return
    yield path, value, prov


def _fix_key(path):
    if path[:2] == ("agents", "entries") and len(path) > 3:
        return ("agents", "entries", "*", path[3])
    if path[:1] == ("channels",) and len(path) > 2:
        return ("channels", "*", path[2])
    return tuple(path[:2])


MANAGED_FIXES = {
    ("gateway", "port"): "set 'port:' in the gateway file instead",
    ("gateway", "bind"): "set 'exposure:' in the gateway file instead (loopback or lan)",
    ("gateway", "mode"): "remove it; clawops gateways always run in local mode",
    ("gateway", "auth"): "set 'auth:' in the gateway file with a secret reference instead",
    ("logging", "file"): "remove it; each gateway logs to its own file under its logs dir",
    ("agents", "entries"): "define agents under 'agents:' in the gateway file; agent-scoped "
                           "settings go in the agent's 'config:'",
    ("agents", "defaults"): "remove it; the default workspace is isolated per gateway, and "
                            "model and skill allowlists come from 'policy:' (see "
                            "docs/policy.md)",
    ("skills", "allowBundled"): "use 'policy: {skills: ...}'; clawops compiles the bundled "
                                "skill allowlist from the effective policy",
    ("plugins", "allow"): "use 'policy: {plugins: {exclusive: true, always: [...]}}'",
    ("plugins", "deny"): "use 'policy: {plugins: {deny: [...]}}' or deny the integration or "
                         "provider in 'policy:'",
    ("agents", "entries", "*", "modelPolicy"): "use the agent's 'policy: {models: ...}'",
    ("agents", "ownership"): "remove it; clawops marks multi-agent gateways explicit itself",
    ("agents", "entries", "*", "workspace"): "use the agent's 'workspace:' (a directory name "
                                             "under the gateway's workspace root)",
    ("agents", "entries", "*", "agentDir"): "use the agent's 'agent_dir:' (a directory name "
                                            "under the gateway's state dir)",
    ("bindings",): "declare routes under 'bindings:' in the gateway file",
    ("channels", "*", "accounts"): "declare accounts under 'channels.<provider>.accounts' in "
                                   "the gateway file (secrets as references)",
}

# Keys of openclaw.json that clawops derives; no template or override may set them.
MANAGED_CONFIG = {
    "gateway": {"port": True, "bind": True, "mode": True, "auth": True},
    "logging": {"file": True},
    "agents": {"entries": True, "ownership": True,
               "defaults": {"workspace": True, "modelPolicy": True, "skills": True}},
    "skills": {"allowBundled": True},
    "plugins": {"allow": True, "deny": True},
    "bindings": True,
    "channels": {"*": {"accounts": True}},
}
# Keys of agents.entries.<id> that clawops derives (agent-scoped layers).
MANAGED_AGENT = {"workspace": True, "agentDir": True, "modelPolicy": True}


def leaves(node, path=()):
    """(key path, value) of every scalar below ``node`` (dicts by key, lists by index)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from leaves(value, path + (index,))
    else:
        yield path, node
