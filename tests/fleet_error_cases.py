# -*- coding: utf-8 -*-
"""Bad fleet definitions, one defect each, with the full first line of the error each must give:
shared by tests/unit/test_fleet_errors.py (the loader's messages) and
tests/unit/test_schema_validators_agree.py (both schema validators see the same files)."""

from __future__ import annotations

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
     "backends, catalog_defaults, config, defaults, org, paths, policy, schema_version, secrets, "
     "targets, variables"),
    ("unknown-gateway-key",
     {GW: gateway(agnets="[]")},
     "gateways/gw-one.yml: agnets: unknown key 'agnets'. Fix: did you mean 'agents'?"),
    ("port-wrong-type",
     {GW: gateway(port='"19100"')},
     "gateways/gw-one.yml: port: expected integer, got string '19100'. Fix: change the value "
     "to an integer"),
    ("env-reserved-prefix",
     {GW: gateway(env="{OPENCLAW_X: {source: env, var: ACME_X}}")},
     "gateways/gw-one.yml: env.OPENCLAW_X: env name 'OPENCLAW_X' is reserved for "
     "clawops/OpenClaw. Fix: pick a name without the prefixes OPENCLAW_, CLAWOPS_"),
    ("no-groups-no-profile",
     {GW: gateway(groups=None, trust_level="low")},
     "gateways/gw-one.yml: missing required key 'profile'. Fix: add 'profile:'"),
    ("adopt-reserved-label",
     {GW: gateway(provider="{type: k8s, cluster: lab, adopt: {labels: "
                           "{app.kubernetes.io/instance: x, app: openclaw}}}")},
     "gateways/gw-one.yml: provider.adopt.labels: key 'app.kubernetes.io/instance' is "
     "reserved. Fix: use a key outside ^(app\\.kubernetes\\.io/|clawops)"),
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
