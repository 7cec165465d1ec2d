# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compile the effective policy of a gateway into its openclaw.json (the ``policy`` layer).

The gateway then enforces what preflight checked:

* ``agents.defaults.modelPolicy.allow``: the models the gateway scope allows (sorted);
  ``agents.entries.<id>.modelPolicy.allow`` where an agent's set differs. OpenClaw reads
  an empty list as "any model", so an empty set is never written (preflight refuses it);
* ``agents.entries.<id>.skills``: the agent's requested skills that the policy allows,
  or every allowed skill when it requested none; ``agents.defaults.skills: []`` so an
  agent nobody declared gets none;
* ``skills.allowBundled``: the bundled skills some agent of the gateway may use;
* ``plugins.deny`` (plugins of integrations and providers not allowed, plus explicit
  denies) and, with ``plugins.exclusive``, ``plugins.allow``;
* ``channels.<id>.enabled``: true for allowed channels, false for the others; allowed
  official plugin channels (npm ``@openclaw/<id>``) are enabled explicitly
  (``plugins.entries.<id>.enabled``) and listed for installation at deploy time;
* ``tools.deny`` and ``agents.entries.<id>.tools.deny``: template denies plus policy
  denies of every scope (a deny accumulates inward);
* ``models.providers.openai.agentRuntime.id: openclaw`` where OpenAI is allowed and no
  template chose a runtime (see ``RUNTIME_DEFAULTS``).
