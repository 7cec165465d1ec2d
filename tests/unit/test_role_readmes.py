# -*- coding: utf-8 -*-
"""Every role has a README (Galaxy shows it), generated from its argument specs and current."""

from __future__ import annotations

import importlib.util
import os

from conftest import ROOT

SPEC = importlib.util.spec_from_file_location("role_readmes",
                                              os.path.join(ROOT, "scripts", "role_readmes.py"))
readmes = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(readmes)


def test_every_role_has_a_current_readme():
    roles = readmes.roles()
    assert sorted(roles) == sorted(os.listdir(os.path.join(ROOT, "roles")))
    for role in roles:
        with open(os.path.join(ROOT, "roles", role, "README.md"), encoding="utf-8") as handle:
            assert handle.read() == readmes.render(role), \
                "roles/%s/README.md is stale: run python scripts/role_readmes.py" % role


def test_doc_markup_becomes_markdown():
    assert readmes._text(["C(a) and V(b),", "O(c) RV(d) I(e)"]) == "`a` and `b`, `c` `d` `e`"
    assert readmes._text("see L(docs,https://x.example) U(https://y.example)") == \
        "see [docs](https://x.example) <https://y.example>"
