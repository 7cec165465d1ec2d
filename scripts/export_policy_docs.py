"""Write the generated parts of docs/policy.md: the finding codes and the demo fleet's
effective policy and routing table (real output of the core, so the docs stay true).

    .venv/bin/python scripts/export_policy_docs.py          # rewrite
    .venv/bin/python scripts/export_policy_docs.py --check  # exit 1 if out of date
"""

from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".build", "collections"))

from ansible_collections.clawops.orchestrator.plugins.module_utils._preflight import (  # noqa: E402
    CODES, run_preflight)
from ansible_collections.clawops.orchestrator.plugins.module_utils._views import (  # noqa: E402
    policy_view, routing_view)

DOC = os.path.join(ROOT, "docs", "policy.md")
DEMO = os.path.join(ROOT, "examples", "fleet")
MARKERS = {
    "codes": ("<!-- BEGIN GENERATED CODES -->", "<!-- END GENERATED CODES -->"),
    "views": ("<!-- BEGIN GENERATED DEMO VIEWS -->", "<!-- END GENERATED DEMO VIEWS -->"),
}


def codes_table():
    rows = ["| code | severity | meaning |", "|---|---|---|"]
    for code in sorted(CODES):
        severity, meaning = CODES[code]
        rows.append("| `%s` | %s | %s |" % (code, severity, meaning.replace("|", "\\|")))
    return "\n".join(rows)


def demo_views():
    report = run_preflight(DEMO)
    view = policy_view(report, "gw-people/alice", only_allowed=True)
    routing = routing_view(report)
    return "\n".join([
        "`ansible-playbook playbooks/preflight.yml -e clawops_view=all -e "
        "clawops_scope=gw-people/alice` on `examples/fleet` prints (allowed rows only here; "
        "the playbook also lists every denied item with the scope, file and key path that "
        "denied it):", "", "```", report.text(), "", view["table"], "```", "",
        "The routing table of the whole demo fleet:", "", "```", routing["table"], "```"])


def render(current):
    for name, (begin, end) in MARKERS.items():
        start, stop = current.index(begin) + len(begin), current.index(end)
        body = codes_table() if name == "codes" else demo_views()
        current = current[:start] + "\n" + body + "\n" + current[stop:]
    return current


def main():
    with open(DOC, encoding="utf-8") as handle:
        current = handle.read()
    wanted = render(current)
    if "--check" in sys.argv:
        if wanted != current:
            print("docs/policy.md is out of date: run scripts/export_policy_docs.py")
            sys.exit(1)
        return
    with open(DOC, "w", encoding="utf-8") as handle:
        handle.write(wanted)
    print("wrote %s" % DOC)


if __name__ == "__main__":
    main()
