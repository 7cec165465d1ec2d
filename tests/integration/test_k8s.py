# -*- coding: utf-8 -*-
"""The Kubernetes provider against a real cluster (tests/k8s/cluster.sh: Kubernetes built from
the Go module proxy, containerd, CNI, CoreDNS, kube-router enforcing NetworkPolicies) and the
real gateway image built from npm.

One module-scoped copy of the demo fleet (examples/fleet) under its own org slug, its K8s
gateway gw-research deployed once: its Slack tokens come from a real OpenBao server, its
gateway token from a file. Tests run in order: check mode on a new fleet, deploy, the
idempotency quad, a change (exposure lan with an allowed namespace) shown then applied, the
NetworkPolicy against pods of two other namespaces, stop/start/restart, a canary update with a
broken image rolled back with the state volume intact, a restore, a hot change that keeps the
pod and a refused one put back, a restart-path change that replaces it, an agent added then removed
(agent.yml: its workspace archived from the volume), a node host paired (pairing.yml), and
removal with an archive.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.request

import pytest
import yaml

from ansible_collections.clawops.orchestrator.plugins.module_utils import _metrics
from conftest import COLLECTIONS, EXAMPLE_FLEET
from helpers import (CLUSTER, DOCTOR, ansible_env, build_image, changed, free_port, kubectl,
                     put, run_cli, gate_ran, start_process)

pytestmark = pytest.mark.real
GW = "gw-research"
BROKEN_78 = (
    "FROM %s\nUSER root\n"
    "RUN printf '#!/bin/sh\\nif [ \"$1\" = gateway ]; then echo \"state migration unsafe\" >&2;"
    " exit 78; fi\\nexec /usr/local/bin/openclaw \"$@\"\\n' > /usr/local/bin/oc-78"
    " && chmod 755 /usr/local/bin/oc-78\nUSER 65532\n"
    "ENTRYPOINT [\"/usr/bin/tini\", \"--\", \"/usr/local/bin/oc-78\"]\n"
    "CMD [\"gateway\", \"run\"]\n")


def kget(cluster, *args):
    proc = kubectl(cluster, "get", "-o", "json", *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory, cluster, bao):
    base = tmp_path_factory.mktemp("k8s")
    slug = "k8s%d" % (os.getpid() % 1000)
    fleet_dir = base / "fleet"
    shutil.copytree(EXAMPLE_FLEET, fleet_dir)
    secrets_dir = base / "secrets"
    secrets_dir.mkdir(mode=0o700)
    token = secrets.token_hex(24)
    (secrets_dir / ("%s.token" % GW)).write_text(token)
    text = (fleet_dir / "fleet.yml").read_text()
    text = text.replace("org_slug: acme", "org_slug: %s" % slug)
    text = text.replace('path: "~/.clawops/secrets/@{org.org_slug}/@{gateway.id}.token"',
                        'path: "%s/@{gateway.id}.token"' % secrets_dir)
    text = text.replace('file_dirs: ["~/.clawops/secrets/acme"]',
                        'file_dirs: ["~/.clawops/secrets/acme", "%s"]' % secrets_dir)
    text = text.replace("      storage_size: 2Gi\n",
                        "      storage_size: 2Gi\n      state_root: %s/controller\n" % base)
    assert "state_root" in text and slug in text and text.count(str(secrets_dir)) == 2
    (fleet_dir / "fleet.yml").write_text(text)
    # the demo's level warn hides the gateway's reload verdicts (every change restarts);
    # info lets this module prove a hot change
    gateway_file = fleet_dir / "gateways" / ("%s.yml" % GW)
    gateway_text = gateway_file.read_text()
    assert "      level: warn\n" in gateway_text
    gateway_file.write_text(gateway_text.replace("      level: warn\n", "      level: info\n"))
    put(bao, "acme/slack/research", {"bot_token": "xoxb-" + secrets.token_hex(8),
                                     "app_token": "xapp-" + secrets.token_hex(8)})
    inventory = base / "fleet.clawops.yml"
    # the audit trail from the inventory source (an extra var may not choose it)
    inventory.write_text("plugin: clawops.orchestrator.fleet\nfleet_dir: %s\ncompose:\n"
                         "  clawops_events_log: \"'%s'\"\n" % (fleet_dir, base / "audit.jsonl"))
    namespace = "%s-gateways" % slug
    state = {"dir": str(fleet_dir), "inventory": str(inventory), "slug": slug, "token": token,
             "namespace": namespace, "instance": "%s-%s" % (slug, GW), "base": str(base),
             "controller": str(base / "controller" / slug / GW), "bao": bao,
             "events": str(base / "audit.jsonl")}
    yield state
    # the last test removes the gateway; a playbook run over nothing took 300 s in CI, so
    # only a gateway a failed test left behind is removed here
    if kubectl(cluster, "get", "deployment", "-n", namespace, state["instance"]).returncode == 0:
        play(state, "playbooks/lifecycle.yml", "-e", "action=absent")
    kubectl(cluster, "delete", "namespace", namespace, "np-allowed-" + slug, "np-other-" + slug,
            "--ignore-not-found", "--wait=false")


def play(fleet, playbook, *args, timeout=1500):
    return run_cli("ansible-playbook", [
        "-i", fleet["inventory"], playbook, "--limit", GW,
        "-e", json.dumps({"gateway_k8s_image_load": "%s import-image {image}" % CLUSTER})]
        + list(args), timeout=timeout,
        KUBECONFIG=subprocess.run(["bash", CLUSTER, "env"], capture_output=True, text=True,
                                  check=True).stdout.strip().split("=", 1)[1],
        VAULT_ADDR=fleet["bao"]["url"], VAULT_TOKEN=fleet["bao"]["token"])


def changed_tasks(proc):
    """The tasks a run reported changed (for the message of a failed idempotency check)."""
    found, task = [], None
    for line in proc.stdout.splitlines():
        if line.startswith("TASK ["):
            task = line
        elif line.startswith("changed:"):
            found.append("%s %s" % (task, line))
    return found


def gateway_pods(cluster, fleet):
    found = kget(cluster, "pods", "-n", fleet["namespace"], "-l",
                 "app.kubernetes.io/instance=%s" % fleet["instance"])["items"]
    return [p for p in found if not p["metadata"].get("deletionTimestamp")]


def in_gateway(cluster, fleet, *argv):
    pods = gateway_pods(cluster, fleet)
    assert len(pods) == 1, [p["metadata"]["name"] for p in pods]
    return kubectl(cluster, "exec", "-n", fleet["namespace"], pods[0]["metadata"]["name"],
                   "-c", "gateway", "--", *argv)


def verified_archive(directory, marker):
    """The one tar.gz in directory whose name holds marker, its .sha256 sidecar checked."""
    archives = [n for n in os.listdir(directory) if marker in n and n.endswith(".tar.gz")]
    assert len(archives) == 1, os.listdir(directory)
    path = os.path.join(directory, archives[0])
    with open(path, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    with open(path + ".sha256", encoding="utf-8") as handle:
        assert handle.read().split()[0] == digest
    return tarfile.open(path)


def live_agents(cluster, fleet):
    proc = in_gateway(cluster, fleet, "/usr/local/bin/openclaw", "agents", "list", "--json")
    assert proc.returncode == 0, proc.stderr
    return sorted(a["id"] for a in json.loads(proc.stdout[proc.stdout.find("["):]))


def probe(cluster, fleet, path, token=None):
    script = ('fetch("http://127.0.0.1:18789%s",{headers:%s}).then(r=>r.text())'
              '.then(t=>console.log(t),e=>{console.log(String(e));process.exit(2)})'
              % (path, json.dumps({"authorization": "Bearer " + token} if token else {})))
    proc = in_gateway(cluster, fleet, "node", "-e", script)
    return json.loads(proc.stdout)


def revisions(fleet):
    found = []
    directory = os.path.join(fleet["controller"], "revisions")
    for rev in sorted(os.listdir(directory)):
        with open(os.path.join(directory, rev, "revision.json"), encoding="utf-8") as handle:
            data = json.load(handle)
        found.append((data["id"], data["status"], data["image"]["ref"]))
    return found


def status(fleet, tmp_path):
    out = tmp_path / "status.json"
    proc = play(fleet, "playbooks/status.yml", "-e", "clawops_status_json=%s" % out)
    assert proc.returncode == 0, proc.stdout[-3000:]
    return json.loads(out.read_text())[0]


@pytest.fixture(scope="module")
def deployed(fleet, cluster):
    check = play(fleet, "playbooks/site.yml", "--check", "--diff")
    namespaces = [n["metadata"]["name"] for n in kget(cluster, "namespaces")["items"]]
    controller_after_check = os.path.exists(fleet["controller"])
    applied = play(fleet, "playbooks/site.yml")
    assert applied.returncode == 0, applied.stdout[-5000:] + applied.stderr[-2000:]
    return {"check": check, "namespaces_after_check": namespaces, "apply": applied,
            "controller_after_check": controller_after_check}


def test_check_mode_on_a_new_fleet_creates_nothing(fleet, deployed):
    check = deployed["check"]
    assert check.returncode == 0, check.stdout[-4000:]
    assert changed(check)[GW] > 0
    assert "does not exist yet: a run would create it" in check.stdout
    assert fleet["namespace"] not in deployed["namespaces_after_check"]
    assert deployed["controller_after_check"] is False  # no file written on the controller


def test_the_demo_k8s_gateway_is_ready(fleet, cluster, deployed):
    pods = gateway_pods(cluster, fleet)
    assert len(pods) == 1 and pods[0]["status"]["phase"] == "Running"
    ready = probe(cluster, fleet, "/readyz", fleet["token"])
    assert ready["ready"] is True and ready["failing"] == [], ready
    assert probe(cluster, fleet, "/healthz") == {"ok": True, "status": "live"}
    # the pod is hardened as declared
    spec = pods[0]["spec"]
    gateway = [c for c in spec["containers"] if c["name"] == "gateway"][0]
    assert spec["securityContext"]["fsGroup"] == 65532
    assert gateway["securityContext"] == {"allowPrivilegeEscalation": False,
                                          "readOnlyRootFilesystem": True,
                                          "capabilities": {"drop": ["ALL"]},
                                          "runAsNonRoot": True}
    assert gateway["resources"]["limits"]["memory"] == "2Gi"
    assert gateway["resources"]["requests"]["memory"] == "512Mi"
    assert {"name": "OPENCLAW_CONFIG_READONLY", "value": "1"} in gateway["env"]
    assert {"name": "NODE_OPTIONS", "value": "--max-old-space-size=1536"} in gateway["env"]
    config = [m for m in gateway["volumeMounts"] if m["name"] == "config"][0]
    assert config["readOnly"] is True
    assert in_gateway(cluster, fleet, "id", "-u").stdout.strip() == "65532"
    assert in_gateway(cluster, fleet, "touch", "/etc/openclaw/x").returncode != 0
    # the official Slack plugin was installed into the state volume by the init container
    assert in_gateway(cluster, fleet, "sh", "-c", "ls /home/node/.openclaw/npm/projects/*/"
                      "node_modules/@openclaw/slack/package.json").returncode == 0
    # the first revision is recorded, active
    assert [r[:2] for r in revisions(fleet)] == [("r0001", "active")]


def test_status_reports_running_with_live_agents(fleet, deployed, tmp_path):
    found = status(fleet, tmp_path)
    assert found["state"] == "running", found
    assert found["agents"]["agents_live"] == ["reporting", "research"]
    assert found["agents"]["drift"] is False and found["agents"]["live_available"] is True
    assert found["memory"]["limit_bytes"] == 2 * 1024 ** 3 and found["memory"]["used_bytes"] > 0
    assert found["url"] == "http://%s.%s.svc:18789/" % (fleet["instance"], fleet["namespace"])


def test_secrets_live_only_in_the_secret(fleet, cluster, deployed):
    secret = kget(cluster, "secret", "-n", fleet["namespace"], fleet["instance"] + "-env")
    assert sorted(secret["data"]) == ["CLAWOPS_SLACK_RESEARCH_SLACK_APP_TOKEN",
                                      "CLAWOPS_SLACK_RESEARCH_SLACK_BOT_TOKEN",
                                      "OPENCLAW_GATEWAY_TOKEN"]
    out = deployed["apply"].stdout + deployed["check"].stdout
    assert fleet["token"] not in out
    for root, dummy, files in os.walk(fleet["controller"]):
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                assert fleet["token"].encode() not in handle.read(), name
    config_map = kget(cluster, "configmap", "-n", fleet["namespace"], fleet["instance"] + "-config")
    assert fleet["token"] not in json.dumps(config_map)


def test_every_object_is_accepted_without_warnings(fleet, cluster, deployed):
    manifests = os.path.join(fleet["controller"], "manifests.yml")
    kinds = [d["kind"] for d in yaml.safe_load_all(open(manifests, encoding="utf-8"))]
    assert kinds == ["Namespace", "NetworkPolicy", "ServiceAccount", "ConfigMap", "ConfigMap",
                     "ConfigMap", "PersistentVolumeClaim", "Service", "NetworkPolicy",
                     "Deployment"]
    proc = kubectl(cluster, "apply", "--server-side", "--dry-run=server", "--field-manager",
                   "clawops", "--force-conflicts", "-f", manifests)
    assert proc.returncode == 0, proc.stderr
    assert "Warning" not in proc.stderr and "deprecated" not in proc.stderr.lower(), proc.stderr
    assert "[WARNING]" not in deployed["apply"].stdout, re.findall(
        r"\[WARNING\].*", deployed["apply"].stdout)


def test_second_check_and_apply_change_nothing(fleet, deployed):
    check = play(fleet, "playbooks/site.yml", "--check", "--diff")
    assert check.returncode == 0 and changed(check)[GW] == 0, changed_tasks(check)
    applied = play(fleet, "playbooks/site.yml")
    assert applied.returncode == 0 and changed(applied)[GW] == 0, changed_tasks(applied)
    # the gate probes the pod; doctor only lints a pod the run replaced
    assert gate_ran(applied, "/readyz") == {GW: True}
    assert gate_ran(applied, DOCTOR) == {GW: False}


EXPOSED_GATEWAY = "    gateway: {trustedProxies: [10.244.0.0/16]}\n"


def _expose(fleet):
    path = os.path.join(fleet["dir"], "gateways", "%s.yml" % GW)
    text = open(path, encoding="utf-8").read()
    text = text.replace("port: 18789\n", "port: 18789\nexposure: lan\n", 1)
    # exposed over plain HTTP only behind a TLS-terminating proxy (preflight
    # exposure.plaintext); trustedProxies is a hot path too
    assert "  overrides:\n    logging:\n" in text
    text = text.replace("  overrides:\n    logging:\n", "  overrides:\n" + EXPOSED_GATEWAY
                        + "    logging:\n", 1)
    text = text.replace("  cluster: lab\n", "  cluster: lab\n  network:\n"
                        "    ingress_namespaces: [np-allowed-%s]\n" % fleet["slug"], 1)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


@pytest.fixture(scope="module")
def exposed(fleet, cluster, deployed):
    before = kget(cluster, "networkpolicy", "-n", fleet["namespace"], fleet["instance"])
    pod_before = _pod_uid(cluster, fleet)
    _expose(fleet)
    check = play(fleet, "playbooks/site.yml", "--check", "--diff")
    after_check = kget(cluster, "networkpolicy", "-n", fleet["namespace"], fleet["instance"])
    applied = play(fleet, "playbooks/site.yml")
    return {"check": check, "applied": applied, "before": before, "after_check": after_check,
            "pod_before": pod_before}


def test_a_change_is_shown_by_a_dry_run_then_applied(fleet, cluster, exposed):
    check = exposed["check"]
    assert check.returncode == 0 and changed(check)[GW] > 0, check.stdout[-4000:]
    assert "np-allowed-%s" % fleet["slug"] in check.stdout  # the NetworkPolicy diff
    assert '"autoApproveLocal": false' in check.stdout       # the openclaw.json diff
    assert exposed["after_check"]["spec"] == exposed["before"]["spec"]
    assert "ingress" not in exposed["before"]["spec"]          # loopback: nothing may connect in
    applied = exposed["applied"]
    assert applied.returncode == 0, applied.stdout[-4000:]
    # the NetworkPolicy is no part of the pod and nodes.pairing is a hot path: the running
    # gateway takes the config, the pod stays (no doctor)
    assert "hot-apply, no restart" in applied.stdout, applied.stdout[-4000:]
    assert gate_ran(applied, DOCTOR) == {GW: False}
    assert exposed["pod_before"] == _pod_uid(cluster, fleet)
    policy = kget(cluster, "networkpolicy", "-n", fleet["namespace"], fleet["instance"])["spec"]
    assert policy["ingress"] == [{"from": [{"namespaceSelector": {"matchExpressions": [{
        "key": "kubernetes.io/metadata.name", "operator": "In",
        "values": ["np-allowed-%s" % fleet["slug"]]}]}}],
        "ports": [{"port": 18789, "protocol": "TCP"}]}]
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    deny = kget(cluster, "networkpolicy", "-n", fleet["namespace"], "clawops-default-deny")
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    assert [r[:2] for r in revisions(fleet)] == [("r0001", "superseded"), ("r0002", "active")]


def _client_pod(cluster, namespace, image_ref):
    kubectl(cluster, "create", "namespace", namespace)
    manifest = {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "client", "namespace": namespace},
        "spec": {"restartPolicy": "Never", "securityContext": {
            "runAsUser": 65532, "runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "client", "image": image_ref, "imagePullPolicy": "IfNotPresent",
                            "command": ["sleep", "infinity"],
                            "securityContext": {"allowPrivilegeEscalation": False,
                                                "capabilities": {"drop": ["ALL"]}}}]}}
    proc = kubectl(cluster, "apply", "-f", "-", stdin=json.dumps(manifest))
    assert proc.returncode == 0, proc.stderr
    proc = kubectl(cluster, "wait", "-n", namespace, "--for=condition=Ready", "pod/client",
                   "--timeout=120s", timeout=150)
    assert proc.returncode == 0, proc.stderr


def _reach(cluster, namespace, url):
    script = ('fetch("%s",{signal:AbortSignal.timeout(8000)}).then(r=>r.text())'
              '.then(t=>console.log(t),e=>{console.log("FAILED "+String(e.cause||e));'
              'process.exit(3)})' % url)
    return kubectl(cluster, "exec", "-n", namespace, "client", "--", "node", "-e", script)


def test_network_policy_admits_only_the_allowed_namespace(fleet, cluster, exposed):
    gateway_image = gateway_pods(cluster, fleet)[0]["spec"]["containers"][0]["image"]
    allowed, other = "np-allowed-" + fleet["slug"], "np-other-" + fleet["slug"]
    for namespace in (allowed, other):
        _client_pod(cluster, namespace, gateway_image)
    url = "http://%s.%s.svc.cluster.local:18789/healthz" % (fleet["instance"], fleet["namespace"])
    admitted = _reach(cluster, allowed, url)
    assert admitted.returncode == 0 and json.loads(admitted.stdout) == {
        "ok": True, "status": "live"}, admitted.stdout + admitted.stderr
    refused = _reach(cluster, other, url)
    assert refused.returncode == 3 and "FAILED" in refused.stdout, refused.stdout
    # the same pod reaches the gateway by pod IP neither: the policy is on the pod, not the Service
    pod_ip = gateway_pods(cluster, fleet)[0]["status"]["podIP"]
    refused = _reach(cluster, other, "http://%s:18789/healthz" % pod_ip)
    assert refused.returncode == 3, refused.stdout


def test_stop_then_restart(fleet, cluster, exposed, tmp_path):
    # `started` is the deploy (site.yml above); `restarted` from stopped scales back up and
    # replaces the pod: one gateway start for both paths
    first = gateway_pods(cluster, fleet)[0]["metadata"]["name"]
    stopped = play(fleet, "playbooks/lifecycle.yml", "-e", "action=stopped")
    assert stopped.returncode == 0, stopped.stdout[-3000:]
    assert gateway_pods(cluster, fleet) == []
    assert status(fleet, tmp_path)["state"] == "stopped"
    restarted = play(fleet, "playbooks/lifecycle.yml", "-e", "action=restarted")
    assert restarted.returncode == 0, restarted.stdout[-3000:]
    pods = gateway_pods(cluster, fleet)
    assert len(pods) == 1 and pods[0]["metadata"]["name"] != first
    assert status(fleet, tmp_path)["state"] == "running"
    # a restart changes nothing the next deploy would undo
    again = play(fleet, "playbooks/site.yml")
    assert again.returncode == 0 and changed(again)[GW] == 0, changed_tasks(again)


def _volume_sums(cluster, fleet):
    """sha256 of the seeded and planted workspace files in the state volume."""
    proc = in_gateway(cluster, fleet, "sh", "-c", "cd /home/node/workspaces && "
                      "find . -type f | sort | xargs sha256sum")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_a_broken_image_rolls_the_canary_back_and_keeps_the_volume(fleet, cluster, exposed):
    good = gateway_pods(cluster, fleet)[0]["spec"]["containers"][0]["image"]
    in_gateway(cluster, fleet, "sh", "-c", "echo kept > /home/node/workspaces/research/MARKER.md")
    sums = _volume_sums(cluster, fleet)
    pvc_uid = kget(cluster, "pvc", "-n", fleet["namespace"], fleet["instance"] + "-state")[
        "metadata"]["uid"]
    broken = build_image("localhost/clawops/openclaw:it-k8s-exits-78", BROKEN_78 % good)
    before = revisions(fleet)
    proc = play(fleet, "playbooks/update.yml", "-e", "clawops_update_image=%s" % broken,
                "-e", "gateway_rollout_gate_deadline=45")
    assert proc.returncode == 2, proc.stdout[-4000:]
    message = [line for line in proc.stdout.splitlines()
               if "update of %s failed" % fleet["instance"] in line]
    assert message, proc.stdout[-4000:]
    active = [r for r in before if r[1] == "active"][0]
    assert "health gate failed" in message[0] and "rolled back to %s" % active[0] in message[0]
    assert "state migration unsafe" in message[0] and "exit code 78" in message[0], message[0]
    after = revisions(fleet)
    assert after[:-1] == before and after[-1][1:] == ("failed", broken)
    pods = gateway_pods(cluster, fleet)
    assert [p["spec"]["containers"][0]["image"] for p in pods] == [good]
    assert probe(cluster, fleet, "/readyz", fleet["token"])["ready"] is True
    assert _volume_sums(cluster, fleet) == sums
    assert kget(cluster, "pvc", "-n", fleet["namespace"], fleet["instance"] + "-state")[
        "metadata"]["uid"] == pvc_uid
    # the update took a backup before touching the gateway
    backups = [n for n in os.listdir(os.path.join(fleet["controller"], "backups"))
               if n.endswith(".tar.gz")]
    assert len(backups) == 1 and "-update" in backups[0]


def test_restore_puts_the_volume_back(fleet, cluster, exposed):
    sums = _volume_sums(cluster, fleet)
    in_gateway(cluster, fleet, "sh", "-c", "echo changed > /home/node/workspaces/research/MARKER.md"
               " && rm /home/node/workspaces/research/AGENTS.md")
    assert _volume_sums(cluster, fleet) != sums
    proc = play(fleet, "playbooks/restore.yml")
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert _volume_sums(cluster, fleet) == sums
    assert probe(cluster, fleet, "/readyz", fleet["token"])["ready"] is True


def test_a_restore_drill_runs_beside_the_k8s_gateway_and_is_recorded(
        fleet, cluster, exposed, tmp_path):
    """drill.yml on the K8s gateway: its newest backup (on the controller) restored into
    <instance>-drill beside it in its namespace - its own claim, every channel off - gated,
    its agents compared with the restored config's, removed; the gateway's pod untouched; RTO
    and RPO in the audit trail and the exporter's record."""
    assert play(fleet, "playbooks/backup.yml").returncode == 0
    uid = _pod_uid(cluster, fleet)
    obs = str(tmp_path / "observability")
    passed = play(fleet, "playbooks/drill.yml", "-e", "observability_dir=%s" % obs)
    assert passed.returncode == 0, passed.stdout[-5000:]
    assert "Restore drill of %s passed" % GW in passed.stdout
    assert "%s-drill" % fleet["instance"] in passed.stdout
    left = kubectl(cluster, "get", "deployment,service,pvc,configmap,secret,networkpolicy,"
                   "serviceaccount", "-n",
                   fleet["namespace"], "-l", "clawops.dev/drill-of=%s" % fleet["instance"],
                   "-o", "name")
    assert left.returncode == 0 and left.stdout.strip() == "", left.stdout
    assert _pod_uid(cluster, fleet) == uid  # the gateway itself was not touched
    assert not os.path.exists(os.path.join(fleet["controller"], "staging", "drill"))
    with open(fleet["events"], encoding="utf-8") as handle:
        event = [json.loads(line) for line in handle][-1]
    assert (event["action"], event["result"]) == ("drill", "ok"), event
    assert float(event["details"]["rto_s"]) > 0 and float(event["details"]["rpo_s"]) >= 0
    with open(os.path.join(obs, "facts", "drill", "%s.json" % GW), encoding="utf-8") as handle:
        assert json.load(handle)["ok"] is True
    print("drill of the K8s gateway: RTO %s s, RPO %s s" % (
        event["details"]["rto_s"], event["details"]["rpo_s"]))


