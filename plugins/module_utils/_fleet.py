# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet definition as a model: load, validate, cross-reference.

``load_fleet(path)`` reads ``fleet.yml``, every ``groups/*.yml`` and every
``gateways/*.yml`` of a fleet directory, validates each against the JSON Schema in
``_schema`` and resolves references between them (groups, compose hosts, clusters,
agents of bindings). All problems found in one pass are raised together as
``FleetErrors``; each names its file, key path and fix.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ._gc import pausing
from ._errors import FleetError, FleetErrors, ReferenceProblem, SchemaProblem
from ._loader import FleetFiles, missing_libraries, yaml_load
from ._parsecache import ParseCache, default_dir
from ._schema import HAS_JSONSCHEMA, fingerprint, validate

FLEET_FILE = "fleet.yml"
DEFAULT_IMAGE_REPOSITORY = "localhost/clawops/openclaw"
DEFAULT_COMPOSE_ROOT = "/srv/clawops"
DEFAULT_RESOURCES = {"memory": "2g", "cpus": 2, "pids": 512}
DEFAULT_WAVE = 1


@dataclass
class Org:
    org_id: str
    org_slug: str
    display_name: str


@dataclass
class Group:
    id: str
    file: str
    data: dict

    @property
    def profile(self):
        return self.data.get("profile")

    @property
    def trust_level(self):
        return self.data.get("trust_level")

    @property
    def wave(self):
        return self.data.get("wave")


@dataclass
class Agent:
    id: str
    kind: str
    index: int
    data: dict

    @property
    def owner(self):
        return self.data.get("owner")

    @property
    def key_path(self):
        return ("agents", self.index)


@dataclass
class Gateway:
    id: str
    file: str
    data: dict
    groups: list
    profile: str
    trust_level: str
    wave: object
    settings: dict = field(default_factory=dict)
    variables: dict = field(default_factory=dict)
    agents: list = field(default_factory=list)

    @property
    def provider(self):
        return self.data["provider"]["type"]

    @property
    def port(self):
        return self.data["port"]

    def setting_source(self, name):
        """File and key path that decided a defaulted setting (image, exposure, ...)."""
        return self.settings.get("_sources", {}).get(name, ("(clawops)", ()))


@dataclass
class Fleet:
    root: str
    files: FleetFiles
    org: Org
    data: dict
    groups: dict
    gateways: dict

    def gateway(self, gateway_id):
        try:
            return self.gateways[gateway_id]
        except KeyError:
            raise ReferenceProblem("unknown gateway %r" % gateway_id, None, (),
                                   "use one of: %s" % ", ".join(sorted(self.gateways)))

    def find_agent(self, agent_id):
        """(gateway, agent) pairs for an agent id (ids are unique per gateway only)."""
        return [(gw, agent) for gw in self.gateways.values() for agent in gw.agents
                if agent.id == agent_id]


def _check_libraries():
    missing = missing_libraries()
    if not HAS_JSONSCHEMA:
        missing.append("jsonschema")
    if missing:
        raise FleetError("missing Python libraries on the controller: %s" % ", ".join(missing),
                         None, (), "pip install -r requirements.txt into the Python that runs "
                         "Ansible (ansible_python_interpreter for localhost)")


def _list_yaml(files, subdir, rel_from):
    base = os.path.normpath(os.path.join(os.path.dirname(files.abspath(rel_from)), subdir))
    if not files.inside(base):
        raise ReferenceProblem("directory %r is outside the fleet directory" % subdir, rel_from,
                               ("paths",), "use a directory inside the fleet directory")
    if not os.path.isdir(base):
        return []
    names = sorted(n for n in os.listdir(base)
                   if n.endswith((".yml", ".yaml")) and not n.startswith("."))
    return [files.rel(os.path.join(base, n)) for n in names]


def _stem(rel):
    name = rel.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0]


def _merge_dicts(*dicts):
    out = {}
    for item in dicts:
        for key, value in (item or {}).items():
            if isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = _merge_dicts(out[key], value)
            else:
                out[key] = value
    return out


@pausing
def load_fleet(path, parse_cache=True):
    """Load and check the fleet definition in directory ``path`` (or its fleet.yml).

    ``parse_cache``: True for the user's parse cache (``_parsecache.default_dir``), a
    directory, or None/False for none."""
    _check_libraries()
    if os.path.isfile(path):
        path = os.path.dirname(os.path.abspath(path))
    if not os.path.isfile(os.path.join(path, FLEET_FILE)):
        raise FleetError("no %s found in %s" % (FLEET_FILE, path), None, (),
                         "point fleet_dir at the directory that holds fleet.yml")
    files = FleetFiles(path)
    errors = []
    cache = ParseCache(default_dir() if parse_cache is True else parse_cache or None,
                       fingerprint())
    files.parse_cache = cache

    def checked(kind, rel):
        def check(data):
            if not isinstance(data, dict):
                raise SchemaProblem("the file must hold a YAML mapping, got %s"
                                    % type(data).__name__, rel, (), "write key: value pairs")
            validate(kind, data, rel)
        try:
            return files.read_checked(rel, kind, check, cache)
        except FleetErrors as exc:
            errors.extend(exc.errors)
        except FleetError as exc:
            errors.append(exc)
        return None

    fleet_data = checked("fleet", FLEET_FILE)
    if fleet_data is None:
        raise FleetErrors(errors)
    org = Org(**fleet_data["org"])
    paths = fleet_data.get("paths", {})
    errors.extend(_backend_problems(fleet_data.get("backends") or {}))

    groups, broken = {}, set()
    for rel in _list_yaml(files, paths.get("groups", "groups"), FLEET_FILE):
        data = checked("group", rel)
        if data is None:
            broken.add(_stem(rel))
            continue
        if data["id"] != _stem(rel):
            errors.append(ReferenceProblem("id %r does not match the file name" % data["id"], rel,
                                           ("id",), "rename the file to %s.yml or set id: %s"
                                           % (data["id"], _stem(rel))))
            continue
        groups[data["id"]] = Group(data["id"], rel, data)

    gateways = {}
    gateway_files = _list_yaml(files, paths.get("gateways", "gateways"), FLEET_FILE)
    files.prefetch(gateway_files, "gateway", cache)
    for rel in gateway_files:
        data = checked("gateway", rel)
        if data is None:
            continue
        try:
            gateways_entry = _build_gateway(rel, data, fleet_data, groups, broken)
        except FleetErrors as exc:
            errors.extend(exc.errors)
            continue
        if gateways_entry.id in gateways:
            errors.append(ReferenceProblem("gateway id %r already defined in %s" % (
                gateways_entry.id, gateways[gateways_entry.id].file), rel, ("id",),
                "give every gateway a unique id"))
            continue
        gateways[gateways_entry.id] = gateways_entry
    if errors:
        raise FleetErrors(errors)
    if not gateways:
        raise FleetError("the fleet defines no gateways", FLEET_FILE, ("paths", "gateways"),
                         "add gateways/<id>.yml files")
    return Fleet(files.root, files, org, fleet_data, groups, gateways)


def _backend_problems(backends):
    """A backend either runs elsewhere (url) or is run by the collection (run): one of the
    two; a run backend with its own image says how to start it."""
    for backend_id, backend in sorted(backends.items()):
        where = ("backends", backend_id)
        if bool(backend.get("url")) == bool(backend.get("run")):
            yield ReferenceProblem(
                "backend %r has %s" % (backend_id, "both url and run" if backend.get("url")
                                       else "neither url nor run"), FLEET_FILE, where,
                "set url (a server that runs elsewhere) or run (the collection runs it, and "
                "derives its URL), not both")
        run = backend.get("run") or {}
        if run.get("image") and not run.get("command"):
            yield ReferenceProblem(
                "backend %r runs an image of your own without a command" % backend_id,
                FLEET_FILE, where + ("run", "command"),
                "add run.command: the server's command line ({model}, {port} and {model_id} "
                "are filled in), or drop run.image for the collection's llama.cpp server")
        if run and len(backend["models"]) != 1:
            yield ReferenceProblem(
                "backend %r runs one model file but lists %d models" % (
                    backend_id, len(backend["models"])), FLEET_FILE, where + ("models",),
                "list the one model id it serves (its /v1/models name)")


def _first_set(candidates, name):
    """Last (innermost) defined value of ``name`` and where it came from."""
    found = None
    for rel, data in candidates:
        if data.get(name) is not None:
            found = (data[name], rel)
    return found


def _build_gateway(rel, data, fleet_data, groups, broken=()):
    """Resolve one validated gateway file; groups in ``broken`` already reported errors."""
    errors = []
    if data["id"] != _stem(rel):
        errors.append(ReferenceProblem("id %r does not match the file name" % data["id"], rel,
                                       ("id",), "rename the file to %s.yml or set id: %s"
                                       % (data["id"], _stem(rel))))
    member_of = []
    for index, name in enumerate(data.get("groups", [])):
        if name in broken:
            raise FleetErrors([])
        if name not in groups:
            errors.append(ReferenceProblem("unknown group %r" % name, rel, ("groups", index),
                                           "create groups/%s.yml or use one of: %s"
                                           % (name, ", ".join(sorted(groups)) or "(none)")))
        else:
            member_of.append(groups[name])

    backends = fleet_data.get("backends") or {}
    for index, name in enumerate(data.get("backends") or []):
        if name not in backends:
            errors.append(ReferenceProblem(
                "unknown backend %r" % name, rel, ("backends", index),
                "declare it under backends in fleet.yml or use one of: %s"
                % (", ".join(sorted(backends)) or "(none)")))

    provider = data["provider"]
    targets = fleet_data.get("targets", {})
    if provider["type"] == "compose" and provider["host"] not in targets.get("compose_hosts", {}):
        errors.append(ReferenceProblem(
            "unknown compose host %r" % provider["host"], rel, ("provider", "host"),
            "declare it under targets.compose_hosts in fleet.yml (known: %s)"
            % (", ".join(sorted(targets.get("compose_hosts", {}))) or "none")))
    if provider["type"] == "k8s" and provider["cluster"] not in targets.get("k8s_clusters", {}):
        errors.append(ReferenceProblem(
            "unknown cluster %r" % provider["cluster"], rel, ("provider", "cluster"),
            "declare it under targets.k8s_clusters in fleet.yml (known: %s)"
            % (", ".join(sorted(targets.get("k8s_clusters", {}))) or "none")))

    if errors:
        raise FleetErrors(errors)
    scopes = [(g.file, g.data) for g in member_of] + [(rel, data)]
    profiles = {g.profile for g in member_of if g.profile}
    profile = data.get("profile")
    if profile is None and len(profiles) > 1:
        errors.append(ReferenceProblem(
            "groups disagree on the profile (%s)" % ", ".join(sorted(profiles)), rel,
            ("groups",), "put the gateway in groups of one profile or set 'profile:'"))
    elif profile is None and profiles:
        profile = profiles.pop()
    elif profile is not None and profiles and profiles != {profile}:
        errors.append(ReferenceProblem(
            "profile %r contradicts its groups (%s)" % (profile, ", ".join(sorted(profiles))),
            rel, ("profile",), "align the gateway's profile with its groups"))
    if profile is None and not errors:
        errors.append(ReferenceProblem("no profile: neither the gateway nor its groups set one",
                                       rel, (), "set 'profile: human|usecase|rescue' on the "
                                       "gateway or one of its groups"))
    trust = _first_set(scopes, "trust_level")
    if trust is None:
        errors.append(ReferenceProblem("no trust_level: neither the gateway nor its groups set "
                                       "one", rel, (), "set 'trust_level: low|medium|high'"))
    wave = _first_set(scopes, "wave")

    agents, seen = [], {}
    for index, agent in enumerate(data["agents"]):
        if agent["id"] in seen:
            errors.append(ReferenceProblem(
                "agent id %r is already used by agents[%d]" % (agent["id"], seen[agent["id"]]),
                rel, ("agents", index, "id"), "give every agent of a gateway a unique id",
                code="routing.duplicate-agent"))
            continue
        if agent["kind"] == "human" and not agent.get("owner"):
            errors.append(ReferenceProblem(
                "human-coupled agent %r has no owner" % agent["id"], rel, ("agents", index),
                "add 'owner:' (the person's unique id, e.g. an email) or make it kind: usecase",
                code="routing.owner-missing"))
        seen[agent["id"]] = index
        agents.append(Agent(agent["id"], agent["kind"], index, agent))
    for index, binding in enumerate(data.get("bindings", [])):
        if binding["agentId"] not in seen:
            errors.append(ReferenceProblem(
                "binding routes to unknown agent %r" % binding["agentId"], rel,
                ("bindings", index, "agentId"),
                "use an agent id of this gateway: %s" % ", ".join(sorted(seen)),
                code="routing.unknown-agent"))
    if errors:
        raise FleetErrors(errors)

    settings, sources = {}, {}
    layered = [(FLEET_FILE, ("defaults",), fleet_data.get("defaults", {}))]
    layered += [(g.file, ("defaults",), g.data.get("defaults", {})) for g in member_of]
    layered += [(rel, (), data)]
    for name in ("image", "exposure", "hosted", "resources", "auth", "env"):
        for src_rel, prefix, scope in layered:
            if name in scope:
                value = scope[name]
                if isinstance(value, dict) and name != "auth":
                    settings[name] = _merge_dicts(settings.get(name), value)
                else:
                    settings[name] = value
                sources[name] = (src_rel, prefix + (name,))
    settings["_sources"] = sources
    variables = {}
    for scope in [fleet_data] + [g.data for g in member_of] + [data]:
        variables.update(scope.get("variables", {}))
    return Gateway(data["id"], rel, data, member_of, profile, trust[0], wave[0] if wave else
                   DEFAULT_WAVE, settings, variables, agents)


INVENTORY_SUFFIXES = (".clawops.yml", ".clawops.yaml")


def inventory_fleet_dir(source_path, fleet_dir_option):
    """The fleet directory an inventory source names: ``fleet_dir`` as given, relative to the
    directory of the source file after resolving symlinks (so a linked inventory file, as
    Molecule's ``inventory.links`` makes, still finds its fleet)."""
    fleet_dir = os.path.expanduser(fleet_dir_option)
    if not os.path.isabs(fleet_dir):
        fleet_dir = os.path.join(os.path.dirname(os.path.realpath(source_path)), fleet_dir)
    return os.path.realpath(fleet_dir)


def inventory_files(sources):
    """The fleet inventory files among Ansible's inventory sources (files, or directories
    holding them)."""
    found = []
    for source in sources or []:
        source = os.path.expanduser(str(source))
        if os.path.isdir(source):
            # Ansible reads an inventory directory recursively, links included (Molecule
            # links the scenario's inventory directory into its own): so does this
            top = source.rstrip(os.sep).count(os.sep)
            for base, dirs, names in os.walk(source, followlinks=True):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".")) \
                    if base.count(os.sep) - top < 4 else []
                found += [os.path.join(base, n) for n in sorted(names)
                          if n.endswith(INVENTORY_SUFFIXES)]
        elif source.endswith(INVENTORY_SUFFIXES):
            found.append(source)
    return found


def check_inventory(sources, hosts, fleet_dirs=None):
    """Prove that the run's inventory came from clawops fleets that load: a list of
    ``{source, fleet_dir, gateways}``; raises FleetError with the loader's own message for a
    source whose fleet does not load, or when there is no fleet source or no gateway host.

    An inventory synced from a fleet source (AWX copies what the plugin made into each job as
    plain data) names no fleet source: its hosts' ``clawops_fleet_dir`` (``fleet_dirs``) is
    loaded instead, and its gateways must be the fleet's (else the copy is out of date)."""
    files = inventory_files(sources)
    synced = sorted(set(d for d in fleet_dirs or [] if d))
    if not files and hosts and synced:
        _check_libraries()
        loaded, known = [], set()
        for fleet_dir in synced:
            fleet = load_fleet(fleet_dir)  # FleetError(s): the loader's message
            known.update(fleet.gateways)
            loaded.append({"source": "(synced inventory)", "fleet_dir": fleet.root,
                           "gateways": len(fleet.gateways)})
        stale = sorted(set(hosts) - known)
        if stale:
            raise FleetError(
                "the inventory is out of date: gateways %s are no longer in the fleet (%s)"
                % (", ".join(stale), ", ".join(synced)), None, (),
                "sync the inventory source before the job (AWX: 'update on launch')")
        return loaded
    if not files:
        raise FleetError("no clawops fleet inventory among the inventory sources (%s)"
                         % (", ".join(map(str, sources or [])) or "none"), None, (),
                         "pass -i <dir>/fleet.clawops.yml, a file with 'plugin: "
                         "clawops.orchestrator.fleet' and 'fleet_dir:'")
    _check_libraries()
    loaded = []
    for path in files:
        try:
            with open(path, "r", encoding="utf-8") as handle:
                option = (yaml_load(handle) or {}).get("fleet_dir")
        except (OSError, ValueError, AttributeError) as exc:
            raise FleetError("inventory source %s cannot be read: %s" % (path, exc), None, (),
                             "write it as YAML with 'plugin:' and 'fleet_dir:'")
        if not isinstance(option, str) or not option:
            raise FleetError("inventory source %s has no fleet_dir" % path, None, ("fleet_dir",),
                             "add 'fleet_dir: <the directory that holds fleet.yml>'")
        fleet_dir = inventory_fleet_dir(path, option)
        fleet = load_fleet(fleet_dir)  # FleetError(s): the loader's message
        loaded.append({"source": path, "fleet_dir": fleet_dir, "gateways": len(fleet.gateways)})
    if not hosts:
        raise FleetError(
            "the fleet in %s loads (%d gateways) but the inventory has none of them"
            % (loaded[0]["fleet_dir"], loaded[0]["gateways"]), None, (),
            "let Ansible use the inventory plugin: enable_plugins in ansible.cfg must name "
            "clawops.orchestrator.fleet or auto")
    return loaded
