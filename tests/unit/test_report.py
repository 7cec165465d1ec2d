# -*- coding: utf-8 -*-
"""The fleet report (pure): what each gateway's answers become over the demo fleet's plans,
policy and routing; escaping, redaction, channels that cannot be known. The page in a real
browser over real gateways: tests/integration/test_day2.py."""

from __future__ import annotations

import json

from ansible_collections.clawops.orchestrator.plugins.module_utils import _report
from ansible_collections.clawops.orchestrator.plugins.module_utils._html import page_data
from ansible_collections.clawops.orchestrator.plugins.module_utils._preflight import run_preflight
from conftest import EXAMPLE_FLEET

NOW = 1796533263.0
SECRET = "sk-ant-api03-" + "Q" * 40


def _entries():
    return {
        "gw-people": {
            "status": {"state": "running", "version": "2026.9.6", "uptime_s": 3600, "ready": False,
                       "failing": ["telegram"],
                       "agents": {"agents_declared": ["alice", "bob"], "agents_live": ["alice", "ghost"],
                                  "agents_missing": ["bob"], "agents_extra": ["ghost"]},
                       "last_errors": ["2026-12-06T01:50:00.000+00:00 [gateway] provider said 401 for key %s"
                                       % SECRET]},
            "devices": {"pending": [{"requestId": "abcdef1234567890", "deviceId": "dev1",
                                     "displayName": "<script>alert(1)</script>", "platform": "ios",
                                     "role": "operator", "createdAtMs": (NOW - 7200) * 1000}]},
            "archives": [{"name": "a", "time": NOW - 3600}, {"name": "b", "time": NOW - 90000}],
            "drill": {"time": NOW - 86400, "ok": True, "rto_s": 75.5, "rpo_s": 3600}},
        "gw-support": {"status": {"state": "stopped", "ready": False, "failing": []}},
    }


def test_the_report_of_the_demo_fleet():
    data = _report.build(run_preflight(EXAMPLE_FLEET), _entries(), now=NOW)
    people, support = data["gateways"]
    assert [people["id"], support["id"]] == ["gw-people", "gw-support"]
    assert data["org"] == "acme" and data["generated"] == "2026-12-06T05:01:03Z"
    assert {c["channel"]: c["ready"] for c in people["channels"]} == {"slack": True, "telegram": False}
    # a stopped gateway gave no authenticated readiness answer: its channels are unknown
    assert support["channels"] and all(c["ready"] is None for c in support["channels"])
    assert people["agents"] == {"declared": ["alice", "bob"], "live": ["alice", "ghost"],
                                "missing": ["bob"], "extra": ["ghost"]}
    assert {(r["channel"], r["account"], r["agent"]) for r in people["routes"]} >= {
        ("telegram", "alice-tg", "alice"), ("slack", "alice-slack", "alice"), ("telegram", "bob-tg", "bob")}
    assert people["backup"] == {"count": 2, "last": "a", "time": "2026-12-06T04:01:03Z", "age_s": 3600,
                                "stale": False}
    assert support["backup"]["stale"] and support["backup"]["last"] is None
    assert people["drill"]["ok"] and support["drill"] is None
    assert people["pending_pairing"][0]["age_s"] == 7200
    assert people["policy"]["chain"][0] == "org" and "anthropic" in people["policy"]["allowed"]["providers"]
    assert any(row["path"] == "gateway.port" and row["from"] for row in people["config"])
    summary = data["summary"]
    assert summary["states"] == {"running": 1, "stopped": 1}
    assert summary["channels_failing"] == 1 and summary["drifting"] == ["gw-people"]
    assert summary["backups_stale"] == ["gw-support"] and summary["never_drilled"] == ["gw-support"]
    assert summary["pending_pairing"] == 1 and summary["error_signatures"] == 1


def test_the_page_is_escaped_self_contained_and_carries_its_data():
    data = _report.build(run_preflight(EXAMPLE_FLEET), _entries(), now=NOW)
    page = _report.render_html(data)
    assert SECRET not in page and SECRET not in json.dumps(data)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page_data(page) == json.loads(json.dumps(data))
    assert "<link" not in page and "src=" not in page and "http://" not in page.split("<style>")[0]
    assert page.count('<section class="gateway"') == 2
    assert "NOT READY" in page and "unknown" in page
