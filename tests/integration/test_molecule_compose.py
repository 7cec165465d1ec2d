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

from helpers import run_molecule

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
    run_molecule("compose", STEPS, CLAWOPS_DOCKER_CLI=os.path.realpath(shutil.which("docker")),
                 CLAWOPS_COMPOSE_PLUGIN=_compose_plugin())
    leftovers = subprocess.run(["docker", "ps", "-a", "--filter", "name=^mol-gw-",
                                "--format", "{{.Names}}"], capture_output=True, text=True,
                               check=True).stdout.split()
    assert leftovers == [], leftovers
