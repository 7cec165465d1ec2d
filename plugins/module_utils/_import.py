# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Import a gateway somebody runs by hand: its ``openclaw.json`` and what its container says
about itself (env, mounts, published ports, the agents it lists) turned into a fleet
definition - the gateway file, one config template for everything the fleet format has no
key of its own for, secret references in place of every secret value (the values go to
0600 files outside the repository) - and then the proof: the rendered config compared with
the running one, every difference named with why. Pure Python, no Ansible.

The container's paths are mapped to the host through its mounts: the state directory and
the workspaces are adopted where they are (``provider.paths``), so the first deploy finds
the sessions, credentials and workspace files the hand-made gateway left there."""

from __future__ import annotations

import copy
import json
import os
import posixpath
import re
import shutil
import tempfile

from . import _agents
from ._drift import ABSENT, get_path, leaves
from ._errors import FleetError, FleetErrors, ReferenceProblem
from ._files import write_atomic
from ._layering import MANAGED_CONFIG, Source, _managed_child, child_source
from ._redact import is_secret_key, redact
# the fleet format's agent fields (the rest of an entry: the agent's overrides), the env the
# collection sets itself and the prefixes reserved for it, where the gateway keeps its state
# in its image (OpenClaw's default; the collection mounts it there too)
from ._render import AGENT_FIELDS, BASE_ENV, GATEWAY_PATHS, RESERVED_ENV_PREFIXES
from ._render import env_name as secret_env_name

STATE_DIR = GATEWAY_PATHS["state_dir"]
DEFAULT_PORT = 18789                   # OpenClaw's default gateway port
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_ENV_REF = re.compile(r"^\$\{([A-Z][A-Z0-9_]*)\}$")
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def host_path(container_path, mounts):
    """The host path behind ``container_path`` (the longest mount that holds it), or None."""
    best = None
    for mount in mounts:
        dest = (mount.get("destination") or "").rstrip("/") or "/"
        if container_path == dest or container_path.startswith(dest.rstrip("/") + "/"):
            if best is None or len(dest) > len(best[0]):
                best = (dest, mount.get("source") or "")
    if best is None or not best[1]:
        return None
    rest = container_path[len(best[0]):] if best[0] != "/" else container_path
    return posixpath.normpath(best[1].rstrip("/") + "/" + rest.lstrip("/")).rstrip("/") or "/"


def env_name(*parts):
    """IMPORTED_<PARTS>: the env var that carries an imported secret of a template."""
    return secret_env_name(*parts, prefix="IMPORTED")


def _dotted(path):
    return ".".join(str(part) for part in path)


class ImportProblem(FleetError):
    """The gateway cannot be imported as asked (nothing was written)."""

    kind = "import"


class _Importer:
    def __init__(self, running, facts, options):
        self.running = running
        self.facts = facts
        self.options = options
        self.source = options.get("source") or "openclaw.json"
        self.env = dict(facts.get("env") or {}, **(facts.get("secret_env") or {}))
        self.mounts = list(facts.get("mounts") or [])
        self.secrets = {}      # file name -> value
        self.notes = []        # [{path, what}]: what the import changed and why
        self.moved = {}        # dotted path -> why (a secret now delivered by env)
        self.used_env = []     # env variables the config's secrets came from
        self.problems = []

    # -- helpers ---------------------------------------------------------------
    def note(self, path, what):
        self.notes.append({"path": _dotted(path) if isinstance(path, tuple) else path,
                           "what": what})

    def problem(self, path, message, fix):
        self.problems.append(ReferenceProblem(message, self.source, tuple(path), fix,
                                              code="import.unsupported"))

    def secret_ref(self, name, value):
        """Keep ``value`` in the secret file ``name``; the reference the fleet uses."""
        self.secrets[name] = value
        return {"source": "file", "path": posixpath.join(self.options["secrets_ref_dir"], name)}

    def secret_value(self, path, value):
        """A secret's value: a literal, ``${VAR}`` (from the container's env) or OpenClaw's
        own reference object ``{source: env, id}``; None with a problem when unknown."""
        var = None
        if isinstance(value, str):
            match = _ENV_REF.match(value)
            if not match:
                return value
            var = match.group(1)
        elif isinstance(value, dict) and value.get("source") == "env" and value.get("id"):
            var = value["id"]
        if var is None:
            self.problem(path, "secret %s has a form the import cannot read (%s)" % (
                _dotted(path), type(value).__name__), "give it as a literal or ${VAR}")
            return None
        self.used_env.append(var)
        if var not in self.env:
            self.problem(path, "secret %s comes from env %s, which the container does not "
                               "have" % (_dotted(path), var),
                         "start the container with %s set, then import again" % var)
            return None
        return self.env[var]

    UNMOUNTED = ("is not on a mount of the container: its files cannot be adopted",
                 "mount it from the host (a bind mount or a volume) and import again")

    def to_host(self, path, container_path, what):
        found = host_path(container_path, self.mounts)
        if found is None:
            self.problem(path, "%s %s %s" % (what, container_path, self.UNMOUNTED[0]),
                         self.UNMOUNTED[1])
        return found

    # -- the parts ---------------------------------------------------------------
    def run(self):
        config = copy.deepcopy(self.running)
        if not isinstance(config, dict):
            raise FleetErrors([ReferenceProblem("the config is not an object", self.source, (),
                                                "point the import at an openclaw.json")])
        if "meta" in config:
            config.pop("meta")
            self.note(("meta",), "dropped: OpenClaw's write marker (the fleet's config is "
                                 "read-only, OpenClaw never rewrites it)")
        gw_id = self.options["gateway_id"]
        state_dir = self.env.get("OPENCLAW_STATE_DIR") or STATE_DIR
        host_state = self.to_host(("state",), state_dir, "the state directory")
        gateway = {"id": gw_id}
        if self.options.get("description"):
            gateway["description"] = self.options["description"]
        if self.options.get("groups"):
            gateway["groups"] = list(self.options["groups"])
        for key in ("profile", "trust_level", "wave"):
            if self.options.get(key):
                gateway[key] = self.options[key]
        provider = self._provider()
        gateway["provider"] = provider
        gw_conf = config.get("gateway") or {}
        port = gw_conf.get("port") or int(self.env.get("OPENCLAW_GATEWAY_PORT") or DEFAULT_PORT)
        gateway["port"] = port
        gateway.update(self._exposure(port))
        version = self.facts.get("version")
        if version and version != self.options.get("fleet_version"):
            gateway["image"] = {"version": version}
        gateway["auth"] = self._auth(gw_conf)
        for key in ("mode", "port", "bind", "auth"):
            if key in gw_conf:
                gw_conf.pop(key)
                self.note(("gateway", key), "managed by the collection (%s)" % {
                    "mode": "always local", "port": "the gateway's port: %s" % port,
                    "bind": "lan inside the container; exposure decides what the host "
                            "publishes",
                    "auth": "the gateway's auth setting, its secret in a file"}[key])
        if not gw_conf:
            config.pop("gateway", None)
        logging = config.get("logging") or {}
        if "file" in logging:
            logging.pop("file")
            self.note(("logging", "file"), "managed: the collection's log file under logs/")
            if not logging:
                config.pop("logging")
        agents, workspace_root = self._agents(config, state_dir)
        self._place(provider, host_state, workspace_root, agents)
        gateway["agents"] = agents
        channels = self._channels(config)
        if channels:
            gateway["channels"] = channels
        bindings = self._bindings(config)
        if bindings:
            gateway["bindings"] = bindings
        self._managed_rest(config)
        env = self._template_secrets(config)
        env.update(self._carried_env(env))
        self._finish(provider)
        for name in self.facts.get("env_dropped") or []:
            if name in BASE_ENV or name in IMAGE_ENV:
                continue
            self.note("(env)", "%s of the container's env not carried over (not a secret, not "
                               "used by the config): set it in a template if the gateway "
                               "needs it" % name)
        if env:
            gateway["env"] = env
        if self.problems:
            raise FleetErrors(self.problems)
        if config:
            gateway["config"] = {"templates": [self.options["template_ref"]]}
        return {"gateway": gateway, "template": config or None, "secrets": self.secrets,
                "notes": self.notes, "moved": self.moved, "adopted": self._adopted(gateway)}

    # -- what differs between the providers (a Docker host here; _import_k8s: a namespace)
    def _provider(self):
        return {"type": "compose", "host": self.options["host"]}

    def _place(self, provider, host_state, workspace_root, agents):
        """Adopt the state dir and the workspace root where they are on the Docker host."""
        paths = {}
        if host_state:
            paths["state_dir"] = host_state
        if workspace_root:
            paths["workspace_root"] = workspace_root
        if paths:
            provider["paths"] = paths

    def _finish(self, provider):
        """Anything the provider's section needs once the secrets are known."""

    def _adopted(self, gateway):
        """What the takeover works on: the host paths the gateway keeps, the hand-made
        container and its Compose project."""
        paths = gateway["provider"].get("paths", {})
        compose = self.facts.get("compose") or {}
        return {"state_dir": paths.get("state_dir"), "workspace_root": paths.get("workspace_root"),
                "container": self.facts["name"], "running": self.facts["running"],
                "compose_project": compose.get("project"),
                "compose_dir": compose.get("working_dir")}

    def _env_to_carry(self):
        """Secret env of the gateway's container the import may carry over as files."""
        return self.facts.get("secret_env") or {}

    def _adopted_secret(self, var):
        """The reference of env ``var`` the fleet adopts as it is (K8s: a Secret the
        collection does not own), or None: a Docker host's env values go to files."""
        return None

    def _exposure(self, port):
        published = [p for p in self.facts.get("published") or []
                     if int(p.get("container_port") or 0) == int(port)]
        if not published:
            self.note(("gateway", "port"), "not published on the host: the collection publishes "
                                           "it on 127.0.0.1 (exposure loopback)")
            return {}
        loopback = all((p.get("host_ip") or "") in LOOPBACK for p in published)
        for item in published:
            if int(item.get("host_port") or 0) != int(port):
                self.note(("gateway", "port"), "published on host port %s: the collection "
                                               "publishes the gateway's own port %s" % (
                                                   item.get("host_port"), port))
        return {} if loopback else {"exposure": "lan"}

    def _auth(self, gw_conf):
        auth = gw_conf.get("auth") or {}
        mode = auth.get("mode") or "token"
        if mode not in ("token", "password"):
            self.problem(("gateway", "auth", "mode"), "auth mode %s cannot be imported" % mode,
                         "switch the gateway to token or password auth first")
            return {"mode": mode}
        value = auth.get(mode)
        if value is None:
            value = "${OPENCLAW_GATEWAY_%s}" % mode.upper()
        secret = self.secret_value(("gateway", "auth", mode), value)
        ref = self.secret_ref("%s.%s" % (self.options["gateway_id"], mode), secret) \
            if secret is not None else {}
        self.moved["gateway.auth.%s" % mode] = "secret: delivered by env OPENCLAW_GATEWAY_%s " \
                                               "from %s" % (mode.upper(), ref.get("path"))
        self.moved["gateway.auth"] = self.moved["gateway.auth.%s" % mode]
        # the mode always: a fleet default of another mode must not merge into it
        return {"mode": mode, mode: ref}

    def _live(self):
        return {a.get("id"): a for a in self.facts.get("agents") or [] if isinstance(a, dict)}

    def _agents(self, config, state_dir):
        section = config.get("agents") or {}
        entries = section.get("entries")
        if entries is None and isinstance(section.get("list"), list):
            entries = {item.get("id"): {k: v for k, v in item.items() if k not in ("id", "default")}
                       for item in section["list"] if isinstance(item, dict) and item.get("id")}
            self.note(("agents", "list"), "the legacy list read as agents.entries")
        entries = entries or {}
        live = self._live()
        defaults = section.get("defaults") or {}
        if not entries:
            # a gateway with no roster runs OpenClaw's default agent, main
            entries = {"main": {}}
            self.note("(agents)", "no roster: OpenClaw's default agent main declared")
        agents, homes = [], {}
        for index, (agent_id, entry) in enumerate(entries.items()):
            entry = dict(entry or {})
            agent = {"id": agent_id, "kind": "usecase"}
            for key in AGENT_FIELDS:
                if key in entry:
                    agent[key] = entry.pop(key)
            seen = live.get(agent_id) or {}
            workspace = seen.get("workspace") or entry.get("workspace") or (
                defaults.get("workspace") if index == 0 else None) or (
                state_dir + ("/workspace" if index == 0 else "/workspace-" + agent_id))
            agent_dir = seen.get("agentDir") or entry.get("agentDir") or posixpath.join(
                state_dir, "agents", agent_id, "agent")
            entry.pop("workspace", None)
            entry.pop("agentDir", None)
            if "modelPolicy" in entry:
                entry.pop("modelPolicy")
                self.note(("agents", "entries", agent_id, "modelPolicy"),
                          "set by the fleet's policy (models), not by a template")
            path = ("agents", "entries", agent_id)
            host_ws = self.to_host(path + ("workspace",), workspace, "workspace")
            if host_ws:
                homes[agent_id] = host_ws
                self.moved[_dotted(path + ("workspace",))] = (
                    "the same directory (%s on the host), mounted below the collection's "
                    "workspace root" % host_ws)
            parent, name = posixpath.split(agent_dir.rstrip("/"))
            if name != "agent" or posixpath.dirname(parent) != posixpath.join(state_dir, "agents"):
                self.problem(path + ("agentDir",), "agentDir %s is not <state>/agents/<name>/agent"
                             % agent_dir, "move the agent's directory there first")
            elif posixpath.basename(parent) != agent_id:
                agent["agent_dir"] = posixpath.basename(parent)
            agents.append((agent, entry))
        section.pop("entries", None)
        section.pop("list", None)
        if section.pop("ownership", None):
            self.note(("agents", "ownership"), "managed: explicit for a roster of more than one")
        for key in ("workspace", "modelPolicy", "skills"):
            if key in defaults:
                defaults.pop(key)
                self.note(("agents", "defaults", key), {
                    "workspace": "managed: <workspace root>/_default",
                    "modelPolicy": "set by the fleet's policy (models)",
                    "skills": "set by the fleet's policy and each agent's skills"}[key])
        if not defaults:
            section.pop("defaults", None)
        if not section:
            config.pop("agents", None)
        root = None
        if homes:
            parents = sorted({posixpath.dirname(p) for p in homes.values()})
            if len(parents) > 1:
                self.problem(("agents", "entries"), "the workspaces are in different directories "
                             "(%s)" % ", ".join(parents),
                             "move them into one directory first (the fleet has one workspace "
                             "root per gateway)")
            else:
                root = parents[0]
                for agent, dummy in agents:
                    name = posixpath.basename(homes.get(agent["id"], ""))
                    if not _NAME.match(name):
                        self.problem(("agents", "entries", agent["id"], "workspace"),
                                     "workspace directory name %r is not one the fleet takes" %
                                     name, "rename it to letters, digits, '.', '_', '-'")
                    elif name != agent["id"]:
                        agent["workspace"] = name
        out = []
        for agent, rest in agents:
            if rest:
                agent["config"] = {"overrides": rest}
            out.append(agent)
        self.note("(agents)", "every agent declared kind usecase: make a person's agent "
                  "kind human with its owner")
        return out, root

    def _channels(self, config):
        out = {}
        for channel, spec in list((config.get("channels") or {}).items()):
            if not isinstance(spec, dict) or not isinstance(spec.get("accounts"), dict):
                continue
            accounts = {}
            for account_id, account in spec.pop("accounts").items():
                base = ("channels", channel, "accounts", account_id)
                secrets, settings = {}, {}
                for key, value in (account or {}).items():
                    if is_secret_key(key) and isinstance(value, (str, dict)):
                        secret = self.secret_value(base + (key,), value)
                        if secret is not None:
                            secrets[key] = self.secret_ref("%s.%s.%s.%s" % (
                                self.options["gateway_id"], channel, account_id, key), secret)
                            self.moved[_dotted(base + (key,))] = "secret: delivered by env " \
                                "from %s" % secrets[key]["path"]
                    else:
                        settings[key] = value
                accounts[account_id] = {}
                if secrets:
                    accounts[account_id]["secrets"] = secrets
                if settings:
                    accounts[account_id]["settings"] = settings
            out[channel] = {"accounts": accounts}
            if not spec:
                config["channels"].pop(channel)
        if "channels" in config and not config["channels"]:
            config.pop("channels")
        return out

    def _bindings(self, config):
        out = []
        for index, item in enumerate(config.pop("bindings", None) or []):
            if not isinstance(item, dict) or item.get("type", "route") != "route":
                self.problem(("bindings", index), "binding %d is not a route" % index,
                             "only route bindings are imported")
                continue
            binding = {"agentId": item.get("agentId"), "match": item.get("match") or {}}
            if item.get("comment"):
                binding["comment"] = item["comment"]
            out.append(binding)
        return out

    def _managed_rest(self, config):
        """Drop what a template may not set (the collection's managed keys)."""
        def walk(node, guard, path):
            if not isinstance(node, dict) or not isinstance(guard, dict):
                return
            for key in list(node):
                sub = _managed_child(guard, key)
                if sub is True:
                    node.pop(key)
                    self.note(path + (key,), "set by the fleet's policy or the collection, "
                                             "not by a template")
                elif sub:
                    walk(node[key], sub, path + (key,))
                    if node[key] == {}:
                        node.pop(key)
        walk(config, MANAGED_CONFIG, ())

    def _carried_env(self, taken):
        """Secret-named variables of the container's env the config does not use: OpenClaw
        reads some itself (a provider's API key); each goes to the gateway's env setting."""
        out = {}
        used = set(self.used_env)
        for name, value in sorted(self._env_to_carry().items()):
            if name in taken or name in used or name.startswith(RESERVED_ENV_PREFIXES):
                continue
            out[name] = self.secret_ref("%s.%s" % (self.options["gateway_id"], name.lower()),
                                        value)
            self.note("(env)", "%s carried over from the container's env (a secret file)" % name)
        return out

    def _template_secrets(self, config):
        """Secret values left in the template: each delivered by env (an env SecretRef in
        the template, the value in a file, the gateway's env setting); other ``${VAR}``s of
        the container's env written as their values."""
        env = {}

        def walk(node, path):
            items = node.items() if isinstance(node, dict) else enumerate(node) \
                if isinstance(node, list) else ()
            for key, value in list(items):
                here = path + (key,)
                if isinstance(value, (dict, list)):
                    walk(value, here)
                    continue
                if not isinstance(value, str):
                    continue
                match = _ENV_REF.match(value)
                secret = isinstance(key, str) and is_secret_key(key)
                if secret:
                    adopted = self._adopted_secret(match.group(1)) if match else None
                    if adopted:
                        # the value stays where it is: an env SecretRef to the same variable
                        node[key] = {"source": "env", "provider": "default",
                                     "id": match.group(1)}
                        self.used_env.append(match.group(1))
                        self.moved[_dotted(here)] = "secret: env %s, adopted from %s" % (
                            match.group(1), adopted)
                        continue
                    found = self.secret_value(here, value)
                    if found is None:
                        continue
                    name = match.group(1) if match else env_name(*here)
                    if name.startswith(RESERVED_ENV_PREFIXES):
                        name = env_name(*here)
                    env[name] = self.secret_ref("%s.%s" % (self.options["gateway_id"],
                                                           name.lower()), found)
                    node[key] = {"source": "env", "provider": "default", "id": name}
                    self.moved[_dotted(here)] = "secret: env %s (the gateway's env setting) " \
                        "from %s" % (name, env[name]["path"])
                elif match and match.group(1) in self.env:
                    node[key] = self.env[match.group(1)]
                    self.note(here, "${%s} written as its value in the container's env" %
                              match.group(1))
        walk(config, ())
        return env


