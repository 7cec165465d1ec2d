# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Kubernetes objects of one gateway, built from its computed plan.

Pure Python: no I/O but reading workspace seed files, no Ansible, no Kubernetes client. The
gateway_k8s role applies what ``manifests`` returns with kubernetes.core.k8s (server-side
apply); the Secret is built apart (``secret``) so that its values never reach a file, a diff
or a log.

Per gateway, in apply order: Namespace (shared per org or its own), the namespace's
default-deny NetworkPolicy, ServiceAccount, optional read-only ClusterRole + binding,
ConfigMaps (openclaw.json, workspace seeds, CA bundle), PVC, Service, the gateway's
NetworkPolicy, Deployment.

A model backend the collection runs (``backend_manifests``): Namespace, default-deny,
its NetworkPolicy (in from the org's gateways only, nothing out), the claim its model file is
copied into (``backend_loader_pod``), Service, Deployment.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import posixpath
import shlex

from ._hosttree import GATEWAY_UID, seed_documents
from ._loader import FleetFiles
from ._reload import restart_fingerprint
from ._workload import (BACKEND_MODEL_DIR, TMP_DIR, WorkloadError, k8s_allow_root_init, k8s_container,
                        k8s_pod_security, k8s_security_context, k8s_tmp_volume, memory_quantity,
                        workload)

PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
                  "169.254.0.0/16", "127.0.0.0/8"]
DEFAULT_DENY = "clawops-default-deny"
# one error type for everything a gateway's workload and objects are built from
ManifestError = WorkloadError
# What a gateway owns, in the order it is deleted (the Deployment first: its pods stop
# writing). Removal deletes by the owner's labels (``owner_selector``), not by name: objects
# an earlier version made go too. The namespace's default-deny policy is shared.
OWNED_KINDS = [("apps/v1", "Deployment"), ("networking.k8s.io/v1", "Ingress"), ("v1", "Service"),
               ("networking.k8s.io/v1", "NetworkPolicy"), ("v1", "ConfigMap"), ("v1", "Secret"),
               ("v1", "PersistentVolumeClaim"), ("v1", "ServiceAccount"),
               ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
               ("rbac.authorization.k8s.io/v1", "ClusterRole")]
CLUSTER_KINDS = ("Namespace", "ClusterRole", "ClusterRoleBinding")


def owner_selector(runtime):
    """The label selector of everything one gateway owns."""
    return "app.kubernetes.io/instance=%s,app.kubernetes.io/managed-by=clawops" % (
        runtime["instance"])


def owned(runtime):
    """[{api_version, kind, namespace (None for cluster-scoped), selector}] in deletion order."""
    namespace = runtime["k8s"]["namespace"]
    return [{"api_version": api, "kind": kind, "selector": owner_selector(runtime),
             "namespace": None if kind in CLUSTER_KINDS else namespace}
            for api, kind in OWNED_KINDS]


