#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: gateway_revision
short_description: Deployment revisions of a gateway - record, mark, list, show, select a rollback target
version_added: 0.1.0
description:
  - Runs on the Docker host of one gateway. Revisions live in the gateway's C(revisions/)
    directory; each holds the exact C(openclaw.json) and C(compose.yml) it ran, the sha256 of
    the rendered config, of the compose project and of the env file (never its values), the
    image ref and id, actor, times and status.
  - "Status: V(candidate) (applied, not yet gated) -> V(active) (gate passed; one at a time) or
    V(failed) (gate failed, C(rolled_back_to) names the revision restored). An active revision
    becomes V(superseded) when a newer one turns active, V(rolled_back) when a rollback moves
    away from it; a candidate an interrupted run left behind becomes V(interrupted)."
  - V(status) compares the deployed files with the active revision and turns stale
    candidates into V(interrupted). V(record) makes a revision from the deployed files
    (recording V(active) what the active revision already is changes nothing). V(mark) moves
    a revision to a status. V(select) returns the rollback target. V(list) and V(show) read.
author:
  - clawops contributors (@clawops)
options:
  action:
    description: What to do.
    type: str
    choices: [status, record, mark, select, list, show]
    default: list
  revisions_dir:
    description: The gateway's revisions directory.
    type: path
    required: true
  config_path:
    description: The deployed C(openclaw.json).
    type: path
  ownership:
    description: Config paths the gateway owns (C(clawops_runtime.config_ownership)); the
      config's digest is then of its managed part, so what the gateway changes there is not
      a new revision.
    type: dict
    default: {}
  spec_path:
    description:
      - The deployed spec - C(compose.yml) of a Compose gateway, the objects file of a
        Kubernetes one (C(clawops_runtime.records.spec_path)). Its image line names the
        image the revision runs.
    type: path
    aliases: [compose_path]
  env_path:
    description: The deployed env file (only its sha256 is recorded).
    type: path
  status:
    description: For V(record) (V(candidate) or V(active)) and V(mark).
    type: str
    choices: [candidate, active, failed, superseded, rolled_back, interrupted]
  id:
    description: Revision id for V(mark) and V(show).
    type: str
  target:
    description: For V(select), V(active), V(previous), a revision id, or C(at:<time>) (the
      revision active at that time, ISO 8601, UTC unless it names an offset).
    type: str
    default: active
  previous_status:
    description: For V(mark) V(active), what the revision active until now becomes.
    type: str
    choices: [superseded, rolled_back]
    default: superseded
  rolled_back_to:
    description: For V(mark) V(failed), the revision that was restored.
    type: str
  actor:
    description: Who made the change (AWX user or controller login).
    type: str
  source:
    description: What made the revision (V(deploy), V(update), V(rollback)).
    type: str
  note:
    description: Free text kept in the revision's history.
    type: str
  spec:
    description: Runtime facts to keep with the revision (version, resources, ports).
    type: dict
attributes:
  check_mode:
    description: Reports what would be recorded or marked; writes nothing.
    support: full
  diff_mode:
    description: No diff.
    support: none
  idempotent:
    description: Recording the active revision again or marking a revision with its status changes nothing.
    support: full
requirements:
  - the docker CLI on the host (for the image id)
"""

EXAMPLES = r"""
- name: Record the gateway's deployed files as a candidate
  clawops.orchestrator.gateway_revision:
    action: record
    status: candidate
    revisions_dir: "{{ clawops_runtime.records.revisions_dir }}"
    config_path: "{{ clawops_runtime.records.config_path }}"
    spec_path: "{{ clawops_runtime.records.spec_path }}"
    env_path: "{{ clawops_runtime.records.env_path }}"
    actor: "{{ clawops_actor }}"
    source: update
  register: candidate

- name: The gate passed
  clawops.orchestrator.gateway_revision:
    action: mark
    id: "{{ candidate.revision.id }}"
    status: active
    revisions_dir: "{{ clawops_runtime.records.revisions_dir }}"

- name: Which revision would a rollback restore?
  clawops.orchestrator.gateway_revision:
    action: select
    target: previous
    revisions_dir: "{{ clawops_runtime.records.revisions_dir }}"
"""

RETURN = r"""
config_diff:
  description:
    - For V(record), the unified diff of the new revision's openclaw.json against the active
      revision's (empty when nothing was recorded or there was no active revision).
  returned: action is record
  type: str
revision:
  description: The revision recorded, marked, selected or shown (C(files) are the paths of its copies).
  returned: action is record, mark, select or show
  type: dict
