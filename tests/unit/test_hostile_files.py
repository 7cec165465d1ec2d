# -*- coding: utf-8 -*-
"""Hostile fleet files end in one clear finding (file, key path, fix) - never a hang, a
traceback or unbounded memory (issue 17). Each case runs preflight in its own process under
hard limits the kernel enforces (10 s of CPU, 500 MB of address space): a case that needs
more is killed and fails here."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import COLLECTIONS, MINIMAL, write_fleet
from corpus import load_case, materialize

RUNNER = r"""
import json, resource, sys
resource.setrlimit(resource.RLIMIT_CPU, (10, 10))
resource.setrlimit(resource.RLIMIT_AS, (500 * 1024 * 1024, 500 * 1024 * 1024))
sys.path.insert(0, sys.argv[1])
from ansible_collections.clawops.orchestrator.plugins.module_utils._preflight import run_preflight
report = run_preflight(sys.argv[2])
print(json.dumps([f.as_dict() for f in report.findings]))
"""


def preflight_bounded(fleet_dir):
    proc = subprocess.run([sys.executable, "-c", RUNNER, COLLECTIONS, str(fleet_dir)],
                          capture_output=True, text=True, check=False, timeout=120,
                          env=dict(os.environ, CLAWOPS_PARSE_CACHE="off"))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    return json.loads(proc.stdout)


@pytest.mark.parametrize("name", ["080-file-alias-bomb.yml", "081-file-nesting-too-deep.yml",
                                  "082-file-symlink.yml", "083-file-device.yml",
                                  "084-file-too-large.yml", "085-template-json5-too-deep.yml",
                                  "086-file-not-regular.yml",
                                  "087-file-nesting-crashes-the-composer.yml"])
def test_corpus_hostile_files_are_bounded(tmp_path, name):
    case = load_case(name)
    findings = preflight_bounded(materialize(case, tmp_path / "fleet"))
    assert [(f["code"], f["file"]) for f in findings] == [
        (case["expect"]["code"], case["expect"]["file"])], findings
    assert findings[0]["fix"], findings


def test_a_10_mb_json5_string_is_refused_unread(tmp_path):
    root = write_fleet(tmp_path / "fleet", dict(MINIMAL, **{
        "templates/org.json5": '{ logging: { level: "' + "x" * (10 * 1024 * 1024) + '" } }\n'}))
    findings = preflight_bounded(root)
    assert [(f["code"], f["file"]) for f in findings] == [("file.too-large", "templates/org.json5")]


def test_non_string_yaml_keys_name_the_key(tmp_path):
    root = write_fleet(tmp_path / "fleet", dict(MINIMAL, **{
        "gateways/gw-one.yml": MINIMAL["gateways/gw-one.yml"] + "1: one\n"}))
    findings = preflight_bounded(root)
    assert findings and findings[0]["file"] == "gateways/gw-one.yml", findings
    assert "1" in findings[0]["message"] and findings[0]["fix"], findings
