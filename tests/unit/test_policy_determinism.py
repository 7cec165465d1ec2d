# -*- coding: utf-8 -*-
"""Property: the order of files, keys and set-like lists never changes the outcome.

Hypothesis draws a permutation of the demo fleet: every mapping's key order (YAML and
JSON5), the order of set-like lists (policy allow/deny/grant/tiers/sources, agent skills
and integrations), how catalog entries are split across catalog files and the order the
file system lists directories in. The effective policy of every scope, every rendered
openclaw.json and the preflight findings must be identical to the unshuffled fleet's.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil

import json5
import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.clawops.orchestrator.plugins.module_utils._preflight import run_preflight
from ansible_collections.clawops.orchestrator.plugins.module_utils._views import policy_view

from conftest import EXAMPLE_FLEET

SET_LIKE = {"allow", "deny", "grant", "tiers", "sources", "skills", "integrations", "always"}


def _shuffle(node, rng, key=None):
    if isinstance(node, dict):
        items = [(k, _shuffle(v, rng, k)) for k, v in node.items()]
        rng.shuffle(items)
        return dict(items)
    if isinstance(node, list):
        items = [_shuffle(v, rng) for v in node]
        if key in SET_LIKE:
            rng.shuffle(items)
        return items
    return node


def _permute(src, dest, rng):
    shutil.copytree(src, dest)
    catalog_entries = []
    for dirpath, dummy, names in os.walk(dest):
        for name in names:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, dest)
            if rel.startswith("catalogs" + os.sep):
                with open(path, encoding="utf-8") as handle:
                    data = yaml.safe_load(handle) or {}
                for domain, entries in data.items():
                    catalog_entries.extend((domain, k, v) for k, v in entries.items())
                os.remove(path)
            elif name.endswith(".yml"):
                with open(path, encoding="utf-8") as handle:
                    data = yaml.safe_load(handle)
                with open(path, "w", encoding="utf-8") as handle:
                    yaml.safe_dump(_shuffle(data, rng), handle, sort_keys=False)
            elif name.endswith(".json5"):
                with open(path, encoding="utf-8") as handle:
                    data = json5.loads(handle.read())
                with open(path, "w", encoding="utf-8") as handle:
                    json.dump(_shuffle(data, rng), handle, ensure_ascii=False)
    # the same entries, spread over 1-4 catalog files in a random order
    rng.shuffle(catalog_entries)
    files = {}
    count = rng.randint(1, 4)
    for domain, key, value in catalog_entries:
        name = "part-%d.yml" % rng.randrange(count)
        files.setdefault(name, {}).setdefault(domain, {})[key] = _shuffle(value, rng)
    for name, data in files.items():
        with open(os.path.join(dest, "catalogs", name), "w", encoding="utf-8") as handle:
            yaml.safe_dump(data, handle, sort_keys=False)
    return dest


def _outcome(root):
    report = run_preflight(root)
    scopes = ["org"]
    for gw_id, plan in sorted(report.plans.items()):
        scopes.append(gw_id)
        scopes.extend("%s/%s" % (gw_id, a) for a in plan.summary["agents"])
    policies = {}
    for scope in scopes:
        view = policy_view(report, scope)
        view.pop("table")
        for domain in ("integrations", "skills", "providers", "models"):
            for row in view[domain]["items"]:
                # which entry of a shuffled list decided is provenance, not policy
                row["where"] = re.sub(r"\[\d+\]$", "[]", row["where"])
                if row["decided_by"] == "catalog":  # catalog entries were moved between files
                    row["where"] = row["where"].split(": ", 1)[-1]
        policies[scope] = view
    return {
        "configs": {g: p.config_text for g, p in report.plans.items()},
        "runtime": {g: json.dumps(p.runtime, sort_keys=True) for g, p in report.plans.items()},
        "policies": json.dumps(policies, sort_keys=True),
        "findings": [f.render() for f in report.findings],
    }


@pytest.fixture(scope="module")
def expected():
    return _outcome(EXAMPLE_FLEET)


def _first_difference(got, want):
    for part in want:
        if got[part] != want[part]:
            return part
    return None


@settings(max_examples=25, deadline=None, print_blob=False,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2 ** 32 - 1))
def test_order_never_changes_policy_or_config(tmp_path_factory, expected, monkeypatch, seed):
    rng = random.Random(seed)
    root = _permute(EXAMPLE_FLEET, str(tmp_path_factory.mktemp("perm") / "fleet"), rng)
    real_listdir = os.listdir

    def shuffled_listdir(path="."):
        names = list(real_listdir(path))
        rng.shuffle(names)
        return names

    monkeypatch.setattr(os, "listdir", shuffled_listdir)
    try:
        got = _outcome(root)
    finally:
        monkeypatch.setattr(os, "listdir", real_listdir)
    differs = _first_difference(got, expected)
    assert differs is None, "seed %d changed the %s" % (seed, differs)


def test_the_property_can_fail(tmp_path):
    """Guard against a vacuous property: a real change is detected."""
    root = str(tmp_path / "fleet")
    shutil.copytree(EXAMPLE_FLEET, root)
    path = os.path.join(root, "groups", "humans.yml")
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    data["policy"]["models"]["deny"] = ["openai/gpt-5.1"]
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(data, handle)
    assert _first_difference(_outcome(root), _outcome(EXAMPLE_FLEET)) == "configs"
