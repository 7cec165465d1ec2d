# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Redaction by key and by value, written once for every place text leaves the collection:
audit events, revision notes, failure messages (the ``scrub`` filter), preflight.

By key: the string value of a secret-named key (``token``, ``password``, ``api_key`` ...)
becomes ``<redacted>``. By value: any text shaped like a known credential (provider API
keys, Slack, GitHub, AWS, Google, Telegram, Vault tokens, private keys) and any occurrence
of a value the caller knows to be secret is replaced, wherever it appears - in an error
message copied from a failed task as much as in a details field. Pure Python."""

from __future__ import annotations

import re

REDACTED = "<redacted>"
MIN_KNOWN = 8  # shorter "secrets" (true, 1234) would redact ordinary words

CREDENTIAL_PATTERNS = [
    ("an OpenAI/Anthropic-style API key", re.compile(r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}|\bxapp-[0-9]-[A-Za-z0-9-]{10,}")),
    ("a GitHub token", re.compile(r"\b(?:ghp|gho|ghs|ghu|ghr)_[A-Za-z0-9]{30,}|\bgithub_pat_"
                                  r"[A-Za-z0-9_]{30,}")),
    ("an AWS access key", re.compile(r"\bAKIA[0-9A-Z]{16}\b")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("a Telegram bot token", re.compile(r"\b\d{8,10}:[A-Za-z0-9_-]{35}\b")),
    ("a Vault token", re.compile(r"\bhv[sb]\.[A-Za-z0-9_-]{20,}")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
]
# one pass over a text for all of them; a private key is cut to its END line
_ANY_CREDENTIAL = re.compile(
    "|".join("(?:%s)" % p.pattern for name, p in CREDENTIAL_PATTERNS[:-1])
    + r"|-----BEGIN [A-Z ]*PRIVATE KEY-----(?:.*?-----END [A-Z ]*PRIVATE KEY-----)?",
    re.S)
_SECRET_KEY = re.compile(r"(token|secret|password|passwd|api[_-]?key|credential|private[_-]?key)",
                         re.I)


def credential_kind(text):
    """What kind of credential ``text`` holds (a phrase), or None."""
    for name, pattern in CREDENTIAL_PATTERNS:
        if pattern.search(text):
            return name
    return None


def scrub_text(text, known=()):
    """``text`` with every known secret value and every credential-shaped run replaced."""
    if not isinstance(text, str) or not text:
        return text
    for secret in sorted((s for s in known if isinstance(s, str) and len(s) >= MIN_KNOWN),
                         key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return _ANY_CREDENTIAL.sub(REDACTED, text)


def redact(value, known=()):
    """A copy of ``value`` (dicts, lists, strings) redacted by key name and by value."""
    if isinstance(value, dict):
        return {k: (REDACTED if _SECRET_KEY.search(str(k)) and isinstance(v, str) and v
                    else redact(v, known)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, known) for v in value]
    if isinstance(value, str):
        return scrub_text(value, known)
    return value


# -- literal secrets in a rendered config (preflight's security.literal-secret) ------------
_SECRET_KEY_ENDINGS = ("token", "secret", "password", "passwd", "apikey", "api_key",
                       "privatekey", "private_key", "accesskey", "access_key",
                       "clientsecret", "signingsecret")
_ENV_PLACEHOLDER = re.compile(r"^\$\{[A-Z][A-Z0-9_]*\}$")
_VARIABLE_ONLY = re.compile(r"^@\{[a-z][a-z0-9_.]*\}$")
# a superset of what classify_secret flags, over a config's JSON text in one pass: a
# credential shape, or a secret-named key (the endings above, '-' or '_') holding a string
LITERAL_HINT = re.compile(
    _ANY_CREDENTIAL.pattern + r'|"[^"\n]*?(?:%s)"\s*:\s*"'
    % "|".join(ending.replace("_", "[_-]") for ending in _SECRET_KEY_ENDINGS), re.I | re.S)
LITERAL_PLACEHOLDER = "<redacted: a literal secret (preflight security.literal-secret)>"


def is_secret_key(key):
    if not isinstance(key, str):
        return False
    text = key.lower().replace("-", "_")
    return text.endswith(_SECRET_KEY_ENDINGS)


def classify_secret(key, value):
    """'literal', 'inline' or None for one key/value pair (the value is never returned)."""
    if not isinstance(value, str) or not value:
        return None
    if credential_kind(value):
        return "literal"
    if not is_secret_key(key):
        return None
    if _ENV_PLACEHOLDER.match(value):
        return "inline"
    if _VARIABLE_ONLY.match(value):
        return "inline"  # a variable is still a string in the config, never a SecretRef
    return "literal"


def redact_literal_secrets(node, key=None):
    """(copy of ``node``, count): every leaf preflight calls a literal secret replaced."""
    if isinstance(node, dict):
        out, count = {}, 0
        for name, value in node.items():
            out[name], found = redact_literal_secrets(value, name)
            count += found
        return out, count
    if isinstance(node, list):
        out, count = [], 0
        for value in node:
            item, found = redact_literal_secrets(value, key)
            out.append(item)
            count += found
        return out, count
    if classify_secret(key, node) == "literal":
        return LITERAL_PLACEHOLDER, 1
    return node, 0
