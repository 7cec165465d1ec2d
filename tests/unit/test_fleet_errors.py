# -*- coding: utf-8 -*-
"""Bad fleet definitions: one defect each -> one error naming file, key path and fix."""

from __future__ import annotations

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import (
    FleetError, FleetErrors)
from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
from ansible_collections.clawops.orchestrator.plugins.module_utils._render import render_fleet

GW = "gateways/gw-one.yml"


def gateway(**fields):
    """The minimal gateway file (conftest.MINIMAL) with top-level keys replaced or added.

    Values are YAML flow text; None drops the key.
    """
    base = {"id": "gw-one", "groups": "[team]", "provider": "{type: compose, host: local}",
            "port": "19100", "agents": "[{id: helper, kind: usecase}]"}
    base.update(fields)
    return "".join("%s: %s\n" % (k, v) for k, v in base.items() if v is not None)


CASES = [
    # (id, changed files, expected full first line of the error)
    ("unknown-fleet-key",
     {"fleet.yml": """
        schema_version: 1
        org: {org_id: test-org, org_slug: test, display_name: Test Org}
        targts: {}
        """},
     "fleet.yml: targts: unknown key 'targts'. Fix: did you mean 'targets'? allowed keys here: "
     "catalog_defaults, config, defaults, org, paths, policy, schema_version, secrets, targets, "
     "variables"),
    ("unknown-gateway-key",
     {GW: gateway(agnets="[]")},
     "gateways/gw-one.yml: agnets: unknown key 'agnets'. Fix: did you mean 'agents'?"),
    ("port-wrong-type",
     {GW: gateway(port='"19100"')},
     "gateways/gw-one.yml: port: expected integer, got string '19100'. Fix: change the value "
     "to a integer"),
    ("agent-kind-enum",
     {GW: gateway(agents="[{id: helper, kind: robot}]")},
     "gateways/gw-one.yml: agents[0].kind: value 'robot' is not allowed. Fix: use one of: "
     "'human', 'usecase'"),
    ("human-without-owner",
     {GW: gateway(agents="[{id: helper, kind: human}]")},
     "gateways/gw-one.yml: agents[0]: human-coupled agent 'helper' has no owner. Fix: add "
     "'owner:'"),
    ("missing-org-slug",
     {"fleet.yml": """
        schema_version: 1
        org: {org_id: test-org, display_name: Test Org}
        """},
     "fleet.yml: org: missing required key 'org_slug'. Fix: add 'org_slug:' (Short DNS-safe "
     "name"),
    ("compose-without-host",
     {GW: gateway(provider="{type: compose}")},
     "gateways/gw-one.yml: provider: missing required key 'host'."),
    ("unknown-group",
     {GW: gateway(groups="[teem]")},
     "gateways/gw-one.yml: groups[0]: unknown group 'teem'. Fix: create groups/teem.yml or use "
     "one of: team"),
    ("unknown-compose-host",
     {GW: gateway(provider="{type: compose, host: elsewhere}")},
     "gateways/gw-one.yml: provider.host: unknown compose host 'elsewhere'. Fix: declare it "
     "under targets.compose_hosts in fleet.yml (known: local)"),
    ("id-not-file-name",
     {GW: gateway(id="gw-two")},
     "gateways/gw-one.yml: id: id 'gw-two' does not match the file name."),
    ("duplicate-agent-id",
     {GW: gateway(agents="[{id: helper, kind: usecase}, {id: helper, kind: usecase}]")},
     "gateways/gw-one.yml: agents[1].id: agent id 'helper' is already used by agents[0]."),
    ("binding-unknown-agent",
     {GW: gateway(bindings="[{agentId: helpr, match: {channel: slack, accountId: a}}]")},
     "gateways/gw-one.yml: bindings[0].agentId: binding routes to unknown agent 'helpr'. Fix: "
     "use an agent id of this gateway: helper"),
    ("yaml-syntax",
     {GW: "id: gw-one\nagents: [\n"},
     "gateways/gw-one.yml: YAML does not parse at line 3, column 1:"),
    ("yaml-duplicate-key",
     {GW: "id: gw-one\nport: 1\nport: 2\n"},
     "gateways/gw-one.yml: YAML does not parse at line 3, column 1: found duplicate key "
     "'port' (first at line 2)"),
    ("gateway-file-not-a-mapping",
     {GW: "- just\n- a list\n"},
     "gateways/gw-one.yml: the file must hold a YAML mapping, got list."),
    ("no-trust-level",
     {"groups/team.yml": "id: team\nprofile: usecase\n"},
     "gateways/gw-one.yml: no trust_level: neither the gateway nor its groups set one."),
    ("variables-bad-name",
     {"fleet.yml": """
        schema_version: 1
        org: {org_id: test-org, org_slug: test, display_name: Test Org}
        variables: {Bad-Name: 1}
        """},
     "fleet.yml: variables: key 'Bad-Name' has the wrong form. Fix: keys here must match "
     "^[a-z][a-z0-9_]{0,62}$"),
    ("schema-version",
     {"fleet.yml": """
        schema_version: 2
        org: {org_id: test-org, org_slug: test, display_name: Test Org}
        """},
     "fleet.yml: schema_version: value 2 is not allowed. Fix: use one of: 1"),
]


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
