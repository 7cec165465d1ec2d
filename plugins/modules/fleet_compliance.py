#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_compliance
short_description: The compliance report of a quarter (or any period) from the audit trail
version_added: 0.4.0
description:
  - Verifies the fleet's audit trail (as M(clawops.orchestrator.fleet_audit) does - hash
    chain, MACs, witnessed head) and reports what it holds for the period - changes by actor
    and kind, results by kind, failures and rollbacks, refusals, secret rotations, pairing
    decisions, backups, restores and rollbacks with their success rates and each gateway's
    last good backup, drills.
  - Writes the report as JSON and as one self-contained HTML page (no external resource;
    every value escaped). Events carry no secret (their writer redacts them); the report
    copies no event details but counts, decisions and times.
  - The report says when the trail is not intact, and where the trail records nothing of a
    kind (drills, preflight refusals) instead of counting zero.
  - Rewrites the files only when the report's content changed (its generation time aside),
    so a second run with nothing new reports no change.
author:
  - clawops contributors (@clawops)
options:
  path:
    description: The audit trail (JSON lines).
    type: path
    required: true
  quarter:
    description: The quarter, like V(2026Q4) or V(2026-Q4) (UTC).
    type: str
  start:
    description: First day of the period (YYYY-MM-DD), with O(end), instead of O(quarter).
    type: str
  end:
    description: Last day of the period (YYYY-MM-DD, included).
    type: str
  org:
    description: The organization's name in the report.
    type: str
    default: ""
  json_path:
    description: Where to write the report as JSON.
    type: path
  html_path:
    description: Where to write the report as HTML.
    type: path
extends_documentation_fragment:
  - clawops.orchestrator.audit_key
attributes:
  check_mode:
    description: Builds the report, writes nothing; says whether the files would change.
    support: full
  diff_mode:
    description: No diff.
    support: none
  idempotent:
    description: A second run over an unchanged trail changes nothing.
    support: full
"""

EXAMPLES = r"""
- name: The fourth quarter's compliance report
  clawops.orchestrator.fleet_compliance:
    path: ~/.clawops/events/acme.jsonl
    quarter: 2026Q4
    org: acme
    json_path: ~/.clawops/reports/acme-compliance-2026Q4.json
    html_path: ~/.clawops/reports/acme-compliance-2026Q4.html
"""

RETURN = r"""
report:
  description: The report (period, trail verdict, counts, the tables of the page).
  returned: always
  type: dict
intact:
  description: Whether the whole trail verifies.
  returned: always
  type: bool
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.orchestrator.plugins.module_utils._compliance import (
    ComplianceError, build, period, render_html)
from ansible_collections.clawops.orchestrator.plugins.module_utils._html import page_data, write_private
from ansible_collections.clawops.orchestrator.plugins.module_utils._events import (
    AuditError, missing_trail, verify_here)


def _read(path):
    events = []
    with open(path, encoding="utf-8") as handle:
        for text in handle:
            if text.strip():
                try:
                    events.append(json.loads(text))
                except ValueError:
                    continue  # the verdict names the line
    return events


def _same(path, report, page=False):
    """Whether ``path`` holds this report already (its generation time aside); ``page``: the
    HTML page, whose data rides along as JSON."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        old = page_data(text) if page else json.loads(text)
    except (OSError, ValueError, IndexError):
        return False
    return isinstance(old, dict) and dict(old, generated=None) == dict(report, generated=None)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            audit_key_file=dict(type="path", no_log=False),
            quarter=dict(type="str"),
            start=dict(type="str"),
            end=dict(type="str"),
            org=dict(type="str", default=""),
            json_path=dict(type="path"),
            html_path=dict(type="path"),
        ),
        mutually_exclusive=[("quarter", "start"), ("quarter", "end")],
        required_together=[("start", "end")],
        required_one_of=[("quarter", "start")],
        supports_check_mode=True,
    )
    p = module.params
    if not os.path.exists(p["path"]):
        module.fail_json(msg=missing_trail(p["path"]))
    try:
        start, end, label = period(p["quarter"], p["start"], p["end"])
        intact, line, message = verify_here(p["path"], p["audit_key_file"])
        events = _read(p["path"])
        report = build(events, start, end, label, {
            "intact": intact, "first_broken_line": line, "message": message,
            "path": p["path"], "count": len(events)}, org=p["org"])
    except (ComplianceError, AuditError) as exc:
        module.fail_json(msg=str(exc))
    except OSError as exc:
        module.fail_json(msg="cannot read the audit trail %s: %s" % (p["path"], exc))
    changed = bool((p["json_path"] and not _same(p["json_path"], report))
                   or (p["html_path"] and not _same(p["html_path"], report, page=True)))
    if changed and not module.check_mode:
        if p["html_path"]:
            write_private(p["html_path"], render_html(report))
        if p["json_path"]:
            write_private(p["json_path"], json.dumps(report, indent=2, sort_keys=True) + "\n")
    module.exit_json(changed=changed, report=report, intact=intact)


if __name__ == "__main__":
    main()
