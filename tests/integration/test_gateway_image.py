# -*- coding: utf-8 -*-
"""The gateway image role against the real Docker engine: built from npm on a locally made
Debian base, never rebuilt for the same inputs, non-root, tini, the pinned openclaw."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from helpers import run_cli

pytestmark = pytest.mark.real
VERSION = "2026.9.6"


def docker(*args):
    proc = subprocess.run(["docker"] + list(args), capture_output=True, text=True, timeout=300,
                          check=False)
    if proc.returncode != 0 and "Cannot connect" in proc.stderr:
        pytest.fail("no Docker engine: run scripts/docker_engine.sh (as root)")
    return proc


def build(*extra):
    proc = run_cli("ansible-playbook", ["tests/integration/playbooks/image.yml", "-e",
                                        "gateway_image_openclaw_version=%s" % VERSION]
                   + list(extra))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    found = re.search(r"IMAGE_RESULT=(\{.*\})", proc.stdout)
    return proc.stdout, json.loads(found.group(1).replace('\\"', '"')) if found else None


@pytest.fixture(scope="module")
def image():
    docker("info")
    out, result = build()
    return result


def test_image_is_built_and_tagged(image):
    assert image["ref"] == "localhost/clawops/openclaw:%s" % VERSION
    assert image["content_ref"].startswith(image["ref"] + "-")
    inspect = json.loads(docker("image", "inspect", image["ref"]).stdout)[0]
    assert inspect["Id"] == image["id"]
    assert inspect["Config"]["User"] == "1000:1000"
    assert inspect["Config"]["Entrypoint"][:2] == ["/usr/bin/tini", "--"]
    assert inspect["Config"]["Labels"]["dev.clawops.content-key"] == image["key"]


def test_image_runs_the_pinned_openclaw_as_uid_1000(image):
    version = docker("run", "--rm", image["ref"], "--version")
    assert version.returncode == 0 and ("OpenClaw %s" % VERSION) in version.stdout
    ident = docker("run", "--rm", "--entrypoint", "id", image["ref"])
    assert "uid=1000(node)" in ident.stdout
    state = docker("run", "--rm", "--entrypoint", "stat", image["ref"], "-c", "%u %a",
                   "/home/node/.openclaw")
    assert state.stdout.split() == ["1000", "750"]


def test_same_inputs_are_not_rebuilt(image):
    out, again = build()
    assert re.search(r"localhost\s*: ok=\d+\s+changed=0 ", out), out[-1500:]
    assert again["id"] == image["id"] and again["built"] is False


def test_changed_inputs_would_build_in_check_mode(image):
    def tags():
        return sorted(docker("images", "--format", "{{.Tag}}",
                             "localhost/clawops/openclaw").stdout.split())
    before = tags()
    out, dummy = build("--check", "-e", "gateway_image_node_version=24.20.0")
    assert "a run would build localhost/clawops/openclaw:%s-" % VERSION in out
    assert re.search(r"changed=[1-9]", out)
    assert tags() == before


def test_rendered_configs_validate_inside_the_image(image, tmp_path):
    """The demo's rendered config passes `openclaw config validate` inside the image."""
    from ansible_collections.clawops.orchestrator.plugins.module_utils._preflight import (
        run_preflight)
    from conftest import EXAMPLE_FLEET
    plan = run_preflight(EXAMPLE_FLEET).plans["gw-support"]
    assert plan.runtime["plugin_installs"] == ["@openclaw/slack@%s" % VERSION]
    config = tmp_path / "openclaw.json"
    config.write_text(plan.config_text)
    config.chmod(0o644)
    tmp_path.chmod(0o755)
    proc = docker("run", "--rm", "-v", "%s:/etc/openclaw/openclaw.json:ro" % config,
                  "-e", "OPENCLAW_CONFIG_PATH=/etc/openclaw/openclaw.json", image["ref"],
                  "config", "validate", "--json")
    verdict = json.loads(proc.stdout[proc.stdout.index("{"):])
    assert verdict["valid"] is True, verdict


def test_image_ships_npm_for_plugin_installs(image):
    proc = docker("run", "--rm", "--entrypoint", "npm", image["ref"], "--version")
    assert proc.returncode == 0 and proc.stdout.strip().startswith("11."), proc.stdout + proc.stderr


def test_plugin_channels_are_baked_into_an_image_on_top(image):
    """The Slack plugin as the demo's gw-people needs it: an image FROM the plain one whose
    seed holds the managed npm project, readable by the gateway's uid; not rebuilt."""
    spec = "@openclaw/slack@%s" % VERSION
    extra = ("-e", json.dumps({"gateway_image_plugins": [spec]}))
    out, result = build(*extra)
    assert result["content_ref"].startswith(image["content_ref"] + "-p"), result
    assert result["plugins"] == [spec]
    inspect = json.loads(docker("image", "inspect", result["content_ref"]).stdout)[0]
    assert inspect["Config"]["Labels"]["dev.clawops.plugins"] == spec
    assert inspect["Config"]["User"] == "1000:1000"
    found = docker("run", "--rm", "--entrypoint", "sh", result["content_ref"], "-c",
                   "cat /opt/clawops/plugin-seed/npm/projects/*/node_modules/@openclaw/slack/"
                   "package.json")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["version"] == VERSION
    out, again = build(*extra)
    assert again["content_ref"] == result["content_ref"] and again["built"] is False
    assert re.search(r"localhost\s*: ok=\d+\s+changed=0 ", out), out[-1500:]
