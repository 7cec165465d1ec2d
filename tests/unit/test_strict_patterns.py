# -*- coding: utf-8 -*-
"""Ids, names and versions with a trailing newline are refused (Python's `$` matches before a
final newline; the validators anchor at the very end) - issue 17."""

from __future__ import annotations

import json

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import FleetErrors
from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
from ansible_collections.clawops.orchestrator.plugins.module_utils._schema import SCHEMAS

from conftest import MINIMAL


@pytest.mark.parametrize("rel,old,new,key", [
    ("gateways/gw-one.yml", "id: helper", 'id: "helper\\n"', "agents[0].id"),
    ("gateways/gw-one.yml", "id: gw-one", 'id: "gw-one\\n"', "id"),
    ("fleet.yml", "org_slug: test", 'org_slug: "test\\n"', "org.org_slug"),
    ("fleet.yml", 'version: "2026.9.6"', 'version: "2026.9.6\\n"', "defaults.image.version"),
    ("groups/team.yml", "id: team", 'id: "team\\n"', "id"),
])
def test_a_trailing_newline_is_refused(make_fleet, rel, old, new, key):
    assert old in MINIMAL[rel]
    root = make_fleet({rel: MINIMAL[rel].replace(old, new, 1)})
    with pytest.raises(FleetErrors) as caught:
        load_fleet(root, parse_cache=None)
    text = caught.value.render()
    assert rel in text and key in text and "ends in a line break" in text, text


def test_the_exported_schema_keeps_ecma_anchors():
    """`\\Z` is not ECMA-262: the schema shipped for editors keeps `$`."""
    assert "\\\\Z" not in json.dumps(SCHEMAS)