def sha256_text(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_seed_tree(fleet_dir, rel_dir):
    """Files of a workspace seed directory: {relative posix path: bytes}."""
    found = {}
    for rel, path in FleetFiles(fleet_dir).seed_tree(rel_dir, rel_dir, ("workspace_seed",)):
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(handle, "rb") as stream:
            found[rel] = stream.read()
    return found


class SeedFiles(dict):
    """{path under the workspace root: bytes}, and ``managed``: the paths the seed script
    keeps equal to the fleet's (the seed trees of agents with ``seed_mode: managed``)."""

    def __init__(self, *args, **kwargs):
        super(SeedFiles, self).__init__(*args, **kwargs)
        self.managed = set()


def seed_files(runtime, fleet_dir, gateway):
    """Everything the seed init container may copy, keyed by the path under the workspace
    root: the agents' workspace_seed trees first, then the seed documents of ``_hosttree``
    (AGENTS.md, IDENTITY.md; ``gateway`` is the plan's summary) where the tree has no such
    file."""
    root = runtime["paths"]["workspace_root"]
    files = SeedFiles()
    for agent in runtime["agents"]:
        prefix = posixpath.relpath(agent["workspace"], root)
        if agent.get("workspace_seed"):
            for rel, data in read_seed_tree(fleet_dir, agent["workspace_seed"]).items():
                files[posixpath.join(prefix, rel)] = data
                if agent.get("seed_mode") == "managed":
                    files.managed.add(posixpath.join(prefix, rel))
        documents = seed_documents(agent, gateway["id"], gateway["org_slug"])
        for name, text in sorted(documents.items()):
            files.setdefault(posixpath.join(prefix, name), text.encode("utf-8"))
    return files


SEEDS_DIR = "/clawops/seeds"
SEED_SCRIPT = "seed.sh"
SEEDS_DIGEST = "digest"


def _seed_map(meta, files, script):
    """The seeds ConfigMap: one key per file (``sNNN``), ``index`` (key, tab, path under the
    workspace root, and for a managed seed a tab and ``m``), the seed script and the digest
    of it all. The pod mounts it whole (no
    ``items``), so a new agent's seeds change the ConfigMap and not the pod template: the
    running gateway container runs the same script by exec (``_k8s_api``)."""
    data, binary, index = {}, {}, []
    digest = hashlib.sha256(script.encode("utf-8"))
    for number, rel in enumerate(sorted(files)):
        key = "s%03d" % number
        try:
            data[key] = files[rel].decode("utf-8")
        except UnicodeDecodeError:
            binary[key] = base64.b64encode(files[rel]).decode("ascii")
        managed = rel in getattr(files, "managed", ())
        index.append("%s\t%s%s\n" % (key, rel, "\tm" if managed else ""))
        digest.update(rel.encode("utf-8") + (b"\0m" if managed else b"") + b"\0" + files[rel]
                      + b"\0")
    data["index"] = "".join(index)
    data[SEED_SCRIPT] = script
    data[SEEDS_DIGEST] = digest.hexdigest()
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}
    if binary:
        obj["binaryData"] = binary
    return obj


def _seed_script(runtime):
    paths = runtime["paths"]
    dirs = [paths["state_dir"], paths["workspace_root"], paths["logs_dir"], paths["cache_dir"]]
    dirs += [agent["workspace"] for agent in runtime["agents"]]
    return "\n".join([
        "set -eu",
        "umask 027",
        "mkdir -p " + " ".join(shlex.quote(d) for d in dirs),
        "# only what is missing: files the agents or people changed are never overwritten,",
        "# except managed seeds (m), which are kept equal to the fleet's",
        "cd %s" % SEEDS_DIR,
        "tab=$(printf '\\t')",
        "while IFS=\"$tab\" read -r key rel mode; do",
        "  dest=%s/\"$rel\"" % shlex.quote(paths["workspace_root"]),
        "  if [ ! -e \"$dest\" ]; then mkdir -p \"$(dirname \"$dest\")\"; "
        "cp \"$key\" \"$dest\"; echo \"seeded $rel\"; "
        "elif [ \"$mode\" = m ] && ! cmp -s \"$key\" \"$dest\"; then "
        "cp \"$key\" \"$dest.clawops-new\" && mv -f \"$dest.clawops-new\" \"$dest\"; "
        "echo \"updated $rel\"; fi",
        "done < index",
    ]) + "\n"


def volume_permissions_init(runtime, work, image, pull_policy):
    """The root init container (CAP_CHOWN only) that hands the state volume to the gateway's
    uid, for a cluster whose volumes ignore fsGroup (``k8s.volume_permissions``): in the
    gateway's pod, and in a maintenance pod, which may be the first to mount a new claim (a
    drill's, or one recreated before a restore)."""
    return {"name": "volume-permissions", "image": image, "imagePullPolicy": pull_policy,
            "command": ["/bin/sh", "-c", _volume_permissions_script(runtime)],
            "securityContext": k8s_security_context(work, root=True, add=["CHOWN"]),
            "volumeMounts": [{"name": "state", "mountPath": runtime["paths"]["home"]}]}


def _volume_permissions_script(runtime):
    home = shlex.quote(runtime["paths"]["home"])
    # the volume's root only, unless an earlier version gave its contents another uid:
    # then everything in it (chown -hR: links themselves, never followed)
    return ("set -eu\nif [ \"$(stat -c %%u %s)\" != %d ]; then chmod 0750 %s; "
            "chown -hR %d:%d %s; echo \"gave %s and its contents to uid %d\"; fi\n"
            % (home, GATEWAY_UID, home, GATEWAY_UID, GATEWAY_UID, home, home, GATEWAY_UID))


