# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Import a gateway somebody runs by hand in a Kubernetes namespace (a Deployment applied
with ``kubectl apply``): the same import as a Docker host's (``_import``), with the pod's
env, volumes and the Secrets it references read from the API server instead of
``docker inspect``.

What is adopted as it is: the PersistentVolumeClaim holding the state (``provider.adopt.pvc``),
the Deployment's own labels (``provider.adopt.labels``: the hand-made Service keeps selecting
the new pod), and every env variable that comes from a Secret the collection does not own
(``provider.secret_env``: the value never leaves the cluster) - except the gateway's token,
which the collection needs to gate the gateway: its value goes to a 0600 file as on a Docker
host. The collection keeps the claim as the gateway's home (state in ``.openclaw``,
workspaces in ``workspaces/<name>``); where the hand-made pod mounts it elsewhere (seed 002
mounts it at the state dir), the takeover moves the directories inside the claim (renames on
one file system: no byte is copied) and a failed takeover moves them back
(``layout_script``). Pure Python, no Ansible."""

from __future__ import annotations

import posixpath
import re
import shlex

from ._import import _Importer, parse_version, split_env
from ._render import BASE_ENV, GATEWAY_PATHS

HOME = GATEWAY_PATHS["home"]
STATE_NAME = posixpath.basename(GATEWAY_PATHS["state_dir"])          # .openclaw
WORKSPACES_NAME = posixpath.basename(GATEWAY_PATHS["workspace_root"])  # workspaces
# what the collection sets on every object and pod; never adopted from the hand-made ones
RESERVED_LABEL_PREFIXES = ("app.kubernetes.io/", "clawops", "pod-template-hash",
                           "kubectl.kubernetes.io/")
# env the collection sets itself in a K8s gateway's pod (besides the token, from its Secret)
COLLECTION_ENV = ("OPENCLAW_GATEWAY_TOKEN", "OPENCLAW_GATEWAY_PASSWORD") + tuple(BASE_ENV)
_CLAIM = re.compile(r"^pvc:([^/]+)(?:/(.*))?$")
GATEWAY_CONTAINERS = ("gateway", "openclaw")


def _pod_spec(deployment):
    return ((deployment.get("spec") or {}).get("template") or {}).get("spec") or {}


def gateway_container(pod_spec):
    """The gateway's container of a pod spec: named gateway or openclaw, else the first one
    whose image or command says openclaw, else the first."""
    containers = [c for c in (pod_spec or {}).get("containers") or [] if isinstance(c, dict)]
    for name in GATEWAY_CONTAINERS:
        for container in containers:
            if container.get("name") == name:
                return container
    for container in containers:
        text = " ".join([container.get("image") or ""] + [str(x) for x in (
            container.get("command") or []) + (container.get("args") or [])])
        if "openclaw" in text:
            return container
    return containers[0] if containers else {}


def secrets_used(deployment):
    """The names of the Secrets the gateway container's env reads (``env`` and ``envFrom``):
    what the playbook reads (no_log) so the import can tell the token from the rest."""
    container = gateway_container(_pod_spec(deployment))
    names = set()
    for item in container.get("env") or []:
        ref = ((item.get("valueFrom") or {}).get("secretKeyRef") or {})
        if ref.get("name"):
            names.add(ref["name"])
    for item in container.get("envFrom") or []:
        if (item.get("secretRef") or {}).get("name"):
            names.add(item["secretRef"]["name"])
    return sorted(names)


def config_maps_used(deployment):
    """The ConfigMaps the pod mounts or takes env from."""
    spec = _pod_spec(deployment)
    names = {(v.get("configMap") or {}).get("name") for v in spec.get("volumes") or []}
    container = gateway_container(spec)
    for item in container.get("env") or []:
        names.add(((item.get("valueFrom") or {}).get("configMapKeyRef") or {}).get("name"))
    for item in container.get("envFrom") or []:
        names.add((item.get("configMapRef") or {}).get("name"))
    return sorted(name for name in names if name)


def _decoded(secret):
    """A Secret's data as text (k8s_info returns it base64-encoded)."""
    import base64  # pylint: disable=import-outside-toplevel
    out = {}
    for key, value in ((secret or {}).get("data") or {}).items():
        try:
            out[key] = base64.b64decode(value).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            out[key] = None  # binary: never an env value OpenClaw reads
    out.update((secret or {}).get("stringData") or {})
    return out


