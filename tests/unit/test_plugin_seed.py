# -*- coding: utf-8 -*-
"""The plugin seed script (both providers run it) against a real sh and file system."""

from __future__ import annotations

import os
import subprocess

from ansible_collections.clawops.orchestrator.plugins.module_utils._plugin_seed import (
    seed_script)


def _project(root, name, lock):
    path = root / "npm" / "projects" / name
    (path / "node_modules" / "@openclaw" / "slack").mkdir(parents=True)
    (path / "package-lock.json").write_text(lock)
    (path / "node_modules" / "@openclaw" / "slack" / "package.json").write_text(lock)
    os.symlink("/opt/openclaw/node_modules/openclaw", path / "node_modules" / "openclaw")
    return path


def _run(seed, state):
    return subprocess.run(["/bin/sh", "-c", seed_script(str(state), str(seed))],
                          capture_output=True, text=True, check=False)


def test_seeds_missing_and_changed_projects_only(tmp_path):
    seed, state = tmp_path / "seed", tmp_path / "state"
    _project(seed, "openclaw-slack-b25c10c1bd", '{"v": 1}')
    first = _run(seed, state)
    assert first.returncode == 0, first.stderr
    assert first.stdout.split() == ["seeded", "openclaw-slack-b25c10c1bd"]
    copied = state / "npm" / "projects" / "openclaw-slack-b25c10c1bd"
    assert os.readlink(copied / "node_modules" / "openclaw") == \
        "/opt/openclaw/node_modules/openclaw"
    # the gateway writes into its projects; an unchanged lock file leaves them alone
    (copied / "marker").write_text("gateway's own")
    again = _run(seed, state)
    assert (again.returncode, again.stdout) == (0, "")
    assert (copied / "marker").exists()
    # a new image with another version replaces the project whole
    (seed / "npm" / "projects" / "openclaw-slack-b25c10c1bd" / "package-lock.json").write_text(
        '{"v": 2}')
    third = _run(seed, state)
    assert third.stdout.split() == ["seeded", "openclaw-slack-b25c10c1bd"]
    assert not (copied / "marker").exists()
    assert (copied / "package-lock.json").read_text() == '{"v": 2}'
    assert not list((state / "npm" / "projects").glob("*.seeding"))


def test_an_image_without_a_seed_fails_with_the_fix(tmp_path):
    proc = _run(tmp_path / "none", tmp_path / "state")
    assert proc.returncode == 1
    assert "has no plugin seed" in proc.stderr and "gateway_image" in proc.stderr
