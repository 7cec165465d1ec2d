# -*- coding: utf-8 -*-
"""Hot-apply or restart: the gateway's reload rules as a table in the core."""

from __future__ import annotations

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._reload import (
    changed_paths, kind_of, plan)


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
