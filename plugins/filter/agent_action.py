# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: agent_action
short_description: The operator action an agent change needs (agent or agent_high_risk)
version_added: 0.1.0
description:
  - V(agent_high_risk) (admin) when the agent definition sets sandbox, tools, policy or
    config, or the change brings channel accounts (their secret references decide what the
    gateway reads on the controller); V(agent) (operator) otherwise.
  - The same decision M(clawops.orchestrator.fleet_agent) checks again before it writes.
positional: _input, accounts
options:
  _input:
    description: The agent definition (the C(agent) of C(playbooks/agent.yml)).
    type: dict
    required: true
  accounts:
    description: The channel accounts of the change.
    type: list
    elements: dict
    default: []
"""

EXAMPLES = r"""
- name: Authorize an agent change
  ansible.builtin.include_role:
    name: clawops.orchestrator.authorize
  vars:
    authorize_action: "{{ agent | default({}) | clawops.orchestrator.agent_action(accounts | default([])) }}"
"""

RETURN = r"""
_value:
  description: V(agent) or V(agent_high_risk).
  type: str
"""

from ansible_collections.clawops.orchestrator.plugins.module_utils._authz import agent_action


class FilterModule:
    """clawops authorization filters."""

    def filters(self):
        return {"agent_action": agent_action}
