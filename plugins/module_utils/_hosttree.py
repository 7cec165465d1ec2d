# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A gateway's files that exist before it starts: the Compose host's directory tree, each
agent's workspace and the two documents seeded into it once (AGENTS.md, IDENTITY.md).

The seed documents are written here once for both providers: the Compose module
``gateway_tree`` writes them on the Docker host, the Kubernetes seeds ConfigMap carries them
(``_k8s_manifests.seed_files``). A document is only ever created, never overwritten: the
agent's owner may edit it.
"""

from __future__ import annotations

import os
import stat

# The gateway's uid and gid, in the image (its `node` user), on the Compose host and in the
# pod: one number, written here. Not 1000 (on most hosts the first person's account, whose
# files the gateway could then read and write): 65532, the "nonroot" id of distroless and
# Chainguard images, in Debian's reserved range 65000-65533 that no package or person gets.
GATEWAY_UID = 65532
# Directories the gateway writes whose contents an earlier version gave another uid: re-owned
# recursively once (without following links) when their own owner differs.
REOWN = ("home", "state_dir", "workspace_root", "logs_dir")

# (host_paths key, owner uid, mode): what the gateway may write belongs to it, the rest to root
DIRECTORIES = (
    ("root", 0, 0o755),
    ("config_dir", 0, 0o755),
    ("home", GATEWAY_UID, 0o750),
    ("state_dir", GATEWAY_UID, 0o700),
    ("workspace_root", GATEWAY_UID, 0o750),
    ("logs_dir", GATEWAY_UID, 0o750),
    ("revisions_dir", 0, 0o700),
    ("backups_dir", 0, 0o700),
)
WORKSPACE_MODE = 0o750
DOCUMENT_MODE = 0o640


def seed_documents(agent, gateway_id, org_slug):
    """{file name: text} seeded once into a new agent's workspace."""
    owner = agent.get("owner")
    agents_md = "# %s\n\nAgent `%s` of gateway `%s` (%s).\n" % (
        agent["id"], agent["id"], gateway_id, org_slug)
    if owner:
        agents_md += "Belongs to %s.\n" % owner
    agents_md += "This file was seeded once by clawops; edit it freely, it is never overwritten.\n"
    identity = "# Identity\n\n- Agent: %s\n- Kind: %s\n" % (agent["id"], agent["kind"])
    if owner:
        identity += "- Owner: %s\n" % owner
    return {"AGENTS.md": agents_md, "IDENTITY.md": identity}


def plan_tree(host_paths, agents, gateway_id, org_slug, writable_config=False):
    """Entries in creation order: ``{path, kind: dir|file, uid, mode[, text]}``.
    ``writable_config``: the gateway writes its config (it owns config paths,
    module_utils/_ownership.py), so the config directory is its own."""
    entries, seen = [], set()
    for key, uid, mode in DIRECTORIES:
        if key == "config_dir" and writable_config:
            # OpenClaw makes the directory of a config it writes 0700 (measured, 2026.9.6)
            uid, mode = GATEWAY_UID, 0o700
        # one directory serving twice (an imported gateway's workspaces inside its state
        # directory, docs/import.md) keeps the first, stricter mode: a second entry would
        # flip it on every run
        if host_paths[key] in seen:
            continue
        seen.add(host_paths[key])
        entries.append({"path": host_paths[key], "kind": "dir", "uid": uid, "mode": mode,
                        "recursive": key in REOWN})
    for agent in agents:
        workspace = agent["host_workspace"]
        entries.append({"path": workspace, "kind": "dir", "uid": GATEWAY_UID,
                        "mode": WORKSPACE_MODE})
        for name, text in sorted(seed_documents(agent, gateway_id, org_slug).items()):
            entries.append({"path": os.path.join(workspace, name), "kind": "file",
                            "uid": GATEWAY_UID, "mode": DOCUMENT_MODE, "text": text})
    return entries


def reown(top, uid):
    """Give ``top`` and everything below it to ``uid`` (links themselves, never followed)."""
    for base, dirs, files in os.walk(top, followlinks=False):
        for name in dirs + files:
            os.lchown(os.path.join(base, name), uid, uid)
    os.lchown(top, uid, uid)


def apply_tree(entries, check=False):
    """Make directories (and fix their owner and mode) and create missing files; an existing
    file is left as it is. Returns what changed, one line per path."""
    changes = []
    for entry in entries:
        path, uid, mode = entry["path"], entry["uid"], entry["mode"]
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            info = None
        if entry["kind"] == "dir":
            if info is not None and not stat.S_ISDIR(info.st_mode):
                raise OSError("%s exists and is not a directory" % path)
            if info is None:
                changes.append("created %s/" % path)
                if not check:
                    os.makedirs(path, mode=mode, exist_ok=True)
                    os.chown(path, uid, uid)
                    os.chmod(path, mode)
                continue
            if entry.get("recursive") and info.st_uid != uid:
                changes.append("re-owned %s/ and everything in it -> %d:%d (was uid %d)"
                               % (path, uid, uid, info.st_uid))
                if not check:
                    reown(path, uid)
                    info = os.lstat(path)
            if (info.st_uid, info.st_gid) != (uid, uid) or stat.S_IMODE(info.st_mode) != mode:
                changes.append("owner/mode of %s/ -> %d:%d %04o" % (path, uid, uid, mode))
                if not check:
                    os.chown(path, uid, uid)
                    os.chmod(path, mode)
            continue
        if info is not None:
            continue  # seeded once, never overwritten
        changes.append("seeded %s" % path)
        if not check:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(entry["text"])
            os.chown(path, uid, uid)
            os.chmod(path, mode)
    return changes
