# -*- coding: utf-8 -*-
"""Hot-apply or restart: the gateway's reload rules as a table in the core."""

from __future__ import annotations

import json

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._reload import (
    changed_paths, kind_of, log_messages, outcome, plan, reload_mode, restart_fingerprint,
    restart_projection)


@pytest.mark.parametrize("path,kind", [
    ("agents.entries.alice.skills", "hot"),
    ("agents.entries.alice.decisionModel", "hot"),
    ("agents.defaults.modelPolicy.allow", "hot"),
    ("bindings", "none"),
    ("channels.slack.accounts.alice-slack.enabled", "hot"),
    ("plugins.entries.slack.enabled", "hot"),
    ("tools.deny", "hot"),
    ("skills.allowBundled", "none"),
    ("logging.level", "none"),
    ("gateway.port", "restart"),
    ("gateway.bind", "restart"),
    ("gateway.auth.mode", "restart"),
    ("gateway.nodes.pairing.autoApproveLocal", "hot"),
    ("gateway.reload.mode", "none"),
    ("secrets.egressProxy.url", "restart"),
    ("secrets.providers.x", "none"),
    ("mcp.apps.listener", "restart"),
    ("mcp.apps.sandboxOrigin", "hot"),
    ("models.providers.openai.agentRuntime.id", "hot"),
    ("somethingNew.key", "restart"),
])
def test_kind_of(path, kind):
    assert kind_of(path)[0] == kind


def test_longest_prefix_wins_and_wildcards_lose_ties():
    assert kind_of("gateway.controlUi.allowedOrigins")[1] == "gateway.controlUi.allowedOrigins"
    assert kind_of("gateway.controlUi.basePath") == ("restart", "gateway")
    assert kind_of("agents.entries.bob.decisionModel.primary")[1] == \
        "agents.entries.*.decisionModel"


def test_changed_paths_like_the_gateway():
    prev = {"agents": {"entries": {"a": {"skills": ["x"]}}}, "gateway": {"port": 1},
            "bindings": [{"agentId": "a"}]}
    new = {"agents": {"entries": {"a": {"skills": ["x", "y"]}, "b": {"name": "B"}}},
           "gateway": {"port": 1}, "bindings": [{"agentId": "a"}, {"agentId": "b"}]}
    assert changed_paths(prev, new) == ["agents.entries.a.skills", "agents.entries.b",
                                        "bindings"]
    assert changed_paths(prev, prev) == []


def test_plan_decides_and_names_the_paths():
    base = {"agents": {"entries": {"a": {}}}, "gateway": {"port": 1, "bind": "lan"}}
    add = {"agents": {"entries": {"a": {}, "b": {}}}, "gateway": {"port": 1, "bind": "lan"}}
    assert plan(base, base) == {"action": "none", "paths": [], "restart_paths": []}
    hot = plan(base, add)
    assert hot["action"] == "hot" and hot["restart_paths"] == []
    assert hot["paths"] == [{"path": "agents.entries.b", "kind": "hot",
                             "rule": "agents.entries"}]
    both = dict(add, gateway={"port": 2, "bind": "lan"})
    restart = plan(base, both)
    assert restart["action"] == "restart" and restart["restart_paths"] == ["gateway.port"]


BASE = {"gateway": {"port": 19100, "bind": "lan", "reload": {"mode": "hybrid"}},
        "agents": {"entries": {"a": {"name": "A"}}}, "bindings": [],
        "logging": {"level": "info"}, "discovery": {"wideArea": {"enabled": False}}}


def changed(**parts):
    new = json.loads(json.dumps(BASE))
    for dotted, value in parts.items():
        node = new
        keys = dotted.split("__")
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
    return new


def test_the_restart_projection_keeps_only_restart_paths():
    projected = restart_projection(BASE)
    assert projected == {"gateway": {"port": 19100, "bind": "lan"},
                         "discovery": {"wideArea": {"enabled": False}}}


@pytest.mark.parametrize("parts,same", [
    ({"agents__entries__b": {"name": "B"}}, True),      # agents: hot
    ({"logging__level": "debug"}, True),                 # none
    ({"bindings": [{"agentId": "a"}]}, True),
    ({"gateway__nodes": {"pairing": {"autoApproveLocal": False}}}, True),
    ({"gateway__port": 19101}, False),                   # restart
    ({"gateway__controlUi": {"basePath": "/ui"}}, False),  # gateway.* without a rule
    ({"discovery__wideArea__enabled": True}, False),
    ({"unknownTopLevel": 1}, False),                     # no rule: restart
])
def test_the_fingerprint_changes_exactly_for_restart_paths(parts, same):
    new = changed(**parts)
    assert (restart_fingerprint(new) == restart_fingerprint(BASE)) is same
    assert (plan(BASE, new)["action"] == "hot") is same


def test_reload_off_makes_every_change_a_restart():
    off = changed(gateway__reload={"mode": "off"})
    assert reload_mode(off) == "off" and reload_mode({}) == "hybrid"
    assert plan(BASE, off)["action"] == "restart"
    later = json.loads(json.dumps(off))
    later["logging"]["level"] = "debug"
    assert plan(off, later)["action"] == "restart"
    assert plan(off, later)["paths"][0]["rule"] == "gateway.reload.mode=off"
    assert restart_fingerprint(later) != restart_fingerprint(off)


def _log(*messages):
    return "\n".join(json.dumps({"0": '{"subsystem":"gateway/reload"}', "1": m, "message": m})
                     for m in messages) + "\nnot json\n{broken\n"


@pytest.mark.parametrize("messages,verdict", [
    (("config change detected; evaluating reload (agents.entries.b)",
      "config hot reload applied (agents.entries.b)"), "applied"),
    (("config change detected; evaluating reload (logging.level)",
      "config change applied (dynamic reads: logging.level)"), "applied"),
    (("config reload skipped (invalid config): logging.level: Invalid option",), "refused"),
    (("config reload disabled (gateway.reload.mode=off)",), "refused"),
    (("config change detected; evaluating reload (agents.entries.b)",), None),
    (("[gateway] something else",), None),
])
def test_the_gateway_log_gives_the_verdict(messages, verdict):
    found, said = outcome(log_messages(_log(*messages)))
    assert found == verdict
    assert said == ([m for m in messages if m.startswith("config")] or [""])[-1 if not found else 0] \
        or found and said in messages


def test_a_quiet_log_level_hides_the_verdict():
    from ansible_collections.clawops.orchestrator.plugins.module_utils._reload import (
        verdict_logged)
    assert verdict_logged({}) and verdict_logged({"logging": {"level": "debug"}})
    assert not verdict_logged({"logging": {"level": "warn"}})
