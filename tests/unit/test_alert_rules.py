# -*- coding: utf-8 -*-
"""The alert rules with the real promtool (Debian's prometheus package; scripts/bootstrap.sh
installs it): the file checks, and every alert fires on the exporter's series only after its
`for`, and stays quiet on healthy gateways (tests/prometheus/clawops.rules_test.yml)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from conftest import ROOT

pytestmark = pytest.mark.real
RULES = os.path.join(ROOT, "roles", "observability", "files", "clawops.rules.yml")
TESTS = os.path.join(ROOT, "tests", "prometheus", "clawops.rules_test.yml")


def _promtool(*args):
    binary = shutil.which("promtool")
    assert binary, "promtool missing: scripts/bootstrap.sh installs Debian's prometheus package"
    return subprocess.run([binary] + list(args), capture_output=True, text=True, timeout=120,
                          check=False, cwd=os.path.dirname(TESTS))


def test_the_rule_file_is_valid():
    proc = _promtool("check", "rules", RULES)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS: 13 rules found" in proc.stdout


def test_every_alert_fires_when_it_should_and_only_then():
    proc = _promtool("test", "rules", TESTS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout


def test_every_alert_has_a_test_and_a_runbook_entry():
    import yaml  # pylint: disable=import-outside-toplevel
    with open(RULES, encoding="utf-8") as handle:
        names = [rule["alert"] for group in yaml.safe_load(handle)["groups"] for rule in group["rules"]]
    with open(TESTS, encoding="utf-8") as handle:
        tested = {case["alertname"] for test in yaml.safe_load(handle)["tests"]
                  for case in test["alert_rule_test"]}
    with open(os.path.join(ROOT, "docs", "operations.md"), encoding="utf-8") as handle:
        runbook = handle.read()
    assert set(names) == tested, set(names) ^ tested
    missing = [name for name in names if "### %s" % name not in runbook]
    assert not missing, "docs/operations.md has no runbook entry for %s" % missing