def object_labels(runtime):
    """The labels of every object of the gateway: the adopted deployment's extra labels,
    then the collection's own (which win)."""
    k8s = runtime["k8s"]
    labels = dict(k8s["extra_labels"], **runtime["labels"])
    labels.update(k8s["labels"])
    return {key: str(value) for key, value in labels.items()}


def _network_policy(meta, runtime):
    k8s = runtime["k8s"]
    ingress = []
    if k8s["ingress_all_namespaces"]:
        # an explicit choice of the fleet: pods of every namespace
        ingress.append({"from": [{"namespaceSelector": {}}],
                        "ports": [{"protocol": "TCP", "port": runtime["port"]}]})
    elif k8s["ingress_namespaces"]:
        ingress.append({
            "from": [{"namespaceSelector": {"matchExpressions": [{
                "key": "kubernetes.io/metadata.name", "operator": "In",
                "values": list(k8s["ingress_namespaces"])}]}}],
            "ports": [{"protocol": "TCP", "port": runtime["port"]}]})
    egress = [{
        "to": [{"namespaceSelector": {"matchLabels": {
            "kubernetes.io/metadata.name": "kube-system"}}}],
        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}]
    if k8s["public_https"]:
        egress.append({"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": PRIVATE_RANGES}}],
                       "ports": [{"protocol": "TCP", "port": 443}]})
    for backend in k8s["egress"]:
        if backend.get("namespace"):
            peer = {"namespaceSelector": {"matchLabels": {
                "kubernetes.io/metadata.name": backend["namespace"]}}}
            if backend.get("pod_labels"):
                peer["podSelector"] = {"matchLabels": dict(backend["pod_labels"])}
        else:
            peer = {"ipBlock": {"cidr": backend["cidr"]}}
        egress.append({"to": [peer], "ports": [
            {"protocol": p.get("protocol", "TCP"), "port": p["port"]} for p in backend["ports"]]})
    spec = {"podSelector": {"matchLabels": _selector(runtime)},
            "policyTypes": ["Ingress", "Egress"], "egress": egress}
    if ingress:  # no rule: nothing may connect in (the API server drops an empty list)
        spec["ingress"] = ingress
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta,
            "spec": spec}


def namespace_objects(namespace, org_id, pod_security):
    """A namespace the collection runs pods in and its default-deny NetworkPolicy: the same
    objects whoever applies them (a gateway, a model backend), so that their server-side
    applies share the fields instead of fighting over them."""
    return [
        {"apiVersion": "v1", "kind": "Namespace",
         "metadata": {"name": namespace, "labels": {
             "app.kubernetes.io/managed-by": "clawops",
             "clawops.org": str(org_id),
             "pod-security.kubernetes.io/enforce": pod_security,
             "pod-security.kubernetes.io/warn": pod_security}}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
         "metadata": {"name": DEFAULT_DENY, "namespace": namespace,
                      "labels": {"app.kubernetes.io/managed-by": "clawops"}},
         "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}},
    ]


def _selector(runtime):
    return {"app.kubernetes.io/instance": runtime["instance"]}


def _cluster_role(runtime, labels):
    names = runtime["k8s"]["names"]
    read = ["get", "list", "watch"]
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": names["cluster_role"], "labels": labels},
            "rules": [
                {"apiGroups": [""], "verbs": read,
                 "resources": ["pods", "services", "nodes", "namespaces", "events",
                               "configmaps", "endpoints", "persistentvolumeclaims"]},
                {"apiGroups": ["apps"], "verbs": read,
                 "resources": ["deployments", "replicasets", "statefulsets", "daemonsets"]},
                {"apiGroups": ["batch"], "verbs": read, "resources": ["jobs", "cronjobs"]},
                {"apiGroups": ["networking.k8s.io"], "verbs": read,
                 "resources": ["ingresses", "networkpolicies"]},
            ] + [dict(rule) for rule in runtime["k8s"]["cluster_rules"]]}
    binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
               "metadata": {"name": names["cluster_role"], "labels": labels},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                           "name": names["cluster_role"]},
               "subjects": [{"kind": "ServiceAccount", "name": names["service_account"],
                             "namespace": runtime["k8s"]["namespace"]}]}
    return [role, binding]