def plan_import(running, facts, options):
    """What to write for one running gateway.

    ``running``: its openclaw.json (parsed); ``facts``: ``env`` and ``secret_env`` (dicts;
    split_env), ``env_dropped`` (names), ``mounts``
    ([{source, destination}]), ``published`` ([{host_ip, host_port, container_port}]),
    ``agents`` (what ``openclaw agents list --json`` says, or None), ``version``;
    ``options``: ``gateway_id``, ``host``, ``secrets_ref_dir``, ``template_ref``, optional
    ``groups``, ``profile``, ``trust_level``, ``wave``, ``description``, ``fleet_version``,
    ``source`` (the name errors give the config).

    Returns ``{gateway, template, secrets: {file name: value}, notes, moved, adopted}``
    (``adopted``: what the takeover works on, per provider); raises
    FleetErrors naming each part that cannot be imported.
    """
    if options.get("cluster"):
        from ._import_k8s import K8sImporter  # pylint: disable=import-outside-toplevel
        return K8sImporter(running, facts, options).run()
    return _Importer(running, facts, options).run()


def _source_of(prov, path):
    node = prov
    for part in path:
        node = child_source(node, part)
    return node if isinstance(node, Source) else None


def explain(rendered, prov, running, plan, known=()):
    """The rendered config against the running one, leaf by leaf, each difference with why.

    ``plan``: plan_import's answer (its notes and moved secrets explain what the import
    changed on purpose). Returns ``[{path, running, rendered, why, expected}]``: ``expected``
    False for a difference nothing explains (the import got something wrong).
    """
    why_dropped = {note["path"]: note["what"] for note in plan["notes"]}
    left, right = leaves(running), leaves(rendered)
    out = []
    for path in sorted(set(left) | set(right), key=lambda p: [str(x) for x in p]):
        before, after = left.get(path, ABSENT), right.get(path, ABSENT)
        if before == after:
            continue
        dotted = _dotted(path)
        why = _prefix_match(plan["moved"], dotted) or _prefix_match(why_dropped, dotted)
        src = _source_of(prov, path) if after is not ABSENT else None
        if not why and src is not None and src.layer != "gateway" \
                and not src.layer.startswith("agent:"):
            # what the fleet's other layers add: the org's and groups' templates, the policy,
            # the collection's own keys
            where = src.file + (": " + _dotted(src.path) if src.path else "")
            why = "set by %s %s" % (src.layer, where if where.startswith("(") else
                                    "(%s)" % where)
        out.append({"path": dotted,
                    "running": ABSENT if before is ABSENT else redact(before, known),
                    "rendered": ABSENT if after is ABSENT else redact(after, known),
                    "why": why or "not explained", "expected": bool(why)})
    return out


