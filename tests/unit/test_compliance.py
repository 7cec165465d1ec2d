# -*- coding: utf-8 -*-
"""The compliance report of a period from an audit trail (issue 18, item 9): the pure core,
over a trail written by the real writer (module_utils/_events.append)."""

from __future__ import annotations

import datetime
import json

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils import _events
from ansible_collections.clawops.orchestrator.plugins.module_utils._compliance import (
    ComplianceError, build, period, render_html)
from ansible_collections.clawops.orchestrator.plugins.module_utils._html import page_data

UTC = datetime.timezone.utc


def at(month, day, hour=12):
    return datetime.datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture()
def trail(tmp_path):
    path = str(tmp_path / "acme.jsonl")
    rows = [
        (at(9, 30), "alice", "deploy", "acme/gw-a", "ok", {}),  # before Q4
        (at(10, 1, 0), "alice", "deploy", "acme/gw-a", "ok", {}),
        (at(10, 2), "bob", "update", "acme/gw-a", "rolled_back", {}),
        (at(10, 3), "bob", "agent", "acme/gw-a/helper", "ok", {}),
        (at(10, 4), "alice", "backup", "acme/gw-a", "ok", {"archive": "a.tar.gz"}),
        (at(10, 5), "alice", "backup", "acme/gw-b", "failed", {}),
        (at(11, 6), "carol", "rotate", "acme/gw-a,gw-b", "ok",
         {"rotated": ["vault:acme/slack", "file:/x"], "token": "xoxb-123456789012-secret"}),
        (at(11, 7), "<b>mallory</b>", "pairing", "acme/gw-a", "ok", {"action": "approve"}),
        (at(11, 8), "bob", "pairing", "acme/gw-a", "ok", {"action": "list"}),
        (at(12, 9), "alice", "restore", "acme/gw-a", "ok", {}),
        (at(12, 31, 23), "bob", "lifecycle", "acme/gw-b", "refused", {}),
        (at(1, 1) .replace(year=2027), "bob", "deploy", "acme/gw-a", "ok", {}),  # after
    ]
    for when, actor, action, target, result, details in rows:
        _events.append(path, actor, action, target, result, details, now=when)
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_a_quarter_and_a_range_are_periods():
    start, end, label = period("2026Q4")
    assert (start, end, label) == (at(10, 1, 0), datetime.datetime(2027, 1, 1, tzinfo=UTC),
                                   "2026Q4")
    assert period("2026-q1")[:2] == (datetime.datetime(2026, 1, 1, tzinfo=UTC),
                                     datetime.datetime(2026, 4, 1, tzinfo=UTC))
    start, end, label = period(start="2026-10-01", end="2026-10-31")
    assert end == datetime.datetime(2026, 11, 1, tzinfo=UTC) and label == "2026-10-01..2026-10-31"
    for bad, text in (({"quarter": "2026Q5"}, "write it like 2026Q4"),
                      ({"start": "2026-10-01"}, "give a quarter"),
                      ({"start": "1.10.2026", "end": "2026-10-31"}, "is not a date"),
                      ({"start": "2026-10-31", "end": "2026-10-01"}, "is before start")):
        with pytest.raises(ComplianceError) as caught:
            period(**bad)
        assert text in str(caught.value)


def test_the_report_counts_what_the_trail_holds_in_the_period(trail):
    start, end, label = period("2026Q4")
    verdict = {"intact": True, "message": "chain intact", "path": "acme.jsonl",
               "count": len(trail)}
    report = build(trail, start, end, label, verdict, org="acme", now=at(12, 31))
    assert report["events"] == 10  # not the one before, not the one after
    assert report["by_actor"]["alice"] == {"backup": 2, "deploy": 1, "restore": 1}
    assert report["by_actor"]["bob"] == {"agent": 1, "lifecycle": 1, "pairing": 1, "update": 1}
    assert report["changes"] == 8  # deploy, update, agent, rotate, 2 pairing, restore, lifecycle
    assert report["backups"]["total"] == 2 and report["backups"]["success_rate"] == 50.0
    assert report["backups"]["last_by_gateway"] == {"gw-a": "2026-10-04T12:00:00.000000Z"}
    assert report["restores"] == {"total": 1, "ok": 1, "failed": 0, "success_rate": 100.0}
    assert report["rollbacks"]["success_rate"] is None  # none: not "0 %"
    assert [f["result"] for f in report["failures"]] == ["rolled_back", "failed"]
    assert [r["action"] for r in report["refusals"]] == ["lifecycle"]
    assert report["rotations"] == [{"time": "2026-11-06T12:00:00.000000Z", "actor": "carol",
                                    "target": "acme/gw-a,gw-b", "references": 2}]
    # a list is no decision; an approval is
    assert [(p["actor"], p["decision"]) for p in report["pairing_decisions"]] == [
        ("<b>mallory</b>", "approve")]
    assert report["drills"]["total"] == 0 and report["drills"]["success_rate"] is None


def test_the_page_is_escaped_self_contained_and_carries_its_data(trail):
    start, end, label = period("2026Q4")
    verdict = {"intact": False, "message": "line 3 was changed", "path": "acme.jsonl",
               "count": 12}
    report = build(trail, start, end, label, verdict, org="acme")
    page = render_html(report)
    assert "<b>mallory</b>" not in page.split('id="report-data"', maxsplit=1)[0]
    assert "&lt;b&gt;mallory&lt;/b&gt;" in page
    assert 'class="bad">Audit trail acme.jsonl: line 3 was changed' in page
    assert "http://" not in page and "https://" not in page and "<link" not in page
    assert page_data(page) == json.loads(json.dumps(report))
    # the writer redacted the token; the report copies no details anyway
    assert "xoxb" not in page and "secret" not in json.dumps(report)
