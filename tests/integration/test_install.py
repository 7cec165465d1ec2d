# -*- coding: utf-8 -*-
"""The collection as a user installs it: the tarball `ansible-galaxy collection build` makes,
installed into an empty directory, used by FQCN with ansible-core and the declared
dependencies (the pinned `ansible` package bundles them), without this repository's
ansible.cfg (issue 20)."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import tarfile

import pytest
import yaml

from conftest import EXAMPLE_FLEET, ROOT
from helpers import BIN

pytestmark = pytest.mark.real

SHIPPED_NOT = ("tests/", "scripts/", ".ci/", "benchmarks/", "extensions/", "ansible.cfg",
               "Makefile", "pytest.ini", ".venv/", ".tools/", ".build/", "playbooks/~")
DEMO_ENV = {"ACME_ANTHROPIC_API_KEY": "placeholder-anthropic-key",
            "ACME_SUPPORT_SLACK_BOT_TOKEN": "placeholder-slack-bot",
            "ACME_SUPPORT_SLACK_APP_TOKEN": "placeholder-slack-app",
            "ACME_SUPPORT_TELEGRAM_TOKEN": "placeholder-telegram"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    base = tmp_path_factory.mktemp("install")
    # no ANSIBLE_* and no ansible.cfg of this repository: its collections path holds the
    # checkout itself, where ansible-galaxy would find the collection "already installed"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(DEMO_ENV, ANSIBLE_NOCOLOR="1", PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    build = subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build",
                            "--output-path", str(base / "dist"), ROOT], cwd=str(base), env=env,
                           capture_output=True, text=True, check=False, timeout=300)
    assert build.returncode == 0, build.stdout + build.stderr
    tarball = glob.glob(str(base / "dist" / "clawops-orchestrator-*.tar.gz"))
    assert len(tarball) == 1, os.listdir(base / "dist")
    collections = base / "collections"
    install = subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install",
                              "--no-deps", "-p", str(collections), tarball[0]],
                             cwd=str(base), env=env, capture_output=True, text=True, check=False,
                             timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    assert "installed successfully" in install.stdout, install.stdout
    work = base / "work"  # an empty project: a fleet and an inventory file, no ansible.cfg
    shutil.copytree(EXAMPLE_FLEET, work / "fleet")
    (work / "fleet.clawops.yml").write_text("plugin: clawops.orchestrator.fleet\nfleet_dir: fleet\n")
    # a home of its own with the demo's secret files, as scripts/demo.sh writes them (a fresh
    # machine has none; the run must not depend on an earlier demo)
    home = base / "home"
    secrets_dir = home / ".clawops" / "secrets" / "acme"
    secrets_dir.mkdir(parents=True, mode=0o700)
    for name in ("gw-people", "gw-support", "gw-research", "telegram-alice", "telegram-bob",
                 "slack-alice-bot", "slack-alice-app"):
        (secrets_dir / ("%s.token" % name)).write_text("placeholder-%s\n" % name)
    env = dict(env, ANSIBLE_COLLECTIONS_PATH=str(collections), HOME=str(home))
    return {"tarball": tarball[0], "work": str(work), "env": env,
            "path": str(collections / "ansible_collections" / "clawops" / "orchestrator")}


def run(installed, *argv, timeout=900):
    return subprocess.run([os.path.join(BIN, argv[0])] + list(argv[1:]), cwd=installed["work"],
                          env=installed["env"], capture_output=True, text=True,
                          timeout=timeout, check=False)


def test_the_tarball_ships_what_a_user_needs_and_nothing_else(installed):
    with tarfile.open(installed["tarball"]) as archive:
        names = archive.getnames()
        manifest = json.load(archive.extractfile("MANIFEST.json"))
    assert not [n for n in names if n.startswith(SHIPPED_NOT)], \
        [n for n in names if n.startswith(SHIPPED_NOT)]
    for needed in ("LICENSE", "README.md", "requirements.yml", "requirements.txt",
                   "playbooks/site.yml", "plugins/inventory/fleet.py", "meta/runtime.yml",
                   "schemas/fleet.schema.json", "examples/fleet/fleet.yml"):
        assert needed in names, needed
    roles = {n.split("/")[1] for n in names if n.startswith("roles/") and n.count("/") >= 2}
    assert roles and all("roles/%s/README.md" % r in names for r in roles), roles
    with open(os.path.join(ROOT, "requirements.yml"), encoding="utf-8") as handle:
        listed = {c["name"]: c["version"] for c in yaml.safe_load(handle)["collections"]}
    assert manifest["collection_info"]["dependencies"] == listed


def test_the_declared_dependencies_are_the_ones_the_collection_uses(installed):
    used = set()
    for base, dummy, names in os.walk(installed["path"]):
        for name in names:
            if name.endswith((".yml", ".py")):
                with open(os.path.join(base, name), encoding="utf-8") as handle:
                    text = handle.read()
                for ns in ("kubernetes.core", "community.docker", "community.hashi_vault",
                           "community.general", "ansible.posix", "ansible.utils"):
                    if ns + "." in text:
                        used.add(ns)
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as handle:
        declared = set(yaml.safe_load(handle)["dependencies"])
    assert used - {"ansible.utils"} == declared, (used, declared)  # ansible.utils: display


def test_inventory_preflight_and_preview_by_fqcn_from_an_empty_project(installed):
    graph = run(installed, "ansible-inventory", "-i", "fleet.clawops.yml", "--graph")
    assert graph.returncode == 0 and "gw-people" in graph.stdout, graph.stdout + graph.stderr
    preflight = run(installed, "ansible-playbook", "-i", "fleet.clawops.yml",
                    "clawops.orchestrator.preflight")
    assert preflight.returncode == 0, preflight.stdout[-3000:] + preflight.stderr[-2000:]
    preview = run(installed, "ansible-playbook", "-i", "fleet.clawops.yml",
                  "clawops.orchestrator.preview", "-e", "clawops_gateway=gw-people",
                  "-e", "clawops_agent=alice")
    assert preview.returncode == 0, preview.stdout[-3000:] + preview.stderr[-2000:]
    assert "alice" in preview.stdout


def test_site_check_by_fqcn_from_an_empty_project(installed):
    check = run(installed, "ansible-playbook", "-i", "fleet.clawops.yml",
                "clawops.orchestrator.site", "--check", "--limit", "provider_compose")
    assert check.returncode == 0, check.stdout[-4000:] + check.stderr[-2000:]
    assert "failed=0" in check.stdout


def test_a_broken_fleet_fails_every_job_under_ansible_runner(installed, tmp_path):
    """As AWX runs a job: ansible-runner, the installed collection, no ansible.cfg that sets
    unparsed_is_failed. The fleet loader's message, not "no hosts matched" and success."""
    import ansible_runner  # pylint: disable=import-outside-toplevel

    broken = tmp_path / "broken"
    shutil.copytree(os.path.join(installed["work"], "fleet"), broken / "fleet")
    gateway = broken / "fleet" / "gateways" / "gw-people.yml"
    gateway.write_text(gateway.read_text().replace("port: ", "prot: ", 1))
    (broken / "fleet.clawops.yml").write_text(
        "plugin: clawops.orchestrator.fleet\nfleet_dir: fleet\n")
    for playbook in ("clawops.orchestrator.site", "clawops.orchestrator.status",
                     "clawops.orchestrator.update"):
        private = tmp_path / ("runner-" + playbook.rsplit(".", 1)[1])
        private.mkdir()
        result = ansible_runner.run(
            private_data_dir=str(private),
            playbook=playbook, inventory=str(broken / "fleet.clawops.yml"),
            envvars=dict(installed["env"]), quiet=True, timeout=600)
        out = result.stdout.read()
        assert result.status == "failed" and result.rc != 0, (playbook, result.status, out[-3000:])
        assert "the inventory is not a clawops fleet that loads" in out, out[-3000:]
        assert "gateways/gw-people.yml" in out and "prot" in out, out[-3000:]


def test_the_galaxy_importer_accepts_the_tarball(installed, tmp_path):
    """What Galaxy runs on an upload: the collection's docs via ansible-doc, its content, and
    ansible-lint over it."""
    proc = subprocess.run([os.path.join(BIN, "python"), "-m", "galaxy_importer.main",
                           installed["tarball"]], cwd=str(tmp_path), env=installed["env"],
                          capture_output=True, text=True, check=False, timeout=900)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert "ansible-lint run complete" in out, out[-4000:]  # the lint ran, not skipped
    assert "Importer processing completed successfully" in out, out[-4000:]
    assert not [line for line in out.splitlines() if line.startswith(("ERROR", "WARNING"))], \
        [line for line in out.splitlines() if line.startswith(("ERROR", "WARNING"))]