def _prefix_match(table, dotted):
    for path, what in table.items():
        if dotted == path or dotted.startswith(path + "."):
            return what
    return None


# env of a container the import reads as plain facts (paths, the port); every other variable
# is a secret when the config names it (${VAR}) or its name says so, and is left out otherwise
PUBLIC_ENV = ("OPENCLAW_STATE_DIR", "OPENCLAW_CONFIG_PATH", "OPENCLAW_GATEWAY_PORT",
              "OPENCLAW_HOME", "HOME")
# what images set: never worth a note (nor what the collection sets itself, BASE_ENV)
IMAGE_ENV = ("PATH", "HOSTNAME", "NODE_ENV", "NODE_VERSION", "YARN_VERSION", "TERM", "LANG",
             "LC_ALL", "TZ")
_VAR_USE = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


def split_env(env, config_texts=()):
    """(public, secret, dropped names) of a container's env: ``public`` the variables of
    PUBLIC_ENV, ``secret`` those the config texts use as ``${VAR}``, the gateway's token or
    password, and every secret-named one (OpenClaw's providers read ANTHROPIC_API_KEY and
    the like from the env without a reference); ``dropped`` the names of the rest."""
    used = set()
    for text in config_texts:
        used.update(_VAR_USE.findall(text or ""))
    public, secret, dropped = {}, {}, []
    for name, value in sorted(env.items()):
        if name in PUBLIC_ENV:
            public[name] = value
        elif name in used or name in ("OPENCLAW_GATEWAY_TOKEN", "OPENCLAW_GATEWAY_PASSWORD") \
                or is_secret_key(name):
            secret[name] = value
        else:
            dropped.append(name)
    return public, secret, dropped


