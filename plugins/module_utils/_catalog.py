# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Catalogs: what a fleet may use at all (integrations, skills, model providers, models).

An item that is not in the catalog is never allowed, whatever a policy says: the
catalog is the list of things somebody owns and has rated. The collection ships a
default catalog of OpenClaw's real channel ids (2026.9.x channel catalog), its bundled
skills and its provider plugins; a fleet adds to or overrides it with files in
``catalogs/`` (every ``*.yml`` there, merged in file-name order; an id defined in two
fleet files is an error). Models are never shipped: model ids change every month and
each org must say which ones it pays for.
"""

from __future__ import annotations

import os

from ._errors import FleetError, FleetErrors, ReferenceProblem, SchemaProblem
from ._fleet import FLEET_FILE
from ._schema import validate

DEFAULT_CATALOG_FILE = "(clawops default catalog)"
DOMAINS = ("integrations", "skills", "providers", "models")
TRUST_RANK = {"low": 0, "medium": 1, "high": 2}


def _channel(kind, trust, install, plugin=None, status="stable", description=""):
    item = {"kind": kind, "status": status, "install": install, "trust_tier": trust,
            "owner": "openclaw", "description": description}
    if plugin:
        item["plugin"] = plugin
    return item


def _official(channel_id, trust, description, status="stable"):
    return _channel("plugin", trust, "npm:@openclaw/%s" % channel_id, channel_id, status,
                    description)


def _external(channel_id, trust, description):
    return _channel("external", trust, "external", channel_id, "beta", description)


# OpenClaw 2026.9.x: docs/channels/index.md (generated channel catalog) and the ids of
# `openclaw config schema` (channels.<id>). Trust tier = the lowest gateway trust level that
# may carry the channel: personal-identity bridges (a phone number, an Apple ID, a personal
# Zalo account) need a high-trust gateway.
DEFAULT_INTEGRATIONS = {
    "webchat": _channel("core", "low", "core", description="WebChat / Control UI chat over "
                        "the gateway WebSocket (included in core)."),
    "telegram": _channel("core", "low", "bundled", "telegram",
                         description="Telegram bot (bundled plugin)."),
    "a2a": _channel("core", "medium", "bundled", "a2a",
                    description="External agents over A2A 1.0 JSON-RPC (bundled plugin)."),
    "reef": _channel("core", "medium", "bundled", "reef",
                     description="End-to-end encrypted agent-to-agent messaging (bundled "
                                 "plugin)."),
    "whatsapp": _official("whatsapp", "high", "WhatsApp via a linked personal number (QR "
                                              "pairing, session state on disk)."),
    "discord": _official("discord", "low", "Discord bot."),
    "slack": _official("slack", "low", "Slack app (Socket Mode, HTTP or relay)."),
    "signal": _official("signal", "high", "Signal via signal-cli and a phone number."),
    "googlechat": _official("googlechat", "low", "Google Chat app."),
    "irc": _official("irc", "low", "IRC."),
    "imessage": _official("imessage", "high", "iMessage via imsg on a Mac (BlueBubbles setups "
                                              "migrate here)."),
    "mattermost": _official("mattermost", "low", "Mattermost bot."),
    "msteams": _official("msteams", "low", "Microsoft Teams bot."),
    "feishu": _official("feishu", "low", "Feishu / Lark bot."),
    "line": _official("line", "low", "LINE Messaging API."),
    "matrix": _official("matrix", "low", "Matrix."),
    "zalo": _official("zalo", "low", "Zalo bot."),
    "zalouser": _official("zalouser", "high", "Zalo personal account (QR login)."),
    "nextcloud-talk": _official("nextcloud-talk", "low", "Nextcloud Talk."),
    "nostr": _official("nostr", "medium", "Nostr DMs (NIP-04)."),
    "twitch": _official("twitch", "low", "Twitch chat bot."),
    "tlon": _official("tlon", "medium", "Tlon / Urbit."),
    "buzz": _official("buzz", "low", "Buzz rooms."),
    "clickclack": _official("clickclack", "low", "ClickClack bot."),
    "raft": _official("raft", "medium", "Raft external agents."),
    "sms": _official("sms", "medium", "Twilio SMS/MMS (costs per message)."),
    "synology-chat": _official("synology-chat", "low", "Synology Chat webhooks."),
    "qqbot": _official("qqbot", "low", "QQ bot."),
    "qa-channel": _channel("core", "low", "source-only", "qa-channel", "experimental",
                           "OpenClaw's test channel; not for production."),
    "wechat": _external("wechat", "high", "WeChat through the external openclaw-weixin "
                                          "plugin."),
    "wecom": _external("wecom", "medium", "WeCom through an external plugin."),
    "yuanbao": _external("yuanbao", "medium", "Yuanbao bot through an external plugin."),
    "zaloclawbot": _external("zaloclawbot", "medium", "Zalo ClawBot through an external "
                                                      "plugin."),
    # Custom-only integrations: no channel, usable only through a skill or plugin.
    "notion": {"kind": "custom", "status": "stable", "install": "skill", "trust_tier": "medium",
               "owner": "openclaw", "requires": {"skill": "notion"},
               "description": "Notion pages and databases through the bundled notion skill."},
    "trello": {"kind": "custom", "status": "stable", "install": "skill", "trust_tier": "low",
               "owner": "openclaw", "requires": {"skill": "trello"},
               "description": "Trello boards through the bundled trello skill."},
    "heygen": {"kind": "custom", "status": "beta", "install": "plugin", "trust_tier": "medium",
               "owner": "unassigned", "requires": {"plugin": "heygen"},
               "description": "HeyGen video avatars; needs a custom plugin (none ships)."},
}

# Bundled skills of openclaw 2026.9.6 (node_modules/openclaw/skills). Risk tier is our
# assessment: 'high' for skills that run code, control the host or act with the user's
# accounts; 'low' for read-only helpers. Override any entry in catalogs/skills.yml.
_HIGH_RISK = {
    "1password", "camsnap", "clawhub", "coding-agent", "gh-issues", "github", "himalaya",
    "mcporter", "node-connect", "node-inspect-debugger", "oracle", "peekaboo",
    "python-debugpy", "skill-creator", "tmux", "xurl", "ordercli", "eightctl",
}
_LOW_RISK = {
    "diagram-maker", "gifgrep", "healthcheck", "meme-maker", "model-usage", "songsee",
    "summarize", "visualize", "weather", "nano-pdf", "goplaces",
}
BUNDLED_SKILLS = (
    "1password", "apple-notes", "apple-reminders", "bear-notes", "blogwatcher", "blucli",
    "camsnap", "clawhub", "coding-agent", "control-ui", "diagram-maker", "eightctl", "gemini",
    "gh-issues", "gifgrep", "github", "gog", "goplaces", "healthcheck", "himalaya", "mcporter",
    "meme-maker", "model-usage", "nano-pdf", "node-connect", "node-inspect-debugger",
    "notion", "obsidian", "openai-whisper", "openai-whisper-api", "openhue", "oracle",
    "ordercli", "peekaboo", "python-debugpy", "sag", "sherpa-onnx-tts", "skill-creator",
    "songsee", "sonoscli", "spike", "spotify-player", "summarize", "taskflow",
    "taskflow-inbox-triage", "things-mac", "tmux", "trello", "visualize", "weather", "xurl",
)
DEFAULT_SKILLS = {
    name: {"source": "bundled", "owner": "openclaw",
           "risk": "high" if name in _HIGH_RISK else "low" if name in _LOW_RISK else "medium"}
    for name in BUNDLED_SKILLS
}

# Provider plugins of openclaw 2026.9.6 (dist/extensions); the plugin id is the provider id.
_HOSTED = ("alibaba", "anthropic", "github-copilot", "google", "huggingface", "minimax",
           "microsoft-foundry", "nvidia", "openai", "openrouter", "together", "xai",
           "clawrouter", "opencode-go")
_SELF_HOSTED = ("ollama", "vllm", "sglang", "lmstudio", "litellm")
DEFAULT_PROVIDERS = dict(
    [(p, {"kind": "hosted", "plugin": p, "install": "bundled", "owner": "openclaw"})
     for p in _HOSTED]
    + [(p, {"kind": "self-hosted", "plugin": p, "install": "bundled", "owner": "openclaw"})
       for p in _SELF_HOSTED])

DEFAULT_CATALOG = {"integrations": DEFAULT_INTEGRATIONS, "skills": DEFAULT_SKILLS,
                   "providers": DEFAULT_PROVIDERS, "models": {}}


class Catalog:
    """Merged catalog with the origin (file, key path) of every entry."""

    def __init__(self, items, origins):
        self.items = items          # domain -> id -> entry
        self.origins = origins      # (domain, id) -> (file, key_path)

    def get(self, domain, item_id):
        return self.items[domain].get(item_id)

    def ids(self, domain):
        return self.items[domain]

    def origin(self, domain, item_id):
        return self.origins.get((domain, item_id), (DEFAULT_CATALOG_FILE, (domain, item_id)))

    def tier(self, domain, item_id):
        item = self.items[domain].get(item_id) or {}
        return item.get({"models": "tier", "skills": "risk",
                         "integrations": "trust_tier"}.get(domain, ""))

    def as_dict(self):
        return {d: {k: dict(v) for k, v in sorted(self.items[d].items())} for d in DOMAINS}


def catalog_files(fleet):
    """Relative paths of the fleet's catalog files (sorted by name)."""
    paths = fleet.data.get("paths", {})
    sub = paths.get("catalogs", "catalogs")
    base = os.path.normpath(os.path.join(fleet.root, sub))
    if not fleet.files.inside(base):
        raise ReferenceProblem("catalog directory %r is outside the fleet directory" % sub,
                               "fleet.yml", ("paths", "catalogs"),
                               "use a directory inside the fleet directory")
    if not os.path.isdir(base):
        return []
    return [fleet.files.rel(os.path.join(base, n)) for n in sorted(os.listdir(base))
            if n.endswith((".yml", ".yaml")) and not n.startswith(".")]