def _pod_uid(cluster, fleet):
    pods = gateway_pods(cluster, fleet)
    assert len(pods) == 1, [p["metadata"]["name"] for p in pods]
    return pods[0]["metadata"]["uid"]


def _set_level(fleet, level):
    path = os.path.join(fleet["dir"], "gateways", "%s.yml" % GW)
    text = open(path, encoding="utf-8").read()
    text, count = re.subn(r"(logging:\n      level: )\S+", r"\g<1>%s" % level, text)
    assert count == 1
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _deployed_level(cluster, fleet):
    data = kget(cluster, "configmap", "-n", fleet["namespace"], fleet["instance"] + "-config")
    return json.loads(data["data"]["openclaw.json"])["logging"]["level"]


def test_a_hot_change_keeps_the_pod_and_a_refused_one_is_put_back(fleet, cluster, exposed):
    uid = _pod_uid(cluster, fleet)
    _set_level(fleet, "debug")
    check = play(fleet, "playbooks/site.yml", "--check", "--diff")
    assert check.returncode == 0 and "hot-apply, no restart" in check.stdout, check.stdout[-3000:]
    assert _deployed_level(cluster, fleet) == "info"
    applied = play(fleet, "playbooks/site.yml")
    assert applied.returncode == 0, applied.stdout[-4000:]
    assert "hot-apply, no restart" in applied.stdout
    assert gate_ran(applied, DOCTOR) == {GW: False}  # the same pod: no doctor
    assert _pod_uid(cluster, fleet) == uid
    # the running gateway read the new file from its mount and said so in its log
    mounted = in_gateway(cluster, fleet, "cat", "/etc/openclaw/openclaw.json").stdout
    assert json.loads(mounted)["logging"]["level"] == "debug"
    # logging.level is read on next use: the gateway validates the file, says it detected
    # the change and publishes it without a closing line (module_utils/_hot.py)
    said = in_gateway(cluster, fleet, "grep", "-c", "config change detected; evaluating reload "
                      "(logging.level)", "/home/node/logs/openclaw.log")
    assert int(said.stdout.strip() or 0) >= 1, said.stdout + said.stderr

    _set_level(fleet, "loud")  # valid for the fleet schema, refused by OpenClaw
    refused = play(fleet, "playbooks/site.yml")
    assert refused.returncode == 2, refused.stdout[-3000:]
    assert "refused it: config reload skipped (invalid config)" in refused.stdout
    assert _deployed_level(cluster, fleet) == "debug"  # the previous ConfigMap is back
    assert _pod_uid(cluster, fleet) == uid
    assert probe(cluster, fleet, "/readyz", fleet["token"])["ready"] is True
    _set_level(fleet, "debug")  # the definition says again what runs