def parse_version(text):
    """The OpenClaw version in what ``openclaw --version`` printed, or None."""
    match = re.search(r"\b(\d{4}\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)\b", text or "")
    return match.group(1) if match else None


def facts_from_inspect(container, agents=None, version_text=None, config_texts=()):
    """The facts plan_import needs, from ``docker inspect``'s answer for the container (what
    community.docker.docker_container_info returns), its ``openclaw agents list --json`` and
    its ``openclaw --version`` (both None when it could not be asked). ``secret_env`` holds
    secret values (never print it); ``env`` and the rest do not."""
    container = container or {}
    cfg = container.get("Config") or {}
    env, secret_env, dropped = split_env(
        dict(item.split("=", 1) for item in cfg.get("Env") or [] if "=" in item), config_texts)
    mounts = [{"source": m.get("Source"), "destination": m.get("Destination"),
               "type": m.get("Type"), "name": m.get("Name")}
              for m in container.get("Mounts") or [] if isinstance(m, dict)]
    published = []
    for key, binds in sorted(((container.get("HostConfig") or {}).get("PortBindings")
                              or {}).items()):
        for bind in binds or []:
            published.append({"container_port": int(str(key).split("/", maxsplit=1)[0]),
                              "host_ip": bind.get("HostIp") or "0.0.0.0",
                              "host_port": int(bind.get("HostPort") or 0)})
    labels = cfg.get("Labels") or {}
    return {"name": (container.get("Name") or "").lstrip("/"), "image": cfg.get("Image"),
            "env": env, "secret_env": secret_env, "env_dropped": dropped,
            "mounts": mounts, "published": published,
            "running": bool((container.get("State") or {}).get("Running")),
            "agents": agents if isinstance(agents, list) else None,
            "version": parse_version(version_text),
            "compose": {"project": labels.get("com.docker.compose.project"),
                        "working_dir": labels.get("com.docker.compose.project.working_dir")}}


