# -*- coding: utf-8 -*-
"""The fast path (fastjsonschema, draft-07) and jsonschema (2020-12) give the same verdicts."""

from __future__ import annotations

import copy
import os
import textwrap

import pytest
import yaml

from ansible_collections.clawops.orchestrator.plugins.module_utils import _schema

from conftest import EXAMPLE_FLEET, MINIMAL
from fleet_error_cases import CASES


def _kind(rel):
    return "fleet" if rel == "fleet.yml" else rel.split("/")[0].rstrip("s")


def _documents():
    docs = []
    for rel, text in list(MINIMAL.items()) + [(r, t) for c in CASES for r, t in c[1].items()]:
        if not rel.endswith(".yml") or text is None:
            continue
        try:
            data = yaml.safe_load(textwrap.dedent(text))
        except yaml.YAMLError:
            continue
        if isinstance(data, dict):
            docs.append((rel, data))
    for base, dummy, names in os.walk(EXAMPLE_FLEET):
        for name in names:
            if name.endswith(".yml") and name != "operators.yml":  # no fleet schema: _authz
                rel = os.path.relpath(os.path.join(base, name), EXAMPLE_FLEET)
                with open(os.path.join(base, name), encoding="utf-8") as handle:
                    docs.append((rel, yaml.safe_load(handle)))
    # A few mutations that only the conditional parts of the schema catch.
    gw = yaml.safe_load(textwrap.dedent(MINIMAL["gateways/gw-one.yml"]))
    for mutate in (lambda d: d["agents"][0].update(kind="human"),
                   lambda d: d["provider"].update(cluster="lab"),
                   lambda d: d.update(auth={"token": {"source": "env", "path": "/x"}}),
                   lambda d: d.update(auth={"token": {"source": "vault", "path": "x"}}),
                   lambda d: d.update(auth={"token": "literal"}),
                   lambda d: d.update(wave=0),
                   lambda d: d.update(wave="canary")):
        doc = copy.deepcopy(gw)
        mutate(doc)
        docs.append(("gateways/gw-one.yml", doc))
    return docs


@pytest.mark.skipif(_schema.fastjsonschema is None, reason="fastjsonschema not installed")
def test_fast_and_full_validators_agree():
    checked = 0
    for rel, data in _documents():
        kind = _kind(rel)
        full_ok = not list(_schema._validator(kind).iter_errors(data))
        try:
            _schema._fast_validator(kind)(data)
            fast_ok = True
        except _schema.fastjsonschema.JsonSchemaException:
            fast_ok = False
        assert fast_ok == full_ok, (rel, data)
        checked += 1
    assert checked > 20
