# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight family *policy*: every model, provider, skill and integration a gateway or
agent uses is in the catalog and allowed by the scopes above it (org, groups, gateway,
agent), with the scope that decided named; the policy engine's own notes; gateways whose
policy leaves skills unrestricted."""

from __future__ import annotations

from .._catalog import TRUST_RANK
from .._errors import format_key_path
from .._fleet import FLEET_FILE
from .._layering import Source, child_source
from .._policy import channels_of, model_refs
from ._base import Family, parse_codes

CODES = parse_codes("""
    policy.model-unlisted              error   A model is not in the catalog.
    policy.model-denied                error   A model is denied by a scope.
    policy.model-not-allowed           error   A model is outside a scope's allow list.
    policy.model-tier-denied           error   A model's tier is not allowed at a scope.
    policy.provider-denied             error   A model's provider is denied by a scope.
    policy.provider-not-allowed        error   A model's provider is outside an allow list.
    policy.provider-unlisted           error   A configured provider is not in the catalog.
    policy.no-allowed-model            error   No model is allowed for a gateway or agent.
    policy.model-unset                 warning An agent has no model: OpenClaw's built-in
                                               default escapes the policy.
    policy.skill-unlisted              error   A skill is not in the catalog.
    policy.skill-denied                error   A skill is denied by a scope.
    policy.skill-not-allowed           error   A skill is outside a scope's allow list.
    policy.skill-tier-denied           error   A skill's risk tier is not allowed at a scope.
    policy.skill-source-denied         error   A skill's source is not allowed at a scope.
    policy.integration-unlisted        error   An integration is not in the catalog.
    policy.integration-denied          error   An integration is denied by a scope.
    policy.integration-not-allowed     error   An integration is outside an allow list.
    policy.integration-tier-denied     error   An integration's trust tier is not allowed at a
                                               scope.
    policy.integration-trust           error   An integration needs a more trusted gateway.
    policy.integration-blocked         error   An integration is blocked in the catalog.
    policy.integration-deprecated      warning An integration is deprecated.
    policy.integration-missing-plugin  error   A custom-only integration lacks the skill or
                                               plugin it needs.
    policy.widening-not-granted        error   An inner scope allows what an outer scope does
                                               not, without a grant.
    policy.pattern-unmatched           warning A policy pattern matches nothing in the catalog.
    policy.skills-unrestricted         warning No scope of a gateway limits skills: every agent
                                               may use every catalog skill.
    policy.tier-invalid                error   A tier name does not exist for the domain.
""")


class Checks(Family):
    """The policy family."""

    def check_fleet(self):
        """None in this family."""

    def check_gateway(self, plan):
        self.policy(plan)
        self.skills_limited(plan)

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
        for key, ref, path in model_refs(defaults, ("agents", "defaults")):
            self.model_use(plan, aliases.get(ref, ref), path, gw_models, gw_reasons, None)
        for provider in sorted((config.get("models") or {}).get("providers") or {}):
            if provider not in self.catalog.ids("providers"):
                self.add("policy.provider-unlisted", *self.where(
                    plan, ("models", "providers", provider)),
                    message="provider %r is not in the catalog" % provider,
                    fix="add it to catalogs/ providers (with an owner) or remove it",
                    gateway=gw.id)
            elif provider not in engine.state("providers", compiled["chain"]).allowed:
                reason = engine.state("providers", compiled["chain"]).reasons.get(provider)
                self.add("policy.provider-denied" if reason and reason.why == "denied"
                         else "policy.provider-not-allowed",
                         *self.where(plan, ("models", "providers", provider)),
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
            refs = list(model_refs(entry, base))
            for key, ref, path in refs:
                self.model_use(plan, aliases.get(ref, ref), path, amodels, areasons, agent.id)
            if not any(key == "model" for key, dummy, dummy2 in refs):
                inherited = list(model_refs({"model": defaults.get("model")},
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
        usage = self.where(plan, path)
        provider = (self.catalog.ids("providers").get(ref.split("/", 1)[0]) or {})
        if ref not in self.catalog.ids("models") and provider.get("backend"):
            return  # a model its backend does not serve: the backends family says so
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
            usage = self.where(plan, ("channels", channel))
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
