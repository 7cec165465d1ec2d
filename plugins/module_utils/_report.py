# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report (playbooks/report.yml, docs/operations.md): per gateway its live state,
version, uptime, channel readiness, agents and routes, pending pairing requests, last backup
and drill, recent errors, effective policy and effective config with provenance; the
fleet's summary on top. One self-contained page (``render_html``) and the same data as JSON.

Pure: the module hands in the preflight report of the fleet (plans, policy, routing) and
what each gateway answered (gateway_status, gateway_devices, the archives, the drill
record). Every value shown is redacted by key and by value (``_redact``).
"""

from __future__ import annotations

import datetime
import json

from . import _html, _redact
from ._clock import utc_text
from ._metrics import enabled_channels
from ._status import error_summary
from ._views import policy_view, routing_view

STALE_BACKUP_S = 26 * 3600
VALUE_WIDTH = 160


def _iso(seconds):
    if not seconds:
        return None
    return utc_text(seconds)


def _short(value):
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= VALUE_WIDTH else text[:VALUE_WIDTH - 1] + "\u2026"


def _channels(plan, failing, known):
    """Each channel the config enables: ready (True/False), or None when the gateway gave no
    authenticated readiness answer (stopped, or no token)."""
    return [{"channel": name, "ready": (name not in failing) if known else None}
            for name in enabled_channels(plan.config)]


def _policy(report, gateway_id):
    view = policy_view(report, gateway_id)
    domains = {}
    for key, value in view.items():
        if isinstance(value, dict) and "allowed" in value and "items" in value:
            domains[key] = sorted(value["allowed"])
    return {"chain": view["chain"], "allowed": domains, "tools_deny": view.get("tools_deny") or [],
            "plugins_deny": (view.get("plugins") or {}).get("deny") or []}


def _backup(archives, now):
    dated = [a for a in archives or [] if a.get("time")]
    if not dated:
        return {"count": len(archives or []), "last": None, "age_s": None, "stale": True}
    last = max(dated, key=lambda a: a["time"])
    age = max(0, int(now - last["time"]))
    return {"count": len(archives), "last": last["name"], "time": _iso(last["time"]),
            "age_s": age, "stale": age > STALE_BACKUP_S}


def _pending(devices, now):
    rows = []
    for item in (devices or {}).get("pending") or []:
        created = item.get("createdAtMs") or item.get("ts")
        rows.append({"request": str(item.get("requestId") or "")[:12],
                     "device": str(item.get("deviceId") or "")[:16],
                     "name": item.get("displayName") or item.get("clientId") or "",
                     "platform": item.get("platform") or "", "role": item.get("role") or "",
                     "age_s": int(now - created / 1000.0) if isinstance(created, (int, float)) else None})
    return rows


def build(report, entries, now=None, title="Fleet report"):
    """The report's data. ``report``: the fleet's preflight report (``run_preflight``);
    ``entries``: {gateway id: {status, devices, archives: [{name, time}], drill}} of the
    gateways the run reached."""
    now = now if now is not None else datetime.datetime.now(datetime.timezone.utc).timestamp()
    fleet = report.fleet
    routes = routing_view(report, sorted(entries))["rows"]
    statuses = [dict(entry.get("status") or {}, gateway=gid) for gid, entry in sorted(entries.items())]
    errors = error_summary(statuses)
    gateways = []
    for gid in sorted(entries):
        entry, gw, plan = entries[gid], fleet.gateway(gid), report.plans.get(gid)
        status = entry.get("status") or {}
        failing = [str(item) for item in status.get("failing") or []]
        agents = status.get("agents") or {}
        drill = entry.get("drill")
        gateways.append({
            "id": gid, "provider": gw.provider, "groups": [g.id for g in gw.groups],
            "profile": gw.profile, "trust_level": gw.trust_level, "wave": str(gw.wave),
            "state": status.get("state") or "unknown", "version": status.get("version"),
            "error": _redact.scrub_text(status.get("error")) if status.get("error") else None,
            "uptime_s": status.get("uptime_s"), "ready": status.get("ready") is True,
            "failing": failing,
            # an authenticated /readyz reports the uptime: only then is "not failing" known
            "channels": _channels(plan, failing, status.get("uptime_s") is not None) if plan else [],
            "agents": {k: agents.get("agents_" + k, []) for k in ("declared", "live", "missing", "extra")},
            "routes": [dict((k, r[k]) for k in ("channel", "account", "peer", "agent", "status"))
                       for r in routes if r["gateway"] == gid],
            "pending_pairing": _pending(entry.get("devices"), now),
            "backup": _backup(entry.get("archives"), now),
            "drill": None if not drill else {
                "time": _iso(drill.get("time")), "ok": drill.get("ok") is True,
                "rto_s": drill.get("rto_s"), "rpo_s": drill.get("rpo_s")},
            "errors": [{"signature": e["signature"], "count": c["count"], "first_seen": e["first_seen"],
                        "last_seen": e["last_seen"]}
                       for e in errors for c in e["gateways"] if c["gateway"] == gid],
            "policy": _policy(report, gid) if report.renderer is not None else None,
            "config": [{"path": row["path"], "value": _short(_redact.redact(row["value"])),
                        "layer": row["layer"], "from": ("%s: %s" % (row["file"], row["file_path"])
                                                        if row["file"] else "")}
                       for row in (plan.provenance() if plan else [])],
        })
    states = {}
    for item in gateways:
        states[item["state"]] = states.get(item["state"], 0) + 1
    summary = {
        "gateways": len(gateways), "states": states,
        "ready": sum(1 for g in gateways if g["ready"]),
        "channels_failing": sum(1 for g in gateways for c in g["channels"] if c["ready"] is False),
        "agents_live": sum(len(g["agents"]["live"]) for g in gateways),
        "agents_declared": sum(len(g["agents"]["declared"]) for g in gateways),
        "drifting": [g["id"] for g in gateways if g["agents"]["missing"] or g["agents"]["extra"]],
        "pending_pairing": sum(len(g["pending_pairing"]) for g in gateways),
        "backups_stale": [g["id"] for g in gateways if g["backup"]["stale"]],
        "never_drilled": [g["id"] for g in gateways if not g["drill"]],
        "error_signatures": len(errors),
        "routing_problems": sum(1 for r in routes if r["status"] != "ok"),
    }
    return {"title": title, "org": fleet.org.org_slug,
            "generated": _iso(now), "summary": summary, "errors": errors, "gateways": gateways}


def _age(seconds):
    if seconds is None:
        return ""
    seconds = int(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return "%d %s" % (seconds // size, unit)
    return "%d s" % seconds


def _state_class(state):
    return {"running": "ok", "degraded": "warn"}.get(state, "bad")


def _gateway_html(g):
    esc, table = _html.esc, _html.table
    backup = g["backup"]
    drill = g["drill"]
    parts = [
        '<section class="gateway" id="gw-%s">' % esc(g["id"]),
        '<h2>%s <span class="%s" data-state="%s">%s</span></h2>' % (
            esc(g["id"]), _state_class(g["state"]), esc(g["state"]), esc(g["state"])),
        "<p>%s; groups %s; %s, trust %s, wave %s; version %s; up %s; ready: %s%s</p>" % (
            esc(g["provider"]), esc(", ".join(g["groups"]) or "-"), esc(g["profile"]), esc(g["trust_level"]),
            esc(g["wave"]), esc(g["version"] or "?"),
            esc(_age(g["uptime_s"]) or "?"), "yes" if g["ready"] else "no",
            ("; failing: " + esc(", ".join(g["failing"]))) if g["failing"] else ""),
        '<p class="bad">Not asked: %s</p>' % esc(g["error"]) if g["error"] else "",
        "<h3>Channels</h3>",
        table(["channel", "ready"], [[c["channel"], {True: "yes", False: "NOT READY", None: "unknown"}[c["ready"]]]
                                     for c in g["channels"]],
              "no channel enabled", ["" if c["ready"] else "bad" for c in g["channels"]]),
        "<h3>Agents</h3>",
        table(["declared", "live", "missing", "extra"], [[", ".join(g["agents"][k]) or "-" for k in (
            "declared", "live", "missing", "extra")]]),
        "<h3>Routing (account to agent)</h3>",
        table(["channel", "account", "peer", "agent", "status"],
              [[r["channel"], r["account"], r["peer"], r["agent"], r["status"]] for r in g["routes"]],
              "no routes", ["" if r["status"] == "ok" else "bad" for r in g["routes"]]),
        "<h3>Pending pairing requests</h3>",
        table(["request", "device", "name", "platform", "role", "waiting"],
              [[p["request"], p["device"], p["name"], p["platform"], p["role"], _age(p["age_s"])]
               for p in g["pending_pairing"]], "none pending"),
        "<h3>Backup and drill</h3>",
        table(["", "when", "what"], [
            ["last backup", backup.get("time") or "never",
             ("%s (%s old, %d archive%s)" % (
                 backup["last"], _age(backup["age_s"]), backup["count"], "" if backup["count"] == 1 else "s"))
             if backup["last"] else "no archive"],
            ["last drill", (drill or {}).get("time") or "never",
             ("passed" if drill["ok"] else "FAILED") + (", RTO %s s" % drill["rto_s"] if drill.get("rto_s") is not None else "")
             if drill else "no drill recorded"]],
            classes=["bad" if backup["stale"] else "", "bad" if not drill or not drill["ok"] else ""]),
        "<h3>Recent errors</h3>",
        table(["count", "first seen", "last seen", "signature"],
              [[e["count"], e["first_seen"], e["last_seen"], e["signature"]] for e in g["errors"]], "none"),
    ]
    if g["policy"] is not None:
        parts += ["<h3>Effective policy</h3>",
                  "<p class=\"note\">chain: %s</p>" % esc(" > ".join(g["policy"]["chain"])),
                  table(["domain", "allowed"], [[d, ", ".join(items) or "(none)"]
                                                for d, items in sorted(g["policy"]["allowed"].items())]
                        + [["tools.deny", ", ".join(g["policy"]["tools_deny"]) or "(none)"]])]
    parts += ["<details><summary>Effective config with provenance (%d values)</summary>" % len(g["config"]),
              table(["path", "value", "layer", "from"],
                    [[r["path"], r["value"], r["layer"], r["from"]] for r in g["config"]]),
              "</details>", "</section>"]
    return "\n".join(parts)


def render_html(data):
    """One self-contained page (nothing loaded, no executable script); every value escaped."""
    s = data["summary"]
    states = ", ".join("%s %d" % item for item in sorted(s["states"].items())) or "none"
    parts = [
        "<h1>%s: %s</h1>" % (_html.esc(data["title"]), _html.esc(data["org"] or "fleet")),
        "<p>Generated %s (UTC). Gateways: %s.</p>" % (_html.esc(data["generated"]), _html.esc(states)),
        _html.cards([("gateways", s["gateways"]), ("ready", "%d/%d" % (s["ready"], s["gateways"])),
                     ("channels failing", s["channels_failing"]),
                     ("agents live", "%d/%d" % (s["agents_live"], s["agents_declared"])),
                     ("pending pairing", s["pending_pairing"]), ("stale backups", len(s["backups_stale"])),
                     ("never drilled", len(s["never_drilled"])), ("error signatures", s["error_signatures"])]),
        _html.table(["gateway", "state", "version", "up", "ready", "channels", "agents", "last backup", "errors"], [
            [g["id"], g["state"], g["version"] or "?", _age(g["uptime_s"]), "yes" if g["ready"] else "no",
             "%d/%d ready" % (sum(1 for c in g["channels"] if c["ready"]), len(g["channels"]))
             if all(c["ready"] is not None for c in g["channels"]) else "unknown",
             "%d/%d" % (len(g["agents"]["live"]), len(g["agents"]["declared"])),
             g["backup"].get("time") or "never", sum(e["count"] for e in g["errors"])]
            for g in data["gateways"]], "no gateway reached",
            [_state_class(g["state"]) if g["state"] != "running" else "" for g in data["gateways"]]),
        "<h2>Recent errors across the fleet</h2>",
        _html.table(["count", "gateways", "first seen", "last seen", "signature"], [
            [e["count"], ", ".join("%s (%d)" % (c["gateway"], c["count"]) for c in e["gateways"]),
             e["first_seen"], e["last_seen"], e["signature"]] for e in data["errors"]], "none"),
    ]
    parts += [_gateway_html(g) for g in data["gateways"]]
    return _html.page("%s %s" % (data["title"], data["org"]), parts, data)
