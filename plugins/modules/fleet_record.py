#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_record
short_description: Record what a job found about a gateway for the fleet's exporter
version_added: 0.9.0
description:
  - "Writes C(<dir>/<kind>/<gateway>.json) - the data and the time it was found - atomically,
    for the exporter's C(/probe) of that gateway (docs/observability.md): V(agents) (declared
    vs live agents, from a status run), V(drill) (the last restore drill), V(integrity) (the
    integrity check; M(clawops.orchestrator.gateway_backup) records it itself)."
  - A record is the output of a run, not a managed state - it reports C(changed=false).
  - Records hold no secrets (mode 0644).
author:
  - clawops contributors (@clawops)
options:
  dir:
    description: The records directory (C(<observability dir>/facts)).
    type: path
    required: true
  kind:
    description: What is recorded.
    type: str
    required: true
    choices: [agents, drill, integrity]
  gateway:
    description: The gateway's id.
    type: str
    required: true
  data:
    description: The record (a C(time) key, Unix seconds, is added unless given).
    type: dict
    required: true
attributes:
  check_mode:
    description: Writes nothing.
    support: full
  diff_mode:
    description: No diff.
    support: none
  idempotent:
    description: Every run writes the record of its time; it never reports a change.
    support: full
"""

EXAMPLES = r"""
- name: Record declared vs live agents
  clawops.orchestrator.fleet_record:
    dir: ~/.clawops/observability/facts
    kind: agents
    gateway: "{{ clawops_gateway.id }}"
    data: "{{ status.agents }}"
"""

RETURN = r"""
path:
  description: The record's file.
  returned: always
  type: str
"""

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.orchestrator.plugins.module_utils._metrics import (
    MetricsError, fact_path, write_fact)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            dir=dict(type="path", required=True),
            kind=dict(type="str", required=True, choices=["agents", "drill", "integrity"]),
            gateway=dict(type="str", required=True),
            data=dict(type="dict", required=True),
        ),
        supports_check_mode=True,
    )
    p = module.params
    data = dict(p["data"])
    data.setdefault("time", time.time())
    try:
        path = fact_path(p["dir"], p["kind"], p["gateway"])
        if not module.check_mode:
            write_fact(p["dir"], p["kind"], p["gateway"], data)
    except (MetricsError, OSError) as exc:
        module.fail_json(msg="cannot record %s of %s in %s: %s" % (p["kind"], p["gateway"], p["dir"], exc))
    module.exit_json(changed=False, path=path)


if __name__ == "__main__":
    main()
