# -*- coding: utf-8 -*-
"""A Compose gateway's tree, workspaces and seed documents (gateway_tree's core)."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils import _hosttree as ht
from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
from ansible_collections.clawops.orchestrator.plugins.module_utils._render import render_fleet

from conftest import EXAMPLE_FLEET


def test_the_seed_documents_name_the_agent_its_gateway_and_owner():
    docs = ht.seed_documents({"id": "carol", "kind": "human", "owner": "carol@acme.example"},
                             "gw-people", "acme")
    assert docs["AGENTS.md"] == (
        "# carol\n\nAgent `carol` of gateway `gw-people` (acme).\nBelongs to carol@acme.example.\n"
        "This file was seeded once by clawops; edit it freely, it is never overwritten.\n")
    assert docs["IDENTITY.md"] == ("# Identity\n\n- Agent: carol\n- Kind: human\n"
                                   "- Owner: carol@acme.example\n")
    bot = ht.seed_documents({"id": "bot", "kind": "usecase", "owner": None}, "gw-x", "acme")
    assert "Belongs" not in bot["AGENTS.md"] and "Owner" not in bot["IDENTITY.md"]


@pytest.mark.skipif(os.geteuid() != 0, reason="sets owners (runs as root in CI)")
def test_apply_makes_the_tree_seeds_once_and_never_overwrites(tmp_path):
    plan = render_fleet(load_fleet(EXAMPLE_FLEET))["gw-people"]
    root = plan.runtime["host_paths"]["root"]
    paths = {k: str(tmp_path) + v[len(root):] if isinstance(v, str) and v.startswith(root) else v
             for k, v in plan.runtime["host_paths"].items()}
    agents = [dict(a, host_workspace=str(tmp_path) + a["host_workspace"][len(root):])
              for a in plan.runtime["agents"]]
    entries = ht.plan_tree(paths, agents, "gw-people", "acme")
    assert ht.apply_tree(entries, check=True)
    assert not os.path.exists(paths["state_dir"])  # check mode writes nothing
    first = ht.apply_tree(entries)
    assert "seeded %s/AGENTS.md" % agents[0]["host_workspace"] in first
    info = os.stat(paths["state_dir"])
    assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (ht.GATEWAY_UID, 0o700)
    info = os.stat(paths["revisions_dir"])
    assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (0, 0o700)
    edited = os.path.join(agents[0]["host_workspace"], "IDENTITY.md")
    with open(edited, "w", encoding="utf-8") as handle:
        handle.write("# changed by a person\n")
    os.chmod(paths["logs_dir"], 0o777)
    assert ht.apply_tree(entries) == ["owner/mode of %s/ -> %d:%d 0750" % (
        paths["logs_dir"], ht.GATEWAY_UID, ht.GATEWAY_UID)]
    assert ht.apply_tree(entries) == []
    with open(edited, encoding="utf-8") as handle:
        assert handle.read() == "# changed by a person\n"


def test_the_gateway_uid_is_not_the_first_persons_account():
    assert ht.GATEWAY_UID not in range(1000, 60000) and ht.GATEWAY_UID != 0


@pytest.mark.skipif(os.geteuid() != 0, reason="sets owners (runs as root in CI)")
def test_state_an_earlier_uid_owned_is_reowned_once_without_following_links(tmp_path):
    """An existing gateway's files that belonged to uid 1000 (before issue 17) are given to
    the gateway's uid on the next deploy; a link inside is re-owned itself, its target not."""
    state = tmp_path / "state"
    (state / "agents").mkdir(parents=True)
    (state / "agents" / "db.sqlite").write_text("x")
    outside = tmp_path / "outside"
    outside.write_text("root's")
    os.symlink(outside, state / "link")
    for path in (state, state / "agents", state / "agents" / "db.sqlite"):
        os.chown(path, 1000, 1000)
    entries = [{"path": str(state), "kind": "dir", "uid": ht.GATEWAY_UID, "mode": 0o700,
                "recursive": True}]
    changes = ht.apply_tree(entries)
    assert changes[0] == "re-owned %s/ and everything in it -> %d:%d (was uid 1000)" % (
        state, ht.GATEWAY_UID, ht.GATEWAY_UID)
    assert os.stat(state / "agents" / "db.sqlite").st_uid == ht.GATEWAY_UID
    assert os.lstat(state / "link").st_uid == ht.GATEWAY_UID
    assert os.stat(outside).st_uid == 0
    assert ht.apply_tree(entries) == []


def test_a_file_where_a_directory_belongs_is_an_error(tmp_path):
    (tmp_path / "state").write_text("x")
    with pytest.raises(OSError, match="not a directory"):
        ht.apply_tree([{"path": str(tmp_path / "state"), "kind": "dir", "uid": 0,
                        "mode": 0o700}], check=True)


def test_a_directory_that_is_both_state_and_workspace_root_gets_one_mode():
    paths = {"root": "/srv/g", "config_dir": "/srv/g/config", "home": "/srv/g/home",
             "state_dir": "/srv/hand/state", "workspace_root": "/srv/hand/state",
             "logs_dir": "/srv/g/logs", "revisions_dir": "/srv/g/revisions",
             "backups_dir": "/srv/g/backups"}
    entries = [e for e in ht.plan_tree(paths, [], "gw", "acme") if e["path"] == "/srv/hand/state"]
    assert len(entries) == 1 and entries[0]["mode"] == 0o700  # the state's, the stricter
