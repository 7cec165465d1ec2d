# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secret references of the fleet, resolved in one place.

A reference is ``{source: env, var}``, ``{source: file, path}`` or ``{source: vault, path,
key[, mount]}`` (KV v2). The fleet holds only references; values are read on the controller
at apply time (deploy, update, status) and go only to a gateway's 0600 env file or Secret.
This module resolves env and file references and delegates the Vault read to a callable the
boundary gives it (the lookup plugin hands it community.hashi_vault's ``vault_kv2_get``), so
every caller shares the same checks and the same messages, which never hold a value.
"""

from __future__ import annotations

import os


class SecretProblem(Exception):
    """A reference that does not resolve to a single-line value (the message has the fix)."""


def describe(ref):
    """Where a reference points, for messages: never the value."""
    source = ref.get("source")
    if source == "env":
        return "env %s" % ref.get("var", "?")
    if source == "file":
        return "file %s" % ref.get("path", "?")
    if source == "vault":
        return "vault %s/%s key %s" % (ref.get("mount") or "secret", ref.get("path", "?"),
                                       ref.get("key", "?"))
    return "unknown source %r" % (source,)


def fix(ref):
    source = ref.get("source")
    what = {"env": "environment variable", "file": "file", "vault": "Vault secret"}.get(
        source, "reference")
    return "Set that %s on the controller (single line), then run again." % what


def resolve(ref, vault_get=None, environ=None):
    """The value of ``ref``; '' when it is unset or empty (the caller decides if that is an
    error: :func:`check`). Raises :class:`SecretProblem` for a malformed reference or a
    Vault read that fails."""
    if not isinstance(ref, dict) or ref.get("source") not in ("env", "file", "vault"):
        raise SecretProblem("not a secret reference (%s): use {source: env, var}, "
                            "{source: file, path} or {source: vault, path, key}"
                            % (describe(ref) if isinstance(ref, dict) else type(ref).__name__))
    source = ref["source"]
    if source == "env":
        return (os.environ if environ is None else environ).get(ref.get("var", ""), "")
    if source == "file":
        try:
            with open(os.path.expanduser(ref.get("path", "")), encoding="utf-8") as handle:
                return handle.read().rstrip("\r\n")
        except (OSError, UnicodeDecodeError):
            return ""
    if vault_get is None:
        raise SecretProblem("%s: no Vault client here" % describe(ref))
    data = vault_get(ref.get("path", ""), ref.get("mount") or "secret")
    value = (data or {}).get(ref.get("key", ""))
    return "" if value is None else str(value)


def check(name, ref, value):
    """Raise :class:`SecretProblem` unless ``value`` is one non-empty line."""
    if not value or "\n" in value or "\r" in value:
        raise SecretProblem("%s is empty, missing or not a single line: its reference is %s. %s"
                            % (name, describe(ref), fix(ref)))
    return value
