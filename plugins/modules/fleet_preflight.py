#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_preflight
short_description: Prove a fleet deploy safe before it happens (collisions, routing, security, policy)
version_added: 0.1.0
description:
  - Loads a clawops fleet definition with its catalogs and policies, renders every gateway and
    checks the whole fleet. Each finding has a severity, a stable code, a location (file and key
    path), a message and a fix. The codes are listed in C(docs/policy.md).
  - "Checks: collisions on one machine or namespace (ports and OpenClaw's derived port range,
    gateway directories, state dirs, config paths, workspace roots, workspaces, agentDirs,
    compose project and K8s object names); routing (an account routed to two agents, unknown
    agents or accounts, wildcard/default routes without opt-in, human-coupled agents without a
    unique owner, duplicate agent ids, one credential used by two accounts); security (exposure
    without auth, literal secrets anywhere in the fleet directory, tokens inline in config, file
    secrets inside the repo); policy (denied, unlisted or out-of-tier models, providers, skills,
    skill sources and integrations, custom-only integrations without their skill or plugin,
    widening without a grant)."
  - Fails when a finding reaches O(fail_on); every deploy path runs this first. Writes nothing.
  - Also returns the effective policy of a scope and the effective routing table, as data and as
    readable tables.
author:
  - clawops contributors (@clawops)
options:
  fleet_dir:
    description: Directory holding the fleet definition's C(fleet.yml).
    type: path
    required: true
  gateways:
    description:
      - Only report findings about these gateways (and fleet-wide ones). The whole fleet is
        still loaded, so collisions with gateways outside the selection are found.
    type: list
    elements: str
  views:
    description: Views to return besides the findings.
    type: list
    elements: str
    choices: [policy, routing]
    default: []
  scope:
    description:
      - Scope of the policy view - V(org), a gateway id, or C(<gateway>/<agent>).
    type: str
    default: org
  fail_on:
    description:
      - Fail when a finding of this severity (or worse) exists. V(never) only reports.
    type: str
    choices: [error, warning, never]
    default: error
  discover_backends:
    description:
      - Also read C(<url>/models) of every model backend of C(fleet.yml) that has a URL, from
        the controller (no key is sent), and check the declared models and the agents' models
        against what it lists - C(backend.model-not-served) - or report
        C(backend.undiscovered) (a warning) when it does not answer with a model list.
      - Off by default - preflight reads no network otherwise. Backends the collection runs
        (C(run)) are on networks only their gateways reach; the health gate checks those.
    type: bool
    default: false
  discover_timeout:
    description: Seconds to wait for each backend's answer.
    type: int
    default: 5
attributes:
  check_mode:
    description: Reads only; runs the same in check mode.
    support: full
  diff_mode:
    description: Nothing changes, so there is no diff.
    support: none
  idempotent:
    description: Reads only.
    support: full
notes:
  - Runs on the controller (a localhost play or C(delegate_to=localhost)).
seealso:
  - module: clawops.orchestrator.fleet_preview
"""

EXAMPLES = r"""
- name: Stop before any change if the fleet is unsafe
  clawops.orchestrator.fleet_preflight:
    fleet_dir: "{{ playbook_dir }}/../examples/fleet"

- name: Effective policy of one agent and the routing table, never failing
  clawops.orchestrator.fleet_preflight:
    fleet_dir: /srv/fleet
    views: [policy, routing]
    scope: gw-people/alice
    fail_on: never
  register: preflight

- name: Show them
  ansible.builtin.debug:
    msg: "{{ preflight.policy.table.split('\n') + preflight.routing.table.split('\n') }}"

- name: Check the declared models against what each backend's /v1/models lists
  clawops.orchestrator.fleet_preflight:
    fleet_dir: /srv/fleet
    discover_backends: true
"""

RETURN = r"""
ok:
  description: True when no finding has severity error.
  returned: always
  type: bool
counts:
  description: Number of findings per severity.
  returned: always
  type: dict
  sample: {"error": 0, "warning": 1, "info": 0}
