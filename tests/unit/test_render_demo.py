# -*- coding: utf-8 -*-
"""The demo fleet: shape of each rendered openclaw.json, provenance of every key."""

from __future__ import annotations

import json

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
from ansible_collections.clawops.orchestrator.plugins.module_utils._render import render_fleet

from conftest import EXAMPLE_FLEET

LAYERS = ("builtin", "org", "gateway", "policy", "managed")


@pytest.fixture(scope="module")
def plans():
    return render_fleet(load_fleet(EXAMPLE_FLEET))


def test_demo_fleet_shape(plans):
    assert sorted(plans) == ["gw-people", "gw-research", "gw-support"]
    providers = sorted(p.summary["provider"] for p in plans.values())
    assert providers == ["compose", "compose", "k8s"]
    agents = [a for p in plans.values() for a in p.summary["agents"]]
    assert len(agents) >= 6
    kinds = {a["kind"] for p in plans.values() for a in p.runtime["agents"]}
    assert kinds == {"human", "usecase"}


def test_every_leaf_has_layer_and_file(plans):
    for gw_id, plan in plans.items():
        rows = plan.provenance()
        assert rows, gw_id
        for row in rows:
            assert row["layer"] and row["layer"] != "unknown", (gw_id, row)
            assert row["file"], (gw_id, row)
            assert row["layer"].split(":")[0] in LAYERS + ("group", "agent"), row


def _rows(plan):
    return {r["path"]: (r["layer"], r["file"], r["file_path"]) for r in plan.provenance()}


# Precedence as a table: (gateway, key path, expected value, layer, file, key path in file)
PRECEDENCE = [
    ("gw-people", "update.checkOnStart", False, "builtin", "(clawops)", "update.checkOnStart"),
    ("gw-people", "logging.level", "info", "org", "templates/partials/logging.json5",
     "logging.level"),
    ("gw-research", "logging.level", "warn", "gateway", "gateways/gw-research.yml",
     "config.overrides.logging.level"),
    ("gw-people", "agents.defaults.model.primary", "anthropic/claude-sonnet-4-5", "org",
     "templates/org.json5", "agents.defaults.model.primary"),
    ("gw-people", "agents.defaults.sandbox.mode", "all", "group:humans",
     "templates/partials/strict-sandbox.json5", "agents.defaults.sandbox.mode"),
    ("gw-support", "agents.defaults.sandbox.mode", "non-main", "group:usecases",
     "templates/usecase.json5", "agents.defaults.sandbox.mode"),
    ("gw-support", "agents.defaults.thinkingDefault", "low", "group:usecases",
     "groups/usecases.yml", "config.overrides.agents.defaults.thinkingDefault"),
    ("gw-people", "tools.deny[0]", "gateway", "org", "templates/partials/security.json5",
     "tools.deny"),
    ("gw-people", "tools.deny[1]", "cron", "group:humans", "templates/human.json5",
     "tools.deny.$append[0]"),
    ("gw-people", "agents.entries.bob.model.primary", "openai/gpt-5.1", "agent:bob",
     "gateways/gw-people.yml", "agents[1].model.primary"),
    ("gw-support", "agents.entries.support-triage.identity.name", "Support triage",
     "agent:support-triage", "templates/agent-support.json5", "identity.name"),
    ("gw-support", "agents.entries.docs-helper.identity.name", "Docs helper for Acme Robotics",
     "agent:docs-helper", "gateways/gw-support.yml", "agents[1].config.overrides.identity.name"),
    ("gw-people", "channels.telegram.accounts.alice-tg.name", "Alice (Telegram)", "gateway",
     "gateways/gw-people.yml", "channels.telegram.accounts.alice-tg.settings.name"),
    ("gw-people", "bindings[2].agentId", "bob", "gateway", "gateways/gw-people.yml",
     "bindings[2].agentId"),
    ("gw-people", "gateway.port", 19100, "managed", "gateways/gw-people.yml", "port"),
    ("gw-people", "gateway.auth.token.id", "OPENCLAW_GATEWAY_TOKEN", "managed", "fleet.yml",
     "defaults.auth"),
    ("gw-people", "agents.entries.alice.workspace", "/home/node/workspaces/alice", "managed",
     "gateways/gw-people.yml", "agents[0].workspace"),
]


@pytest.mark.parametrize("gw,path,value,layer,rel,file_path", PRECEDENCE,
                         ids=["%s:%s" % (c[0], c[1]) for c in PRECEDENCE])
def test_precedence_and_provenance(plans, gw, path, value, layer, rel, file_path):
    rows = {r["path"]: r for r in plans[gw].provenance()}
    row = rows[path]
    assert row["value"] == value
    assert (row["layer"], row["file"], row["file_path"]) == (layer, rel, file_path)


def test_openai_runs_on_the_builtin_runtime_where_it_is_allowed(plans):
    """Not the Codex harness: its plugin is not in the image and a start would wait on npm."""
    seen = set()
    for plan in plans.values():
        runtime = plan.config.get("models", {}).get("providers", {}).get("openai", {})
        if "openai" in plan.policy["providers"]:
            assert runtime["agentRuntime"] == {"id": "openclaw"}
            row = {r["path"]: r for r in plan.provenance()}[
                "models.providers.openai.agentRuntime.id"]
            assert row["layer"] == "policy"
            seen.add(True)
        else:
            assert "agentRuntime" not in runtime
            seen.add(False)
    assert True in seen


def test_no_secret_literal_in_rendered_configs(plans):
    for plan in plans.values():
        config = plan.config
        assert config["gateway"]["auth"]["token"] == {
            "source": "env", "provider": "default", "id": "OPENCLAW_GATEWAY_TOKEN"}
        for channel in config.get("channels", {}).values():
            for account in channel.get("accounts", {}).values():
                for key in ("botToken", "appToken"):
                    if key in account:
                        assert account[key]["source"] == "env"
                        assert account[key]["id"] in plan.runtime["secret_env"]


def test_runtime_spec_isolates_each_gateway(plans):
    compose = [p for p in plans.values() if p.runtime["provider"] == "compose"]
    roots = {p.runtime["host_paths"]["root"] for p in compose}
    assert len(roots) == len(compose)
    for plan in plans.values():
        rt = plan.runtime
        assert rt["env"]["OPENCLAW_STATE_DIR"] == rt["paths"]["state_dir"]
        assert rt["env"]["OPENCLAW_CONFIG_PATH"] == rt["paths"]["config_path"]
        assert rt["env"]["OPENCLAW_CONFIG_READONLY"] == "1"
        assert rt["image"]["ref"] == "localhost/clawops/openclaw:2026.9.6"
        assert plan.config["logging"]["file"] == rt["paths"]["log_file"]
        assert rt["publish_address"] == "127.0.0.1"
        assert rt["secret_env"]["OPENCLAW_GATEWAY_TOKEN"]["source"] == "file"
        assert plan.summary["id"] in rt["secret_env"]["OPENCLAW_GATEWAY_TOKEN"]["path"]
    research = plans["gw-research"].runtime
    assert research["target"] == {"cluster": "lab", "namespace": "acme-gateways"}
    assert "host_paths" not in research


def test_render_is_deterministic(plans):
    again = render_fleet(load_fleet(EXAMPLE_FLEET))
    for gw_id, plan in plans.items():
        assert again[gw_id].config_text == plan.config_text
        assert json.dumps(again[gw_id].runtime, sort_keys=True) == \
            json.dumps(plan.runtime, sort_keys=True)