def test_drift_of_the_k8s_gateway_then_remediate(fleet, cluster, exposed, tmp_path):
    """Issue 21, item 3 on Kubernetes: the ConfigMap edited behind the collection's back shows
    in drift.yml's report (fleet vs ConfigMap vs the running gateway, asked in its pod) and
    remediate puts the fleet's config back - hot, the same pod."""
    uid = _pod_uid(cluster, fleet)
    clean = play(fleet, "playbooks/drift.yml", "-e", "drift_report_dir=%s" % tmp_path)
    assert clean.returncode == 0, clean.stdout[-4000:]
    assert "in sync: fleet, file and running gateway agree" in clean.stdout, clean.stdout[-3000:]
    name = fleet["instance"] + "-config"
    data = kget(cluster, "configmap", "-n", fleet["namespace"], name)
    config = json.loads(data["data"]["openclaw.json"])
    declared_level = config["logging"]["level"]
    # a level that keeps the gateway's reload verdicts in its log: from 'warn' on, the
    # collection cannot see a hot apply taken and replaces the pod instead (by design)
    drifted = "info" if declared_level != "info" else "debug"
    config["logging"]["level"] = drifted
    patched = kubectl(cluster, "patch", "configmap", "-n", fleet["namespace"], name, "--type",
                      "merge", "-p", json.dumps({"data": {"openclaw.json": json.dumps(config)}}))
    assert patched.returncode == 0, patched.stderr
    # the edit reaches the pod's mount at the kubelet's next sync: wait for it (the gateway
    # then runs the drifted file, as it would some time after a real edit)
    deadline = time.time() + 180
    while time.time() < deadline:
        mounted = in_gateway(cluster, fleet, "cat", "/etc/openclaw/openclaw.json").stdout
        if json.loads(mounted or "{}").get("logging", {}).get("level") == drifted:
            break
        time.sleep(5)
    else:
        pytest.fail("the edited ConfigMap did not reach the pod in 180 s")
    seen = play(fleet, "playbooks/drift.yml", "-e", "drift_report_dir=%s" % tmp_path)
    assert seen.returncode == 0, seen.stdout[-4000:]
    with open(os.path.join(str(tmp_path), "%s.json" % GW), encoding="utf-8") as handle:
        report = json.load(handle)
    assert report["declared_vs_persisted"] == [
        {"path": "logging.level", "declared": declared_level, "persisted": drifted}], report
    assert report["runtime"] is not None and report["agents"]["missing"] == [], report
    fixed = play(fleet, "playbooks/drift.yml", "-e", "drift_mode=remediate")
    assert fixed.returncode == 0, fixed.stdout[-5000:]
    assert _deployed_level(cluster, fleet) == declared_level
    assert _pod_uid(cluster, fleet) == uid
    again = play(fleet, "playbooks/drift.yml")
    assert again.returncode == 0 and "in sync" in again.stdout, again.stdout[-3000:]
    # an edit repaired at once, before the kubelet brings it to the pod: the repair compares
    # with what the pod mounts (the fleet's config still), puts the object right and waits
    # for no verdict (it used to time out and put the edit back)
    patched = kubectl(cluster, "patch", "configmap", "-n", fleet["namespace"], name, "--type",
                      "merge", "-p", json.dumps({"data": {"openclaw.json": json.dumps(config)}}))
    assert patched.returncode == 0, patched.stderr
    quick = play(fleet, "playbooks/drift.yml", "-e", "drift_mode=remediate")
    assert quick.returncode == 0, quick.stdout[-5000:]
    assert _deployed_level(cluster, fleet) == declared_level  # the ConfigMap's
    assert _pod_uid(cluster, fleet) == uid


