"""Inventory at scale: the fleet inventory plugin over a synthetic 1,000-gateway fleet.

    .venv/bin/python benchmarks/inventory_scale.py                  # 1000 gateways x 10 agents
    .venv/bin/python benchmarks/inventory_scale.py --gateways 200 --agents 5

Measures, with the real CLIs, each run in its own process:
  - `ansible-inventory --list` cold (no cache yet) and again with the cache the first run
    wrote (inventory_cache: jsonfile in a temp dir);
  - `ansible-playbook` of one play with one no-op task (`meta: noop`) over every gateway;
  - the core alone: load + validate + render (render_fleet) and preflight (run_preflight).
Prints one line per measurement; the figures go to docs/performance.md by hand.
"""

from __future__ import annotations

import argparse
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


def core_figures(fleet_dir):
    code = ("import json, sys, time; sys.path.insert(0, %r)\n"
            "from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet\n"
            "from ansible_collections.clawops.orchestrator.plugins.module_utils._render import render_fleet\n"
            "from ansible_collections.clawops.orchestrator.plugins.module_utils._preflight import run_preflight\n"
            "s = time.perf_counter(); render_fleet(load_fleet(%r)); r = time.perf_counter() - s\n"
            "s = time.perf_counter(); run_preflight(%r); p = time.perf_counter() - s\n"
            "print(json.dumps({'render': r, 'preflight': p}))"
            % (os.path.join(ROOT, ".build", "collections"), fleet_dir, fleet_dir))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return __import__("json").loads(proc.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gateways", type=int, default=1000)
    parser.add_argument("--agents", type=int, default=10)
    args = parser.parse_args()
    base = tempfile.mkdtemp(prefix="clawops-inv-bench-")
    try:
        fleet_dir = os.path.join(base, "fleet")
        generate(fleet_dir, args.gateways, args.agents)
        inventory = os.path.join(base, "fleet.clawops.yml")
        cache = os.path.join(base, "cache")
        with open(inventory, "w", encoding="utf-8") as handle:
            handle.write("plugin: clawops.orchestrator.fleet\nfleet_dir: %s\ncache: true\n"
                         "cache_plugin: ansible.builtin.jsonfile\ncache_connection: %s\n"
                         % (fleet_dir, cache))
        play = os.path.join(base, "noop.yml")
        with open(play, "w", encoding="utf-8") as handle:
            handle.write("- hosts: clawops\n  gather_facts: false\n  tasks:\n"
                         "    - ansible.builtin.meta: noop\n")
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"),
                   ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"))
        print("fleet: %d gateways x %d agents" % (args.gateways, args.agents))
        cold, out = timed([os.path.join(BIN, "ansible-inventory"), "-i", inventory, "--list"], env)
        print("ansible-inventory --list, cold:   %6.2f s  (%d kB of JSON)" % (cold, len(out) // 1024))
        warm, dummy = timed([os.path.join(BIN, "ansible-inventory"), "-i", inventory, "--list"], env)
        print("ansible-inventory --list, cached: %6.2f s" % warm)
        noop, dummy = timed([os.path.join(BIN, "ansible-playbook"), "-i", inventory, play], env)
        print("no-op play (cached inventory):    %6.2f s" % noop)
        core = core_figures(fleet_dir)
        print("core render (load+validate+render): %6.2f s" % core["render"])
        print("core preflight:                     %6.2f s" % core["preflight"])
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
