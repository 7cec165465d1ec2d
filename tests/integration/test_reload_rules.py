# -*- coding: utf-8 -*-
"""The core's reload table (module_utils/_reload.py) is the pinned OpenClaw's own.

Reads the rule tables out of the installed package's ``dist/config-reload-plan-*.mjs``
(scripts/bootstrap.sh installs the pinned version): every ``{prefixes: [...], kind: ...}``
policy of ``CORE_RELOAD_POLICIES``, the session rule and ``DEFAULT_RELOAD_POLICIES``. A new
pin that adds, drops or reclassifies a prefix fails here until the table follows.
"""

from __future__ import annotations

import glob
import os
import re

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._reload import RULES

from helpers import openclaw_bin

pytestmark = pytest.mark.real


def _package_rules():
    package = os.path.join(os.path.dirname(os.path.realpath(openclaw_bin())), "..",
                           "openclaw", "node_modules", "openclaw", "dist")
    found = glob.glob(os.path.join(package, "config-reload-plan-*.mjs"))
    assert len(found) == 1, "no single config-reload-plan-*.mjs in %s" % package
    with open(found[0], encoding="utf-8") as handle:
        text = handle.read()
    consts = dict(re.findall(r'const (\w+) = \[([^\]]*)\];', text))
    rules = set()
    for name in ("CORE_RELOAD_POLICIES", "DEFAULT_RELOAD_POLICIES"):
        start = text.index("const %s = [" % name)
        end = text.index("\n];", start)
        block = text[start:end]
        for prefixes, kind in re.findall(r'prefixes: \[([^\]]*)\],\s*kind: "(\w+)"', block):
            for item in re.findall(r'"([^"]+)"|\.\.\.(\w+)', prefixes):
                literal, spread = item
                names = [literal] if literal else re.findall(r'"([^"]+)"', consts[spread])
                rules.update((prefix, kind) for prefix in names)
    session = re.search(r'prefixes: \["session\.scope", "session\.store"\],\s*kind: "(\w+)"', text)
    rules.update({("session.scope", session.group(1)), ("session.store", session.group(1))})
    return rules


def test_the_core_table_is_the_pinned_packages():
    package = _package_rules()
    assert len(package) > 80
    ours = set(RULES)
    assert ours == package, {"missing here": sorted(package - ours),
                             "not in the package": sorted(ours - package)}
