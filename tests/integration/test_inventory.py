# -*- coding: utf-8 -*-
"""`ansible-inventory --list` on the fleet inventory plugin, against golden files.

Regenerate after an intended change: CLAWOPS_UPDATE_GOLDEN=1 pytest tests/integration/test_inventory.py
"""

from __future__ import annotations

import json
import os
import sys
import shutil

import pytest

from conftest import EXAMPLE_FLEET, ROOT, write_fleet
from helpers import run_cli

pytestmark = pytest.mark.real

GOLDEN = os.path.join(ROOT, "tests", "golden")
CASES = [
    ("examples/inventory/fleet.clawops.yml", "inventory_list.json"),
    ("tests/golden/inventories/filtered.clawops.yml", "inventory_filtered.json"),
]


def unwrap(data):
    """ansible-core 2.19 wraps untrusted inventory strings as {"__ansible_unsafe": s}."""
    if isinstance(data, dict):
        if set(data) == {"__ansible_unsafe"}:
            return data["__ansible_unsafe"]
        return {key: unwrap(value) for key, value in data.items()}
    if isinstance(data, list):
        return [unwrap(item) for item in data]
    return data


def inventory_list(source, **env):
    proc = run_cli("ansible-inventory", ["-i", source, "--list"], **env)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    text = proc.stdout.replace(os.path.realpath(EXAMPLE_FLEET), "<FLEET_DIR>")
    text = text.replace(sys.executable, "<CONTROLLER_PYTHON>")
    return unwrap(json.loads(text)), proc


@pytest.mark.parametrize("source,golden", CASES, ids=[c[1] for c in CASES])
def test_inventory_matches_golden(source, golden):
    data, proc = inventory_list(source)
    path = os.path.join(GOLDEN, golden)
    if os.environ.get("CLAWOPS_UPDATE_GOLDEN"):
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
    with open(path, encoding="utf-8") as handle:
        expected = json.load(handle)
    assert data == expected
    assert "WARNING" not in proc.stderr, proc.stderr


def test_groups_of_the_demo_fleet():
    data, dummy = inventory_list(CASES[0][0])
    assert sorted(data["clawops"]["children"]) == sorted([
        "org_acme", "provider_compose", "provider_k8s", "profile_human", "profile_usecase",
        "trust_high", "trust_medium", "wave_2", "wave_canary", "group_humans",
        "group_usecases"])
    assert data["wave_canary"]["hosts"] == ["gw-research", "gw-support"]
    hostvars = data["_meta"]["hostvars"]
    assert hostvars["gw-people"]["ansible_connection"] == "local"
    assert json.loads(hostvars["gw-people"]["clawops_config_text"])["gateway"]["port"] == 19100
    assert "clawops_config" not in hostvars["gw-people"]  # lean by default


def test_the_config_as_data_on_request(tmp_path):
    inv = write_fleet(tmp_path, {"inv.clawops.yml": (
        "plugin: clawops.orchestrator.fleet\nfleet_dir: %s\ninclude_config: true\n"
        % EXAMPLE_FLEET)})
    proc = run_cli("ansible-inventory", ["-i", os.path.join(inv, "inv.clawops.yml"), "--host",
                                         "gw-people"])
    assert proc.returncode == 0, proc.stderr
    host = unwrap(json.loads(proc.stdout))
    assert host["clawops_config"] == json.loads(host["clawops_config_text"])


def test_broken_fleet_fails_with_a_clear_message(tmp_path):
    shutil.copytree(EXAMPLE_FLEET, tmp_path / "fleet")
    write_fleet(tmp_path / "fleet", {"gateways/gw-people.yml": "id: gw-people\nport: nope\n"})
    inv = write_fleet(tmp_path, {"inv.clawops.yml": "plugin: clawops.orchestrator.fleet\n"
                                                    "fleet_dir: fleet\n"})
    proc = run_cli("ansible-inventory", ["-i", os.path.join(inv, "inv.clawops.yml"), "--list"],
                   ANSIBLE_INVENTORY_UNPARSED_FAILED="true")
    assert proc.returncode != 0
    assert "gateways/gw-people.yml: port: expected integer, got string 'nope'" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    # reported once: the project's config lets only the fleet plugin try a *.clawops.yml
    assert proc.stderr.count("[WARNING]: Failed to parse inventory with") == 1, proc.stderr
    # where auto parses it again through the fleet plugin, it points at the first report
    again = run_cli("ansible-inventory", ["-i", os.path.join(inv, "inv.clawops.yml"), "--list"],
                    ANSIBLE_INVENTORY_UNPARSED_FAILED="true",
                    ANSIBLE_INVENTORY_ENABLED="clawops.orchestrator.fleet,auto")
    assert again.stderr.count("port: expected integer") == 2, again.stderr  # one warning block
    assert "the error reported above (clawops.orchestrator.fleet)" in again.stderr, again.stderr


def test_cache_is_used_and_invalidated_by_fleet_changes(tmp_path):
    fleet = tmp_path / "fleet"
    shutil.copytree(EXAMPLE_FLEET, fleet)
    cache_dir = tmp_path / "cache"
    inv = write_fleet(tmp_path, {"inv.clawops.yml": (
        "plugin: clawops.orchestrator.fleet\nfleet_dir: fleet\ncache: true\n"
        "cache_plugin: ansible.builtin.jsonfile\ncache_connection: %s\n" % cache_dir)})
    source = os.path.join(inv, "inv.clawops.yml")

    def port():
        proc = run_cli("ansible-inventory", ["-i", source, "--host", "gw-research"])
        assert proc.returncode == 0, proc.stderr
        return json.loads(unwrap(json.loads(proc.stdout))["clawops_config_text"])["gateway"]["port"]

    assert port() == 18789
    cached = os.listdir(cache_dir)
    assert len(cached) == 1
    assert port() == 18789
    gw_file = fleet / "gateways" / "gw-research.yml"
    gw_file.write_text(gw_file.read_text().replace("port: 18789", "port: 18909"))
    assert port() == 18909
