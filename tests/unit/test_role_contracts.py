# -*- coding: utf-8 -*-
"""Every role's meta/argument_specs.yml is the contract of its variables: each default in
defaults/main.yml is declared there (by the main entry point or a task file's), and a literal
default says the same in both places."""

from __future__ import annotations

import os

import pytest
import yaml

from conftest import ROOT

ROLES = sorted(os.listdir(os.path.join(ROOT, "roles")))


def _load(role, *parts):
    path = os.path.join(ROOT, "roles", role, *parts)
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


@pytest.mark.parametrize("role", ROLES)
def test_role_has_an_argument_spec(role):
    spec = _load(role, "meta", "argument_specs.yml")
    assert spec and "main" in spec["argument_specs"], role
    assert spec["argument_specs"]["main"].get("short_description"), role


@pytest.mark.parametrize("role", ROLES)
def test_defaults_are_declared_and_agree(role):
    defaults = _load(role, "defaults", "main.yml") or {}
    options = {}
    for entry in _load(role, "meta", "argument_specs.yml")["argument_specs"].values():
        options.update(entry.get("options") or {})
    undeclared = sorted(set(defaults) - set(options))
    assert not undeclared, "%s: defaults not in argument_specs: %s" % (role, undeclared)
    for name, value in defaults.items():
        if "default" in options[name] and not (isinstance(value, str) and "{{" in value):
            assert options[name]["default"] == value, (role, name)