def load_catalog(fleet):
    """The fleet's effective catalog; all problems are raised together as FleetErrors."""
    use_defaults = fleet.data.get("catalog_defaults", True)
    items = {d: {} for d in DOMAINS}
    origins = {}
    if use_defaults:
        for domain in DOMAINS:
            items[domain] = {k: dict(v) for k, v in DEFAULT_CATALOG[domain].items()}
    errors, defined = [], {}
    for rel in catalog_files(fleet):
        try:
            data = fleet.files.read_yaml(rel)
            if data is None:
                continue
            if not isinstance(data, dict):
                raise SchemaProblem("a catalog file must hold a YAML mapping", rel, (),
                                    "write integrations:/skills:/providers:/models: mappings")
            validate("catalog", data, rel)
        except FleetErrors as exc:
            errors.extend(exc.errors)
            continue
        except FleetError as exc:  # YAML syntax, duplicate keys, not a mapping
            errors.append(exc)
            continue
        for domain in DOMAINS:
            for item_id, entry in (data.get(domain) or {}).items():
                key = (domain, item_id)
                if key in defined:
                    errors.append(ReferenceProblem(
                        "%s entry %r is already defined in %s" % (domain, item_id,
                                                                  defined[key]),
                        rel, (domain, item_id), "define every catalog entry once; to change "
                        "a shipped default, write the whole entry once"))
                    continue
                defined[key] = rel
                base = items[domain].get(item_id, {}) if entry.get("extends_default", True) \
                    else {}
                merged = dict(base)
                merged.update({k: v for k, v in entry.items() if k != "extends_default"})
                items[domain][item_id] = merged
                origins[key] = (rel, (domain, item_id))
    for (domain, item_id), rel in defined.items():
        entry = items[domain][item_id]
        if domain == "integrations" and entry.get("kind") == "custom" \
                and not entry.get("requires"):
            errors.append(SchemaProblem(
                "custom-only integration %r does not say what it needs" % item_id, rel,
                (domain, item_id), "add requires: {skill: <id>} or requires: {plugin: <id>}"))
        if domain == "skills" and entry.get("source") == "shared" and not entry.get("path"):
            errors.append(SchemaProblem(
                "shared skill %r has no path" % item_id, rel, (domain, item_id, "source"),
                "add path: the shared skills directory on the gateway"))
    # Model backends of fleet.yml: each is a self-hosted provider with the models it serves.
    for backend_id, backend in sorted((fleet.data.get("backends") or {}).items()):
        where = (FLEET_FILE, ("backends", backend_id))
        if backend_id in items["providers"]:
            errors.append(ReferenceProblem(
                "backend %r has the id of a catalog provider" % backend_id, where[0], where[1],
                "name it differently (e.g. %s-%s), so that models.providers.%s stays the "
                "provider's" % (fleet.org.org_slug, backend_id, backend_id)))
            continue
        items["providers"][backend_id] = {"kind": "self-hosted", "backend": True,
                                          "owner": backend.get("owner", "")}
        origins[("providers", backend_id)] = where
        for model in backend["models"]:
            model_id = "%s/%s" % (backend_id, model)
            items["models"][model_id] = {"tier": backend.get("tier", "default"),
                                         "owner": backend.get("owner", ""), "backend": backend_id}
            origins[("models", model_id)] = (FLEET_FILE, ("backends", backend_id, "models"))
    # Providers implied by models: a model's provider must be cataloged too.
    for model_id in sorted(items["models"]):
        provider = model_id.split("/", 1)[0]
        if provider not in items["providers"]:
            rel, path = origins[("models", model_id)]
            errors.append(ReferenceProblem(
                "model %r belongs to provider %r, which is not in the catalog" % (
                    model_id, provider), rel, path,
                "add providers: {%s: {kind: hosted|self-hosted}} to a catalog file" % provider))
    if errors:
        raise FleetErrors(errors)
    return Catalog(items, origins)
