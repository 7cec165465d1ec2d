# -*- coding: utf-8 -*-
"""Model backends the collection runs, on the test cluster (issue 19's K8s path).

The collection's llama.cpp server image (built on the controller, loaded into the cluster's
containerd) serves the smoke model in the gateways' namespace: a Deployment, a Service, a
NetworkPolicy that lets in the org's gateway pods only, the model file copied from the
controller into the backend's claim. A K8s gateway that lists the backend gets an egress
rule to its pods alone, passes the gate's backend stage from inside its pod, and a message
sent through it (``openclaw agent`` in the gateway's container) comes back with the model's
word, the server's log showing the completion. A new model file rolls the backend's pod
only (the gateway's pod keeps its uid and start time). Removal is refused while the gateway
lists the backend; forced, the backend's objects go and the namespace stays.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess

import pytest

from conftest import write_fleet
from helpers import CLUSTER, GATE_DEADLINE, changed, gate_checks, kubectl, run_cli
from test_backend_compose import BACKEND_STAGE, diagnosed, smoke_models, turn

pytestmark = pytest.mark.real
GW = "gw-k"


def _fleet_yml(state, model_file):
    return """
        schema_version: 1
        org: {org_id: it-19-k8s, org_slug: %(slug)s, display_name: Backends on K8s}
        defaults:
          image: {version: "2026.9.6"}
          auth: {mode: token, token: {source: file, path: "%(secrets)s/@{gateway.id}.token"}}
        targets:
          k8s_clusters:
            lab:
              namespace_mode: per_org
              volume_permissions: true
              storage_size: 1Gi
              state_root: %(base)s/controller
              vars: {ansible_connection: local, health_gate_deadline: %(gate)d}
        policy:
          integrations: {allow: [webchat]}
          providers: {allow: [local]}
          skills: {allow: [weather]}
        backends:
          local:
            models: [smoke]
            context_window: 131072
            max_tokens: 6
            run: {model_file: %(model)s, memory: 2g, threads: 2, storage: 1Gi}
        """ % {"slug": state["slug"], "secrets": state["secrets"], "base": state["base"],
               "gate": GATE_DEADLINE, "model": model_file}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory, cluster):
    base = tmp_path_factory.mktemp("backend-k8s")
    secrets_dir = base / "secrets"
    secrets_dir.mkdir(mode=0o700)
    models = base / "models"
    models.mkdir()
    os.chmod(str(base), 0o755)
    slug = "bk8s%d" % (os.getpid() % 1000)
    state = {"slug": slug, "secrets": str(secrets_dir), "base": str(base),
             "models": str(models), "namespace": "%s-gateways" % slug,
             "backend": "%s-backend-local" % slug, "instance": "%s-%s" % (slug, GW),
             "cluster": cluster}
    port = 18789  # the pod's: nothing is published on this machine
    files = {
        "fleet.yml": _fleet_yml(state, str(models / "smoke.gguf")),
        "operators.yml": "open: true\n",
        "groups/tasks.yml": "id: tasks\nprofile: usecase\ntrust_level: medium\nwave: canary\n",
        "gateways/%s.yml" % GW: (
            "id: %s\ngroups: [tasks]\nprovider: {type: k8s, cluster: lab}\nport: %d\n"
            "backends: [local]\n"
            # hosted: an Ingress with a TLS Secret (docs/hosted.md)
            "hosted:\n  domain: \"{gateway}.assist.example\"\n  ingress_class: nginx\n"
            "  tls:\n    cert: {source: file, path: %s/tls.crt}\n"
            "    key: {source: file, path: %s/tls.key}\n"
            "agents:\n  - {id: helper, kind: usecase, model: local/smoke}\n" % (
                GW, port, secrets_dir, secrets_dir)),
    }
    made = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
         "/CN=%s.assist.example" % GW, "-keyout", str(secrets_dir / "tls.key"), "-out",
         str(secrets_dir / "tls.crt")], capture_output=True, text=True, check=False)
    assert made.returncode == 0, made.stderr
    (secrets_dir / ("%s.token" % GW)).write_text(secrets.token_hex(24))
    state["dir"] = write_fleet(base / "fleet", files)
    inventory = base / "fleet.clawops.yml"
    inventory.write_text("plugin: clawops.orchestrator.fleet\nfleet_dir: %s\n" % state["dir"])
    state["inventory"] = str(inventory)
    yield state
    play(state, "playbooks/lifecycle.yml", "-e", "action=absent", "-e", "confirm_all=true")
    kubectl(cluster, "delete", "namespace", state["namespace"], "--ignore-not-found",
            "--wait=false")


def play(fleet, playbook, *args, timeout=1500):
    return run_cli("ansible-playbook", [
        "-i", fleet["inventory"], playbook,
        "-e", json.dumps({"gateway_k8s_image_load": "%s import-image {image}" % CLUSTER})]
        + list(args), timeout=timeout,
        KUBECONFIG=fleet["cluster"]["kubeconfig"])


def kget(fleet, *args):
    proc = kubectl(fleet["cluster"], "get", "-n", fleet["namespace"], "-o", "json", *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def pods(fleet, instance):
    found = kget(fleet, "pods", "-l", "app.kubernetes.io/instance=%s" % instance)["items"]
    return [p for p in found if not p["metadata"].get("deletionTimestamp")]


def the_pod(fleet, instance):
    found = pods(fleet, instance)
    assert len(found) == 1, [p["metadata"]["name"] for p in found]
    return found[0]


def server_log(fleet):
    name = the_pod(fleet, fleet["backend"])["metadata"]["name"]
    return kubectl(fleet["cluster"], "logs", "-n", fleet["namespace"], name).stdout


def ask(fleet, message="ping"):
    name = the_pod(fleet, fleet["instance"])["metadata"]["name"]
    return turn(lambda: kubectl(fleet["cluster"], "exec", "-n", fleet["namespace"], name, "-c",
                                "gateway", "--", "/usr/local/bin/openclaw", "agent", "--agent",
                                "helper", "--message", message, "--json", "--timeout", "240",
                                timeout=300))


@pytest.fixture(scope="module")
def deployed(fleet):
    smoke_models(fleet, play)
    check = play(fleet, "playbooks/site.yml", "--check", "--diff")
    assert check.returncode == 0, check.stdout[-5000:] + check.stderr[-2000:]
    assert "a run would create" in check.stdout and "of backend local" in check.stdout
    gone = kubectl(fleet["cluster"], "get", "namespace", fleet["namespace"])
    assert gone.returncode != 0  # check mode made nothing
    applied = play(fleet, "playbooks/site.yml")
    assert applied.returncode == 0, applied.stdout[-6000:] + applied.stderr[-2000:]
    return applied


def test_the_backend_runs_in_the_cluster_behind_its_service_and_policy(fleet, deployed):
    deployment = kget(fleet, "deployment", fleet["backend"])
    assert deployment["status"].get("readyReplicas") == 1
    service = kget(fleet, "service", fleet["backend"])
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["ports"][0]["port"] == 8000
    policy = kget(fleet, "networkpolicy", fleet["backend"])
    assert policy["spec"]["podSelector"]["matchLabels"] == {
        "app.kubernetes.io/instance": fleet["backend"]}
    assert "egress" not in policy["spec"]  # the server reaches nothing
    # the model came from the controller into the claim, named by its digest
    claim = kget(fleet, "pvc", fleet["backend"] + "-model")
    with open(os.path.join(fleet["models"], "smoke.gguf"), "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    assert claim["metadata"]["annotations"]["clawops.dev/model-sha256"] == digest
    assert not pods(fleet, fleet["backend"] + "-model-load")  # the loader pod is gone
    # the gateway may reach the backend's pods on its port, and no other backend
    gw_policy = kget(fleet, "networkpolicy", fleet["instance"])
    rules = [rule for rule in gw_policy["spec"]["egress"]
             if any(peer.get("podSelector") for peer in rule["to"])]
    assert rules == [{"to": [{"namespaceSelector": {"matchLabels": {
        "kubernetes.io/metadata.name": fleet["namespace"]}}, "podSelector": {"matchLabels": {
            "app.kubernetes.io/instance": fleet["backend"]}}}],
        "ports": [{"protocol": "TCP", "port": 8000}]}]


def test_the_gateway_passed_its_gate_through_the_backend(fleet, deployed):
    assert BACKEND_STAGE in gate_checks(deployed)[GW], gate_checks(deployed)


def test_a_message_through_the_gateway_is_answered_by_the_backend(fleet, deployed):
    before = server_log(fleet).count("POST /v1/chat/completions")
    answer = ask(fleet)
    assert "pong" in answer, answer[-2000:]
    assert server_log(fleet).count("POST /v1/chat/completions") > before


def test_one_command_diagnoses_the_k8s_gateway(fleet, deployed, tmp_path):
    """diagnose.yml on a Kubernetes gateway: doctor and status by exec in its pod, its logs."""
    diagnosed(fleet, play, GW, tmp_path)


def test_the_hosted_gateway_has_its_ingress_and_tls_secret(fleet, deployed):
    """What a hosted K8s gateway adds (docs/hosted.md), accepted by the real API server. The
    test cluster runs no Ingress controller: the route itself is not exercised here (the
    Compose proxy's is, in test_hosted.py)."""
    import base64
    ingress = kget(fleet, "ingress", fleet["instance"])
    rule = ingress["spec"]["rules"][0]
    assert rule["host"] == "%s.assist.example" % GW
    assert rule["http"]["paths"][0]["backend"]["service"]["name"] == fleet["instance"]
    assert ingress["spec"]["tls"][0]["secretName"] == fleet["instance"] + "-tls"
    assert ingress["metadata"]["annotations"][
        "nginx.ingress.kubernetes.io/proxy-body-size"] == "1m"
    secret = kget(fleet, "secret", fleet["instance"] + "-tls")
    assert secret["type"] == "kubernetes.io/tls"
    with open(os.path.join(fleet["secrets"], "tls.crt"), encoding="utf-8") as handle:
        assert base64.b64decode(secret["data"]["tls.crt"]).decode() == handle.read()
    config = kget(fleet, "configmap", fleet["instance"] + "-config")
    assert "https://%s.assist.example" % GW in config["data"]["openclaw.json"]


def test_a_second_run_changes_nothing(fleet, deployed):
    again = play(fleet, "playbooks/site.yml")
    assert again.returncode == 0, again.stdout[-3000:]
    assert all(n == 0 for n in changed(again).values()), changed(again)


def test_a_new_model_rolls_the_backend_pod_alone(fleet, deployed):
    gateway = the_pod(fleet, fleet["instance"])
    server = the_pod(fleet, fleet["backend"])
    write_fleet(fleet["dir"], {"fleet.yml": _fleet_yml(
        fleet, os.path.join(fleet["models"], "smoke-2.gguf"))})
    applied = play(fleet, "playbooks/site.yml")
    assert applied.returncode == 0, applied.stdout[-4000:]
    assert the_pod(fleet, fleet["backend"])["metadata"]["uid"] != server["metadata"]["uid"]
    after = the_pod(fleet, fleet["instance"])
    assert after["metadata"]["uid"] == gateway["metadata"]["uid"]
    assert after["status"]["startTime"] == gateway["status"]["startTime"]
    assert "pang" in ask(fleet)


def test_removing_the_backend_is_refused_while_listed_then_forced(fleet, deployed):
    refused = play(fleet, "playbooks/backend_remove.yml", "-e", "backend=local")
    assert refused.returncode != 0
    assert "backend local is listed by %s" % GW in refused.stdout, refused.stdout[-3000:]
    assert kget(fleet, "deployment", fleet["backend"])["metadata"]["name"] == fleet["backend"]
    forced = play(fleet, "playbooks/backend_remove.yml", "-e", "backend=local", "-e",
                  "force=true")
    assert forced.returncode == 0, forced.stdout[-3000:]
    left = kubectl(fleet["cluster"], "get", "-n", fleet["namespace"], "-o", "name",
                   "deployment,service,networkpolicy,pvc,pod", "-l",
                   "clawops.dev/backend=local")
    assert left.returncode == 0 and left.stdout.strip() == "", left.stdout
    # the namespace and the gateway stay
    assert the_pod(fleet, fleet["instance"])["status"]["phase"] == "Running"