def facts_from_deployment(deployment, services=(), config_maps=None, secrets=None,
                          agents=None, version_text=None, pod_files=None):
    """The facts ``_import`` needs, from the API server's answers.

    ``deployment``: the Deployment; ``services``: the namespace's Services; ``config_maps``:
    {name: ConfigMap}; ``secrets``: {name: Secret} of secrets_used (values: never print
    them); ``agents``/``version_text``: what ``openclaw agents list --json`` and ``openclaw
    --version`` printed in the running pod (None when it could not be asked);
    ``pod_files``: {container path: text} read in the pod (a config not on a ConfigMap).

    Besides the Docker host's keys (``env``, ``secret_env``, ``env_dropped``, ``mounts`` with
    ``pvc:<claim>[/<subPath>]`` sources, ``running``, ``agents``, ``version``) it has
    ``config_files`` ({container path: text}) and ``k8s`` (namespace, deployment, replicas,
    labels, secret_refs {VAR: {name, key}}, services, problems).
    """
    config_maps, secrets = config_maps or {}, secrets or {}
    meta = deployment.get("metadata") or {}
    spec = deployment.get("spec") or {}
    pod = _pod_spec(deployment)
    pod_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    container = gateway_container(pod)
    problems = []
    values, refs = {}, {}
    for item in container.get("env") or []:
        name = item.get("name")
        source = item.get("valueFrom") or {}
        if "value" in item or not source:
            values[name] = str(item.get("value", ""))
        elif source.get("secretKeyRef"):
            ref = source["secretKeyRef"]
            refs[name] = {"name": ref.get("name"), "key": ref.get("key")}
            value = _decoded(secrets.get(ref.get("name"))).get(ref.get("key"))
            if value is not None:
                values[name] = value
            elif not ref.get("optional"):
                problems.append("env %s: key %s of Secret %s is not readable" % (
                    name, ref.get("key"), ref.get("name")))
        elif source.get("configMapKeyRef"):
            ref = source["configMapKeyRef"]
            data = (config_maps.get(ref.get("name")) or {}).get("data") or {}
            if ref.get("key") in data:
                values[name] = data[ref["key"]]
        # fieldRef / resourceFieldRef: the pod's own facts, not the gateway's settings
    for item in container.get("envFrom") or []:
        prefix = item.get("prefix") or ""
        if (item.get("secretRef") or {}).get("name"):
            secret_name = item["secretRef"]["name"]
            for key, value in sorted(_decoded(secrets.get(secret_name)).items()):
                if value is not None and (prefix + key) not in values:
                    refs.setdefault(prefix + key, {"name": secret_name, "key": key})
                    values[prefix + key] = value
        elif (item.get("configMapRef") or {}).get("name"):
            data = (config_maps.get(item["configMapRef"]["name"]) or {}).get("data") or {}
            for key, value in data.items():
                values.setdefault(prefix + key, value)
    files = dict(pod_files or {})
    volumes = {v.get("name"): v for v in pod.get("volumes") or [] if isinstance(v, dict)}
    mounts = []
    for mount in container.get("volumeMounts") or []:
        volume = volumes.get(mount.get("name")) or {}
        sub = mount.get("subPath") or ""
        dest = mount.get("mountPath") or ""
        if volume.get("persistentVolumeClaim"):
            claim = volume["persistentVolumeClaim"].get("claimName")
            mounts.append({"source": "pvc:%s%s" % (claim, "/" + sub if sub else ""),
                           "destination": dest, "type": "pvc", "name": claim})
        elif volume.get("configMap"):
            data = (config_maps.get(volume["configMap"].get("name")) or {}).get("data") or {}
            if sub:
                if sub in data:
                    files[dest] = data[sub]
            else:
                for key, text in data.items():
                    files[posixpath.join(dest, key)] = text
            mounts.append({"source": "configmap:%s" % volume["configMap"].get("name"),
                           "destination": dest, "type": "configmap"})
        else:
            kind = next((k for k in volume if k != "name"), "volume")
            mounts.append({"source": "", "destination": dest, "type": kind})
    texts = list(files.values())
    env, secret_env, dropped = split_env(values, texts)
    # a Secret's variable is a secret whatever its name
    for name in refs:
        if name in env:
            secret_env[name] = env.pop(name)
        elif name in dropped and name in values:
            dropped.remove(name)
            secret_env[name] = values[name]
    status = deployment.get("status") or {}
    labels = dict(meta.get("labels") or {}, **pod_labels)
    selector = ((spec.get("selector") or {}).get("matchLabels") or {})
    serving = sorted((svc.get("metadata") or {}).get("name") for svc in services or ()
                     if _selects((svc.get("spec") or {}).get("selector"), pod_labels))
    image = container.get("image") or ""
    return {"name": "%s/%s" % (meta.get("namespace"), meta.get("name")), "image": image,
            "env": env, "secret_env": secret_env, "env_dropped": dropped, "mounts": mounts,
            "published": [], "running": int(status.get("readyReplicas") or 0) > 0,
            "agents": agents if isinstance(agents, list) else None,
            "version": parse_version(version_text) or parse_version(image.rsplit(":", 1)[-1]
                                                                    if ":" in image else ""),
            "config_files": files,
            "k8s": {"namespace": meta.get("namespace"), "deployment": meta.get("name"),
                    "replicas": int(spec.get("replicas", 1) or 0),
                    "labels": {k: str(v) for k, v in sorted(labels.items())
                               if not k.startswith(RESERVED_LABEL_PREFIXES)},
                    "selector": dict(selector), "secret_refs": refs, "services": serving,
                    "container": container.get("name"), "problems": problems}}


