# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which config changes the running gateway applies itself, and which need a restart.

OpenClaw's gateway watches its config file (``gateway.reload.mode: hybrid``, the default)
and plans every changed dotted path against a rule table: ``hot`` (applied in process, maybe
restarting the owning subsystem such as a channel or cron), ``none`` (the new value is read
on next use) or ``restart``; the longest matching prefix wins and a path matching no rule
restarts. :data:`RULES` is that table as shipped in the pinned package
(``dist/config-reload-plan-*.mjs``: ``CORE_RELOAD_POLICIES``, the ``session.scope/store``
rule and ``DEFAULT_RELOAD_POLICIES``; docs/gateway/configuration/hot-reload.md explains it);
tests/integration/test_reload_rules.py compares it with the installed package, so a new pin
that changes a rule fails until this table follows.

Channel plugins add rules of their own at run time (``reload.configPrefixes``): they make
some ``channels.<id>`` paths restart just that channel; the gateway process stays up either
way, so this table's ``channels: hot`` is the right answer for a deploy.
"""

from __future__ import annotations

import hashlib
import json

RESTART, HOT, NONE = "restart", "hot", "none"

# (prefix, kind), as in the pinned package; order does not matter (see _sorted_rules)
RULES = (
    # CORE_RELOAD_POLICIES
    ("gateway.remote", NONE), ("gateway.reload", NONE),
    ("gateway.auth.token", RESTART), ("gateway.auth.password", RESTART),
    ("mcp.apps", RESTART), ("secrets.egressProxy", RESTART), ("gateway.portals", RESTART),
    ("gateway.http.endpoints", HOT), ("gateway.http.securityHeaders.strictTransportSecurity", HOT),
    ("gateway.tools", HOT), ("gateway.cliAgents", HOT), ("gateway.controlUi.enabled", HOT),
    ("gateway.controlUi.environment", HOT), ("gateway.controlUi.communityInvite", HOT),
    ("gateway.controlUi.github", HOT), ("gateway.controlUi.sessionObserver", HOT),
    ("gateway.controlUi.embedSandbox", HOT), ("gateway.controlUi.allowExternalEmbedUrls", HOT),
    ("gateway.controlUi.automaticallyFetchFavicons", HOT),
    ("gateway.controlUi.experimental.customPlugins", HOT),
    ("gateway.controlUi.allowedOrigins", HOT),
    ("gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback", HOT),
    ("gateway.nodes.browser", HOT), ("gateway.nodes.pairing", HOT),
    ("gateway.nodes.commands", HOT), ("gateway.nodes.pluginTools.enabled", HOT),
    ("gateway.nodes.allowSkills", HOT), ("gateway.push.apns.relay", HOT),
    ("gateway.terminal", HOT), ("gateway.auth.rateLimit", HOT), ("gateway.roles", HOT),
    ("gateway.trustedProxies", HOT), ("gateway.allowRealIpFallback", HOT),
    ("gateway.auth.allowTailscale", HOT), ("gateway.auth.identityScopes", HOT),
    ("gateway.auth.trustedProxy", HOT), ("diagnostics.enabled", HOT),
    ("discovery.mdns.mode", HOT), ("mcp.apps.sandboxOrigin", HOT), ("agents.defaults", HOT),
    ("desktop.host", HOT), ("cloudWorkers", HOT),
    ("hooks.gmail", HOT), ("hooks.internal", HOT), ("agents.defaults.workspace", HOT),
    ("hooks", HOT),
    ("agents.defaults.heartbeat", HOT), ("agents.defaults.models", HOT),
    ("agents.defaults.modelPolicy", HOT), ("agents.defaults.model", HOT), ("models", HOT),
    ("agent.heartbeat", HOT),
    ("agents.entries", HOT), ("agents.entries.*.decisionModel", HOT),
    ("agents.defaults.sessionStore", HOT), ("agents.ownership", HOT),
    ("skills.workshop.autonomous.mode", HOT), ("agents.defaults.decisionModel", HOT),
    ("plugins.load", HOT), ("plugins.installs", HOT), ("cron", HOT),
    ("transcripts", HOT), ("cloudWorkers.profiles", HOT),
    ("mcp", HOT), ("gateway.publicOrigin", HOT),
    ("talk.provider", HOT), ("talk.realtime.provider", HOT),
    # the session rule between the core and the default policies
    ("session.scope", HOT), ("session.store", HOT),
    # DEFAULT_RELOAD_POLICIES
    ("meta", NONE), ("identity", NONE), ("wizard", NONE), ("logging", NONE), ("agents", NONE),
    ("bindings", NONE), ("audio", NONE), ("agent", NONE), ("routing", NONE),
    ("messages", NONE), ("session", NONE), ("talk", NONE), ("skills", NONE),
    ("secrets", NONE), ("tui", NONE), ("ui", NONE),
    ("tools", HOT), ("approvals.exec", HOT), ("approvals.plugin", HOT), ("auth.order", HOT),
    ("auth.profiles", HOT), ("broadcast", HOT), ("memory.citations", HOT),
    ("worktreeRoot", HOT), ("worktreeAcceleration", HOT),
    ("security.audit.suppressions", HOT), ("security.installPolicy", HOT),
    ("diagnostics.cacheTrace.enabled", HOT), ("acp", HOT), ("attachments.ttlHours", HOT),
    ("update.checkOnStart", HOT), ("update.channel", HOT), ("update.auto.enabled", HOT),
    ("telemetry.enabled", HOT), ("telemetry.consentedAt", HOT),
    ("plugins", HOT), ("channels", HOT),
    ("gateway", RESTART), ("discovery", RESTART),
)


def _sorted_rules(rules):
    """More segments first, then fewer wildcards (the package's compareReloadRules)."""
    return sorted(rules, key=lambda rule: (-len(rule[0].split(".")),
                                           rule[0].split(".").count("*")))


_RULES = _sorted_rules(RULES)


def _matches(path, prefix):
    if "*" in prefix:
        segments = path.split(".")
        parts = prefix.split(".")
        return len(segments) >= len(parts) and all(
            part == "*" and bool(segments[index]) or part == segments[index]
            for index, part in enumerate(parts))
    return path == prefix or path.startswith(prefix + ".")


def kind_of(path):
    """``(kind, prefix)`` for one dotted path: the first rule that matches, else restart."""
    for prefix, kind in _RULES:
        if _matches(path, prefix):
            return kind, prefix
    return RESTART, None


_REFINE = tuple(prefix for prefix, dummy in RULES if "*" not in prefix)


def _at(config, *keys):
    """The value at ``keys`` inside nested dicts, None where a level is missing or no dict."""
    for key in keys:
        if not isinstance(config, dict):
            return None
        config = config.get(key)
    return config


def _refinements(prev, new):
    """Rule prefixes the diff descends towards (the package's refinementPrefixes, with
    ``agents.entries.*.decisionModel`` made concrete for the agents that set it)."""
    extra = []
    for config in (prev, new):
        entries = _at(config, "agents", "entries")
        for agent_id, agent in (entries.items() if isinstance(entries, dict) else ()):
            if isinstance(agent, dict) and "decisionModel" in agent:
                extra.append("agents.entries.%s.decisionModel" % agent_id)
    return _REFINE + tuple(extra)


def changed_paths(prev, new, prefix="", refine=None):
    """Dotted paths whose values differ, as the gateway's own diff (collectConfigDiffPaths)
    reports them: objects key by key, anything else (lists included) as a whole; an object
    on one side only is descended into when a rule is more specific than its path."""
    if prev == new:
        return []
    if refine is None:
        refine = _refinements(prev, new)
    prev_obj, new_obj = isinstance(prev, dict), isinstance(new, dict)
    if (prev_obj and new_obj) or ((prev_obj or new_obj) and (
            not prefix or any(entry.startswith(prefix + ".") for entry in refine))):
        prev_d, new_d = (prev if prev_obj else {}), (new if new_obj else {})
        out = []
        for key in sorted(set(prev_d) | set(new_d), key=str):
            out += changed_paths(prev_d.get(key), new_d.get(key),
                                 "%s.%s" % (prefix, key) if prefix else str(key), refine)
        return out
    return [prefix or "<root>"]


def plan(prev, new):
    """How a gateway running ``prev`` takes ``new``: ``{'action': 'none'|'hot'|'restart',
    'paths': [{'path', 'kind', 'rule'}], 'restart_paths': [...]}``. ``none`` means nothing
    changed; ``hot`` that every changed path hot-applies (or needs no action)."""
    rows = []
    off = "off" in (reload_mode(prev), reload_mode(new))
    for path in changed_paths(prev, new):
        kind, rule = kind_of(path)
        if off:
            kind, rule = RESTART, "gateway.reload.mode=off"
        rows.append({"path": path, "kind": kind, "rule": rule})
    restart = [row["path"] for row in rows if row["kind"] == RESTART]
    action = "none" if not rows else RESTART if restart else HOT
    return {"action": action, "paths": rows, "restart_paths": restart}


def reload_mode(config):
    """``gateway.reload.mode`` of a config (``hybrid`` when unset, as in the package)."""
    return _at(config, "gateway", "reload", "mode") or "hybrid"


def restart_projection(config, prefix=""):
    """``config`` without every subtree the running gateway takes itself (hot or none): two
    configs with equal projections differ only in paths that need no restart."""
    if not isinstance(config, dict):
        return config
    out = {}
    for key in sorted(config, key=str):
        path = "%s.%s" % (prefix, key) if prefix else str(key)
        value = config[key]
        kind, dummy = kind_of(path)
        if kind != RESTART:
            continue
        if isinstance(value, dict):
            value = restart_projection(value, path)
            if not value:  # an object with nothing to restart for diffs as nothing
                continue
        out[key] = value
    return out


def restart_fingerprint(config):
    """sha256 of :func:`restart_projection` (of the whole config when reload is off). The
    Compose project label and the pod template annotation carry it, so that the container or
    pod is replaced exactly when a restart path changed."""
    projected = config if reload_mode(config) == "off" else restart_projection(config)
    text = json.dumps(projected, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# What the gateway logs (subsystem gateway/reload, JSON lines in logging.file) when it
# finished with a changed config file; server-reload-managed-*.mjs of the pinned package.
APPLIED_MARKS = ("config hot reload applied", "config change applied")
REFUSED_MARKS = ("config reload skipped", "config reload failed", "config reload disabled",
                 "config restart", "config reload forced restart", "config hot-reload disabled",
                 "config reload requires")


def verdict_logged(config):
    """Whether a gateway running ``config`` writes its reload verdicts to its log file: they
    are info records, so a ``logging.level`` above info hides them (then a change restarts)."""
    return _at(config, "logging", "level") not in ("silent", "fatal", "error", "warn")


def log_messages(text):
    """The ``message`` of every JSON log record in ``text`` (other lines are skipped)."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("message"), str):
            out.append(record["message"])
    return out


def outcome(messages):
    """``('applied'|'refused', message)`` for the first reload verdict among ``messages``
    (the gateway's log since the file was replaced), ``(None, last reload message)`` while
    the gateway has not decided yet."""
    last = ""
    for message in messages:
        if not message.startswith("config "):
            continue
        last = message
        if message.startswith(APPLIED_MARKS):
            return "applied", message
        if message.startswith(REFUSED_MARKS):
            return "refused", message
    return None, last