def test_the_exporter_probes_the_k8s_gateway_in_its_pod(fleet, cluster, exposed, tmp_path):
    """Issue 18, metrics of Kubernetes gateways: observability.yml gives the exporter the
    gateway's endpoint (no token file: the pod's own token answers /readyz), and the exporter
    probes it inside its pod through the Kubernetes API."""
    obs = tmp_path / "observability"
    port = free_port()
    setup = play(fleet, "playbooks/observability.yml", "-e", "observability_dir=%s" % obs,
                 "-e", "observability_systemd=false",
                 "-e", "observability_exporter_listen=127.0.0.1:%d" % port)
    assert setup.returncode == 0, setup.stdout[-4000:]
    with open(obs / "exporter.json", encoding="utf-8") as handle:
        entry = json.load(handle)["gateways"][GW]
    assert entry["endpoint"]["namespace"] == fleet["namespace"], entry
    assert entry["token_file"] is None and fleet["token"] not in json.dumps(entry)
    with open(obs / "prometheus" / "clawops-targets.json", encoding="utf-8") as handle:
        assert json.load(handle)[0]["labels"]["provider"] == "k8s"
    kubeconfig = subprocess.run(["bash", CLUSTER, "env"], capture_output=True, text=True,
                                check=True).stdout.strip().split("=", 1)[1]
    exporter = start_process(
        [sys.executable, "-m", "ansible_collections.clawops.orchestrator.plugins.plugin_utils._exporter",
         "--config", str(obs / "exporter.json"), "--listen", "127.0.0.1:%d" % port],
        str(tmp_path / "exporter.log"), "http://127.0.0.1:%d/-/healthy" % port,
        env=ansible_env(PYTHONPATH=COLLECTIONS, KUBECONFIG=kubeconfig))
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/probe?gateway=%s" % (port, GW),
                                    timeout=60) as answer:
            text = answer.read().decode("utf-8")
    finally:
        exporter.terminate()
        exporter.wait(timeout=30)
    values = _metrics.parse(text)
    assert values[("clawops_gateway_up", frozenset())] == 1.0, text
    assert values[("clawops_gateway_ready", frozenset())] == 1.0, text
    assert fleet["token"] not in text


