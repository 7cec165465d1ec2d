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


def _yaml_files():
    for top in ("roles", "playbooks", os.path.join("extensions", "molecule")):
        for base, _dirs, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if name.endswith((".yml", ".yaml")):
                    yield os.path.join(base, name)


def _scalars(node):
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalars(item)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _scalars(key)
            yield from _scalars(value)


def test_no_backslash_escape_in_a_template_yaml_leaves_literal():
    """'\\n' in a Jinja expression is a newline only in a double-quoted YAML scalar: in a
    plain, folded or literal one it stays a backslash and an n (a K8s objects file was
    written with '---\\n' separators kubectl could not split)."""
    found = []
    for path in _yaml_files():
        with open(path, encoding="utf-8") as handle:
            for document in yaml.compose_all(handle):
                for node in _scalars(document) if document is not None else ():
                    if node.style != '"' and "{{" in node.value and "\\n" in node.value:
                        found.append("%s:%d" % (os.path.relpath(path, ROOT),
                                                node.start_mark.line + 1))
    assert not found, found


def test_the_image_and_the_runtime_agree_on_the_gateway_uid():
    """The image's `node` user is the uid the Compose project and the pods run as: written in
    the core (GATEWAY_UID) and, for the image build, in gateway_image's defaults."""
    import yaml

    from ansible_collections.clawops.orchestrator.plugins.module_utils._hosttree import (
        GATEWAY_UID)
    with open(os.path.join(ROOT, "roles/gateway_image/defaults/main.yml"), encoding="utf-8") as handle:
        assert yaml.safe_load(handle)["gateway_image_uid"] == GATEWAY_UID
