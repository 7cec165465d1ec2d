#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_report
short_description: The fleet report - one self-contained HTML page and the same data as JSON
version_added: 0.9.0
description:
  - "Per gateway - live state, version, uptime, channel readiness, declared and live agents,
    the routing table (account to agent), pending pairing requests, the last backup and
    drill, recent errors grouped by signature, the effective policy and the effective config
    with the provenance of every value; the fleet's summary on top (C(playbooks/report.yml),
    docs/operations.md)."
  - The fleet's plans, policy and routing come from the fleet definition in O(fleet_dir)
    (preflight's load and render, on the controller); the live part from O(gateways) - what
    each gateway answered to M(clawops.orchestrator.gateway_status),
    M(clawops.orchestrator.gateway_devices) and M(clawops.orchestrator.gateway_backup).
  - Every value is redacted by key and by value; no token or key is ever shown. The page loads
    nothing and runs no script (its data rides along as JSON).
author:
  - clawops contributors (@clawops)
options:
  fleet_dir:
    description: The fleet definition's directory (the inventory's C(clawops_fleet_dir)).
    type: path
    required: true
  gateways:
    description:
      - By gateway id - C(instance) (its instance name, which dates its archives), C(status)
        (a gateway_status result), C(devices) (a gateway_devices V(list) result), C(archives)
        (a gateway_backup V(list) result's C(archives)).
    type: dict
    required: true
  facts_dir:
    description: The exporter's records directory (C(<observability dir>/facts)), for the last drill.
    type: path
  json_path:
    description: Where the JSON goes.
    type: path
  html_path:
    description: Where the page goes.
    type: path
  title:
    description: The page's title.
    type: str
    default: Fleet report
attributes:
  check_mode:
    description: Builds the report, writes nothing.
    support: full
  diff_mode:
    description: No diff.
    support: none
  idempotent:
    description: A report is the state of a moment (uptimes, ages); it is written on every run
      and never reports a change.
    support: full
"""

EXAMPLES = r"""
- name: Write the fleet report
  clawops.orchestrator.fleet_report:
    fleet_dir: "{{ clawops_fleet_dir }}"
    gateways: "{{ report_entries }}"
    html_path: ~/.clawops/reports/fleet.html
    json_path: ~/.clawops/reports/fleet.json
"""

RETURN = r"""
report:
  description: The report's data (summary, errors, gateways).
  returned: always
  type: dict
"""

import json

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.orchestrator.plugins.module_utils._backup import archive_time
from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import FleetError
from ansible_collections.clawops.orchestrator.plugins.module_utils._html import write_private
from ansible_collections.clawops.orchestrator.plugins.module_utils._metrics import (
    MetricsError, read_fact)
from ansible_collections.clawops.orchestrator.plugins.module_utils._preflight import run_preflight
from ansible_collections.clawops.orchestrator.plugins.module_utils._report import build, render_html


def _drill(facts_dir, gateway_id):
    if not facts_dir:
        return None
    try:
        return read_fact(facts_dir, "drill", gateway_id)
    except MetricsError:  # a record that does not read: the report says "no drill recorded"
        return None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            fleet_dir=dict(type="path", required=True),
            gateways=dict(type="dict", required=True),
            facts_dir=dict(type="path"),
            json_path=dict(type="path"),
            html_path=dict(type="path"),
            title=dict(type="str", default="Fleet report"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    try:
        report = run_preflight(p["fleet_dir"], sorted(p["gateways"]))
    except FleetError as exc:
        module.fail_json(msg=exc.render())
    if report.fleet is None:
        module.fail_json(msg="the fleet in %s does not load:\n%s" % (
            p["fleet_dir"], "\n".join(f.render() for f in report.errors)))
    entries = {}
    for gid, given in p["gateways"].items():
        given = given or {}
        instance = given.get("instance") or ""
        archives = []
        for item in given.get("archives") or []:
            made = archive_time(item.get("name", ""), instance)
            archives.append({"name": item.get("name"), "time": made.timestamp() if made else None})
        entries[gid] = {"status": given.get("status") or {}, "devices": given.get("devices") or {},
                        "archives": archives, "drill": _drill(p["facts_dir"], gid)}
    try:
        data = build(report, entries, title=p["title"])
    except FleetError as exc:
        module.fail_json(msg=exc.render())
    if not module.check_mode:
        if p["html_path"]:
            write_private(p["html_path"], render_html(data))
        if p["json_path"]:
            write_private(p["json_path"], json.dumps(data, indent=2, sort_keys=True) + "\n")
    module.exit_json(changed=False, report=data)


if __name__ == "__main__":
    main()
