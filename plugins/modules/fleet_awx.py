#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_awx
short_description: What AWX should hold to run a clawops fleet, computed from the fleet
version_added: 0.2.0
description:
  - Reads the fleet definition and returns, as data, the AWX (Automation Controller) objects
    that run it - project, inventory and its fleet source, credential types (Vault/OpenBao,
    Kubernetes), one job template per day-2 action (deploy, update, agent, pairing,
    rotation, backup, restore, rollback, lifecycle, removal, status, preflight, audit) with
    its survey, schedules, team permissions and, for every action the operator roles mark
    high-risk (admin only) and for agent changes, a workflow - review, approval node,
    change.
  - Survey choices come from the fleet - its gateways and groups, its catalog's models, the
    agent kinds. Run C(playbooks/awx.yml) again after the fleet changed.
  - Changes nothing; C(playbooks/awx.yml) hands the result to the C(awx.awx) modules.
author:
  - clawops contributors (@clawops)
extends_documentation_fragment:
  - clawops.orchestrator.fleet_reader
options:
  fleet_dir:
    description: Directory holding C(fleet.yml).
    type: path
    required: true
  project_scm_url:
    description: The git repository of the AWX project (the fleet definition and the inventory file).
    type: str
    required: true
  project_scm_branch:
    description: Its branch.
    type: str
    default: main
  project_scm_credential:
    description: The AWX source control credential for it.
    type: str
  organization:
    description: The AWX organization (default the fleet's display name).
    type: str
  prefix:
    description: Name prefix of every object (default C(clawops <org_slug>)).
    type: str
  inventory_file:
    description: The fleet inventory file in the project (C(plugin - clawops.orchestrator.fleet)).
    type: str
    default: inventory/fleet.clawops.yml
  playbook_dir:
    description:
      - Directory of the project that holds one small playbook per job template, each
        importing the collection's playbook (AWX runs playbooks of its project only); the
        result's C(project_playbooks) are their paths and texts.
    type: str
    default: clawops
  execution_environment:
    description: The EE image jobs run in (docs/awx.md builds one); none - AWX's default.
    type: str
  credentials:
    description: Credentials every job template gets (Vault/OpenBao, Kubernetes, machine).
    type: list
    elements: str
    default: []
  admin_team:
    description: Team that may launch everything, high-risk changes through their workflow, and approve.
    type: str
  operator_team:
    description: Team that may launch the operator-level templates and the agent workflow.
    type: str
  schedules:
    description:
      - rrules by schedule key (C(backup), C(integrity), C(drill), C(report), C(status), C(audit), C(compliance)) replacing
        the defaults; null leaves one out.
    type: dict
    default: {}
  approval_timeout:
    description: Seconds an approval node waits before it fails.
    type: int
    default: 86400
"""

EXAMPLES = r"""
- name: What AWX should hold for the fleet
  clawops.orchestrator.fleet_awx:
    fleet_dir: "{{ clawops_fleet_dir }}"
    project_scm_url: https://git.example/acme/fleet.git
    execution_environment: registry.example/clawops/ee:0.1.0
    credentials: [acme vault, acme docker hosts]
    admin_team: platform
    operator_team: helpdesk
  register: awx
"""

RETURN = r"""
awx:
  description:
    - C(organization), C(project), C(inventory), C(inventory_source), C(credential_types),
      C(execution_environment), C(job_templates) (each with C(survey_spec), C(playbook),
      C(collection_playbook), C(action), C(high_risk)), C(schedules), C(workflows) (each with
      C(nodes)), C(roles) and C(project_playbooks) (C(path), C(content)).
  returned: success
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.orchestrator.plugins.module_utils._awx import awx_plan
from ansible_collections.clawops.orchestrator.plugins.module_utils._catalog import load_catalog
from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import FleetError
from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet


def main():
    module = AnsibleModule(
        argument_spec={
            "fleet_dir": {"type": "path", "required": True},
            "project_scm_url": {"type": "str", "required": True},
            "project_scm_branch": {"type": "str", "default": "main"},
            "project_scm_credential": {"type": "str"},
            "organization": {"type": "str"},
            "prefix": {"type": "str"},
            "inventory_file": {"type": "str", "default": "inventory/fleet.clawops.yml"},
            "playbook_dir": {"type": "str", "default": "clawops"},
            "execution_environment": {"type": "str"},
            "credentials": {"type": "list", "elements": "str", "default": []},
            "admin_team": {"type": "str"},
            "operator_team": {"type": "str"},
            "schedules": {"type": "dict", "default": {}},
            "approval_timeout": {"type": "int", "default": 86400},
        },
        supports_check_mode=True,
    )
    p = module.params
    try:
        fleet = load_fleet(p["fleet_dir"])
        models = sorted(load_catalog(fleet).ids("models"))
        plan = awx_plan(fleet, models, {
            "organization": p["organization"], "prefix": p["prefix"],
            "project": {"scm_url": p["project_scm_url"], "scm_branch": p["project_scm_branch"],
                        "scm_credential": p["project_scm_credential"]},
            "inventory_file": p["inventory_file"], "playbook_dir": p["playbook_dir"],
            "execution_environment": p["execution_environment"],
            "credentials": p["credentials"],
            "teams": {"admin": p["admin_team"], "operator": p["operator_team"]},
            "schedules": p["schedules"], "approval_timeout": p["approval_timeout"]})
    except FleetError as exc:
        module.fail_json(msg=exc.render())
    module.exit_json(changed=False, awx=plan)


if __name__ == "__main__":
    main()
