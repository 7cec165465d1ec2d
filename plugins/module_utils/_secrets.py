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

import hashlib
import hmac
import os
import posixpath

from ._paths import below


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


def fix(ref, multiline=False):
    source = ref.get("source")
    what = {"env": "environment variable", "file": "file", "vault": "Vault secret"}.get(
        source, "reference")
    return "Set that %s on the controller%s, then run again." % (
        what, "" if multiline else " (single line)")


def resolve(ref, vault_get=None, environ=None, keep_newline=False):
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
                text = handle.read()
                return text if keep_newline else text.rstrip("\r\n")
        except (OSError, UnicodeDecodeError):
            return ""
    if vault_get is None:
        raise SecretProblem("%s: no Vault client here" % describe(ref))
    data = vault_get(ref.get("path", ""), ref.get("mount") or "secret")
    value = (data or {}).get(ref.get("key", ""))
    return "" if value is None else str(value)


def check(name, ref, value, multiline=False):
    """Raise :class:`SecretProblem` unless ``value`` is one non-empty line (``multiline``:
    non-empty, for PEM files such as a TLS key)."""
    if not value or (not multiline and ("\n" in value or "\r" in value)):
        raise SecretProblem("%s is empty, missing%s: its reference is %s. %s"
                            % (name, "" if multiline else " or not a single line",
                               describe(ref), fix(ref, multiline)))
    return value


# -- scopes -----------------------------------------------------------------------------
# the controller's own credentials: never a gateway's secret unless listed explicitly
CONTROLLER_ENV = ("VAULT_", "BAO_", "AWS_", "AZURE_", "GOOGLE_", "GCP_", "K8S_AUTH_",
                  "KUBECONFIG", "ANSIBLE_", "AWX_", "TOWER_", "CONTROLLER_", "CLAWOPS_",
                  "SSH_", "GNUPG", "GPG_", "HOME", "PATH", "USER", "LOGNAME", "SUDO_")
SYSTEM_FILES = ("/etc", "/proc", "/sys", "/dev", "/boot", "/run/secrets",
                "/var/run/secrets", "/var/lib/kubelet", "/var/lib/docker")
HOME_CREDENTIALS = (".ssh", ".aws", ".azure", ".kube", ".config", ".docker", ".gnupg",
                    ".vault-token", ".netrc", ".ansible", ".git-credentials", ".pgpass")


class Scope:
    """Where an org's secret references may point (fleet.yml ``secrets``)."""

    def __init__(self, spec, org_slug, home=None):
        spec = spec or {}
        self.vault_prefixes = [p if p.endswith("/") else p + "/"
                               for p in spec.get("vault_prefixes", [org_slug + "/"])]
        self.vault_mounts = list(spec.get("vault_mounts", ["secret"]))
        self.home = home or os.path.expanduser("~")
        self.file_dirs = [self._expand(d) for d in spec.get("file_dirs", [])] or None
        self.env_prefixes = spec.get("env_prefixes")
        self.controller_env = spec.get("controller_env", True)

    def _expand(self, path):
        if path == "~" or path.startswith("~/"):
            path = self.home + path[1:]
        return posixpath.normpath(path)

    def problem(self, ref):
        """(why, fix) when ``ref`` points outside the scope, else None."""
        source = ref.get("source")
        where = "fleet.yml secrets"
        if source == "env":
            var = ref.get("var", "")
            if not self.controller_env:
                return ("env references are off on this controller (secrets.controller_env: "
                        "false)", "use a file or vault reference")
            if self.env_prefixes is not None:
                if not var.startswith(tuple(self.env_prefixes)):
                    return ("controller variable %s is outside the allowed prefixes (%s)"
                            % (var, ", ".join(self.env_prefixes) or "none"),
                            "use a variable named %s..., or add its prefix to %s.env_prefixes"
                            % ((self.env_prefixes or ["<ORG>_"])[0], where))
            elif var.startswith(CONTROLLER_ENV):
                return ("controller variable %s is one of the controller's own credentials or "
                        "settings" % var, "give the gateway its own variable (e.g. "
                        "<ORG>_<NAME>), or list its prefix in %s.env_prefixes" % where)
        elif source == "file":
            raw = ref.get("path", "")
            path = self._expand(raw)
            if not path.startswith("/"):
                path = os.path.abspath(path)  # read relative to the controller's cwd
            if self.file_dirs is not None:
                if not any(below(path, d) for d in self.file_dirs):
                    return ("file %s is outside the allowed directories (%s)"
                            % (raw, ", ".join(self.file_dirs)),
                            "keep it below one of them, or add its directory to %s.file_dirs"
                            % where)
            else:
                home = [posixpath.join(self.home, name) for name in HOME_CREDENTIALS]
                for bad in SYSTEM_FILES + tuple(home) + ("/etc/clawops",):
                    if below(path, bad, inclusive=True):
                        return ("file %s is a system or credential file of the controller"
                                % raw, "put the gateway's secret in a file of its own (e.g. "
                                "~/.clawops/secrets/<org>/...) and list that directory in "
                                "%s.file_dirs" % where)
        elif source == "vault":
            path = ref.get("path", "").strip("/")
            mount = ref.get("mount") or "secret"
            segments = path.split("/")
            if "." in segments or ".." in segments or "" in segments:
                return ("vault path %r is not normal" % ref.get("path", ""),
                        "write it without '.', '..' or '//'")
            if mount not in self.vault_mounts:
                return ("vault mount %s is outside the allowed mounts (%s)"
                        % (mount, ", ".join(self.vault_mounts)),
                        "use one of them, or add it to %s.vault_mounts" % where)
            if not any((path + "/").startswith(p) for p in self.vault_prefixes):
                return ("vault path %s is outside the allowed prefixes (%s)"
                        % (path, ", ".join(self.vault_prefixes)),
                        "keep the org's secrets below one of them, or add a prefix to "
                        "%s.vault_prefixes" % where)
        return None


# the gateway's own auth secret keys the digest of its secrets
_DIGEST_KEYS = ("OPENCLAW_GATEWAY_TOKEN", "OPENCLAW_GATEWAY_PASSWORD")


def secrets_digest(values):
    """The digest of a gateway's secret values (names and values) that revisions and the pod
    template record so that a change rolls the gateway: an HMAC-SHA256 keyed with the
    gateway's own auth secret, so whoever reads an annotation or a revision cannot test
    guesses of a weak value against it (a plain sha256 would let them). The same values give
    the same digest on every controller; without an auth secret the key is empty."""
    key = b""
    for name in _DIGEST_KEYS:
        if values.get(name):
            key = str(values[name]).encode("utf-8")
            break
    mac = hmac.new(b"clawops-secrets-1\0" + key, digestmod=hashlib.sha256)
    for name in sorted(values):
        mac.update(("%s=%s\n" % (name, values[name])).encode("utf-8"))
    return mac.hexdigest()


def env_file_values(text):
    """``{name: value}`` of an env file as the deploy writes it (``NAME=value`` lines, ``#``
    comments)."""
    values = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#") or "=" not in line:
            continue
        name, value = line.split("=", 1)
        values[name.strip()] = value
    return values
