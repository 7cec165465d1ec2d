# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compliance report of a period (a quarter, or any start/end) from the audit trail.

Pure Python: it takes the trail's verdict and its events (module fleet_compliance reads and
verifies the file) and returns the report as data (``build``) and as one self-contained,
escaped HTML page (``render_html``). It counts what the trail holds - changes by actor and
kind, refusals and failures, rotations, pairing decisions, backups and restores with their
success rates, rollbacks, drills - and says so where the trail records nothing of a kind,
instead of reporting a zero that means "not recorded". Events carry no secret (the writer
redacts them); the report copies no details but the few named here.
"""

from __future__ import annotations

import datetime
import html
import re

from . import _html
from ._clock import utc_text

_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CHANGE_ACTIONS = ("deploy", "update", "rollback", "restore", "agent", "pairing", "rotate",
                  "lifecycle", "remove")
# actions this version of the collection never records (the report says so)
NOT_RECORDED = {"preflight": "preflight refusals are not written to the trail: a refused run "
                             "changes nothing (its output names the findings)"}


class ComplianceError(ValueError):
    """A period that is not one."""


def period(quarter=None, start=None, end=None):
    """(start, end, label) of the report: a quarter ``2026Q4`` / ``2026-Q4``, or ``start``
    and ``end`` dates (YYYY-MM-DD, end inclusive). Times are UTC."""
    if quarter:
        found = _QUARTER.match(str(quarter).strip())
        if not found:
            raise ComplianceError("quarter %r is not a quarter: write it like 2026Q4" % quarter)
        year, number = int(found.group(1)), int(found.group(2))
        first = datetime.datetime(year, 3 * number - 2, 1, tzinfo=datetime.timezone.utc)
        following = (datetime.datetime(year + 1, 1, 1, tzinfo=datetime.timezone.utc)
                     if number == 4 else
                     datetime.datetime(year, 3 * number + 1, 1, tzinfo=datetime.timezone.utc))
        return first, following, "%dQ%d" % (year, number)
    if not (start and end):
        raise ComplianceError("give a quarter (2026Q4) or both start and end (YYYY-MM-DD)")
    bounds = []
    for name, text in (("start", start), ("end", end)):
        if not _DATE.match(str(text)):
            raise ComplianceError("%s %r is not a date like 2026-10-01" % (name, text))
        bounds.append(datetime.datetime.strptime(str(text), "%Y-%m-%d").replace(
            tzinfo=datetime.timezone.utc))
    if bounds[1] < bounds[0]:
        raise ComplianceError("end %s is before start %s" % (end, start))
    return bounds[0], bounds[1] + datetime.timedelta(days=1), "%s..%s" % (start, end)


def _when(event):
    try:
        return datetime.datetime.strptime(str(event.get("time")), "%Y-%m-%dT%H:%M:%S.%fZ") \
            .replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return None


def _rate(ok, total):
    return None if not total else round(100.0 * ok / total, 1)


def _gateway(target):
    parts = str(target or "").split("/")
    return parts[1] if len(parts) > 1 else parts[0]


def build(events, start, end, label, trail, org="", now=None):
    """The report of ``events`` (the trail's, oldest first) whose time is in [start, end).

    ``trail``: the verification of the whole file ({intact, message, path, count})."""
    inside = [e for e in events if _when(e) is not None and start <= _when(e) < end]
    by_actor, by_action, by_result = {}, {}, {}
    failures, refusals = [], []
    for event in inside:
        actor, action, result = (str(event.get("actor") or "?"), str(event.get("action") or "?"),
                                 str(event.get("result") or "?"))
        by_actor.setdefault(actor, {}).setdefault(action, 0)
        by_actor[actor][action] += 1
        by_action.setdefault(action, {}).setdefault(result, 0)
        by_action[action][result] += 1
        by_result[result] = by_result.get(result, 0) + 1
        row = {"time": event.get("time"), "actor": actor, "action": action,
               "target": event.get("target"), "result": result}
        if result in ("failed", "rolled_back"):
            failures.append(row)
        elif result in ("refused", "denied", "blocked"):
            refusals.append(row)

    def counted(action):
        results = by_action.get(action, {})
        total = sum(results.values())
        return {"total": total, "ok": results.get("ok", 0),
                "failed": total - results.get("ok", 0),
                "success_rate": _rate(results.get("ok", 0), total)}

    pairing = [{"time": e.get("time"), "actor": e.get("actor"), "gateway": _gateway(
        e.get("target")), "decision": (e.get("details") or {}).get("action", "?"),
        "result": e.get("result")} for e in inside if e.get("action") == "pairing"
        and (e.get("details") or {}).get("action") not in (None, "list")]
    rotations = [{"time": e.get("time"), "actor": e.get("actor"), "target": e.get("target"),
                  "references": len((e.get("details") or {}).get("rotated") or [])}
                 for e in inside if e.get("action") == "rotate"]
    backups = [e for e in inside if e.get("action") == "backup"]
    last_backup = {}
    for event in backups:
        if event.get("result") == "ok":
            last_backup[_gateway(event.get("target"))] = event.get("time")
    return {
        "org": org,
        "period": {"label": label, "start": utc_text(start), "end": utc_text(end)},
        "generated": utc_text(now),
        "trail": dict(trail),
        "events": len(inside),
        "changes": sum(n for action, results in by_action.items()
                       if action in CHANGE_ACTIONS for n in results.values()),
        "by_actor": {actor: dict(sorted(kinds.items())) for actor, kinds in
                     sorted(by_actor.items())},
        "by_action": {action: dict(sorted(results.items())) for action, results in
                      sorted(by_action.items())},
        "by_result": dict(sorted(by_result.items())),
        "failures": failures,
        "refusals": refusals,
        "rotations": rotations,
        "pairing_decisions": pairing,
        "backups": dict(counted("backup"), last_by_gateway=dict(sorted(last_backup.items()))),
        "restores": counted("restore"),
        "rollbacks": counted("rollback"),
        "drills": dict(counted("drill"), note="restore drills of Compose gateways (playbooks/drill.yml); "
                                              "Kubernetes gateways' drills are not built yet"),
        "preflight_blocks": {"total": by_action.get("preflight", {}).get("blocked", 0),
                             "note": NOT_RECORDED["preflight"]},
    }


def _table(headers, rows, empty="none in this period"):
    return _html.table(headers, rows, empty)


def _rate_text(part):
    return "no %s recorded" % part if part is None else "%s%%" % part


def render_html(report):
    """One self-contained page (nothing it loads, no executable script: the data rides along
    as JSON); every value escaped."""
    trail = report["trail"]
    actions = sorted({a for kinds in report["by_actor"].values() for a in kinds})
    cards = [("events", report["events"]), ("changes", report["changes"]),
             ("failures", len(report["failures"])), ("refusals", len(report["refusals"])),
             ("backups ok", "%d/%d" % (report["backups"]["ok"], report["backups"]["total"])),
             ("restores ok", "%d/%d" % (report["restores"]["ok"], report["restores"]["total"]))]
    parts = [
        "<h1>Compliance report: %s, %s</h1>" % (html.escape(report["org"] or "fleet"),
                                                html.escape(report["period"]["label"])),
        "<p>From %s to %s (UTC, end excluded); generated %s.</p>" % (
            html.escape(report["period"]["start"]), html.escape(report["period"]["end"]),
            html.escape(report["generated"])),
        '<p id="trail" class="%s">Audit trail %s: %s (%d events in the file).</p>' % (
            "ok" if trail.get("intact") else "bad", html.escape(str(trail.get("path", ""))),
            html.escape(str(trail.get("message", ""))), int(trail.get("count", 0))),
        _html.cards(cards),
        "<h2>Changes by actor and kind</h2>",
        _table(["actor"] + actions, [[actor] + [kinds.get(a, 0) for a in actions]
                                     for actor, kinds in report["by_actor"].items()]),
        "<h2>Results by kind</h2>",
        _table(["kind", "results"], [[action, ", ".join("%s %d" % item for item in results.items())]
                                     for action, results in report["by_action"].items()]),
        "<h2>Failures and rollbacks</h2>",
        _table(["time", "actor", "kind", "target", "result"],
               [[r["time"], r["actor"], r["action"], r["target"], r["result"]]
                for r in report["failures"]]),
        "<h2>Refusals</h2>",
        _table(["time", "actor", "kind", "target", "result"],
               [[r["time"], r["actor"], r["action"], r["target"], r["result"]]
                for r in report["refusals"]]),
        '<p class="note">Preflight blocks: %s</p>' % html.escape(
            report["preflight_blocks"]["note"]),
        "<h2>Secret rotations</h2>",
        _table(["time", "actor", "gateways", "references rotated"],
               [[r["time"], r["actor"], r["target"], r["references"]]
                for r in report["rotations"]]),
        "<h2>Pairing decisions</h2>",
        _table(["time", "actor", "gateway", "decision", "result"],
               [[r["time"], r["actor"], r["gateway"], r["decision"], r["result"]]
                for r in report["pairing_decisions"]]),
        "<h2>Backups and restores</h2>",
        _table(["kind", "total", "ok", "failed", "success rate"], [
            [kind, report[key]["total"], report[key]["ok"], report[key]["failed"],
             _rate_text(report[key]["success_rate"])]
            for kind, key in (("backups", "backups"), ("restores", "restores"),
                              ("rollbacks", "rollbacks"), ("drills", "drills"))]),
        _table(["gateway", "last good backup"], list(
            report["backups"]["last_by_gateway"].items()), "no backup in this period"),
        '<p class="note">Drills: %s</p>' % html.escape(report["drills"]["note"]),
    ]
    return _html.page("Compliance report %s %s" % (report["org"], report["period"]["label"]), parts, report)