findings:
  description: All findings, errors first, then by file and key path.
  returned: always
  type: list
  elements: dict
  contains:
    severity:
      description: error, warning or info.
      type: str
    code:
      description: Stable finding code, for example C(collision.port) or C(policy.model-denied).
      type: str
    file:
      description: File relative to the fleet directory.
      type: str
    key_path:
      description: Key path inside that file (C(line N) for text files).
      type: str
    location:
      description: File and key path together.
      type: str
    message:
      description: What is wrong (secret values are never shown).
      type: str
    fix:
      description: How to fix it.
      type: str
    gateway:
      description: The gateway concerned, if any.
      type: str
    agent:
      description: The agent concerned, if any.
      type: str
report:
  description: The findings as readable lines with a PASS/FAIL summary.
  returned: always
  type: list
  elements: str
gateways:
  description: Gateways that were rendered and checked.
  returned: always
  type: list
  elements: str
policy:
  description:
    - Effective policy of O(scope) - per domain (integrations, skills, providers, models) the allowed
      ids and one row per cataloged item with verdict, reason and the scope, file and key path that
      decided it; plus C(tools_deny), C(plugins) and a readable C(table).
  returned: when O(views) contains V(policy) and the fleet loads
  type: dict
routing:
  description:
    - Effective routing table - C(rows) of gateway, channel, account, peer, agent, binding and status
      (ok, CONFLICT, UNKNOWN ACCOUNT, WILDCARD, DUPLICATE, DENIED, UNBOUND), C(conflicts) and a
      readable C(table).
  returned: when O(views) contains V(routing) and the fleet loads
  type: dict
"""

import json

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import FleetError
from ansible_collections.clawops.orchestrator.plugins.module_utils._http import http_get
from ansible_collections.clawops.orchestrator.plugins.module_utils._preflight import run_preflight
from ansible_collections.clawops.orchestrator.plugins.module_utils._views import (
    policy_view, routing_view)

THRESHOLD = {"error": ("error",), "warning": ("error", "warning"), "never": ()}


def discover(timeout):
    """What a backend's /models lists, read from here: {models} or {error}."""
    def ask(backend_id, url):
        body = http_get(url.rstrip("/") + "/models", timeout=timeout)
        if body is None:
            return {"error": "no answer within %d s (nothing listening there, a name that "
                             "does not resolve here, or too slow)" % timeout}
        try:
            data = json.loads(body)
            return {"models": [str(item["id"]) for item in data["data"]]}
        except (ValueError, KeyError, TypeError):
            return {"error": "no model list in its answer (%s)" % body[:120].decode(
                "utf-8", "replace").strip()}
    return ask


def run(module):
    params = module.params
    report = run_preflight(params["fleet_dir"], params["gateways"], discover=discover(
        params["discover_timeout"]) if params["discover_backends"] else None)
    result = dict(report.as_dict(), changed=False, report=report.text().splitlines())
    if report.renderer is not None:
        if "policy" in params["views"]:
            try:
                result["policy"] = policy_view(report, params["scope"])
            except FleetError as exc:
                module.fail_json(msg=exc.render(), **result)
        if "routing" in params["views"]:
            result["routing"] = routing_view(report, report.selected)
    blocking = [f for f in report.findings if f.severity in THRESHOLD[params["fail_on"]]]
    if blocking:
        module.fail_json(msg="preflight found %d blocking problem(s); nothing may be deployed:\n%s"
                         % (len(blocking), "\n".join(f.render() for f in blocking)), **result)
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            fleet_dir=dict(type="path", required=True),
            gateways=dict(type="list", elements="str"),
            views=dict(type="list", elements="str", choices=["policy", "routing"], default=[]),
            scope=dict(type="str", default="org"),
            fail_on=dict(type="str", choices=["error", "warning", "never"], default="error"),
            discover_backends=dict(type="bool", default=False),
            discover_timeout=dict(type="int", default=5),
        ),
        supports_check_mode=True,
    )
    try:
        result = run(module)
    except FleetError as exc:
        module.fail_json(msg=exc.render())
    module.exit_json(**result)


if __name__ == "__main__":
    main()
