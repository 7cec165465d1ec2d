#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_guard
short_description: Refuse a change to this gateway that the run's actor may not make
version_added: 0.1.0
description:
  - Decides, on the controller, whether the run's actor may run O(action) on this host's
    gateway, from the controller's identity settings and the fleet's C(operators.yml), the
    same way as M(clawops.orchestrator.fleet_authorize) does for a whole run.
  - The provider roles run it first in every entry point that changes a gateway, so that a
    run which skips the authorize role (C(--start-at-task), tags, a playbook of one's own
    calling the roles) changes nothing its actor may not change. The modules that change a
    gateway (M(clawops.orchestrator.gateway_config), M(clawops.orchestrator.gateway_tree),
    M(clawops.orchestrator.gateway_backup), M(clawops.orchestrator.gateway_devices)) decide
    the same way themselves.
  - Extra vars that would choose the actor, the audit trail, or the gateway's fleet and groups
    (C(clawops_fleet_dir), C(clawops_gateway)) are refused.
  - Runs entirely in its action plugin; nothing is executed on the host and nothing is
    audited (the authorize role audits a run's refusal).
author:
  - clawops contributors (@clawops)
options:
  action:
    description:
      - The least operator action the caller's change needs (see
        M(clawops.orchestrator.fleet_authorize) for what each means and who may run it).
    type: str
    required: true
    choices: [lifecycle, pairing, agent, backup, drill, agent_high_risk, deploy, update, rollback,
              restore, rotate, remove, policy]
attributes:
  action:
    description: Runs in its action plugin on the controller.
    support: full
  check_mode:
    description: Decides the same in check mode.
    support: full
  diff_mode:
    description: No diff.
    support: none
  idempotent:
    description: Changes nothing.
    support: full
"""

EXAMPLES = r"""
- name: This actor may stop or start this gateway
  clawops.orchestrator.fleet_guard:
    action: lifecycle
"""

RETURN = r"""
action:
  description: The action that was decided.
  type: str
  returned: always
  sample: lifecycle
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(action=dict(
        type="str", required=True,
        choices=["lifecycle", "pairing", "agent", "backup", "drill", "agent_high_risk", "deploy", "update",
                 "rollback", "restore", "rotate", "remove", "policy"])),
        supports_check_mode=True)
    module.fail_json(msg="fleet_guard runs in its action plugin on the controller; it was "
                         "called as a bare module")


if __name__ == "__main__":
    main()