def test_a_restart_path_change_replaces_the_pod(fleet, cluster, exposed):
    uid = _pod_uid(cluster, fleet)
    path = os.path.join(fleet["dir"], "gateways", "%s.yml" % GW)
    text = open(path, encoding="utf-8").read()
    # one `gateway` key: the exposure's trusted proxy and the restart path
    assert EXPOSED_GATEWAY in text
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text.replace(EXPOSED_GATEWAY, "    gateway: {trustedProxies: "
                                  "[10.244.0.0/16], controlUi: {basePath: /ui}}\n", 1))
    applied = play(fleet, "playbooks/site.yml")
    assert applied.returncode == 0, applied.stdout[-4000:]
    assert "restart for gateway.controlUi.basePath" in applied.stdout, applied.stdout[-4000:]
    assert gate_ran(applied, DOCTOR) == {GW: True}  # a new pod: doctor lints it
    assert _pod_uid(cluster, fleet) != uid
    mounted = in_gateway(cluster, fleet, "cat", "/etc/openclaw/openclaw.json").stdout
    assert json.loads(mounted)["gateway"]["controlUi"]["basePath"] == "/ui"
    assert probe(cluster, fleet, "/readyz", fleet["token"])["ready"] is True


def test_an_agent_is_added_then_removed_with_its_workspace_archived(fleet, cluster, exposed,
                                                                    tmp_path):
    request = tmp_path / "scout.yml"
    request.write_text("agent: {kind: usecase, name: Scout}\n")
    args = ("-e", "gateway=%s" % GW, "-e", "agent_id=scout")
    pod_before = _pod_uid(cluster, fleet)
    added = play(fleet, "playbooks/agent.yml", *args, "-e", "@%s" % request)
    assert added.returncode == 0, added.stdout[-4000:]
    # hot: the pod stays; its seeds ConfigMap brought the new workspace, seeded by exec
    assert "hot-apply, no restart" in added.stdout, added.stdout[-4000:]
    assert _pod_uid(cluster, fleet) == pod_before
    assert live_agents(cluster, fleet) == ["reporting", "research", "scout"]
    assert in_gateway(cluster, fleet, "test", "-f",
                      "/home/node/workspaces/scout/AGENTS.md").returncode == 0
    in_gateway(cluster, fleet, "sh", "-c", "echo notes > /home/node/workspaces/scout/NOTES.md")
    again = play(fleet, "playbooks/agent.yml", *args, "-e", "@%s" % request)
    assert again.returncode == 0 and changed(again)[GW] == 0, changed_tasks(again)

    removed = play(fleet, "playbooks/agent.yml", *args, "-e", "agent_state=absent")
    assert removed.returncode == 0, removed.stdout[-4000:]
    assert _pod_uid(cluster, fleet) == pod_before
    assert live_agents(cluster, fleet) == ["reporting", "research"]
    assert in_gateway(cluster, fleet, "test", "-e", "/home/node/workspaces/scout").returncode != 0
    assert in_gateway(cluster, fleet, "test", "-e",
                      "/home/node/.openclaw/agents/scout").returncode != 0
    with verified_archive(os.path.join(fleet["controller"], "backups"), "-agent-scout-") as tar:
        notes = [n for n in tar.getnames() if n.endswith("/NOTES.md")]
        assert len(notes) == 1 and tar.extractfile(notes[0]).read() == b"notes\n"
    assert not os.path.exists(os.path.join(fleet["controller"], "staging", "agent-scout"))
    again = play(fleet, "playbooks/agent.yml", *args, "-e", "agent_state=absent")
    assert again.returncode == 0 and changed(again)[GW] == 0, changed_tasks(again)
    assert "scout" not in open(os.path.join(fleet["dir"], "gateways", "%s.yml" % GW),
                               encoding="utf-8").read()


