#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_agent
short_description: Add, update or remove an agent with its channel accounts and routes in the fleet definition
version_added: 0.1.0
description:
  - Edits C(gateways/<gateway>.yml) of the fleet definition - the agent entry, the channel
    accounts it uses and its routes (bindings) - in one atomic write. Comments, key order and
    quoting of everything else in the file are kept.
  - The whole preflight runs on the edited definition before anything is written; a finding
    of severity error leaves the file untouched and fails with the findings.
  - Which accounts belong to an agent - the ones its routes point at. O(state=absent) removes
    the agent, its routes and every account no other route uses. Given O(bindings), the
    agent's routes are replaced and accounts left without a route are dropped.
  - Changes the definition only; C(playbooks/agent.yml) applies it to the gateway.
  - A change is written to the audit trail with the diff of the file.
author:
  - clawops contributors (@clawops)
requirements:
  - ruamel.yaml
options:
  fleet_dir:
    description: Directory holding the fleet definition.
    type: path
    required: true
  gateway:
    description: The gateway id (its file is C(gateways/<gateway>.yml)).
    type: str
    required: true
  id:
    description: The agent id.
    type: str
    required: true
  state:
    description: V(present) adds or updates the agent; V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  agent:
    description:
      - The agent's definition (C(kind), C(owner), C(name), C(model), C(skills), C(tools),
        C(sandbox), C(workspace_seed), ...; see docs/fleet-reference.md). It replaces the
        existing entry of the same id as a whole.
    type: dict
    default: {}
  accounts:
    description: Channel accounts to add or update - C(channel), C(id), C(secrets) (references only), C(settings).
    type: list
    elements: dict
  bindings:
    description:
      - The agent's routes, as C(match) mappings (C(channel), C(accountId), C(peer), ...).
        Omitted - the routes stay as they are.
    type: list
    elements: dict
  events_log:
    description: Audit trail a change is written to.
    type: path
  actor:
    description: Who is acting (for the audit trail).
    type: str
    default: unknown
extends_documentation_fragment:
  - clawops.orchestrator.audit_key
attributes:
  check_mode:
    description: Computes, proves and shows the change without writing.
    support: full
  diff_mode:
    description: Shows the change to the gateway file.
    support: full
  idempotent:
    description: The same request a second time changes nothing.
    support: full
"""

EXAMPLES = r"""
- name: Onboard Carol's assistant on gw-people with her Telegram bot
  clawops.orchestrator.fleet_agent:
    fleet_dir: "{{ clawops_fleet_dir }}"
    gateway: gw-people
    id: carol
    agent:
      kind: human
      owner: carol@acme.example
      name: Carol's assistant
      model: anthropic/claude-sonnet-4-5
    accounts:
      - channel: telegram
        id: carol-tg
        secrets:
          botToken: {source: file, path: ~/.clawops/secrets/acme/telegram-carol.token}
    bindings:
      - {channel: telegram, accountId: carol-tg}
  delegate_to: localhost

- name: Offboard Carol's assistant
  clawops.orchestrator.fleet_agent:
    fleet_dir: "{{ clawops_fleet_dir }}"
    gateway: gw-people
    id: carol
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
summary:
  description: What changed, in words.
  returned: always
  type: list
  elements: str
file:
  description: The gateway file, relative to the fleet directory.
  returned: always
  type: str
agent:
  description: The agent's definition after the change (before it, on removal).
  returned: always
  type: dict
workspace:
  description: The agent's workspace directory name on the gateway.
  returned: when the agent exists before or after
  type: str
agent_dir:
  description: The agent's directory name under the gateway's C(state/agents/).
  returned: when the agent exists before or after
  type: str
host_vars:
  description:
    - The gateway's plan host variables (C(clawops_runtime), C(clawops_config_text), ...) as
      the inventory plugin makes them from the changed definition. A playbook sets them as
      facts to apply the change; an inventory synced from the fleet (AWX) cannot be re-read.
  returned: when the change was written
  type: dict
findings:
  description: The preflight findings that refused the change.
  returned: on failure by preflight
  type: list
  elements: dict