"""

from __future__ import annotations

from ._layering import Source, child_source, set_leaf
from ._policy import channels_of, used_providers

DEFAULT_SOURCE = Source("policy", "(clawops)", ())
# Official plugin channels (npm @openclaw/<id>) must be installed with `openclaw plugins
# install` into the state dir: OpenClaw trusts a plugin only through that install record
# (loaded from plugins.load.paths it refuses channel ingress: PLUGIN_TRUST_REFUSED). The
# deploy installs what the runtime spec lists (plugin_installs) before the gateway starts.

# Agent runtimes the image can run without network at start. Left unset, an official OpenAI
# route may select the Codex app-server harness, which lives in the external `codex` plugin:
# the gateway then tries to install it from npm and ClawHub at every start (2026.9.6,
# measured: 95 s to /readyz instead of 20 s; npm has no matching version). A fleet that wants
# Codex sets `models.providers.openai.agentRuntime.id: codex` in a template and bakes the
# plugin into its image.
RUNTIME_DEFAULTS = {"openai": "openclaw"}


def _source(chain, *domains):
    """Provenance of a compiled value: the innermost scope with a block for a domain."""
    for scope in reversed(chain):
        for domain in domains:
            if scope.policy.get(domain):
                return Source("policy", scope.file, scope.path + (domain,))
    return DEFAULT_SOURCE


def _union(existing, existing_prov, extra, source):
    """``existing`` plus the new items of ``extra``, with per-element provenance."""
    out = list(existing) if isinstance(existing, list) else []
    prov = [child_source(existing_prov, index) for index in range(len(out))]
    for item in extra:
        if item not in out:
            out.append(item)
            prov.append(source)
    return out, prov


def _prov_at(prov, path):
    node = prov
    for key in path:
        node = child_source(node, key)
    return node


def compile_policy(engine, gw, config, prov):
    """Write the policy layer into ``config``/``prov``; return the sets preflight checks."""
    chain = engine.scopes(gw)
    models, dummy = engine.models(chain)
    skills = engine.state("skills", chain).allowed
    integrations = engine.state("integrations", chain).allowed
    entries = config["agents"]["entries"]
    out = {"chain": chain, "models": models, "skills": skills, "integrations": integrations,
           "agents": {}}

    if models:
        set_leaf(config, prov, ("agents", "defaults", "modelPolicy", "allow"), sorted(models),
                 _source(chain, "models", "providers"))
    set_leaf(config, prov, ("agents", "defaults", "skills"), [], _source(chain, "skills"))

    bundled = set()
    for agent in gw.agents:
        achain = engine.scopes(gw, agent)
        amodels, dummy = engine.models(achain)
        askills = engine.state("skills", achain).allowed
        aintegrations = engine.state("integrations", achain).allowed
        entry = entries[agent.id]
        requested = entry.get("skills")
        requested = list(requested) if isinstance(requested, list) else None
        effective = sorted(askills & set(requested)) if requested is not None \
            else sorted(askills)
        base = ("agents", "entries", agent.id)
        requested_prov = _prov_at(prov, base + ("skills",)) if requested is not None else None
        set_leaf(config, prov, base + ("skills",), effective, _source(achain, "skills"))
        if amodels != models and amodels:
            set_leaf(config, prov, base + ("modelPolicy", "allow"), sorted(amodels),
                     _source(achain, "models", "providers"))
        own_deny = (agent.data.get("policy") or {}).get("tools", {}).get("deny", [])
        if own_deny:
            tools = entry.get("tools") if isinstance(entry.get("tools"), dict) else {}
            value, vprov = _union(tools.get("deny"), _prov_at(prov, base + ("tools", "deny")),
                                  sorted(own_deny), _source(achain, "tools"))
            set_leaf(config, prov, base + ("tools", "deny"), value, vprov)
        for name in effective:
            item = engine.catalog.get("skills", name) or {}
            if item.get("source") == "bundled":
                bundled.add(name)
        out["agents"][agent.id] = {"chain": achain, "models": amodels, "skills": askills,
                                   "integrations": aintegrations, "requested_skills": requested,
                                   "requested_prov": requested_prov,
                                   "effective_skills": effective}

    set_leaf(config, prov, ("skills", "allowBundled"), sorted(bundled), _source(chain, "skills"))
    plugins = engine.plugins(chain)
    if plugins["deny"]:
        set_leaf(config, prov, ("plugins", "deny"), plugins["deny"],
                 _source(chain, "plugins", "integrations", "providers"))
    if plugins["allow"] is not None:
        set_leaf(config, prov, ("plugins", "allow"), plugins["allow"], _source(chain, "plugins"))
    packages = []
    for channel in channels_of(config):
        if isinstance(config["channels"][channel], dict):
            set_leaf(config, prov, ("channels", channel, "enabled"), channel in integrations,
                     _source(chain, "integrations"))
        item = engine.catalog.get("integrations", channel) or {}
        install = item.get("install", "")
        if channel in integrations and install.startswith("npm:") and item.get("plugin"):
            packages.append((install[4:], item["plugin"]))
    # a provider plugin from npm that the gateway uses is baked into its image the same way
    # (gateway_image), or the catalog's install would install nothing
    allowed_providers = engine.state("providers", chain).allowed
    for provider in used_providers(config):
        item = engine.catalog.get("providers", provider) or {}
        install = item.get("install", "")
        if provider in allowed_providers and install.startswith("npm:") and item.get("plugin"):
            packages.append((install[4:], item["plugin"]))
    if packages:
        for dummy, plugin in sorted(packages):
            set_leaf(config, prov, ("plugins", "entries", plugin, "enabled"), True,
                     _source(chain, "integrations"))
    out["npm_plugins"] = sorted(pkg for pkg, dummy in packages)
    providers = out["providers"] = allowed_providers
    for provider, runtime_id in sorted(RUNTIME_DEFAULTS.items()):
        entry = ((config.get("models") or {}).get("providers") or {}).get(provider)
        if provider in providers and not (isinstance(entry, dict) and "agentRuntime" in entry):
            set_leaf(config, prov, ("models", "providers", provider, "agentRuntime", "id"),
                     runtime_id, _source(chain, "providers"))
    tools_deny = engine.tools_deny(chain)
    if tools_deny:
        tools = config.get("tools") if isinstance(config.get("tools"), dict) else {}
        value, vprov = _union(tools.get("deny"), _prov_at(prov, ("tools", "deny")), tools_deny,
                              _source(chain, "tools"))
        set_leaf(config, prov, ("tools", "deny"), value, vprov)
    return out
