# -*- coding: utf-8 -*-
"""Preflight's registry of check families (module_utils/_checks)."""

from __future__ import annotations

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils import _checks
from ansible_collections.clawops.orchestrator.plugins.module_utils._checks._base import (
    Family, parse_codes)
from ansible_collections.clawops.orchestrator.plugins.module_utils._preflight import CODES


def test_every_family_is_a_family_with_its_own_codes():
    prefixes = {"paths": ("collision.",), "routing": ("routing.",),
                "secrets": ("security.", "secret."), "exposure": ("exposure.",),
                "policy": ("policy.",), "backends": ("backend.",)}
    seen = set()
    for family in _checks.FAMILIES:
        name = family.__name__.rsplit(".", 1)[-1]
        assert issubclass(family.Checks, Family), name
        assert family.CODES, name
        for code, (severity, meaning) in family.CODES.items():
            assert code.startswith(prefixes[name]), (name, code)
            assert severity in ("error", "warning") and meaning.endswith("."), code
            assert code not in seen
            seen.add(code)
    # preflight knows every family's codes besides those of load and render errors
    assert seen <= set(CODES) and "schema" in CODES and "schema" not in seen


def test_the_code_table_format():
    codes = parse_codes("""
    a.one    error    First line
                      goes on here with {n}.
    a.two    warning  Second.
    """, n=3)
    assert codes == {"a.one": ("error", "First line goes on here with 3."),
                     "a.two": ("warning", "Second.")}
    with pytest.raises(ValueError, match="bad line"):
        parse_codes("    a.one  fatal  Nope.")
    with pytest.raises(ValueError, match="bad line"):
        parse_codes("    a.one  error  One.\n    a.one  error  Twice.")
