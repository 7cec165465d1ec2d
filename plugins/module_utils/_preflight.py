# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight: prove a deploy safe before it happens.

``run_preflight(fleet_dir)`` loads the fleet, its catalog and policy, renders every
gateway and returns a ``Report`` of ``Finding``s (severity, code, file, key path,
message, fix). Any ``error`` finding blocks every deploy path. The codes are listed in
``CODES`` (and in docs/policy.md); each has a case in tests/preflight_corpus/.
Nothing here writes anywhere.
"""

from __future__ import annotations

import json
import os
import posixpath
from collections import defaultdict

from ._catalog import TRUST_RANK, load_catalog
from ._gc import pausing
from ._errors import FleetError, FleetErrors, format_key_path
from ._exposure import CODES as EXPOSURE_CODES, ExposureChecks
from ._redact import classify_secret, credential_kind
from ._fleet import FLEET_FILE, load_fleet
from ._layering import Source, child_source, leaves
from ._policy import channels_of
from ._render import DERIVED_PORT_SPAN, Renderer

PORT_SPACING = 120  # keep gateway bases this far apart (OpenClaw uses base..base+110)
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

# code -> (severity, what it means). Load/render errors keep the codes of their types.
CODES = {
    "syntax": ("error", "A YAML or JSON5 file does not parse."),
    "syntax.too-large": ("error", "A file holds too many values (YAML aliases counted where "
                                  "used) or nests too deep."),
    "file.symlink": ("error", "A fleet file is a symbolic link (fleet files are read only as "
                              "regular files)."),
    "file.not-regular": ("error", "A fleet file is a device, pipe or other non-regular file."),
    "file.too-large": ("error", "A fleet file is larger than 1 MiB."),
    "schema": ("error", "A value violates the fleet schema."),
    "include": ("error", "$include escapes the fleet dir, loops, nests too deep or is missing."),
    "reference": ("error", "A name points at nothing (group, host, cluster, seed...)."),
    "seed.unsafe": ("error", "A workspace seed holds links, devices or .git, is the fleet "
                             "directory itself, or is too large."),
    "substitution": ("error", "An @{variable} is not defined in its scope."),
    "managed-key": ("error", "A template sets a key clawops derives (port, auth, allowlists)."),
    "path.outside-root": ("error", "A gateway's root or path override is not below its host's "
                                   "root or extra_roots."),
    "path.system-root": ("error", "A Compose host's root is a system directory."),
    "collision.port": ("error", "Two gateways on one machine use the same port."),
    "collision.port-range": ("error", "Gateway ports on one machine are less than %d apart "
                                      "(OpenClaw also uses base+1..base+%d)."
                             % (PORT_SPACING, DERIVED_PORT_SPAN)),
    "collision.root": ("error", "Two gateways' directories on one machine overlap."),
    "collision.state-dir": ("error", "Two gateways' state directories overlap."),
    "collision.config-path": ("error", "Two gateways' config directories overlap."),
    "collision.workspace-root": ("error", "Two gateways' workspace roots overlap."),
    "collision.workspace": ("error", "Two agents of a gateway share a workspace."),
    "collision.agent-dir": ("error", "Two agents of a gateway share an agentDir."),
    "collision.compose-project": ("error", "Two gateways on one machine share a compose "
                                           "project name."),
    "collision.k8s-name": ("error", "Two gateways in one namespace share K8s object names."),
    "routing.duplicate-agent": ("error", "An agent id appears twice in a gateway."),
    "routing.unknown-agent": ("error", "A binding routes to an agent the gateway lacks."),
    "routing.unknown-account": ("error", "A binding names an account the gateway lacks."),
    "routing.account-conflict": ("error", "One account (and peer) is routed to two agents."),
    "routing.account-shared": ("error", "Two accounts use the same credential (one bot "
                                        "polled twice)."),
    "routing.wildcard": ("error", "A binding matches every/default account without "
                                  "routing.allow_wildcard."),
    "routing.owner-missing": ("error", "A human-coupled agent has no owner."),
    "routing.owner-not-unique": ("error", "Two human-coupled agents have the same owner."),
    "routing.duplicate-binding": ("warning", "The same route is declared twice."),
    "routing.unbound-account": ("warning", "An account has no binding (its traffic goes to "
                                           "the default agent)."),
    "security.auth-missing": ("error", "A gateway has no auth secret reference."),
    "security.exposure-without-auth": ("error", "A gateway exposed beyond loopback has no "
                                                "token/password auth."),
    "security.literal-secret": ("error", "A secret value is written in the fleet definition."),
    "secret.out-of-scope": ("error", "A secret reference points outside fleet.yml's secrets "
                                     "scopes (a controller credential, another org's Vault "
                                     "path, a system file)."),
    "secret.gateway-token": ("error", "A gateway's auth token reference is used for something "
                                      "else (an account, an env var)."),
    "security.inline-token": ("error", "A token field holds a string (or ${VAR}) instead of "
                                       "a secret reference."),
    "security.secret-in-repo": ("error", "A file secret reference points inside the fleet "
                                         "repo."),
    "policy.model-unlisted": ("error", "A model is not in the catalog."),
    "policy.model-denied": ("error", "A model is denied by a scope."),
    "policy.model-not-allowed": ("error", "A model is outside a scope's allow list."),
    "policy.model-tier-denied": ("error", "A model's tier is not allowed at a scope."),
    "policy.provider-denied": ("error", "A model's provider is denied by a scope."),
    "policy.provider-not-allowed": ("error", "A model's provider is outside an allow list."),
    "policy.provider-unlisted": ("error", "A configured provider is not in the catalog."),
    "policy.no-allowed-model": ("error", "No model is allowed for a gateway or agent."),
    "policy.model-unset": ("warning", "An agent has no model: OpenClaw's built-in default "
                                      "escapes the policy."),
    "policy.skill-unlisted": ("error", "A skill is not in the catalog."),
    "policy.skill-denied": ("error", "A skill is denied by a scope."),
    "policy.skill-not-allowed": ("error", "A skill is outside a scope's allow list."),
    "policy.skill-tier-denied": ("error", "A skill's risk tier is not allowed at a scope."),
    "policy.skill-source-denied": ("error", "A skill's source is not allowed at a scope."),
    "policy.integration-unlisted": ("error", "An integration is not in the catalog."),
    "policy.integration-denied": ("error", "An integration is denied by a scope."),
    "policy.integration-not-allowed": ("error", "An integration is outside an allow list."),
    "policy.integration-tier-denied": ("error", "An integration's trust tier is not allowed "
                                                "at a scope."),
    "policy.integration-trust": ("error", "An integration needs a more trusted gateway."),
    "policy.integration-blocked": ("error", "An integration is blocked in the catalog."),
    "policy.integration-deprecated": ("warning", "An integration is deprecated."),
    "policy.integration-missing-plugin": ("error", "A custom-only integration lacks the skill "
                                                   "or plugin it needs."),
    "policy.widening-not-granted": ("error", "An inner scope allows what an outer scope does "
                                             "not, without a grant."),
    "policy.pattern-unmatched": ("warning", "A policy pattern matches nothing in the catalog."),
    "policy.skills-unrestricted": ("warning", "No scope of a gateway limits skills: every "
                                              "agent may use every catalog skill."),
    "policy.tier-invalid": ("error", "A tier name does not exist for the domain."),
}
CODES.update(EXPOSURE_CODES)


class Finding:
    """One preflight result."""

    __slots__ = ("severity", "code", "file", "key_path", "message", "fix", "gateway", "agent")

    def __init__(self, code, file, key_path, message, fix, gateway=None, agent=None,
                 severity=None):
        self.code = code
        self.severity = severity or CODES.get(code, ("error",))[0]
        self.file = file
        self.key_path = tuple(key_path or ())
        self.message = message
        self.fix = fix or ""
        self.gateway = gateway
        self.agent = agent

    @property
    def key_path_text(self):
        if len(self.key_path) == 1 and str(self.key_path[0]).startswith("line "):
            return self.key_path[0]  # text files: "line N"
        return format_key_path(self.key_path) if self.key_path else ""

    @property
    def location(self):
        where = self.file or "(fleet)"
        return where + (": " + self.key_path_text if self.key_path else "")

    def render(self):
        return "%s %s %s: %s%s" % (self.severity.upper(), self.code, self.location,
                                   self.message, (". Fix: " + self.fix) if self.fix else "")

    def sort_key(self):
        return (SEVERITY_ORDER[self.severity], self.file or "", self.key_path_text,
                self.code, self.message)

    def as_dict(self):
        return {"severity": self.severity, "code": self.code, "file": self.file or "",
                "key_path": self.key_path_text,
                "location": self.location, "message": self.message, "fix": self.fix,
                "gateway": self.gateway, "agent": self.agent}

    @classmethod
    def from_error(cls, error, gateway=None):
        return cls(error.code, error.file, error.key_path,
                   error.problem + (" (include chain: %s)" % " -> ".join(error.chain)
                                    if error.chain else ""), error.fix, gateway)


class Report:
    """Findings plus what was computed on the way (for views and deploys)."""

    def __init__(self, findings, fleet=None, catalog=None, renderer=None, plans=None,
                 selected=None):
        unique = {}
        for finding in findings:
            unique.setdefault((finding.code, finding.file, finding.key_path, finding.message),
                              finding)
        self.findings = sorted(unique.values(), key=Finding.sort_key)
        self.fleet = fleet
        self.catalog = catalog
        self.renderer = renderer
        self.plans = plans or {}
        self.selected = selected

    @property
    def errors(self):
        return [f for f in self.findings if f.severity == "error"]

    @property
    def ok(self):
        return not self.errors

    def counts(self):
        out = {"error": 0, "warning": 0, "info": 0}
        for finding in self.findings:
            out[finding.severity] += 1
        return out

    def codes(self, severity=None):
        return sorted({f.code for f in self.findings
                       if severity is None or f.severity == severity})

    def as_dict(self):
        return {"ok": self.ok, "counts": self.counts(),
                "findings": [f.as_dict() for f in self.findings],
                "gateways": sorted(self.plans)}

    def text(self):
        lines = [f.render() for f in self.findings]
        counts = self.counts()
        lines.append("preflight: %d error(s), %d warning(s) in %d gateway(s): %s" % (
            counts["error"], counts["warning"], len(self.plans) if self.plans else 0,
            "PASS" if self.ok else "FAIL - nothing may be deployed"))
        return "\n".join(lines)


@pausing
def run_preflight(fleet_dir, gateways=None):
    """Check the fleet in ``fleet_dir`` (all gateways, or the ids in ``gateways``)."""
    try:
        fleet = load_fleet(fleet_dir)
    except FleetErrors as exc:
        return Report([Finding.from_error(e) for e in exc.errors])
    except FleetError as exc:
        return Report([Finding.from_error(exc)])
    try:
        catalog = load_catalog(fleet)
    except FleetErrors as exc:
        return Report([Finding.from_error(e) for e in exc.errors], fleet)
    findings = []
    selected = sorted(gateways) if gateways else sorted(fleet.gateways)
    for gw_id in selected:
        if gw_id not in fleet.gateways:
            findings.append(Finding("reference", None, (), "unknown gateway %r" % gw_id,
                                    "use one of: %s" % ", ".join(sorted(fleet.gateways))))
    renderer = Renderer(fleet, catalog)
    plans = {}
    for gw_id in sorted(fleet.gateways):
        try:
            plans[gw_id] = renderer.render(fleet.gateways[gw_id])
        except FleetErrors as exc:
            findings.extend(Finding.from_error(e, gw_id) for e in exc.errors)
        except FleetError as exc:
            findings.append(Finding.from_error(exc, gw_id))
    checks = _Checks(fleet, catalog, renderer, plans)
    findings.extend(checks.run())
    wanted = set(selected)
    findings = [f for f in findings if f.gateway is None or f.gateway in wanted]
    return Report(findings, fleet, catalog, renderer,
                  {k: v for k, v in plans.items() if k in wanted}, selected)


def source_at(prov, path):
    """The Source of the value at ``path`` (the first leaf below it for objects)."""
    node = prov
    for key in path:
        node = child_source(node, key)
        if node is None:
            return None
    extra = 0
    while not isinstance(node, Source) and node:
        if isinstance(node, dict):
            node = next(iter(node.values()))
        elif isinstance(node, list):
            node = node[0]
        else:
            return None
        extra += 1
    if not isinstance(node, Source):
        return None
    if extra and len(node.path) >= extra:
        node = Source(node.layer, node.file, node.path[:len(node.path) - extra])
    return node


# -- secrets --------------------------------------------------------------------------
_SECRET_REF_KEYS = frozenset(["source", "var", "path", "key", "mount", "provider", "id"])
_TEXT_SUFFIXES = (".md", ".txt", ".sh", ".env", ".ini", ".cfg", ".conf", ".toml", ".py",
                  ".j2", ".tpl", ".csv")
MAX_SCAN_BYTES = 1 << 20


class _Checks:
    def __init__(self, fleet, catalog, renderer, plans):
        self.fleet = fleet
        self.catalog = catalog
        self.engine = renderer.policy
        self.plans = plans
        self.out = []
        self.secret_locations = set()

    def add(self, *args, **kwargs):
        self.out.append(Finding(*args, **kwargs))

    def run(self):
        self.collisions()
        self.routing()
        self.secrets_in_files()
        self.gateway_tokens()
        exposure = ExposureChecks(self.add, self._where)
        for gw_id in sorted(self.plans):
            plan = self.plans[gw_id]
            self.inline_tokens(plan)
            self.policy(plan)
            exposure.check(plan)
            self.skills_limited(plan)
        return self.out

    @staticmethod
    def _ref_key(ref):
        return tuple(sorted((k, str(v)) for k, v in ref.items()))

    def gateway_tokens(self):
        """A gateway's auth token is its auth only: never an account's or an env secret (an
        operator could otherwise hand another gateway's token to a channel they read)."""
        tokens = {}
        for gw_id, plan in self.plans.items():
            for name in ("OPENCLAW_GATEWAY_TOKEN", "OPENCLAW_GATEWAY_PASSWORD"):
                ref = plan.runtime["secret_env"].get(name)
                if ref:
                    tokens.setdefault(self._ref_key(ref), gw_id)
        for gw_id in sorted(self.plans):
            gw = self.plans[gw_id].gateway
            uses = []
            for channel, spec in sorted(gw.data.get("channels", {}).items()):
                for account_id, account in sorted(spec.get("accounts", {}).items()):
                    for field, ref in sorted(account.get("secrets", {}).items()):
                        uses.append((ref, gw.file, ("channels", channel, "accounts", account_id,
                                                    "secrets", field)))
            env_file, env_path = gw.setting_source("env")
            for name, ref in sorted(gw.settings.get("env", {}).items()):
                uses.append((ref, env_file, env_path + (name,)))
            for ref, rel, key_path in uses:
                owner = tokens.get(self._ref_key(ref)) if isinstance(ref, dict) else None
                if owner:
                    self.add("secret.gateway-token", rel, key_path,
                             "%s uses the auth token reference of gateway %s" % (gw_id, owner),
                             "give it a secret of its own; a gateway token is only that "
                             "gateway's auth", gw_id)

    def skills_limited(self, plan):
        gw = plan.gateway
        scopes = [self.fleet.data] + [g.data for g in gw.groups] + [gw.data] + \
            [a.data for a in gw.agents]
        if any("skills" in (scope.get("policy") or {}) for scope in scopes):
            return
        ids = self.catalog.ids("skills")
        high = [i for i in ids if self.catalog.tier("skills", i) == "high"]
        self.add("policy.skills-unrestricted", gw.file, ("policy",),
                 "no policy of %s (org, groups, gateway, agents) limits skills: every agent may "
                 "use all %d catalog skills, %d of them high-risk (%s)" % (
                     gw.id, len(ids), len(high), ", ".join(sorted(high)[:5]) +
                     (", ..." if len(high) > 5 else "")),
                 "set policy.skills in fleet.yml (e.g. tiers: [low, medium]) or at a group",
                 gw.id)

    # -- collisions -----------------------------------------------------------------
    def machine(self, host):
        spec = self.fleet.data["targets"]["compose_hosts"][host]
        variables = spec.get("vars") or {}
        if variables.get("ansible_host"):
            return str(variables["ansible_host"])
        if variables.get("ansible_connection") == "local":
            return "localhost"
        return host

    def collisions(self):
        by_machine, by_namespace = defaultdict(list), defaultdict(list)
        for gw_id in sorted(self.plans):
            plan = self.plans[gw_id]
            runtime = plan.runtime
            if runtime["provider"] == "compose":
                by_machine[self.machine(runtime["target"]["host"])].append(plan)
            else:
                target = runtime["target"]
                by_namespace[(target["cluster"], target["namespace"])].append(plan)
            self.agent_paths(plan)
        for machine, plans in sorted(by_machine.items()):
            self.ports(machine, plans)
            self.host_paths(machine, plans)
            self.names(plans, "collision.compose-project", "on machine %s" % machine,
                       "compose project")
        for (cluster, namespace), plans in sorted(by_namespace.items()):
            self.names(plans, "collision.k8s-name", "in cluster %s namespace %s" % (
                cluster, namespace), "Deployment/Service/ConfigMap/Secret/PVC name")

    def ports(self, machine, plans):
        ordered = sorted(plans, key=lambda p: (p.runtime["port"], p.gateway.id))
        for before, after in zip(ordered, ordered[1:]):
            gap = after.runtime["port"] - before.runtime["port"]
            if gap >= PORT_SPACING:
                continue
            gw = after.gateway
            if gap == 0:
                self.add("collision.port", gw.file, ("port",),
                         "port %d on machine %s is also used by gateway %s" % (
                             gw.port, machine, before.gateway.id),
                         "pick a port at least %d away from every other gateway on the "
                         "machine" % PORT_SPACING, gw.id)
            else:
                self.add("collision.port-range", gw.file, ("port",),
                         "port %d is only %d above gateway %s's port %d on machine %s; "
                         "OpenClaw also uses base+1..base+%d" % (
                             gw.port, gap, before.gateway.id, before.runtime["port"], machine,
                             DERIVED_PORT_SPAN),
                         "use port %d or higher (bases at least %d apart)" % (
                             before.runtime["port"] + PORT_SPACING, PORT_SPACING), gw.id)

    def _claims(self, plan):
        gw = plan.gateway
        host_paths = plan.runtime["host_paths"]
        provider = gw.data["provider"]
        if "root" in provider:
            root_src = (gw.file, ("provider", "root"))
        else:
            root_src = (FLEET_FILE, ("targets", "compose_hosts", provider["host"], "root"))
        claims = [("root", host_paths["root"], root_src)]
        for kind in ("state_dir", "workspace_root", "config_dir"):
            if kind in provider.get("paths", {}):
                claims.append((kind, host_paths[kind], (gw.file, ("provider", "paths", kind))))
        return claims

    def host_paths(self, machine, plans):
        codes = {"root": "collision.root", "state_dir": "collision.state-dir",
                 "workspace_root": "collision.workspace-root",
                 "config_dir": "collision.config-path"}
        claimed = {}
        reported = set()
        for plan in sorted(plans, key=lambda p: p.gateway.id):
            gw = plan.gateway
            for kind, path, (src_file, src_path) in self._claims(plan):
                hits = []
                probe = path
                while True:
                    for owner in claimed.get(probe, ()):
                        hits.append(owner)
                    parent = posixpath.dirname(probe)
                    if parent == probe:
                        break
                    probe = parent
                for other_path, owners in claimed.items():
                    if other_path.startswith(path.rstrip("/") + "/"):
                        hits.extend(owners)
                for other_id, other_kind, other_path in hits:
                    if other_id == gw.id or (gw.id, other_id) in reported:
                        continue
                    reported.add((gw.id, other_id))
                    code_kind = kind if kind != "root" else other_kind
                    where_file, where_path = (src_file, src_path)
                    self.add(codes[code_kind], where_file if where_file == gw.file else gw.file,
                             where_path if where_file == gw.file else ("provider",),
                             "%s %s overlaps %s of gateway %s (%s) on machine %s" % (
                                 kind.replace("_", " "), path, other_kind.replace("_", " "),
                                 other_id, other_path, machine),
                             "give every gateway its own directory tree (provider.root / "
                             "provider.paths, or the host's root)", gw.id)
            for kind, path, dummy in self._claims(plan):
                claimed.setdefault(path, []).append((gw.id, kind, path))

    def names(self, plans, code, where, what):
        by_name = defaultdict(list)
        for plan in plans:
            by_name[plan.runtime["instance"]].append(plan.gateway)
        for name, gws in sorted(by_name.items()):
            # the gateway that owns the name by default keeps it; overrides are reported
            gws.sort(key=lambda g: ("instance" in g.data, g.id))
            for gw in gws[1:]:
                self.add(code, gw.file, ("instance",) if "instance" in gw.data else ("id",),
                         "instance name %r (%s) %s is also used by gateway %s" % (
                             name, what, where, gws[0].id),
                         "set a unique 'instance:' or remove the override", gw.id)

    def agent_paths(self, plan):
        gw = plan.gateway
        for field, code, label in (("workspace", "collision.workspace", "workspace"),
                                   ("agent_dir", "collision.agent-dir", "agentDir")):
            seen = {}
            for agent in gw.agents:
                name = agent.data.get(field, agent.id)
                if name in seen:
                    self.add(code, gw.file, agent.key_path + ((field,) if field in agent.data
                                                              else ("id",)),
                             "agent %r uses %s %r, already used by %s" % (
                                 agent.id, label, name, seen[name]),
                             "give every agent its own '%s:' directory name" % field, gw.id,
                             agent.id)
                else:
                    seen[name] = "agent %r" % agent.id

    # -- routing --------------------------------------------------------------------
    def routing(self):
        owners = {}
        credentials = {}
        for gw_id in sorted(self.fleet.gateways):
            gw = self.fleet.gateways[gw_id]
            for agent in gw.agents:
                if agent.kind == "human" and agent.owner:
                    owner = agent.owner.strip().lower()
                    if owner in owners:
                        self.add("routing.owner-not-unique", gw.file,
                                 agent.key_path + ("owner",),
                                 "owner %r already has human-coupled agent %s" % (
                                     agent.owner, owners[owner]),
                                 "a person has exactly one human-coupled agent; make this one "
                                 "kind: usecase or remove it", gw.id, agent.id)
                    else:
                        owners[owner] = "%s/%s" % (gw.id, agent.id)
            for channel, spec in sorted(gw.data.get("channels", {}).items()):
                for account_id, account in sorted(spec["accounts"].items()):
                    for field, ref in sorted((account.get("secrets") or {}).items()):
                        key = json.dumps(ref, sort_keys=True)
                        here = "%s %s/%s.%s" % (gw.id, channel, account_id, field)
                        if key in credentials:
                            self.add("routing.account-shared", gw.file,
                                     ("channels", channel, "accounts", account_id, "secrets",
                                      field),
                                     "this credential reference is also used by %s; one bot "
                                     "identity would be connected twice (Telegram answers 409, "
                                     "Slack splits events)" % credentials[key],
                                     "give every account its own credential", gw.id)
                        else:
                            credentials[key] = here
            self.bindings(gw)

    def bindings(self, gw):
        accounts = {(ch, acct) for ch, spec in gw.data.get("channels", {}).items()
                    for acct in spec["accounts"]}
        allow_wildcard = (gw.data.get("routing") or {}).get("allow_wildcard", False)
        routes, bound = {}, set()
        wildcard_channels = set()
        for index, binding in enumerate(gw.data.get("bindings", [])):
            match = binding["match"]
            channel, account = match["channel"], match.get("accountId")
            where = ("bindings", index, "match")
            if account in (None, "*"):
                wildcard_channels.add(channel)
                if not allow_wildcard:
                    self.add("routing.wildcard", gw.file,
                             where + (("accountId",) if account else ()),
                             "binding %d routes %s of %s to %s" % (
                                 index, "every account" if account else "the default account",
                                 channel, binding["agentId"]),
                             "name the accountId, or opt in with 'routing: {allow_wildcard: "
                             "true}' in the gateway file", gw.id, binding["agentId"])
            elif (channel, account) not in accounts:
                known = sorted(a for c, a in accounts if c == channel)
                self.add("routing.unknown-account", gw.file, where + ("accountId",),
                         "binding %d routes %s account %r, which the gateway does not declare"
                         % (index, channel, account),
                         "declare it under channels.%s.accounts (declared: %s)" % (
                             channel, ", ".join(known) or "none"), gw.id, binding["agentId"])
            else:
                bound.add((channel, account))
            peer = match.get("peer") or {}
            key = (channel, account, peer.get("kind"), peer.get("id"), match.get("guildId"),
                   match.get("teamId"))
            if key in routes:
                first_index, first_agent = routes[key]
                if first_agent != binding["agentId"]:
                    self.add("routing.account-conflict", gw.file, ("bindings", index),
                             "%s account %r%s is routed to %s here and to %s by bindings[%d]" % (
                                 channel, account or "(default)",
                                 " peer %s:%s" % (peer["kind"], peer["id"]) if peer else "",
                                 binding["agentId"], first_agent, first_index),
                             "route each account (and peer) to exactly one agent", gw.id,
                             binding["agentId"])
                else:
                    self.add("routing.duplicate-binding", gw.file, ("bindings", index),
                             "same route as bindings[%d]" % first_index, "remove one of them",
                             gw.id, binding["agentId"])
            else:
                routes[key] = (index, binding["agentId"])
        for channel, account in sorted(accounts - bound):
            if channel in wildcard_channels:
                continue
            self.add("routing.unbound-account", gw.file,
                     ("channels", channel, "accounts", account),
                     "no binding routes %s account %r; its messages go to the default agent"
                     % (channel, account), "add a binding for it", gw.id)

    # -- secrets --------------------------------------------------------------------
    def secrets_in_files(self):
        root = self.fleet.root
        files = self.fleet.files
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                path = os.path.join(dirpath, name)
                rel = files.rel(path)
                try:
                    if os.path.getsize(path) > MAX_SCAN_BYTES:
                        continue
                    if name.endswith((".yml", ".yaml")):
                        data = files.read_yaml(rel)
                    elif name.endswith((".json5", ".json")):
                        data = files.read_json5(rel)
                    elif name.endswith(_TEXT_SUFFIXES) or "." not in name:
                        self.scan_text(rel, path)
                        continue
                    else:
                        continue
                except (FleetError, OSError, UnicodeDecodeError):
                    continue  # unreadable files are reported by the loader when used
                self.scan_tree(rel, data, ())

    def scan_text(self, rel, path):
        with open(path, "rb") as handle:
            raw = handle.read()
        if b"\0" in raw:
            return
        text = raw.decode("utf-8", "replace")
        for number, line in enumerate(text.splitlines(), 1):
            kind = credential_kind(line)
            if kind:
                self.add("security.literal-secret", rel, ("line %d" % number,),
                         "looks like %s (value hidden)" % kind,
                         "remove it from the repo, rotate it, and reference it with "
                         "{source: env|file|vault}")

    def scan_tree(self, rel, node, path):
        if isinstance(node, dict):
            if node.get("source") in ("env", "file", "vault") and set(node) <= _SECRET_REF_KEYS:
                self.secret_ref(rel, node, path)
                return
            for key, value in node.items():
                verdict = classify_secret(key, value)
                if verdict:
                    self.secret_finding(verdict, rel, path + (key,), key, value)
                else:
                    self.scan_tree(rel, value, path + (key,))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, str):
                    kind = credential_kind(value)
                    if kind:
                        self.secret_finding("literal", rel, path + (index,), None, value)
                else:
                    self.scan_tree(rel, value, path + (index,))

    def secret_finding(self, verdict, rel, path, key, value, gateway=None):
        if (rel, tuple(path)) in self.secret_locations:
            return  # the file scan and the config scan found the same value
        self.secret_locations.add((rel, tuple(path)))
        kind = credential_kind(value) or "a %s value" % (key or "secret")
        if verdict == "literal":
            self.add("security.literal-secret", rel, path,
                     "holds %s in plain text (value hidden)" % kind,
                     "remove it (and rotate it: it is in git); reference it instead: "
                     "{source: env, var: NAME} / {source: file, path: ...} / {source: vault, "
                     "path: ..., key: ...} under the account's secrets: or the gateway's env:",
                     gateway)
        else:
            self.add("security.inline-token", rel, path,
                     "%s is a string (%s), not a secret reference" % (
                         key, "an env placeholder" if value.startswith("${") else
                         "a variable"),
                     "declare the secret under the account's 'secrets:' or the gateway's "
                     "'env:' so clawops writes an env SecretRef", gateway)

    def secret_ref(self, rel, ref, path):
        if ref.get("source") != "file" or not isinstance(ref.get("path"), str):
            return
        target = ref["path"]
        if "@{" in target or target.startswith("~"):
            return
        if not target.startswith("/"):
            target = os.path.join(os.path.dirname(self.fleet.files.abspath(rel)), target)
        if self.fleet.files.inside(os.path.normpath(target)):
            self.add("security.secret-in-repo", rel, path + ("path",),
                     "file secret %s is inside the fleet directory (it would be committed)"
                     % ref["path"], "keep secret files outside the repo, e.g. "
                     "~/.clawops/secrets/..., or use vault")

    def inline_tokens(self, plan):
        gw = plan.gateway
        for path, value in leaves(plan.config, ()):
            key = path[-1] if path else None
            verdict = classify_secret(key, value)
            if not verdict:
                continue
            src = source_at(plan.prov, path)
            rel, where = (src.file, src.path) if src and src.file and \
                not src.file.startswith("(") else (gw.file, ())
            self.secret_finding(verdict, rel, where or path, key, value, gw.id)

    # -- policy ---------------------------------------------------------------------
    def policy(self, plan):
        gw = plan.gateway
        engine = self.engine
        compiled = plan.policy
        chains = [compiled["chain"]] + [a["chain"] for a in compiled["agents"].values()]
        for chain in chains:
            for note in engine.notes(chain):
                self.add(note.code, note.file, note.path, note.message, note.fix,
                         None if chain[-1].name == "org" or note.file == FLEET_FILE else gw.id,
                         severity=note.severity)
        self.models(plan)
        self.skills(plan)
        self.integrations(plan)

    def _where(self, plan, path):
        src = source_at(plan.prov, path)
        if src is None or not src.file or src.file.startswith("("):
            return plan.gateway.file, ()
        return src.file, src.path

    def _deny(self, domain, item_id, reason, usage, plan, agent=None, scope_name=None):
        singular = {"models": "model", "skills": "skill", "integrations": "integration"}[domain]
        why = reason.why if reason else "not-allowed"
        code = {
            "denied": "policy.%s-denied" % singular,
            "not-allowed": "policy.%s-not-allowed" % singular,
            "tier": "policy.%s-tier-denied" % singular,
            "source": "policy.skill-source-denied",
            "blocked": "policy.integration-blocked",
            "provider-denied": "policy.provider-denied",
            "provider-not-allowed": "policy.provider-not-allowed",
            "provider-tier": "policy.provider-not-allowed",
        }.get(why, "policy.%s-not-allowed" % singular)
        decided = ""
        if reason:
            decided = " (%s by %s at %s: %s)" % (
                {"tier": "tier not allowed", "source": "source not allowed"}.get(
                    why, why.replace("provider-", "provider ").replace("-", " ")),
                reason.scope, reason.file, format_key_path(reason.path))
        file, path = usage
        who = scope_name or ("agent %s" % agent if agent else "gateway %s" % plan.gateway.id)
        message = "%s %r is not allowed for %s%s" % (singular, item_id, who, decided)
        fix = ("use an allowed %s (see the effective policy: playbooks/preflight.yml -e "
               "clawops_view=policy), or change the policy at %s"
               % (singular, reason.scope if reason else "the right scope"))
        self.add(code, file, path, message, fix, plan.gateway.id, agent)

    def models(self, plan):
        gw = plan.gateway
        engine = self.engine
        compiled = plan.policy
        config = plan.config
        agents_cfg = config.get("agents", {})
        defaults = agents_cfg.get("defaults", {})
        aliases = {}
        for ref, spec in (defaults.get("models") or {}).items():
            if isinstance(spec, dict) and spec.get("alias"):
                aliases[spec["alias"]] = ref
        gw_models, gw_reasons = engine.models(compiled["chain"])
        if gw.agents and not gw_models:
            if not self.catalog.ids("models"):
                self.add("policy.no-allowed-model", FLEET_FILE, ("paths", "catalogs"),
                         "the catalog lists no models, so no gateway may use one",
                         "add catalogs/models.yml: models: {<provider>/<model>: {tier: default, "
                         "owner: <team>}} for every model the org uses")
            else:
                self.add("policy.no-allowed-model", gw.file, ("policy",),
                         "no cataloged model is allowed for gateway %s (OpenClaw would read "
                         "an empty allowlist as 'any model')" % gw.id,
                         "allow at least one model (catalogs/ models, policy.models/providers)",
                         gw.id)
        for key, ref, path in _model_refs(defaults, ("agents", "defaults")):
            self.model_use(plan, aliases.get(ref, ref), path, gw_models, gw_reasons, None)
        for provider in sorted((config.get("models") or {}).get("providers") or {}):
            if provider not in self.catalog.ids("providers"):
                self.add("policy.provider-unlisted", *self._where(
                    plan, ("models", "providers", provider)),
                    message="provider %r is not in the catalog" % provider,
                    fix="add it to catalogs/ providers (with an owner) or remove it",
                    gateway=gw.id)
            elif provider not in engine.state("providers", compiled["chain"]).allowed:
                reason = engine.state("providers", compiled["chain"]).reasons.get(provider)
                self.add("policy.provider-denied" if reason and reason.why == "denied"
                         else "policy.provider-not-allowed",
                         *self._where(plan, ("models", "providers", provider)),
                         message="provider %r is not allowed for gateway %s" % (provider,
                                                                                gw.id),
                         fix="remove it or allow it in policy.providers", gateway=gw.id)
        for agent in gw.agents:
            info = compiled["agents"][agent.id]
            entry = agents_cfg["entries"][agent.id]
            base = ("agents", "entries", agent.id)
            amodels, areasons = engine.models(info["chain"])
            if not amodels and gw_models:
                self.add("policy.no-allowed-model", gw.file, agent.key_path + ("policy",),
                         "no cataloged model is allowed for agent %s" % agent.id,
                         "loosen the agent's policy.models", gw.id, agent.id)
            refs = list(_model_refs(entry, base))
            for key, ref, path in refs:
                self.model_use(plan, aliases.get(ref, ref), path, amodels, areasons, agent.id)
            if not any(key == "model" for key, dummy, dummy2 in refs):
                inherited = list(_model_refs({"model": defaults.get("model")},
                                             ("agents", "defaults")))
                if not inherited:
                    self.add("policy.model-unset", gw.file, agent.key_path,
                             "agent %s has no model and the gateway sets no default; "
                             "OpenClaw's built-in default is outside the policy" % agent.id,
                             "set the agent's 'model:' or agents.defaults.model in a template",
                             gw.id, agent.id)
                elif amodels != gw_models:
                    for key, ref, path in inherited:
                        self.model_use(plan, aliases.get(ref, ref), path, amodels, areasons,
                                       agent.id)

    def model_use(self, plan, ref, path, allowed, reasons, agent):
        usage = self._where(plan, path)
        if ref not in self.catalog.ids("models"):
            self.add("policy.model-unlisted", usage[0], usage[1],
                     "model %r is not in the catalog" % ref,
                     "add it to catalogs/ models with a tier and owner, or use a cataloged "
                     "model", plan.gateway.id, agent)
        elif ref not in allowed:
            self._deny("models", ref, reasons.get(ref), usage, plan, agent)

    def skills(self, plan):
        gw = plan.gateway
        engine = self.engine
        for agent in gw.agents:
            info = plan.policy["agents"][agent.id]
            requested = info["requested_skills"]
            if requested is None:
                continue
            state = engine.state("skills", info["chain"])
            for index, name in enumerate(requested):
                src = info.get("requested_prov")
                src = child_source(src, index) if src is not None else None
                usage = (src.file, src.path) if isinstance(src, Source) and src.file and \
                    not src.file.startswith("(") else (gw.file, agent.key_path + ("skills",))
                if name not in self.catalog.ids("skills"):
                    self.add("policy.skill-unlisted", usage[0], usage[1],
                             "skill %r is not in the catalog" % name,
                             "add it to catalogs/ skills (source, ref, owner, risk) or remove "
                             "it", gw.id, agent.id)
                elif name not in state.allowed:
                    self._deny("skills", name, state.reasons.get(name), usage, plan, agent.id)

    def integrations(self, plan):
        gw = plan.gateway
        engine = self.engine
        compiled = plan.policy
        gw_state = engine.state("integrations", compiled["chain"])
        catalog_ids = self.catalog.ids("integrations")
        for channel in channels_of(plan.config):
            usage = self._where(plan, ("channels", channel))
            if (gw.data.get("channels") or {}).get(channel):
                usage = (gw.file, ("channels", channel))
            self.integration_use(plan, channel, usage, gw_state, None)
        for agent in gw.agents:
            info = compiled["agents"][agent.id]
            state = engine.state("integrations", info["chain"])
            if state.allowed != gw_state.allowed:
                for index, binding in enumerate(gw.data.get("bindings", [])):
                    if binding["agentId"] == agent.id:
                        self.integration_use(plan, binding["match"]["channel"],
                                             (gw.file, ("bindings", index, "match", "channel")),
                                             state, agent.id, check_trust=False)
            for index, name in enumerate(agent.data.get("integrations", [])):
                usage = (gw.file, agent.key_path + ("integrations", index))
                if not self.integration_use(plan, name, usage, state, agent.id):
                    continue
                item = catalog_ids[name]
                needs = item.get("requires") or {}
                if needs.get("skill") and needs["skill"] not in info["effective_skills"]:
                    self.add("policy.integration-missing-plugin", usage[0], usage[1],
                             "integration %r needs skill %r, which agent %s does not have" % (
                                 name, needs["skill"], agent.id),
                             "add %r to the agent's skills (and allow it in the policy)"
                             % needs["skill"], gw.id, agent.id)
                plugin = needs.get("plugin")
                if plugin:
                    entries = (plan.config.get("plugins") or {}).get("entries") or {}
                    entry = entries.get(plugin)
                    denied = plugin in ((plan.config.get("plugins") or {}).get("deny") or [])
                    if not isinstance(entry, dict) or entry.get("enabled") is False or denied:
                        self.add("policy.integration-missing-plugin", usage[0], usage[1],
                                 "integration %r needs plugin %r, which gateway %s does not "
                                 "configure%s" % (name, plugin, gw.id,
                                                  " (it is denied)" if denied else ""),
                                 "configure plugins.entries.%s in a template (installed in "
                                 "the image) or drop the integration" % plugin, gw.id, agent.id)

    def integration_use(self, plan, name, usage, state, agent, check_trust=True):
        gw = plan.gateway
        item = self.catalog.ids("integrations").get(name)
        if item is None:
            self.add("policy.integration-unlisted", usage[0], usage[1],
                     "integration %r is not in the catalog" % name,
                     "add it to catalogs/ integrations (kind, status, install, trust_tier, "
                     "owner) or remove it", gw.id, agent)
            return False
        ok = True
        if name not in state.allowed:
            self._deny("integrations", name, state.reasons.get(name), usage, plan, agent)
            ok = False
        elif item.get("status") == "deprecated":
            self.add("policy.integration-deprecated", usage[0], usage[1],
                     "integration %r is deprecated in the catalog" % name,
                     "plan a move off it", gw.id, agent)
        if check_trust and TRUST_RANK.get(item.get("trust_tier"), 0) > \
                TRUST_RANK.get(gw.trust_level, 0):
            self.add("policy.integration-trust", usage[0], usage[1],
                     "integration %r needs a %s-trust gateway; gateway %s is %s" % (
                         name, item.get("trust_tier"), gw.id, gw.trust_level),
                     "move it to a gateway of trust_level %s or above" % item.get("trust_tier"),
                     gw.id, agent)
            ok = False
        return ok


MODEL_KEYS = ("model", "utilityModel", "decisionModel", "imageModel", "voiceModel",
              "pdfModel")


def _model_refs(node, base):
    """(key, ref, config path) of model references in an agents.defaults/entry object."""
    if not isinstance(node, dict):
        return
    for key in MODEL_KEYS:
        value = node.get(key)
        if isinstance(value, str):
            yield key, value, base + (key,)
        elif isinstance(value, dict):
            if isinstance(value.get("primary"), str):
                yield key, value["primary"], base + (key, "primary")
            for index, ref in enumerate(value.get("fallbacks") or []):
                if isinstance(ref, str):
                    yield key, ref, base + (key, "fallbacks", index)
    if base == ("agents", "defaults"):
        for ref in sorted(node.get("models") or {}):
            yield "models", ref, base + ("models", ref)
