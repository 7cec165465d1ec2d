# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drift of a gateway, three ways (docs/day2.md, "Drift"): what the fleet declares (the
rendered openclaw.json), what is persisted (the file on the Docker host, the ConfigMap a pod
mounts) and what the running gateway uses (OpenClaw's ``config.get``: the runtime config and
whether the revision on disk is the one it applied; ``agents list``: its live agents).

Pure: the module reads the three, this compares them. Values are redacted by key and value
before they reach a report.
"""

from __future__ import annotations

from ._ownership import ALWAYS_OBSERVED, classify
from ._redact import redact

ABSENT = "(absent)"
# what OpenClaw puts in config.get for values it never shows
OPENCLAW_REDACTED = "__OPENCLAW_REDACTED__"


def leaves(node, prefix=()):
    """{path tuple: value} of a config's leaves; a list is one leaf (compared whole)."""
    if isinstance(node, dict) and node:
        found = {}
        for key in sorted(node):
            found.update(leaves(node[key], prefix + (key,)))
        return found
    return {prefix: node}


def _dotted(path):
    return ".".join(str(part) for part in path)


def _shown(value, known):
    return ABSENT if value is ABSENT else redact(value, known)


def compare(before, after, known=()):
    """[{path, declared, persisted}] where two configs differ (leaf by leaf), redacted."""
    left, right = leaves(before), leaves(after)
    out = []
    for path in sorted(set(left) | set(right), key=lambda p: [str(x) for x in p]):
        a, b = left.get(path, ABSENT), right.get(path, ABSENT)
        if a != b:
            out.append({"path": _dotted(path), "declared": _shown(a, known),
                        "persisted": _shown(b, known)})
    return out


def get_path(node, path):
    """The value at ``path`` in a config, or ABSENT."""
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return ABSENT
        node = node[part]
    return node


def runtime_view(config_get):
    """What the running gateway says about its config (``gateway call config.get``)."""
    data = config_get if isinstance(config_get, dict) else {}
    revision, applied = data.get("configRevisionHash"), data.get("appliedConfigHash")
    return {"valid": data.get("valid"), "revision": revision, "applied_revision": applied,
            "applied": bool(revision) and revision == applied,
            "issues": [str(i.get("message", i)) if isinstance(i, dict) else str(i)
                       for i in data.get("issues") or []][:10],
            "config": data.get("runtimeConfig") if isinstance(data.get("runtimeConfig"), dict)
            else None}


def report(declared, persisted, config_get, declared_agents, live_agents, known=(),
           ownership=None):
    """The three-way drift report of one gateway.

    ``declared``/``persisted``: configs (dicts; ``persisted`` None when there is no file);
    ``config_get``: OpenClaw's answer, or None when the gateway could not be asked;
    ``live_agents``: ids the gateway lists, or None; ``ownership``: the config paths the
    gateway owns (module_utils/_ownership.py) - a difference there is listed under
    ``owned`` with its mode, not as drift.
    """
    runtime = runtime_view(config_get) if config_get is not None else None
    found = {"declared_vs_persisted": [], "persisted_vs_runtime": [], "agents": {},
             "runtime": None, "owned": []}
    if persisted is None:
        found["declared_vs_persisted"] = [{"path": "(file)", "declared": "(present)",
                                           "persisted": ABSENT}]
    else:
        for row in compare(declared, persisted, known):
            kind = classify(row["path"], ownership or {})
            if kind == "drift":
                found["declared_vs_persisted"].append(row)
            elif row["path"].split(".", 1)[0] not in ALWAYS_OBSERVED:
                # OpenClaw's write marker is nobody's setting: not listed
                found["owned"].append(dict(row, owner=kind))
    if runtime is not None:
        found["runtime"] = {k: v for k, v in runtime.items() if k != "config"}
        if runtime["config"] is not None and persisted is not None:
            # each leaf the file holds, as the running gateway has it (OpenClaw adds its
            # defaults to the runtime config: those are not drift)
            for path, value in sorted(leaves(persisted).items(),
                                      key=lambda item: [str(x) for x in item[0]]):
                live = get_path(runtime["config"], path)
                if live == OPENCLAW_REDACTED or live == value:
                    continue
                if isinstance(value, dict) and not value and live is not ABSENT:
                    continue
                found["persisted_vs_runtime"].append({
                    "path": _dotted(path), "persisted": _shown(value, known),
                    "runtime": _shown(live, known)})
    if live_agents is not None:
        declared_ids, live_ids = set(declared_agents or []), set(live_agents)
        found["agents"] = {"declared": sorted(declared_ids), "live": sorted(live_ids),
                           "missing": sorted(declared_ids - live_ids),
                           "extra": sorted(live_ids - declared_ids)}
    agents = found["agents"]
    found["drift"] = bool(found["declared_vs_persisted"] or found["persisted_vs_runtime"]
                          or (runtime is not None and not runtime["applied"])
                          or agents.get("missing") or agents.get("extra"))
    found["summary"] = summary(found)
    return found


def summary(found):
    """One line per kind of drift, for people."""
    lines = []
    if found["declared_vs_persisted"]:
        lines.append("persisted file differs from the fleet at %s" % ", ".join(
            d["path"] for d in found["declared_vs_persisted"][:8]))
    runtime = found.get("runtime")
    if runtime is not None and not runtime["applied"]:
        lines.append("the running gateway has not applied the file on disk (%s)" % (
            "; ".join(runtime["issues"][:3]) or "a restart path changed, or it refused it"))
    if found["persisted_vs_runtime"]:
        lines.append("the running gateway differs from the file at %s" % ", ".join(
            d["path"] for d in found["persisted_vs_runtime"][:8]))
    if found.get("owned"):
        lines.append("owned by the gateway, not drift: %s" % ", ".join(
            "%s (%s)" % (d["path"], d["owner"]) for d in found["owned"][:8]))
    agents = found.get("agents") or {}
    if agents.get("missing"):
        lines.append("declared agents not live: %s" % ", ".join(agents["missing"]))
    if agents.get("extra"):
        lines.append("live agents not declared: %s" % ", ".join(agents["extra"]))
    if not found["drift"]:
        lines.insert(0, "in sync: fleet, file and running gateway agree")
    return lines
