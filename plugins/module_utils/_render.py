# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render one gateway: effective openclaw.json with provenance, plus its runtime spec.

Precedence, lowest first (docs/fleet-reference.md#precedence):

1. ``builtin``   clawops defaults for quiet, deterministic gateways;
2. ``org``       fleet.yml ``config.templates`` in order, then ``config.overrides``;
3. ``group:<id>`` each group in the gateway's ``groups`` order, templates then overrides;
4. ``gateway``   the gateway's ``config.templates`` then ``config.overrides``, then the
                 structured parts of the gateway file: channel accounts and bindings;
5. ``agent:<id>`` per agent: its structured fields (name, model, skills, tools, sandbox,
                 identity), then its ``config.templates`` and ``config.overrides``, all
                 inside ``agents.entries.<id>``;
6. ``policy``    the effective policy compiled in (model allowlists, per-agent skills,
                 bundled-skill allowlist, plugin deny/allow, channel enablement, tools.deny);
7. ``managed``   keys clawops derives (port, bind, mode, auth, log file, workspaces,
                 agentDirs). No layer may set them; trying is an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
from urllib.parse import urlparse

from ._gc import pausing
from ._errors import FleetError, FleetErrors, ReferenceProblem
from ._hostpaths import host_paths
from . import _hosted
from ._hosttree import GATEWAY_UID
from ._fleet import (DEFAULT_IMAGE_REPOSITORY, DEFAULT_RESOURCES,
                     FLEET_FILE)
from ._catalog import load_catalog
from ._compile import compile_policy
from ._plugin_seed import seed_script
from ._reload import restart_fingerprint
from ._secrets import Scope
from ._workload import LLAMA_SERVER_COMPAT, backend_workload
from ._redact import LITERAL_HINT, redact_literal_secrets
from ._policy import PolicyEngine
from ._layering import (MANAGED_AGENT, MANAGED_CONFIG, Source, Variables, child_source,
                        merge_into, provenance_rows, same_source, set_leaf)
from . import _ownership

# Paths as the gateway process sees them (inside its container / pod).
GATEWAY_HOME = "/home/node"
GATEWAY_PATHS = {
    "home": GATEWAY_HOME,
    "state_dir": GATEWAY_HOME + "/.openclaw",
    "config_dir": "/etc/openclaw",
    "config_path": "/etc/openclaw/openclaw.json",
    "workspace_root": GATEWAY_HOME + "/workspaces",
    "logs_dir": GATEWAY_HOME + "/logs",
    "log_file": GATEWAY_HOME + "/logs/openclaw.log",
    "cache_dir": GATEWAY_HOME + "/.cache",
}
DEFAULT_K8S_STORAGE = "5Gi"
DERIVED_PORT_SPAN = 110  # OpenClaw uses base+1 .. base+110 (mcp, browser control, CDP)
BUILTIN = Source("builtin", "(clawops)", ())
BUILTIN_CONFIG = {
    "update": {"checkOnStart": False},
    "telemetry": {"enabled": False},
}
BASE_ENV = {
    "OPENCLAW_CONFIG_READONLY": "1",
    "OPENCLAW_NO_AUTO_UPDATE": "1",
    "OPENCLAW_DISABLE_BONJOUR": "1",
    "NODE_OPTIONS": "--max-old-space-size=1536",
}
RESERVED_ENV_PREFIXES = ("OPENCLAW_", "CLAWOPS_")
AGENT_FIELDS = ("name", "description", "model", "skills", "tools", "sandbox", "identity")


def env_name(*parts, prefix="CLAWOPS"):
    """Environment variable name for a secret: <PREFIX>_<PARTS> in upper snake case."""
    words = []
    for part in parts:
        text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", str(part))
        words.append(re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").upper())
    return prefix + "_" + "_".join(w for w in words if w)


def backend_egress(backend_id, backend, run=None):
    """The NetworkPolicy egress a Kubernetes gateway needs for a model backend it lists: the
    pods of one the collection runs (``run``: its workload), its pods (backend.k8s) or the
    IPv4 address of its URL, on the URL's port; nothing for a host name outside the cluster
    (public HTTPS, or an entry of network.egress)."""
    if run:
        return [{"name": "backend %s" % backend_id, "namespace": run["k8s"]["namespace"],
                 "pod_labels": {"app.kubernetes.io/instance": run["name"]},
                 "ports": [{"port": run["port"]}]}]
    url = urlparse(backend["url"])
    port = url.port or (443 if url.scheme == "https" else 80)
    ports = [{"port": port}]
    if backend.get("k8s"):
        rule = {"name": "backend %s" % backend_id, "namespace": backend["k8s"]["namespace"],
                "ports": ports}
        if backend["k8s"].get("pod_labels"):
            rule["pod_labels"] = dict(backend["k8s"]["pod_labels"])
        return [rule]
    if re.match(r"^\d{1,3}(\.\d{1,3}){3}$", url.hostname or ""):
        return [{"name": "backend %s" % backend_id, "cidr": url.hostname + "/32",
                 "ports": ports}]
    return []


def env_secret_ref(name):
    """The only shape a secret takes in a rendered openclaw.json."""
    return {"source": "env", "provider": "default", "id": name}


def k8s_object_names(instance):
    """Names of a Kubernetes gateway's namespaced objects (all start with the instance)."""
    return {"deployment": instance, "service": instance, "service_account": instance,
            "network_policy": instance, "config_map": instance + "-config",
            "seeds_map": instance + "-seeds", "secret": instance + "-env",
            "pvc": instance + "-state", "cluster_role": "clawops:%s:read" % instance,
            "ingress": instance, "tls_secret": instance + "-tls"}


def k8s_spec(org, gw_id, instance, target, cluster, overrides, exposure):
    """What the gateway_k8s role needs about the cluster side of one gateway."""
    network = dict(cluster.get("network", {}))
    network.update(overrides.get("network", {}))
    namespace = target["namespace"]
    ingress = network.get("ingress_namespaces", [namespace]) if exposure == "lan" else []
    volume_permissions = bool(cluster.get("volume_permissions", False))
    adopt = overrides.get("adopt") or {}
    names = k8s_object_names(instance)
    if adopt.get("pvc"):
        names["pvc"] = adopt["pvc"]
    rules = [{"apiGroups": list(r["api_groups"]), "resources": list(r["resources"]),
              "verbs": list(r["verbs"])} for r in overrides.get("cluster_rules", [])]
    return {
        "cluster": target["cluster"],
        "namespace": namespace,
        # a namespace of its own (per_gateway) goes with the gateway on removal
        "dedicated_namespace": overrides["dedicated_namespace"],
        "kubeconfig": cluster.get("kubeconfig"),
        "context": cluster.get("context"),
        "storage_class": cluster.get("storage_class"),
        "storage_size": overrides.get("storage_size", cluster.get("storage_size",
                                                                  DEFAULT_K8S_STORAGE)),
        "volume_permissions": volume_permissions,
        # restricted admits the gateway pod; the root chown init container needs baseline
        "pod_security": "baseline" if volume_permissions else "restricted",
        "cluster_read": bool(rules) or bool(overrides.get("cluster_read",
                                                          cluster.get("cluster_read", False))),
        # extra ClusterRole rules (adopted deployments: ArgoCD Applications, ...)
        "cluster_rules": rules,
        "cluster_rules_write": bool(overrides.get("cluster_rules_write", False)),
        "ingress_namespaces": sorted(ingress),
        "ingress_all_namespaces": exposure == "lan" and bool(
            network.get("ingress_all_namespaces", False)),
        "public_https": bool(network.get("public_https", True)),
        "egress": network.get("egress", []),
        "state_root": cluster.get("state_root", "~/.clawops/k8s/%s" % target["cluster"]),
        "names": names,
        # an adopted claim is the user's: mounted, never created, resized or deleted
        "adopted_pvc": bool(adopt.get("pvc")),
        "extra_labels": dict(adopt.get("labels") or {}),
        "annotations": dict(adopt.get("annotations") or {}),
        # env from Secrets the collection does not own: NAME -> {name, key} of the Secret
        "secret_env": {name: dict(ref) for name, ref in
                       sorted((overrides.get("secret_env") or {}).items())},
        "labels": {"app.kubernetes.io/name": "openclaw",
                   "app.kubernetes.io/instance": instance,
                   "app.kubernetes.io/part-of": org.org_slug,
                   "app.kubernetes.io/managed-by": "clawops",
                   "clawops.dev/gateway": gw_id},
    }


def controller_paths(state_root, org_slug, gw_id):
    """Where a Kubernetes gateway's rendered files, revisions and backups live on the
    controller (a Compose gateway keeps them on its host)."""
    root = posixpath.join(state_root, org_slug, gw_id)
    return {"root": root, "config_dir": root + "/config",
            "config_path": root + "/config/openclaw.json",
            "manifest_path": root + "/manifests.yml",
            "env_file": root + "/secret.sha256",
            "revisions_dir": root + "/revisions", "backups_dir": root + "/backups",
            "staging_dir": root + "/staging"}


def records(runtime):
    """Where a gateway's deployed files, revisions and backups are kept, whatever the provider:
    on the Compose host (where its tasks run), or on the controller for a Kubernetes gateway
    (``~`` expands there). ``spec_path`` is the deployed spec: compose.yml or the objects file."""
    if runtime["provider"] == "compose":
        paths = runtime["host_paths"]
        spec_path = paths["root"] + "/compose.yml"
    else:
        paths = runtime["controller_paths"]
        spec_path = paths["manifest_path"]
    return {"revisions_dir": paths["revisions_dir"], "backups_dir": paths["backups_dir"],
            "config_path": paths["config_path"], "spec_path": spec_path,
            "env_path": paths["env_file"]}


def endpoint(runtime):
    """How the gateway is reached - what every module that talks to it takes (its
    ``endpoint`` option, doc fragment gateway_endpoint): provider, instance, port;
    ``address``: where the controller's probes and the CLI's HTTP calls go for a Compose
    gateway (its published address, loopback for one published on every interface; none for
    a pod, reached by exec); ``url``: what status shows a person (the published address, or
    the Service's in-cluster name); for a pod its namespace, Deployment and cluster access."""
    port = runtime["port"]
    found = {"provider": runtime["provider"], "instance": runtime["instance"], "port": port}
    if runtime["provider"] == "k8s":
        k8s = runtime["k8s"]
        found.update(address=None, url="http://%s.%s.svc:%d/" % (
            k8s["names"]["service"], k8s["namespace"], port), namespace=k8s["namespace"],
            deployment=k8s["names"]["deployment"], kubeconfig=k8s["kubeconfig"],
            context=k8s["context"])
        return found
    published = runtime["publish_address"]
    if published is None:  # hosted: only its proxy publishes a port; probes run inside
        found.update(address=None, url=runtime["hosted"]["origin"] + "/")
        return found
    found.update(address="127.0.0.1" if published == "0.0.0.0" else published,  # nosec B104
                 url="http://%s:%d/" % ("localhost" if published == "0.0.0.0" else published,
                                        port))
    return found


def dump_config(config):
    """Canonical text of a rendered config (sorted keys, 2-space indent, final newline)."""
    return json.dumps(config, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class GatewayPlan:
    """Everything a deploy needs about one gateway, computed once."""

    def __init__(self, gateway, summary, config, prov, runtime):
        self.gateway = gateway
        self.summary = summary
        self.config = config
        self.prov = prov
        self.runtime = runtime
        self.policy = None
        self._text = None

    @property
    def config_text(self):
        """Canonical openclaw.json text (computed on first use)."""
        if self._text is None:
            self._text = dump_config(self.config)
        return self._text

    def public_config(self):
        """(config, text) for places that show it (inventory hostvars): every literal secret
        preflight refuses replaced, so ansible-inventory --list never prints one (a fleet
        with one does not pass preflight, so nothing is deployed from this copy)."""
        text = self.config_text
        if not LITERAL_HINT.search(text):
            return self.config, text
        config, count = redact_literal_secrets(self.config)
        return (config, dump_config(config)) if count else (self.config, text)

    @property
    def config_sha256(self):
        return hashlib.sha256(self.config_text.encode("utf-8")).hexdigest()

    @property
    def restart_sha256(self):
        """Fingerprint of the paths the running gateway cannot take without a restart
        (_reload.restart_fingerprint): the container/pod changes only when it changes."""
        return restart_fingerprint(self.config)

    def provenance(self, prefix=()):
        """Rows ``{path, value, layer, file, file_path}`` for every leaf under ``prefix``."""
        rows = []
        for path, value, src in provenance_rows(self.config, self.prov):
            if tuple(path[:len(prefix)]) != tuple(prefix):
                continue
            rows.append({
                "path": _dotted(path),
                "value": value,
                "layer": src.layer if src else "unknown",
                "file": src.file if src else "",
                "file_path": _dotted(src.path) if src else "",
            })
        return rows

    def as_dict(self, provenance=False):
        out = {
            "gateway": self.summary,
            "config": self.config,
            "config_sha256": self.config_sha256,
            "restart_sha256": self.restart_sha256,
            "runtime": self.runtime,
        }
        if provenance:
            out["provenance"] = self.provenance()
        return out


def _dotted(path):
    out = ""
    for part in path:
        out += "[%d]" % part if isinstance(part, int) else ("." if out else "") + str(part)
    return out


class Renderer:
    """Renders gateways of one loaded fleet; caches per-scope work across gateways."""

    def __init__(self, fleet, catalog=None):
        self.fleet = fleet
        self.files = fleet.files
        self._layer_cache = {}
        self.catalog = catalog if catalog is not None else load_catalog(fleet)
        self.policy = PolicyEngine(fleet, self.catalog)
        self.secret_scope = Scope(fleet.data.get("secrets"), fleet.org.org_slug)

    # -- layers ----------------------------------------------------------------
    def _scope_layers(self, rel, layer_data, cache_key, base=()):
        """Resolved (value, prov) pairs of a scope's config layer, in order.

        ``base`` is where the scope's ``config:`` sits in ``rel`` (agents[i] for agents).
        """
        if cache_key in self._layer_cache:
            return self._layer_cache[cache_key]
        parts = []
        for index, template in enumerate(layer_data.get("templates", [])):
            target = self.files.resolve_ref(template, rel, base + ("config", "templates", index),
                                            "template")
            value, prov, dummy = self.files.load_template(target)
            parts.append((value, prov))
        if layer_data.get("overrides"):
            value, prov, dummy = self.files.resolve(layer_data["overrides"], rel,
                                                    base + ("config", "overrides"), (rel,))
            parts.append((value, prov))
        self._layer_cache[cache_key] = parts
        return parts

    def _apply_scope(self, config, prov, rel, data, layer, variables, guard, cache_key):
        for value, vprov in self._scope_layers(rel, data.get("config", {}), cache_key):
            merge_into(config, prov, value, vprov, layer, variables, guard)

    # -- variables -------------------------------------------------------------
    def _variables(self, gw, runtime):
        org = self.fleet.org
        values = {
            "org.org_id": org.org_id, "org.org_slug": org.org_slug,
            "org.display_name": org.display_name,
            "gateway.id": gw.id, "gateway.instance": runtime["instance"],
            "gateway.port": gw.port, "gateway.profile": gw.profile,
            "gateway.trust_level": gw.trust_level, "gateway.wave": gw.wave,
            "gateway.provider": gw.provider,
        }
        for name, value in runtime["paths"].items():
            values["paths." + name] = value
        for name, value in gw.variables.items():
            values["vars." + name] = value
        return Variables(values, "gateway")

    # -- runtime spec ----------------------------------------------------------

    @staticmethod
    def _image_refs(repository, version, tag, digest):
        """The gateway's image refs, written once: ``ref`` names what a build makes
        (repository:tag); ``pinned_ref`` the fleet's digest pin (repository@digest, which the
        deploy must match); ``run_ref`` what a gateway runs when nothing was built here."""
        ref = "%s:%s" % (repository, tag) if tag else None
        pinned = "%s@%s" % (repository, digest) if digest else None
        return {"repository": repository, "version": version, "tag": tag, "ref": ref,
                "digest": digest, "pinned_ref": pinned, "run_ref": pinned or ref}

    def runtime(self, gw):
        org = self.fleet.org
        settings = gw.settings
        instance = gw.data.get("instance") or "%s-%s" % (org.org_slug, gw.id)
        image = dict(settings.get("image", {}))
        version = image.get("version")
        repository = image.get("repository", DEFAULT_IMAGE_REPOSITORY)
        tag = image.get("tag", version)
        resources = dict(DEFAULT_RESOURCES)
        resources.update(settings.get("resources", {}))
        exposure = settings.get("exposure", "loopback")
        target = dict(gw.data["provider"])
        ptype = target.pop("type")
        hosted = None
        if settings.get("hosted"):
            try:
                hosted = _hosted.spec(settings["hosted"], gw.id, org.org_slug, gw.port, ptype)
            except _hosted.HostedProblem as exc:
                file, key_path = gw.setting_source("hosted")
                raise ReferenceProblem(str(exc), file, key_path,
                                       "fix hosted.domain / hosted.subnet (docs/hosted.md)",
                                       code="hosted.invalid")
            # reachable beyond loopback, but only through its proxy (Compose: nothing of
            # the gateway is published; Kubernetes: the Ingress controller's namespace)
            exposure = "hosted"
        root_override = target.pop("root", None)
        path_overrides = target.pop("paths", {})
        k8s_overrides = {key: target.pop(key) for key in (
            "storage_size", "cluster_read", "network", "adopt", "secret_env", "cluster_rules",
            "cluster_rules_write") if key in target}
        if ptype == "k8s":
            cluster = self.fleet.data["targets"]["k8s_clusters"][target["cluster"]]
            k8s_overrides["dedicated_namespace"] = False
            if "namespace" not in target:
                if cluster.get("namespace_mode", "per_org") == "per_gateway":
                    k8s_overrides["dedicated_namespace"] = True
                    target["namespace"] = instance
                else:
                    target["namespace"] = cluster.get("namespace",
                                                      "%s-gateways" % org.org_slug)
        runtime = {
            "instance": instance,
            "provider": ptype,
            "target": target,
            "port": gw.port,
            "port_range": [gw.port, gw.port + DERIVED_PORT_SPAN],
            "exposure": exposure,
            "publish_address": None if hosted else (
                "0.0.0.0" if exposure == "lan" else "127.0.0.1"),  # nosec B104
            "hosted": hosted,
            "image": self._image_refs(repository, version, tag, image.get("digest")),
            "paths": dict(GATEWAY_PATHS),
            "user": {"uid": GATEWAY_UID, "gid": GATEWAY_UID},
            "resources": resources,
            "labels": {
                "clawops.org": org.org_id, "clawops.org-slug": org.org_slug,
                "clawops.gateway": gw.id, "clawops.profile": gw.profile,
                "clawops.trust-level": gw.trust_level, "clawops.wave": str(gw.wave),
            },
        }
        if ptype == "compose":
            runtime["host_paths"] = host_paths(
                target["host"], self.fleet.data["targets"]["compose_hosts"][target["host"]],
                org.org_slug, gw.id, gw.file, root_override, path_overrides)
        if hosted and ptype == "compose":
            hosted["host_dir"] = runtime["host_paths"]["root"] + "/proxy"
            hosted["conf"] = _hosted.nginx_conf(hosted, "gateway", gw.port)
        if ptype == "k8s":
            runtime["k8s"] = k8s_spec(org, gw.id, instance, target, cluster, k8s_overrides,
                                      "lan" if hosted else exposure)
            runtime["controller_paths"] = controller_paths(runtime["k8s"]["state_root"],
                                                           org.org_slug, gw.id)
        runtime["records"] = records(runtime)
        runtime["endpoint"] = endpoint(runtime)
        paths = runtime["paths"]
        runtime["env"] = dict(BASE_ENV, HOME=paths["home"], XDG_CACHE_HOME=paths["cache_dir"],
                              OPENCLAW_STATE_DIR=paths["state_dir"],
                              OPENCLAW_CONFIG_PATH=paths["config_path"])
        return runtime

    # -- render ----------------------------------------------------------------
    def render(self, gw):
        runtime = self.runtime(gw)
        variables = self._variables(gw, runtime)
        errors = []
        config, prov = {}, {}
        merge_into(config, prov, BUILTIN_CONFIG, BUILTIN)

        fleet_data = self.fleet.data
        self._apply_scope(config, prov, FLEET_FILE, fleet_data, "org", variables,
                          MANAGED_CONFIG, ("org",))
        for group in gw.groups:
            self._apply_scope(config, prov, group.file, group.data, "group:" + group.id,
                              variables, MANAGED_CONFIG, ("group", group.id))
        self._apply_scope(config, prov, gw.file, gw.data, "gateway", variables,
                          MANAGED_CONFIG, ("gateway", gw.id))

        secret_env = self._secret_env(gw, variables, errors)
        if runtime["hosted"]:
            # the TLS certificate and key: secret references, resolved at apply time like
            # the env's (the same variables and scopes), written only into the proxy's files
            h_file, h_path = gw.setting_source("hosted")
            runtime["hosted"]["tls"] = {
                part: self._in_scope(self._resolve_ref(
                    ref, variables, h_file, h_path + ("tls", part)), h_file,
                    h_path + ("tls", part), errors)
                for part, ref in sorted(runtime["hosted"]["tls"].items())}
        self._channels(gw, config, prov, secret_env, errors, variables)
        self._backends(gw, config, prov, runtime, secret_env, variables, errors)
        self._adopted_env(gw, runtime, secret_env, errors)
        self._bindings(gw, config, prov)
        agents_rt = self._agents(gw, config, prov, variables, runtime)
        policy = compile_policy(self.policy, gw, config, prov)
        self._managed(gw, config, prov, runtime)
        self._ownership(gw, config, prov, runtime, errors)
        if errors:
            raise FleetErrors(errors)
        runtime["secret_env"] = secret_env
        runtime["agents"] = agents_rt
        runtime["devices"] = gw.data.get("devices", {})
        # official plugin packages (at the gateway's openclaw version): baked into the image
        # by gateway_image, copied into the state dir before the gateway starts
        # (a spec that pins its own version keeps it)
        runtime["plugin_installs"] = [pkg if "@" in pkg[1:] else
                                      "%s@%s" % (pkg, runtime["image"]["version"])
                                      for pkg in policy["npm_plugins"]]
        if runtime["plugin_installs"]:
            runtime["plugin_seed_command"] = ["/bin/sh", "-c",
                                              seed_script(runtime["paths"]["state_dir"])]
        summary = {
            "id": gw.id, "instance": runtime["instance"], "file": gw.file,
            "org_id": self.fleet.org.org_id, "org_slug": self.fleet.org.org_slug,
            "groups": [g.id for g in gw.groups], "profile": gw.profile,
            "trust_level": gw.trust_level, "wave": gw.wave, "provider": gw.provider,
            "port": gw.port, "exposure": runtime["exposure"],
            "agents": [a["id"] for a in agents_rt],
        }
        plan = GatewayPlan(gw, summary, config, prov, runtime)
        plan.policy = policy
        return plan

    def _resolve_ref(self, ref, variables, rel, key_path):
        out = {}
        for key, value in ref.items():
            src = Source("gateway", rel, key_path + (key,))
            out[key] = variables.apply(value, src) if isinstance(value, str) else value
        return out

    def _in_scope(self, ref, rel, key_path, errors):
        why = self.secret_scope.problem(ref)
        if why:
            errors.append(ReferenceProblem("secret reference out of scope: %s" % why[0], rel,
                                           key_path, why[1], code="secret.out-of-scope"))
        return ref

    def _secret_env(self, gw, variables, errors):
        """Secret references of the gateway, keyed by the env var that delivers them."""
        settings = gw.settings
        auth = settings.get("auth", {})
        mode = auth.get("mode", "token")
        secret_env = {}
        auth_file, auth_path = gw.setting_source("auth")
        if auth.get(mode):
            secret_env["OPENCLAW_GATEWAY_" + mode.upper()] = self._in_scope(self._resolve_ref(
                auth[mode], variables, auth_file, auth_path + (mode,)), auth_file,
                auth_path + (mode,), errors)
        else:
            exposed = settings.get("exposure", "loopback") != "loopback"
            errors.append(ReferenceProblem(
                "no %s reference for gateway auth (mode %s)%s" % (
                    mode, mode, "; the gateway is exposed beyond loopback" if exposed else ""),
                gw.file, ("auth",),
                "set auth.%s: {source: env|file|vault, ...} on the gateway, a group's defaults "
                "or fleet.yml defaults (a generated token is never written to git)" % mode,
                code="security.exposure-without-auth" if exposed else "security.auth-missing"))
        env_file, env_path = gw.setting_source("env")
        for name, ref in sorted(settings.get("env", {}).items()):
            if name.startswith(RESERVED_ENV_PREFIXES):
                errors.append(ReferenceProblem(
                    "env name %r is reserved for clawops/OpenClaw" % name, env_file,
                    env_path + (name,), "pick a name without the prefixes %s"
                    % ", ".join(RESERVED_ENV_PREFIXES)))
                continue
            secret_env[name] = self._in_scope(
                self._resolve_ref(ref, variables, env_file, env_path + (name,)), env_file,
                env_path + (name,), errors)
        return secret_env

    def _backends(self, gw, config, prov, runtime, secret_env, variables, errors):
        """The fleet's model backends this gateway lists, as models.providers.<id> (what
        docs/backends.md says is injected); their key as an env SecretRef: the backend's
        secret reference, or a placeholder env value where the server takes any key."""
        declared = self.fleet.data.get("backends") or {}
        runtime["backends"] = []
        for backend_id in gw.data.get("backends") or []:
            backend = declared[backend_id]
            where = ("backends", backend_id)
            key_env = env_name("backend", backend_id, "key")
            if backend.get("api_key"):
                secret_env[key_env] = self._in_scope(
                    self._resolve_ref(backend["api_key"], variables, FLEET_FILE,
                                      where + ("api_key",)),
                    FLEET_FILE, where + ("api_key",), errors)
            else:
                runtime["env"][key_env] = "clawops-no-key"
            run = None
            if backend.get("run"):
                sidecar = backend["run"].get("placement") == "sidecar"
                if sidecar and gw.provider != "compose":
                    errors.append(ReferenceProblem(
                        "backend %r is a sidecar, which only a Compose gateway's project "
                        "runs" % backend_id, FLEET_FILE, where + ("run", "placement"),
                        "use placement shared (its own Deployment and Service in the "
                        "cluster, which this gateway's pod reaches alone among its pods)"))
                    continue
                run = backend_workload(self.fleet.org.org_slug, backend_id, backend,
                                       self._backend_location(backend, runtime),
                                       runtime["instance"] if sidecar else None)
            url = run["url"] if run else backend["url"]
            entry = {
                "baseUrl": url,
                "api": backend.get("api", "openai-completions"),
                "apiKey": env_secret_ref(key_env),
                "models": [{"id": model, "name": model,
                            "contextWindow": backend.get("context_window", 8192),
                            "maxTokens": backend.get("max_tokens", 2048)}
                           for model in backend["models"]],
            }
            compat = dict(LLAMA_SERVER_COMPAT if run and not run["image"] else {},
                          **(backend.get("compat") or {}))
            if compat:
                for model in entry["models"]:
                    model["compat"] = dict(compat)
            set_leaf(config, prov, ("models", "providers", backend_id), entry,
                     same_source(entry, Source("org", FLEET_FILE, where)))
            runtime["backends"].append({
                "id": backend_id, "url": url, "api": entry["api"],
                "models": list(backend["models"]), "key_env": key_env, "run": run})
            if runtime.get("k8s"):
                runtime["k8s"]["egress"] = list(runtime["k8s"]["egress"]) + \
                    backend_egress(backend_id, backend, run)

    def _backend_location(self, backend, runtime):
        """Where a backend the collection runs lives in a Kubernetes gateway's cluster: the
        namespace of backends.<id>.k8s, else the cluster's shared gateway namespace (the
        same for every gateway of the cluster that lists it, whatever its namespace mode);
        its pods are admitted like the gateways' (volume_permissions). None on Compose."""
        if not runtime.get("k8s"):
            return None
        cluster = self.fleet.data["targets"]["k8s_clusters"][runtime["k8s"]["cluster"]]
        namespace = (backend.get("k8s") or {}).get("namespace") or cluster.get(
            "namespace", "%s-gateways" % self.fleet.org.org_slug)
        k8s = runtime["k8s"]
        return {"namespace": namespace, "org_id": self.fleet.org.org_id,
                "volume_permissions": k8s["volume_permissions"],
                "pod_security": k8s["pod_security"], "storage_class": k8s["storage_class"],
                "kubeconfig": k8s["kubeconfig"], "context": k8s["context"]}

    @staticmethod
    def _adopted_env(gw, runtime, secret_env, errors):
        """Env a K8s gateway takes from Secrets the collection does not own may not replace
        what the collection sets (its runtime env, the token, the account secrets)."""
        for name in (runtime.get("k8s") or {}).get("secret_env", {}):
            if name in secret_env or name in runtime["env"]:
                errors.append(ReferenceProblem(
                    "secret_env name %r is one the collection sets itself" % name, gw.file,
                    ("provider", "secret_env", name),
                    "pick another name; the collection sets %s" % ", ".join(
                        sorted(set(secret_env) | set(runtime["env"])))))

    def _channels(self, gw, config, prov, secret_env, errors, variables=None):
        for channel, spec in gw.data.get("channels", {}).items():
            for account_id, account in spec["accounts"].items():
                base = ("channels", channel, "accounts", account_id)
                src = Source("gateway", gw.file, base)
                entry, eprov = {}, {}
                if account.get("settings"):
                    merge_into(entry, eprov, account["settings"], child_source(src, "settings"),
                               "gateway", variables, None, base)
                for field_name, ref in account.get("secrets", {}).items():
                    name = env_name(channel, account_id, field_name)
                    if name in secret_env:
                        errors.append(ReferenceProblem(
                            "secret env name %s is produced twice" % name, gw.file,
                            base + ("secrets", field_name),
                            "rename one of the accounts so their ids differ by more than "
                            "punctuation or case"))
                        continue
                    secret_env[name] = self._in_scope(dict(ref), gw.file,
                                                      base + ("secrets", field_name), errors)
                    entry[field_name] = env_secret_ref(name)
                    eprov[field_name] = same_source(entry[field_name], Source(
                        "gateway", gw.file, base + ("secrets", field_name)))
                set_leaf(config, prov, base, entry, eprov)

    def _bindings(self, gw, config, prov):
        bindings = gw.data.get("bindings", [])
        if not bindings:
            return
        rendered, bprov = [], []
        for index, binding in enumerate(bindings):
            item = {"type": "route", "agentId": binding["agentId"],
                    "match": dict(binding["match"])}
            if binding.get("comment"):
                item["comment"] = binding["comment"]
            rendered.append(item)
            src = Source("gateway", gw.file, ("bindings", index))
            bprov.append({"type": src, "agentId": Source("gateway", gw.file, src.path + ("agentId",)),
                          "match": Source("gateway", gw.file, src.path + ("match",)),
                          "comment": Source("gateway", gw.file, src.path + ("comment",))})
        config["bindings"] = rendered
        prov["bindings"] = bprov

    def _agents(self, gw, config, prov, variables, runtime):
        paths = runtime["paths"]
        host_paths = runtime.get("host_paths")
        entries, eprov = {}, {}
        agents_rt = []
        for agent in gw.agents:
            layer = "agent:" + agent.id
            base = ("agents", "entries", agent.id)
            src = Source(layer, gw.file, agent.key_path)
            entry, aprov = {}, {}
            fields = {k: agent.data[k] for k in AGENT_FIELDS if k in agent.data}
            scope_vars = variables.child({
                "agent.id": agent.id, "agent.kind": agent.kind,
                "agent.owner": agent.data.get("owner", ""),
                "agent.name": agent.data.get("name", agent.id)}, "agent")
            merge_into(entry, aprov, fields, src, layer, scope_vars, MANAGED_AGENT, base)
            for value, vprov in self._scope_layers(gw.file, agent.data.get("config", {}),
                                                   ("agent", gw.id, agent.id), agent.key_path):
                merge_into(entry, aprov, value, vprov, layer, scope_vars, MANAGED_AGENT, base)
            workspace = posixpath.join(paths["workspace_root"],
                                       agent.data.get("workspace", agent.id))
            agent_dir = posixpath.join(paths["state_dir"], "agents",
                                       agent.data.get("agent_dir", agent.id), "agent")
            entry["workspace"] = workspace
            aprov["workspace"] = Source("managed", gw.file, agent.key_path + ("workspace",))
            entry["agentDir"] = agent_dir
            aprov["agentDir"] = Source("managed", gw.file, agent.key_path + ("agent_dir",))
            entries[agent.id] = entry
            eprov[agent.id] = aprov
            item = {"id": agent.id, "kind": agent.kind, "owner": agent.data.get("owner"),
                    "workspace": workspace, "agent_dir": agent_dir,
                    "workspace_seed": None}
            if agent.data.get("workspace_seed"):
                item["workspace_seed"] = self._seed(gw, agent)
                item["seed_mode"] = agent.data.get("seed_mode", "seed_only")
            elif agent.data.get("seed_mode") == "managed":
                raise ReferenceProblem(
                    "agent %r has seed_mode managed but no workspace_seed" % agent.id, gw.file,
                    agent.key_path + ("seed_mode",), "add workspace_seed: <dir in the fleet "
                    "repo>, or remove seed_mode")
            if host_paths:
                item["host_workspace"] = posixpath.join(
                    host_paths["workspace_root"], agent.data.get("workspace", agent.id))
                item["host_agent_dir"] = posixpath.join(
                    host_paths["state_dir"], "agents", agent.data.get("agent_dir", agent.id),
                    "agent")
            agents_rt.append(item)
        set_leaf(config, prov, ("agents", "entries"), entries, eprov)
        return agents_rt

    def _seed(self, gw, agent):
        ref = agent.data["workspace_seed"]
        key_path = agent.key_path + ("workspace_seed",)
        base = os.path.dirname(self.files.abspath(gw.file))
        target = os.path.normpath(os.path.join(base, ref))
        rel = self.files.rel(target)
        self.files.seed_tree(rel, gw.file, key_path)  # raises on an unsafe tree
        return rel

    def _ownership(self, gw, config, prov, runtime, errors):
        """Who owns which config paths (module_utils/_ownership.py): the org's, groups' and
        gateway's ``config.ownership`` merged; observed paths left out of the rendered
        config; a gateway that owns any path gets a config it may write (Compose only)."""
        layers = [(FLEET_FILE, self.fleet.data)] + [(g.file, g.data) for g in gw.groups] + [
            (gw.file, gw.data)]
        merged = {}
        for rel, data in layers:
            layer = (data.get("config") or {}).get("ownership") or {}
            for pattern, mode in layer.items():
                where = ("config", "ownership", pattern)
                try:
                    _ownership.check(pattern, mode)
                except _ownership.OwnershipError as exc:
                    errors.append(ReferenceProblem(str(exc), rel, where, exc.fix,
                                                   code="config.ownership"))
                    continue
                merged[pattern] = mode
        merged = {k: merged[k] for k in sorted(merged)}
        writable = _ownership.writable(merged)
        if writable and runtime["provider"] == "k8s":
            errors.append(ReferenceProblem(
                "ownership seed_only/observed needs a config the gateway may write; a "
                "Kubernetes gateway's config is its ConfigMap, read-only in the pod", gw.file,
                ("config", "ownership"), "use these modes on Compose gateways, or keep the "
                "paths managed (docs/day2.md, \"Config ownership\")", code="config.ownership"))
            writable = False
        # what a template set at an observed path is not written: the gateway's value is
        # (its provenance entry stays behind, unread: provenance is read along the config)
        for path in _ownership.observed_roots(config, merged):
            _ownership.drop(config, path)
        runtime["config_ownership"] = merged
        runtime["config_writable"] = writable
        if writable:
            runtime["env"].pop("OPENCLAW_CONFIG_READONLY", None)

    def _managed(self, gw, config, prov, runtime):
        auth_mode = gw.settings.get("auth", {}).get("mode", "token")
        auth_file, auth_path = gw.setting_source("auth")
        exp_file, exp_path = gw.setting_source("exposure")
        set_leaf(config, prov, ("gateway", "mode"), "local", Source("managed", "(clawops)", ()))
        set_leaf(config, prov, ("gateway", "port"), gw.port,
                 Source("managed", gw.file, ("port",)))
        # Inside a container the gateway must listen on all interfaces of its own network
        # namespace; 'exposure' decides what the host publishes (127.0.0.1 or all).
        set_leaf(config, prov, ("gateway", "bind"), "lan",
                 Source("managed", exp_file, exp_path))
        auth = {"mode": auth_mode,
                auth_mode: env_secret_ref("OPENCLAW_GATEWAY_" + auth_mode.upper())}
        set_leaf(config, prov, ("gateway", "auth"), auth,
                 same_source(auth, Source("managed", auth_file, auth_path)))
        set_leaf(config, prov, ("logging", "file"), runtime["paths"]["log_file"],
                 Source("managed", "(clawops)", ()))
        hosted = runtime.get("hosted")
        if hosted:
            # the domain's origin may load the Control UI; forwarded client addresses are
            # believed from the collection's proxy only (docs/hosted.md)
            h_file, h_path = gw.setting_source("hosted")
            origins = list(config.get("gateway", {}).get("controlUi", {}).get(
                "allowedOrigins") or [])
            if hosted["origin"] not in origins:
                set_leaf(config, prov, ("gateway", "controlUi", "allowedOrigins"),
                         origins + [hosted["origin"]],
                         Source("managed", h_file, h_path + ("domain",)))
            if runtime["provider"] == "compose":
                set_leaf(config, prov, ("gateway", "trustedProxies"), [hosted["proxy_address"]],
                         Source("managed", h_file, h_path))
        pairing = config.get("gateway", {}).get("nodes", {}).get("pairing", {})
        if runtime["exposure"] != "loopback" and "autoApproveLocal" not in pairing:
            # An exposed gateway approves no device silently unless the fleet says so.
            set_leaf(config, prov, ("gateway", "nodes", "pairing", "autoApproveLocal"), False,
                     Source("managed", exp_file, exp_path))
        if len(gw.agents) > 1:
            # OpenClaw requires the explicit ownership marker for multi-agent rosters.
            set_leaf(config, prov, ("agents", "ownership"), "explicit",
                     Source("managed", gw.file, ("agents",)))
        set_leaf(config, prov, ("agents", "defaults", "workspace"),
                 runtime["paths"]["workspace_root"] + "/_default",
                 Source("managed", "(clawops)", ()))


@pausing
def render_fleet(fleet, gateway_ids=None, renderer=None):
    """Render every gateway (or the given ids); all errors are raised together."""
    renderer = renderer or Renderer(fleet)
    plans, errors = {}, []
    for gw_id in gateway_ids or sorted(fleet.gateways):
        gw = fleet.gateway(gw_id)
        try:
            plans[gw_id] = renderer.render(gw)
        except FleetErrors as exc:
            errors.extend(exc.errors)
        except FleetError as exc:
            errors.append(exc)
    if errors:
        raise FleetErrors(_dedupe(errors))
    return plans


def _dedupe(errors):
    seen, out = set(), []
    for err in errors:
        key = err.render()
        if key not in seen:
            seen.add(key)
            out.append(err)
    return out
