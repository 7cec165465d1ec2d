# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: agent_request
short_description: The agent change of playbooks/agent.yml from its variables or a survey's fields
version_added: 0.2.0
description:
  - C(playbooks/agent.yml) takes the change as C(agent), C(accounts) and C(bindings) (a file
    given with C(-e @carol.yml)) or as an AWX survey's flat fields - C(agent_kind),
    C(agent_owner), C(agent_model) and C(agent_definition), YAML text of the same shape as
    that file (a survey has no field for a mapping). This filter makes one request of them.
  - The flat fields win over C(agent), which wins over C(agent_definition)'s C(agent).
  - Text that is not YAML, or holds other keys than C(agent), C(accounts) and C(bindings),
    fails with one message naming the field and the fix.
positional: _input
options:
  _input:
    description:
      - The variables - C(agent), C(accounts), C(bindings), C(kind), C(owner), C(model),
        C(definition) - each optional.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: One request from the playbook's variables
  ansible.builtin.set_fact:
    request: >-
      {{ {'agent': agent | default(none), 'kind': agent_kind | default(''),
          'definition': agent_definition | default('')} | clawops.orchestrator.agent_request }}
"""

RETURN = r"""
_value:
  description: C(agent) (a mapping), C(accounts) and C(bindings) (lists, or None when not given).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import FleetError
from ansible_collections.clawops.orchestrator.plugins.module_utils._agents import agent_request


def agent_request_filter(variables):
    if not isinstance(variables, dict):
        raise AnsibleFilterError("agent_request takes a mapping of the playbook's variables")
    try:
        return agent_request(**{k: v for k, v in variables.items() if v is not None})
    except TypeError as exc:
        raise AnsibleFilterError("agent_request: %s" % exc)
    except FleetError as exc:
        raise AnsibleFilterError(exc.render())


class FilterModule:
    """clawops agent change requests."""

    def filters(self):
        return {"agent_request": agent_request_filter}
