# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Typed errors of the clawops core.

Every error names the file, the key path inside it, what is wrong and how to fix it.
The core never lets a raw traceback reach a user: loaders and renderers convert
library exceptions (YAML, JSON5, jsonschema, OS) into these types, and the Ansible
boundary (module or plugin) turns them into one readable message.
"""

from __future__ import annotations


def format_key_path(path):
    """Render a key path tuple as ``a.b[2].c``; keys that are not identifiers are quoted."""
    out = []
    for part in path or ():
        if isinstance(part, int):
            out.append("[%d]" % part)
        else:
            text = str(part)
            if text and all(c.isalnum() or c in "_-$" for c in text):
                out.append(("." if out else "") + text)
            else:
                out.append('["%s"]' % text.replace('"', '\\"'))
    return "".join(out) or "(top level)"


class FleetError(Exception):
    """Base class: a problem in the fleet definition or its templates."""

    kind = "fleet"

    def __init__(self, message, file=None, key_path=None, fix=None, chain=None, code=None):
        self.code = code or self.kind
        self.problem = message
        self.file = file
        self.key_path = tuple(key_path or ())
        self.fix = fix
        self.chain = list(chain or [])
        super().__init__(self.render())

    def location(self):
        where = self.file or "(fleet)"
        if self.key_path:
            where += ": " + format_key_path(self.key_path)
        return where

    def render(self):
        text = "%s: %s" % (self.location(), self.problem)
        if self.chain:
            text += " (include chain: %s)" % " -> ".join(self.chain)
        if self.fix:
            text += ". Fix: %s" % self.fix
        return text

    def as_dict(self):
        return {
            "kind": self.kind,
            "code": self.code,
            "file": self.file,
            "key_path": format_key_path(self.key_path) if self.key_path else "",
            "message": self.problem,
            "fix": self.fix or "",
            "chain": self.chain,
        }


class SyntaxProblem(FleetError):
    """A YAML or JSON5 file that does not parse."""

    kind = "syntax"


class IncludeError(FleetError):
    """``$include`` outside the fleet directory, a cycle, too deep, or a missing file."""

    kind = "include"


class SchemaProblem(FleetError):
    """A value that violates the fleet JSON Schema (unknown key, wrong type, ...)."""

    kind = "schema"


class ReferenceProblem(FleetError):
    """A name that points at nothing (unknown group, host, agent, account)."""

    kind = "reference"


class SubstitutionError(FleetError):
    """An ``@{variable}`` that is not defined in the scope where it is used."""

    kind = "substitution"


class ManagedKeyError(FleetError):
    """A template or override sets a key that the orchestrator derives itself."""

    kind = "managed-key"


class FleetErrors(FleetError):
    """Several problems found in one pass; each keeps its own location."""

    kind = "multiple"

    def __init__(self, errors):
        self.errors = list(errors)
        if not self.errors:  # reported elsewhere already (e.g. a broken group file)
            super().__init__("problems reported above")
            return
        first = self.errors[0]
        super().__init__(first.problem, first.file, first.key_path, first.fix, first.chain,
                         first.code)

    def render(self):
        if not self.errors:
            return self.problem
        if len(self.errors) == 1:
            return self.errors[0].render()
        return "%d problems in the fleet definition:\n%s" % (
            len(self.errors), "\n".join("- " + e.render() for e in self.errors))

    def as_dict(self):
        return {"kind": self.kind, "errors": [e.as_dict() for e in self.errors]}