def config_location(facts):
    """(container path, host path) of the running gateway's openclaw.json; the host path is
    None when no mount holds it."""
    env = facts.get("env") or {}
    inside = env.get("OPENCLAW_CONFIG_PATH") or posixpath.join(
        env.get("OPENCLAW_STATE_DIR") or STATE_DIR, "openclaw.json")
    return inside, host_path(inside, facts.get("mounts") or [])


SECRET_FILE_MODE = 0o600
SECRET_DIR_MODE = 0o700


def _header(facts, what):
    compose = facts.get("compose") or {}
    where = "%s %s" % ("Deployment" if facts.get("k8s") else "container", facts.get("name"))
    if compose.get("project"):
        where += " (Compose project %s in %s)" % (compose["project"], compose.get("working_dir"))
    return "Imported by clawops (playbooks/import.yml) from %s: %s" % (where, what)


def _running_config(config_file, config_files):
    """The running config with its $includes resolved the way OpenClaw does (the fleet's
    own loader, confined to the config's directory, on a scratch copy of the files)."""
    from ._loader import FleetFiles  # pylint: disable=import-outside-toplevel
    base = posixpath.dirname(config_file)
    scratch = tempfile.mkdtemp(prefix="clawops-import-")
    try:
        for path, text in config_files.items():
            if path != config_file and not path.startswith(base + "/"):
                continue
            target = os.path.join(scratch, posixpath.relpath(path, base))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8") as out:
                out.write(text)
        if config_file not in config_files:
            raise ImportProblem("the config file was not read", config_file, (),
                                "check that the path exists on the Docker host")
        files = FleetFiles(scratch)
        value, dummy, depth = files.load_template(posixpath.basename(config_file))
    except FleetError as exc:
        # name the host's file, not the scratch copy
        exc.file = posixpath.join(base, exc.file) if exc.file else config_file
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    texts = {posixpath.relpath(p, base): t for p, t in config_files.items()
             if p == config_file or p.startswith(base + "/")}
    return value, (_raw_includes(texts[posixpath.basename(config_file)], texts)
                   if depth else [])


