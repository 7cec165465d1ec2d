# -*- coding: utf-8 -*-
"""Import of a gateway applied by hand in a Kubernetes namespace (module_utils/_import_k8s.py):
a seed-002-like Deployment (the state claim mounted at the state dir, the config from a
ConfigMap, env from an operator's Secret) in, a fleet definition out - the claim, the labels
and the Secret's variables adopted, the token in a 0600 file, the claim's layout moves named -
and the moves themselves run in a shell on a scratch tree, forward and back."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess

import pytest
import yaml

from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import FleetErrors
from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
from ansible_collections.clawops.orchestrator.plugins.module_utils._import import import_gateway
from ansible_collections.clawops.orchestrator.plugins.module_utils._import_k8s import (
    HOME, config_maps_used, facts_from_deployment, layout_script, secrets_used)
from ansible_collections.clawops.orchestrator.plugins.module_utils._render import Renderer

TOKEN = "tok-k8s-0123456789abcdef0123456789ab"
DB = "db-pass-0123456789abcdef"
API_KEY = "sk-ant-k8s-0123456789abcdefghij012345"

RUNNING = {
    "gateway": {"mode": "local", "port": 18789, "bind": "lan",
                "auth": {"mode": "token", "token": "${OPENCLAW_GATEWAY_TOKEN}"},
                # seed 002: clients come through an access proxy in the cluster
                "trustedProxies": ["10.244.0.0/16"]},
    "update": {"checkOnStart": False},
    "logging": {"level": "info"},
    "agents": {
        "defaults": {"model": {"primary": "anthropic/claude-sonnet-4-5"}},
        "entries": {
            "main": {"name": "Main", "workspace": "/home/node/.openclaw/workspace"},
            "research": {"name": "Research",
                         "workspace": "/home/node/.openclaw/workspace-research"},
        },
    },
    "models": {"providers": {"anthropic": {"baseUrl": "https://api.anthropic.com",
                                           "apiKey": "${ANTHROPIC_API_KEY}", "models": []}}},
}


def b64(text):
    return base64.b64encode(text.encode()).decode()


def deployment(mount="/home/node/.openclaw"):
    return {
        "kind": "Deployment",
        "metadata": {"name": "openclaw", "namespace": "openclaw",
                     "labels": {"app": "openclaw", "app.kubernetes.io/name": "x"}},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "openclaw"}},
                 "template": {"metadata": {"labels": {"app": "openclaw", "team": "ops"}},
                              "spec": {
                                  "containers": [{
                                      "name": "openclaw",
                                      "image": "localhost/clawops/openclaw:2026.9.6",
                                      "env": [
                                          {"name": "OPENCLAW_CONFIG_PATH",
                                           "value": "/etc/openclaw/openclaw.json"},
                                          {"name": "TZ", "value": "UTC"},
                                          {"name": "OPENCLAW_GATEWAY_TOKEN", "valueFrom": {
                                              "secretKeyRef": {"name": "openclaw-vault-secrets",
                                                               "key": "gateway-token"}}},
                                          {"name": "OPENCLAW_DB_PASSWORD", "valueFrom": {
                                              "secretKeyRef": {"name": "openclaw-vault-secrets",
                                                               "key": "db-password"}}},
                                          {"name": "ANTHROPIC_API_KEY", "valueFrom": {
                                              "secretKeyRef": {"name": "openclaw-vault-secrets",
                                                               "key": "anthropic-api-key"}}}],
                                      "volumeMounts": [
                                          {"name": "data", "mountPath": mount},
                                          {"name": "config", "mountPath": "/etc/openclaw"}]}],
                                  "volumes": [
                                      {"name": "data", "persistentVolumeClaim": {
                                          "claimName": "openclaw-data"}},
                                      {"name": "config", "configMap": {
                                          "name": "openclaw-config"}}]}}},
        "status": {"readyReplicas": 1},
    }


SECRETS = {"openclaw-vault-secrets": {"data": {
    "gateway-token": b64(TOKEN), "db-password": b64(DB), "anthropic-api-key": b64(API_KEY)}}}
SERVICES = [{"metadata": {"name": "openclaw"}, "spec": {"selector": {"app": "openclaw"}}},
            {"metadata": {"name": "other"}, "spec": {"selector": {"app": "other"}}}]


def facts(config=None, mount="/home/node/.openclaw"):
    return facts_from_deployment(
        deployment(mount), SERVICES,
        {"openclaw-config": {"data": {"openclaw.json": json.dumps(config or RUNNING)}}},
        SECRETS, agents=[{"id": "main", "workspace": "/home/node/.openclaw/workspace"},
                         {"id": "research",
                          "workspace": "/home/node/.openclaw/workspace-research"}],
        version_text="OpenClaw 2026.9.6 (eb377ac)")


@pytest.fixture
def fleet_dir(import_fleet_dir):
    return import_fleet_dir


def run_import(fleet, found=None, **options):
    found = found or facts()
    options = dict({"gateway": "research", "cluster": "lab", "profile": "usecase",
                    "trust_level": "medium"}, **options)
    secret_env = found.pop("secret_env")
    found = dict(found, secret_env=secret_env)
    return import_gateway(fleet, found, "/etc/openclaw/openclaw.json", found["config_files"],
                          options)


def test_what_the_playbook_reads_for_a_deployment():
    assert secrets_used(deployment()) == ["openclaw-vault-secrets"]
    assert config_maps_used(deployment()) == ["openclaw-config"]


def test_the_facts_of_a_deployment():
    found = facts()
    assert found["env"] == {"OPENCLAW_CONFIG_PATH": "/etc/openclaw/openclaw.json"}
    assert sorted(found["secret_env"]) == ["ANTHROPIC_API_KEY", "OPENCLAW_DB_PASSWORD",
                                           "OPENCLAW_GATEWAY_TOKEN"]
    assert found["mounts"][0]["source"] == "pvc:openclaw-data"
    assert "/etc/openclaw/openclaw.json" in found["config_files"]
    assert found["k8s"]["labels"] == {"app": "openclaw", "team": "ops"}  # not app.kubernetes.io
    assert found["k8s"]["services"] == ["openclaw"]
    assert found["version"] == "2026.9.6" and found["running"]


def test_the_claim_labels_and_secrets_are_adopted_and_the_token_goes_to_a_file(fleet_dir):
    fleet, secrets = fleet_dir
    result = run_import(fleet)
    gateway = yaml.safe_load(open(os.path.join(fleet, "gateways/research.yml")))
    provider = gateway["provider"]
    assert provider["type"] == "k8s" and provider["cluster"] == "lab"
    assert provider["namespace"] == "openclaw"
    assert provider["adopt"] == {"pvc": "openclaw-data",
                                 "labels": {"app": "openclaw", "team": "ops"}}
    # the operator's Secret stays the source of these; the values never leave the cluster
    assert provider["secret_env"] == {
        "ANTHROPIC_API_KEY": {"name": "openclaw-vault-secrets", "key": "anthropic-api-key"},
        "OPENCLAW_DB_PASSWORD": {"name": "openclaw-vault-secrets", "key": "db-password"}}
    assert gateway["exposure"] == "lan"  # a Service selects the pod
    assert gateway["auth"]["token"]["path"].startswith(secrets)
    assert open(gateway["auth"]["token"]["path"]).read().strip() == TOKEN
    template = open(os.path.join(fleet, "templates/imported/research.json5")).read()
    assert json.loads(template.split("\n", 1)[1])["models"]["providers"]["anthropic"][
        "apiKey"] == {"source": "env", "provider": "default", "id": "ANTHROPIC_API_KEY"}
    agents = {a["id"]: a for a in gateway["agents"]}
    assert agents["main"]["workspace"] == "workspace"
    assert agents["research"]["workspace"] == "workspace-research"
    # the moves the takeover makes inside the claim
    assert result["adopted"]["claim"] == "openclaw-data"
    assert result["adopted"]["moves"] == [
        {"from": "", "to": ".openclaw", "what": "state"},
        {"from": "workspace", "to": "workspaces/workspace", "what": "workspace of main"},
        {"from": "workspace-research", "to": "workspaces/workspace-research",
         "what": "workspace of research"}]
    assert all(d["expected"] for d in result["differences"]), result["differences"]
    answer = json.dumps(result)
    for value in (TOKEN, DB, API_KEY):
        assert value not in answer
        for base, dummy, names in os.walk(fleet):
            for name in names:
                assert value not in open(os.path.join(base, name)).read()
    assert DB not in "".join(open(os.path.join(secrets, "imported", "research", n)).read()
                             for n in os.listdir(os.path.join(secrets, "imported", "research")))
    assert not run_import(fleet)["changed"]


def test_the_rendered_pod_takes_the_adopted_secrets_and_claim(fleet_dir):
    fleet, dummy = fleet_dir
    run_import(fleet)
    loaded = load_fleet(fleet)
    plan = Renderer(loaded).render(loaded.gateway("research"))
    k8s = plan.runtime["k8s"]
    assert k8s["names"]["pvc"] == "openclaw-data" and k8s["adopted_pvc"]
    assert k8s["extra_labels"] == {"app": "openclaw", "team": "ops"}
    assert sorted(k8s["secret_env"]) == ["ANTHROPIC_API_KEY", "OPENCLAW_DB_PASSWORD"]
    assert plan.config["agents"]["entries"]["research"]["workspace"] == \
        "/home/node/workspaces/workspace-research"
    assert plan.config["models"]["providers"]["anthropic"]["apiKey"]["id"] == "ANTHROPIC_API_KEY"


def test_a_claim_mounted_at_the_home_needs_only_the_workspaces_moved(fleet_dir):
    fleet, dummy = fleet_dir
    result = run_import(fleet, facts(mount=HOME))
    assert [m["what"] for m in result["adopted"]["moves"]] == [
        "workspace of main", "workspace of research"]
    assert result["adopted"]["moves"][0]["from"] == ".openclaw/workspace"


def test_a_state_dir_on_no_claim_is_refused(fleet_dir):
    fleet, dummy = fleet_dir
    found = facts()
    found["mounts"] = [m for m in found["mounts"] if m["type"] != "pvc"]
    with pytest.raises(FleetErrors) as caught:
        run_import(fleet, found)
    assert "not on a PersistentVolumeClaim" in caught.value.render()
    assert not os.path.exists(os.path.join(fleet, "gateways", "research.yml"))


def _tree(top):
    found = {}
    for base, dummy, names in os.walk(top):
        for name in names:
            path = os.path.join(base, name)
            with open(path, "rb") as handle:
                found[os.path.relpath(path, top)] = hashlib.sha256(handle.read()).hexdigest()
    return found


@pytest.mark.parametrize("mount", ["/home/node/.openclaw", HOME])
def test_the_layout_moves_run_forward_and_back_without_losing_a_byte(fleet_dir, tmp_path, mount):
    fleet, dummy = fleet_dir
    moves = run_import(fleet, facts(mount=mount))["adopted"]["moves"]
    claim = tmp_path / "claim"
    state = claim / (".openclaw" if mount == HOME else "")
    for rel, text in (("openclaw.json", "{}"), ("workspace/NOTES.md", "notes"),
                      ("workspace-research/a b.md", "x"), ("agents/main/sessions/s.jsonl", "s"),
                      (".hidden", "h")):
        (state / rel).parent.mkdir(parents=True, exist_ok=True)
        (state / rel).write_text(text)
    before = _tree(claim)

    def run(script):
        proc = subprocess.run(["sh", "-c", script.replace("cd %s" % HOME, "cd %s" % claim, 1)],
                              capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
    run(layout_script(moves))
    after = _tree(claim)
    assert after[".openclaw/openclaw.json"] == before[os.path.relpath(
        state / "openclaw.json", claim)]
    assert after["workspaces/workspace-research/a b.md"]
    assert after[".openclaw/agents/main/sessions/s.jsonl"]
    assert sorted(after.values()) == sorted(before.values())
    # the collection's gateway made its logs beside the state; the way back parks them
    (claim / "logs").mkdir()
    (claim / "logs" / "openclaw.log").write_text("log")
    run(layout_script(moves, reverse=True))
    back = _tree(claim)
    parked = {k: v for k, v in back.items() if k.startswith(".clawops-parked/")}
    # a claim that is the home both times keeps the collection's logs where they were
    kept = {k: v for k, v in back.items() if k not in parked and not (
        mount == HOME and k.startswith("logs/"))}
    assert kept == before
    assert [k.split("/", 2)[2] for k in parked] == (["logs/openclaw.log"]
                                                    if mount != HOME else [])
    # a second takeover after a failed one: the parked files stay where they are
    run(layout_script(moves))
    again = _tree(claim)
    assert {k: v for k, v in again.items() if k.startswith(".clawops-parked/")} == parked
    assert again[".openclaw/agents/main/sessions/s.jsonl"]


def test_a_name_in_the_way_stops_the_move_and_says_so(fleet_dir, tmp_path):
    fleet, dummy = fleet_dir
    moves = run_import(fleet, facts(mount=HOME))["adopted"]["moves"]
    claim = tmp_path / "claim"
    (claim / ".openclaw" / "workspace").mkdir(parents=True)
    (claim / "workspaces" / "workspace").mkdir(parents=True)  # in the way
    # workspace-research does not exist: its agent never ran (OpenClaw makes it on first use)
    proc = subprocess.run(["sh", "-c", layout_script(moves).replace(
        "cd %s" % HOME, "cd %s" % claim, 1)], capture_output=True, text=True, check=False)
    assert proc.returncode == 3
    assert "exists in the claim: nothing was overwritten" in proc.stderr
