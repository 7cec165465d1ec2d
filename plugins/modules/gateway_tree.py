#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: gateway_tree
short_description: A Compose gateway's directories, agent workspaces and seed documents in one step
version_added: 0.2.0
description:
  - Runs on the Docker host. Makes the gateway's directory tree under its root (config, home,
    state, workspaces, logs, revisions, backups) with the owner and mode each needs, one
    workspace per agent, and seeds C(AGENTS.md) and C(IDENTITY.md) into a workspace that has
    none. A seed document that exists is never overwritten - the agent's owner may edit it.
  - The layout and the documents come from the core (C(_hosttree)); the Kubernetes seeds
    ConfigMap carries the same documents.
author:
  - clawops contributors (@clawops)
options:
  host_paths:
    description: The gateway's paths on the Docker host (C(clawops_runtime.host_paths)).
    type: dict
    required: true
  agents:
    description:
      - The gateway's agents (C(clawops_runtime.agents)) - C(id), C(kind), C(owner),
        C(host_workspace) of each are used.
    type: list
    elements: dict
    default: []
  gateway:
    description: The gateway's id.
    type: str
    required: true
  org_slug:
    description: The organization's slug.
    type: str
    required: true
  writable_config:
    description: The gateway writes its config (it owns config paths -
      C(clawops_runtime.config_writable)); its config directory is then the gateway's.
    type: bool
    default: false
attributes:
  check_mode:
    description: Lists what a run would create, fix or seed in RV(changes); writes nothing.
    support: full
  diff_mode:
    description: No diff; RV(changes) names every path.
    support: none
notes:
  - Workspace seed trees from the fleet (C(workspace_seed)) are copied from the controller by
    the role before this module runs.
"""

EXAMPLES = r"""
- name: The gateway's tree, workspaces and seed documents
  clawops.orchestrator.gateway_tree:
    host_paths: "{{ clawops_runtime.host_paths }}"
    agents: "{{ clawops_runtime.agents }}"
    gateway: "{{ clawops_gateway.id }}"
    org_slug: "{{ clawops_gateway.org_slug }}"
"""

RETURN = r"""
changes:
  description: One line per directory created or fixed and per document seeded (what would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [created /srv/clawops/acme/gw-people/workspaces/carol/, seeded /srv/clawops/acme/gw-people/workspaces/carol/AGENTS.md]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.orchestrator.plugins.module_utils._hosttree import (
    apply_tree, plan_tree)


def main():
    module = AnsibleModule(
        argument_spec={
            "host_paths": {"type": "dict", "required": True},
            "agents": {"type": "list", "elements": "dict", "default": []},
            "gateway": {"type": "str", "required": True},
            "org_slug": {"type": "str", "required": True},
            "writable_config": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    params = module.params
    try:
        entries = plan_tree(params["host_paths"], params["agents"], params["gateway"],
                            params["org_slug"], params["writable_config"])
        changes = apply_tree(entries, check=module.check_mode)
    except KeyError as exc:
        module.fail_json(msg="gateway_tree: host_paths or an agent lacks %s "
                             "(pass clawops_runtime.host_paths and clawops_runtime.agents)" % exc)
    except OSError as exc:
        module.fail_json(msg="gateway_tree: %s" % exc)
    module.exit_json(changed=bool(changes), changes=changes)


if __name__ == "__main__":
    main()
