# -*- coding: utf-8 -*-
"""Three-way drift (issue 21, item 3): fleet vs persisted file vs running gateway."""

from __future__ import annotations

from ansible_collections.clawops.orchestrator.plugins.module_utils import _drift

DECLARED = {"gateway": {"port": 18789, "auth": {"mode": "token"}},
            "agents": {"entries": {"helper": {"workspace": "/w/helper"}}},
            "logging": {"file": "/l/openclaw.log"}}
APPLIED = {"valid": True, "configRevisionHash": "r1", "appliedConfigHash": "r1",
           "runtimeConfig": dict(DECLARED, session={"dmScope": "main"})}


def test_in_sync():
    found = _drift.report(DECLARED, DECLARED, APPLIED, ["helper"], ["helper"])
    assert found["drift"] is False
    assert found["summary"] == ["in sync: fleet, file and running gateway agree"]


def test_a_file_edited_on_the_host():
    persisted = {**DECLARED, "logging": {"file": "/l/openclaw.log", "level": "debug"}}
    runtime = dict(APPLIED, runtimeConfig=persisted)
    found = _drift.report(DECLARED, persisted, runtime, ["helper"], ["helper"])
    assert found["drift"] is True
    assert found["declared_vs_persisted"] == [
        {"path": "logging.level", "declared": "(absent)", "persisted": "debug"}]
    assert found["persisted_vs_runtime"] == []  # the gateway took it


def test_a_file_the_gateway_did_not_apply():
    persisted = {**DECLARED, "gateway": {"port": 18790, "auth": {"mode": "token"}}}
    runtime = dict(APPLIED, configRevisionHash="r2")
    found = _drift.report(DECLARED, persisted, runtime, ["helper"], ["helper"])
    assert found["runtime"]["applied"] is False
    assert [d["path"] for d in found["persisted_vs_runtime"]] == ["gateway.port"]
    assert any("has not applied" in line for line in found["summary"])


def test_agents_and_a_missing_file():
    found = _drift.report(DECLARED, None, None, ["helper", "scout"], ["helper", "rogue"])
    assert found["declared_vs_persisted"][0]["persisted"] == "(absent)"
    assert found["agents"]["missing"] == ["scout"] and found["agents"]["extra"] == ["rogue"]
    assert found["runtime"] is None


def test_values_are_redacted_and_openclaw_redactions_are_not_drift():
    persisted = {**DECLARED, "channels": {"slack": {"botToken": "xoxb-1234567890-abcdefghij"}}}
    runtime = dict(APPLIED, runtimeConfig={**persisted, "channels": {"slack": {
        "botToken": "__OPENCLAW_REDACTED__"}}})
    found = _drift.report(DECLARED, persisted, runtime, [], None)
    (diff,) = found["declared_vs_persisted"]
    assert "xoxb" not in str(found) and diff["path"] == "channels.slack.botToken"
    assert found["persisted_vs_runtime"] == []
