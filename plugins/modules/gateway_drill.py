#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: gateway_drill
short_description: Restore drill of a gateway - prepare the scratch instance, compare it
version_added: 0.9.0
description:
  - "Two steps of C(playbooks/drill.yml) (docs/operations.md) around starting and gating the
    scratch instance, on the gateway's Docker host."
  - "V(prepare) - verifies and restores an archive of the gateway (O(archive), default the
    newest) into O(scratch) (config, state, workspaces; as a restore does: MAC and members
    checked, nothing through a link), makes its home and logs directories, turns every
    channel of the restored config off and writes the scratch instance's C(compose.yml) -
    the gateway's own workload named C(<instance>-drill), its data there, the gateway's env
    file, no published port, no restart policy. Returns its runtime (for the gate) and the
    backup's age (RPO)."
  - "V(compare) - asks the running scratch instance for its agents (its own CLI) and compares
    them with the agents the restored config declares; lists the workspace files that differ
    from the source's now (what changed since the backup; Compose only)."
  - "Kubernetes gateway - V(prepare) restores the archive on the controller (where its
    backups are) into O(scratch) (C(home) with the state and workspaces, C(config)) and
    returns the scratch instance's runtime (its own objects and claim in the gateway's
    namespace, named C(<instance>-drill)) and its config (the restored one, every channel
    off); the role applies the objects, pushes the tree into the claim and gates the pod."
  - O(scratch) must be below the gateway's own directory (Compose, on its host) or its
    directory on the controller (Kubernetes).
author:
  - clawops contributors (@clawops)