def _json5(text):
    from ._loader import json5  # pylint: disable=import-outside-toplevel
    return json5.loads(text)


def _deep_merge(into, value):
    for key, item in value.items():
        if isinstance(item, dict) and isinstance(into.get(key), dict):
            _deep_merge(into[key], item)
        else:
            into[key] = copy.deepcopy(item)
    return into


def _raw_includes(main_text, texts):
    """Every ``$include`` of the main file: ``{path, refs, alone, content, files}`` -
    ``alone``: no sibling keys beside it; ``content``: what its files give (None when one
    of them includes further: such a part is inlined); ``files``: relative path -> text."""
    found = []

    def walk(node, path):
        if not isinstance(node, dict):
            return
        if "$include" in node:
            refs = node["$include"]
            refs = [refs] if isinstance(refs, str) else list(refs)
            content, files = {}, {}
            for ref in refs:
                rel = posixpath.normpath(ref)
                text = texts.get(rel)
                if text is None or rel.startswith("../") or "$include" in text:
                    content = None
                    break
                files[rel] = text
                _deep_merge(content, _json5(text))
            found.append({"path": path, "refs": refs, "content": content, "files": files,
                          "alone": len(node) == 1})
        for key, item in node.items():
            if key != "$include":
                walk(item, path + (key,))
    walk(_json5(main_text), ())
    return found


