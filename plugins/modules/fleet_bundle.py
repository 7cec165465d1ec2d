#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_bundle
short_description: Back up the fleet definition's git repository as a verified git bundle
version_added: 0.9.0
description:
  - "Writes C(<dest>/<org>-fleet-<UTC time>-<refs>.bundle) - every branch and tag of the git
    repository that holds O(fleet_dir) (C(git bundle create --all)) - checks it with
    C(git bundle verify), writes its sha256 next to it, and keeps the newest O(keep)."
  - A bundle is made only when the repository's refs changed since the newest bundle (the
    C(<refs>) part of the name is a digest of C(git show-ref)); otherwise nothing changes.
  - "Restore - C(git clone <bundle> fleet) (docs/operations.md). A bundle holds what is
    committed: uncommitted changes in the fleet directory are reported (RV(dirty)), not saved."
  - A fleet directory that is not in a git repository is reported (RV(skipped)), not an error.
author:
  - clawops contributors (@clawops)
options:
  fleet_dir:
    description: The fleet definition's directory.
    type: path
    required: true
  dest:
    description: Where bundles go (0700).
    type: path
    required: true
  org:
    description: The org slug the bundles are named by.
    type: str
    required: true
  keep:
    description: Bundles kept (the oldest are removed); 0 keeps all.
    type: int
    default: 30
attributes:
  check_mode:
    description: Says whether a bundle would be made; writes nothing.
    support: full
  diff_mode:
    description: No diff.
    support: none
  idempotent:
    description: Unchanged refs make no new bundle.
    support: full
requirements:
  - git on the controller
"""

EXAMPLES = r"""
- name: Bundle the fleet repository
  clawops.orchestrator.fleet_bundle:
    fleet_dir: "{{ clawops_fleet_dir }}"
    dest: ~/.clawops/backups/fleet
    org: acme
"""

RETURN = r"""
bundle:
  description: The bundle made, or the newest one when the refs did not change.
  returned: unless skipped
  type: str
sha256:
  description: The bundle's sha256.
  returned: when a bundle was made
  type: str
dirty:
  description: Whether the fleet directory has uncommitted changes (not in the bundle).
  returned: unless skipped
  type: bool
skipped:
  description: Why nothing was bundled (the fleet directory is not in a git repository).
  returned: when skipped
  type: str
removed:
  description: Bundles removed by O(keep).
  returned: always
  type: list
  elements: str
"""

import datetime
import hashlib
import os
import re

from ansible.module_utils.basic import AnsibleModule


def _git(module, repo, *args):
    rc, out, err = module.run_command(["git", "-C", repo] + list(args))
    return rc, out, err


def main():
    module = AnsibleModule(
        argument_spec=dict(
            fleet_dir=dict(type="path", required=True),
            dest=dict(type="path", required=True),
            org=dict(type="str", required=True),
            keep=dict(type="int", default=30),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if not re.match(r"^[a-z0-9][a-z0-9-]*$", p["org"]):
        module.fail_json(msg="fleet_bundle: org %r is not an org slug" % p["org"])
    if not module.get_bin_path("git"):
        module.fail_json(msg="fleet_bundle: git is not installed on the controller (bindep.txt)")
    rc, top, dummy = _git(module, p["fleet_dir"], "rev-parse", "--show-toplevel")
    if rc != 0:
        module.exit_json(changed=False, removed=[], skipped="%s is not in a git repository: "
                         "the fleet definition is not bundled (keep it in git)" % p["fleet_dir"])
    top = top.strip()
    rc, refs, err = _git(module, top, "show-ref")
    if rc != 0 or not refs.strip():
        module.exit_json(changed=False, removed=[], skipped="the repository %s has no commits yet" % top)
    digest = hashlib.sha256(refs.encode("utf-8")).hexdigest()[:12]
    dirty = bool(_git(module, top, "status", "--porcelain", "--", p["fleet_dir"])[1].strip())
    prefix = "%s-fleet-" % p["org"]
    existing = sorted(n for n in os.listdir(p["dest"]) if n.startswith(prefix) and n.endswith(".bundle")) \
        if os.path.isdir(p["dest"]) else []
    if existing and existing[-1].endswith("-%s.bundle" % digest):
        module.exit_json(changed=False, bundle=os.path.join(p["dest"], existing[-1]), dirty=dirty, removed=[])
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = os.path.join(p["dest"], "%s%s-%s.bundle" % (prefix, stamp, digest))
    if module.check_mode:
        module.exit_json(changed=True, bundle=path, dirty=dirty, removed=[])
    os.makedirs(p["dest"], mode=0o700, exist_ok=True)
    tmp = path + ".tmp"
    rc, out, err = _git(module, top, "bundle", "create", tmp, "--all")
    if rc != 0:
        module.fail_json(msg="git bundle create failed for %s: %s" % (top, err.strip()))
    rc, out, err = _git(module, top, "bundle", "verify", tmp)
    if rc != 0:
        os.remove(tmp)
        module.fail_json(msg="the new bundle of %s does not verify: %s" % (top, err.strip()))
    sha = hashlib.sha256()
    with open(tmp, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    with open(path + ".sha256", "w", encoding="utf-8") as handle:
        handle.write("%s  %s\n" % (sha.hexdigest(), os.path.basename(path)))
    removed = []
    bundles = existing + [os.path.basename(path)]
    if p["keep"] > 0 and len(bundles) > p["keep"]:
        for name in bundles[:-p["keep"]]:
            for suffix in ("", ".sha256"):
                if os.path.exists(os.path.join(p["dest"], name + suffix)):
                    os.remove(os.path.join(p["dest"], name + suffix))
            removed.append(name)
    module.exit_json(changed=True, bundle=path, sha256=sha.hexdigest(), dirty=dirty, removed=removed)


if __name__ == "__main__":
    main()
