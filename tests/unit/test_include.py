# -*- coding: utf-8 -*-
"""$include resolution: semantics, confinement, cycles, depth, syntax errors."""

from __future__ import annotations

import os

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import (
    FleetError, IncludeError, SyntaxProblem)
from ansible_collections.clawops.orchestrator.plugins.module_utils._loader import (
    MAX_INCLUDE_DEPTH, FleetFiles)
from ansible_collections.clawops.orchestrator.plugins.module_utils._layering import provenance_rows

from conftest import write_fleet


def load(tmp_path, files, top="templates/top.json5"):
    root = write_fleet(tmp_path / "fleet", files)
    value, prov, dummy = FleetFiles(root).load_template(top)
    rows = {".".join(map(str, p)): (s.file, ".".join(map(str, s.path)))
            for p, _v, s in provenance_rows(value, prov)}
    return value, rows


def test_single_include_replaces_object_and_siblings_override(tmp_path):
    value, rows = load(tmp_path, {
        "templates/top.json5": '{ a: { $include: "parts/a.json5", y: 9 }, z: 1 }',
        "templates/parts/a.json5": "{ x: 1, y: 2 }",
    })
    assert value == {"a": {"x": 1, "y": 9}, "z": 1}
    assert rows["a.x"] == ("templates/parts/a.json5", "x")
    assert rows["a.y"] == ("templates/top.json5", "a.y")
    assert rows["z"] == ("templates/top.json5", "z")


def test_list_include_merges_in_order_later_wins(tmp_path):
    value, rows = load(tmp_path, {
        "templates/top.json5": '{ $include: ["one.json5", "two.json5"] }',
        "templates/one.json5": "{ k: { a: 1, b: 1 } }",
        "templates/two.json5": "{ k: { b: 2 } }",
    })
    assert value == {"k": {"a": 1, "b": 2}}
    assert rows["k.a"] == ("templates/one.json5", "k.a")
    assert rows["k.b"] == ("templates/two.json5", "k.b")


def test_nested_include_is_relative_to_the_including_file(tmp_path):
    value, rows = load(tmp_path, {
        "templates/top.json5": '{ $include: "sub/mid.json5" }',
        "templates/sub/mid.json5": '{ $include: "deeper/leaf.json5", m: 1 }',
        "templates/sub/deeper/leaf.json5": "{ leaf: true }",
    })
    assert value == {"leaf": True, "m": 1}
    assert rows["leaf"] == ("templates/sub/deeper/leaf.json5", "leaf")


def test_include_outside_fleet_dir_is_refused(tmp_path):
    (tmp_path / "secret.json5").write_text("{ stolen: 1 }")
    with pytest.raises(IncludeError) as err:
        load(tmp_path, {"templates/top.json5": '{ $include: "../../secret.json5" }'})
    assert str(err.value).startswith(
        "templates/top.json5: $include: $include '../../secret.json5' resolves outside the "
        "fleet directory")
    assert "Fix:" in str(err.value)


def test_absolute_include_outside_is_refused(tmp_path):
    with pytest.raises(IncludeError) as err:
        load(tmp_path, {"templates/top.json5": '{ $include: "/etc/hostname" }'})
    assert "resolves outside the fleet directory" in str(err.value)


def test_symlink_escaping_the_fleet_dir_is_refused(tmp_path):
    outside = tmp_path / "outside.json5"
    outside.write_text("{ x: 1 }")
    root = tmp_path / "fleet"
    write_fleet(root, {"templates/top.json5": '{ $include: "link.json5" }'})
    os.symlink(outside, root / "templates" / "link.json5")
    with pytest.raises(IncludeError) as err:
        FleetFiles(str(root)).load_template("templates/top.json5")
    assert "outside the fleet directory" in str(err.value)


def test_cycle_is_reported_with_the_chain(tmp_path):
    with pytest.raises(IncludeError) as err:
        load(tmp_path, {
            "templates/top.json5": '{ $include: "a.json5" }',
            "templates/a.json5": '{ $include: "b.json5" }',
            "templates/b.json5": '{ $include: "a.json5" }',
        })
    assert str(err.value) == (
        "templates/b.json5: $include: $include cycle: templates/b.json5 includes "
        "templates/a.json5 again (include chain: templates/top.json5 -> templates/a.json5 -> "
        "templates/b.json5 -> templates/a.json5). Fix: remove one of the includes that form "
        "the cycle")