def keep_includes(template, includes, gw_id):
    """Put each ``$include`` of the running config back into the template where the import
    left its part as the included files give it: ``(template, {fleet-relative path: text},
    notes)``; every other include stays inlined, with a note saying why."""
    files, notes = {}, []
    for item in includes:
        where = _dotted(item["path"]) or "(top)"
        part = get_path(template, item["path"]) if item["path"] else template
        if item["content"] is None or not item["alone"] or part != item["content"] \
                or not item["path"]:
            why = ("it includes further files, or reaches outside the config's directory"
                   if item["content"] is None else
                   "it has keys beside it" if not item["alone"] else
                   "it is the whole config" if not item["path"] else
                   "the import changed what it gives (a secret, a managed key, an agent)")
            notes.append({"path": "$include", "what": "%s at %s inlined into the template: %s"
                          % (", ".join(item["refs"]), where, why)})
            continue
        refs = ["%s/%s" % (gw_id, posixpath.normpath(ref)) for ref in item["refs"]]
        parent = get_path(template, item["path"][:-1]) if len(item["path"]) > 1 else template
        parent[item["path"][-1]] = {"$include": refs[0] if len(refs) == 1 else refs}
        for rel, text in item["files"].items():
            files["templates/imported/%s/%s" % (gw_id, rel)] = text
        notes.append({"path": "$include", "what": "%s at %s kept as templates/imported/%s/"
                      % (", ".join(item["refs"]), where, gw_id)})
    return template, files, notes


def _yaml_text(data, header):
    return "# " + header + "\n" + _agents.yaml_text(data)


