# -*- coding: utf-8 -*-
"""Seed 002's hand-made Kubernetes deployment, written in the fleet format
(examples/adopt-k8s), renders to the objects the seed describes - point by point, and as a
golden file (CLAWOPS_UPDATE_GOLDEN=1 rewrites it)."""

from __future__ import annotations

import os

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils import _k8s_manifests as km
from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
from ansible_collections.clawops.orchestrator.plugins.module_utils._preflight import run_preflight
from ansible_collections.clawops.orchestrator.plugins.module_utils._render import (
    dump_config, render_fleet)

from conftest import ROOT, assert_golden

FLEET = os.path.join(ROOT, "examples", "adopt-k8s")
GOLDEN = os.path.join(ROOT, "tests", "golden", "k8s", "adopt-seed-002.json")
IMAGE = "registry.example/clawops/openclaw:2026.9.6"


@pytest.fixture(scope="module")
def objects():
    plan = render_fleet(load_fleet(FLEET))["openclaw"]
    found = km.manifests(plan.summary, plan.runtime, dump_config(plan.config), IMAGE, "e" * 64,
                         km.seed_files(plan.runtime, FLEET, plan.summary))
    return found + [km.secret(plan.runtime, {"OPENCLAW_GATEWAY_TOKEN": "x"})]


def by_kind(objects, kind):
    return [o for o in objects if o["kind"] == kind]


def test_it_passes_preflight():
    report = run_preflight(FLEET)
    assert report.ok and not report.findings, report.text()


def test_the_golden_file(objects):
    assert_golden(GOLDEN, objects[:-1])  # the Secret's value is a placeholder


def test_namespace_and_names(objects):
    deployment = by_kind(objects, "Deployment")[0]
    assert deployment["metadata"]["namespace"] == "openclaw"
    assert deployment["metadata"]["name"] == "openclaw"
    service = by_kind(objects, "Service")[0]
    assert service["metadata"]["name"] == "openclaw"
    assert service["spec"]["ports"][0]["port"] == 18789


def test_the_existing_pvc_is_mounted_and_never_applied(objects):
    assert by_kind(objects, "PersistentVolumeClaim") == []
    volumes = by_kind(objects, "Deployment")[0]["spec"]["template"]["spec"]["volumes"]
    assert {"name": "state", "persistentVolumeClaim": {"claimName": "openclaw-data"}} in volumes


def test_the_adopted_label_is_on_every_object_and_the_pod(objects):
    for obj in objects:
        if obj["kind"] == "Namespace" or obj["metadata"]["name"] == km.DEFAULT_DENY:
            continue
        assert obj["metadata"]["labels"]["app"] == "openclaw", obj["kind"]
        assert obj["metadata"]["labels"]["app.kubernetes.io/instance"] == "openclaw"
    deployment = by_kind(objects, "Deployment")[0]
    assert deployment["spec"]["template"]["metadata"]["labels"]["app"] == "openclaw"
    # the selector stays the collection's (removal and the gate find the pod by it)
    assert deployment["spec"]["selector"]["matchLabels"] == {
        "app.kubernetes.io/instance": "openclaw"}


def test_secrets_made_outside_the_collection_are_referenced_not_copied(objects):
    container = by_kind(objects, "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]
    env = {item["name"]: item for item in container["env"]}
    assert env["OPENCLAW_DB_PASSWORD"]["valueFrom"] == {
        "secretKeyRef": {"name": "openclaw-vault-secrets", "key": "db-password"}}
    for name in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GOOGLE_API_KEY", "DEEPSEEK_API_KEY"):
        assert env[name]["valueFrom"]["secretKeyRef"]["name"] == "openclaw-vault-secrets"
    # the gateway token still comes from the collection's own Secret
    assert container["envFrom"] == [{"secretRef": {"name": "openclaw-env"}}]
    assert sorted(by_kind(objects, "Secret")[0]["stringData"]) == ["OPENCLAW_GATEWAY_TOKEN"]


def test_a_read_only_cluster_role_that_reads_argocd_applications(objects):
    role = by_kind(objects, "ClusterRole")[0]
    for rule in role["rules"]:
        assert set(rule["verbs"]) <= {"get", "list", "watch"}, rule
    resources = {(group, res) for rule in role["rules"] for group in rule["apiGroups"]
                 for res in rule["resources"]}
    for wanted in [("", "pods"), ("", "services"), ("", "nodes"), ("", "namespaces"),
                   ("", "events"), ("", "configmaps"), ("apps", "deployments"),
                   ("networking.k8s.io", "ingresses"), ("batch", "jobs"),
                   ("argoproj.io", "applications")]:
        assert wanted in resources, wanted
    binding = by_kind(objects, "ClusterRoleBinding")[0]
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "openclaw",
                                    "namespace": "openclaw"}]


def test_default_deny_then_the_seed_s_ingress_and_egress(objects):
    policies = {p["metadata"]["name"]: p["spec"] for p in by_kind(objects, "NetworkPolicy")}
    assert policies[km.DEFAULT_DENY] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    spec = policies["openclaw"]
    assert spec["ingress"] == [{"from": [{"namespaceSelector": {}}],
                                "ports": [{"protocol": "TCP", "port": 18789}]}]
    egress = spec["egress"]
    assert egress[0]["ports"] == [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]
    assert {"ipBlock": {"cidr": "0.0.0.0/0", "except": km.PRIVATE_RANGES}} in egress[1]["to"]
    assert egress[2] == {"to": [{"namespaceSelector": {"matchLabels": {
        "kubernetes.io/metadata.name": "infra-db"}}}], "ports": [{"protocol": "TCP", "port": 5432}]}
    assert egress[3] == {"to": [{"ipBlock": {"cidr": "10.43.0.1/32"}}],
                         "ports": [{"protocol": "TCP", "port": 443}]}
