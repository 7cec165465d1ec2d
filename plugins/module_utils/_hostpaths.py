# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a Compose gateway lives on its host, confined below the host's roots.

The deploy creates, chowns and (on ``absent``) deletes these directories as root, so a
fleet file must not be able to point them at ``/etc`` or another gateway's tree. The schema
already refuses paths that are not absolute and normal (no ``.``/``..`` segment, no
``//``, nothing YAML or a shell would read); here every path must lie strictly below the
host's ``root`` or one of its ``extra_roots``, and no root may be a system directory.
Pure Python, no Ansible imports."""

from __future__ import annotations

import posixpath

from ._errors import FleetErrors, ReferenceProblem
from ._fleet import DEFAULT_COMPOSE_ROOT, FLEET_FILE
from ._paths import below

# a root may be neither one of these nor below the first set
SYSTEM_TREES = ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32",
                "/proc", "/root", "/run", "/sbin", "/sys", "/usr")
SYSTEM_DIRS = ("/home", "/media", "/mnt", "/opt", "/srv", "/tmp", "/var", "/var/lib",
               "/var/tmp", "/var/log", "/var/run", "/usr/local")
OVERRIDES = ("state_dir", "workspace_root", "config_dir")


def system_root(path):
    """Why ``path`` cannot be a root (a message), or None."""
    if path in SYSTEM_DIRS or path in SYSTEM_TREES:
        return "%s is a system directory" % path
    for tree in SYSTEM_TREES:
        if below(path, tree) and not below(path, "/usr/local"):
            return "%s is inside the system directory %s" % (path, tree)
    return None


def host_paths(host_name, host, org_slug, gw_id, gw_file, root_override=None,
               path_overrides=None):
    """The host-side paths of one gateway, or FleetErrors naming each path that escapes."""
    path_overrides = path_overrides or {}
    host_root = posixpath.normpath(host.get("root", DEFAULT_COMPOSE_ROOT))
    roots = [(host_root, ("targets", "compose_hosts", host_name, "root"))]
    roots.extend((posixpath.normpath(extra),
                  ("targets", "compose_hosts", host_name, "extra_roots", index))
                 for index, extra in enumerate(host.get("extra_roots", ())))
    errors = []
    for root, key_path in roots:
        why = system_root(root)
        if why:
            errors.append(ReferenceProblem(
                "host root %s: %s, and the deploy would create, chown and delete below it"
                % (root, why), FLEET_FILE, key_path,
                "use a directory of its own, e.g. /srv/clawops", code="path.system-root"))
    root = posixpath.normpath(root_override or posixpath.join(host_root, org_slug, gw_id))
    claims = [("root", root, ("provider", "root"))] if root_override else []
    claims.extend((name, posixpath.normpath(path_overrides[name]), ("provider", "paths", name))
                  for name in OVERRIDES if name in path_overrides)
    allowed = [root_path for root_path, dummy in roots]
    for name, path, key_path in claims:
        if not any(below(path, r) for r in allowed):
            errors.append(ReferenceProblem(
                "%s %s is not below the host's roots (%s)" % (name, path, ", ".join(allowed)),
                gw_file, key_path,
                "place it below %s, or list its parent directory in "
                "targets.compose_hosts.%s.extra_roots (fleet.yml)" % (host_root, host_name),
                code="path.outside-root"))
    if errors:
        raise FleetErrors(errors)
    config_dir = posixpath.normpath(path_overrides.get("config_dir", root + "/config"))
    return {
        "root": root,
        "config_dir": config_dir,
        "config_path": config_dir + "/openclaw.json",
        "env_file": root + "/gateway.env",
        "state_dir": posixpath.normpath(path_overrides.get("state_dir", root + "/state")),
        "workspace_root": posixpath.normpath(path_overrides.get("workspace_root",
                                                                root + "/workspaces")),
        "home": root + "/home",
        "logs_dir": root + "/logs",
        "log_file": root + "/logs/openclaw.log",
        "revisions_dir": root + "/revisions",
        "backups_dir": root + "/backups",
    }
