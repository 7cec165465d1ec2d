# -*- coding: utf-8 -*-
"""Config ownership per path (module_utils/_ownership.py): managed, seed_only, observed -
the merge the deploy writes, the renderer's checks and runtime, the drift report's
classification, and the text the hot-apply writes."""

from __future__ import annotations

import json

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils import _ownership
from ansible_collections.clawops.orchestrator.plugins.module_utils._drift import report
from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import FleetErrors
from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
from ansible_collections.clawops.orchestrator.plugins.module_utils._hot import owned_text
from ansible_collections.clawops.orchestrator.plugins.module_utils._render import Renderer
from ansible_collections.clawops.orchestrator.plugins.module_utils._workload import workload

OWN = {"ui.prefs": "seed_only", "ui.seamColor": "observed", "messages.*.cap": "seed_only"}
DECLARED = {"update": {"checkOnStart": False}, "ui": {"prefs": {"theme": "claw"}},
            "messages": {"queue": {"cap": 20, "mode": "followup"}}}


def test_the_longest_pattern_decides_and_meta_is_always_observed():
    assert _ownership.mode_of(("ui", "prefs", "theme"), OWN) == "seed_only"
    assert _ownership.mode_of(("ui", "seamColor"), OWN) == "observed"
    assert _ownership.mode_of(("ui", "other"), OWN) == "managed"
    assert _ownership.mode_of(("messages", "queue", "cap"), OWN) == "seed_only"
    assert _ownership.mode_of(("messages", "queue", "mode"), OWN) == "managed"
    assert _ownership.mode_of(("meta", "lastTouchedVersion"), {}) == "observed"
    assert _ownership.mode_of(("ui", "prefs", "x"), dict(OWN, **{"ui.prefs.x": "managed"})) \
        == "managed"


@pytest.mark.parametrize("bad", ["", "*.x", "a..b", "a.b c", 3])
def test_a_bad_pattern_is_refused(bad):
    with pytest.raises(_ownership.OwnershipError):
        _ownership.split(bad)


def test_a_first_write_takes_the_seeds_and_nothing_observed():
    assert _ownership.merge(DECLARED, None, OWN) == DECLARED


def test_the_gateway_keeps_what_it_owns_and_the_fleet_wins_the_rest():
    persisted = {"update": {"checkOnStart": True},              # managed: repaired
                 "ui": {"prefs": {"theme": "tide"}, "seamColor": "#FF4500"},
                 "messages": {"queue": {"cap": 5, "mode": "steer"}},
                 "meta": {"lastTouchedVersion": "2026.9.6"}}
    merged = _ownership.merge(DECLARED, persisted, OWN)
    assert merged == {"update": {"checkOnStart": False},
                      "ui": {"prefs": {"theme": "tide"}, "seamColor": "#FF4500"},
                      "messages": {"queue": {"cap": 5, "mode": "followup"}},
                      "meta": {"lastTouchedVersion": "2026.9.6"}}


def test_a_managed_path_inside_an_owned_subtree_stays_the_fleets():
    own = {"ui.prefs": "seed_only", "ui.prefs.locale": "managed"}
    declared = {"ui": {"prefs": {"theme": "claw", "locale": "en"}}}
    persisted = {"ui": {"prefs": {"theme": "tide", "locale": "de", "extra": 1}}}
    assert _ownership.merge(declared, persisted, own) == {
        "ui": {"prefs": {"theme": "tide", "locale": "en", "extra": 1}}}
    persisted["ui"]["prefs"]["lock"] = True
    own["ui.prefs.lock"] = "managed"  # not declared: not written
    assert "lock" not in _ownership.merge(declared, persisted, own)["ui"]["prefs"]


def test_a_seed_the_file_lost_is_written_again():
    persisted = {"update": {"checkOnStart": False}, "messages": {"queue": {"mode": "followup"}}}
    assert _ownership.merge(DECLARED, persisted, OWN)["ui"]["prefs"] == {"theme": "claw"}


def test_the_hot_apply_leaves_a_file_that_differs_only_where_the_gateway_owns_it():
    persisted = dict(DECLARED, ui={"prefs": {"theme": "tide"}},
                     meta={"lastTouchedAt": "2026-12-06T00:00:00Z"})
    old_text = json.dumps(persisted)  # the gateway's own formatting
    assert owned_text(json.dumps(DECLARED, indent=2), old_text, OWN) == old_text
    changed = dict(persisted, update={"checkOnStart": True})
    text = owned_text(json.dumps(DECLARED), json.dumps(changed), OWN)
    assert json.loads(text)["update"] == {"checkOnStart": False}
    assert json.loads(text)["ui"]["prefs"] == {"theme": "tide"}


