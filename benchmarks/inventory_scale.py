"""Inventory at scale: the fleet inventory plugin over a synthetic 1,000-gateway fleet.

    .venv/bin/python benchmarks/inventory_scale.py                  # 1000 gateways x 10 agents
    .venv/bin/python benchmarks/inventory_scale.py --gateways 200 --agents 5

Measures, with the real CLIs, each run in its own process:
  - `ansible-inventory --list` cold (empty parse cache, no inventory cache), with the parse
    cache the first run filled (CLAWOPS_PARSE_CACHE in a temp dir), and with the inventory
    cache (inventory_cache: jsonfile in a temp dir); `--graph` (no host variables printed);
  - `ansible-playbook` of one play with one no-op task (`meta: noop`) over every gateway;
  - the core alone: load + validate + render (render_fleet) and preflight (run_preflight),
    without and with the parse cache.
Prints one line per measurement; the figures go to docs/performance.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".venv", "bin")
sys.path.insert(0, os.path.join(ROOT, ".build", "collections"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from render_scale import generate  # noqa: E402  pylint: disable=wrong-import-position


def timed(argv, env):
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit("%s failed:\n%s" % (" ".join(argv), (proc.stdout + proc.stderr)[-3000:]))
    return took, proc.stdout


def core_figures(fleet_dir, parse_cache):
    """render (load + validate + render) and preflight, each in a fresh process, with the
    given parse cache directory (None: no cache)."""
    code = ("import json, sys, time; sys.path.insert(0, %r)\n"
            "from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet\n"
            "from ansible_collections.clawops.orchestrator.plugins.module_utils._render import render_fleet\n"
            "s = time.perf_counter(); render_fleet(load_fleet(%r, parse_cache=%r)); r = time.perf_counter() - s\n"
            "print(json.dumps({'render': r}))"
            % (os.path.join(ROOT, ".build", "collections"), fleet_dir, parse_cache))
    render = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                       text=True, check=True).stdout.strip().splitlines()[-1])
    code = ("import json, os, sys, time; sys.path.insert(0, %r)\n"
            "os.environ['CLAWOPS_PARSE_CACHE'] = %r\n"
            "from ansible_collections.clawops.orchestrator.plugins.module_utils._preflight import run_preflight\n"
            "s = time.perf_counter(); report = run_preflight(%r); p = time.perf_counter() - s\n"
            "print(json.dumps({'preflight': p, 'findings': len(report.findings)}))"
            % (os.path.join(ROOT, ".build", "collections"), parse_cache or "off", fleet_dir))
    render.update(json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                            text=True, check=True).stdout.strip().splitlines()[-1]))
    return render


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gateways", type=int, default=1000)
    parser.add_argument("--agents", type=int, default=10)
    args = parser.parse_args()
    base = tempfile.mkdtemp(prefix="clawops-inv-bench-")
    try:
        fleet_dir = os.path.join(base, "fleet")
        generate(fleet_dir, args.gateways, args.agents)
        parse_cache = os.path.join(base, "parse-cache")
        plain = os.path.join(base, "plain.clawops.yml")
        cached = os.path.join(base, "cached.clawops.yml")
        with open(plain, "w", encoding="utf-8") as handle:
            handle.write("plugin: clawops.orchestrator.fleet\nfleet_dir: %s\n" % fleet_dir)
        with open(cached, "w", encoding="utf-8") as handle:
            handle.write("plugin: clawops.orchestrator.fleet\nfleet_dir: %s\ncache: true\n"
                         "cache_plugin: ansible.builtin.jsonfile\ncache_connection: %s\n"
                         % (fleet_dir, os.path.join(base, "inventory-cache")))
        play = os.path.join(base, "noop.yml")
        with open(play, "w", encoding="utf-8") as handle:
            handle.write("- hosts: clawops\n  gather_facts: false\n  tasks:\n"
                         "    - ansible.builtin.meta: noop\n")
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"),
                   ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), CLAWOPS_PARSE_CACHE=parse_cache)
        inventory = os.path.join(BIN, "ansible-inventory")
        print("fleet: %d gateways x %d agents" % (args.gateways, args.agents))
        took, out = timed([inventory, "-i", plain, "--list"], env)
        print("ansible-inventory --list, cold (no cache of any kind): %6.2f s  (%d kB of JSON)"
              % (took, len(out) // 1024))
        took, dummy = timed([inventory, "-i", plain, "--list"], env)
        print("ansible-inventory --list, parse cache:                 %6.2f s" % took)
        timed([inventory, "-i", cached, "--list"], env)  # writes the inventory cache
        took, dummy = timed([inventory, "-i", cached, "--list"], env)
        print("ansible-inventory --list, inventory cache:             %6.2f s" % took)
        took, dummy = timed([inventory,
                             "-i", cached, "--graph"], env)
        print("ansible-inventory --graph, inventory cache:            %6.2f s" % took)
        playbook = os.path.join(BIN, "ansible-playbook")
        took, dummy = timed([playbook, "-i", plain, play], env)
        print("no-op play, parse cache:                               %6.2f s" % took)
        took, dummy = timed([playbook, "-i", cached, play], env)
        print("no-op play, inventory cache:                           %6.2f s" % took)
        cold = core_figures(fleet_dir, None)
        warm = core_figures(fleet_dir, parse_cache)
        print("core render (load+validate+render), cold / parse cache: %5.2f s / %5.2f s"
              % (cold["render"], warm["render"]))
        print("core preflight, cold / parse cache:                     %5.2f s / %5.2f s  (%d findings)"
              % (cold["preflight"], warm["preflight"], warm["findings"]))
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