"""

import difflib

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.clawops.orchestrator.plugins.module_utils import _agents
from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import FleetError
from ansible_collections.clawops.orchestrator.plugins.module_utils._authz import (
    agent_action, authorize, load_operators)
from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
from ansible_collections.clawops.orchestrator.plugins.module_utils._hostvars import (
    PLAN_VARS, build_hosts)
from ansible_collections.clawops.orchestrator.plugins.module_utils._events import (
    AuditError, append, trail_key)


def _accounts(module):
    out = []
    for index, account in enumerate(module.params["accounts"] or []):
        missing = [k for k in ("channel", "id") if not account.get(k)]
        extra = sorted(set(account) - {"channel", "id", "secrets", "settings"})
        if missing or extra:
            module.fail_json(msg="accounts[%d]: %s. Each account is {channel, id, secrets, "
                                 "settings}" % (index, "missing %s" % ", ".join(missing)
                                                if missing else "unknown key %s" % extra[0]))
        out.append(account)
    return out


def _decide(p, edit):
    """The operator decision for this change, from the fleet's operators.yml."""
    fleet = load_fleet(p["fleet_dir"])
    gateway = fleet.gateway(p["gateway"])
    action = agent_action(p["agent"] if p["state"] == "present" else None, p["accounts"])
    return authorize(load_operators(p["fleet_dir"], set(fleet.groups)), p["actor"], action,
                     {gateway.id: [g.id for g in gateway.groups]})


def main():
    module = AnsibleModule(
        argument_spec=dict(
            fleet_dir=dict(type="path", required=True),
            gateway=dict(type="str", required=True),
            id=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            agent=dict(type="dict", default={}),
            accounts=dict(type="list", elements="dict"),
            bindings=dict(type="list", elements="dict"),
            events_log=dict(type="path"),
            audit_key_file=dict(type="path", no_log=False),
            actor=dict(type="str", default="unknown"),
        ),
        supports_check_mode=True,
    )
    if not _agents.HAS_RUAMEL:
        module.fail_json(msg=missing_required_lib("ruamel.yaml"),
                         exception=_agents.RUAMEL_IMPORT_ERROR)
    p = module.params
    try:
        edit = _agents.propose(p["fleet_dir"], p["gateway"], p["id"], p["state"], p["agent"],
                               _accounts(module), p["bindings"])
        result = dict(changed=edit.changed, summary=edit.summary, file=edit.rel,
                      agent=edit.agent or {})
        if edit.agent:
            result["workspace"] = edit.agent.get("workspace", p["id"])
            result["agent_dir"] = edit.agent.get("agent_dir", p["id"])
        if not edit.changed:
            module.exit_json(**result)
        # authorized here too, where the change is written (not only by a first role)
        decision = _decide(p, edit)
        if not decision.allowed:
            module.fail_json(msg="refused: %s. Nothing was changed." % decision.reason,
                             decision=decision.as_dict(), **result)
        report = _agents.check(p["fleet_dir"], edit, p["gateway"])
        if not report.ok:
            module.fail_json(msg="the change to %s was not written: preflight failed\n%s"
                                 % (edit.rel, report.text()),
                             findings=[f.as_dict() for f in report.errors], **result)
        text_diff = "".join(difflib.unified_diff(
            edit.before.splitlines(True), edit.after.splitlines(True),
            "a/" + edit.rel, "b/" + edit.rel))
        if module._diff:
            result["diff"] = dict(before=edit.before, after=edit.after,
                                  before_header=edit.rel, after_header=edit.rel)
        if not module.check_mode:
            # the trail first: a change that cannot be recorded is not made
            key, heads = trail_key(p["audit_key_file"]) if p["events_log"] else (None, None)
            _agents.write(p["fleet_dir"], edit)
            if p["events_log"]:
                append(p["events_log"], p["actor"], "agent",
                       "%s/%s/%s" % (report.fleet.org.org_slug, p["gateway"], p["id"]), "ok",
                       {"state": p["state"], "summary": edit.summary, "file": edit.rel},
                       diff=text_diff, key=key, heads=heads)
            written = build_hosts(p["fleet_dir"], [p["gateway"]])["hosts"][p["gateway"]]["vars"]
            result["host_vars"] = {k: written[k] for k in PLAN_VARS}
    except FleetError as exc:
        module.fail_json(msg=exc.render())
    except AuditError as exc:
        module.fail_json(msg="cannot record the change in the audit trail: %s" % exc)
    except OSError as exc:
        module.fail_json(msg="cannot write the fleet definition: %s (nothing was changed)" % exc)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
