# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: secret
short_description: Resolve clawops secret references (env, file, Vault KV v2) on the controller
version_added: 0.3.0
description:
  - "Returns the value of each fleet secret reference given (C({source: env, var}),
    C({source: file, path}) or C({source: vault, path, key[, mount]})), read on the
    controller. Every part of the collection that needs a secret (deploy, update, status)
    reads it through this lookup, so the rules and the messages are the same everywhere."
  - Vault references are read with the C(community.hashi_vault.vault_kv2_get) lookup, so its
    connection options and environment (C(VAULT_ADDR), C(VAULT_TOKEN), ...) apply.
  - A value must be one non-empty line. Messages name the reference, never a value. Use it
    only in tasks with C(no_log).
options:
  _terms:
    description: Secret references (dicts, e.g. values of C(clawops_runtime.secret_env)).
    required: true
    type: list
    elements: dict
  name:
    description: What the value is for, for messages (e.g. C(OPENCLAW_GATEWAY_TOKEN of gateway gw-a)).
    type: str
    default: secret
  on_missing:
    description:
      - C(fail) raises an error naming the reference and the fix when a value is empty,
        missing or more than one line.
      - C(empty) returns an empty string instead (the status playbook still probes a gateway
        whose token it cannot read).
    type: str
    choices: [fail, empty]
    default: fail
  multiline:
    description:
      - Accept values of several lines (PEM certificates and keys, C(hosted.tls) of the
        fleet); a file's content is returned as it is, with its final newline.
    type: bool
    default: false
  describe:
    description:
      - Return, instead of the value, where each reference points and how to fix it
        ("its reference is env ACME_TOKEN. Set that environment variable ..."); reads nothing.
        For failure messages of tasks that are not C(no_log).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Read the gateway token (never shown)
  ansible.builtin.set_fact:
    token: "{{ lookup('clawops.orchestrator.secret', clawops_runtime.secret_env.OPENCLAW_GATEWAY_TOKEN,
                      on_missing='empty') }}"
  no_log: true

- name: Every secret of the gateway, keyed by the env var that delivers it
  ansible.builtin.set_fact:
    values: >-
      {{ dict(clawops_runtime.secret_env.keys()
              | zip(query('clawops.orchestrator.secret', *clawops_runtime.secret_env.values()))) }}
  no_log: true
"""

RETURN = r"""
_raw:
  description: One value per reference, in order.
  type: list
  elements: str
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.loader import lookup_loader
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.clawops.orchestrator.plugins.module_utils._secrets import (
    SecretProblem, check, describe, fix, resolve)


class LookupModule(LookupBase):
    """Secret references of the fleet."""

    _display = Display()

    def _vault_get(self, variables):
        def vault_get(path, mount):
            reader = lookup_loader.get("community.hashi_vault.vault_kv2_get",
                                       loader=self._loader, templar=self._templar)
            if reader is None:
                raise SecretProblem("community.hashi_vault is not installed: "
                                    "ansible-galaxy collection install community.hashi_vault")
            try:
                found = reader.run([path], variables=variables, engine_mount_point=mount)
            except Exception as exc:  # pylint: disable=broad-exception-caught
                raise SecretProblem("vault %s/%s could not be read: %s" % (mount, path, exc))
            return (found[0] if found else {}).get("secret", {})
        return vault_get

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        name, on_missing = self.get_option("name"), self.get_option("on_missing")
        multiline = self.get_option("multiline")
        if self.get_option("describe"):
            return ["its reference is %s. %s" % (describe(ref), fix(ref))
                    if isinstance(ref, dict) else "it is not a reference" for ref in terms]
        vault_get, out = self._vault_get(variables), []
        for ref in terms:
            try:
                value = resolve(ref, vault_get=vault_get, keep_newline=multiline)
            except SecretProblem as exc:
                if on_missing == "fail" or not isinstance(ref, dict):
                    raise AnsibleLookupError(str(exc))
                self._display.warning("%s: %s" % (name, exc))
                value = ""
            try:
                check(name, ref, value, multiline)
            except SecretProblem as exc:
                if on_missing == "fail":
                    raise AnsibleLookupError(str(exc))
                value = ""
            out.append(value)
        return out