options:
  action:
    description: Which step.
    type: str
    required: true
    choices: [prepare, compare]
  runtime:
    description: The gateway's runtime (C(clawops_runtime)).
    type: dict
    required: true
  scratch:
    description: The scratch directory (below the gateway's root).
    type: path
    required: true
  image:
    description: For V(prepare) of a Compose gateway, the image the scratch instance runs (the
      gateway's).
    type: str
  ca_bundle:
    description: For V(prepare), the extra CA bundle on the host the gateway mounts, if any.
    type: str
    default: ""
  archive:
    description: For V(prepare), an archive name, a path or V(latest).
    type: str
    default: latest
  key_file:
    description: This host's backup key (see M(clawops.orchestrator.gateway_backup)).
    type: path
  expected_agents:
    description: For V(compare), the agents V(prepare) found in the restored config.
    type: list
    elements: str
    default: []
  timeout:
    description: For V(compare), seconds for the CLI in the scratch instance.
    type: int
    default: 120
attributes:
  check_mode:
    description: V(prepare) says it would restore and changes nothing; V(compare) reads only.
    support: full
  diff_mode:
    description: No diff.
    support: none
  idempotent:
    description: A drill is a run, not a state - V(prepare) always restores afresh.
    support: none
"""

EXAMPLES = r"""
- name: Restore the latest backup into a scratch instance
  clawops.orchestrator.gateway_drill:
    action: prepare
    runtime: "{{ clawops_runtime }}"
    scratch: "{{ clawops_runtime.host_paths.root }}/drill"
    image: "{{ gateway_compose_image }}"
  register: drill
"""

RETURN = r"""
runtime:
  description: For V(prepare), the scratch instance's runtime (instance, endpoint, paths).
  returned: action is prepare
  type: dict
project_dir:
  description: For V(prepare) of a Compose gateway, the directory of the scratch instance's
    compose.yml.
  returned: action is prepare and the gateway runs on Compose
  type: str
home:
  description: For V(prepare) of a Kubernetes gateway, the restored tree (state and
    workspaces) on the controller that push_data puts into the scratch claim.
  returned: action is prepare and the gateway runs on Kubernetes
  type: str
config_text:
  description: For V(prepare) of a Kubernetes gateway, the scratch instance's openclaw.json.
  returned: action is prepare and the gateway runs on Kubernetes
  type: str
config_sha256:
  description: For V(prepare) of a Kubernetes gateway, the SHA-256 of config_text.
  returned: action is prepare and the gateway runs on Kubernetes
  type: str
archive:
  description: For V(prepare), the archive restored (name, made), and RPO (its age in seconds).
  returned: action is prepare
  type: dict
expected_agents:
  description: For V(prepare), the agents the restored config declares.
  returned: action is prepare
  type: list
  elements: str
compared:
  description: For V(compare), agents (expected, live, missing), files (restored, same,
    changed_since_backup, only_in_backup, only_in_source; null for a Kubernetes gateway)
    and ok.
  returned: action is compare
  type: dict
"""

import datetime
import hashlib
import os
import json
import shutil

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.orchestrator.plugins.module_utils._backup import (
    BackupError, archive_time, default_key_file, load_key, resolve, restore_archive, tree_checksums)
from ansible_collections.clawops.orchestrator.plugins.module_utils._devices import parse_json
from ansible_collections.clawops.orchestrator.plugins.module_utils._drill import (
    DrillError, check_scratch, compare, controller_path, drill_config, drill_project, drill_runtime,
    expected_agents, k8s_drill_runtime)
from ansible_collections.clawops.orchestrator.plugins.module_utils._gateway_client import (
    GatewayProblem, connect)
from ansible_collections.clawops.orchestrator.plugins.module_utils._http import http_get
from ansible_collections.clawops.orchestrator.plugins.module_utils._workload import (
    WorkloadError, compose_project, workload)


def _archive(backups_dir, instance, archive):
    """(path, {name, made, rpo_s}) of the archive a drill restores: its age is the RPO."""
    path = resolve(backups_dir, instance, archive)
    made = archive_time(os.path.basename(path), instance)
    now = datetime.datetime.now(datetime.timezone.utc)
    return path, {"name": os.path.basename(path), "made": made.isoformat() if made else None,
                  "rpo_s": round((now - made).total_seconds(), 1) if made else None}


def _prepare(module, p, drill):
    path, archive = _archive(p["runtime"]["host_paths"]["backups_dir"], p["runtime"]["instance"],
                             p["archive"])
    result = {"runtime": drill, "project_dir": p["scratch"], "archive": archive}
    if not p["image"]:
        module.fail_json(msg="gateway_drill prepare of %s: image is required for a Compose "
                             "gateway" % p["runtime"]["instance"])
    if module.check_mode:
        module.exit_json(changed=True, expected_agents=[], **result)
    if os.path.exists(p["scratch"]):
        shutil.rmtree(p["scratch"])
    os.makedirs(p["scratch"], mode=0o750)
    scratch_host = drill["host_paths"]
    try:
        restored = restore_archive(path, {"config": scratch_host["config_dir"], "state": scratch_host["state_dir"],
                                          "workspaces": scratch_host["workspace_root"]},
                                   load_key(p["key_file"] or default_key_file()))
    except BackupError as exc:  # the drill's record names the archive that did not restore
        module.fail_json(msg="gateway_drill prepare of %s: %s" % (p["runtime"]["instance"], exc), **result)
    user = p["runtime"]["user"]
    for key in ("home", "logs_dir", "state_dir", "workspace_root"):
        os.makedirs(scratch_host[key], mode=0o750, exist_ok=True)
        os.chown(scratch_host[key], user["uid"], user["gid"])
    with open(scratch_host["config_path"], encoding="utf-8") as handle:
        text = handle.read()
    with open(scratch_host["config_path"], "w", encoding="utf-8") as handle:
        handle.write(drill_config(text))
    spec = workload(drill, p["image"], ca=bool(p["ca_bundle"]))
    project = drill_project(compose_project(spec, drill, drill["labels"], ca_bundle=p["ca_bundle"]),
                            p["runtime"]["instance"])
    # JSON is YAML: docker compose reads it (the module may not import PyYAML)
    with open(os.path.join(p["scratch"], "compose.yml"), "w", encoding="utf-8") as handle:
        json.dump(project, handle, indent=2, sort_keys=True)
    module.exit_json(changed=True, expected_agents=expected_agents(text), restored=restored["restored"], **result)


def _prepare_k8s(module, p, drill):
    """Kubernetes: the archive restored on the controller (where the gateway's backups are)
    into <scratch>/home (state, workspaces: what push_data packs) and <scratch>/config; the
    scratch instance's config is the restored one with every channel off."""
    runtime = p["runtime"]
    path, archive = _archive(controller_path(runtime["controller_paths"]["backups_dir"]),
                             runtime["instance"], p["archive"])
    home = os.path.join(p["scratch"], "home")
    result = {"runtime": drill, "home": home, "archive": archive}
    if module.check_mode:
        module.exit_json(changed=True, expected_agents=[], config_text="", config_sha256="", **result)
    if os.path.exists(p["scratch"]):
        shutil.rmtree(p["scratch"])
    os.makedirs(p["scratch"], mode=0o700)
    config_dir = os.path.join(p["scratch"], "config")
    try:
        restored = restore_archive(path, {
            "config": config_dir,
            "state": os.path.join(home, os.path.basename(runtime["paths"]["state_dir"])),
            "workspaces": os.path.join(home, os.path.basename(runtime["paths"]["workspace_root"]))},
            load_key(p["key_file"] or default_key_file()))
    except BackupError as exc:
        module.fail_json(msg="gateway_drill prepare of %s: %s" % (runtime["instance"], exc), **result)
    with open(os.path.join(config_dir, "openclaw.json"), encoding="utf-8") as handle:
        text = handle.read()
    drilled = drill_config(text)
    module.exit_json(changed=True, expected_agents=expected_agents(text), restored=restored["restored"],
                     config_text=drilled, config_sha256=hashlib.sha256(drilled.encode("utf-8")).hexdigest(),
                     **result)


def _compare(module, p, drill, expected):
    client = connect(drill["endpoint"], run=module.run_command, http=http_get,
                     docker=module.get_bin_path("docker") or "docker")
    rc, out, err = client.cli(["agents", "list", "--json"], p["timeout"])
    if rc != 0:
        module.fail_json(msg="gateway_drill: the scratch instance %s did not list its agents: %s"
                         % (drill["instance"], (err or out).strip()[-500:]))
    live = parse_json(out, "agents list")
    if drill["provider"] == "k8s":
        # the source's files are in its claim, not on the controller: agents only
        compared = compare(expected, live if isinstance(live, list) else [], {}, {})
        compared["files"] = None
    else:
        compared = compare(expected, live if isinstance(live, list) else [],
                           tree_checksums(drill["host_paths"]["workspace_root"]),
                           tree_checksums(p["runtime"]["host_paths"]["workspace_root"]))
    module.exit_json(changed=False, compared=compared)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            action=dict(type="str", required=True, choices=["prepare", "compare"]),
            runtime=dict(type="dict", required=True),
            scratch=dict(type="path", required=True),
            image=dict(type="str"),
            ca_bundle=dict(type="str", default=""),
            archive=dict(type="str", default="latest"),
            key_file=dict(type="path"),
            expected_agents=dict(type="list", elements="str", default=[]),
            timeout=dict(type="int", default=120),
        ),

        supports_check_mode=True,
    )
    p = module.params
    k8s = p["runtime"].get("provider") == "k8s"
    try:
        if k8s:
            check_scratch(p["scratch"], controller_path(
                p["runtime"].get("controller_paths", {}).get("root", "")))
            drill = k8s_drill_runtime(p["runtime"], p["scratch"])
        else:
            check_scratch(p["scratch"], p["runtime"].get("host_paths", {}).get("root"))
            drill = drill_runtime(p["runtime"], p["scratch"])
        if p["action"] == "prepare":
            if k8s:
                _prepare_k8s(module, p, drill)
            _prepare(module, p, drill)
        _compare(module, p, drill, p["expected_agents"])
    except (DrillError, BackupError, WorkloadError, GatewayProblem, OSError) as exc:
        module.fail_json(msg="gateway_drill %s of %s: %s" % (p["action"], p["runtime"].get("instance"), exc))


if __name__ == "__main__":
    main()
