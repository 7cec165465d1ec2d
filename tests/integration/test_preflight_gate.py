# -*- coding: utf-8 -*-
"""The preflight gate through the real Ansible modules and playbooks.

Every corpus case is run through the real ``fleet_preview`` module (preflight on, a render
directory given): it must fail cleanly (no traceback) naming the finding's code, file and
key path, and nothing may be rendered. Warning-only cases must fail ``fleet_preflight``
with ``fail_on: warning`` and pass with the default. The preflight playbook is run on the
demo fleet (passes, shows policy and routing) and on a broken one (fails, rc 2).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import COLLECTIONS, EXAMPLE_FLEET, ROOT
from corpus import case_files, load_case, materialize
from helpers import run_cli

MODULES = "ansible_collections.clawops.orchestrator.plugins.modules."


def run_module(name, args, tmp_path):
    """Run a module the way Ansible does on the controller (JSON args in, JSON out)."""
    args_file = tmp_path / ("%s-args.json" % name)
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": dict(args, _ansible_check_mode=False)}))
    env = dict(os.environ, PYTHONPATH=COLLECTIONS)
    proc = subprocess.run([sys.executable, "-m", MODULES + name, str(args_file)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def _answerable(name):
    """A case the real modules can meet here: one whose discovery needs a backend that lists
    models (a server) is met by test_backend_compose's discovery test against the real one."""
    return not any("models" in answer for answer in (load_case(name).get("discover") or {}).values())


@pytest.mark.parametrize("name", [n for n in case_files() if _answerable(n)])
def test_corpus_case_blocks_before_anything_is_rendered(tmp_path, name):
    case = load_case(name)
    discover = {"discover_backends": True, "discover_timeout": 3} if "discover" in case else {}
    expect = case["expect"]
    fleet = materialize(case, str(tmp_path / "fleet"))
    dest = tmp_path / "rendered"
    where = "%s: %s" % (expect["file"], expect["key_path"]) if expect["key_path"] \
        else expect["file"]
    if expect.get("severity", "error") == "error":
        result = run_module("fleet_preview", {"fleet_dir": fleet, "dest": str(dest)}, tmp_path)
        assert result.get("failed") is True, result
        assert "nothing was rendered" in result["msg"], result
        assert expect["code"] in result["msg"] and where in result["msg"], result["msg"]
        assert not dest.exists(), "rendered files although preflight failed"
    else:
        args = dict(discover, fleet_dir=fleet, fail_on="warning")
        result = run_module("fleet_preflight", args, tmp_path)
        assert result.get("failed") is True and where in result["msg"], result
        assert run_module("fleet_preflight", dict(discover, fleet_dir=fleet),
                          tmp_path).get("failed") is not True


def test_preflight_playbook_passes_on_the_demo_and_shows_views():
    proc = run_cli("ansible-playbook", ["playbooks/preflight.yml", "-e", "clawops_view=all",
                                        "-e", "clawops_scope=gw-people/alice"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "preflight: 0 error(s), 0 warning(s) in 3 gateway(s): PASS" in out
    assert "effective policy of agent:alice (chain: org > group:humans > gateway:gw-people > " \
           "agent:alice)" in out
    assert "gw-support   telegram  support-tg            docs-helper     bindings[1]  ok" in out
    assert "changed=0" in out


def test_preflight_playbook_fails_on_a_broken_fleet(tmp_path):
    case = load_case([n for n in case_files() if n.endswith("-account-two-agents.yml")][0])
    fleet = materialize(case, str(tmp_path / "fleet"))
    proc = run_cli("ansible-playbook", ["playbooks/preflight.yml", "-e",
                                        "clawops_fleet_dir=%s" % fleet, "-e",
                                        "clawops_view=routing"])
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "routing.account-conflict gateways/gw-alpha.yml: bindings[2]" in proc.stdout
    assert "CONFLICT" in proc.stdout
    assert "nothing may be deployed" in proc.stdout


def test_preflight_role_gates_a_play(tmp_path):
    """The role every deploy playbook starts with stops the play before any other task."""
    case = load_case([n for n in case_files() if n.endswith("-port-same.yml")][0])
    fleet = materialize(case, str(tmp_path / "fleet"))
    marker = tmp_path / "deployed"
    playbook = tmp_path / "deploy.yml"
    playbook.write_text("""
- name: A deploy that must never start on an unsafe fleet
  hosts: localhost
  gather_facts: false
  roles:
    - role: clawops.orchestrator.preflight
      vars:
        preflight_fleet_dir: %s
        preflight_gateways: [gw-alpha, gw-beta]
  tasks:
    - name: The deploy itself
      ansible.builtin.file:
        path: %s
        state: touch
        mode: "0644"
""" % (fleet, marker))
    proc = run_cli("ansible-playbook", [str(playbook)])
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "collision.port gateways/gw-beta.yml: port" in proc.stdout
    assert not marker.exists()
    clean = tmp_path / "clean"
    import shutil
    shutil.copytree(os.path.join(ROOT, "tests", "preflight_corpus", "_base"), clean)
    playbook.write_text(playbook.read_text().replace(fleet, str(clean)))
    proc = run_cli("ansible-playbook", [str(playbook)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert marker.exists()


def test_example_fleet_passes(tmp_path):
    result = run_module("fleet_preflight", {"fleet_dir": EXAMPLE_FLEET, "views": ["routing"]},
                        tmp_path)
    assert result["ok"] is True and result["counts"] == {"error": 0, "warning": 0, "info": 0}
    assert result["routing"]["conflicts"] == 0
