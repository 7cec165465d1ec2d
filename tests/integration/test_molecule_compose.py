# -*- coding: utf-8 -*-
"""Molecule scenario `compose` (extensions/molecule/compose), run as a user runs it.

`molecule test -s compose`: cleanup, destroy, syntax, create (the compose host container,
built locally from the debootstrap base), prepare (tokens, gateway image), converge
(site.yml), idempotence (a second converge must change nothing), verify, cleanup, destroy.
Two real gateways start on the host's Docker engine: one run per session.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from conftest import COLLECTIONS, ROOT
from helpers import BIN

pytestmark = pytest.mark.real

STEPS = ("cleanup", "destroy", "syntax", "create", "prepare", "converge", "idempotence",
         "verify")


def _compose_plugin():
    """The host's docker-compose CLI plugin, as the docker CLI reports it."""
    out = subprocess.run(["docker", "info", "--format", "{{json .ClientInfo.Plugins}}"],
                         capture_output=True, text=True, check=True).stdout
    found = re.search(r'"Name":"compose"[^}]*"Path":"([^"]+)"', out)
    return found.group(1) if found else "/usr/libexec/docker/cli-plugins/docker-compose"


def test_molecule_compose_scenario():
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_NOCOLOR="1",
               ANSIBLE_FORCE_COLOR="0", NO_COLOR="1", PY_COLORS="0",
               PATH=BIN + os.pathsep + os.environ.get("PATH", ""),
               CLAWOPS_DOCKER_CLI=os.path.realpath(shutil.which("docker")),
               CLAWOPS_COMPOSE_PLUGIN=_compose_plugin())
    env.pop("ANSIBLE_CONFIG", None)
    proc = subprocess.run([os.path.join(BIN, "molecule"), "test", "-s", "compose"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=1800, check=False)
    out = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    assert proc.returncode == 0, out[-6000:]
    for step in STEPS:
        assert re.search(r"compose (?:➜|>) %s: Executed: Successful" % step, out), (step, out[-4000:])
    leftovers = subprocess.run(["docker", "ps", "-a", "--filter", "name=^mol-gw-",
                                "--format", "{{.Names}}"], capture_output=True, text=True,
                               check=True).stdout.split()
    assert leftovers == [], leftovers
