#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: gateway_backup
short_description: Back up, verify and restore a gateway's config, state and workspaces
version_added: 0.1.0
description:
  - Runs on the Docker host of one gateway.
  - V(create) writes one tar.gz of the config, state and workspace directories with a
    C(MANIFEST.json) (sha256, size, mode and owner of every file), a C(<archive>.sha256)
    file and a C(<archive>.hmac) next to it. The file appears under its final name only when
    complete.
  - The C(.hmac) is an HMAC-SHA256 of the archive with this host's backup key (O(key_file),
    made on the first V(create)). The checksum file and the manifest are written by whoever
    made the archive, so they prove nothing against a swapped one; the MAC does.
  - V(verify) checks the MAC, the archive checksum and every member against the manifest; a
    changed, added or missing file is named, and so is every member a restore would refuse.
  - V(restore) verifies first and refuses a bad archive before touching anything. Members
    whose names are not normal (C(..), C(.), empty segments), that appear twice, that go
    through a symlink of the archive, that are setuid or setgid, devices or FIFOs are
    refused; files are created new below a staging directory next to each target, never
    through a link, then swapped in by rename. Stop the gateway before and gate it after
    (C(playbooks/restore.yml) does).
  - V(list) lists the archives of the gateway, oldest first.
  - V(integrity) is the scheduled integrity check (C(playbooks/integrity.yml)) - every
    archive of the gateway verified as V(verify) does, and the newest intact one extracted
    for real into a scratch directory that is removed afterwards; with O(facts_dir) the
    result is recorded for the fleet's exporter (docs/observability.md). Fails naming every
    refused archive, after recording.
  - For a consistent archive stop the gateway first (the update and backup playbooks do); a
    running gateway may write while the archive is read.
author:
  - clawops contributors (@clawops)
options:
  action:
    description: What to do.
    type: str
    choices: [create, verify, restore, list, integrity]
    default: create
  instance:
    description: The gateway's instance name; archives are named C(<instance>-<UTC time>-<reason>.tar.gz).
    type: str
    required: true
  backups_dir:
    description: Directory of the gateway's archives.
    type: path
    required: true
  config_dir:
    description: The gateway's config directory.
    type: path
  state_dir:
    description: The gateway's state directory.
    type: path
  workspace_root:
    description: The gateway's workspace root.
    type: path
  archive:
    description:
      - For V(verify) and V(restore), an archive name in O(backups_dir), a path, V(latest),
        or C(at:<time>) - the newest archive made at or before that time (point-in-time
        restore; ISO 8601, UTC unless it names an offset).
    type: str
    default: latest
  reason:
    description: A word recorded in the archive name and manifest (V(update), V(manual), ...).
    type: str
    default: manual
  exclude:
    description:
      - Glob patterns of paths (relative to each directory) left out of the archive.
    type: list
    elements: str
    default: []
  keep:
    description: For V(create), keep this many archives of the gateway (oldest removed); 0 keeps all.
      O(retention) replaces it.
    type: int
    default: 10
  retention:
    description:
      - For V(create), which archives of the gateway stay after it (instead of O(keep)) -
        C(last) (the newest N), C(daily), C(weekly), C(monthly) (the newest archive of each of
        the latest N days, ISO weeks, months that have one; UTC, by the time in the name).
        An archive any rule keeps stays. Empty uses O(keep).
      - "For example C({last: 3, daily: 7, weekly: 4, monthly: 12})."
    type: dict
  copy_to:
    description:
      - For V(create), a second target directory (another disk, a mounted share) that gets a
        copy of the new archive with its checksum and MAC files; the copy's sha256 is checked,
        and the copies there are pruned by the same O(retention) (or O(keep)).
    type: path
  key_file:
    description:
      - This host's backup key (32 random bytes, 0600, owned by the user the module runs as).
        V(create) makes it when missing; V(verify) and V(restore) need it.
      - Default C(/etc/clawops/backup.key) for root, else C(~/.config/clawops/backup.key) - apart
        from every backups directory. To restore an archive on another host, copy the key there.
    type: path
  facts_dir:
    description:
      - For V(integrity), the exporter's records directory (C(<observability dir>/facts)); the
        result goes to C(integrity/<gateway>.json) there.
    type: path
  gateway:
    description: For V(integrity) with O(facts_dir), the gateway id the record is named by.
    type: str
  trust_unsigned:
    description:
      - Accept an archive without a C(.hmac) (made before archives were authenticated) on
        V(verify) and V(restore). An archive whose MAC does not match is refused regardless.
    type: bool
    default: false
