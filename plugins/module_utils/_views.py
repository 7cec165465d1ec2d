# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Readable views over a preflight report: effective policy and routing table.

Each view is plain data (JSON-friendly rows) plus a fixed-width text table.
"""

from __future__ import annotations

from ._catalog import DOMAINS
from ._errors import ReferenceProblem


def text_table(headers, rows):
    """A fixed-width table: ``headers`` are (key, title) pairs, ``rows`` dicts."""
    cells = [[title for dummy, title in headers]]
    for row in rows:
        cells.append(["" if row.get(key) is None else str(row.get(key)) for key, dummy in headers])
    widths = [max(len(line[i]) for line in cells) for i in range(len(headers))]
    out = []
    for index, line in enumerate(cells):
        out.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
        if index == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def _chain_for(report, scope):
    """Policy chain of 'org', '<gateway>' or '<gateway>/<agent>'."""
    engine = report.renderer.policy
    fleet = report.fleet
    if scope in (None, "", "org"):
        return engine.scopes()
    gw_id, dummy, agent_id = scope.partition("/")
    gw = fleet.gateway(gw_id)
    if not agent_id:
        return engine.scopes(gw)
    for agent in gw.agents:
        if agent.id == agent_id:
            return engine.scopes(gw, agent)
    raise ReferenceProblem("gateway %s has no agent %r" % (gw_id, agent_id), gw.file, ("agents",),
                           "use one of: %s" % ", ".join(a.id for a in gw.agents))


def policy_view(report, scope=None, only_allowed=False):
    """Effective policy of a scope: {'scope', 'chain', <domain>: {allowed, items}, 'table'}."""
    engine = report.renderer.policy
    view = engine.effective(_chain_for(report, scope))
    parts = ["effective policy of %s (chain: %s)" % (view["scope"], " > ".join(view["chain"]))]
    for domain in DOMAINS:
        rows = view[domain]["items"]
        if only_allowed:
            rows = [r for r in rows if r["verdict"] == "allow"]
        parts.append("\n%s: %d allowed of %d" % (domain, len(view[domain]["allowed"]),
                                                 len(view[domain]["items"])))
        parts.append(text_table([("id", "ID"), ("tier", "TIER"), ("verdict", "VERDICT"),
                                 ("why", "WHY"), ("decided_by", "DECIDED BY"),
                                 ("where", "WHERE")], rows))
    parts.append("\ntools.deny: %s" % (", ".join(view["tools_deny"]) or "(none)"))
    parts.append("plugins.deny: %s" % (", ".join(view["plugins"]["deny"]) or "(none)"))
    if view["plugins"]["allow"] is not None:
        parts.append("plugins.allow: %s" % ", ".join(view["plugins"]["allow"]))
    view["table"] = "\n".join(parts)
    return view


ROUTING_CODES = {
    "routing.account-conflict": "CONFLICT", "routing.unknown-account": "UNKNOWN ACCOUNT",
    "routing.wildcard": "WILDCARD (no opt-in)", "routing.duplicate-binding": "DUPLICATE",
    "routing.integration": "POLICY",
}


def routing_view(report, gateways=None):
    """Effective routing table: one row per binding plus one per unbound account."""
    fleet = report.fleet
    marks = {}
    for finding in report.findings:
        if finding.code in ROUTING_CODES and len(finding.key_path) >= 2 \
                and finding.key_path[0] == "bindings":
            marks.setdefault((finding.gateway, finding.key_path[1]), []).append(
                ROUTING_CODES[finding.code])
        if finding.code.startswith("policy.integration") and finding.key_path[:1] == \
                ("bindings",):
            marks.setdefault((finding.gateway, finding.key_path[1]), []).append("DENIED")
    rows = []
    for gw_id in sorted(gateways or fleet.gateways):
        gw = fleet.gateway(gw_id)
        bound = set()
        for index, binding in enumerate(gw.data.get("bindings", [])):
            match = binding["match"]
            peer = match.get("peer")
            account = match.get("accountId")
            bound.add((match["channel"], account))
            status = marks.get((gw_id, index))
            rows.append({
                "gateway": gw_id, "channel": match["channel"],
                "account": account if account is not None else "(default)",
                "peer": "%s:%s" % (peer["kind"], peer["id"]) if peer else "",
                "agent": binding["agentId"], "binding": "bindings[%d]" % index,
                "status": ", ".join(sorted(set(status))) if status else "ok",
            })
        wildcard = {c for c, a in bound if a in (None, "*")}
        for channel, spec in sorted(gw.data.get("channels", {}).items()):
            for account in sorted(spec["accounts"]):
                if (channel, account) not in bound and channel not in wildcard:
                    rows.append({"gateway": gw_id, "channel": channel, "account": account,
                                 "peer": "", "agent": "(default agent)", "binding": "",
                                 "status": "UNBOUND"})
    table = text_table([("gateway", "GATEWAY"), ("channel", "CHANNEL"), ("account", "ACCOUNT"),
                        ("peer", "PEER"), ("agent", "AGENT"), ("binding", "BINDING"),
                        ("status", "STATUS")], rows)
    return {"rows": rows, "conflicts": sum(1 for r in rows if r["status"] != "ok"),
            "table": table}


def findings_table(report):
    rows = [f.as_dict() for f in report.findings]
    return text_table([("severity", "SEVERITY"), ("code", "CODE"), ("location", "LOCATION"),
                       ("message", "MESSAGE")], rows)
