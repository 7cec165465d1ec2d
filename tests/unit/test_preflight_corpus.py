# -*- coding: utf-8 -*-
"""Every corpus case yields exactly its finding (code, file, key path), nothing else."""

from __future__ import annotations

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._preflight import (
    CODES, run_preflight)

from corpus import BASE, case_files, load_case, materialize

CASES = case_files()


def test_base_fleet_is_clean():
    report = run_preflight(BASE)
    assert report.findings == [], report.text()


def test_corpus_is_large_and_covers_every_code():
    assert len(CASES) >= 50
    covered = {load_case(name)["expect"]["code"] for name in CASES}
    assert covered == set(CODES), sorted(set(CODES) ^ covered)


@pytest.mark.parametrize("name", CASES)
def test_case(tmp_path, name):
    case = load_case(name)
    expect = case["expect"]
    root = materialize(case, str(tmp_path / "fleet"))
    # discovery's answers (fleet_preflight's discover_backends does the HTTP; here a case
    # says what each backend's /models listed)
    discover = (lambda backend_id, url: dict(case["discover"][backend_id])) \
        if "discover" in case else None
    report = run_preflight(root, discover=discover)
    codes = set(report.codes())
    assert codes == {expect["code"]} | set(expect.get("also", [])), report.text()
    hits = [f for f in report.findings if f.code == expect["code"]]
    located = [f for f in hits if f.file == expect["file"]
               and f.key_path_text == expect["key_path"]]
    assert located, "expected %s at %s: %s; got:\n%s" % (
        expect["code"], expect["file"], expect["key_path"], report.text())
    finding = located[0]
    assert finding.severity == expect.get("severity", "error")
    text = finding.render()
    assert expect["file"] in text and expect["key_path"] in text and finding.fix
    assert report.ok == (finding.severity != "error")
