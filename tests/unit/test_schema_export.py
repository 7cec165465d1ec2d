# -*- coding: utf-8 -*-
"""The shipped JSON Schema file and the generated reference tables are up to date."""

from __future__ import annotations

import importlib.util
import json
import os

import jsonschema

from conftest import ROOT

SPEC = importlib.util.spec_from_file_location("export_schema",
                                              os.path.join(ROOT, "scripts", "export_schema.py"))
export = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(export)


def test_schema_file_is_current():
    with open(export.SCHEMA_FILE, encoding="utf-8") as handle:
        assert handle.read() == export.schema_text(), "run: python scripts/export_schema.py"


def test_reference_tables_are_current():
    with open(export.REFERENCE, encoding="utf-8") as handle:
        current = handle.read()
    assert current == export.rendered_reference(current), "run: python scripts/export_schema.py"


def test_exported_schema_is_a_valid_schema_and_accepts_the_demo():
    import yaml
    with open(export.SCHEMA_FILE, encoding="utf-8") as handle:
        schema = json.load(handle)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    demo = os.path.join(ROOT, "examples", "fleet")
    for rel in ["fleet.yml"] + ["groups/" + n for n in os.listdir(os.path.join(demo, "groups"))] \
            + ["gateways/" + n for n in os.listdir(os.path.join(demo, "gateways"))]:
        with open(os.path.join(demo, rel), encoding="utf-8") as handle:
            assert not list(validator.iter_errors(yaml.safe_load(handle))), rel


def test_policy_docs_are_current():
    """docs/policy.md shows the real finding codes and the demo's real views."""
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "export_policy_docs.py"),
                           "--check"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
