#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_preview
short_description: Show the effective OpenClaw config of gateways and agents, with provenance
version_added: 0.1.0
description:
  - Loads a clawops fleet definition, renders the effective C(openclaw.json) and runtime spec of
    every selected gateway, and reports for each value which layer, file and key path set it.
  - With O(dest), writes C(<dest>/<gateway>/openclaw.json), C(runtime.json) and
    C(provenance.txt) for review. Only files whose content differs are written;
    C(--check --diff) shows exactly those differences and writes nothing.
  - Nothing here holds a secret value; secrets appear only as references.
  - Runs on the controller, in a localhost play or with C(delegate_to=localhost).
author:
  - clawops contributors (@clawops)
options:
  fleet_dir:
    description: Directory holding the fleet definition's C(fleet.yml).
    type: path
    required: true
  gateway:
    description: Only this gateway (default all gateways).
    type: str
  agent:
    description:
      - Only this agent - its entry C(agents.entries.<agent>), the C(agents.defaults) it inherits
        (layer marked C(default)) and the bindings that route to it. Combine with O(gateway)
        when the same agent id exists on several gateways.
    type: str
  dest:
    description:
      - Directory to write the rendered files to (created if missing). Without it nothing is
        written and the module only reports.
    type: path
  include_config:
    description: Return the full effective config and runtime of each selected gateway.
    type: bool
    default: true
  preflight:
    description:
      - Run M(clawops.orchestrator.fleet_preflight)'s checks first and fail, rendering and writing
        nothing, on any error finding. Turn off only to look at the config of a fleet that does not
        pass yet.
    type: bool
    default: true
  openclaw_bin:
    description:
      - Path of an C(openclaw) CLI (the pinned version). When set, every selected gateway's
        rendered config is checked with C(openclaw config validate --json), offline, and the
        task fails if OpenClaw rejects one (RV(validation) lists the issues by key path).
    type: path
attributes:
  check_mode:
    description: Can run in check mode and predict whether files would change, without writing.
    support: full
    details: In check mode files are compared, not written; C(changed) tells whether they would change.
  diff_mode:
    description: Returns details on what has changed (or would change in check mode).
    support: full
    details: One diff per file that would be created or changed.
  idempotent:
    description: A second run with the same input reports no change.
    support: full
    details: A second run with the same fleet writes nothing and reports C(changed=false).
requirements:
  - json5
  - jsonschema
  - PyYAML
notes:
  - Errors in the fleet definition fail the task with one message per problem, each naming
    the file, the key path and the fix; RV(errors) carries them as data.
seealso:
  - name: Fleet reference
    description: Every field of the fleet definition and the layer precedence.
    link: https://example.invalid/clawops/orchestrator/docs/fleet-reference.md
"""

EXAMPLES = r"""
- name: Preview one agent's effective config with provenance
  clawops.orchestrator.fleet_preview:
    fleet_dir: "{{ playbook_dir }}/../examples/fleet"
    gateway: gw-people
    agent: alice
  register: preview

- name: Show it
  ansible.builtin.debug:
    var: preview.preview

- name: Render every gateway into a review tree (idempotent; use --check --diff to compare)
  clawops.orchestrator.fleet_preview:
    fleet_dir: /srv/git/acme-fleet
    dest: /srv/git/acme-fleet-rendered
    include_config: false
"""

RETURN = r"""
gateways:
  description: Ids of the gateways that were rendered for this selection.
  returned: success
  type: list
  elements: str
  sample: [gw-people]
plans:
  description: Per gateway id, its summary, effective config, config hash and runtime spec.
  returned: success and O(include_config=true)
  type: dict
  contains:
    gateway:
      description: Summary (id, instance, org, groups, profile, trust level, wave, provider, port, agents).
      type: dict
    config:
      description: The effective openclaw.json.
      type: dict
    config_sha256:
      description: SHA-256 of the canonical rendered config text.
      type: str
    runtime:
      description: Paths, ports, image pin, env names and secret references (never values).
      type: dict
  sample:
    gw-people:
      config_sha256: 3f2a...
      gateway: {id: gw-people, instance: acme-gw-people, profile: human}
provenance:
  description: One row per leaf of the selected config subtree.
  returned: success
  type: list
  elements: dict
  contains:
    gateway:
      description: Gateway id.
      type: str
    path:
      description: Key path in openclaw.json.
      type: str
    value:
      description: The effective value.
      type: raw
    layer:
      description: Layer that set it (builtin, org, group:<id>, gateway, agent:<id>, managed).
      type: str
    file:
      description: File relative to the fleet directory.
      type: str
    file_path:
      description: Key path inside that file.
      type: str
  sample:
    - gateway: gw-people
      path: agents.entries.alice.model
      value: anthropic/claude-sonnet-4-5
      layer: "agent:alice"
      file: gateways/gw-people.yml
      file_path: "agents[0].model"
preview:
  description: The provenance as aligned text lines, ready for display.
  returned: success
  type: list
  elements: str
files:
  description: Rendered files under O(dest) and whether each was created, changed or unchanged.
  returned: when O(dest) is set
  type: list
  elements: dict
  sample: [{path: /tmp/rendered/gw-people/openclaw.json, status: unchanged}]
