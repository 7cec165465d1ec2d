# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Policy: which integrations, skills, providers and models each scope may use.

Scopes, outermost first: ``org`` (fleet.yml ``policy``), ``group:<id>`` (in the gateway's
group order), ``gateway:<id>``, ``agent:<id>``. For each domain the effective set is
computed over the catalog (an item that is not cataloged is never allowed):

1. ``deny`` patterns remove items; a deny is final for the scope and every inner scope
   (deny wins over allow at the same scope, and nothing inside can undo it);
2. ``allow`` (when present) keeps only matching items of what the outer scopes allow;
   it can add an item the outer scopes do not allow only if an outer scope listed it
   in ``grant`` (an explicit widening); an allow entry that matches nothing the outer
   scopes allow or grant is reported (``policy.widening-not-granted``);
3. ``tiers`` keep items of those tiers (models: default/high-cost/high-trust; skills:
   risk low/medium/high; integrations: trust tier); a tier outside the outer scope's
   tiers needs ``grant: ["tier:<name>"]`` outside;
4. ``sources`` (skills) keep items from those skill sources;
5. ``grant`` patterns are remembered for the inner scopes.

Everything is a pure function of the definition: sets are compared, lists are sorted,
so file and key order never change the outcome (tests/unit/test_policy_determinism.py).
"""

from __future__ import annotations

import re
from collections import namedtuple
from fnmatch import translate

from ._catalog import DOMAINS, TRUST_RANK
from ._errors import format_key_path
from ._fleet import FLEET_FILE

Scope = namedtuple("Scope", "name file path policy")
Scope.__doc__ = ("One policy scope: name ('org', 'group:x', 'gateway:y', 'agent:z'), the file "
                 "and key path of its policy block, and the block itself.")
Reason = namedtuple("Reason", "why scope file path")
Reason.__doc__ = ("Why an item is not allowed: 'denied', 'not-allowed', 'tier', 'source' or "
                  "'blocked', and where that was decided.")
Note = namedtuple("Note", "severity code file path message fix")

TIER_KEY = {"models": "tier", "skills": "risk", "integrations": "trust_tier"}
TIER_VALUES = {"models": ("default", "high-cost", "high-trust"),
               "skills": ("low", "medium", "high"), "integrations": ("low", "medium", "high"),
               "providers": ()}
NON_CHANNEL_KEYS = frozenset(["defaults", "modelByChannel"])


class _Matcher:
    """Shell-style patterns compiled once; matches cached per (pattern, id)."""

    def __init__(self):
        self._compiled = {}

    def items(self, pattern, universe):
        if not any(c in pattern for c in "*?["):
            return {pattern} & universe
        regex = self._compiled.get(pattern)
        if regex is None:
            regex = self._compiled[pattern] = re.compile(translate(pattern))
        return {item for item in universe if regex.match(item)}


class DomainState:
    """The effective set of one domain after a chain of scopes."""

    __slots__ = ("allowed", "granted", "granted_tiers", "tiers", "sources", "reasons",
                 "denied", "notes")

    def __init__(self, allowed, reasons):
        self.allowed = frozenset(allowed)
        self.granted = frozenset()
        self.granted_tiers = frozenset()
        self.tiers = None
        self.sources = None
        self.reasons = reasons
        self.denied = frozenset()
        self.notes = ()

    def copy(self):
        new = DomainState.__new__(DomainState)
        for name in self.__slots__:
            setattr(new, name, getattr(self, name))
        return new


class PolicyEngine:
    """Resolves policy for the scopes of one fleet against its catalog (cached per chain)."""

    def __init__(self, fleet, catalog):
        self.fleet = fleet
        self.catalog = catalog
        self.match = _Matcher()
        self._states = {}
        self._chains = {}
        self._models = {}
        self._universe = {d: frozenset(catalog.ids(d)) for d in DOMAINS}

    # -- scopes ------------------------------------------------------------------------
    def org_scope(self):
        return Scope("org", FLEET_FILE, ("policy",), self.fleet.data.get("policy") or {})

    def scopes(self, gw=None, agent=None):
        key = (gw.id if gw is not None else None, agent.id if agent is not None else None)
        found = self._chains.get(key)
        if found is None:
            found = self._chains[key] = self._scopes(gw, agent)
        return found

    def _scopes(self, gw, agent):
        chain = [self.org_scope()]
        if gw is not None:
            chain += [Scope("group:" + g.id, g.file, ("policy",), g.data.get("policy") or {})
                      for g in gw.groups]
            chain.append(Scope("gateway:" + gw.id, gw.file, ("policy",),
                               gw.data.get("policy") or {}))
        if agent is not None:
            chain.append(Scope("agent:" + agent.id, gw.file, agent.key_path + ("policy",),
                               agent.data.get("policy") or {}))
        return chain

    # -- resolution --------------------------------------------------------------------
    def state(self, domain, chain):
        """DomainState of ``domain`` after ``chain`` (a list of Scope), cached by prefix.

        A scope without a block for ``domain`` shares its outer scope's state, so a fleet
        of 1,000 gateways whose agents set no policy resolves each domain a few times.
        """
        key = (domain, id(chain), len(chain))
        found = self._states.get(key)
        if found is not None:
            return found[0]
        # the innermost scope with a block decides; the rest is shared with the prefix
        last = len(chain)
        while last > 1 and not chain[last - 1].policy.get(domain):
            last -= 1
        names = (domain,) + tuple(s.name for s in chain[:last])
        result = self._states.get(names)
        if result is None:
            if last == 1:
                base = self._initial(domain)
                block = chain[0].policy.get(domain)
                result = self._step(domain, base, chain[0], block) if block else base
            else:
                base = self.state(domain, chain[:last - 1])
                result = self._step(domain, base, chain[last - 1], chain[last - 1].policy[domain])
            self._states[names] = result
        self._states[key] = (result, chain)  # keeps ``chain`` alive so its id stays unique
        return result

    def _initial(self, domain):
        reasons = {}
        allowed = set(self._universe[domain])
        if domain == "integrations":
            for item_id in list(allowed):
                if self.catalog.get(domain, item_id).get("status") == "blocked":
                    allowed.discard(item_id)
                    origin = self.catalog.origin(domain, item_id)
                    reasons[item_id] = Reason("blocked", "catalog", origin[0],
                                              origin[1] + ("status",))
        return DomainState(allowed, reasons)

    def _tier(self, domain, item_id):
        key = TIER_KEY.get(domain)
        return (self.catalog.get(domain, item_id) or {}).get(key) if key else None

    def _step(self, domain, base, scope, block):
        universe = self._universe[domain]
        state = base.copy()
        allowed = set(base.allowed)
        reasons = dict(base.reasons)
        denied = set(base.denied)
        notes = []
        path = scope.path + (domain,)

        def drop(item_id, why, where):
            allowed.discard(item_id)
            if item_id not in reasons or why == "denied":
                reasons[item_id] = Reason(why, scope.name, scope.file, where)

        for index, pattern in enumerate(block.get("deny", [])):
            matched = self.match.items(pattern, universe)
            if not matched:
                notes.append(self._unmatched(domain, scope, path + ("deny", index), pattern))
            for item_id in matched:
                if item_id not in denied:
                    denied.add(item_id)
                    drop(item_id, "denied", path + ("deny", index))

        # what an allow entry may name without widening: what the outer scopes allow or
        # grant, plus items denied here (deny wins at the same scope) or blocked in the catalog
        blocked = {i for i, r in base.reasons.items() if r.why == "blocked"}
        outer_ok = (base.allowed | base.granted | blocked | (denied - base.denied))
        if "allow" in block:
            matched_all = set()
            for index, pattern in enumerate(block["allow"]):
                matched = self.match.items(pattern, universe)
                where = path + ("allow", index)
                if not matched:
                    notes.append(self._unmatched(domain, scope, where, pattern))
                elif not matched & (outer_ok - base.denied):
                    notes.append(Note(
                        "error", "policy.widening-not-granted", scope.file, where,
                        "%s allows %s %r, which an outer scope does not allow%s" % (
                            scope.name, domain[:-1], pattern,
                            " (it is denied there)" if matched <= base.denied else ""),
                        "remove it here, or allow it in the outer scope, or add it to the "
                        "outer scope's %s.grant (denied items can never be re-allowed)"
                        % domain))
                matched_all |= matched
            for item_id in sorted(allowed - matched_all):
                drop(item_id, "not-allowed", path + ("allow",))
            for item_id in (matched_all & base.granted) - denied - allowed:
                allowed.add(item_id)
                reasons.pop(item_id, None)

        if "tiers" in block:
            tiers = set(block["tiers"])
            valid = set(TIER_VALUES[domain])
            for index, tier in enumerate(block["tiers"]):
                if tier not in valid:
                    notes.append(Note("error", "policy.tier-invalid", scope.file,
                                      path + ("tiers", index),
                                      "%r is not a %s tier" % (tier, domain[:-1]),
                                      "use one of: %s" % ", ".join(TIER_VALUES[domain])))
                elif base.tiers is not None and tier not in base.tiers \
                        and tier not in base.granted_tiers:
                    notes.append(Note(
                        "error", "policy.widening-not-granted", scope.file,
                        path + ("tiers", index),
                        "%s allows tier %r, which an outer scope does not allow" % (
                            scope.name, tier),
                        "remove it, or add 'tier:%s' to the outer scope's %s.grant"
                        % (tier, domain)))
            effective = tiers if base.tiers is None else \
                tiers & (set(base.tiers) | set(base.granted_tiers))
            state.tiers = frozenset(effective)
            for item_id in sorted(allowed):
                if self._tier(domain, item_id) not in effective:
                    drop(item_id, "tier", path + ("tiers",))
            # items an outer scope dropped only for their tier come back on a granted tier
            for item_id, reason in list(reasons.items()):
                if reason.why == "tier" and item_id not in denied \
                        and self._tier(domain, item_id) in effective - set(base.tiers or ()) \
                        and ("allow" not in block or item_id in matched_all):
                    allowed.add(item_id)
                    reasons.pop(item_id)

        if domain == "skills" and "sources" in block:
            sources = set(block["sources"])
            if base.sources is not None:
                for index, source in enumerate(block["sources"]):
                    if source not in base.sources:
                        notes.append(Note(
                            "error", "policy.widening-not-granted", scope.file,
                            path + ("sources", index),
                            "%s allows skill source %r, which an outer scope does not"
                            % (scope.name, source), "remove it here"))
                sources &= set(base.sources)
            state.sources = frozenset(sources)
            for item_id in sorted(allowed):
                if (self.catalog.get(domain, item_id) or {}).get("source") not in sources:
                    drop(item_id, "source", path + ("sources",))

        granted = set(base.granted)
        granted_tiers = set(base.granted_tiers)
        for index, pattern in enumerate(block.get("grant", [])):
            if pattern.startswith("tier:"):
                granted_tiers.add(pattern[5:])
                continue
            matched = self.match.items(pattern, universe)
            if not matched:
                notes.append(self._unmatched(domain, scope, path + ("grant", index), pattern))
            granted |= matched
        state.allowed = frozenset(allowed)
        state.reasons = reasons
        state.denied = frozenset(denied)
        state.granted = frozenset(granted - denied)
        state.granted_tiers = frozenset(granted_tiers)
        state.notes = tuple(notes)
        return state

    @staticmethod
    def _unmatched(domain, scope, where, pattern):
        return Note("warning", "policy.pattern-unmatched", scope.file, where,
                    "%s pattern %r matches no cataloged %s" % (domain, pattern, domain[:-1]),
                    "fix the spelling, or add the item to catalogs/")

    def notes(self, chain):
        """Findings about the policy blocks themselves along ``chain`` (each scope once)."""
        out = []
        for domain in DOMAINS:
            for end in range(1, len(chain) + 1):
                if chain[end - 1].policy.get(domain):
                    out.extend(self.state(domain, chain[:end]).notes)
        return out

    # -- effective sets ----------------------------------------------------------------
    def models(self, chain):
        """(allowed model ids, reasons) after provider policy is applied."""
        models = self.state("models", chain)
        providers = self.state("providers", chain)
        key = (id(models), id(providers))
        found = self._models.get(key)
        if found is not None:
            return found[0]
        found = self._models_of(models, providers)
        self._models[key] = (found, models, providers)
        return found

    def _models_of(self, models, providers):
        allowed = set()
        reasons = dict(models.reasons)
        for model_id in models.allowed:
            provider = model_id.split("/", 1)[0]
            if provider in providers.allowed:
                allowed.add(model_id)
            else:
                reason = providers.reasons.get(provider) or Reason(
                    "not-allowed", "catalog", "", ())
                reasons[model_id] = Reason("provider-" + reason.why, reason.scope, reason.file,
                                           reason.path)
        return frozenset(allowed), reasons

    def effective(self, chain):
        """Effective policy of the last scope of ``chain`` as plain data (a view)."""
        out = {"scope": chain[-1].name, "chain": [s.name for s in chain]}
        models, model_reasons = self.models(chain)
        for domain in DOMAINS:
            if domain == "models":
                allowed, reasons = models, model_reasons
            else:
                state = self.state(domain, chain)
                allowed, reasons = state.allowed, state.reasons
            rows = []
            for item_id in sorted(self._universe[domain]):
                reason = None if item_id in allowed else reasons.get(item_id)
                rows.append({
                    "id": item_id,
                    "tier": self._tier(domain, item_id) or "",
                    "verdict": "allow" if reason is None and item_id in allowed else "deny",
                    "why": "" if item_id in allowed else (reason.why if reason else "unknown"),
                    "decided_by": reason.scope if reason else "",
                    "where": _where(reason.file, reason.path) if reason else "",
                })
            out[domain] = {"allowed": sorted(allowed), "items": rows}
        out["tools_deny"] = self.tools_deny(chain)
        plugins = self.plugins(chain)
        out["plugins"] = plugins
        return out

    @staticmethod
    def tools_deny(chain):
        deny = []
        for scope in chain:
            for item in (scope.policy.get("tools") or {}).get("deny", []):
                if item not in deny:
                    deny.append(item)
        return sorted(deny)

    def plugins(self, chain):
        """{'deny': [...], 'allow': [...] or None} to compile into plugins.*.

        Bundled plugins of integrations and providers the scope does not allow are denied
        (unless an allowed item shares the plugin); explicit ``plugins.deny`` always stays.
        Plugins that must be installed first (npm, external) cannot load in a read-only
        gateway unless the image ships them, so they are not listed.
        """
        blocks = tuple(s.name for s in chain if s.policy.get("plugins"))
        key = ("plugins", id(self.state("integrations", chain)),
               id(self.state("providers", chain)), blocks)
        found = self._states.get(key)
        if found is None:
            found = self._states[key] = self._plugins(chain)
        return {"deny": list(found["deny"]),
                "allow": list(found["allow"]) if found["allow"] is not None else None}

    def _plugins(self, chain):
        explicit, always, exclusive = set(), set(), False
        known = self._plugin_ids()
        for scope in chain:
            block = scope.policy.get("plugins") or {}
            exclusive = exclusive or bool(block.get("exclusive"))
            for pattern in block.get("deny", []):
                if any(c in pattern for c in "*?["):
                    explicit |= self.match.items(pattern, known)
                else:
                    explicit.add(pattern)
            always |= set(block.get("always", []))
        wanted, implicit = set(), set()
        for domain in ("integrations", "providers"):
            state = self.state(domain, chain)
            for item_id in self._universe[domain]:
                item = self.catalog.get(domain, item_id)
                plugin = item.get("plugin")
                if not plugin:
                    continue
                if item_id in state.allowed:
                    wanted.add(plugin)
                elif item.get("install") in ("bundled", "core"):
                    # Only plugins that ship in the image: OpenClaw warns about (and
                    # ignores) deny entries for plugins that are not installed.
                    implicit.add(plugin)
        deny = (implicit - wanted) | explicit
        allow = sorted((wanted | always) - deny) if exclusive else None
        return {"deny": sorted(deny), "allow": allow}

    def _plugin_ids(self):
        ids = set()
        for domain in ("integrations", "providers"):
            for item in self.catalog.ids(domain).values():
                if item.get("plugin"):
                    ids.add(item["plugin"])
        return frozenset(ids)

    def trust_ok(self, gw, integration_id):
        tier = self._tier("integrations", integration_id)
        return tier is None or TRUST_RANK.get(tier, 0) <= TRUST_RANK.get(gw.trust_level, 0)


def _where(file, path):
    return "%s: %s" % (file, format_key_path(path)) if path else file or ""


def channels_of(config):
    """Channel ids configured in a rendered config."""
    return sorted(k for k in (config.get("channels") or {}) if k not in NON_CHANNEL_KEYS)


MODEL_KEYS = ("model", "utilityModel", "decisionModel", "imageModel", "voiceModel",
              "pdfModel")


def model_refs(node, base):
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


def used_providers(config):
    """Providers a rendered config uses: configured under models.providers or named by a
    model its agents reference (agents.defaults, agents.entries)."""
    agents = config.get("agents") or {}
    refs = [found[1] for found in model_refs(agents.get("defaults") or {},
                                             ("agents", "defaults"))]
    for agent_id, entry in sorted((agents.get("entries") or {}).items()):
        refs += [found[1] for found in model_refs(entry, ("agents", "entries", agent_id))]
    providers = set(((config.get("models") or {}).get("providers") or {}))
    providers |= {ref.split("/", 1)[0] for ref in refs if "/" in ref}
    return sorted(providers)
