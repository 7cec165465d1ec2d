# -*- coding: utf-8 -*-
"""Shared fixtures. The collection is imported as ansible_collections.clawops.orchestrator
from .build/collections (a symlink to this checkout made by scripts/bootstrap.sh)."""

from __future__ import annotations

import os
import shutil
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, ".build", "collections")
_LINK = os.path.join(COLLECTIONS, "ansible_collections", "clawops", "orchestrator")
if not os.path.exists(_LINK):
    os.makedirs(os.path.dirname(_LINK), exist_ok=True)
    os.symlink(ROOT, _LINK)
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)

EXAMPLE_FLEET = os.path.join(ROOT, "examples", "fleet")

MINIMAL = {
    "fleet.yml": """
        schema_version: 1
        org: {org_id: test-org, org_slug: test, display_name: Test Org}
        defaults:
          image: {version: "2026.9.6"}
          auth: {mode: token, token: {source: env, var: TEST_GATEWAY_TOKEN}}
        targets:
          compose_hosts:
            local: {root: /srv/clawops}
          k8s_clusters:
            lab: {}
        config:
          templates: [templates/org.json5]
        """,
    "templates/org.json5": """
        { logging: { level: "info" } }
        """,
    "catalogs/models.yml": """
        models:
          anthropic/claude-sonnet-4-5: {tier: default, owner: test}
        """,
    "groups/team.yml": """
        id: team
        profile: usecase
        trust_level: medium
        wave: canary
        """,
    "gateways/gw-one.yml": """
        id: gw-one
        groups: [team]
        provider: {type: compose, host: local}
        port: 19100
        agents:
          - id: helper
            kind: usecase
            model: anthropic/claude-sonnet-4-5
        """,
}


def write_fleet(base, files):
    """Write a fleet (dict of relative path -> text, None deletes) under ``base``."""
    for rel, text in files.items():
        path = os.path.join(base, rel)
        if text is None:
            if os.path.exists(path):
                os.remove(path)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(textwrap.dedent(text).lstrip("\n"))
    return str(base)


@pytest.fixture
def make_fleet(tmp_path):
    """make_fleet({path: text}) -> fleet dir: the minimal fleet with these files changed."""
    def _make(changes=None, minimal=True):
        files = dict(MINIMAL) if minimal else {}
        files.update(changes or {})
        return write_fleet(tmp_path / "fleet", files)
    return _make


@pytest.fixture
def demo_copy(tmp_path):
    """A private copy of examples/fleet (tests may edit it)."""
    dest = tmp_path / "fleet"
    shutil.copytree(EXAMPLE_FLEET, dest)
    return str(dest)
