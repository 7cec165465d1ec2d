#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_authorize
short_description: Check an actor's operator role before anything changes
version_added: 0.1.0
description:
  - Reads C(operators.yml) of the fleet definition (actor to V(admin) or V(operator) with the
    groups it operates) and decides whether the actor may run the action on the target
    gateways. Every changing playbook runs this first.
  - A refusal fails the task with the reason and is written to the audit trail (result
    V(refused)) - also in check mode, because a refused attempt is itself a security event.
  - Without C(operators.yml) every change is refused; C(open=true) in it turns roles off for
    a lab, and every run says so (C(enforced=false)).
  - Extra vars that would choose the actor or the audit trail (C(clawops_actor),
    C(clawops_events_log), C(awx_user_name) outside AWX) are refused before anything runs.
author:
  - clawops contributors (@clawops)
options:
  fleet_dir:
    description: Directory holding the fleet definition (and its C(operators.yml)).
    type: path
    required: true
  actor:
    description:
      - Who is acting. Set by the module's action plugin from the controller's identity
        settings (C(/etc/clawops/identity.yml) - V(login), the process owner, by default;
        V(awx), the job's C(awx_user_name); V(lab), C(-e clawops_actor)); a value given in the
        task is replaced.
    type: str
    required: true
  action:
    description:
      - What the actor wants to do. Read-only - V(status), V(preview), V(preflight),
        V(audit_verify). Operator - V(lifecycle), V(pairing), V(agent), V(backup), V(drill). Admin -
        V(agent_high_risk), V(deploy), V(update), V(rollback), V(restore), V(rotate),
        V(remove), V(policy), V(observability) (it writes copies of the gateways' tokens),
        V(import) (it copies a hand-made gateway's secrets into files and takes it over).
    type: str
    required: true
    choices: [status, preview, preflight, audit_verify, lifecycle, pairing, agent, backup, drill,
              agent_high_risk, deploy, update, rollback, restore, rotate, remove, policy,
              observability, import]
  targets:
    description: The gateways the action touches, each with its group ids.
    type: dict
    default: {}
  events_log:
    description: The audit trail a refusal is written to (the identity settings'
      C(events_dir) wins).
    type: path
  org:
    description: The org slug, for the audit target.
    type: str
    default: fleet
extends_documentation_fragment:
  - clawops.orchestrator.audit_key
attributes:
  check_mode:
    description: Decides the same in check mode; a refusal is still audited.
    support: full
  diff_mode:
    description: No diff.
    support: none
  idempotent:
    description: Changes nothing (a refusal appends an audit event).
    support: full
"""

EXAMPLES = r"""
- name: May this actor restart these gateways?
  clawops.orchestrator.fleet_authorize:
    fleet_dir: "{{ clawops_fleet_dir }}"
    actor: "{{ clawops_actor }}"
    action: lifecycle
    targets: "{{ dict(ansible_play_hosts | zip(ansible_play_hosts
               | map('extract', hostvars, ['clawops_gateway', 'groups']))) }}"
    events_log: ~/.clawops/events/acme.jsonl
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
decision:
  description: allowed, actor, action, role, reason, enforced.
  returned: always
  type: dict
identity:
  description: Who is acting (C(actor)), where that came from (C(source)) and a C(note) for
    lab mode.
  returned: always
  type: dict
events_log:
  description: The audit trail of this run (the identity settings' C(events_dir) wins).
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.orchestrator.plugins.module_utils._authz import (
    ACTIONS, authorize, load_operators)
from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import FleetError
from ansible_collections.clawops.orchestrator.plugins.module_utils._events import (
    AuditError, append, trail_key)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            fleet_dir=dict(type="path", required=True),
            actor=dict(type="str", required=True),
            action=dict(type="str", required=True, choices=sorted(ACTIONS)),
            targets=dict(type="dict", default={}),
            events_log=dict(type="path"),
            audit_key_file=dict(type="path", no_log=False),
            org=dict(type="str", default="fleet"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    try:
        operators = load_operators(p["fleet_dir"])
        decision = authorize(operators, p["actor"], p["action"], p["targets"])
    except FleetError as exc:
        module.fail_json(msg=exc.render())
    if not decision.allowed:
        if p["events_log"]:
            try:
                key, heads = trail_key(p["audit_key_file"])
                append(p["events_log"], p["actor"], p["action"],
                       "%s/%s" % (p["org"], ",".join(sorted(p["targets"])) or "*"), "refused",
                       {"reason": decision.reason}, key=key, heads=heads)
            except (OSError, AuditError) as exc:
                module.warn("could not audit the refusal in %s: %s" % (p["events_log"], exc))
        module.fail_json(msg="refused: %s. Nothing was changed. Ask an admin, or have an admin "
                             "add you to operators.yml" % decision.reason,
                         decision=decision.as_dict())
    module.exit_json(changed=False, decision=decision.as_dict())


if __name__ == "__main__":
    main()