def test_the_drift_report_tells_owned_paths_from_drift():
    persisted = {"update": {"checkOnStart": False}, "ui": {"prefs": {"theme": "tide"}},
                 "messages": {"queue": {"cap": 20, "mode": "followup"}},
                 "meta": {"lastTouchedVersion": "2026.9.6"}}  # not listed
    found = report(DECLARED, persisted, None, [], None, ownership=OWN)
    assert not found["drift"] and found["declared_vs_persisted"] == []
    assert found["owned"] == [{"path": "ui.prefs.theme", "declared": "claw",
                               "persisted": "tide", "owner": "seed_only"}]
    assert found["summary"][0].startswith("in sync")
    persisted["update"]["checkOnStart"] = True
    found = report(DECLARED, persisted, None, [], None, ownership=OWN)
    assert found["drift"] and [d["path"] for d in found["declared_vs_persisted"]] == [
        "update.checkOnStart"]


GATEWAY = """
id: gw-a
profile: usecase
trust_level: medium
port: 18789
provider: {type: %s}
agents: [{id: main, kind: usecase, model: anthropic/claude-sonnet-4-5}]
config:
  overrides:
    ui: {prefs: {theme: claw}, seamColor: "#000000"}
  ownership:
    ui.prefs: seed_only
    ui.seamColor: observed
"""


def _render(make_fleet, provider="compose, host: local", extra=""):
    fleet_dir = make_fleet({"gateways/gw-a.yml": GATEWAY % provider + extra,
                            "gateways/gw-one.yml": None})
    fleet = load_fleet(fleet_dir)
    return Renderer(fleet).render(fleet.gateway("gw-a"))


def test_the_renderer_leaves_observed_paths_out_and_makes_the_config_writable(make_fleet):
    plan = _render(make_fleet)
    assert plan.config["ui"] == {"prefs": {"theme": "claw"}}  # seamColor: the gateway's
    assert plan.runtime["config_ownership"] == {"ui.prefs": "seed_only",
                                                "ui.seamColor": "observed"}
    assert plan.runtime["config_writable"]
    assert "OPENCLAW_CONFIG_READONLY" not in plan.runtime["env"]
    mounts = workload(plan.runtime, "img")["containers"]["gateway"]["mounts"]
    assert [m for m in mounts if m["volume"] == "config"][0]["read_only"] is False


def test_a_managed_only_gateway_keeps_its_read_only_config(make_fleet):
    fleet_dir = make_fleet({})
    fleet = load_fleet(fleet_dir)
    plan = Renderer(fleet).render(fleet.gateway("gw-one"))
    assert plan.runtime["config_ownership"] == {} and not plan.runtime["config_writable"]
    assert plan.runtime["env"]["OPENCLAW_CONFIG_READONLY"] == "1"


def test_keys_the_collection_sets_cannot_be_owned(make_fleet):
    with pytest.raises(FleetErrors) as caught:
        _render(make_fleet, extra="    gateway.auth: observed\n    bindings: seed_only\n")
    text = caught.value.render()
    assert "gateway.auth covers keys the collection sets" in text
    assert "bindings covers keys the collection sets" in text


def test_a_kubernetes_gateway_cannot_own_paths(make_fleet):
    with pytest.raises(FleetErrors) as caught:
        _render(make_fleet, provider="k8s, cluster: lab")
    assert "ConfigMap, read-only in the pod" in caught.value.render()


def test_a_revision_digest_ignores_what_the_gateway_owns(tmp_path):
    from ansible_collections.clawops.orchestrator.plugins.module_utils._revisions import (
        config_sha256)
    path = tmp_path / "openclaw.json"
    path.write_text(json.dumps(DECLARED))
    before = config_sha256(str(path), OWN)
    path.write_text(json.dumps(dict(DECLARED, ui={"prefs": {"theme": "tide"}},
                                    meta={"lastTouchedVersion": "2026.9.6"}), indent=4))
    assert config_sha256(str(path), OWN) == before  # the gateway's change: no new revision
    path.write_text(json.dumps(dict(DECLARED, update={"checkOnStart": True})))
    assert config_sha256(str(path), OWN) != before  # a managed change is one
    assert config_sha256(str(path), {}) == config_sha256(str(path))  # no ownership: the bytes
