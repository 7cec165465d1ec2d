# -*- coding: utf-8 -*-
"""A catalog provider installed from npm is baked like a channel plugin when a gateway uses
it (issue 21: it was accepted and installed nothing)."""

from __future__ import annotations

from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
from ansible_collections.clawops.orchestrator.plugins.module_utils._render import render_fleet

from fleet_error_cases import GW, gateway

PROVIDERS = """
    providers:
      acme-llm: {kind: self-hosted, plugin: acme-llm, install: "npm:@acme/openclaw-llm", owner: infra}
      pinned-llm: {kind: self-hosted, plugin: pinned-llm, install: "npm:@acme/pinned@1.4.0", owner: infra}
      idle-llm: {kind: self-hosted, plugin: idle-llm, install: "npm:@acme/idle", owner: infra}
    """
MODELS = """
    models:
      anthropic/claude-sonnet-4-5: {tier: default, owner: test}
      acme-llm/small: {tier: default, owner: test}
      pinned-llm/tiny: {tier: default, owner: test}
      idle-llm/unused: {tier: default, owner: test}
    """


def _plan(make_fleet, model, fallbacks="[]"):
    agents = "[{id: helper, kind: usecase, model: {primary: %s, fallbacks: %s}}]" % (
        model, fallbacks)
    root = make_fleet({"catalogs/providers.yml": PROVIDERS, "catalogs/models.yml": MODELS,
                       GW: gateway(agents=agents)})
    return render_fleet(load_fleet(root))["gw-one"]


def test_a_used_npm_provider_is_baked_and_enabled(make_fleet):
    plan = _plan(make_fleet, "acme-llm/small", "[pinned-llm/tiny]")
    assert plan.runtime["plugin_installs"] == ["@acme/openclaw-llm@2026.9.6",
                                               "@acme/pinned@1.4.0"]
    entries = plan.config["plugins"]["entries"]
    assert entries["acme-llm"]["enabled"] is True and entries["pinned-llm"]["enabled"] is True
    assert "idle-llm" not in entries  # cataloged, allowed, but no agent uses it
    assert plan.runtime["plugin_seed_command"]


def test_an_unused_npm_provider_installs_nothing(make_fleet):
    plan = _plan(make_fleet, "anthropic/claude-sonnet-4-5")
    assert plan.runtime["plugin_installs"] == []
    assert "plugin_seed_command" not in plan.runtime
