"""Write roles/<role>/README.md from each role's meta/argument_specs.yml.

The argument specs are the one place a role's entry points and variables are described
(Ansible validates against them); the READMEs Galaxy shows are generated from them.
tests/unit/test_role_readmes.py fails when one is stale:  python scripts/role_readmes.py
"""

from __future__ import annotations

import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROLES = os.path.join(ROOT, "roles")


def _text(value):
    """Ansible doc markup (C(x), V(x), O(x), RV(x), I(x), L(t,u), U(u)) as Markdown."""
    text = " ".join(value) if isinstance(value, list) else str(value or "")
    text = re.sub(r"\b(?:C|V|O|RV|I)\(([^)]*)\)", r"`\1`", text)
    text = re.sub(r"\bL\(([^,)]*),\s*([^)]*)\)", r"[\1](\2)", text)
    text = re.sub(r"\bU\(([^)]*)\)", r"<\1>", text)
    return " ".join(text.split())


def _cell(value):
    return _text(value).replace("|", "\\|")


def render(role):
    with open(os.path.join(ROLES, role, "meta", "argument_specs.yml"), encoding="utf-8") as handle:
        specs = yaml.safe_load(handle)["argument_specs"]
    lines = ["# clawops.orchestrator.%s" % role, "",
             "<!-- generated from meta/argument_specs.yml by scripts/role_readmes.py -->", ""]
    main = specs.get("main", {})
    lines += [_text(main.get("short_description")) + ".", ""]
    for paragraph in main.get("description") or []:
        lines += [_text(paragraph), ""]
    lines += ["Use it by its full name, e.g. `ansible.builtin.include_role: {name: "
              "clawops.orchestrator.%s}`; the collection's playbooks show it in context "
              "(docs/architecture.md)." % role, ""]
    for entry in sorted(specs, key=lambda e: (e != "main", e)):
        spec = specs[entry]
        where = "" if entry == "main" else " (`tasks_from: %s.yml`)" % entry
        title = "Entry point `%s`" % entry + where
        lines += ["## " + title, ""]
        if entry != "main":
            lines += [_text(spec.get("short_description")) + ".", ""]
            for paragraph in spec.get("description") or []:
                lines += [_text(paragraph), ""]
        options = spec.get("options") or {}
        if not options:
            lines += ["No variables.", ""]
            continue
        lines += ["| variable | type | default | description |", "|---|---|---|---|"]
        for name in sorted(options):
            option = options[name]
            default = option.get("default")
            shown = "" if default is None and "default" not in option else "`%s`" % (
                yaml.safe_dump(default, default_flow_style=True).strip().rstrip(".").strip()
                if not isinstance(default, str) else default)
            kind = option.get("type", "str") + (" (required)" if option.get("required") else "")
            row = (name, kind, _cell(shown), _cell(option.get("description")))
            lines.append("| `%s` | %s | %s | %s |" % row)
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def roles():
    return sorted(r for r in os.listdir(ROLES)
                  if os.path.isfile(os.path.join(ROLES, r, "meta", "argument_specs.yml")))


def main():
    for role in roles():
        with open(os.path.join(ROLES, role, "README.md"), "w", encoding="utf-8") as handle:
            handle.write(render(role))
    return 0


if __name__ == "__main__":
    sys.exit(main())
