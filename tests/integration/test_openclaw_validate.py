# -*- coding: utf-8 -*-
"""Every rendered config of the demo fleet passes the real `openclaw config validate`."""

from __future__ import annotations

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
from ansible_collections.clawops.orchestrator.plugins.module_utils._render import render_fleet
from ansible_collections.clawops.orchestrator.plugins.module_utils._validate import (
    ValidatorUnavailable, validate_config)

from conftest import EXAMPLE_FLEET
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


def test_missing_cli_is_an_error_not_a_pass(tmp_path):
    with pytest.raises(ValidatorUnavailable):
        validate_config(str(tmp_path / "no-such-openclaw"), "{}")
