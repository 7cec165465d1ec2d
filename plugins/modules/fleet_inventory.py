#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_inventory
short_description: Prove that the run's inventory is a clawops fleet that loads
version_added: 0.2.0
description:
  - Runs on the controller as the first task of every playbook of the collection
    (C(playbooks/fleet_loaded.yml)). Reads the inventory sources of the run, loads the fleet
    each C(*.clawops.yml) source names, and fails with the fleet loader's own message (file,
    key path, fix) when one does not load.
  - Without it a fleet with an error leaves an empty inventory - unless the project's
    C(ansible.cfg) sets C(unparsed_is_failed) - and the run ends successful with "no hosts
    matched"; an installed collection cannot ship that setting to its users' projects, and
    ansible-runner (AWX) would report the job successful.
  - An inventory synced from a fleet source (AWX gives each job a copy as plain data) names no
    fleet file; then the fleet the hosts' C(clawops_fleet_dir) names must load, and hold every
    host of the inventory.
  - Also fails when no fleet source was given, or when the fleet loads but the inventory
    holds none of its gateways (the inventory plugin is not enabled).
author:
  - clawops contributors (@clawops)
extends_documentation_fragment:
  - clawops.orchestrator.fleet_reader
options:
  sources:
    description: The run's inventory sources (C(ansible_inventory_sources)).
    type: list
    elements: str
    required: true
  hosts:
    description: The gateway hosts the inventory has (C(groups['clawops'])).
    type: list
    elements: str
    default: []
  fleet_dirs:
    description:
      - The hosts' C(clawops_fleet_dir). Used when no source is a fleet file - an inventory
        synced from one, as AWX gives each job - to load the fleet the hosts came from; the
        hosts must all still be gateways of that fleet.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: The inventory is a clawops fleet that loads
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Prove it (or fail with the fleet loader's message)
      clawops.orchestrator.fleet_inventory:
        sources: "{{ ansible_inventory_sources }}"
        hosts: "{{ groups['clawops'] | default([]) }}"
"""

RETURN = r"""
fleets:
  description: Every fleet inventory source with its fleet directory and number of gateways.
  returned: success
  type: list
  elements: dict
  sample: [{source: /srv/git/acme/inventory/fleet.clawops.yml, fleet_dir: /srv/git/acme/fleet, gateways: 3}]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import FleetError
from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import check_inventory


def main():
    module = AnsibleModule(
        argument_spec={
            "sources": {"type": "list", "elements": "str", "required": True},
            "hosts": {"type": "list", "elements": "str", "default": []},
            "fleet_dirs": {"type": "list", "elements": "str", "default": []},
        },
        supports_check_mode=True,
    )
    try:
        fleets = check_inventory(module.params["sources"], module.params["hosts"],
                                 module.params["fleet_dirs"])
    except FleetError as exc:
        module.fail_json(msg="the inventory is not a clawops fleet that loads: %s"
                             % exc.render())
    module.exit_json(changed=False, fleets=fleets)


if __name__ == "__main__":
    main()
