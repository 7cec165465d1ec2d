# -*- coding: utf-8 -*-
"""check_inventory: the first play's proof that the inventory is a clawops fleet that loads."""

from __future__ import annotations

import os

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import (
    FleetError, FleetErrors)
from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import check_inventory


def _source(tmp_path, fleet_dir, name="fleet.clawops.yml"):
    path = tmp_path / "inventory" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("plugin: clawops.orchestrator.fleet\nfleet_dir: %s\n" % fleet_dir)
    return str(path)


def test_a_fleet_that_loads_with_its_hosts_passes(tmp_path, make_fleet):
    root = make_fleet()
    source = _source(tmp_path, os.path.relpath(root, tmp_path / "inventory"))
    assert check_inventory([source], ["gw-one"]) == [
        {"source": source, "fleet_dir": os.path.realpath(root), "gateways": 1}]
    # a directory of inventory sources is searched for fleet inventory files, recursively and
    # through links (Molecule links the scenario's inventory directory into its own)
    assert check_inventory([os.path.dirname(source)], ["gw-one"])[0]["gateways"] == 1
    linked = tmp_path / "molecule-inventory"
    linked.mkdir()
    os.symlink(os.path.dirname(source), linked / "hosts")
    expected = str(linked / "hosts" / "fleet.clawops.yml")
    assert check_inventory([str(linked)], ["gw-one"])[0]["source"] == expected


def test_a_broken_fleet_fails_with_the_loaders_message(tmp_path, make_fleet):
    root = make_fleet({"gateways/gw-one.yml": "id: gw-one\nport: nope\n"})
    with pytest.raises(FleetErrors) as caught:
        check_inventory([_source(tmp_path, root)], [])
    assert "gateways/gw-one.yml" in caught.value.render()


def test_no_fleet_source_is_an_error_that_says_what_to_pass(tmp_path):
    with pytest.raises(FleetError, match="no clawops fleet inventory") as caught:
        check_inventory(["/etc/ansible/hosts"], [])
    assert "fleet.clawops.yml" in caught.value.render()


def test_a_fleet_without_hosts_means_the_plugin_is_not_enabled(tmp_path, make_fleet):
    with pytest.raises(FleetError, match="has none of them") as caught:
        check_inventory([_source(tmp_path, make_fleet())], [])
    assert "enable_plugins" in caught.value.render()


def test_a_source_without_fleet_dir(tmp_path):
    path = tmp_path / "x.clawops.yml"
    path.write_text("plugin: clawops.orchestrator.fleet\n")
    with pytest.raises(FleetError, match="has no fleet_dir"):
        check_inventory([str(path)], ["gw"])


def test_hostvars_never_carry_a_literal_secret_preflight_refuses(make_fleet):
    """Issue 17: a token written into the fleet is a preflight error, and ansible-inventory
    --list must not print it either."""
    import textwrap
    from ansible_collections.clawops.orchestrator.plugins.module_utils._hostvars import build_hosts
    from conftest import MINIMAL
    slack = "xoxb-" + "1234567890-abcdefghijKLMN"
    root = make_fleet({"gateways/gw-one.yml": textwrap.dedent(MINIMAL["gateways/gw-one.yml"])
                       + "config:\n  overrides:\n    tools:\n      notes: {apiKey: plain-value-1,"
                       " hint: 'use %s'}\n" % slack})
    hosts = build_hosts(root, include_config=True)["hosts"]
    host = hosts["gw-one"]["vars"]
    for text in (host["clawops_config_text"], str(host["clawops_config"])):
        assert slack not in text and "plain-value-1" not in text
        assert "preflight security.literal-secret" in text
    clean = build_hosts(make_fleet(), include_config=True)["hosts"]["gw-one"]["vars"]
    assert "redacted" not in clean["clawops_config_text"]


def test_an_inventory_synced_from_a_fleet_source_is_proven_by_its_fleet(tmp_path, make_fleet):
    """AWX gives each job the synced inventory as plain data, not the fleet file: the fleet
    the hosts came from must load and still hold every host."""
    root = make_fleet()
    synced = ["/runner/inventory/hosts"]
    assert check_inventory(synced, ["gw-one"], [root, root]) == [
        {"source": "(synced inventory)", "fleet_dir": root, "gateways": 1}]
    with pytest.raises(FleetError, match="out of date: gateways gw-gone") as caught:
        check_inventory(synced, ["gw-one", "gw-gone"], [root])
    assert "update on launch" in caught.value.render()
    broken = make_fleet({"gateways/gw-one.yml": "id: gw-one\nport: nope\n"})
    with pytest.raises(FleetErrors) as caught:
        check_inventory(synced, ["gw-one"], [broken])
    assert "gateways/gw-one.yml" in caught.value.render()
    # an empty synced inventory (a sync that imported nothing) is no fleet at all
    with pytest.raises(FleetError, match="no clawops fleet inventory"):
        check_inventory(synced, [], [])
