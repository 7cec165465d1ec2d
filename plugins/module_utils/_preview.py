# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preview: the effective config with provenance, as text and as files for review."""

from __future__ import annotations

import json
import os

from ._errors import ReferenceProblem

RENDERED_FILES = ("openclaw.json", "runtime.json", "provenance.txt")


def select(fleet, plans, gateway=None, agent=None):
    """Pick (gateway_id, key-path prefix) pairs for a gateway and/or agent selection."""
    if agent:
        found = [(gw.id, ("agents", "entries", agent)) for gw, dummy in fleet.find_agent(agent)
                 if gateway in (None, "", gw.id)]
        if not found:
            raise ReferenceProblem(
                "unknown agent %r%s" % (agent, " on gateway %r" % gateway if gateway else ""),
                None, (), "use an agent id from the gateway files' 'agents:' lists")
        return found
    if gateway:
        fleet.gateway(gateway)
        return [(gateway, ())]
    return [(gw_id, ()) for gw_id in sorted(plans)]


def agent_rows(plan, agent_id):
    """Effective rows for one agent: its entry, the defaults it inherits, and its routes.

    ``agents.defaults`` rows whose key the entry overrides are left out (the entry wins in
    OpenClaw), so the rows read as the agent's effective settings.
    """
    entry_prefix = "agents.entries.%s." % agent_id
    entry = plan.provenance(("agents", "entries", agent_id))
    own = {row["path"][len(entry_prefix):] for row in entry}
    inherited = []
    for row in plan.provenance(("agents", "defaults")):
        key = row["path"][len("agents.defaults."):]
        if any(key == k or key.startswith(k + ".") or k.startswith(key + ".") for k in own):
            continue
        inherited.append(dict(row, layer=row["layer"] + " (default)"))
    routes = []
    for index, binding in enumerate(plan.config.get("bindings", [])):
        if binding.get("agentId") == agent_id:
            routes.extend(plan.provenance(("bindings", index)))
    return entry + inherited + routes


def _value_text(value, width=70):
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= width else text[:width - 3] + "..."


def provenance_lines(rows):
    """Aligned text lines: path = value   <- layer  file:key_path."""
    if not rows:
        return []
    left = [("%s = %s" % (r["path"], _value_text(r["value"]))) for r in rows]
    width = min(max(len(x) for x in left), 100)
    out = []
    for text, row in zip(left, rows):
        where = row["file"] + (":" + row["file_path"] if row["file_path"] else "")
        out.append("%s  <- %-14s %s" % (text.ljust(width), row["layer"], where))
    return out


def rendered_files(plan):
    """{relative file name: text} for one gateway plan; no secret values exist in any of it."""
    rows = plan.provenance()
    header = ["# Provenance of %s (%s): path = value  <- layer  file:key path"
              % (plan.summary["id"], plan.summary["instance"]),
              "# config sha256: %s" % plan.config_sha256]
    return {
        "openclaw.json": plan.config_text,
        "runtime.json": json.dumps(plan.runtime, indent=2, sort_keys=True) + "\n",
        "provenance.txt": "\n".join(header + provenance_lines(rows)) + "\n",
    }


def compare_tree(dest, files_by_gateway):
    """Compare wanted files with what is under ``dest``.

    Returns a list of ``{path, rel, status, before, after}`` where status is
    ``unchanged``, ``changed`` or ``created``.
    """
    results = []
    for gw_id in sorted(files_by_gateway):
        for name, text in sorted(files_by_gateway[gw_id].items()):
            rel = "%s/%s" % (gw_id, name)
            path = os.path.join(dest, gw_id, name)
            before = None
            if os.path.isfile(path):
                with open(path, "r", encoding="utf-8") as handle:
                    before = handle.read()
            status = "unchanged" if before == text else ("created" if before is None
                                                         else "changed")
            results.append({"path": path, "rel": rel, "status": status, "before": before,
                            "after": text})
    return results
