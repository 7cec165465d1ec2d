# -*- coding: utf-8 -*-
"""Every rendered config of the demo fleet passes the real `openclaw config validate`."""

from __future__ import annotations

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
from ansible_collections.clawops.orchestrator.plugins.module_utils._render import render_fleet
from ansible_collections.clawops.orchestrator.plugins.module_utils._validate import (
    ValidatorUnavailable, validate_config)

from conftest import EXAMPLE_FLEET, MINIMAL
from fleet_error_cases import GW, gateway
from helpers import openclaw_bin

pytestmark = pytest.mark.real

PLANS = render_fleet(load_fleet(EXAMPLE_FLEET))


@pytest.mark.parametrize("gateway_id", sorted(PLANS))
def test_demo_config_is_valid_for_openclaw(gateway_id):
    verdict = validate_config(openclaw_bin(), PLANS[gateway_id].config_text)
    assert verdict["valid"], verdict["issues"]
    assert verdict["rc"] == 0
    assert verdict["issues"] == []


@pytest.mark.parametrize("template,bad_path", [
    ('{ logging: { level: "loud" } }', "logging.level"),
    ("{ gateway: { bogus: true } }", "gateway"),
    ('{ agents: { defaults: { thinkingDefault: "galaxy-brain" } } }',
     "agents.defaults.thinkingDefault"),
])
def test_config_openclaw_rejects_is_caught(make_fleet, template, bad_path):
    # Our fleet schema does not model OpenClaw's config: these render fine, and the real
    # validator is what catches them.
    plans = render_fleet(load_fleet(make_fleet({"templates/org.json5": template})))
    verdict = validate_config(openclaw_bin(), plans["gw-one"].config_text)
    assert verdict["valid"] is False
    assert verdict["rc"] == 1
    assert bad_path in [issue["path"] for issue in verdict["issues"]], verdict["issues"]


def test_a_model_backend_as_injected_is_valid_for_openclaw(make_fleet):
    """issue 19: models.providers.<backend> as the core writes it (both APIs, with and
    without a key, with compat settings, a backend the collection runs) is what OpenClaw
    accepts."""
    fleet = MINIMAL["fleet.yml"] + """
        backends:
          lab-llm: {url: "http://llm.lab.internal:8000/v1", models: [tiny-1],
                    compat: {supportsTools: false, toolSchemaProfile: llamacpp}}
          local: {models: [smoke], run: {model_file: /srv/models/smoke.gguf}}
          keyed-llm:
            url: https://llm.example/v1
            api: openai-responses
            models: [big]
            api_key: {source: env, var: TEST_LLM_KEY}
        """
    agents = ("[{id: helper, kind: usecase, model: {primary: lab-llm/tiny-1, "
              "fallbacks: [keyed-llm/big]}}]")
    plans = render_fleet(load_fleet(make_fleet({
        "fleet.yml": fleet, GW: gateway(backends="[lab-llm, keyed-llm, local]", agents=agents)})))
    providers = plans["gw-one"].config["models"]["providers"]
    assert set(providers) >= {"lab-llm", "keyed-llm", "local"}
    # the collection's own server: its compat settings (max_tokens, no developer role, ...)
    assert providers["local"]["models"][0]["compat"]["maxTokensField"] == "max_tokens"
    verdict = validate_config(openclaw_bin(), plans["gw-one"].config_text)
    assert verdict["valid"] and verdict["rc"] == 0, verdict["issues"]


def test_missing_cli_is_an_error_not_a_pass(tmp_path):
    with pytest.raises(ValidatorUnavailable):
        validate_config(str(tmp_path / "no-such-openclaw"), "{}")


