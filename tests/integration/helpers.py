# -*- coding: utf-8 -*-
"""Run the real ansible CLIs and the real openclaw CLI from tests."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import COLLECTIONS, ROOT

BIN = os.path.dirname(sys.executable)


def ansible_env(**extra):
    env = dict(os.environ)
    env.update({
        "ANSIBLE_CONFIG": os.path.join(ROOT, "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_LOCAL_TEMP": os.path.join(ROOT, ".build", "ansible-tmp"),
        "PATH": BIN + os.pathsep + env.get("PATH", ""),
    })
    env.update(extra)
    return env


def run_cli(name, args, timeout=300, **env):
    return subprocess.run([os.path.join(BIN, name)] + list(args), cwd=ROOT,
                          env=ansible_env(**env), capture_output=True, text=True,
                          timeout=timeout, check=False)


def openclaw_bin():
    """The pinned openclaw CLI installed by scripts/bootstrap.sh; a missing one fails the test."""
    path = os.environ.get("CLAWOPS_OPENCLAW_BIN") or os.path.join(ROOT, ".tools", "bin",
                                                                  "openclaw")
    if not os.access(path, os.X_OK):
        pytest.fail("openclaw CLI not found at %s: run scripts/bootstrap.sh" % path)
    return path