def manifests(gateway, runtime, config_text, image, env_sha256, seeds=None, replicas=1,
              ca_bundle=None, image_pull_policy="IfNotPresent"):
    """The gateway's objects (no Secret), in apply order.

    ``config_text``: the exact openclaw.json text; ``seeds``: {path under the workspace root:
    bytes}; ``env_sha256``: digest of the Secret's data (rolls the pods when it changes);
    ``ca_bundle``: PEM text node in the gateway trusts besides its own CAs (TLS-inspecting
    proxies).
    """
    if runtime.get("provider") != "k8s" or "k8s" not in runtime:
        raise ManifestError("gateway %s is not a Kubernetes gateway (provider %s)"
                            % (gateway.get("id"), runtime.get("provider")))
    if not image:
        raise ManifestError("no image for gateway %s: set image.version or image.repository/"
                            "digest in the fleet, or gateway_k8s_image" % gateway.get("id"))
    k8s, paths, names = runtime["k8s"], runtime["paths"], runtime["k8s"]["names"]
    namespace = k8s["namespace"]
    labels = object_labels(runtime)

    def meta(name, **extra):
        data = {"name": name, "namespace": namespace, "labels": labels}
        if k8s["annotations"]:
            data["annotations"] = dict(k8s["annotations"])
        data.update(extra)
        return data

    objects = namespace_objects(namespace, runtime["labels"]["clawops.org"],
                                k8s["pod_security"]) + [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(names["service_account"]),
         "automountServiceAccountToken": bool(k8s["cluster_read"])},
    ]
    if k8s["cluster_read"]:
        objects += _cluster_role(runtime, labels)
    objects.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(names["config_map"]),
                    "data": {"openclaw.json": config_text}})
    objects.append(_seed_map(meta(names["seeds_map"]), seeds or {}, _seed_script(runtime)))
    if ca_bundle:
        objects.append({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": meta(runtime["instance"] + "-ca"),
                        "data": {"ca.crt": ca_bundle}})
    if not k8s["adopted_pvc"]:  # an adopted claim is the user's: never applied
        pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
               "metadata": meta(names["pvc"]),
               "spec": {"accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": k8s["storage_size"]}}}}
        if k8s.get("storage_class"):
            pvc["spec"]["storageClassName"] = k8s["storage_class"]
        objects.append(pvc)
    objects.append({"apiVersion": "v1", "kind": "Service", "metadata": meta(names["service"]),
                    "spec": {"type": "ClusterIP", "selector": _selector(runtime),
                             "ports": [{"name": "gateway", "protocol": "TCP",
                                        "port": runtime["port"], "targetPort": "gateway"}]}})
    objects.append(_network_policy(meta(names["network_policy"]), runtime))
    if runtime.get("hosted"):
        objects.append(_ingress(meta(names["ingress"]), runtime))

    # tini is not PID 1 in a pod that shares its PID namespace (pause is): make it a subreaper.
    # The config watcher polls: a ConfigMap update swaps the mount's ..data symlink, which
    # inotify on the old file never reports (measured: no reload at all without polling;
    # with it and the kubelet nudged, the gateway applies a change ~2 s after the apply).
    work = workload(runtime, image, ca=bool(ca_bundle))
    state_mount = {"name": "state", "mountPath": paths["home"]}
    seeds_mount = {"name": "seeds", "mountPath": SEEDS_DIR, "readOnly": True}
    init = []
    if k8s["volume_permissions"]:
        init.append(volume_permissions_init(runtime, work, image, image_pull_policy))
    init.append({
        "name": "seed", "image": image, "imagePullPolicy": image_pull_policy,
        "command": ["/bin/sh", posixpath.join(SEEDS_DIR, SEED_SCRIPT)],
        "securityContext": k8s_security_context(work),
        "volumeMounts": [state_mount, seeds_mount]})
    volumes = [
        {"name": "state", "persistentVolumeClaim": {"claimName": names["pvc"]}},
        {"name": "config", "configMap": {"name": names["config_map"]}},
        {"name": "seeds", "configMap": {"name": names["seeds_map"]}},
        k8s_tmp_volume(work, "gateway"),
    ]
    if ca_bundle:
        volumes.append({"name": "ca", "configMap": {"name": runtime["instance"] + "-ca"}})
    if "plugin_seed" in work["containers"]:
        init.append(k8s_container(work, "plugin_seed", image_pull_policy, k8s_name="plugins"))
    container = k8s_container(work, "gateway", image_pull_policy, secret=names["secret"],
                              extra_env={"TINI_SUBREAPER": "1", "CHOKIDAR_USEPOLLING": "1"},
                              extra_mounts=[seeds_mount], secret_refs=k8s["secret_env"])
    template_labels = dict(labels)
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(names["deployment"]),
        "spec": {
            "replicas": replicas,
            "strategy": {"type": "Recreate"},
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": _selector(runtime)},
            "template": {
                "metadata": {"labels": template_labels, "annotations": dict(
                    k8s["annotations"],
                    # the restart paths only: a hot change of the config (ConfigMap) keeps the
                    # pod, whose gateway takes it from the mounted directory
                    **{"clawops.dev/restart-sha256": _restart_sha256(config_text),
                       "clawops.dev/env-sha256": env_sha256 or ""})},
                "spec": {
                    "serviceAccountName": names["service_account"],
                    "automountServiceAccountToken": bool(k8s["cluster_read"]),
                    "enableServiceLinks": False,
                    # one PID namespace per pod: a start-up lock an earlier OpenClaw CLI
                    # run in the pod left (hostname + pid) is seen as stale instead of
                    # blocking the gateway
                    "shareProcessNamespace": True,
                    "terminationGracePeriodSeconds": 60,
                    "securityContext": k8s_pod_security(work),
                    "initContainers": init,
                    "containers": [container],
                    "volumes": volumes,
                },
            },
        },
    }
    if k8s["volume_permissions"]:
        k8s_allow_root_init(deployment["spec"]["template"]["spec"], "volume-permissions")
    # what the pod is made of, as rendered: an apply that leaves it equal leaves the pod
    # alone, so the config's hot paths can be handed to the running gateway (gateway_config)
    deployment["metadata"]["annotations"] = {"clawops.dev/spec-sha256": spec_sha256(deployment)}
    objects.append(deployment)
    return objects


