# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Gateway status: classify what a container and its probes say, compare live vs declared.

Pure functions; the gateway_status module does the I/O (docker inspect/stats/exec/logs and
HTTP probes) and hands the raw answers here.
"""

from __future__ import annotations

import re

from . import _redact

STATES = ("running", "degraded", "stopped", "failed", "absent")
_UNITS = {"b": 1, "kib": 1024, "kb": 1000, "mib": 1024 ** 2, "mb": 1000 ** 2,
          "gib": 1024 ** 3, "gb": 1000 ** 3, "tib": 1024 ** 4, "tb": 1000 ** 4}


def parse_size(text):
    """'885.8MiB' -> bytes (int), None when unknown."""
    found = re.match(r"^\s*([0-9.]+)\s*([A-Za-z]+)\s*$", text or "")
    if not found or found.group(2).lower() not in _UNITS:
        return None
    return int(float(found.group(1)) * _UNITS[found.group(2).lower()])


def classify(container, ready):
    """One of STATES from `docker inspect` State (or None) and the /readyz answer (or None).

    running: container up and /readyz {"ready": true}; degraded: up but not ready or not
    answering; stopped: exited 0 and not restarting; failed: restarting, OOM-killed or
    exited non-zero; absent: no container.
    """
    if container is None:
        return "absent"
    if container.get("Restarting") or container.get("OOMKilled"):
        return "failed"
    if not container.get("Running"):
        return "stopped" if container.get("ExitCode", 0) == 0 else "failed"
    if isinstance(ready, dict) and ready.get("ready") is True:
        return "running"
    return "degraded"


def binding_label(binding):
    """The text OpenClaw's `agents list --bindings` shows for one route."""
    match = binding.get("match", {})
    label = match.get("channel", "?")
    if match.get("accountId") is not None:
        label += " accountId=%s" % match["accountId"]
    if match.get("peer"):
        label += " peer=%s:%s" % (match["peer"].get("kind"), match["peer"].get("id"))
    return label


def compare(declared_agents, declared_bindings, live_agents):
    """Declared vs live agents and bindings (live: `openclaw agents list --json --bindings`)."""
    live_agents = live_agents if isinstance(live_agents, list) else []
    live_ids = sorted(a.get("id") for a in live_agents if isinstance(a, dict))
    declared_ids = sorted(declared_agents or [])
    declared = sorted("%s: %s" % (b.get("agentId"), binding_label(b))
                      for b in declared_bindings or [])
    live = sorted("%s: %s" % (a.get("id"), detail) for a in live_agents if isinstance(a, dict)
                  for detail in a.get("bindingDetails") or [])
    return {
        "agents_live": live_ids, "agents_declared": declared_ids,
        "agents_missing": sorted(set(declared_ids) - set(live_ids)),
        "agents_extra": sorted(set(live_ids) - set(declared_ids)),
        "bindings_live": live, "bindings_declared": declared,
        "bindings_missing": sorted(set(declared) - set(live)),
        "bindings_extra": sorted(set(live) - set(declared)),
        "drift": bool(set(declared_ids) ^ set(live_ids) or set(declared) ^ set(live)),
    }


def error_lines(lines, limit):
    """The last ``limit`` log lines that look like problems (error/fail/fatal/warn)."""
    hits = [line for line in lines if re.search(r"(?i)\b(error|fail(ed|ure)?|fatal|warn)", line)]
    return hits[-limit:]


# -- Recent errors across the fleet, grouped by signature ----------------------------------
_LINE = re.compile(r"^(?P<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)"
                   r"\s+(?:\[(?P<subsystem>[^\]]+)\]\s+)?(?P<message>.*)$")
_VARIABLE = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I), "<id>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?"), "<time>"),
    (re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b"), "<address>"),
    (re.compile(r"\b[0-9a-f]{12,}\b", re.I), "<hex>"),
    (re.compile(r"\"[^\"]{0,200}\"|'[^']{0,200}'"), "<text>"),
    (re.compile(r"\b\d+(?:\.\d+)?(?:ms|s|m|h|b|kb|mb|gb)?\b", re.I), "<n>"),
]


def parse_log_line(line):
    """(time or None, subsystem or None, message) of one gateway log line
    (``2026-12-06T01:54:45.696+00:00 [gateway] remote model catalog refresh failed``)."""
    found = _LINE.match(line.strip())
    if not found:
        return None, None, line.strip()
    return found.group("time"), found.group("subsystem"), found.group("message").strip()


def error_signature(message):
    """A message with what varies between occurrences (ids, times, addresses, numbers,
    quoted values) replaced, so that one problem on many gateways is one signature."""
    for pattern, replacement in _VARIABLE:
        message = pattern.sub(replacement, message)
    return re.sub(r"\s+", " ", message).strip()[:300]


def error_summary(statuses):
    """Recent problem lines of every gateway (``statuses``: [{gateway, last_errors}]) grouped
    by signature, the most frequent first: signature, subsystem, count, gateways (with their
    counts), first and last seen, one example line."""
    groups = {}
    for status in statuses or []:
        gateway = status.get("gateway")
        for line in status.get("last_errors") or []:
            when, subsystem, message = parse_log_line(line)
            key = (subsystem or "", _redact.redact(error_signature(message)))
            group = groups.setdefault(key, {
                "signature": key[1], "subsystem": subsystem, "count": 0, "gateways": {},
                "first_seen": when, "last_seen": when,
                "example": _redact.redact(line.strip()[:500])})
            group["count"] += 1
            group["gateways"][gateway] = group["gateways"].get(gateway, 0) + 1
            if when:
                group["first_seen"] = min(filter(None, (group["first_seen"], when)))
                group["last_seen"] = max(filter(None, (group["last_seen"], when)))
    found = sorted(groups.values(), key=lambda g: (-g["count"], g["signature"]))
    for group in found:
        group["gateways"] = [{"gateway": gw, "count": n}
                             for gw, n in sorted(group["gateways"].items())]
    return found


# the alert rules' names and severities (roles/observability/files/clawops.rules.yml), for
# sites without Prometheus: status.yml posts the same conditions to a webhook
def alert_conditions(statuses, gateways=None):
    """The conditions the alert rules watch, from one status run: [{status, labels,
    annotations}] in Alertmanager's webhook shape. ``gateways``: {id: labels} to add."""
    alerts = []

    def fire(name, severity, gateway, summary, **extra):
        labels = dict((gateways or {}).get(gateway) or {}, alertname=name, severity=severity,
                      gateway=gateway, **extra)
        alerts.append({"status": "firing", "labels": labels, "annotations": {"summary": summary}})

    for status in statuses or []:
        gw, state = status.get("gateway"), status.get("state")
        if state in ("stopped", "failed", "absent"):
            fire("ClawopsGatewayDown", "critical", gw, "Gateway %s does not answer (%s)" % (gw, state))
            continue
        if state == "degraded":
            fire("ClawopsGatewayNotReady", "warning", gw, "Gateway %s is up but not ready" % gw)
        for component in sorted(set(status.get("failing") or [])):
            fire("ClawopsComponentFailing", "warning", gw, "%s fails on %s" % (component, gw),
                 component=str(component))
        agents = status.get("agents") or {}
        drift = len(agents.get("agents_missing") or []) + len(agents.get("agents_extra") or [])
        if drift:
            fire("ClawopsAgentDrift", "warning", gw, "Agents of %s differ from the fleet (%d)" % (gw, drift))
    return alerts