NODE_HOME = "/tmp/it-node"


def _node_log(cluster, fleet):
    return in_gateway(cluster, fleet, "sh", "-c", "cat %s/node.log 2>/dev/null" % NODE_HOME).stdout


def _devices(cluster, fleet):
    proc = in_gateway(cluster, fleet, "/usr/local/bin/openclaw", "devices", "list", "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout[proc.stdout.find("{"):])


def test_pairing_a_node_host_of_the_k8s_gateway(fleet, cluster, exposed):
    # a real node host in the gateway's pod (its own HOME and state) asks to pair over
    # loopback; the exposed gateway does not auto-approve it: pairing.yml lists and approves
    started = in_gateway(cluster, fleet, "sh", "-c", (
        "mkdir -p {home}; cd {home} || exit 1; env -u OPENCLAW_CONFIG_PATH -u OPENCLAW_CONFIG_READONLY "
        "HOME={home} OPENCLAW_STATE_DIR={home}/state OPENCLAW_NO_AUTO_UPDATE=1 "
        "nohup /usr/local/bin/openclaw node run --host 127.0.0.1 --port 18789 "
        "--display-name it-k8s-node > node.log 2>&1 < /dev/null & echo $! > {home}/pid"
    ).format(home=NODE_HOME))
    assert started.returncode == 0, started.stderr
    try:
        request = None
        for dummy in range(45):
            found = re.findall(r"requestId: ([0-9a-f-]{36})", _node_log(cluster, fleet))
            if found:
                request = found[-1]
                break
            time.sleep(2)
        assert request, _node_log(cluster, fleet)[-2000:]
        listing = play(fleet, "playbooks/pairing.yml")
        assert listing.returncode == 0 and request in listing.stdout, listing.stdout[-3000:]
        assert changed(listing)[GW] == 0
        device = [p for p in _devices(cluster, fleet)["pending"]
                  if p["requestId"] == request][0]["deviceId"]
        approved = play(fleet, "playbooks/pairing.yml", "-e", "pairing_action=approve",
                        "-e", "request_id=%s" % request)
        assert approved.returncode == 0 and changed(approved)[GW] >= 1, approved.stdout[-3000:]
        data = _devices(cluster, fleet)
        assert device in [d["deviceId"] for d in data["paired"]], data
        assert request not in [p["requestId"] for p in data["pending"]]
        again = play(fleet, "playbooks/pairing.yml", "-e", "pairing_action=approve",
                     "-e", "request_id=%s" % request)
        assert again.returncode != 0 and "is not pending" in again.stdout
        with open(fleet["events"], encoding="utf-8") as handle:
            pairing = [e for e in map(json.loads, handle) if e["action"] == "pairing"]
        assert [e["details"]["action"] for e in pairing] == ["approve"]
        assert fleet["token"] not in json.dumps(pairing) + approved.stdout
    finally:
        in_gateway(cluster, fleet, "sh", "-c", "kill $(cat %s/pid) 2>/dev/null; rm -rf %s"
                   % (NODE_HOME, NODE_HOME))


def test_absent_archives_then_removes(fleet, cluster, exposed):
    proc = play(fleet, "playbooks/lifecycle.yml", "-e", "action=absent")
    assert proc.returncode == 0, proc.stdout[-4000:]
    archive_dir = os.path.join(fleet["base"], "controller", fleet["slug"], "_archive")
    with verified_archive(archive_dir, "") as tar:
        names = tar.getnames()
    assert "config/openclaw.json" in names and "workspaces/research/MARKER.md" in names
    assert any(n.startswith(".openclaw/") for n in names)
    for kind, name in (("deployment", fleet["instance"]), ("pvc", fleet["instance"] + "-state"),
                       ("secret", fleet["instance"] + "-env"), ("service", fleet["instance"])):
        gone = kubectl(cluster, "get", kind, "-n", fleet["namespace"], name)
        assert gone.returncode != 0 and "NotFound" in gone.stderr, (kind, gone.stdout)
    assert not os.path.exists(fleet["controller"])


def test_a_hand_made_claim_and_secret_are_adopted_and_stay_on_removal(fleet, cluster, exposed):
    """issue 21: a claim and a Secret made without the collection (by hand, by an operator)
    are used as they are - the file in the claim is the gateway's, the Secret's value its env
    - and removal, which deletes by the owner labels, leaves both."""
    ns, claim, secret = fleet["namespace"], "handmade-state", "handmade-db"
    image = kget(cluster, "pod", "-n", "np-allowed-" + fleet["slug"], "client")[
        "spec"]["containers"][0]["image"]
    password = secrets.token_hex(12)
    made = [
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
         "metadata": {"name": claim, "namespace": ns},
         "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}},
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": secret, "namespace": ns},
         "stringData": {"password": password}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "handmade-writer", "namespace": ns},
         "spec": {"restartPolicy": "Never",
                  "containers": [{"name": "w", "image": image, "imagePullPolicy": "IfNotPresent",
                                  "command": ["sh", "-c", "echo kept > /data/HANDMADE.txt"],
                                  "securityContext": {"runAsUser": 0},
                                  "volumeMounts": [{"name": "d", "mountPath": "/data"}]}],
                  "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": claim}}]}},
    ]
    proc = kubectl(cluster, "apply", "-f", "-", stdin="\n---\n".join(json.dumps(o) for o in made))
    assert proc.returncode == 0, proc.stderr
    proc = kubectl(cluster, "wait", "-n", ns, "--for=jsonpath={.status.phase}=Succeeded",
                   "pod/handmade-writer", "--timeout=120s", timeout=150)
    assert proc.returncode == 0, proc.stderr
    kubectl(cluster, "delete", "pod", "-n", ns, "handmade-writer", "--wait=true")

    path = os.path.join(fleet["dir"], "gateways", "%s.yml" % GW)
    text = open(path, encoding="utf-8").read()
    assert "  cluster: lab\n" in text
    text = text.replace("  cluster: lab\n", "  cluster: lab\n  adopt:\n    pvc: %s\n"
                        "    labels: {app: openclaw}\n  secret_env:\n"
                        "    ACME_DB_PASSWORD: {name: %s, key: password}\n" % (claim, secret), 1)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    proc = play(fleet, "playbooks/site.yml")
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert in_gateway(cluster, fleet, "cat", "/home/node/HANDMADE.txt").stdout.strip() == "kept"
    check = in_gateway(cluster, fleet, "sh", "-c", '[ "$ACME_DB_PASSWORD" = "%s" ]' % password)
    assert check.returncode == 0, "the adopted Secret's value is not the gateway's env"
    deployment = kget(cluster, "deployment", "-n", ns, fleet["instance"])
    assert deployment["metadata"]["labels"]["app"] == "openclaw"
    # the claim was not applied by the collection: no owner labels, no field manager of ours
    pvc = kget(cluster, "pvc", "-n", ns, claim)
    assert "app.kubernetes.io/managed-by" not in (pvc["metadata"].get("labels") or {})
    # the value stays in the cluster: the objects the controller keeps only name the Secret
    with open(os.path.join(fleet["controller"], "manifests.yml"), encoding="utf-8") as handle:
        kept_objects = handle.read()
    assert secret in kept_objects and password not in kept_objects

    proc = play(fleet, "playbooks/lifecycle.yml", "-e", "action=absent")
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert kubectl(cluster, "get", "deployment", "-n", ns, fleet["instance"]).returncode != 0
    for kind, name in (("pvc", claim), ("secret", secret)):
        kept = kubectl(cluster, "get", kind, "-n", ns, name)
        assert kept.returncode == 0, (kind, kept.stderr)
