# -*- coding: utf-8 -*-
"""Deployment revisions (pure): record, activate, fail, interrupted candidates, select."""

from __future__ import annotations

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._revisions import (
    RevisionError, Store, compose_image)


@pytest.fixture
def deployed(tmp_path):
    files = {"config": tmp_path / "openclaw.json", "compose": tmp_path / "compose.yml",
             "env": tmp_path / "gateway.env"}
    files["config"].write_text('{"v": 1}\n')
    files["compose"].write_text("services:\n  gateway:\n    image: localhost/clawops/openclaw:"
                                "2026.9.5-aaaa\n")
    files["env"].write_text("OPENCLAW_GATEWAY_TOKEN=secret-value\n")
    return {k: str(v) for k, v in files.items()}, Store(str(tmp_path / "revisions"))


def test_record_active_twice_is_a_no_op(deployed):
    current, store = deployed
    first, changed = store.record("active", "alice", current, "sha256:1", "deploy")
    assert changed and first["id"] == "r0001" and first["status"] == "active"
    assert first["image"] == {"ref": "localhost/clawops/openclaw:2026.9.5-aaaa",
                              "id": "sha256:1"}
    again, changed = store.record("active", "alice", current, "sha256:1", "deploy")
    assert not changed and again["id"] == "r0001"
    # the env value never lands in a revision, only its hash
    for path in first["files"].values():
        with open(path, encoding="utf-8") as handle:
            assert "secret-value" not in handle.read()
    assert len(first["env_sha256"]) == 64
    # keyed with the gateway's token: not the plain sha256 of the file, which a guess of a
    # weak value could be checked against
    import hashlib
    with open(current["env"], "rb") as handle:
        assert first["env_sha256"] != hashlib.sha256(handle.read()).hexdigest()


def test_candidate_then_active_supersedes(deployed):
    current, store = deployed
    store.record("active", "alice", current, "sha256:1")
    with open(current["config"], "w", encoding="utf-8") as handle:
        handle.write('{"v": 2}\n')
    cand, changed = store.record("candidate", "bob", current, "sha256:1", "update")
    assert changed and cand["id"] == "r0002" and store.active()["id"] == "r0001"
    store.mark("r0002", "active", "bob")
    assert [(r["id"], r["status"]) for r in store.all()] == [
        ("r0001", "superseded"), ("r0002", "active")]
    assert store.select("previous")["id"] == "r0001"
    assert [h["status"] for h in store.load("r0002")["history"]] == ["candidate", "active"]


def test_failed_candidate_keeps_the_active_one(deployed):
    current, store = deployed
    store.record("active", "alice", current, "sha256:1")
    store.record("candidate", "bob", current, "sha256:2")
    store.mark("r0002", "failed", "bob", "gate failed", rolled_back_to="r0001")
    assert store.active()["id"] == "r0001"
    assert store.load("r0002")["rolled_back_to"] == "r0001"
    with pytest.raises(RevisionError, match="never passed its gate"):
        store.select("r0002")


def test_interrupted_candidates(deployed):
    current, store = deployed
    store.record("active", "alice", current)
    store.record("candidate", "bob", current)
    assert store.interrupt_candidates("carol") == ["r0002"]
    assert store.load("r0002")["status"] == "interrupted"
    assert store.interrupt_candidates() == []


def test_rollback_marks_the_current_rolled_back(deployed):
    current, store = deployed
    store.record("active", "alice", current)
    with open(current["config"], "w", encoding="utf-8") as handle:
        handle.write('{"v": 2}\n')
    store.record("active", "alice", current)
    target = store.select("previous")
    store.mark(target["id"], "active", "bob", previous_status="rolled_back")
    assert [(r["id"], r["status"]) for r in store.all()] == [
        ("r0001", "active"), ("r0002", "rolled_back")]
    with open(target["files"]["config"], encoding="utf-8") as handle:
        assert handle.read() == '{"v": 1}\n'


def test_select_errors_name_the_fix(deployed):
    current, store = deployed
    with pytest.raises(RevisionError, match="never passed a gate"):
        store.select("active")
    store.record("active", "alice", current)
    with pytest.raises(RevisionError, match="rollback_to=rNNNN"):
        store.select("previous")
    with pytest.raises(RevisionError, match="r0009 not found"):
        store.select("r0009")


def test_compose_image(tmp_path):
    path = tmp_path / "compose.yml"
    path.write_text("name: x\nservices:\n  gateway:\n    image: 'repo/img:1-abc'\n")
    assert compose_image(str(path)) == "repo/img:1-abc"
    assert compose_image(str(tmp_path / "missing.yml")) is None


def test_rollout_waves():
    from ansible_collections.clawops.orchestrator.plugins.filter.rollout_waves import (
        rollout_waves)
    plan = rollout_waves({"gw-c": 2, "gw-a": 1, "gw-b": "canary", "gw-d": 1})
    assert plan["order"] == ["gw-b", "gw-a", "gw-d", "gw-c"]
    assert plan["batches"] == [1, 2, 1]
    assert [w["wave"] for w in plan["waves"]] == ["canary", 1, 2]
    assert rollout_waves({"gw-a": 1}, [1, "25%", "100%"])["batches"] == [1, "25%", "100%"]


def test_the_image_of_a_k8s_objects_file_comes_from_its_marker_line(tmp_path):
    path = tmp_path / "manifests.yml"
    # a seed ConfigMap before the Deployment may hold an indented "image:" line
    path.write_text("# clawops-image: registry.example/openclaw@sha256:abc\n"
                    "apiVersion: v1\nkind: ConfigMap\ndata:\n  s000: |\n    image: not-this\n"
                    "---\nkind: Deployment\nspec:\n  containers:\n  - image: other\n")
    assert compose_image(str(path)) == "registry.example/openclaw@sha256:abc"
    path.write_text("services:\n  gateway:\n    image: localhost/clawops/openclaw:1\n")
    assert compose_image(str(path)) == "localhost/clawops/openclaw:1"