def test_self_include_is_a_cycle(tmp_path):
    with pytest.raises(IncludeError) as err:
        load(tmp_path, {"templates/top.json5": '{ $include: "top.json5" }'})
    assert "cycle" in str(err.value)


def _chain(n):
    files = {"templates/top.json5": '{ $include: "l1.json5" }'}
    for i in range(1, n):
        files["templates/l%d.json5" % i] = '{ $include: "l%d.json5", d%d: %d }' % (i + 1, i, i)
    files["templates/l%d.json5" % n] = "{ bottom: true }"
    return files


def test_depth_ten_is_allowed(tmp_path):
    value, dummy = load(tmp_path, _chain(MAX_INCLUDE_DEPTH))
    assert value["bottom"] is True


def test_depth_eleven_is_refused_with_chain(tmp_path):
    with pytest.raises(IncludeError) as err:
        load(tmp_path, _chain(MAX_INCLUDE_DEPTH + 1))
    text = str(err.value)
    assert "$include nesting deeper than 10 levels" in text
    assert "include chain: templates/top.json5 -> templates/l1.json5 ->" in text
    assert "templates/l11.json5)" in text


def test_missing_include_names_the_file(tmp_path):
    with pytest.raises(IncludeError) as err:
        load(tmp_path, {"templates/top.json5": '{ a: { $include: "nope.json5" } }'})
    assert str(err.value).startswith(
        "templates/top.json5: a.$include: $include 'nope.json5' not found (looked for "
        "templates/nope.json5)")


def test_malformed_json5_names_file_and_line(tmp_path):
    with pytest.raises(SyntaxProblem) as err:
        load(tmp_path, {
            "templates/top.json5": '{ $include: "bad.json5" }',
            "templates/bad.json5": "{\n  a: 1,\n  b: [1, 2\n}\n",
        })
    text = str(err.value)
    assert text.startswith('templates/bad.json5: JSON5 does not parse at line 4, column 1: '
                           'Unexpected "}"')
    assert "include chain: templates/top.json5" in text


def test_duplicate_json5_keys_are_errors(tmp_path):
    with pytest.raises(SyntaxProblem) as err:
        load(tmp_path, {"templates/top.json5": "{ a: 1, a: 2 }"})
    assert 'Duplicate key "a"' in str(err.value)


def test_template_must_be_an_object(tmp_path):
    with pytest.raises(SyntaxProblem) as err:
        load(tmp_path, {"templates/top.json5": "[1, 2]"})
    assert "a config template must be a JSON5 object, got list" in str(err.value)


def test_bad_include_value(tmp_path):
    with pytest.raises(IncludeError) as err:
        load(tmp_path, {"templates/top.json5": "{ $include: 42 }"})
    assert "$include must be a file name or a non-empty list" in str(err.value)


def test_errors_are_fleet_errors_not_tracebacks(tmp_path):
    with pytest.raises(FleetError):
        load(tmp_path, {"templates/top.json5": "{ unterminated: 'x }"})


def test_append_through_two_includes_stays_pending_for_the_layer(tmp_path):
    value, rows = load(tmp_path, {
        "templates/top.json5": '{ $include: ["a.json5", "b.json5"] }',
        "templates/a.json5": '{ l: { $append: ["x"] } }',
        "templates/b.json5": '{ l: { $append: ["y"] } }',
    })
    # Nothing to append to inside the template: the directive waits for the layer.
    assert value == {"l": {"$append": ["x", "y"]}}
    assert rows["l.$append.0"] == ("templates/a.json5", "l.$append.0")
    assert rows["l.$append.1"] == ("templates/b.json5", "l.$append.0")


def test_escaped_surrogate_pairs_become_one_character(make_fleet):
    """JSON5 "\\ud83d\\udedf" is one emoji for OpenClaw (JavaScript); json5 for Python keeps two
    lone surrogates, which would make the rendered openclaw.json unencodable."""
    from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
    from ansible_collections.clawops.orchestrator.plugins.module_utils._render import render_fleet
    root = make_fleet({"templates/org.json5": '{ ui: { assistant: { name: "Bot \\ud83d\\udedf" } } }'})
    plan = render_fleet(load_fleet(root))["gw-one"]
    assert plan.config["ui"]["assistant"]["name"] == "Bot \U0001f6df"
    assert "\U0001f6df" in plan.config_text