validation:
  description: Per gateway id, the verdict of C(openclaw config validate) (valid, issues, warnings).
  returned: when O(openclaw_bin) is set
  type: dict
  sample:
    gw-people: {valid: true, rc: 0, issues: [], warnings: []}
errors:
  description: The fleet definition's problems (file, key_path, message, fix) when it is invalid.
  returned: failure
  type: list
  elements: dict
findings:
  description: Preflight findings (see M(clawops.orchestrator.fleet_preflight)) when preflight fails.
  returned: failure
  type: list
  elements: dict
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import (
    FleetError, FleetErrors)
from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
from ansible_collections.clawops.orchestrator.plugins.module_utils._preflight import run_preflight
from ansible_collections.clawops.orchestrator.plugins.module_utils._preview import (
    agent_rows, compare_tree, provenance_lines, rendered_files, select)
from ansible_collections.clawops.orchestrator.plugins.module_utils._render import render_fleet
from ansible_collections.clawops.orchestrator.plugins.module_utils._validate import (
    ValidatorUnavailable, validate_config)


def _write(module, path, text):
    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o755, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=directory, prefix=".clawops-")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(tmp, 0o644)
    module.atomic_move(tmp, path)


def run(module):
    params = module.params
    report = None
    if params["preflight"]:
        # The same gate as every deploy path: nothing is rendered for an unsafe fleet.
        report = run_preflight(params["fleet_dir"])
        fleet = report.fleet
    else:
        fleet = load_fleet(params["fleet_dir"])
    wanted = None
    if fleet is not None:
        wanted = [params["gateway"]] if params["gateway"] else None
        if params["agent"] and not params["gateway"]:
            wanted = sorted({gw.id for gw, dummy in fleet.find_agent(params["agent"])}) or None
    if report is not None:
        errors = [f for f in report.errors
                  if wanted is None or f.gateway is None or f.gateway in wanted]
        if errors:
            module.fail_json(msg="preflight found %d blocking problem(s); nothing was rendered:"
                             "\n%s" % (len(errors), "\n".join(f.render() for f in errors)),
                             findings=[f.as_dict() for f in report.findings])
        plans = {k: v for k, v in report.plans.items() if wanted is None or k in wanted}
        if wanted and set(wanted) - set(plans):
            plans = render_fleet(fleet, wanted)  # reports the unknown gateway
    else:
        plans = render_fleet(fleet, wanted)
    selection = select(fleet, plans, params["gateway"], params["agent"])

    rows, lines = [], []
    for gw_id, prefix in selection:
        gw_rows = agent_rows(plans[gw_id], prefix[-1]) if prefix else plans[gw_id].provenance()
        title = " agent %s" % prefix[-1] if prefix else ""
        lines.append("== %s (%s)%s" % (gw_id, plans[gw_id].summary["instance"], title))
        lines.extend(provenance_lines(gw_rows))
        rows.extend(dict(row, gateway=gw_id) for row in gw_rows)
    result = {"changed": False, "gateways": sorted({g for g, dummy in selection}),
              "provenance": rows, "preview": lines}
    if params["include_config"]:
        result["plans"] = {gw_id: plans[gw_id].as_dict() for gw_id in result["gateways"]}

    if params["openclaw_bin"]:
        result["validation"] = {}
        for gw_id in result["gateways"]:
            try:
                verdict = validate_config(params["openclaw_bin"], plans[gw_id].config_text)
            except ValidatorUnavailable as exc:
                module.fail_json(msg=str(exc), **result)
            result["validation"][gw_id] = verdict

    if params["dest"]:
        wanted_files = {gw_id: rendered_files(plans[gw_id]) for gw_id in result["gateways"]}
        compared = compare_tree(params["dest"], wanted_files)
        diffs = []
        for item in compared:
            if item["status"] == "unchanged":
                continue
            result["changed"] = True
            diffs.append({"before": item["before"] or "", "after": item["after"],
                          "before_header": item["rel"] + (" (absent)" if item["before"] is None
                                                          else ""),
                          "after_header": item["rel"]})
            if not module.check_mode:
                _write(module, item["path"], item["after"])
        result["files"] = [{"path": i["path"], "status": i["status"]} for i in compared]
        if module._diff and diffs:
            result["diff"] = diffs
    invalid = sorted(g for g, v in result.get("validation", {}).items() if not v["valid"])
    if invalid:
        issues = ["%s: %s: %s" % (g, i.get("path", "?"), i.get("message", "?"))
                  for g in invalid for i in result["validation"][g]["issues"]]
        module.fail_json(msg="OpenClaw rejects the rendered config of %s:\n%s" % (
            ", ".join(invalid), "\n".join(issues)), **result)
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            fleet_dir=dict(type="path", required=True),
            gateway=dict(type="str"),
            agent=dict(type="str"),
            dest=dict(type="path"),
            include_config=dict(type="bool", default=True),
            openclaw_bin=dict(type="path"),
            preflight=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    try:
        result = run(module)
    except FleetErrors as exc:
        module.fail_json(msg=exc.render(), errors=[e.as_dict() for e in exc.errors])
    except FleetError as exc:
        module.fail_json(msg=exc.render(), errors=[exc.as_dict()])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
