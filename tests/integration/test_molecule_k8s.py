# -*- coding: utf-8 -*-
"""Molecule scenario `k8s` (extensions/molecule/k8s), run as a user runs it.

`molecule test -s k8s`: syntax, prepare (the test cluster, tokens), converge (site.yml),
idempotence (a second converge must change nothing), verify, cleanup (lifecycle absent).
One real gateway on the real test cluster, in a namespace of its own.
"""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from conftest import COLLECTIONS, ROOT
from helpers import BIN
from test_k8s import cluster, kubectl  # pylint: disable=unused-import # noqa: F401 (cluster: a fixture)

pytestmark = pytest.mark.real
STEPS = ("syntax", "prepare", "converge", "idempotence", "verify", "cleanup")


def test_molecule_k8s_scenario(cluster):  # noqa: F811
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_NOCOLOR="1",
               ANSIBLE_FORCE_COLOR="0", NO_COLOR="1", PY_COLORS="0",
               PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    env.pop("ANSIBLE_CONFIG", None)
    proc = subprocess.run([os.path.join(BIN, "molecule"), "test", "-s", "k8s"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=1800, check=False)
    out = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    assert proc.returncode == 0, out[-6000:]
    for step in STEPS:
        assert re.search(r"k8s (?:➜|>) %s: Executed: Successful" % step, out), (step, out[-4000:])
    # cleanup removed the gateway and its own namespace
    gone = kubectl(cluster, "get", "namespace", "molk-gw-k")
    assert gone.returncode != 0 and "NotFound" in gone.stderr, gone.stdout
