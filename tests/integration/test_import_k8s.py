# -*- coding: utf-8 -*-
"""Import a gateway applied by hand in a Kubernetes namespace, then take it over (issue 21,
item 1; docs/import.md, "From a Kubernetes namespace").

The hand-made gateway is seed 002's shape, applied with plain ``kubectl apply``: namespace,
an operator's Secret (gateway token, provider key, database password) read through
``secretKeyRef``, ``openclaw.json`` in a ConfigMap, the state on the claim ``openclaw-data``
mounted at ``/home/node/.openclaw`` (the workspaces inside it), labels ``app=openclaw``, a
Service selecting them. Real parts: the test cluster (tests/k8s/cluster.sh) and OpenClaw in
the locally built image.

import.yml writes the fleet (the claim, labels and Secret variables adopted; the token in a
0600 file; no secret value in the fleet or any output), a second import changes nothing. A
takeover whose gate fails puts everything back (the hand-made Deployment at its replicas,
the claim laid out as it was, every file with its hash). The takeover scales the hand-made
Deployment to 0, moves the directories inside the claim into the collection's layout and
deploys: the same token answers, the same agents, the hand-made Service reaches the new pod,
every file that was on the claim is there with the same sha256; then site.yml changes
nothing.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess

import pytest
import yaml

from helpers import CLUSTER, changed, import_fleet, kubectl, run_cli, wait_until

pytestmark = pytest.mark.real
IMAGE = "localhost/clawops/openclaw:2026.9.6"
API_KEY = "sk-ant-k8simport-" + secrets.token_hex(16)
DB_PASSWORD = "db-" + secrets.token_hex(16)
PORT = 18789
READY = ("node -e \"fetch('http://127.0.0.1:%d/readyz',{headers:{authorization:'Bearer '+"
         "process.env.OPENCLAW_GATEWAY_TOKEN}}).then(r=>r.json()).then(j=>process.exit("
         "j.ready?0:1)).catch(()=>process.exit(1))\"" % PORT)


def manifest(namespace, token):
    config = {
        "gateway": {"mode": "local", "port": PORT, "bind": "lan",
                    "auth": {"mode": "token", "token": "${OPENCLAW_GATEWAY_TOKEN}"},
                    "trustedProxies": ["10.244.0.0/16"]},
        "update": {"checkOnStart": False},
        "logging": {"level": "info"},
        "agents": {"ownership": "explicit",
                   "defaults": {"model": {"primary": "anthropic/claude-sonnet-4-5"}},
                   "entries": {
                       "main": {"name": "Main", "workspace": "/home/node/.openclaw/workspace"},
                       "research": {"name": "Research",
                                    "workspace": "/home/node/.openclaw/workspace-research"}}},
        "models": {"providers": {"anthropic": {"baseUrl": "https://api.anthropic.com",
                                               "apiKey": "${ANTHROPIC_API_KEY}",
                                               "models": []}}},
    }
    labels = {"app": "openclaw"}

    def secret_env(name, key):
        return {"name": name, "valueFrom": {"secretKeyRef": {"name": "openclaw-vault-secrets",
                                                             "key": key}}}
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "openclaw", "namespace": namespace, "labels": labels},
        "spec": {
            "replicas": 1, "selector": {"matchLabels": labels},
            "strategy": {"type": "Recreate"},
            "template": {"metadata": {"labels": labels}, "spec": {
                "securityContext": {"runAsUser": 65532, "runAsGroup": 65532, "fsGroup": 65532},
                # the lab's hostPath volumes ignore fsGroup: the claim is handed over once
                "initContainers": [{
                    "name": "chown", "image": IMAGE, "imagePullPolicy": "IfNotPresent",
                    "command": ["sh", "-c", "chown 65532:65532 /data"],
                    "securityContext": {"runAsUser": 0, "runAsNonRoot": False},
                    "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
                "containers": [{
                    "name": "openclaw", "image": IMAGE, "imagePullPolicy": "IfNotPresent",
                    "args": ["gateway", "run"],
                    "ports": [{"containerPort": PORT, "name": "gateway"}],
                    "env": [{"name": "OPENCLAW_CONFIG_PATH",
                             "value": "/etc/openclaw/openclaw.json"},
                            {"name": "OPENCLAW_CONFIG_READONLY", "value": "1"},
                            {"name": "OPENCLAW_NO_AUTO_UPDATE", "value": "1"},
                            {"name": "OPENCLAW_DISABLE_BONJOUR", "value": "1"},
                            secret_env("OPENCLAW_GATEWAY_TOKEN", "gateway-token"),
                            secret_env("ANTHROPIC_API_KEY", "anthropic-api-key"),
                            secret_env("OPENCLAW_DB_PASSWORD", "db-password")],
                    "volumeMounts": [{"name": "data", "mountPath": "/home/node/.openclaw"},
                                     {"name": "config", "mountPath": "/etc/openclaw"}]}],
                "volumes": [{"name": "data",
                             "persistentVolumeClaim": {"claimName": "openclaw-data"}},
                            {"name": "config", "configMap": {"name": "openclaw-config"}}]}}}}
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}},
        {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
         "metadata": {"name": "openclaw-vault-secrets", "namespace": namespace},
         "stringData": {"gateway-token": token, "anthropic-api-key": API_KEY,
                        "db-password": DB_PASSWORD}},
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "openclaw-config", "namespace": namespace},
         "data": {"openclaw.json": json.dumps(config, indent=2)}},
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
         "metadata": {"name": "openclaw-data", "namespace": namespace},
         "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}},
        deployment,
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": "openclaw", "namespace": namespace, "labels": labels},
         "spec": {"selector": labels, "ports": [{"port": PORT, "targetPort": PORT}]}},
    ]


def pods(cluster, namespace, selector):
    proc = kubectl(cluster, "get", "pods", "-n", namespace, "-l", selector, "-o", "json")
    assert proc.returncode == 0, proc.stderr
    return [p for p in json.loads(proc.stdout)["items"]
            if not p["metadata"].get("deletionTimestamp")]


def ready_pod(cluster, namespace, selector):
    """The name of the pod whose gateway says ready with its token, or None."""
    for pod in pods(cluster, namespace, selector):
        if pod["status"].get("phase") != "Running":
            continue
        name = pod["metadata"]["name"]
        container = pod["spec"]["containers"][0]["name"]
        if kubectl(cluster, "exec", "-n", namespace, name, "-c", container, "--",
                   "sh", "-c", READY).returncode == 0:
            return name
    return None


def sums(cluster, namespace, pod, container, top, dirs):
    """{path below ``top``: sha256} of every regular file in ``dirs`` of the pod."""
    proc = kubectl(cluster, "exec", "-n", namespace, pod, "-c", container, "--", "sh", "-c",
                   "cd %s && find %s -type f -exec sha256sum {} +" % (top, " ".join(dirs)),
                   timeout=300)
    assert proc.returncode == 0, proc.stderr
    found = {}
    for line in proc.stdout.splitlines():
        digest, path = line.split(None, 1)
        found[os.path.normpath(path)] = digest
    return found


@pytest.fixture(scope="module")
def handmade(tmp_path_factory, cluster):
    base = tmp_path_factory.mktemp("import-k8s")
    slug = "ik%d" % (os.getpid() % 1000)
    namespace = "%s-handmade" % slug
    token = secrets.token_hex(24)
    kubeconfig = cluster["kubeconfig"]
    loaded = subprocess.run(["bash", CLUSTER, "import-image", IMAGE], capture_output=True,
                            text=True, timeout=900, check=False)
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    applied = kubectl(cluster, "apply", "-f", "-",
                      stdin="\n---\n".join(yaml.safe_dump(o) for o in manifest(namespace, token)))
    assert applied.returncode == 0, applied.stderr
    pod = wait_until("the hand-made gateway answers (its log: kubectl logs -n %s "
                     "deploy/openclaw)" % namespace,
                     lambda: ready_pod(cluster, namespace, "app=openclaw"), deadline=600,
                     every=5)
    # what people keep on the claim: notes in the workspaces, a conversation
    wrote = kubectl(cluster, "exec", "-n", namespace, pod, "-c", "openclaw", "--", "sh", "-c",
                    "cd /home/node/.openclaw && mkdir -p workspace workspace-research "
                    "agents/main/sessions && printf '# Notes kept by hand\\n' > workspace/NOTES.md"
                    " && printf 'ask before deleting\\n' > 'workspace-research/run book.md'"
                    " && printf '{\"role\":\"user\",\"text\":\"hello\"}\\n' > "
                    "agents/main/sessions/s-1.jsonl")
    assert wrote.returncode == 0, wrote.stderr
    secrets_dir = base / "secrets"
    fleet_dir, inventory, identity = import_fleet(base, """
            schema_version: 1
            org: {org_id: import-k8s-01, org_slug: %s, display_name: Import K8s}
            defaults:
              image: {version: "2026.9.6"}
            targets:
              k8s_clusters:
                lab: {volume_permissions: true, state_root: %s}
            secrets: {file_dirs: [%s]}
            policy:
              providers: {allow: [anthropic]}
            """ % (slug, base / "controller", secrets_dir))
    info = {"base": str(base), "namespace": namespace, "token": token, "slug": slug,
            "fleet": fleet_dir, "inventory": inventory, "secrets": str(secrets_dir),
            "identity": identity, "kubeconfig": kubeconfig, "outputs": []}
    yield info
    # everything of both is in the namespace (the gateway has no cluster role): removal
    # with its archive is test_k8s's business
    kubectl(cluster, "delete", "namespace", namespace, "--ignore-not-found", "--wait=false")


def import_run(info, *args, inventory=False):
    argv = (["-i", info["inventory"]] if inventory else []) + [
        "playbooks/import.yml", "-e", "import_fleet_dir=%s" % info["fleet"],
        "-e", "import_cluster=lab", "-e", "import_namespace=%s" % info["namespace"],
        "-e", "import_deployment=openclaw", "-e", "import_gateway=research",
        "-e", "import_profile=usecase", "-e", "import_trust_level=high",
        "-e", json.dumps({"gateway_k8s_image_load": "%s import-image {image}" % CLUSTER}),
        "-e", "clawops_events_log=%s" % os.path.join(info["base"], "audit.jsonl")] + list(args)
    proc = run_cli("ansible-playbook", argv, timeout=1500,
                   CLAWOPS_IDENTITY_FILE=info["identity"], KUBECONFIG=info["kubeconfig"])
    info["outputs"].append(proc.stdout + proc.stderr)
    return proc


def no_secret_anywhere(info, *texts):
    for value in (info["token"], API_KEY, DB_PASSWORD):
        for base, dummy, names in os.walk(info["fleet"]):
            for name in names:
                with open(os.path.join(base, name), encoding="utf-8") as handle:
                    assert value not in handle.read(), os.path.join(base, name)
        for text in list(texts) + info["outputs"]:
            assert value not in text


def test_import_adopts_the_claim_labels_and_secrets(handmade):
    dry = import_run(handmade, "--check", "--diff")
    assert dry.returncode == 0, dry.stdout[-5000:]
    assert not os.path.exists(os.path.join(handmade["fleet"], "gateways", "research.yml"))
    assert "+id: research" in dry.stdout
    done = import_run(handmade)
    assert done.returncode == 0, done.stdout[-5000:]
    with open(os.path.join(handmade["fleet"], "gateways", "research.yml")) as handle:
        gateway = yaml.safe_load(handle)
    provider = gateway["provider"]
    assert provider["namespace"] == handmade["namespace"]
    assert provider["adopt"] == {"pvc": "openclaw-data", "labels": {"app": "openclaw"}}
    assert provider["secret_env"] == {
        "ANTHROPIC_API_KEY": {"name": "openclaw-vault-secrets", "key": "anthropic-api-key"},
        "OPENCLAW_DB_PASSWORD": {"name": "openclaw-vault-secrets", "key": "db-password"}}
    assert gateway["exposure"] == "lan"
    # the running gateway listed its agents
    assert {a["id"]: a.get("workspace") for a in gateway["agents"]} == {
        "main": "workspace", "research": "workspace-research"}
    assert "moved to workspaces/workspace-research at takeover" in done.stdout
    token_file = gateway["auth"]["token"]["path"]
    assert token_file.startswith(handmade["secrets"])
    assert open(token_file).read().strip() == handmade["token"]
    assert oct(os.stat(token_file).st_mode & 0o777) == "0o600"
    no_secret_anywhere(handmade)
    again = import_run(handmade)
    assert again.returncode == 0 and changed(again).get("localhost") == 0, again.stdout[-3000:]


def scratch(rel):
    """OpenClaw's per-process scratch in its state dir (locks, plugin captures): the next
    start of a gateway clears it, whoever deploys it."""
    return rel.startswith("tmp/")


def _state_sums(cluster, info):
    pod = ready_pod(cluster, info["namespace"], "app=openclaw")
    assert pod
    return sums(cluster, info["namespace"], pod, "openclaw", "/home/node/.openclaw", ["."])


def test_a_takeover_whose_gate_fails_puts_the_hand_made_gateway_back(handmade, cluster):
    before = _state_sums(cluster, handmade)
    # the gate fails after the gateway started: a model backend it must reach does not answer
    # (a gateway killed during its startup migrations would hold OpenClaw's migration lease
    # for 5 minutes: docs/import.md)
    nowhere = {"health_gate_backend_deadline": 5, "health_gate_backends": [
        {"id": "nowhere", "url": "http://127.0.0.1:9/v1", "models": ["m"], "key_env": ""}]}
    failed = import_run(handmade, "-e", "import_action=takeover", "-e", json.dumps(nowhere),
                        inventory=True)
    assert failed.returncode != 0
    assert "The hand-made Deployment runs again" in failed.stdout, failed.stdout[-6000:]
    # it got as far as the gate: the directories were moved and the Deployment applied
    assert re.search(r'failed at "Gate[^"]*": health gate failed for \S+ at Wait for its '
                     r'model backends', failed.stdout), failed.stdout[-6000:]
    assert "Move the directories back" in failed.stdout
    ns = handmade["namespace"]
    assert kubectl(cluster, "get", "deployment", "-n", ns,
                   "%s-research" % handmade["slug"]).returncode != 0
    wait_until("the hand-made gateway answers again",
               lambda: ready_pod(cluster, ns, "app=openclaw"), deadline=600, every=5)
    after = _state_sums(cluster, handmade)
    lost = sorted(rel for rel in set(before) - set(after) if not scratch(rel))
    assert not lost, lost
    for rel in ("workspace/NOTES.md", "workspace-research/run book.md",
                "agents/main/sessions/s-1.jsonl"):
        assert after[rel] == before[rel], rel


def _moved(rel):
    top = rel.split("/", 1)[0]
    if top in ("workspace", "workspace-research"):
        return "workspaces/" + rel
    if top == ".clawops-parked":  # what the failed takeover's gateway left: stays put
        return rel
    return ".openclaw/" + rel


def test_takeover_keeps_every_file_the_token_the_agents_and_the_service(handmade, cluster):
    ns = handmade["namespace"]
    before = _state_sums(cluster, handmade)
    taken = import_run(handmade, "-e", "import_action=takeover", inventory=True)
    assert taken.returncode == 0, taken.stdout[-6000:]
    old = json.loads(kubectl(cluster, "get", "deployment", "-n", ns, "openclaw", "-o",
                             "json").stdout)
    assert old["spec"]["replicas"] == 0  # kept, scaled down
    instance = "%s-research" % handmade["slug"]
    pod = ready_pod(cluster, ns, "app.kubernetes.io/instance=%s" % instance)
    assert pod, "the collection's gateway does not answer with the hand-made token"
    listed = kubectl(cluster, "exec", "-n", ns, pod, "-c", "gateway", "--",
                     "/usr/local/bin/openclaw", "agents", "list", "--json", timeout=300)
    assert sorted(a["id"] for a in json.loads(listed.stdout)) == ["main", "research"]
    # the hand-made Service selects the new pod (it carries the adopted labels)
    endpoints = json.loads(kubectl(cluster, "get", "endpoints", "-n", ns, "openclaw", "-o",
                                   "json").stdout)
    ips = [a["ip"] for s in endpoints.get("subsets") or [] for a in s.get("addresses") or []]
    pod_ip = json.loads(kubectl(cluster, "get", "pod", "-n", ns, pod, "-o", "json").stdout)[
        "status"]["podIP"]
    assert ips == [pod_ip], endpoints
    after = sums(cluster, ns, pod, "gateway", "/home/node", ["."])  # the whole claim
    lost = sorted(rel for rel in before if _moved(rel) not in after and not scratch(rel))
    assert not lost, lost
    for rel in ("workspace/NOTES.md", "workspace-research/run book.md",
                "agents/main/sessions/s-1.jsonl"):
        assert after[_moved(rel)] == before[rel], rel
    # the first deploy after the takeover changes nothing
    site = run_cli("ansible-playbook", [
        "-i", handmade["inventory"], "playbooks/site.yml", "-e",
        json.dumps({"gateway_k8s_image_load": "%s import-image {image}" % CLUSTER})],
        timeout=1500, CLAWOPS_IDENTITY_FILE=handmade["identity"],
        KUBECONFIG=handmade["kubeconfig"])
    assert site.returncode == 0, site.stdout[-4000:]
    assert changed(site).get("research") == 0, site.stdout[-4000:]
    with open(os.path.join(handmade["base"], "audit.jsonl")) as handle:
        steps = [json.loads(line).get("details", {}).get("step") for line in handle]
    assert "imported" in steps and "taken over" in steps
    no_secret_anywhere(handmade, site.stdout)
