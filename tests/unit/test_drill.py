# -*- coding: utf-8 -*-
"""Restore drills (pure): the scratch instance's runtime and project, the restored config
with its channels off, what the comparison proves. The drill on real gateways:
tests/integration/test_day2.py."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils import _drill, _workload
from ansible_collections.clawops.orchestrator.plugins.module_utils import _k8s_manifests as km
from ansible_collections.clawops.orchestrator.plugins.module_utils._render import (
    dump_config, render_fleet)
from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
from conftest import EXAMPLE_FLEET, ROOT, assert_golden


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


def test_each_provider_has_its_scratch_runtime():
    with pytest.raises(_drill.DrillError, match="not a Compose gateway"):
        _drill.drill_runtime({"provider": "k8s", "instance": "x"}, "/s")
    with pytest.raises(_drill.DrillError, match="not a Kubernetes gateway"):
        _drill.k8s_drill_runtime({"provider": "compose", "instance": "x"}, "/s")


def test_the_k8s_scratch_instance_has_objects_and_a_claim_of_its_own():
    """The K8s scratch instance: the gateway's objects renamed (<instance>-drill), in its
    namespace, its own state claim, no cluster role, no ingress but from itself, labelled so
    that removal by its instance label finds exactly them; the golden file is the whole set."""
    plan = render_fleet(load_fleet(EXAMPLE_FLEET), ["gw-research"])["gw-research"]
    runtime = plan.runtime
    staging = runtime["controller_paths"]["staging_dir"] + "/drill"
    drill = _drill.k8s_drill_runtime(runtime, staging)
    assert drill["instance"] == "acme-gw-research-drill" and runtime["instance"] == "acme-gw-research"
    assert drill["controller_paths"]["staging_dir"] == staging
    assert drill["endpoint"]["deployment"] == "acme-gw-research-drill"
    assert drill["endpoint"]["namespace"] == runtime["endpoint"]["namespace"]
    objects = km.manifests(plan.summary, drill, _drill.drill_config(dump_config(plan.config)),
                           "registry.example/clawops/openclaw:2026.9.6", "e" * 64,
                           km.seed_files(drill, EXAMPLE_FLEET, plan.summary))
    mine = [o for o in objects if o["kind"] != "Namespace"
            and o["metadata"].get("labels", {}).get("app.kubernetes.io/instance") == drill["instance"]]
    assert sorted(o["kind"] for o in mine) == [
        "ConfigMap", "ConfigMap", "Deployment", "NetworkPolicy", "PersistentVolumeClaim",
        "Service", "ServiceAccount"]
    assert all(o["metadata"]["name"].startswith("acme-gw-research-drill") for o in mine)
    assert all(o["metadata"]["labels"]["clawops.dev/drill-of"] == "acme-gw-research" for o in mine)
    assert not [o for o in objects if o["kind"] in ("ClusterRole", "ClusterRoleBinding", "Ingress")]
    claim = [o for o in mine if o["kind"] == "PersistentVolumeClaim"][0]
    assert claim["metadata"]["name"] == "acme-gw-research-drill-state"
    deployment = [o for o in mine if o["kind"] == "Deployment"][0]
    assert deployment["spec"]["selector"]["matchLabels"]["app.kubernetes.io/instance"] == drill["instance"]
    config = json.loads([o for o in mine if o["metadata"]["name"].endswith("-drill-config")][0]
                        ["data"]["openclaw.json"])
    assert all(c["enabled"] is False for c in config["channels"].values())
    removal = km.owned(drill)
    assert {r["selector"] for r in removal} == {
        "app.kubernetes.io/instance=acme-gw-research-drill,app.kubernetes.io/managed-by=clawops"}
    assert_golden(os.path.join(ROOT, "tests", "golden", "k8s", "drill-gw-research.json"), mine)


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