attributes:
  check_mode:
    description: V(create) and V(restore) report what they would do; V(restore) still verifies.
    support: full
  diff_mode:
    description: No diff.
    support: none
  idempotent:
    description: V(create) makes a new archive on every run (it is a point-in-time copy).
    support: none
notes:
  - Needs root on the Docker host to read the gateway's files and to restore their owners.
"""

EXAMPLES = r"""
- name: Back up a gateway (it is stopped by the play first)
  clawops.orchestrator.gateway_backup:
    instance: "{{ clawops_runtime.instance }}"
    backups_dir: "{{ clawops_runtime.host_paths.backups_dir }}"
    config_dir: "{{ clawops_runtime.host_paths.config_dir }}"
    state_dir: "{{ clawops_runtime.host_paths.state_dir }}"
    workspace_root: "{{ clawops_runtime.host_paths.workspace_root }}"
    reason: update

- name: Restore the latest archive
  clawops.orchestrator.gateway_backup:
    action: restore
    instance: "{{ clawops_runtime.instance }}"
    backups_dir: "{{ clawops_runtime.host_paths.backups_dir }}"
    config_dir: "{{ clawops_runtime.host_paths.config_dir }}"
    state_dir: "{{ clawops_runtime.host_paths.state_dir }}"
    workspace_root: "{{ clawops_runtime.host_paths.workspace_root }}"
    archive: latest
"""

RETURN = r"""
archive:
  description: The archive created, verified or restored.
  returned: action is create, verify or restore
  type: dict
  contains:
    path:
      description: Path of the archive.
      type: str
    sha256:
      description: Checksum of the archive file.
      type: str
    files:
      description: Number of files in it.
      type: int
verify:
  description: Result of the verification.
  returned: action is verify or restore
  type: dict
  contains:
    ok:
      description: Whether the archive is intact.
      type: bool
    errors:
      description: What is wrong, one line per problem.
      type: list
      elements: str
    authenticated:
      description: Whether the archive's MAC matched this host's backup key (false only with O(trust_unsigned)).
      type: bool
archives:
  description: The gateway's archives, oldest first.
  returned: action is list
  type: list
  elements: dict
integrity:
  description: The integrity check of every archive.
  returned: action is integrity
  type: dict
  contains:
    checked:
      description: Archives checked.
      type: int
    failed:
      description: Refused archives, each with its name and up to five errors.
      type: list
      elements: dict
    extracted:
      description: The archive extracted as a test (the newest intact one), or null.
      type: str
    ok:
      description: Whether every archive passed.
      type: bool
restored:
  description: The parts restored (config, state, workspaces).
  returned: action is restore
  type: list
  elements: str
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.orchestrator.plugins.module_utils._backup import (
    BackupError, check_all, copy_archive, create_archive, default_key_file, list_archives, load_key, resolve,
    restore_archive, verify_archive)
from ansible_collections.clawops.orchestrator.plugins.module_utils._metrics import (
    MetricsError, write_fact)


def _parts(params):
    parts = {}
    for part, key in (("config", "config_dir"), ("state", "state_dir"),
                      ("workspaces", "workspace_root")):
        if params[key]:
            parts[part] = params[key]
    return parts


