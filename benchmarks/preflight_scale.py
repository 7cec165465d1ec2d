"""Preflight benchmark: load + catalog + policy + render + every preflight check on synthetic
fleets (the render_scale generator: 3 groups, includes, a Telegram account and a binding per
agent, 100 gateways per compose host). Target: 1,000 gateways x 10 agents in <= 3 s.

    .venv/bin/python benchmarks/preflight_scale.py             # default scenarios
    .venv/bin/python benchmarks/preflight_scale.py --gateways 1000 --agents 10

Each scenario runs in a fresh child process; prints wall time, findings and peak RSS.
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

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), ".build", "collections"))

from render_scale import generate  # noqa: E402  pylint: disable=wrong-import-position

SCENARIOS = [(100, 10), (1000, 10)]


def child(root):
    from ansible_collections.clawops.orchestrator.plugins.module_utils._preflight import (
        run_preflight)
    start = time.perf_counter()
    report = run_preflight(root)
    elapsed = time.perf_counter() - start
    return {"preflight_s": elapsed, "gateways": len(report.plans),
            "agents": sum(len(p.summary["agents"]) for p in report.plans.values()),
            "counts": report.counts(), "codes": report.codes()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gateways", type=int)
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--child", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = child(args.child)
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        print(json.dumps(result))
        return
    scenarios = [(args.gateways, args.agents)] if args.gateways else SCENARIOS
    print("cores=%d python=%s" % (os.cpu_count(), sys.version.split()[0]))
    header = ("gateways", "agents", "preflight", "errors", "warnings", "peak MB")
    print("%9s %7s | %10s %8s %8s | %8s" % header)
    for gateways, agents in scenarios:
        with tempfile.TemporaryDirectory(prefix="clawops-preflight-") as root:
            generate(root, gateways, agents)
            proc = subprocess.run([sys.executable, __file__, "--child", root],
                                  capture_output=True, text=True, check=True)
            result = json.loads(proc.stdout.strip().splitlines()[-1])
        print("%9d %7d | %9.2fs %8d %8d | %8.0f%s" % (
            result["gateways"], result["agents"], result["preflight_s"],
            result["counts"]["error"], result["counts"]["warning"], result["peak_rss_mb"],
            "  codes: " + ", ".join(result["codes"]) if result["codes"] else ""))
    print("preflight = load + schema + catalog + policy resolution + render with provenance + "
          "collision, routing, secret-scan and policy checks over every gateway")


if __name__ == "__main__":
    main()
