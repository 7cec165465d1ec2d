# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: gateway_hosts
short_description: The hosts pattern of a play from the clawops_gateways selection
version_added: 0.2.0
description:
  - Every playbook of the collection takes C(clawops_gateways) - gateway ids or inventory
    groups, as a list (an AWX survey's multiple select) or a comma-separated string - to work
    on those gateways only, as C(--limit) does on the command line (a survey cannot set a
    job's limit). This filter turns it into the play's C(hosts) pattern.
  - Returns O(within) when nothing is chosen, else the chosen names intersected with it
    (C(gw-a:group_humans:&clawops)). A name that is not a plain host or group name (a
    pattern with C(*), C(!) or C(&)) is refused.
positional: _input, within
options:
  _input:
    description: The selection (C(clawops_gateways)).
    type: raw
    required: true
  within:
    description: The play's own group.
    type: str
    default: clawops
"""

EXAMPLES = r"""
- name: Back up
  hosts: "{{ clawops_gateways | default([]) | clawops.orchestrator.gateway_hosts }}"
  gather_facts: false
  tasks: []
"""

RETURN = r"""
_value:
  description: A hosts pattern.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import FleetError
from ansible_collections.clawops.orchestrator.plugins.module_utils._select import hosts_pattern


def gateway_hosts(value, within="clawops"):
    try:
        return hosts_pattern(value, within)
    except FleetError as exc:
        raise AnsibleFilterError(exc.render())


class FilterModule:
    """clawops host selection."""

    def filters(self):
        return {"gateway_hosts": gateway_hosts}
