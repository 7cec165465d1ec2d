# -*- coding: utf-8 -*-
"""Bad fleet definitions: one defect each -> one error naming file, key path and fix."""

from __future__ import annotations

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import (
    FleetError, FleetErrors)
from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
from ansible_collections.clawops.orchestrator.plugins.module_utils._render import render_fleet

from fleet_error_cases import CASES, GW, gateway


@pytest.mark.parametrize("changes,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_one_defect_one_clear_error(make_fleet, changes, expected):
    root = make_fleet(changes)
    with pytest.raises(FleetError) as err:
        render_fleet(load_fleet(root))
    errors = err.value.errors if isinstance(err.value, FleetErrors) else [err.value]
    assert len(errors) == 1, [e.render() for e in errors]
    assert errors[0].render().startswith(expected), errors[0].render()
    assert "Fix: " in errors[0].render()
    assert "Traceback" not in str(err.value)


SECRET = "xoxb-1234-super-secret-value"


def test_literal_secret_is_refused_and_never_echoed(make_fleet):
    root = make_fleet({GW: gateway(
        channels='{slack: {accounts: {main: {secrets: {botToken: "%s"}}}}}' % SECRET)})
    with pytest.raises(FleetErrors) as err:
        load_fleet(root)
    text = err.value.render()
    assert text.startswith("gateways/gw-one.yml: channels.slack.accounts.main.secrets.botToken: "
                           "expected a secret reference object, got a string (value hidden)")
    assert SECRET not in text
    assert SECRET not in repr(err.value.as_dict())


def test_auth_token_literal_is_refused(make_fleet):
    root = make_fleet({"fleet.yml": """
        schema_version: 1
        org: {org_id: test-org, org_slug: test, display_name: Test Org}
        defaults:
          auth: {mode: token, token: "hunter2hunter2"}
        targets: {compose_hosts: {local: {}}}
        """})
    with pytest.raises(FleetErrors) as err:
        load_fleet(root)
    assert "fleet.yml: defaults.auth.token: expected a secret reference object" in str(err.value)
    assert "hunter2hunter2" not in str(err.value)


def test_several_files_with_problems_are_reported_together(make_fleet):
    root = make_fleet({
        "groups/team.yml": "id: team\nprofile: robots\ntrust_level: medium\n",
        "gateways/gw-two.yml": "id: gw-two\n",
    })
    with pytest.raises(FleetErrors) as err:
        load_fleet(root)
    files = sorted({e.file for e in err.value.errors})
    # gw-one is in the broken group: its "unknown group" would be noise, so only the
    # group's own problem and gw-two's are reported.
    assert files == ["gateways/gw-two.yml", "groups/team.yml"]
    assert err.value.render().startswith("%d problems in the fleet definition:" %
                                         len(err.value.errors))


def test_template_setting_a_managed_key(make_fleet):
    root = make_fleet({"templates/org.json5": "{ gateway: { port: 1 } }"})
    with pytest.raises(FleetErrors) as err:
        render_fleet(load_fleet(root))
    assert str(err.value) == (
        "templates/org.json5: gateway.port: sets gateway.port, which clawops derives from the "
        "fleet definition. Fix: set 'port:' in the gateway file instead")


def test_unknown_variable_in_template(make_fleet):
    root = make_fleet({"templates/org.json5": '{ logging: { level: "@{vars.level}" } }'})
    with pytest.raises(FleetErrors) as err:
        render_fleet(load_fleet(root))
    assert str(err.value).startswith(
        "templates/org.json5: logging.level: unknown variable @{vars.level} in the gateway scope")


def test_missing_template_file(make_fleet):
    root = make_fleet({"templates/org.json5": None})
    with pytest.raises(FleetErrors) as err:
        render_fleet(load_fleet(root))
    assert str(err.value).startswith(
        "fleet.yml: config.templates[0]: template 'templates/org.json5' not found")


def test_no_fleet_yml(tmp_path):
    with pytest.raises(FleetError) as err:
        load_fleet(str(tmp_path))
    assert "no fleet.yml found in" in str(err.value)


def test_missing_auth_reference(make_fleet):
    root = make_fleet({"fleet.yml": """
        schema_version: 1
        org: {org_id: test-org, org_slug: test, display_name: Test Org}
        targets: {compose_hosts: {local: {}}}
        """})
    with pytest.raises(FleetErrors) as err:
        render_fleet(load_fleet(root))
    assert str(err.value).startswith("gateways/gw-one.yml: auth: no token reference for "
                                     "gateway auth (mode token)")


def test_the_schema_documents_the_reserved_env_prefixes():
    from ansible_collections.clawops.orchestrator.plugins.module_utils._render import (
        RESERVED_ENV_PREFIXES)
    from ansible_collections.clawops.orchestrator.plugins.module_utils._schema import DEFS
    for prefix in RESERVED_ENV_PREFIXES:
        assert prefix in DEFS["env"]["description"], prefix