def _json5_text(data, header):
    return "// " + header + "\n" + json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _read(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _fleet_file(fleet_dir):
    """fleet.yml as data (the fleet may have no gateway yet: the first import makes one)."""
    from ._loader import yaml_load  # pylint: disable=import-outside-toplevel
    path = os.path.join(fleet_dir, "fleet.yml")
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml_load(handle)
    except FileNotFoundError:
        raise ImportProblem("no fleet.yml in %s" % fleet_dir, "fleet.yml", (),
                            "point fleet_dir at a fleet definition (docs/fleet-reference.md)")
    except Exception as exc:  # a YAML error: the preflight below names it precisely
        raise ImportProblem("fleet.yml cannot be read (%s)" % exc.__class__.__name__,
                            "fleet.yml", (), "run playbooks/preflight.yml for the details")
    return data if isinstance(data, dict) else {}


def import_gateway(fleet_dir, facts, config_file, config_files, options, check=False):
    """Import one container's gateway into the fleet in ``fleet_dir`` (see fleet_import).

    ``facts``: facts_from_inspect's answer (with ``agents`` and ``version`` when the
    gateway could be asked); ``config_files``: host path -> text of the config file and the
    files beside and below it."""
    from ._preflight import preflight_with  # pylint: disable=import-outside-toplevel

    gw_id = options["gateway"]
    running, includes = _running_config(config_file, config_files)
    fleet_data = _fleet_file(fleet_dir)
    k8s = bool(options.get("cluster"))
    kind, target = ("k8s_clusters", options["cluster"]) if k8s else \
        ("compose_hosts", options["host"])
    known = (fleet_data.get("targets") or {}).get(kind) or {}
    if target not in known:
        raise ImportProblem("%s %r is not in the fleet" % (
            "cluster" if k8s else "compose host", target), "fleet.yml", ("targets", kind),
            "add it, or name one of: %s" % (", ".join(sorted(known)) or "(none)"))
    secrets_dir = options.get("secrets_dir")
    if not secrets_dir:
        dirs = (fleet_data.get("secrets") or {}).get("file_dirs") or []
        if not dirs:
            raise ImportProblem("the fleet lists no secrets.file_dirs: the imported secrets "
                                "need a directory the fleet may read", "fleet.yml",
                                ("secrets", "file_dirs"), "add one (e.g. ~/.clawops/secrets/"
                                "<org>) or pass secrets_dir")
        secrets_dir = posixpath.join(dirs[0], "imported", gw_id)
    version = ((fleet_data.get("defaults") or {}).get("image") or {}).get("version")
    plan = plan_import(running, facts, {
        "gateway_id": gw_id, "host": options.get("host"), "cluster": options.get("cluster"),
        "groups": options.get("groups"),
        "profile": options.get("profile"), "trust_level": options.get("trust_level"),
        "wave": options.get("wave"), "description": options.get("description") or
        "Imported from %s %s." % ("Deployment" if k8s else "container", facts["name"]),
        "secrets_ref_dir": secrets_dir, "fleet_version": version, "source": config_file,
        "template_ref": "../templates/imported/%s.json5" % gw_id})
    gateway_rel = "gateways/%s.yml" % gw_id
    template_rel = "templates/imported/%s.json5" % gw_id
    wanted = {gateway_rel: _yaml_text(plan["gateway"], _header(
        facts, "edit freely; the rest of the config is in ../" + template_rel))}
    if plan["template"]:
        plan["template"], kept, include_notes = keep_includes(plan["template"], includes, gw_id)
        plan["notes"].extend(include_notes)
        wanted.update(kept)
        wanted[template_rel] = _json5_text(plan["template"], _header(
            facts, "the keys of its openclaw.json the fleet format has no place of its own for"))
    # the fleet with the new files, checked and rendered on a scratch copy first
    report = preflight_with(fleet_dir, wanted, [gw_id])
    if report.errors:
        raise FleetErrors([ImportProblem(f.message, f.file, f.key_path, f.fix, code=f.code)
                           for f in report.errors])
    rendered = report.plans[gw_id]
    known = sorted(set(plan["secrets"].values()))
    differences = explain(rendered.config, rendered.prov, running, plan, known)
    unexplained = [d for d in differences if not d["expected"]]
    if unexplained:
        raise FleetErrors([ImportProblem(
            "the fleet would render %s as %s, the gateway runs %s" % (
                d["path"], json.dumps(d["rendered"]), json.dumps(d["running"])),
            gateway_rel, tuple(d["path"].split(".")),
            "report this: the import should reproduce every key it writes") for d in unexplained])
    # every file is checked before the first is written: all or nothing
    files, secret_files, diffs, writes = [], [], [], []
    for rel, text in sorted(wanted.items()):
        path = os.path.join(fleet_dir, rel)
        before = _read(path)
        status = "unchanged" if before == text else "written"
        if before is not None and before != text and not options.get("force"):
            raise ImportProblem("%s exists with other content" % rel, rel, (),
                                "remove it, or import with force (it is replaced)")
        if status == "written":
            writes.append((path, text, 0o644, 0o755))
            diffs.append({"path": rel, "before": before or "", "after": text})
        files.append({"path": rel, "status": status})
    for name, value in sorted(plan["secrets"].items()):
        ref_path = posixpath.join(secrets_dir, name)
        path = os.path.expanduser(ref_path)
        before = _read(path)
        text = value if value.endswith("\n") else value + "\n"
        same = before is not None and before.rstrip("\n") == value.rstrip("\n")
        if before is not None and not same and not options.get("force"):
            raise ImportProblem("secret file %s exists with another value" % ref_path, ref_path,
                                (), "remove it, or import with force (it is replaced)")
        if not same:
            writes.append((path, text, SECRET_FILE_MODE, SECRET_DIR_MODE))
        secret_files.append({"path": ref_path, "status": "unchanged" if same else "written"})
    if not check:
        for path, text, mode, dir_mode in writes:
            write_atomic(path, text, mode, dir_mode)
    return {"changed": bool(writes), "gateway_file": gateway_rel, "files": files,
            "secret_files": secret_files, "differences": differences, "notes": plan["notes"],
            "gateway": plan["gateway"], "diffs": diffs, "adopted": plan["adopted"]}
