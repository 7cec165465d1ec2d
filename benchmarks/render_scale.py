"""Scale benchmark: load + validate (fleet schema) + render synthetic fleets, and the same
layering done the Ansible-native way (Jinja `combine(recursive=True)` per host).

    .venv/bin/python benchmarks/render_scale.py            # default scenarios
    .venv/bin/python benchmarks/render_scale.py --gateways 1000 --agents 10

Each scenario runs in a fresh child process so wall time and peak RSS are its own.
Prints one line per scenario and a summary; numbers go to docs/performance.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".build", "collections"))

SCENARIOS = [(5, 10), (100, 10), (500, 10), (1000, 10)]


GATEWAYS_PER_HOST = 100  # ports 20000, 20120, ... stay below 32000


def hosts_for(gateways):
    return max(1, -(-gateways // GATEWAYS_PER_HOST))


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def generate(root, gateways, agents):
    """A fleet like the demo, scaled: 3 groups, includes, accounts and a binding per agent,
    100 gateways per compose host, catalogs and an org policy; it passes preflight."""
    write(os.path.join(root, "fleet.yml"), """
schema_version: 1
org: {org_id: bench-0001, org_slug: bench, display_name: Bench Org}
defaults:
  image: {version: "2026.9.6"}
  auth: {mode: token, token: {source: file, path: "~/.clawops/secrets/@{gateway.id}.token"}}
targets:
  compose_hosts:
%s
config:
  templates: [templates/org.json5]
variables: {default_model: anthropic/claude-sonnet-4-5}
policy:
  integrations: {allow: [telegram, slack, webchat], tiers: [low, medium]}
  providers: {allow: [anthropic, openai]}
  models: {tiers: [default]}
  skills: {deny: [tmux], tiers: [low, medium]}
  tools: {deny: [exec]}
""" % "\n".join("    h%d: {root: /srv/clawops, vars: {ansible_host: 10.0.0.%d}}" % (h, h + 1)
                for h in range(hosts_for(gateways))))
    write(os.path.join(root, "catalogs/models.yml"), """models:
  anthropic/claude-sonnet-4-5: {tier: default, owner: bench}
  openai/gpt-5.1: {tier: default, owner: bench}