def _selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def claim_path(source):
    """(claim, path inside it) of a ``pvc:<claim>[/<path>]`` source, or (None, None)."""
    found = _CLAIM.match(source or "")
    if not found:
        return None, None
    rest = posixpath.normpath(found.group(2) or ".")
    return found.group(1), "" if rest == "." else rest.lstrip("/")


class K8sImporter(_Importer):
    """The namespace's import: the claim, the labels and the Secrets adopted."""

    UNMOUNTED = ("is not on a PersistentVolumeClaim of the pod: its files cannot be adopted",
                 "keep it on a claim (an emptyDir goes with the pod), or import from a Docker "
                 "host")

    def __init__(self, running, facts, options):
        super(K8sImporter, self).__init__(running, facts, options)
        self.k8s = facts.get("k8s") or {}
        self.refs = dict(self.k8s.get("secret_refs") or {})
        self.adopted_env = {}
        self.moves = []
        self.claim = None

    def _provider(self):
        return {"type": "k8s", "cluster": self.options["cluster"],
                "namespace": self.k8s.get("namespace")}

    def _adopted_secret(self, var):
        ref = self.refs.get(var)
        if not ref or var in COLLECTION_ENV:
            return None
        self.adopted_env[var] = dict(ref)
        return "Secret %s key %s" % (ref["name"], ref["key"])

    def _exposure(self, port):
        services = self.k8s.get("services") or []
        if services:
            self.note(("gateway", "port"), "Service %s selects the pod: exposure lan (the "
                                           "collection's Service and NetworkPolicy admit the "
                                           "namespace; the hand-made Service keeps working: "
                                           "the new pod carries its labels)" %
                      ", ".join(services))
            return {"exposure": "lan"}
        self.note(("gateway", "port"), "no Service selects the pod: exposure loopback")
        return {}

    def _place(self, provider, host_state, workspace_root, agents):
        if host_state is None:
            return
        claim, state_rel = claim_path(host_state)
        if claim is None:
            self.problem(("state",), "the state directory is on %s, not on a "
                         "PersistentVolumeClaim: there is nothing to adopt" % host_state,
                         self.UNMOUNTED[1])
            return
        self.claim = claim
        provider["adopt"] = {"pvc": claim}
        labels = self.k8s.get("labels") or {}
        if labels:
            provider["adopt"]["labels"] = dict(labels)
        if state_rel != STATE_NAME:
            self.moves.append({"from": state_rel, "to": STATE_NAME, "what": "state"})
            self.note("(layout)", "the claim holds the state at %s; the collection keeps it "
                      "at %s (the claim is the gateway's home): moved inside the claim at "
                      "takeover" % ("its root" if not state_rel else state_rel, STATE_NAME))
        if workspace_root is None:
            return
        ws_claim, ws_rel = claim_path(workspace_root)
        if ws_claim != claim:
            self.problem(("agents", "entries"), "the workspaces are not on the state's claim %s"
                         % claim, "move them into it first (the collection keeps one claim "
                                  "per gateway)")
            return
        for agent in agents:
            name = agent.get("workspace") or agent["id"]
            source = posixpath.join(ws_rel, name) if ws_rel else name
            target = posixpath.join(WORKSPACES_NAME, name)
            if source != target:
                self.moves.append({"from": source, "to": target,
                                   "what": "workspace of %s" % agent["id"]})
                self.moved["agents.entries.%s.workspace" % agent["id"]] = (
                    "the same directory (%s in claim %s), moved to %s at takeover" % (
                        source or "(root)", claim, target))

    def _carried_env(self, taken):
        for name in sorted(self.refs):
            if name in taken or name in self.used_env or name in COLLECTION_ENV:
                continue
            self._adopted_secret(name)
            self.note("(env)", "%s adopted from Secret %s (provider.secret_env; the value "
                               "stays in the cluster)" % (name, self.refs[name]["name"]))
        return super(K8sImporter, self)._carried_env(taken)

    def _env_to_carry(self):
        # literal secret values of the pod spec go to files, as on a Docker host
        return {k: v for k, v in (self.facts.get("secret_env") or {}).items()
                if k not in self.refs}

    def _finish(self, provider):
        if self.adopted_env:
            provider["secret_env"] = {k: self.adopted_env[k] for k in sorted(self.adopted_env)}
        for problem in self.k8s.get("problems") or []:
            self.problem(("(pod)",), problem, "make the Secret readable to the importing "
                                              "identity, or mark the reference optional")

    def _adopted(self, gateway):
        """What the takeover works on: the hand-made Deployment, the claim and the moves
        inside it, with the shell that makes them and the one that undoes them."""
        return {"container": self.facts["name"], "running": self.facts["running"],
                "deployment": self.k8s.get("deployment"), "namespace": self.k8s.get("namespace"),
                "replicas": self.k8s.get("replicas"), "claim": self.claim, "moves": self.moves,
                "layout_script": layout_script(self.moves),
                "layout_back_script": layout_script(self.moves, reverse=True)}


