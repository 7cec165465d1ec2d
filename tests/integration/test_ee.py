# -*- coding: utf-8 -*-
"""The collection in an execution environment, as AWX runs it (issue 20): the image built
here with ansible-builder from examples/ee (a Debian base made with debootstrap, no
registry), then jobs run inside it by ansible-runner's container mode."""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import subprocess

import pytest

from conftest import EXAMPLE_FLEET, ROOT
from helpers import BIN

pytestmark = pytest.mark.real

BASE = "local/debian:bookworm"
HOST_CA = "/etc/ssl/certs/ca-certificates.crt"
SECRET_FILES = ("gw-people", "gw-support", "gw-research", "telegram-alice", "telegram-bob",
                "slack-alice-bot", "slack-alice-app")
DEMO_ENV = {"ACME_ANTHROPIC_API_KEY": "placeholder-anthropic-key",
            "ACME_SUPPORT_SLACK_BOT_TOKEN": "placeholder-slack-bot",
            "ACME_SUPPORT_SLACK_APP_TOKEN": "placeholder-slack-app",
            "ACME_SUPPORT_TELEGRAM_TOKEN": "placeholder-telegram"}


def docker(*args, timeout=300):
    return subprocess.run(["docker"] + list(args), capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture(scope="module")
def ee_image(tmp_path_factory):
    """The EE image, tagged by what went into it (the definition and the collection)."""
    if docker("image", "inspect", BASE).returncode != 0:
        pytest.fail("no %s: the gateway image's base is made by playbooks/image.yml (the test "
                    "command builds it before any test)" % BASE)
    context = tmp_path_factory.mktemp("ee")
    for name in ("execution-environment.yml", "identity.yml", "ca"):
        source = os.path.join(ROOT, "examples", "ee", name)
        (shutil.copytree if os.path.isdir(source) else shutil.copy)(source, context / name)
    if os.path.exists(HOST_CA):  # this machine's TLS-inspecting proxy, for the build's pip
        shutil.copy(HOST_CA, context / "ca" / "host.crt")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    build = subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build",
                            "--output-path", str(context / "dist"), ROOT], cwd=str(context),
                           env=env, capture_output=True, text=True, check=False, timeout=300)
    assert build.returncode == 0, build.stdout + build.stderr
    shutil.move(glob.glob(str(context / "dist" / "*.tar.gz"))[0],
                context / "clawops-orchestrator.tar.gz")
    digest = hashlib.sha256()
    for name in ("execution-environment.yml", "clawops-orchestrator.tar.gz"):
        digest.update((context / name).read_bytes())
    tag = "localhost/clawops/ee:test-%s" % digest.hexdigest()[:12]
    if docker("image", "inspect", tag).returncode != 0:
        proc = subprocess.run([os.path.join(BIN, "ansible-builder"), "build",
                               "--container-runtime", "docker", "-f",
                               "execution-environment.yml", "-t", tag, "-v", "2"],
                              cwd=str(context), env=env, capture_output=True, text=True,
                              check=False, timeout=2400)
        assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
    return tag


def in_ee(image, *argv):
    return docker("run", "--rm", "-e", "HOME=/tmp", "--entrypoint", argv[0], image, *argv[1:])


def test_the_image_holds_the_collection_and_what_its_modules_call(ee_image):
    listing = in_ee(ee_image, "ansible-galaxy", "collection", "list", "clawops.orchestrator")
    assert "clawops.orchestrator" in listing.stdout, listing.stdout + listing.stderr
    for needed in ("kubernetes.core", "community.docker", "community.hashi_vault",
                   "community.general"):
        found = in_ee(ee_image, "ansible-galaxy", "collection", "list", needed)
        assert needed in found.stdout, (needed, found.stdout + found.stderr)
    tools = in_ee(ee_image, "sh", "-c", "for c in docker git ssh tar timeout ansible-runner; do "
                  "command -v $c || echo missing $c; done")
    assert "missing" not in tools.stdout and len(tools.stdout.split()) == 6, tools.stdout
    libs = in_ee(ee_image, "python3", "-c", "import json5, jsonschema, fastjsonschema, hvac, "
                 "kubernetes, requests, ruamel.yaml; print('ok')")
    assert libs.stdout.strip() == "ok", libs.stderr
    identity = in_ee(ee_image, "stat", "-c", "%u %a", "/etc/clawops/identity.yml")
    assert identity.stdout.split() == ["0", "644"]
    assert "source: awx" in in_ee(ee_image, "cat", "/etc/clawops/identity.yml").stdout


def runner_job(ee_image, tmp_path, playbook, extravars, limit=None):
    """One job as AWX runs it: ansible-runner, the EE image, the project and inventory in
    the private data dir, the Docker engine's socket for the Compose provider."""
    import ansible_runner  # pylint: disable=import-outside-toplevel

    private = tmp_path / ("job-" + playbook.rsplit(".", 1)[1])
    shutil.copytree(EXAMPLE_FLEET, private / "project" / "fleet")
    (private / "inventory").mkdir()
    (private / "inventory" / "fleet.clawops.yml").write_text(
        "plugin: clawops.orchestrator.fleet\nfleet_dir: ../project/fleet\n")
    secrets_dir = private / "home" / ".clawops" / "secrets" / "acme"
    secrets_dir.mkdir(parents=True, mode=0o700)
    for name in SECRET_FILES:
        (secrets_dir / ("%s.token" % name)).write_text("placeholder-%s\n" % name)
    result = ansible_runner.run(
        private_data_dir=str(private), playbook=playbook, extravars=extravars, limit=limit,
        envvars=dict(DEMO_ENV, HOME="/runner/home", ANSIBLE_NOCOLOR="1"),
        process_isolation=True, process_isolation_executable="docker",
        container_image=ee_image,
        container_options=["--user=0", "--network=host"],
        container_volume_mounts=["/var/run/docker.sock:/var/run/docker.sock"],
        quiet=True, timeout=900)
    return result, result.stdout.read()


def test_preflight_runs_inside_the_ee(ee_image, tmp_path):
    result, out = runner_job(ee_image, tmp_path, "clawops.orchestrator.preflight",
                             {"awx_user_name": "alice@acme.example", "clawops_view": "routing"})
    assert result.status == "successful", out[-4000:]
    assert "preflight: 0 error(s), 0 warning(s) in 3 gateway(s): PASS" in out, out[-3000:]
    assert "support-tg" in out and "docs-helper" in out, out[-3000:]  # the routing table


def test_status_runs_inside_the_ee_against_the_docker_engine(ee_image, tmp_path):
    """status.yml in the EE reads the Compose gateways through the host's engine (socket
    mounted, as an AWX container group would): the demo is not deployed, so each gateway
    is reported absent - found out, not an error."""
    result, out = runner_job(ee_image, tmp_path, "clawops.orchestrator.status",
                             {"awx_user_name": "alice@acme.example"}, limit="provider_compose")
    assert result.status == "successful", out[-4000:]
    assert "gw-people" in out and "gw-support" in out, out[-3000:]
    assert "Cannot connect to the Docker daemon" not in out
    events = [e for e in result.events if e.get("event") == "runner_on_ok"]
    states = {}
    for event in events:
        res = event["event_data"].get("res", {})
        if isinstance(res, dict) and "state" in res and event["event_data"].get("host"):
            states[event["event_data"]["host"]] = res["state"]
    assert states.get("gw-people") in ("absent", "stopped", "running"), (states, out[-3000:])
    assert json.dumps(states)  # plain data
