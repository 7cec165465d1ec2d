# -*- coding: utf-8 -*-
"""playbooks/preview.yml end to end with ansible-playbook: render, idempotence, check+diff."""

from __future__ import annotations

import os
import re

import pytest

from conftest import write_fleet
from helpers import openclaw_bin, run_cli

pytestmark = pytest.mark.real


def playbook(*args):
    return run_cli("ansible-playbook", ["playbooks/preview.yml"] + list(args))


def recap(stdout):
    found = re.search(r"localhost\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+"
                      r"failed=(\d+)", stdout)
    assert found, stdout
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, found.groups())))


def snapshot(root):
    out = {}
    for base, dummy, names in os.walk(root):
        for name in names:
            path = os.path.join(base, name)
            with open(path, encoding="utf-8") as handle:
                out[os.path.relpath(path, root)] = handle.read()
    return out


def test_render_idempotent_then_check_diff_shows_only_the_change(demo_copy, tmp_path):
    out = str(tmp_path / "rendered")
    common = ["-e", "clawops_fleet_dir=%s" % demo_copy, "-e", "clawops_render_dir=%s" % out]

    first = playbook(*common)
    assert first.returncode == 0, first.stdout + first.stderr
    assert recap(first.stdout)["changed"] == 1
    files = snapshot(out)
    assert sorted(files) == sorted("%s/%s" % (gw, name)
                                   for gw in ("gw-people", "gw-research", "gw-support")
                                   for name in ("openclaw.json", "provenance.txt",
                                                "runtime.json"))
    assert "OPENCLAW_GATEWAY_TOKEN" in files["gw-people/openclaw.json"]

    second = playbook(*common)
    assert recap(second.stdout)["changed"] == 0, second.stdout

    # Change one gateway's override: only that gateway's files may show up in the diff.
    write_fleet(demo_copy, {"gateways/gw-research.yml": open(
        os.path.join(demo_copy, "gateways", "gw-research.yml"), encoding="utf-8").read()
        .replace("level: warn", "level: error")})
    check = playbook(*(common + ["--check", "--diff"]))
    assert check.returncode == 0, check.stdout + check.stderr
    assert recap(check.stdout)["changed"] == 1
    headers = re.findall(r"^--- before: (\S+)", check.stdout, re.M)
    assert headers == ["gw-research/openclaw.json", "gw-research/provenance.txt"], check.stdout
    assert '-    "level": "warn"' in check.stdout
    assert '+    "level": "error"' in check.stdout
    assert snapshot(out) == files, "check mode must not write"

    applied = playbook(*common)
    assert recap(applied.stdout)["changed"] == 1
    assert '"level": "error"' in snapshot(out)["gw-research/openclaw.json"]


def test_agent_preview_names_layer_and_file():
    proc = playbook("-e", "clawops_agent=bob")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "== gw-people (acme-gw-people) agent bob" in proc.stdout
    assert re.search(r'agents\.entries\.bob\.model\.primary = \\"openai/gpt-5\.1\\"\s+<- '
                     r'agent:bob\s+gateways/gw-people\.yml:agents\[1\]\.model\.primary',
                     proc.stdout), proc.stdout
    # Inherited defaults are shown, except those bob's own entry overrides.
    assert "agents.defaults.thinkingDefault" in proc.stdout
    assert "agents.defaults.sandbox.mode" not in proc.stdout
    assert "agents.entries.bob.sandbox.mode" in proc.stdout


def test_preview_validates_with_the_real_openclaw():
    proc = playbook("-e", "clawops_gateway=gw-people", "-e",
                    "clawops_openclaw_bin=%s" % openclaw_bin())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert '"valid": true' in proc.stdout


def test_preview_fails_when_openclaw_rejects(make_fleet):
    root = make_fleet({"templates/org.json5": '{ logging: { level: "loud" } }'})
    proc = playbook("-e", "clawops_fleet_dir=%s" % root, "-e",
                    "clawops_openclaw_bin=%s" % openclaw_bin())
    assert proc.returncode != 0
    assert "OpenClaw rejects the rendered config of gw-one" in proc.stdout
    assert "gw-one: logging.level:" in proc.stdout


def test_broken_fleet_gives_one_clear_error_without_traceback(make_fleet):
    root = make_fleet({"templates/org.json5": '{ $include: "../../outside.json5" }'})
    proc = playbook("-e", "clawops_fleet_dir=%s" % root)
    assert proc.returncode != 0
    assert ("templates/org.json5: $include: $include '../../outside.json5' resolves outside "
            "the fleet directory") in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_unknown_agent_is_reported():
    proc = playbook("-e", "clawops_agent=nobody")
    assert proc.returncode != 0
    assert "unknown agent 'nobody'" in proc.stdout
