# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One gateway's workload: every container it needs, with its settings, written once.

Pure Python, no Ansible. ``workload`` computes, from a gateway's runtime plan and the image it
runs, each container the gateway needs - the gateway itself, the one-off config validation,
the plugin seed, the maintenance container of backups and restores - with its image,
command, user, security settings, env, mounts (by logical volume), resources and probes.
The security settings every container runs with (``SECURITY``) live here and nowhere else.

Two small renderers turn a container into what a provider runs:

- ``compose_project`` / ``docker_run``: the Compose project of the gateway and the
  ``community.docker.docker_container`` options of a one-off container (volumes are the
  Docker host's directories, ``host_paths``);
- ``k8s_container`` / ``k8s_pod_security`` / ``k8s_pod``: Kubernetes containers and pods
  (volumes are the gateway's PVC, ConfigMaps and emptyDirs); ``_k8s_manifests`` builds the
  Deployment from them.

The image-build container that installs the plugins from npm (``plugin_install``) runs with
the same ``SECURITY``.
"""

from __future__ import annotations

import json
import re

# Every container of a gateway: nothing in it may gain privileges, its root is read-only,
# it has no capabilities, seccomp's default profile filters its calls.
SECURITY = {"read_only_root": True, "drop_capabilities": ["ALL"], "no_new_privileges": True,
            "seccomp": "RuntimeDefault"}
# node in a container trusts this CA bundle besides its own (TLS-inspecting proxies)
CA_DIR = "/clawops/ca"
CA_FILE = CA_DIR + "/ca.crt"
OPENCLAW = "/usr/local/bin/openclaw"
VALIDATE_DIR = "/validate"
TMP_DIR = "/tmp"  # nosec B108 - the container's own tmpfs/emptyDir, not the host's

PROBE_PATHS = {"startup": "/startupz", "ready": "/readyz", "live": "/healthz"}
# What each probe's JSON body must say (OpenClaw's health contract; unknown paths answer
# 200 HTML, so a status code alone proves nothing).
PROBE_ASSERT = {"startup": 'j.status==="started"', "ready": "j.ready===true",
                "live": "j.ok===true"}
# period, timeout, failures (seconds, count) per probe; Compose's healthcheck is the live one
PROBE_TIMING = {"startup": (5, 10, 60), "ready": (15, 10, 3), "live": (30, 10, 4)}
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)


class WorkloadError(Exception):
    """Input a workload cannot be built from; the message names the fix."""


def memory_quantity(value):
    """Docker-style size ('2g', '512m', '1536M', 2147483648) -> a Kubernetes quantity."""
    if isinstance(value, int):
        return "%dMi" % max(1, value // (1024 * 1024))
    found = _SIZE.match(str(value))
    if not found:
        raise WorkloadError("resources.memory %r is not a size like 2g or 512m" % (value,))
    number, unit = float(found.group(1)), found.group(2).lower()
    mebibytes = number * {"": 1.0 / (1024 * 1024), "k": 1.0 / 1024, "m": 1, "g": 1024,
                          "t": 1024 * 1024}[unit]
    if mebibytes >= 1024 and mebibytes % 1024 == 0:
        return "%dGi" % (mebibytes // 1024)
    return "%dMi" % max(1, int(mebibytes))


def probe_js(port, kind, token=True):
    """A node one-liner that prints the probe's body and exits 0 only if it asserts."""
    headers = ('{headers:t?{authorization:"Bearer "+t}:{},signal:AbortSignal.timeout(8000)}'
               if token else "{signal:AbortSignal.timeout(8000)}")
    return ("const t=process.env.OPENCLAW_GATEWAY_TOKEN;"
            'fetch("http://127.0.0.1:%d%s",%s).then(async r=>{const b=await r.text();'
            "process.stdout.write(b);let j;try{j=JSON.parse(b)}catch(e){process.exit(1)}"
            "process.exit(%s?0:1)},e=>{process.stdout.write(String(e));process.exit(2)})"
            % (port, PROBE_PATHS[kind], headers, PROBE_ASSERT[kind]))


def probe_argv(port, kind, token=True, node="node"):
    return [node, "-e", probe_js(port, kind, token)]


def _container(command, env=None, mounts=(), resources=None, tmp="256m", network=False,
               **extra):
    data = {"command": list(command) if command else None, "env": dict(env or {}),
            "mounts": [dict(m) for m in mounts], "resources": dict(resources or {}),
            "tmp": tmp, "network": network}
    data.update(extra)
    return data


def workload(runtime, image, ca=False):
    """Every container of one gateway (``runtime``: its plan's runtime), as neutral data.

    ``image``: the reference the gateway runs; ``ca``: whether an extra CA bundle is mounted
    (volume ``ca``). Mount volumes are logical: ``data`` (the gateway's home: state,
    workspaces, logs), ``config`` (the rendered config's directory), ``candidate`` (a config
    to validate), ``ca``; ``tmp`` is the container's scratch space.
    """
    if not image:
        raise WorkloadError("no image for gateway %s: set image.version or image.repository/"
                            "digest in the fleet" % runtime.get("instance"))
    paths = runtime["paths"]
    data_mount = {"volume": "data", "path": paths["home"]}
    tmp_mount = {"volume": "tmp", "path": TMP_DIR}
    ca_env = {"NODE_EXTRA_CA_CERTS": CA_FILE} if ca else {}
    ca_mounts = [{"volume": "ca", "path": CA_DIR, "read_only": True}] if ca else []
    port = runtime["port"]
    limits = runtime["resources"]
    containers = {
        "gateway": _container(
            None, dict(runtime["env"], **ca_env),
            [data_mount, {"volume": "config", "path": paths["config_dir"],
                          # a gateway that owns config paths writes its file (_ownership)
                          "read_only": not runtime.get("config_writable")},
             tmp_mount] + ca_mounts,
            {"memory_request": "512m", "cpu_request": "100m", "memory": limits["memory"],
             "cpus": limits["cpus"], "pids": limits["pids"]},
            network=True, secret_env=True, port=port,
            probes={kind: {"command": probe_argv(port, kind, kind == "ready"),
                           "period": timing[0], "timeout": timing[1], "failures": timing[2]}
                    for kind, timing in PROBE_TIMING.items()}),
        "validate": _container(
            [OPENCLAW, "config", "validate", "--json"],
            {"OPENCLAW_CONFIG_PATH": VALIDATE_DIR + "/openclaw.json",
             "OPENCLAW_STATE_DIR": TMP_DIR + "/state", "HOME": TMP_DIR + "/home"},
            [{"volume": "candidate", "path": VALIDATE_DIR, "read_only": True}, tmp_mount],
            {"memory_request": "256m", "cpu_request": "100m", "memory": "1g"}),
        "maintenance": _container(
            ["sleep", "infinity"], {}, [data_mount, tmp_mount],
            {"memory_request": "64m", "cpu_request": "50m", "memory": "1g"}, tmp="4g"),
    }
    if runtime.get("plugin_seed_command"):
        # official plugin channels baked into the image, copied into the state dir
        # (module_utils/_plugin_seed.py): no npm, no network
        containers["plugin_seed"] = _container(
            runtime["plugin_seed_command"], {}, [data_mount],
            {"memory_request": "32m", "cpu_request": "50m", "memory": "256m"}, tmp="64m")
    return {"instance": runtime["instance"], "image": image, "user": dict(runtime["user"]),
            "security": dict(SECURITY), "containers": containers}


def plugin_install(image, uid, specs, ca=False):
    """The image build's one-off container that installs plugins from npm into a throw-away
    state (``state`` at /home/node/.openclaw, ``config`` at /etc/openclaw): network on, npm
    runs no install scripts, everything else as a gateway's containers."""
    env = {"OPENCLAW_STATE_DIR": "/home/node/.openclaw",
           "OPENCLAW_CONFIG_PATH": "/etc/openclaw/openclaw.json", "HOME": "/home/node",
           "npm_config_ignore_scripts": "true", "npm_config_cache": TMP_DIR + "/npm-cache",
           "npm_config_audit": "false", "npm_config_fund": "false"}
    if ca:
        env["NODE_EXTRA_CA_CERTS"] = CA_FILE
    script = ('set -e; for spec in "$@"; do %s plugins install "$spec"; done' % OPENCLAW)
    return {"instance": "plugin-install", "image": image, "user": {"uid": uid, "gid": uid},
            "security": dict(SECURITY), "containers": {"plugin_install": _container(
                ["/bin/sh", "-c", script, "sh"] + list(specs), env,
                [{"volume": "state", "path": "/home/node/.openclaw"},
                 {"volume": "config", "path": "/etc/openclaw"},
                 {"volume": "cache", "path": "/home/node/.cache", "size": "64m"},
                 {"volume": "tmp", "path": TMP_DIR}]
                + ([{"volume": "ca", "path": CA_DIR, "read_only": True}] if ca else []),
                {"memory": "2g", "pids": 512}, tmp="512m", network=True)}}


# -- Docker / Compose --------------------------------------------------------------------
def backend_probe_js(url, key_env):
    """A node one-liner run in a gateway's container: GET ``url``/models with the key the
    gateway itself has (env ``key_env``), print {status, models, ms} or {error, ms}."""
    return ("const k=process.env[%s]||'',t0=Date.now();"
            "fetch(%s+'/models',{headers:k?{authorization:'Bearer '+k}:{},"
            "signal:AbortSignal.timeout(8000)}).then(async r=>{const b=await r.text();"
            "let m=null;try{m=(JSON.parse(b).data||[]).map(x=>x.id)}catch(e){}"
            "console.log(JSON.stringify({status:r.status,models:m,ms:Date.now()-t0}))},"
            "e=>console.log(JSON.stringify({error:String((e.cause&&e.cause.code)||e.message),"
            "ms:Date.now()-t0})))" % (json.dumps(key_env), json.dumps(url.rstrip("/"))))


def backend_probe_argv(url, key_env, node="node"):
    return [node, "-e", backend_probe_js(url, key_env)]


# -- Model backends the collection runs (fleet.yml backends.<id>.run) ---------------------
BACKEND_PORT = 8000
BACKEND_USER = {"uid": 65532, "gid": 65532}
BACKEND_MODEL_DIR = "/models"
# on Kubernetes: the claim the model file is copied into (fleet.yml backends.<id>.run.storage)
BACKEND_K8S_STORAGE = "2Gi"
# the collection's llama.cpp server image (roles/model_backend): llama-cpp-python's server
LLAMA_SERVER = ["python3", "-m", "llama_cpp.server", "--model", "{model}",
                "--model_alias", "{model_id}", "--host", "0.0.0.0", "--port", "{port}",
                "--n_ctx", "{context}", "--n_threads", "{threads}"]


# What llama-cpp-python's server takes of OpenAI's chat API (the model entries' compat in
# models.providers): max_tokens (not max_completion_tokens: without it, it writes until the
# context is full), no developer role and no store field, plain-string message contents.
LLAMA_SERVER_COMPAT = {"maxTokensField": "max_tokens", "supportsDeveloperRole": False,
                       "supportsStore": False, "requiresStringContent": True}


def backend_workload(org_slug, backend_id, backend, k8s=None, sidecar_of=None):
    """The container of a model backend the collection runs, as neutral data: its name (also
    the network its gateways join, and its host name there), URL, command, model mount,
    resources. ``image`` is None for the collection's llama.cpp server image (the role that
    builds it fills it in).

    ``k8s``: where it runs in a cluster ({namespace, pod_security, volume_permissions,
    storage_class}) for Kubernetes gateways: its URL is then its Service's name.
    ``sidecar_of``: the Compose gateway (instance) whose own project runs it (run.placement
    sidecar): a service of that project, reached by its service name, on no network of its
    own."""
    run = backend["run"]
    port = run.get("port", BACKEND_PORT)
    name = "%s-backend-%s" % (sidecar_of or org_slug, backend_id)
    model_path = BACKEND_MODEL_DIR + "/" + run["model_file"].rstrip("/").rsplit("/", 1)[-1]
    fill = {"{model}": model_path, "{port}": str(port), "{model_id}": backend["models"][0],
            "{context}": str(backend.get("context_window", 8192)),
            "{threads}": str(run.get("threads", 2))}
    command = []
    for part in run.get("command") or LLAMA_SERVER:
        for key, value in fill.items():
            part = part.replace(key, value)
        command.append(part)
    own_image = bool(run.get("image"))
    host, network = name, name
    if sidecar_of:
        host, network = sidecar_service(backend_id), None
    if k8s:
        k8s = dict(k8s, storage=run.get("storage", BACKEND_K8S_STORAGE))
        host = "%s.%s.svc" % (name, k8s["namespace"])
    return {
        "id": backend_id, "name": name, "network": network, "port": port, "org": org_slug,
        "sidecar": bool(sidecar_of),
        # a sidecar's service in its gateway's project
        "service": sidecar_service(backend_id) if sidecar_of else None,
        "url": "http://%s:%d/v1" % (host, port), "image": run.get("image"), "k8s": k8s,
        "command": command, "user": dict(BACKEND_USER), "security": dict(SECURITY),
        "model_file": run["model_file"], "model_path": model_path,
        "resources": {"memory": run.get("memory", "2g"), "cpus": run.get("cpus", 2)},
        # on its container and its network
        "labels": {"dev.clawops.backend": backend_id, "dev.clawops.managed-by": "clawops"},
        # the collection's image answers this; an image of your own is probed by the gate
        "healthcheck": None if own_image else [
            "python3", "-c", "import http.client as h; c = h.HTTPConnection('127.0.0.1', %d, "
            "timeout=8); c.request('GET', '/v1/models'); "
            "raise SystemExit(c.getresponse().status != 200)" % port],
    }


def sidecar_service(backend_id):
    """The service name of a sidecar backend in its gateway's Compose project (its host name
    there)."""
    return "backend-%s" % backend_id


def compose_backend_project(spec, image):
    """The Compose project of one backend: one container on its own network (which only the
    gateways that list it join), no published port."""
    service = dict(_compose_backend_service(spec, image), networks=["backend"])
    return {"name": spec["name"], "services": {"backend": service},
            "networks": {"backend": {"name": spec["network"], "external": True}}}


def _compose_backend_service(spec, image):
    """A backend's Compose service (its own project's, or a sidecar in its gateway's)."""
    if not (spec["image"] or image):
        raise WorkloadError("backend %s names no image and no server image was built "
                            "(roles/model_backend, tasks image.yml)" % spec["id"])
    service = {
        "image": spec["image"] or image,
        "container_name": spec["name"],
        "hostname": spec["name"],
        "command": list(spec["command"]),
        **_compose_hardening(spec, ["%s:size=256m,mode=1777" % TMP_DIR]),
        "mem_limit": spec["resources"]["memory"],
        "cpus": spec["resources"]["cpus"],
        "restart": "unless-stopped",
        "environment": {"HOME": TMP_DIR},
        "volumes": ["%s:%s:ro" % (spec["model_file"], spec["model_path"])],
        "labels": {key: str(value) for key, value in sorted(spec["labels"].items())},
    }
    if spec["healthcheck"]:
        # llama-cpp-python's server answers nothing while it computes a completion (one at
        # a time): a long prompt must not make it unhealthy
        service["healthcheck"] = {"test": ["CMD"] + spec["healthcheck"], "interval": "10s",
                                  "timeout": "10s", "start_period": "120s", "retries": 12}
    return service


def _compose_hardening(spec, tmpfs):
    """A Compose service's user and security settings (``SECURITY``), with its tmpfs mounts:
    the same for every service the collection writes."""
    security = spec["security"]
    return {"user": "%s:%s" % (spec["user"]["uid"], spec["user"]["gid"]),
            "read_only": security["read_only_root"],
            "tmpfs": tmpfs,
            "cap_drop": list(security["drop_capabilities"]),
            "security_opt": ["no-new-privileges:true"] if security["no_new_privileges"] else []}


def _docker_size(value):
    """'256Mi'-style or docker-style size -> docker's ('256m')."""
    return memory_quantity(value)[:-1].lower()


def _docker_binds(spec, mount, sources):
    """(source, target, read_only) of one logical mount on a Docker host."""
    volume = mount["volume"]
    if volume == "tmp" or mount.get("size"):
        return []
    if volume == "data" and "data" not in sources:
        # the gateway's home, with its state, workspaces and logs where the host keeps them
        host = sources["host_paths"]
        paths = sources["paths"]
        return [(host[key], paths[key], False)
                for key in ("home", "state_dir", "workspace_root", "logs_dir")]
    if volume == "ca":
        return [(sources["ca"], CA_FILE, True)]
    if volume not in sources:
        raise WorkloadError("container of %s mounts volume %r, which the Docker host does not "
                            "provide" % (spec["instance"], volume))
    return [(sources[volume], mount["path"], bool(mount.get("read_only")))]


def _docker_tmpfs(spec, container):
    user = spec["user"]
    found = []
    if container.get("tmp"):
        found.append("%s:size=%s,mode=1777" % (TMP_DIR, _docker_size(container["tmp"])))
    for mount in container["mounts"]:
        if mount.get("size"):
            found.append("%s:size=%s,uid=%s,gid=%s" % (
                mount["path"], _docker_size(mount["size"]), user["uid"], user["gid"]))
    return found


def docker_run(spec, name, sources):
    """``community.docker.docker_container`` options of the one-off container ``name``.

    ``sources``: {volume: directory or file on the Docker host}; ``data`` may be given as
    ``host_paths`` + ``paths`` (the gateway's runtime) instead.
    """
    container = spec["containers"][name]
    security = spec["security"]
    resources = container["resources"]
    binds = [bind for mount in container["mounts"] for bind in _docker_binds(spec, mount, sources)]
    options = {
        "name": "%s-%s" % (spec["instance"], name.replace("_", "-")),
        "image": spec["image"],
        "entrypoint": container["command"],
        "command": [],
        "user": "%s:%s" % (spec["user"]["uid"], spec["user"]["gid"]),
        "read_only": security["read_only_root"],
        "cap_drop": list(security["drop_capabilities"]),
        "security_opts": ["no-new-privileges"] if security["no_new_privileges"] else [],
        "tmpfs": _docker_tmpfs(spec, container),
        "env": {key: str(value) for key, value in sorted(container["env"].items())},
        "mounts": [{"type": "bind", "source": source, "target": target, "read_only": ro}
                   for source, target, ro in binds],
        "network_mode": "bridge" if container["network"] else "none",
        "memory": _docker_size(resources["memory"]),
    }
    if resources.get("pids"):
        options["pids_limit"] = resources["pids"]
    return options


def compose_project(spec, runtime, labels=None, stop_grace=60, ca_bundle="", backend_image="",
                    proxy_image=""):
    """The gateway's Compose project (a dict; the role writes it as YAML), with its sidecar
    backends (``backend_image``: the collection's server image, for those without one) and,
    for a hosted gateway, its TLS proxy (``proxy_image``, built by gateway_image)."""
    container = spec["containers"]["gateway"]
    resources = container["resources"]
    host = runtime["host_paths"]
    sources = {"host_paths": host, "paths": runtime["paths"], "config": host["config_dir"],
               "ca": ca_bundle}
    volumes = ["%s:%s%s" % (source, target, ":ro" if ro else "")
               for mount in container["mounts"]
               for source, target, ro in _docker_binds(spec, mount, sources)]
    live = container["probes"]["live"]
    service = {
        "image": spec["image"],
        "container_name": spec["instance"],
        "hostname": spec["instance"],
        "init": False,
        **_compose_hardening(spec, _docker_tmpfs(spec, container)),
        "mem_limit": resources["memory"],
        "cpus": resources["cpus"],
        "pids_limit": resources["pids"],
        "restart": "unless-stopped",
        "stop_grace_period": "%ss" % stop_grace,
        "env_file": [host["env_file"]],
        "environment": {key: str(value) for key, value in sorted(container["env"].items())},
        "volumes": volumes,
        "healthcheck": {"test": ["CMD"] + live["command"], "interval": "10s", "timeout": "5s",
                        "start_period": "60s", "retries": 3},
        "labels": {key: str(value) for key, value in sorted((labels or {}).items())},
    }
    if runtime["publish_address"]:
        service["ports"] = ["%s:%s:%s" % (runtime["publish_address"], container["port"],
                                          container["port"])]
    runs = [backend["run"] for backend in runtime.get("backends") or [] if backend.get("run")]
    networks = sorted(run["network"] for run in runs if not run["sidecar"])
    project = {"name": spec["instance"], "services": {"gateway": service}}
    hosted = runtime.get("hosted")
    if hosted:
        # the gateway publishes nothing: its proxy, on a private network with a fixed
        # address (the only one the gateway trusts for forwarded client addresses), does
        networks = [EDGE_NETWORK] + networks
        project["services"][hosted["service"]] = _compose_proxy_service(
            spec, hosted, proxy_image)
    sidecars = [run for run in runs if run["sidecar"]]
    if sidecars:
        # the gateway starts once its sidecars answer; a sidecar's change recreates it alone
        service["depends_on"] = {}
        for run in sidecars:
            project["services"][run["service"]] = _compose_backend_service(run, backend_image)
            service["depends_on"][run["service"]] = {
                "condition": "service_healthy" if run["healthcheck"] else "service_started"}
    if networks:
        # the networks of the model backends it lists: each reaches its backend there
        service["networks"] = ["default"] + networks
        project["networks"] = dict({"default": {}}, **{
            net: {"name": net, "external": True} for net in networks if net != EDGE_NETWORK})
    if hosted:
        project["networks"][EDGE_NETWORK] = {"ipam": {"config": [{"subnet": hosted["subnet"]}]}}
    return project


EDGE_NETWORK = "edge"


def _compose_proxy_service(spec, hosted, image):
    """The TLS-terminating proxy of a hosted gateway (nginx, ``_hosted.nginx_conf``): the
    same hardening as every service here, its files read-only, the only published port."""
    if not image:
        raise WorkloadError("gateway %s is hosted and no proxy image was built "
                            "(roles/gateway_image, tasks proxy.yml)" % spec["instance"])
    proxy = {"user": {"uid": hosted["uid"], "gid": hosted["uid"]},
             "security": spec["security"]}
    return {
        "image": image,
        "container_name": "%s-proxy" % spec["instance"],
        "hostname": "%s-proxy" % spec["instance"],
        "command": ["nginx", "-c", hosted["dir"] + "/nginx.conf", "-g", "daemon off;"],
        **_compose_hardening(proxy, ["%s:size=64m,mode=1777" % TMP_DIR]),
        "mem_limit": "128m",
        "cpus": 0.5,
        "pids_limit": 64,
        "restart": "unless-stopped",
        "ports": ["%s:%d:%d" % (hosted["address"], hosted["port"], hosted["listen"])],
        "volumes": ["%s:%s:ro" % (hosted["host_dir"], hosted["dir"])],
        "networks": {EDGE_NETWORK: {"ipv4_address": hosted["proxy_address"]}},
        "depends_on": {"gateway": {"condition": "service_started"}},
        "labels": {"dev.clawops.proxy-of": spec["instance"],
                   "dev.clawops.managed-by": "clawops"},
    }


# -- Kubernetes --------------------------------------------------------------------------
def k8s_security_context(spec, root=False, add=()):
    """A container's securityContext; ``root``/``add``: the volume-permissions container
    (uid 0 with CAP_CHOWN only)."""
    security = spec["security"]
    context = {"allowPrivilegeEscalation": not security["no_new_privileges"],
               "readOnlyRootFilesystem": security["read_only_root"],
               "capabilities": {"drop": list(security["drop_capabilities"])}}
    if add:
        context["capabilities"]["add"] = list(add)
    if root:
        context.update({"runAsUser": 0, "runAsNonRoot": False})
    return context


def k8s_pod_security(spec, fs_group=True):
    user = spec["user"]
    context = {"runAsUser": int(user["uid"]), "runAsGroup": int(user["gid"]),
               "runAsNonRoot": True, "seccompProfile": {"type": spec["security"]["seccomp"]}}
    if fs_group:
        context.update({"fsGroup": int(user["gid"]), "fsGroupChangePolicy": "OnRootMismatch"})
    return context


def k8s_allow_root_init(pod_spec, root_container):
    """A pod whose init container ``root_container`` runs as root (the volume-permissions
    chown, CAP_CHOWN only): the pod may not demand non-root, so every other container does."""
    pod_spec["securityContext"]["runAsNonRoot"] = False
    for item in pod_spec.get("initContainers", []) + pod_spec["containers"]:
        if item["name"] != root_container:
            item["securityContext"]["runAsNonRoot"] = True


def k8s_resources(resources):
    data = {"requests": {"memory": memory_quantity(resources["memory_request"]),
                         "cpu": resources["cpu_request"]},
            "limits": {"memory": memory_quantity(resources["memory"])}}
    if resources.get("cpus"):
        data["limits"]["cpu"] = str(resources["cpus"])
    return data


K8S_VOLUME_NAMES = {"data": "state", "candidate": "config"}


def k8s_container(spec, name, pull_policy="IfNotPresent", k8s_name=None, extra_env=None,
                  extra_mounts=(), secret=None, secret_refs=None):
    """The Kubernetes container ``name`` of the workload. Volumes: ``data`` is named
    ``state``, ``candidate`` is ``config``, others keep their name; ``extra_mounts`` go before
    the CA's; ``secret``: the Secret the gateway's env comes from; ``secret_refs``: env from
    Secrets the collection does not own, NAME -> {name, key} of the Secret."""
    container = spec["containers"][name]
    data = {"name": k8s_name or name, "image": spec["image"], "imagePullPolicy": pull_policy}
    if container["command"]:
        data["command"] = list(container["command"])
    env = dict(container["env"], **(extra_env or {}))
    items = [{"name": key, "value": str(value)} for key, value in env.items()]
    items += [{"name": key,
               "valueFrom": {"secretKeyRef": {"name": ref["name"], "key": ref["key"]}}}
              for key, ref in (secret_refs or {}).items()]
    if items:
        data["env"] = sorted(items, key=lambda item: item["name"])
    if container.get("secret_env") and secret:
        data["envFrom"] = [{"secretRef": {"name": secret}}]
    if container.get("port"):
        data["ports"] = [{"name": "gateway", "containerPort": container["port"],
                          "protocol": "TCP"}]
    data["resources"] = k8s_resources(container["resources"])
    data["securityContext"] = k8s_security_context(spec)
    for kind, field in (("startup", "startupProbe"), ("ready", "readinessProbe"),
                        ("live", "livenessProbe")):
        probe = container.get("probes", {}).get(kind)
        if probe:
            data[field] = {"exec": {"command": probe["command"]}, "periodSeconds": probe["period"],
                           "timeoutSeconds": probe["timeout"],
                           "failureThreshold": probe["failures"]}
    mounts = []
    for mount in container["mounts"]:
        item = {"name": K8S_VOLUME_NAMES.get(mount["volume"], mount["volume"]),
                "mountPath": mount["path"]}
        if mount.get("read_only"):
            item["readOnly"] = True
        mounts.append(item)
    ca = [item for item in mounts if item["name"] == "ca"]
    data["volumeMounts"] = ([item for item in mounts if item["name"] != "ca"]
                            + [dict(m) for m in extra_mounts] + ca)
    return data


def k8s_tmp_volume(spec, name):
    size = spec["containers"][name].get("tmp")
    return {"name": "tmp", "emptyDir": {"sizeLimit": memory_quantity(size)}}


def k8s_pod(spec, name, pod_name, namespace, volumes, pull_policy="IfNotPresent", labels=None,
            grace=None):
    """A one-off Pod running the workload's container ``name`` (validate, maintenance).

    ``volumes``: {logical volume: the Kubernetes volume source}, e.g. ``{"data":
    {"persistentVolumeClaim": {"claimName": ...}}}``; ``tmp`` is added."""
    container = spec["containers"][name]
    needed = [m["volume"] for m in container["mounts"] if m["volume"] != "tmp"]
    missing = [volume for volume in needed if volume not in volumes]
    if missing:
        raise WorkloadError("the %s pod of %s needs the volumes %s" % (
            name, spec["instance"], ", ".join(missing)))
    pod_volumes = [dict({"name": K8S_VOLUME_NAMES.get(volume, volume)}, **volumes[volume])
                   for volume in needed] + [k8s_tmp_volume(spec, name)]
    spec_data = {"restartPolicy": "Never", "enableServiceLinks": False,
                 "automountServiceAccountToken": False,
                 "securityContext": k8s_pod_security(spec, fs_group="data" in needed),
                 "containers": [k8s_container(spec, name, pull_policy,
                                              k8s_name="maint" if name == "maintenance" else None)],
                 "volumes": pod_volumes}
    if grace is not None:
        spec_data["terminationGracePeriodSeconds"] = grace
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": pod_name, "namespace": namespace,
                         "labels": dict(labels or {"app.kubernetes.io/managed-by": "clawops"})},
            "spec": spec_data}