@pytest.mark.parametrize("gateway_id", sorted(PLANS))
def test_compiled_plugin_denies_name_only_installed_plugins(gateway_id):
    """OpenClaw warns about (and ignores) deny entries for plugins it does not have.

    The one plugin warning left is the official channel plugin that the deploy installs into
    the state dir (runtime plugin_installs), which a state-less validator cannot see: OpenClaw
    names the same package we list."""
    plan = PLANS[gateway_id]
    verdict = validate_config(openclaw_bin(), plan.config_text)
    plugin_warnings = [w for w in verdict["warnings"] if w.get("path", "").startswith("plugins")]
    expected = {"plugins.entries.%s" % spec.rsplit("@", 1)[0].split("/")[-1]
                for spec in plan.runtime["plugin_installs"]}
    assert {w["path"] for w in plugin_warnings} == expected, plugin_warnings
    for warning in plugin_warnings:
        assert "openclaw plugins install @openclaw/" in warning["message"]


def test_denied_model_is_absent_from_the_allowlist_openclaw_enforces(tmp_path):
    """A model denied by a group and one denied by an agent's own policy never reach the
    allowlists in openclaw.json, and OpenClaw accepts the compiled policy."""
    import shutil
    import yaml
    from ansible_collections.clawops.orchestrator.plugins.module_utils._preflight import (
        run_preflight)
    root = str(tmp_path / "fleet")
    shutil.copytree(EXAMPLE_FLEET, root)
    with open(root + "/groups/humans.yml", encoding="utf-8") as handle:
        group = yaml.safe_load(handle)
    group["policy"]["models"]["deny"] = ["openai/gpt-5.1-mini", "anthropic/claude-haiku-4-5"]
    with open(root + "/groups/humans.yml", "w", encoding="utf-8") as handle:
        yaml.safe_dump(group, handle)
    with open(root + "/gateways/gw-people.yml", encoding="utf-8") as handle:
        gateway = yaml.safe_load(handle)
    gateway["agents"][0]["policy"] = {"models": {"deny": ["openai/*"]}}
    with open(root + "/gateways/gw-people.yml", "w", encoding="utf-8") as handle:
        yaml.safe_dump(gateway, handle)
    report = run_preflight(root)
    assert report.ok, report.text()
    config = report.plans["gw-people"].config
    allowed = config["agents"]["defaults"]["modelPolicy"]["allow"]
    assert allowed == ["anthropic/claude-sonnet-4-5", "openai/gpt-5.1"]
    assert config["agents"]["entries"]["alice"]["modelPolicy"]["allow"] == [
        "anthropic/claude-sonnet-4-5"]
    assert "modelPolicy" not in config["agents"]["entries"]["bob"]
    # the gw-support gateway (other group) still allows the mini model
    assert "openai/gpt-5.1-mini" in \
        report.plans["gw-support"].config["agents"]["defaults"]["modelPolicy"]["allow"]
    verdict = validate_config(openclaw_bin(), report.plans["gw-people"].config_text)
    assert verdict["valid"], verdict["issues"]


def test_exclusive_plugin_allowlist_is_accepted(tmp_path):
    import shutil
    import yaml
    from ansible_collections.clawops.orchestrator.plugins.module_utils._preflight import (
        run_preflight)
    root = str(tmp_path / "fleet")
    shutil.copytree(EXAMPLE_FLEET, root)
    with open(root + "/fleet.yml", encoding="utf-8") as handle:
        fleet = yaml.safe_load(handle)
    fleet["policy"]["plugins"] = {"exclusive": True, "always": ["memory-core", "browser"]}
    with open(root + "/fleet.yml", "w", encoding="utf-8") as handle:
        yaml.safe_dump(fleet, handle)
    report = run_preflight(root)
    assert report.ok, report.text()
    plugins = report.plans["gw-people"].config["plugins"]
    assert plugins["allow"] == ["anthropic", "browser", "memory-core", "ollama", "openai",
                                "slack", "telegram"]
    verdict = validate_config(openclaw_bin(), report.plans["gw-people"].config_text)
    assert verdict["valid"], verdict["issues"]