PARKED = ".clawops-parked"


def layout_script(moves, reverse=False):
    """The shell that moves the directories inside the claim (mounted at the maintenance
    pod's home) into the collection's layout, or back (``reverse``). Every move is a rename
    on one file system; a state dir that is the claim's root is moved entry by entry (the
    workspaces inside it first). Nothing is overwritten: a name that exists stops it, named.
    On the way back, what the collection's gateway made beside the state (its logs, caches,
    the default workspace) is parked in ``.clawops-parked/<time>/``, which a later takeover
    leaves where it is."""
    stage = ".clawops-takeover"
    lines = [
        "set -eu",
        "cd %s" % shlex.quote(HOME),
        "free() { if [ -e \"$1\" ] || [ -L \"$1\" ]; then echo \"$1 exists in the claim: "
        "nothing was overwritten (move or remove it, then run again)\" >&2; exit 3; fi; }",
        # every entry of a directory, dot files too, without the collection's own
        "entries() { for e in \"$1\"/* \"$1\"/.[!.]* \"$1\"/..?*; do "
        "if [ -e \"$e\" ] || [ -L \"$e\" ]; then case \"${e##*/}\" in .clawops-*) ;; "
        "*) printf '%s\\n' \"$e\";; esac; fi; done; }",
    ]
    if not moves:
        return "\n".join(lines + ["true"]) + "\n"
    workspaces = [m for m in moves if m["what"] != "state"]
    state = [m for m in moves if m["what"] == "state"]

    # an agent that never ran has no workspace yet (OpenClaw makes it on first use)
    def stage_out(source, index):
        return "if [ -e %s ]; then mv %s %s/ws%d; fi" % (
            shlex.quote(source), shlex.quote(source), stage, index)

    def stage_in(target, index):
        return "if [ -e %s/ws%d ]; then free %s; mv %s/ws%d %s; fi" % (
            stage, index, shlex.quote(target), stage, index, shlex.quote(target))
    if not reverse:
        lines += ["free %s" % stage, "mkdir %s" % stage]
        for index, move in enumerate(workspaces):
            lines.append(stage_out(move["from"], index))
        for move in state:
            if move["from"]:
                lines.append("mv %s %s/state" % (shlex.quote(move["from"]), stage))
            else:
                # the root itself: every entry (names without newlines, as OpenClaw makes)
                lines.append("mkdir %s/state" % stage)
                lines.append("entries . | while IFS= read -r e; do mv \"$e\" %s/state/; done"
                             % stage)
            lines.append("free %s" % shlex.quote(move["to"]))
            lines.append("mv %s/state %s" % (stage, shlex.quote(move["to"])))
        for index, move in enumerate(workspaces):
            lines.append("mkdir -p %s" % shlex.quote(posixpath.dirname(move["to"])))
            lines.append(stage_in(move["to"], index))
        lines.append("rmdir %s" % stage)
        return "\n".join(lines) + "\n"
    lines += ["free %s" % stage, "mkdir %s" % stage]
    for index, move in enumerate(workspaces):
        lines.append(stage_out(move["to"], index))
    if any(not move["from"] for move in state):
        lines.append("parked=%s/$(date -u +%%Y%%m%%dT%%H%%M%%SZ)" % PARKED)
        lines.append("mkdir -p \"$parked\"")
        lines.append("entries . | while IFS= read -r e; do [ \"$e\" = ./%s ] || "
                     "mv \"$e\" \"$parked\"/; done" % STATE_NAME)
        lines.append("rmdir \"$parked\" 2>/dev/null || true")
    for move in state:
        if move["from"]:
            lines.append("free %s" % shlex.quote(move["from"]))
            lines.append("mv %s %s" % (shlex.quote(move["to"]), shlex.quote(move["from"])))
        else:
            lines.append("entries %s | while IFS= read -r e; do free \"${e##*/}\"; "
                         "mv \"$e\" .; done" % shlex.quote(move["to"]))
            lines.append("rmdir %s" % shlex.quote(move["to"]))
    for index, move in enumerate(workspaces):
        if posixpath.dirname(move["from"]):
            lines.append("mkdir -p %s" % shlex.quote(posixpath.dirname(move["from"])))
        lines.append(stage_in(move["from"], index))
    lines.append("rmdir %s" % stage)
    return "\n".join(lines) + "\n"