""")
    write(os.path.join(root, "templates/org.json5"), """{
  $include: ["partials/logging.json5", "partials/security.json5"],
  agents: { defaults: { model: { primary: "@{vars.default_model}" } } },
  session: { scope: "per-sender" },
}""")
    write(os.path.join(root, "templates/partials/logging.json5"),
          '{ logging: { level: "info", consoleLevel: "warn" } }')
    write(os.path.join(root, "templates/partials/security.json5"),
          '{ tools: { profile: "messaging", deny: ["gateway"] }, '
          'channels: { telegram: { dmPolicy: "pairing" } } }')
    for index, profile in enumerate(("human", "usecase", "usecase")):
        write(os.path.join(root, "groups/g%d.yml" % index),
              "id: g%d\nprofile: %s\ntrust_level: medium\nwave: %d\n"
              "config:\n  templates: [../templates/g%d.json5]\n" % (index, profile, index + 1,
                                                                    index))
        write(os.path.join(root, "templates/g%d.json5" % index),
              '{ agents: { defaults: { thinkingDefault: "low", sandbox: { mode: "all" } } }, '
              'tools: { deny: { $append: ["cron"] } } }')
    for gw in range(gateways):
        lines = ["id: gw-%05d" % gw, "groups: [g%d]" % (gw % 3),
                 "provider: {type: compose, host: h%d}" % (gw // GATEWAYS_PER_HOST),
                 "port: %d" % (20000 + (gw % GATEWAYS_PER_HOST) * 120),
                 "config:", "  overrides:", "    logging: {level: warn}", "agents:"]
        human = gw % 3 == 0
        for agent in range(agents):
            lines.append("  - id: a%02d" % agent)
            lines.append("    kind: %s" % ("human" if human else "usecase"))
            if human:
                lines.append("    owner: user-%05d-%02d@bench.example" % (gw, agent))
            lines.append("    model: openai/gpt-5.1")
            lines.append("    skills: [weather]")
            lines.append("    config: {overrides: {identity: {name: \"@{agent.id} of @{gateway.id}\"}}}")
        lines += ["channels:", "  telegram:", "    accounts:"]
        for agent in range(agents):
            lines.append("      acct-%02d: {secrets: {botToken: {source: vault, path: bench/tg/%d, "
                         "key: a%02d}}}" % (agent, gw, agent))
        lines.append("bindings:")
        for agent in range(agents):
            lines.append("  - {agentId: a%02d, match: {channel: telegram, accountId: acct-%02d}}"
                         % (agent, agent))
        write(os.path.join(root, "gateways/gw-%05d.yml" % gw), "\n".join(lines) + "\n")


def child_core(root):
    from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
    from ansible_collections.clawops.orchestrator.plugins.module_utils._render import (
        render_fleet)
    start = time.perf_counter()
    fleet = load_fleet(root)
    loaded = time.perf_counter()
    plans = render_fleet(fleet)
    rendered = time.perf_counter()
    leaves = sum(len(p.provenance()) for p in plans.values())
    return {"load_validate_s": loaded - start, "render_s": rendered - loaded,
            "total_s": rendered - start, "gateways": len(plans),
            "agents": sum(len(p.summary["agents"]) for p in plans.values()),
            "leaves_with_provenance": leaves}


def child_ansible(root):
    """Same layers merged per host with Ansible's templar and combine(recursive=True)."""
    import json5
    import yaml
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar, trust_as_template
    from ansible.plugins.loader import init_plugin_loader
    init_plugin_loader()

    def template(name):
        with open(os.path.join(root, "templates", name), encoding="utf-8") as handle:
            return json5.loads(handle.read())

    # Pre-resolved layers (includes flattened by hand): only the merging is measured.
    org = template("org.json5")
    org.pop("$include")
    org = [template("partials/logging.json5"), template("partials/security.json5"), org]
    groups = {"g%d" % i: template("g%d.json5" % i) for i in range(3)}
    for g in groups.values():
        g["tools"]["deny"] = ["gateway", "cron"]
    gw_docs = []
    for name in sorted(os.listdir(os.path.join(root, "gateways"))):
        with open(os.path.join(root, "gateways", name), encoding="utf-8") as handle:
            gw_docs.append(yaml.safe_load(handle))
    expr = trust_as_template(
        "{{ org | combine(group, gateway, agents, recursive=True) }}")
    start = time.perf_counter()
    for doc in gw_docs:
        entries = {a["id"]: {"model": a["model"], "skills": a["skills"],
                             "identity": {"name": "%s of %s" % (a["id"], doc["id"])}}
                   for a in doc["agents"]}
        variables = {"org": org, "group": groups[doc["groups"][0]],
                     "gateway": doc["config"]["overrides"],
                     "agents": {"agents": {"entries": entries}}}
        Templar(loader=DataLoader(), variables=variables).template(expr)
    return {"combine_s": time.perf_counter() - start, "gateways": len(gw_docs)}


def run_child(kind, root):
    proc = subprocess.run([sys.executable, __file__, "--child", kind, root], capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gateways", type=int)
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, root = args.child
        result = child_core(root) if kind == "core" else child_ansible(root)
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        print(json.dumps(result))
        return
    scenarios = [(args.gateways, args.agents)] if args.gateways else SCENARIOS
    print("cores=%d python=%s" % (os.cpu_count(), sys.version.split()[0]))
    print("%9s %7s | %10s %9s %9s %9s | %13s %9s | %6s" % (
        "gateways", "agents", "load+valid", "render", "total", "peak MB",
        "jinja combine", "peak MB", "ratio"))
    for gateways, agents in scenarios:
        with tempfile.TemporaryDirectory(prefix="clawops-bench-") as root:
            generate(root, gateways, agents)
            core = run_child("core", root)
            native = run_child("ansible", root)
        print("%9d %7d | %9.2fs %8.2fs %8.2fs %9.0f | %12.2fs %9.0f | %5.1fx" % (
            core["gateways"], core["agents"], core["load_validate_s"], core["render_s"],
            core["total_s"], core["peak_rss_mb"], native["combine_s"], native["peak_rss_mb"],
            native["combine_s"] / core["total_s"]))
    print("core = load YAML/JSON5 + $include + fleet JSON Schema + references + layering "
          "with per-leaf provenance + runtime spec; jinja combine = the merge alone, no "
          "provenance, no validation, includes pre-flattened")


if __name__ == "__main__":
    main()
