# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: npm_lock
short_description: Check the npm lockfiles and plugin pins of the gateway image
version_added: 0.1.0
description:
  - "C(npm_lock) returns the pins (a mapping of package path to C(version integrity)) of a
    committed C(package-lock.json) and fails unless the lock pins exactly O(spec) and every package it
    would fetch carries a sha512 integrity."
  - With O(plugins), the input is the list of npm projects C(openclaw plugins install) wrote
    (each a list of its path, its package.json text and its package-lock.json text) and the
    result maps each plugin spec to the pins of its project.
  - With O(expected), the input is pins and the result is the list of differences from
    O(expected) (empty when they agree).
  - With O(name_only), the input is a spec and the result the file name of its lock
    (C(@openclaw/slack@2026.9.6) is C(openclaw+slack@2026.9.6)); the spec must be exact.
positional: _input
options:
  _input:
    description: Lockfile text, a list of projects (O(plugins)) or pins (O(expected)).
    type: raw
    required: true
  spec:
    description: The image part C(name@version) the lockfile must pin.
    type: str
  path:
    description: Where the lockfile came from, for messages.
    type: str
    default: package-lock.json
  plugins:
    description: Plugin specs (C(name@version)) whose projects to read.
    type: list
    elements: str
  expected:
    description: The committed pins to compare with.
    type: dict
  name_only:
    description: Return the lock's file name of the input spec.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Pins of the committed openclaw lock
  ansible.builtin.set_fact:
    openclaw_pins: "{{ lookup('ansible.builtin.file', lock_path)
                       | clawops.orchestrator.npm_lock(spec='openclaw@2026.9.6', path=lock_path) }}"

- name: Differences of an installed plugin from its committed pins
  ansible.builtin.set_fact:
    drift: "{{ installed_pins | clawops.orchestrator.npm_lock(expected=committed_pins) }}"
"""

RETURN = r"""
_value:
  description: Pins, pins per plugin spec, or a list of differences (see the description).
  type: raw
"""

import json

from ansible.errors import AnsibleFilterError

from ansible_collections.clawops.orchestrator.plugins.module_utils._npm_lock import (
    LockError, check_lock, lock_name, pin_diff, plugin_projects)


def npm_lock(value, spec=None, path="package-lock.json", plugins=None, expected=None,
             name_only=False):
    try:
        if name_only:
            return lock_name(value)
        if expected is not None:
            return pin_diff(dict(expected), dict(value or {}))
        if plugins is not None:
            return plugin_projects(list(value or []), list(plugins))
        if spec is None:
            raise AnsibleFilterError("npm_lock needs spec, plugins or expected")
        text = value if isinstance(value, str) else json.dumps(value)
        return check_lock(text, spec, path)
    except LockError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    """npm lockfiles of the gateway image."""

    def filters(self):
        return {"npm_lock": npm_lock}
