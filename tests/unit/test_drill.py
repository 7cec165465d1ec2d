# -*- coding: utf-8 -*-
"""Restore drills (pure): the scratch instance's runtime and project, the restored config
with its channels off, what the comparison proves. The drill on real gateways:
tests/integration/test_day2.py."""

from __future__ import annotations

import json

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils import _drill, _workload
from ansible_collections.clawops.orchestrator.plugins.module_utils._render import render_fleet
from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
from conftest import EXAMPLE_FLEET


@pytest.fixture(scope="module")
def people():
    plan = render_fleet(load_fleet(EXAMPLE_FLEET), ["gw-people"])["gw-people"]
    return plan.as_dict()


def test_the_scratch_instance_is_the_gateway_under_another_name_and_data(people):
    runtime = people["runtime"]
    drill = _drill.drill_runtime(runtime, runtime["host_paths"]["root"] + "/drill/")
    scratch = runtime["host_paths"]["root"] + "/drill"
    assert drill["instance"] == runtime["instance"] + "-drill"
    assert drill["host_paths"]["state_dir"] == scratch + "/state"
    assert drill["host_paths"]["config_path"] == scratch + "/config/openclaw.json"
    assert drill["host_paths"]["env_file"] == runtime["host_paths"]["env_file"]  # the gateway's secrets
    assert drill["endpoint"]["address"] is None and drill["endpoint"]["instance"] == drill["instance"]
    assert runtime["instance"] == "acme-gw-people"  # the source is not changed
    spec = _workload.workload(drill, "img:1")
    project = _drill.drill_project(_workload.compose_project(spec, drill, drill["labels"]), runtime["instance"])
    service = project["services"]["gateway"]
    assert project["name"] == "acme-gw-people-drill" and service["container_name"] == "acme-gw-people-drill"
    assert "ports" not in service and service["restart"] == "no"
    assert service["hostname"] == "acme-gw-people"  # the restored owner lease's host (see drill_project)
    assert all(v.startswith(scratch + "/") for v in service["volumes"]), service["volumes"]
    assert service["read_only"] is True and service["cap_drop"] == ["ALL"]  # the gateway's hardening


def test_kubernetes_gateways_are_refused_with_a_reason():
    with pytest.raises(_drill.DrillError, match="not built yet"):
        _drill.drill_runtime({"provider": "k8s", "instance": "x"}, "/s")


def test_every_channel_is_off_and_the_agents_are_read(people):
    text = _drill.drill_config(json.dumps(people["config"]))
    config = json.loads(text)
    assert config["channels"] and all(c["enabled"] is False for c in config["channels"].values())
    assert _drill.expected_agents(json.dumps(people["config"])) == ["alice", "bob"]
    with pytest.raises(_drill.DrillError):
        _drill.drill_config("{not json")


def test_the_comparison():
    same = _drill.compare(["alice", "bob"], [{"id": "alice"}, {"id": "bob"}],
                          {"alice/AGENTS.md": "1", "alice/notes.md": "2", "gone.md": "3"},
                          {"alice/AGENTS.md": "1", "alice/notes.md": "9", "new.md": "4"})
    assert same["ok"] and same["agents"]["missing"] == []
    assert same["files"] == {"restored": 3, "same": 1, "changed_since_backup": ["alice/notes.md"],
                             "only_in_backup": ["gone.md"], "only_in_source": ["new.md"]}
    assert not _drill.compare(["alice", "bob"], [{"id": "alice"}], {}, {})["ok"]
    assert not _drill.compare([], [], {}, {})["ok"]  # nothing declared proves nothing
    _drill.check_scratch("/srv/a/gw/drill", "/srv/a/gw")  # below the gateway's directory: fine
    for scratch in ("/srv/a/gw2", "/srv/a/gw", "/srv/a/gw/../other"):
        with pytest.raises(_drill.DrillError, match="must be below"):
            _drill.check_scratch(scratch, "/srv/a/gw")
