# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight family *secrets*: secret values written into the fleet repo (any file, any
key), tokens given as strings instead of references, file references into the repo, and a
gateway's auth token reused for anything else."""

from __future__ import annotations

import os

from .._errors import FleetError
from .._layering import leaves
from .._redact import classify_secret, credential_kind
from ._base import Family, parse_codes, source_at

_SECRET_REF_KEYS = frozenset(["source", "var", "path", "key", "mount", "provider", "id"])
_TEXT_SUFFIXES = (".md", ".txt", ".sh", ".env", ".ini", ".cfg", ".conf", ".toml", ".py",
                  ".j2", ".tpl", ".csv")
MAX_SCAN_BYTES = 1 << 20

CODES = parse_codes("""
    security.literal-secret  error   A secret value is written in the fleet definition.
    secret.gateway-token     error   A gateway's auth token reference is used for something else
                                     (an account, an env var).
    security.inline-token    error   A token field holds a string (or ${VAR}) instead of a
                                     secret reference.
    security.secret-in-repo  error   A file secret reference points inside the fleet repo.
""")


class Checks(Family):
    """The secrets family."""

    def __init__(self, *args):
        super(Checks, self).__init__(*args)
        self.secret_locations = set()  # (file, key path) already reported

    def check_fleet(self):
        self.secrets_in_files()
        self.gateway_tokens()

    def check_gateway(self, plan):
        self.inline_tokens(plan)

    @staticmethod
    def _ref_key(ref):
        return tuple(sorted((k, str(v)) for k, v in ref.items()))

    def gateway_tokens(self):
        """A gateway's auth token is its auth only: never an account's or an env secret (an
        operator could otherwise hand another gateway's token to a channel they read)."""
        tokens = {}
        for gw_id, plan in self.plans.items():
            for name in ("OPENCLAW_GATEWAY_TOKEN", "OPENCLAW_GATEWAY_PASSWORD"):
                ref = plan.runtime["secret_env"].get(name)
                if ref:
                    tokens.setdefault(self._ref_key(ref), gw_id)
        for gw_id in sorted(self.plans):
            gw = self.plans[gw_id].gateway
            uses = []
            for channel, spec in sorted(gw.data.get("channels", {}).items()):
                for account_id, account in sorted(spec.get("accounts", {}).items()):
                    for field, ref in sorted(account.get("secrets", {}).items()):
                        uses.append((ref, gw.file, ("channels", channel, "accounts", account_id,
                                                    "secrets", field)))
            env_file, env_path = gw.setting_source("env")
            for name, ref in sorted(gw.settings.get("env", {}).items()):
                uses.append((ref, env_file, env_path + (name,)))
            for ref, rel, key_path in uses:
                owner = tokens.get(self._ref_key(ref)) if isinstance(ref, dict) else None
                if owner:
                    self.add("secret.gateway-token", rel, key_path,
                             "%s uses the auth token reference of gateway %s" % (gw_id, owner),
                             "give it a secret of its own; a gateway token is only that "
                             "gateway's auth", gw_id)

    def secrets_in_files(self):
        root = self.fleet.root
        files = self.fleet.files
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                path = os.path.join(dirpath, name)
                rel = files.rel(path)
                try:
                    if os.path.getsize(path) > MAX_SCAN_BYTES:
                        continue
                    if name.endswith((".yml", ".yaml")):
                        data = files.read_yaml(rel)
                    elif name.endswith((".json5", ".json")):
                        data = files.read_json5(rel)
                    elif name.endswith(_TEXT_SUFFIXES) or "." not in name:
                        self.scan_text(rel, path)
                        continue
                    else:
                        continue
                except (FleetError, OSError, UnicodeDecodeError):
                    continue  # unreadable files are reported by the loader when used
                self.scan_tree(rel, data, ())

    def scan_text(self, rel, path):
        with open(path, "rb") as handle:
            raw = handle.read()
        if b"\0" in raw:
            return
        text = raw.decode("utf-8", "replace")
        for number, line in enumerate(text.splitlines(), 1):
            kind = credential_kind(line)
            if kind:
                self.add("security.literal-secret", rel, ("line %d" % number,),
                         "looks like %s (value hidden)" % kind,
                         "remove it from the repo, rotate it, and reference it with "
                         "{source: env|file|vault}")

    def scan_tree(self, rel, node, path):
        if isinstance(node, dict):
            if node.get("source") in ("env", "file", "vault") and set(node) <= _SECRET_REF_KEYS:
                self.secret_ref(rel, node, path)
                return
            for key, value in node.items():
                verdict = classify_secret(key, value)
                if verdict:
                    self.secret_finding(verdict, rel, path + (key,), key, value)
                else:
                    self.scan_tree(rel, value, path + (key,))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, str):
                    kind = credential_kind(value)
                    if kind:
                        self.secret_finding("literal", rel, path + (index,), None, value)
                else:
                    self.scan_tree(rel, value, path + (index,))

    def secret_finding(self, verdict, rel, path, key, value, gateway=None):
        if (rel, tuple(path)) in self.secret_locations:
            return  # the file scan and the config scan found the same value
        self.secret_locations.add((rel, tuple(path)))
        kind = credential_kind(value) or "a %s value" % (key or "secret")
        if verdict == "literal":
            self.add("security.literal-secret", rel, path,
                     "holds %s in plain text (value hidden)" % kind,
                     "remove it (and rotate it: it is in git); reference it instead: "
                     "{source: env, var: NAME} / {source: file, path: ...} / {source: vault, "
                     "path: ..., key: ...} under the account's secrets: or the gateway's env:",
                     gateway)
        else:
            self.add("security.inline-token", rel, path,
                     "%s is a string (%s), not a secret reference" % (
                         key, "an env placeholder" if value.startswith("${") else
                         "a variable"),
                     "declare the secret under the account's 'secrets:' or the gateway's "
                     "'env:' so clawops writes an env SecretRef", gateway)

    def secret_ref(self, rel, ref, path):
        if ref.get("source") != "file" or not isinstance(ref.get("path"), str):
            return
        target = ref["path"]
        if "@{" in target or target.startswith("~"):
            return
        if not target.startswith("/"):
            target = os.path.join(os.path.dirname(self.fleet.files.abspath(rel)), target)
        if self.fleet.files.inside(os.path.normpath(target)):
            self.add("security.secret-in-repo", rel, path + ("path",),
                     "file secret %s is inside the fleet directory (it would be committed)"
                     % ref["path"], "keep secret files outside the repo, e.g. "
                     "~/.clawops/secrets/..., or use vault")

    def inline_tokens(self, plan):
        gw = plan.gateway
        for path, value in leaves(plan.config, ()):
            key = path[-1] if path else None
            verdict = classify_secret(key, value)
            if not verdict:
                continue
            src = source_at(plan.prov, path)
            rel, where = (src.file, src.path) if src and src.file and \
                not src.file.startswith("(") else (gw.file, ())
            self.secret_finding(verdict, rel, where or path, key, value, gw.id)