revisions:
  description: Summaries of all revisions, oldest first.
  returned: action is list or status
  type: list
  elements: dict
active:
  description: Summary of the active revision (none when the gateway never passed a gate).
  returned: action is status
  type: dict
current_matches_active:
  description: Whether the deployed files and image are exactly the active revision.
  returned: action is status
  type: bool
interrupted:
  description: Ids of candidates an interrupted run left behind, now V(interrupted).
  returned: action is status
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.orchestrator.plugins.module_utils._cli import bounded
from ansible_collections.clawops.orchestrator.plugins.module_utils._redact import scrub_text
from ansible_collections.clawops.orchestrator.plugins.module_utils._revisions import (
    RevisionError, Store, compose_image, fingerprint_of, same, summary)


def _image_id(module, spec_path):
    ref = compose_image(spec_path)
    docker = module.get_bin_path("docker")
    if not ref or not docker:
        return None
    rc, out, dummy = module.run_command(bounded([docker, "image", "inspect", "--format", "{{.Id}}", ref]))
    return out.strip() if rc == 0 and out.strip() else None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            action=dict(type="str", default="list",
                        choices=["status", "record", "mark", "select", "list", "show"]),
            revisions_dir=dict(type="path", required=True),
            config_path=dict(type="path"),
            ownership=dict(type="dict", default={}),
            spec_path=dict(type="path", aliases=["compose_path"]),
            env_path=dict(type="path"),
            status=dict(type="str", choices=["candidate", "active", "failed", "superseded",
                                             "rolled_back", "interrupted"]),
            id=dict(type="str"),
            target=dict(type="str", default="active"),
            previous_status=dict(type="str", default="superseded",
                                 choices=["superseded", "rolled_back"]),
            rolled_back_to=dict(type="str"),
            actor=dict(type="str"),
            source=dict(type="str"),
            note=dict(type="str"),
            spec=dict(type="dict"),
        ),
        required_if=[("action", "record", ("status", "config_path", "spec_path")),
                     ("action", "mark", ("id", "status")),
                     ("action", "show", ("id",))],
        supports_check_mode=True,
    )
    p = module.params
    p["note"] = scrub_text(p["note"])  # a note may quote a failed task: no credential in it
    store = Store(p["revisions_dir"])
    current = {"config": p["config_path"], "compose": p["spec_path"], "env": p["env_path"]}
    try:
        action = p["action"]
        if action == "list":
            module.exit_json(changed=False, revisions=[summary(r) for r in store.all()])
        if action == "show":
            module.exit_json(changed=False, revision=store.load(p["id"]))
        if action == "select":
            module.exit_json(changed=False, revision=store.select(p["target"]))
        if action == "status":
            stale = [r["id"] for r in store.all() if r["status"] == "candidate"]
            if stale and not module.check_mode:
                store.interrupt_candidates(p["actor"])
            active = store.active()
            fingerprint = fingerprint_of(current, _image_id(module, p["spec_path"]),
                                         p["ownership"])
            module.exit_json(changed=bool(stale), interrupted=stale,
                             active=summary(active) if active else None,
                             current_matches_active=bool(active and same(active, fingerprint)),
                             revisions=[summary(r) for r in store.all()])
        if action == "record":
            image_id = _image_id(module, p["spec_path"])
            if module.check_mode:
                active = store.active()
                would = not (p["status"] == "active" and active
                             and same(active, fingerprint_of(current, image_id,
                                                             p["ownership"])))
                module.exit_json(changed=would, revision=summary(active) if not would else None)
            before = store.active()
            revision, changed = store.record(p["status"], p["actor"], current, image_id,
                                             p["source"], p["note"], p["spec"],
                                             p["ownership"])
            diff = store.config_diff(before["id"], revision["id"]) if before and changed else ""
            module.exit_json(changed=changed, revision=revision, config_diff=diff)
        if module.check_mode:
            data = store.load(p["id"])
            module.exit_json(changed=data["status"] != p["status"], revision=data)
        revision, changed = store.mark(p["id"], p["status"], p["actor"], p["note"],
                                       p["rolled_back_to"], p["previous_status"])
        module.exit_json(changed=changed, revision=revision)
    except RevisionError as exc:
        module.fail_json(msg=str(exc))
    except (OSError, ValueError) as exc:
        module.fail_json(msg="gateway_revision %s in %s failed: %s"
                             % (p["action"], p["revisions_dir"], exc))


if __name__ == "__main__":
    main()
