# -*- coding: utf-8 -*-
"""Molecule scenario `k8s` (extensions/molecule/k8s), run as a user runs it.

`molecule test -s k8s`: syntax, prepare (the test cluster, tokens), converge (site.yml),
idempotence (a second converge must change nothing), verify, cleanup (the role with
state absent).
One real gateway on the real test cluster, in a namespace of its own.
"""

from __future__ import annotations

import pytest

from helpers import kubectl, run_molecule

pytestmark = pytest.mark.real
STEPS = ("syntax", "prepare", "converge", "idempotence", "verify", "cleanup")


def test_molecule_k8s_scenario(cluster):
    run_molecule("k8s", STEPS)
    # cleanup removed the gateway and its own namespace
    gone = kubectl(cluster, "get", "namespace", "molk-gw-k")
    assert gone.returncode != 0 and "NotFound" in gone.stderr, gone.stdout