def _restart_sha256(config_text):
    try:
        config = json.loads(config_text)
    except ValueError as exc:
        raise ManifestError("the rendered config is not JSON (%s): render it with the fleet "
                            "inventory" % exc)
    return restart_fingerprint(config)


def spec_sha256(deployment):
    """Digest of a rendered Deployment's spec (its metadata annotation carries it)."""
    text = json.dumps(deployment["spec"], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ingress-nginx's annotations for the hosted limits (other controllers ignore them: set
# theirs through provider.adopt.annotations)
INGRESS_NGINX_LIMITS = {"max_body": "nginx.ingress.kubernetes.io/proxy-body-size",
                        "rate": "nginx.ingress.kubernetes.io/limit-rps",
                        "burst": "nginx.ingress.kubernetes.io/limit-burst-multiplier"}


def _ingress(metadata, runtime):
    """A hosted gateway's Ingress (docs/hosted.md): its domain to its Service, TLS from the
    kubernetes.io/tls Secret ``tls_secret`` makes, WebSocket-friendly timeouts and the
    hosted limits as ingress-nginx annotations."""
    hosted, names = runtime["hosted"], runtime["k8s"]["names"]
    annotations = dict(metadata.get("annotations") or {})
    annotations.update({
        INGRESS_NGINX_LIMITS["max_body"]: hosted["max_body"],
        INGRESS_NGINX_LIMITS["rate"]: str(hosted["rate"]),
        # ingress-nginx's burst is a multiple of the rate
        INGRESS_NGINX_LIMITS["burst"]: str(max(1, -(-hosted["burst"] // hosted["rate"]))),
        "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600",
        "nginx.ingress.kubernetes.io/proxy-send-timeout": "3600",
        "nginx.ingress.kubernetes.io/ssl-redirect": "true",
    })
    spec = {
        "tls": [{"hosts": [hosted["domain"]], "secretName": names["tls_secret"]}],
        "rules": [{"host": hosted["domain"], "http": {"paths": [{
            "path": "/", "pathType": "Prefix",
            "backend": {"service": {"name": names["service"],
                                    "port": {"number": runtime["port"]}}}}]}}],
    }
    if hosted.get("ingress_class"):
        spec["ingressClassName"] = hosted["ingress_class"]
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": dict(metadata, annotations=annotations), "spec": spec}


def tls_secret(runtime, cert, key):
    """A hosted gateway's TLS Secret (kubernetes.io/tls) for its Ingress."""
    k8s = runtime["k8s"]
    metadata = {"name": k8s["names"]["tls_secret"], "namespace": k8s["namespace"],
                "labels": object_labels(runtime)}
    return {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
            "metadata": metadata,
            "stringData": {"tls.crt": cert.strip() + "\n", "tls.key": key.strip() + "\n"}}


def secret(runtime, values):
    """The gateway's Secret: the env its container reads (token, provider and bot keys)."""
    k8s = runtime["k8s"]
    metadata = {"name": k8s["names"]["secret"], "namespace": k8s["namespace"],
                "labels": object_labels(runtime)}
    if k8s["annotations"]:
        metadata["annotations"] = dict(k8s["annotations"])
    return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": metadata,
            "stringData": {name: values[name] for name in sorted(values)}}


# -- Model backends the collection runs (fleet.yml backends.<id>.run) on Kubernetes ---------
BACKEND_MODEL_SHA256 = "clawops.dev/model-sha256"
BACKEND_LOADER = "load"


def backend_labels(spec):
    return {"app.kubernetes.io/name": "clawops-backend",
            "app.kubernetes.io/instance": spec["name"],
            "app.kubernetes.io/part-of": spec["org"],
            "app.kubernetes.io/managed-by": "clawops",
            "clawops.dev/backend": spec["id"]}


def _backend_k8s(spec):
    if not spec.get("k8s"):
        raise ManifestError("backend %s is not placed in a cluster (no Kubernetes gateway "
                            "lists it)" % spec.get("id"))
    return spec["k8s"]


def _backend_pod_security(spec, pod_spec, chown):
    """The server and loader run as the backend's user; with the cluster's
    volume_permissions, the loader's init container gives the claim to that user first."""
    pod_spec["securityContext"] = k8s_pod_security(spec, fs_group=False)
    if chown:
        uid, gid = spec["user"]["uid"], spec["user"]["gid"]
        pod_spec["initContainers"] = [{
            "name": "volume-permissions", "image": pod_spec["containers"][0]["image"],
            "imagePullPolicy": pod_spec["containers"][0]["imagePullPolicy"],
            # once; chmod first: with CAP_CHOWN only, root may not chmod what it gave away
            "command": ["/bin/sh", "-c", "[ \"$(stat -c %%u %s)\" = %d ] || "
                        "{ chmod 0755 %s && chown %d:%d %s; }" % (
                            BACKEND_MODEL_DIR, uid, BACKEND_MODEL_DIR, uid, gid,
                            BACKEND_MODEL_DIR)],
            "securityContext": k8s_security_context(spec, root=True, add=["CHOWN"]),
            "volumeMounts": [{"name": "model", "mountPath": BACKEND_MODEL_DIR}]}]
        k8s_allow_root_init(pod_spec, "volume-permissions")


def backend_manifests(spec, image, model_sha256, pull_policy="IfNotPresent"):
    """The objects of one backend in its namespace, in apply order; the Deployment last.

    ``spec``: its workload (``_workload.backend_workload`` with ``k8s``); ``model_sha256``:
    the model file's digest (a new one rolls the server's pod)."""
    k8s = _backend_k8s(spec)
    if not image:
        raise ManifestError("no image for backend %s" % spec["id"])
    namespace, labels, name = k8s["namespace"], backend_labels(spec), spec["name"]
    selector = {"app.kubernetes.io/instance": name}

    def meta(object_name):
        return {"name": object_name, "namespace": namespace, "labels": dict(labels)}

    port = {"name": "http", "containerPort": spec["port"], "protocol": "TCP"}
    probe = ({"httpGet": {"path": "/v1/models", "port": "http"}} if spec["healthcheck"]
             else {"tcpSocket": {"port": "http"}})
    container = {
        "name": "server", "image": image, "imagePullPolicy": pull_policy,
        "command": list(spec["command"]), "ports": [port],
        "env": [{"name": "HOME", "value": TMP_DIR}],
        "securityContext": k8s_security_context(spec),
        "resources": {
            "requests": {"memory": memory_quantity(spec["resources"]["memory"]), "cpu": "100m"},
            "limits": {"memory": memory_quantity(spec["resources"]["memory"]),
                       "cpu": str(spec["resources"]["cpus"])}},
        "volumeMounts": [{"name": "model", "mountPath": BACKEND_MODEL_DIR, "readOnly": True},
                         {"name": "tmp", "mountPath": TMP_DIR}],
        "readinessProbe": dict(probe, periodSeconds=5, timeoutSeconds=10, failureThreshold=3),
        # the server answers nothing while it computes a completion (one at a time)
        "livenessProbe": dict(probe, initialDelaySeconds=120, periodSeconds=10,
                              timeoutSeconds=10, failureThreshold=12),
    }
    pod_spec = {
        "automountServiceAccountToken": False, "enableServiceLinks": False,
        "terminationGracePeriodSeconds": 10, "containers": [container],
        "volumes": [
            {"name": "model", "persistentVolumeClaim": {"claimName": name + "-model",
                                                        "readOnly": True}},
            {"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}}]}
    _backend_pod_security(spec, pod_spec, chown=False)
    claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta(name + "-model"),
             "spec": {"accessModes": ["ReadWriteOnce"],
                      "resources": {"requests": {"storage": k8s["storage"]}}}}
    if k8s.get("storage_class"):
        claim["spec"]["storageClassName"] = k8s["storage_class"]
    return namespace_objects(namespace, k8s["org_id"], k8s["pod_security"]) + [
        # in: the org's gateways (only those that list it have the egress rule); out: nothing
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta(name),
         "spec": {"podSelector": {"matchLabels": dict(selector)},
                  "policyTypes": ["Ingress", "Egress"],
                  "ingress": [{"from": [{
                      "namespaceSelector": {"matchLabels": {"clawops.org": str(k8s["org_id"])}},
                      "podSelector": {"matchLabels": {
                          "app.kubernetes.io/name": "openclaw",
                          "app.kubernetes.io/part-of": spec["org"]}}}],
                      "ports": [{"protocol": "TCP", "port": spec["port"]}]}]}},
        claim,
        {"apiVersion": "v1", "kind": "Service", "metadata": meta(name),
         "spec": {"type": "ClusterIP", "selector": dict(selector),
                  "ports": [{"name": "http", "protocol": "TCP", "port": spec["port"],
                             "targetPort": "http"}]}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(name),
         "spec": {"replicas": 1, "strategy": {"type": "Recreate"}, "revisionHistoryLimit": 3,
                  "selector": {"matchLabels": dict(selector)},
                  "template": {"metadata": {"labels": dict(labels), "annotations": {
                      BACKEND_MODEL_SHA256: model_sha256 or ""}},
                      "spec": pod_spec}}},
    ]


def backend_loader_pod(spec, image, pull_policy="IfNotPresent"):
    """The one-off Pod the model file is copied into the backend's claim through (exec +
    tar, kubernetes.core.k8s_cp): the backend's image, its user, the claim writable, no
    network (its namespace denies it; the copy goes through the API server)."""
    k8s = _backend_k8s(spec)
    name = spec["name"]
    pod_spec = {
        "automountServiceAccountToken": False, "enableServiceLinks": False,
        "restartPolicy": "Never", "terminationGracePeriodSeconds": 1,
        "containers": [{
            "name": BACKEND_LOADER, "image": image, "imagePullPolicy": pull_policy,
            "command": ["sleep", "3600"],
            "securityContext": k8s_security_context(spec),
            "resources": {"requests": {"memory": "64Mi", "cpu": "50m"},
                          "limits": {"memory": "256Mi"}},
            "volumeMounts": [{"name": "model", "mountPath": BACKEND_MODEL_DIR},
                             {"name": "tmp", "mountPath": TMP_DIR}]}],
        "volumes": [{"name": "model", "persistentVolumeClaim": {"claimName": name + "-model"}},
                    {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}]}
    _backend_pod_security(spec, pod_spec, chown=k8s["volume_permissions"])
    labels = dict(backend_labels(spec), **{"app.kubernetes.io/component": "model-loader"})
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name + "-model-load", "namespace": k8s["namespace"],
                         "labels": labels},
            "spec": pod_spec}
