# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: scrub
short_description: Redact secrets from text or data by value and by key
version_added: 0.1.0
description:
  - Replaces every credential-shaped run (provider API keys, Slack, GitHub, AWS, Google,
    Telegram and Vault tokens, private keys) and every occurrence of a value in O(known) with
    C(<redacted>); in mappings, the string value of a secret-named key as well.
  - Use it on any text copied from a failed task into a message, an audit event or a
    revision note (C(ansible_failed_result.msg)).
positional: _input, known
options:
  _input:
    description: A string, list or mapping.
    type: raw
    required: true
  known:
    description: Secret values the caller knows (a list, or a mapping whose values are
      taken); values shorter than 8 characters are left alone.
    type: raw
    default: []
"""

EXAMPLES = r"""
- name: Keep why the update failed, without the gateway's secrets
  ansible.builtin.set_fact:
    failure: >-
      {{ ansible_failed_result.msg | default('') | string
         | clawops.orchestrator.scrub(gateway_secrets_values | default({})) }}
"""

RETURN = r"""
_value:
  description: The input, redacted.
  type: raw
"""

from collections.abc import Mapping

from ansible_collections.clawops.orchestrator.plugins.module_utils._redact import redact


def scrub(value, known=None):
    if isinstance(known, Mapping):
        known = list(known.values())
    known = [str(item) for item in (known or []) if item is not None]
    if not isinstance(value, (str, list, dict)):
        value = str(value)
    return redact(value, known)


class FilterModule:
    """clawops redaction filter."""

    def filters(self):
        return {"scrub": scrub}
