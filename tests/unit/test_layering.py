# -*- coding: utf-8 -*-
"""Merge rules and provenance of _layering, table-driven."""

from __future__ import annotations

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import (
    ManagedKeyError, SchemaProblem, SubstitutionError)
from ansible_collections.clawops.orchestrator.plugins.module_utils._layering import (
    MANAGED_CONFIG, Source, Variables, merge_into, provenance_rows)


def apply(layers, variables=None, guard=None):
    """layers: [(layer name, file, value)] lowest first -> (value, {path: (layer, file, fpath)})."""
    config, prov = {}, {}
    for name, rel, value in layers:
        merge_into(config, prov, value, Source(None, rel, ()), name, variables, guard)
    rows = {}
    for path, _value, src in provenance_rows(config, prov):
        rows[".".join(map(str, path))] = (src.layer, src.file, ".".join(map(str, src.path)))
    return config, rows


MERGE_TABLE = [
    # (id, layers, expected config, expected provenance subset)
    ("scalar-later-wins",
     [("org", "o.json5", {"a": 1}), ("gateway", "g.yml", {"a": 2})],
     {"a": 2}, {"a": ("gateway", "g.yml", "a")}),
    ("objects-merge-deeply",
     [("org", "o.json5", {"x": {"a": 1, "b": 1}}), ("group:g", "g.json5", {"x": {"b": 2}})],
     {"x": {"a": 1, "b": 2}},
     {"x.a": ("org", "o.json5", "x.a"), "x.b": ("group:g", "g.json5", "x.b")}),
    ("arrays-replace",
     [("org", "o.json5", {"l": [1, 2]}), ("gateway", "g.yml", {"l": [3]})],
     {"l": [3]}, {"l": ("gateway", "g.yml", "l")}),
    ("append-extends-with-per-element-provenance",
     [("org", "o.json5", {"l": ["a"]}), ("group:g", "g.json5", {"l": {"$append": ["b"]}})],
     {"l": ["a", "b"]},
     {"l.0": ("org", "o.json5", "l"), "l.1": ("group:g", "g.json5", "l.$append.0")}),
    ("append-to-nothing-starts-a-list",
     [("org", "o.json5", {"l": {"$append": ["b"]}})],
     {"l": ["b"]}, {"l.0": ("org", "o.json5", "l.$append.0")}),
    ("scalar-replaces-object",
     [("org", "o.json5", {"x": {"a": 1}}), ("gateway", "g.yml", {"x": "flat"})],
     {"x": "flat"}, {"x": ("gateway", "g.yml", "x")}),
    ("object-replaces-scalar",
     [("org", "o.json5", {"x": 1}), ("gateway", "g.yml", {"x": {"a": 1}})],
     {"x": {"a": 1}}, {"x.a": ("gateway", "g.yml", "x.a")}),
    ("empty-object-is-a-leaf",
     [("org", "o.json5", {"x": {}})],
     {"x": {}}, {"x": ("org", "o.json5", "x")}),
    ("null-is-a-value",
     [("org", "o.json5", {"x": 1}), ("gateway", "g.yml", {"x": None})],
     {"x": None}, {"x": ("gateway", "g.yml", "x")}),
    ("three-layers-each-own-key",
     [("org", "o", {"a": {"b": 1}}), ("group:h", "h", {"a": {"c": 2}}),
      ("gateway", "g", {"a": {"d": 3}})],
     {"a": {"b": 1, "c": 2, "d": 3}},
     {"a.b": ("org", "o", "a.b"), "a.c": ("group:h", "h", "a.c"),
      "a.d": ("gateway", "g", "a.d")}),
]


@pytest.mark.parametrize("layers,expected,provenance", [c[1:] for c in MERGE_TABLE],
                         ids=[c[0] for c in MERGE_TABLE])
def test_merge_table(layers, expected, provenance):
    config, rows = apply(layers)
    assert config == expected
    for path, source in provenance.items():
        assert rows[path] == source


def test_sources_are_not_mutated():
    base = {"x": {"a": [1]}}
    overlay = {"x": {"a": {"$append": [2]}}}
    config, dummy = apply([("org", "o", base), ("gateway", "g", overlay)])
    assert config == {"x": {"a": [1, 2]}}
    assert base == {"x": {"a": [1]}}
    assert overlay == {"x": {"a": {"$append": [2]}}}


SUBSTITUTION_TABLE = [
    ("@{org.slug}", "acme"),
    ("@{gateway.port}", 19100),                       # alone: keeps the type
    ("port @{gateway.port}", "port 19100"),           # inside text: interpolated
    ("@@{literal}", "@{literal}"),                    # escaped
    ("${OPENCLAW_VAR}", "${OPENCLAW_VAR}"),           # OpenClaw's own env syntax is untouched
    ("@{ org.slug }", "acme"),
    ("flag=@{flag}", "flag=true"),
]


@pytest.mark.parametrize("text,expected", SUBSTITUTION_TABLE)
def test_substitution_table(text, expected):
    variables = Variables({"org.slug": "acme", "gateway.port": 19100, "flag": True}, "gateway")
    config, dummy = apply([("org", "t.json5", {"v": text, "l": [text]})], variables)
    assert config["v"] == expected
    assert config["l"] == [expected]


def test_unknown_variable_names_file_key_and_choices():
    variables = Variables({"org.slug": "acme"}, "gateway")
    with pytest.raises(SubstitutionError) as err:
        apply([("org", "templates/t.json5", {"a": {"b": "x @{org.nme}"}})], variables)
    text = str(err.value)
    assert text.startswith("templates/t.json5: a.b: unknown variable @{org.nme} in the gateway scope")
    assert "use one of: org.slug" in text


@pytest.mark.parametrize("value,path", [
    ({"gateway": {"port": 1}}, "gateway.port"),
    ({"gateway": {"auth": {"mode": "none"}}}, "gateway.auth"),
    ({"bindings": []}, "bindings"),
    ({"agents": {"entries": {"x": {}}}}, "agents.entries"),
    ({"channels": {"slack": {"accounts": {}}}}, "channels.slack.accounts"),
    ({"logging": {"file": "/tmp/x.log"}}, "logging.file"),
])
def test_managed_keys_are_refused(value, path):
    with pytest.raises(ManagedKeyError) as err:
        apply([("group:g", "templates/g.json5", value)], guard=MANAGED_CONFIG)
    assert "templates/g.json5: %s: sets %s, which clawops derives" % (path, path) in str(err.value)
    assert "Fix:" in str(err.value)


def test_unmanaged_siblings_pass_the_guard():
    config, dummy = apply([("org", "o", {"gateway": {"controlUi": {"enabled": False}},
                                         "channels": {"slack": {"dmPolicy": "pairing"}}})],
                          guard=MANAGED_CONFIG)
    assert config["channels"]["slack"]["dmPolicy"] == "pairing"


def test_unknown_directive_and_bad_append():
    with pytest.raises(SchemaProblem) as err:
        apply([("org", "o.json5", {"a": {"$merge": [1]}})])
    assert "o.json5: a.$merge: unknown directive '$merge'" in str(err.value)
    with pytest.raises(SchemaProblem) as err:
        apply([("org", "o.json5", {"a": {"$append": "x"}})])
    assert "$append needs an array" in str(err.value)
    with pytest.raises(SchemaProblem) as err:
        apply([("org", "o.json5", {"a": 1}), ("gateway", "g.yml", {"a": {"$append": [2]}})])
    assert "g.yml: a.$append: $append on a, which is not an array" in str(err.value)