def _integrity(module, params, key_file):
    record = check_all(params["backups_dir"], params["instance"], load_key(key_file),
                       params["trust_unsigned"])
    # the record is the run's output (it changes with every run's time), not a change
    if params["facts_dir"] and not module.check_mode:
        try:
            write_fact(params["facts_dir"], "integrity", params["gateway"], record)
        except (MetricsError, OSError) as exc:
            module.fail_json(msg="cannot record the integrity check in %s: %s" % (params["facts_dir"], exc),
                             integrity=record)
    if not record["ok"]:
        module.fail_json(msg="integrity check of %s: %d of %d archives refused - %s" % (
            params["instance"], len(record["failed"]), record["checked"], "; ".join(
                "%s: %s" % (item["name"], ", ".join(item["errors"][:2])) for item in record["failed"])),
            integrity=record)
    module.exit_json(changed=False, integrity=record)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            action=dict(type="str", default="create",
                        choices=["create", "verify", "restore", "list", "integrity"]),
            instance=dict(type="str", required=True),
            backups_dir=dict(type="path", required=True),
            config_dir=dict(type="path"),
            state_dir=dict(type="path"),
            workspace_root=dict(type="path"),
            archive=dict(type="str", default="latest"),
            reason=dict(type="str", default="manual"),
            exclude=dict(type="list", elements="str", default=[]),
            keep=dict(type="int", default=10),
            retention=dict(type="dict"),
            copy_to=dict(type="path"),
            key_file=dict(type="path"),
            trust_unsigned=dict(type="bool", default=False),
            facts_dir=dict(type="path"),
            gateway=dict(type="str"),
        ),
        required_by={"facts_dir": "gateway"},
        supports_check_mode=True,
    )
    params = module.params
    action = params["action"]
    key_file = params["key_file"] or default_key_file()
    try:
        if action == "list":
            module.exit_json(changed=False,
                             archives=list_archives(params["backups_dir"], params["instance"]))
        if action == "integrity":
            _integrity(module, params, key_file)
        parts = _parts(params)
        if action == "create":
            if not parts:
                module.fail_json(msg="gateway_backup create: give config_dir, state_dir "
                                     "and/or workspace_root")
            missing = [d for d in parts.values() if not os.path.isdir(d)]
            if missing:
                module.fail_json(msg="gateway_backup create: %s does not exist; is the gateway "
                                     "deployed on this host?" % ", ".join(missing))
            if module.check_mode:
                module.exit_json(changed=True, msg="would archive %s into %s" % (
                    ", ".join(sorted(parts)), params["backups_dir"]))
            made = create_archive(parts, params["backups_dir"], params["instance"],
                                  params["reason"], params["exclude"], params["keep"],
                                  key=load_key(key_file, create=True),
                                  retention=params["retention"] or None)
            if params["copy_to"]:
                made["copy"] = copy_archive(made, params["copy_to"], params["instance"],
                                            params["retention"] or None, params["keep"])
            module.exit_json(changed=True, archive=made)
        path = resolve(params["backups_dir"], params["instance"], params["archive"])
        key = load_key(key_file)
        if action == "verify":
            result = verify_archive(path, key, params["trust_unsigned"])
            summary = {"ok": result["ok"], "errors": result["errors"],
                       "authenticated": result["authenticated"]}
            archive = {"path": path, "sha256": result["sha256"]}
            if not result["ok"]:
                module.fail_json(msg="backup %s is damaged or was changed: %s" % (
                    os.path.basename(path), "; ".join(result["errors"][:5])),
                    verify=summary, archive=archive)
            module.exit_json(changed=False, verify=summary, archive=archive)
        if not parts:
            module.fail_json(msg="gateway_backup restore: give the directories to restore")
        if module.check_mode:
            result = verify_archive(path, key, params["trust_unsigned"])
            if not result["ok"]:
                module.fail_json(msg="backup %s is damaged or was changed: %s" % (
                    os.path.basename(path), "; ".join(result["errors"][:5])),
                    verify={"ok": False, "errors": result["errors"]})
            module.exit_json(changed=True, verify={"ok": True, "errors": [],
                                                   "authenticated": result["authenticated"]},
                             archive={"path": path, "sha256": result["sha256"]},
                             restored=[], msg="would restore %s" % os.path.basename(path))
        done = restore_archive(path, parts, key, params["trust_unsigned"])
        module.exit_json(changed=True, restored=done["restored"],
                         verify={"ok": True, "errors": [],
                                 "authenticated": done["verify"]["authenticated"]},
                         archive={"path": path, "sha256": done["verify"]["sha256"],
                                  "files": done["verify"]["files"]})
    except BackupError as exc:
        module.fail_json(msg=str(exc))
    except OSError as exc:
        module.fail_json(msg="gateway_backup %s failed: %s" % (action, exc))


if __name__ == "__main__":
    main()
