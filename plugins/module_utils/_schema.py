# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet definition's JSON Schema and the validator that explains violations.

The schema lives here (as Python data, so Ansible ships it with modules) and is
exported verbatim to ``schemas/fleet.schema.json`` by ``scripts/export_schema.py``;
a unit test keeps the two identical. Descriptions double as the field reference in
docs/fleet-reference.md. ``x-secret`` marks values that are never echoed in errors.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import traceback

from ._errors import FleetErrors, SchemaProblem

try:
    # Fast path only: compiles the schema to Python (~40x faster than jsonschema). A document
    # it rejects is re-checked by jsonschema, which explains every problem.
    import fastjsonschema
except ImportError:  # pragma: no cover - optional speed-up
    fastjsonschema = None

try:
    import jsonschema
    HAS_JSONSCHEMA = True
    JSONSCHEMA_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - reported by callers
    HAS_JSONSCHEMA = False
    JSONSCHEMA_IMPORT_ERROR = traceback.format_exc()

SCHEMA_VERSION = 1
SCHEMA_ID = "https://clawops.dev/schemas/fleet/v1"

_ID_PATTERN = "^[a-z][a-z0-9-]{0,38}[a-z0-9]$"
_AGENT_ID_PATTERN = "^[a-z][a-z0-9_-]{0,62}$"
# absolute and normal: no '.'/'..' segment, no '//', no trailing '/', no '/' alone, no
# characters that YAML, a shell or Compose would read (space, quotes, ':', '$', newline)
_HOST_PATH_PATTERN = r"^(?:/(?!\.\.?(?:/|$))[A-Za-z0-9._+@=-]+)+$"
_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_K8S_NAME_PATTERN = "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$"
_K8S_LABEL_KEY_PATTERN = "^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
_K8S_LABEL_VALUE_PATTERN = "^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$"
_IPV4_CIDR_PATTERN = "^%s(?:\\.%s){3}/(?:3[0-2]|[12]?[0-9])$" % (_OCTET, _OCTET)
_ACCOUNT_ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"
_CHANNEL_PATTERN = "^[a-z][a-z0-9-]{0,40}$"
_VAR_NAME_PATTERN = "^[a-z][a-z0-9_]{0,62}$"
_ENV_NAME_PATTERN = "^[A-Z][A-Z0-9_]{0,127}$"

# the templates and overrides of every config layer (org, group, gateway, agent)
_CONFIG_LAYER = {
    "templates": {"type": "array", "items": {"type": "string", "minLength": 1},
                  "description": "JSON5 files (relative to this YAML file) merged in order; "
                                 "each may use $include."},
    "overrides": {"type": "object",
                  "description": "openclaw.json keys set inline, merged after the templates "
                                 "of the same scope; may use $include."},
}
DEFS = {
    "id": {
        "type": "string", "pattern": _ID_PATTERN,
        "description": "Lower-case DNS-label name: letters, digits and '-', 2-40 characters, "
                       "starting with a letter.",
    },
    "secretRef": {
        "type": "object", "x-secret": True,
        "description": "A reference to a secret, never its value. Resolved on the controller "
                       "at apply time and delivered to the gateway as an environment variable. "
                       "'@{...}' variables may be used in its strings.",
        "properties": {
            "source": {"enum": ["env", "file", "vault"],
                       "description": "Where the value lives: 'env' (environment variable on "
                                      "the controller), 'file' (a file on the controller, "
                                      "outside the fleet repo), 'vault' (KV v2 secret in a "
                                      "Vault-compatible server)."},
            "var": {"type": "string", "description": "source env: the variable name."},
            "path": {"type": "string", "minLength": 1,
                     "description": "source file: absolute path or '~/...'; source vault: "
                                    "the secret path inside the mount."},
            "key": {"type": "string", "minLength": 1,
                    "description": "source vault: the field inside the secret."},
            "mount": {"type": "string", "minLength": 1,
                      "description": "source vault: KV v2 mount point (default 'secret')."},
        },
        "required": ["source"],
        "additionalProperties": False,
        "allOf": [
            {"if": {"type": "object", "properties": {"source": {"const": "env"}}},
             "then": {"required": ["var"], "not": {"anyOf": [{"required": ["path"]},
                                                             {"required": ["key"]}]}}},
            {"if": {"type": "object", "properties": {"source": {"const": "file"}}},
             "then": {"required": ["path"]}},
            {"if": {"type": "object", "properties": {"source": {"const": "vault"}}},
             "then": {"required": ["path", "key"]}},
        ],
    },
    "configLayer": {
        "type": "object",
        "description": "A config layer of this scope: JSON5 templates merged in order, then "
                       "inline overrides. Both may use '@{variable}' and {\"$append\": [...]}.",
        "properties": dict(_CONFIG_LAYER),
        "additionalProperties": False,
    },
    "configLayerOwned": {
        "type": "object",
        "description": "A config layer of this scope: JSON5 templates merged in order, then "
                       "inline overrides (both may use '@{variable}' and {\"$append\": "
                       "[...]}), and which config paths the gateway owns.",
        "properties": dict(_CONFIG_LAYER, **{
            "ownership": {
                "type": "object",
                "description": "Config paths the gateway owns (docs/day2.md, \"Config "
                               "ownership\"): dotted path -> seed_only (written while the "
                               "file lacks it, then the gateway's) or observed (never "
                               "written, only reported); managed (the default) may be "
                               "given to undo an outer layer's. '*' stands for one key. "
                               "Compose gateways only: their config becomes writable.",
                "propertyNames": {"pattern": r"^[A-Za-z0-9_@-]+([.]([A-Za-z0-9_@-]+|[*]))*$"},
                "additionalProperties": {"enum": ["managed", "seed_only", "observed"]},
            }}),
        "additionalProperties": False,
    },
    "variables": {
        "type": "object",
        "description": "User variables, available as '@{vars.<name>}' in templates, overrides "
                       "and secret references of this scope and the scopes inside it.",
        "propertyNames": {"pattern": _VAR_NAME_PATTERN},
        "additionalProperties": {"type": ["string", "integer", "number", "boolean"]},
    },
    "image": {
        "type": "object",
        "description": "The gateway image pin. The image is built locally from npm "
                       "(node + openclaw@version).",
        "properties": {
            "repository": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._/:-]*$",
                           "description": "Image repository (default "
                                          "'localhost/clawops/openclaw')."},
            "version": {"type": "string", "pattern": r"^\d{4}\.\d{1,2}\.\d{1,3}(-[0-9A-Za-z.]+)?$",
                        "description": "The openclaw npm version, e.g. '2026.9.6'."},
            "tag": {"type": "string", "pattern": "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$",
                    "description": "Image tag (default: the version)."},
            "digest": {"type": "string", "pattern": "^sha256:[a-f0-9]{64}$",
                       "description": "Optional content digest the deploy must match."},
        },
        "additionalProperties": False,
    },
    "resources": {
        "type": "object",
        "description": "Limits per gateway container. A gateway idles at ~0.85 GiB; below 2 GiB "
                       "it may crash at boot.",
        "properties": {
            "memory": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?[kmgKMG]?i?$",
                       "description": "Memory limit, e.g. '2g' (default '2g')."},
            "cpus": {"type": "number", "exclusiveMinimum": 0,
                     "description": "CPU limit (default 2)."},
            "pids": {"type": "integer", "minimum": 64,
                     "description": "Process limit (default 512)."},
        },
        "additionalProperties": False,
    },
    "auth": {
        "type": "object",
        "description": "Gateway authentication. The rendered config only ever holds an env "
                       "SecretRef to OPENCLAW_GATEWAY_TOKEN / OPENCLAW_GATEWAY_PASSWORD.",
        "properties": {
            "mode": {"enum": ["token", "password"], "description": "Auth mode (default token)."},
            "token": {"$ref": "#/$defs/secretRef"},
            "password": {"$ref": "#/$defs/secretRef"},
        },
        "additionalProperties": False,
    },
    "env": {
        "type": "object",
        "description": "Extra environment for the gateway (provider API keys, ...): name -> "
                       "secret reference. Names starting OPENCLAW_ or CLAWOPS_ are reserved "
                       "(the gateway token and the account secrets clawops derives) and "
                       "refused.",
        "propertyNames": {"pattern": _ENV_NAME_PATTERN},
        "additionalProperties": {"$ref": "#/$defs/secretRef"},
    },
    "gatewayDefaults": {
        "type": "object",
        "description": "Defaults for gateways (fleet-wide in fleet.yml, per group in a group "
                       "file); a gateway's own value wins.",
        "properties": {
            "image": {"$ref": "#/$defs/image"},
            "exposure": {"$ref": "#/$defs/exposure"},
            "hosted": {"$ref": "#/$defs/hosted"},
            "resources": {"$ref": "#/$defs/resources"},
            "auth": {"$ref": "#/$defs/auth"},
            "env": {"$ref": "#/$defs/env"},
        },
        "additionalProperties": False,
    },
    "hosted": {
        "type": "object",
        "description": "A gateway served on its own domain behind TLS (docs/hosted.md). "
                       "Compose: a reverse proxy (nginx, built here) in the gateway's project "
                       "terminates TLS and publishes the only port; the gateway publishes "
                       "none. Kubernetes: an Ingress with a TLS Secret. The domain feeds "
                       "gateway.controlUi.allowedOrigins and the proxy feeds "
                       "gateway.trustedProxies. Group defaults may set the pattern once and "
                       "a gateway only what differs; the merged setting needs domain and "
                       "tls.",
        "properties": {
            "domain": {"type": "string", "minLength": 3, "maxLength": 253,
                       "pattern": r"^(\{gateway\}|\{org\}|[a-z0-9])"
                                  r"([a-z0-9.-]|\{gateway\}|\{org\})*[a-z0-9]$",
                       "description": "The gateway's domain; '{gateway}' and '{org}' are "
                                      "replaced by the gateway id and the org slug "
                                      "(e.g. '{gateway}.customers.example.com')."},
            "tls": {
                "type": "object",
                "description": "The certificate chain and its private key (PEM), as secret "
                               "references (several lines allowed). Resolved on the "
                               "controller at apply time.",
                "properties": {"cert": {"$ref": "#/$defs/secretRef"},
                               "key": {"$ref": "#/$defs/secretRef"}},
                "required": ["cert", "key"],
                "additionalProperties": False,
            },
            "port": {"type": "integer", "minimum": 1, "maximum": 65535,
                     "description": "Compose: the host port the proxy publishes (default "
                                    "443)."},
            "address": {"type": "string",
                        "pattern": r"^(0\.0\.0\.0|127\.0\.0\.1|%s(?:\.%s){3})$" % (
                            _OCTET, _OCTET),
                        "description": "Compose: the host address the proxy publishes on "
                                       "(default 0.0.0.0: every interface). One address per "
                                       "customer lets several hosted gateways share port "
                                       "443 on one host."},
            "subnet": {"type": "string", "pattern": _IPV4_CIDR_PATTERN,
                       "description": "Compose: the private network between proxy and "
                                      "gateway (a /28 or larger; default derived from the "
                                      "port, 10.217.0.0/16). The proxy takes its last "
                                      "usable address, the only one the gateway trusts."},
            "max_body": {"type": "string", "pattern": "^[1-9][0-9]{0,5}[kKmM]?$",
                         "description": "Largest request body the proxy passes (webhooks, "
                                        "uploads), nginx size syntax; default 1m. Larger: "
                                        "413."},
            "rate": {"type": "integer", "minimum": 1, "maximum": 100000,
                     "description": "Requests per second per client address (default 20); "
                                    "beyond rate + burst the proxy answers 429."},
            "burst": {"type": "integer", "minimum": 0, "maximum": 100000,
                      "description": "Requests above the rate a client may send at once "
                                     "(default 40)."},
            "ingress_class": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$",
                              "description": "Kubernetes: the Ingress class (default: the "
                                             "cluster's default class)."},
        },
        "additionalProperties": False,
    },
    "k8sNamespace": {
        "type": "string", "pattern": "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
        "description": "A Kubernetes namespace name (DNS label, up to 63 characters).",
    },
    "k8sNetwork": {
        "type": "object",
        "description": "NetworkPolicy of Kubernetes gateways (default deny): who may connect "
                       "in and what the gateway may reach besides DNS.",
        "properties": {
            "ingress_namespaces": {
                "type": "array", "uniqueItems": True,
                "items": {"$ref": "#/$defs/k8sNamespace"},
                "description": "Namespaces whose pods may connect to the gateway port when "
                               "exposure is lan (default: the gateway's own namespace). With "
                               "exposure loopback nothing may connect in; exec and "
                               "port-forward still work.",
            },
            "ingress_all_namespaces": {
                "type": "boolean",
                "description": "Let pods of every namespace connect to the gateway port when "
                               "exposure is lan - an explicit choice, instead of "
                               "ingress_namespaces (default false).",
            },
            "public_https": {
                "type": "boolean",
                "description": "Allow HTTPS (443) to public addresses: model providers, "
                               "messaging APIs, the npm registry for plugin installs "
                               "(default true).",
            },
            "egress": {
                "type": "array",
                "description": "Declared backends and databases the gateway may reach "
                               "(model servers, PostgreSQL, ...).",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "description": "What it is (for people)."},
                        "namespace": {"$ref": "#/$defs/k8sNamespace",
                                      "description": "In-cluster backend: its namespace."},
                        "pod_labels": {"type": "object",
                                       "additionalProperties": {"type": "string"},
                                       "description": "In-cluster backend: its pods' labels "
                                                      "(default all pods of the namespace)."},
                        "cidr": {"type": "string",
                                 "pattern": _IPV4_CIDR_PATTERN,
                                 "description": "Backend outside the cluster: an IPv4 CIDR."},
                        "ports": {
                            "type": "array", "minItems": 1,
                            "items": {"type": "object", "properties": {
                                "port": {"type": "integer", "minimum": 1, "maximum": 65535},
                                "protocol": {"enum": ["TCP", "UDP"]}},
                                "required": ["port"], "additionalProperties": False},
                        },
                    },
                    "required": ["ports"],
                    "oneOf": [{"required": ["namespace"]}, {"required": ["cidr"]}],
                    "additionalProperties": False,
                },
            },
        },
        "additionalProperties": False,
    },
    "hostPath": {
        "type": "string", "maxLength": 255, "pattern": _HOST_PATH_PATTERN,
        "description": "An absolute, normal path on the host: segments of letters, digits and "
                       "._+@=- only, no '.' or '..' segment, no '//', no trailing '/'. It must "
                       "lie below the host's root or one of its extra_roots.",
    },
    "targetVars": {
        "type": "object",
        "description": "How Ansible reaches a target: connection keys and the health gate's "
                       "deadlines only. Anything else (the actor, the events log, SSH "
                       "arguments, executables) would let a fleet file change who acts or "
                       "run commands on the controller, so it is refused.",
        "properties": {
            "ansible_host": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._:%-]{0,252}$"},
            "ansible_port": {"type": "integer", "minimum": 1, "maximum": 65535},
            "ansible_user": {"type": "string", "pattern": r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$"},
            "ansible_connection": {"enum": ["ssh", "local", "paramiko_ssh",
                                            "ansible.builtin.ssh", "ansible.builtin.local",
                                            "ansible.builtin.paramiko_ssh",
                                            "community.docker.docker"]},
            "ansible_become": {"type": "boolean"},
            "ansible_become_user": {"type": "string",
                                    "pattern": r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$"},
            "ansible_become_method": {"enum": ["sudo", "su", "doas", "ansible.builtin.sudo",
                                               "ansible.builtin.su"]},
            "ansible_python_interpreter": {
                "type": "string",
                "pattern": r"^(auto|auto_silent|/usr/(local/)?bin/python3(\.[0-9]{1,2})?)$"},
            "ansible_ssh_private_key_file": {"$ref": "#/$defs/hostPath"},
            "health_gate_deadline": {"type": "integer", "minimum": 10, "maximum": 3600},
            "health_gate_pod_deadline": {"type": "integer", "minimum": 10, "maximum": 3600},
        },
        "additionalProperties": False,
    },
    "storageSize": {
        "type": "string", "pattern": "^[1-9][0-9]*(Mi|Gi|Ti)$",
        "description": "Size of the gateway's state volume (PVC), e.g. 5Gi.",
    },
    "exposure": {
        "enum": ["loopback", "lan"],
        "description": "'loopback' (default): published on 127.0.0.1 only. 'lan': published on "
                       "all interfaces; requires auth.",
    },
    "profile": {"enum": ["human", "usecase", "rescue"],
                "description": "Operational profile: 'human' (human-coupled agents, strict "
                               "isolation), 'usecase' (task agents), 'rescue' (break-glass)."},
    "trustLevel": {"enum": ["low", "medium", "high"],
                   "description": "How much the gateway is trusted with (data, tools, models)."},
    "wave": {"oneOf": [{"const": "canary"}, {"type": "integer", "minimum": 1}],
             "description": "Rollout wave: 'canary' first, then 1, 2, ..."},
    "patterns": {
        "type": "array", "uniqueItems": True,
        "items": {"type": "string", "pattern": "^[A-Za-z0-9*?][A-Za-z0-9*?_./:@-]*$"},
        "description": "Ids or shell-style patterns ('openai/*', 'gpt-?', '*').",
    },
    "policyDomain": {
        "type": "object",
        "description": "Allow/deny for one domain at one scope. Deny wins at the same scope and "
                       "is final for every inner scope; 'allow' narrows what the outer scope "
                       "allows; 'grant' lets inner scopes allow items this scope does not.",
        "properties": {
            "allow": {"$ref": "#/$defs/patterns",
                      "description": "Only these (of what the outer scope allows). Omitted: "
                                     "everything the outer scope allows."},
            "deny": {"$ref": "#/$defs/patterns",
                     "description": "Never these, here and in every inner scope."},
            "grant": {"$ref": "#/$defs/patterns",
                      "description": "Items (or 'tier:<name>') inner scopes may allow although "
                                     "this scope does not: an explicit, reviewable widening."},
            "tiers": {"type": "array", "uniqueItems": True,
                      "items": {"enum": ["default", "high-cost", "high-trust",
                                         "low", "medium", "high"]},
                      "description": "Allowed tiers: models default/high-cost/high-trust; "
                                     "skills and integrations low/medium/high."},
            "sources": {"type": "array", "uniqueItems": True,
                        "items": {"enum": ["bundled", "managed", "workspace", "shared"]},
                        "description": "skills only: allowed skill sources."},
        },
        "additionalProperties": False,
    },
    "policy": {
        "type": "object",
        "description": "Policy of this scope (org, group, gateway or agent).",
        "properties": {
            "integrations": {"$ref": "#/$defs/policyDomain"},
            "skills": {"$ref": "#/$defs/policyDomain"},
            "providers": {"$ref": "#/$defs/policyDomain"},
            "models": {"$ref": "#/$defs/policyDomain"},
            "tools": {
                "type": "object",
                "properties": {
                    "deny": {"$ref": "#/$defs/patterns",
                             "description": "OpenClaw tool names or groups to deny (compiled "
                                            "into tools.deny); accumulates inward."},
                },
                "additionalProperties": False,
            },
            "plugins": {
                "type": "object",
                "properties": {
                    "deny": {"$ref": "#/$defs/patterns",
                             "description": "Plugin ids always denied (plugins.deny)."},
                    "exclusive": {"type": "boolean",
                                  "description": "Compile an exclusive plugins.allow (the "
                                                 "plugins of allowed integrations and providers "
                                                 "plus 'always'). Off by default: an exclusive "
                                                 "list also drops plugins a gateway needs "
                                                 "silently."},
                    "always": {"$ref": "#/$defs/patterns",
                               "description": "Plugin ids added to an exclusive plugins.allow."},
                },
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    },
    "catalogEntry": {
        "type": "object",
        "properties": {
            "description": {"type": "string"},
            "owner": {"type": "string", "minLength": 1,
                      "description": "Who answers for this entry (team or person)."},
            "extends_default": {"type": "boolean",
                                "description": "Merge over the shipped entry of the same id "
                                               "(default true)."},
        },
    },
    "agent": {
        "type": "object",
        "description": "One agent on this gateway (agents.entries.<id> in openclaw.json).",
        "properties": {
            "id": {"type": "string", "pattern": _AGENT_ID_PATTERN,
                   "description": "Agent id, unique in the gateway (lower case, digits, '_', "
                                  "'-')."},
            "kind": {"enum": ["human", "usecase"],
                     "description": "'human': coupled to one person (owner required, unique "
                                    "across the fleet); 'usecase': a task or domain agent."},
            "owner": {"type": "string", "minLength": 3,
                      "description": "The person this agent belongs to (e.g. an email). "
                                     "Required for kind human."},
            "name": {"type": "string", "description": "Display name."},
            "description": {"type": "string"},
            "workspace": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                          "description": "Directory name under the gateway's workspace root "
                                         "(default: the agent id)."},
            "workspace_seed": {"type": "string", "minLength": 1,
                               "description": "Directory in the fleet repo copied into the "
                                              "agent's workspace: only files that are missing "
                                              "(seed_mode seed_only), or kept equal to the "
                                              "fleet's on every deploy (managed)."},
            "seed_mode": {"enum": ["seed_only", "managed"],
                          "description": "seed_only (default): a seed file is written once, "
                                         "then the workspace owns it. managed: every deploy "
                                         "writes the seed tree's files that differ (an "
                                         "updated seed reaches existing workspaces); files "
                                         "the tree does not have are never touched."},
            "agent_dir": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                          "description": "Directory name under <state>/agents/ (default: the "
                                         "agent id); the agentDir is <state>/agents/<name>/agent."},
            "model": {"oneOf": [
                {"type": "string", "pattern": "^[^/\\s]+/\\S+$"},
                {"type": "object", "properties": {
                    "primary": {"type": "string", "pattern": "^[^/\\s]+/\\S+$"},
                    "fallbacks": {"type": "array",
                                  "items": {"type": "string", "pattern": "^[^/\\s]+/\\S+$"}}},
                 "required": ["primary"], "additionalProperties": False}],
                "description": "'provider/model', or {primary, fallbacks}."},
            "skills": {"type": "array", "items": {"type": "string", "minLength": 1},
                       "uniqueItems": True,
                       "description": "Skill allowlist for this agent ([] = no skills)."},
            "tools": {"type": "object",
                      "description": "OpenClaw tool policy for the agent (profile, allow, deny, "
                                     "alsoAllow), passed through."},
            "sandbox": {"type": "object",
                        "description": "OpenClaw sandbox policy for the agent (mode, "
                                       "workspaceAccess, scope, ...), passed through."},
            "identity": {"type": "object",
                         "description": "OpenClaw identity (name, emoji, theme, avatar)."},
            "config": {"$ref": "#/$defs/configLayer",
                       "description": "Agent-scoped layer merged into agents.entries.<id>."},
            "integrations": {"type": "array", "uniqueItems": True,
                             "items": {"type": "string", "pattern": _CHANNEL_PATTERN},
                             "description": "Non-channel integrations the agent uses (custom-"
                                            "only catalog entries such as notion)."},
            "policy": {"$ref": "#/$defs/policy",
                       "description": "Agent scope: may only narrow the gateway's policy."},
        },
        "required": ["id", "kind"],
        "additionalProperties": False,
    },
    "account": {
        "type": "object",
        "description": "One channel account (channels.<provider>.accounts.<id>).",
        "properties": {
            "secrets": {"type": "object",
                        "description": "Account fields that hold secrets (botToken, appToken, "
                                       "signingSecret, ...) -> secret reference.",
                        "propertyNames": {"pattern": "^[a-z][A-Za-z0-9]*$"},
                        "additionalProperties": {"$ref": "#/$defs/secretRef"}},
            "settings": {"type": "object",
                         "description": "Other account fields (name, dmPolicy, allowFrom, ...), "
                                        "passed through."},
        },
        "additionalProperties": False,
    },
    "binding": {
        "type": "object",
        "description": "One route (bindings[] in openclaw.json).",
        "properties": {
            "agentId": {"type": "string", "pattern": _AGENT_ID_PATTERN,
                        "description": "The agent that receives the traffic."},
            "comment": {"type": "string"},
            "match": {
                "type": "object",
                "properties": {
                    "channel": {"type": "string", "pattern": _CHANNEL_PATTERN,
                                "description": "Channel id (telegram, slack, ...)."},
                    "accountId": {"type": "string", "minLength": 1,
                                  "description": "Account id; '*' = every account (needs an "
                                                 "explicit opt-in in preflight)."},
                    "peer": {"type": "object", "properties": {
                        "kind": {"enum": ["direct", "group", "channel"]},
                        "id": {"type": "string", "minLength": 1}},
                        "required": ["kind", "id"], "additionalProperties": False},
                    "guildId": {"type": "string"},
                    "teamId": {"type": "string"},
                },
                "required": ["channel"],
                "additionalProperties": False,
            },
        },
        "required": ["agentId", "match"],
        "additionalProperties": False,
    },
}

FLEET_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID + "/fleet",
    "title": "fleet.yml",
    "description": "The organization, defaults, targets and the org config layer.",
    "type": "object",
    "properties": {
        "schema_version": {"const": SCHEMA_VERSION,
                           "description": "Version of this format; must be 1."},
        "org": {
            "type": "object",
            "description": "Organization identity: configuration, never hard-coded.",
            "properties": {
                "org_id": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$",
                           "description": "Stable organization id (used in labels)."},
                "org_slug": {"type": "string", "pattern": "^[a-z][a-z0-9-]{0,18}[a-z0-9]$",
                             "description": "Short DNS-safe name, prefix of every instance "
                                            "name (2-20 chars)."},
                "display_name": {"type": "string", "minLength": 1,
                                 "description": "Human-readable organization name."},
            },
            "required": ["org_id", "org_slug", "display_name"],
            "additionalProperties": False,
        },
        "defaults": {"$ref": "#/$defs/gatewayDefaults"},
        "targets": {
            "type": "object",
            "description": "Where gateways run.",
            "properties": {
                "compose_hosts": {
                    "type": "object",
                    "description": "Docker Compose hosts by name.",
                    "propertyNames": {"pattern": _ID_PATTERN},
                    "additionalProperties": {
                        "type": "object",
                        "properties": {
                            "root": {"$ref": "#/$defs/hostPath",
                                     "description": "Absolute directory on the host under "
                                                    "which <org_slug>/<gateway>/ live "
                                                    "(default /srv/clawops). Not a system "
                                                    "directory (/etc, /usr, /var, ...)."},
                            "extra_roots": {
                                "type": "array", "uniqueItems": True,
                                "items": {"$ref": "#/$defs/hostPath"},
                                "description": "Other directories on this host (e.g. a second "
                                               "disk) that gateways' provider.root and "
                                               "provider.paths may lie below."},
                            "vars": {"$ref": "#/$defs/targetVars",
                                     "description": "Ansible connection variables for the "
                                                    "gateways on this host (ansible_host, "
                                                    "ansible_connection, ansible_user, ...)."},
                        },
                        "additionalProperties": False,
                    },
                },
                "k8s_clusters": {
                    "type": "object",
                    "description": "Kubernetes clusters by name.",
                    "propertyNames": {"pattern": _ID_PATTERN},
                    "additionalProperties": {
                        "type": "object",
                        "properties": {
                            "kubeconfig": {"type": "string",
                                           "description": "Path to a kubeconfig on the "
                                                          "controller (default: the usual "
                                                          "lookup)."},
                            "context": {"type": "string", "description": "kubeconfig context."},
                            "namespace_mode": {"enum": ["per_org", "per_gateway"],
                                               "description": "One namespace per org "
                                                              "(default) or per gateway."},
                            "namespace": {"type": "string", "pattern": _ID_PATTERN,
                                          "description": "Namespace for per_org mode (default "
                                                         "<org_slug>-gateways)."},
                            "storage_class": {"type": "string",
                                              "description": "StorageClass of the gateways' "
                                                             "state volumes (default: the "
                                                             "cluster's default class)."},
                            "storage_size": {"$ref": "#/$defs/storageSize"},
                            "volume_permissions": {
                                "type": "boolean",
                                "description": "The cluster's storage ignores fsGroup (e.g. "
                                               "hostPath): an init container running as root "
                                               "with only CAP_CHOWN gives the state volume "
                                               "(all of it, when an earlier version gave it "
                                               "another uid) to the gateway's uid 65532 "
                                               "(default false; the namespace is "
                                               "then labelled pod-security baseline instead "
                                               "of restricted)."},
                            "cluster_read": {
                                "type": "boolean",
                                "description": "Give each gateway's ServiceAccount a read-only "
                                               "ClusterRole (pods, services, nodes, namespaces, "
                                               "events, configmaps, workloads; default false)."},
                            "network": {"$ref": "#/$defs/k8sNetwork"},
                            "state_root": {
                                "type": "string",
                                "description": "Directory on the controller for the gateways' "
                                               "revisions, backups and rendered files (default "
                                               "~/.clawops/k8s/<cluster>). Keep it on "
                                               "persistent storage (AWX: a mounted volume)."},
                            "vars": {"$ref": "#/$defs/targetVars",
                                     "description": "Ansible connection variables for its "
                                                    "gateways (default ansible_connection: "
                                                    "local)."},
                        },
                        "additionalProperties": False,
                    },
                },
            },
            "additionalProperties": False,
        },
        "config": {"$ref": "#/$defs/configLayerOwned",
                   "description": "The org layer: the base of every gateway's config."},
        "backends": {
            "type": "object",
            "description": "OpenAI-compatible model servers (vLLM, llama.cpp server, Ollama's "
                           "/v1, SGLang, LM Studio, ...) by id, declared once: a gateway that "
                           "lists a backend gets it as models.providers.<id>, and its models "
                           "join the catalog as <id>/<model> (docs/backends.md).",
            "propertyNames": {"pattern": _ID_PATTERN},
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "url": {"type": "string", "pattern": "^https?://[^\\s]+$",
                            "description": "The base URL with its /v1 (e.g. "
                                           "http://vllm.internal:8000/v1)."},
                    "api": {"enum": ["openai-completions", "openai-responses"],
                            "description": "The API the gateway speaks to it (default "
                                           "openai-completions)."},
                    "models": {"type": "array", "minItems": 1, "uniqueItems": True,
                               "items": {"type": "string", "pattern": "^[^\\s/][^\\s]*$"},
                               "description": "Model ids it serves, as its /v1/models lists "
                                              "them."},
                    "api_key": {"$ref": "#/$defs/secretRef",
                                "description": "Its API key, when it enforces one (default: "
                                               "a placeholder; OpenAI-compatible servers "
                                               "without auth take any)."},
                    "tier": {"enum": ["default", "high-cost", "high-trust"],
                             "description": "Catalog tier of its models (default default)."},
                    "owner": {"type": "string"},
                    "description": {"type": "string"},
                    "k8s": {
                        "type": "object",
                        "description": "Where it runs in a cluster, for the NetworkPolicy of "
                                       "the Kubernetes gateways that list it: egress to its "
                                       "pods on the URL's port (a backend whose URL host is "
                                       "an IPv4 address gets an egress rule to that address "
                                       "without this). With run: the namespace the "
                                       "collection runs it in (default: the cluster's shared "
                                       "gateway namespace).",
                        "properties": {
                            "namespace": {"$ref": "#/$defs/k8sNamespace"},
                            "pod_labels": {"type": "object",
                                           "additionalProperties": {"type": "string"}},
                        },
                        "required": ["namespace"],
                        "additionalProperties": False,
                    },
                    "context_window": {"type": "integer", "minimum": 512,
                                       "description": "Context window of its models "
                                                      "(default 8192)."},
                    "max_tokens": {"type": "integer", "minimum": 1,
                                   "description": "Most tokens of one answer (default 2048)."},
                    "compat": {"type": "object",
                               "description": "What the server takes of OpenAI's API, as "
                                              "OpenClaw's model compat (maxTokensField, "
                                              "supportsTools, supportsDeveloperRole, "
                                              "requiresStringContent, ...), set on each of "
                                              "its models; the collection's own server has "
                                              "its settings already."},
                    "run": {
                        "type": "object",
                        "description": "The collection runs this backend (docs/backends.md, "
                                       "\"Backends the collection runs\"): on Compose, one "
                                       "container on the Docker host of the gateways that "
                                       "list it, on a network only they join; on "
                                       "Kubernetes, a Deployment and a Service that only "
                                       "its gateways may reach, the model on a claim; its "
                                       "URL is derived (no url). Without run, the backend "
                                       "runs elsewhere and url says where.",
                        "properties": {
                            "model_file": {"type": "string", "pattern": "^/",
                                           "description": "The model file (absolute): on "
                                                          "the Docker host, mounted "
                                                          "read-only; for Kubernetes "
                                                          "gateways on the controller, "
                                                          "copied into the backend's claim "
                                                          "when its content changes. With "
                                                          "the collection's server image, "
                                                          "a GGUF file."},
                            "image": {"type": "string",
                                      "description": "A server image of your own (vLLM, "
                                                     "SGLang, ...); needs command. Default: "
                                                     "the collection's llama.cpp server "
                                                     "image (playbooks/backend_image.yml "
                                                     "builds it here, no registry)."},
                            "command": {"type": "array", "items": {"type": "string"},
                                        "minItems": 1,
                                        "description": "The server's command line, with "
                                                       "image; {model} is the mounted model "
                                                       "file, {port} the port, {model_id} "
                                                       "the first of models."},
                            "port": {"type": "integer", "minimum": 1, "maximum": 65535,
                                     "description": "The port it listens on in its "
                                                    "container (default 8000)."},
                            "memory": {"type": "string", "pattern": "^[0-9]+[kmgKMG]?$",
                                       "description": "Its memory limit (default 2g)."},
                            "cpus": {"type": "number", "exclusiveMinimum": 0,
                                     "description": "Its CPU limit (default 2)."},
                            "threads": {"type": "integer", "minimum": 1,
                                        "description": "Inference threads of the "
                                                       "collection's server (default 2)."},
                            "placement": {"enum": ["shared", "sidecar"],
                                          "description": "shared (default): one backend for "
                                                         "every gateway that lists it, in its "
                                                         "own Compose project or Deployment; "
                                                         "sidecar: one per gateway, a service "
                                                         "of the gateway's own Compose "
                                                         "project, which starts once it is "
                                                         "healthy (Compose gateways)."},
                            "storage": {"type": "string",
                                        "pattern": "^[0-9]+(Ki|Mi|Gi|Ti)$",
                                        "description": "On Kubernetes: the size of the "
                                                       "claim the model file is copied "
                                                       "into (default 2Gi)."},
                        },
                        "required": ["model_file"],
                        "additionalProperties": False,
                    },
                },
                "required": ["models"],
                "additionalProperties": False,
            },
        },
        "secrets": {
            "type": "object",
            "description": "Where the fleet's secret references may point. A reference "
                           "outside these scopes is refused (secret.out-of-scope), so whoever "
                           "may edit a gateway or an agent's accounts cannot pull another "
                           "controller secret into a gateway.",
            "properties": {
                "vault_prefixes": {
                    "type": "array", "uniqueItems": True,
                    "items": {"type": "string",
                              "pattern": r"^(?!.*(^|/)\.\.?(/|$))[A-Za-z0-9_.@-]+(/[A-Za-z0-9_.@-]+)*/?$"},
                    "description": "Vault paths a reference may use (default [<org_slug>/])."},
                "vault_mounts": {
                    "type": "array", "uniqueItems": True,
                    "items": {"type": "string", "pattern": r"^[A-Za-z0-9_.-]+$"},
                    "description": "KV v2 mounts a reference may use (default [secret])."},
                "file_dirs": {
                    "type": "array", "uniqueItems": True,
                    "items": {"type": "string", "pattern": r"^(/|~/)"},
                    "description": "Controller directories a file reference may point into "
                                   "(absolute or ~/...). Default: anywhere except system and "
                                   "credential directories (/etc, /proc, ~/.ssh, ~/.aws, "
                                   "~/.kube, ~/.config, ...)."},
                "env_prefixes": {
                    "type": "array", "uniqueItems": True,
                    "items": {"type": "string", "pattern": r"^[A-Z][A-Z0-9_]*$"},
                    "description": "Name prefixes of controller environment variables a "
                                   "reference may read (e.g. [ACME_]). Default: any but the "
                                   "controller's own credentials (VAULT_*, AWS_*, "
                                   "K8S_AUTH_*, ANSIBLE_*, ...)."},
                "controller_env": {
                    "type": "boolean",
                    "description": "Whether env references are allowed at all (default true; "
                                   "false on a controller shared by several orgs)."},
            },
            "additionalProperties": False,
        },
        "variables": {"$ref": "#/$defs/variables"},
        "policy": {"$ref": "#/$defs/policy",
                   "description": "Org scope: the baseline every group, gateway and agent "
                                  "narrows."},
        "catalog_defaults": {"type": "boolean",
                             "description": "Start from the catalog shipped with the "
                                            "collection (default true)."},
        "paths": {
            "type": "object",
            "description": "Where the other parts of the definition live (relative to "
                           "fleet.yml).",
            "properties": {
                "groups": {"type": "string", "description": "Group files dir (default groups)."},
                "gateways": {"type": "string",
                             "description": "Gateway files dir (default gateways)."},
                "catalogs": {"type": "string",
                             "description": "Catalog files dir (default catalogs)."},
            },
            "additionalProperties": False,
        },
    },
    "required": ["schema_version", "org"],
    "additionalProperties": False,
    "$defs": DEFS,
}

GROUP_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID + "/group",
    "title": "groups/<id>.yml",
    "description": "A gateway group: profile, trust, wave, a config layer and defaults.",
    "type": "object",
    "properties": {
        "id": {"$ref": "#/$defs/id", "description": "Group id; must equal the file name stem."},
        "description": {"type": "string"},
        "profile": {"$ref": "#/$defs/profile"},
        "trust_level": {"$ref": "#/$defs/trustLevel"},
        "wave": {"$ref": "#/$defs/wave"},
        "config": {"$ref": "#/$defs/configLayerOwned",
                   "description": "The group layer, applied in the gateway's group order."},
        "variables": {"$ref": "#/$defs/variables"},
        "defaults": {"$ref": "#/$defs/gatewayDefaults"},
        "policy": {"$ref": "#/$defs/policy",
                   "description": "Group scope, applied in the gateway's group order."},
    },
    "required": ["id"],
    "additionalProperties": False,
    "$defs": DEFS,
}

GATEWAY_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID + "/gateway",
    "title": "gateways/<id>.yml",
    "description": "One gateway instance: where it runs, its agents, accounts and routes.",
    "type": "object",
    "properties": {
        "id": {"$ref": "#/$defs/id",
               "description": "Gateway id; must equal the file name stem. Instance name: "
                              "<org_slug>-<id>."},
        "description": {"type": "string"},
        "instance": {"type": "string", "pattern": "^[a-z][a-z0-9-]{0,50}[a-z0-9]$",
                     "description": "Instance name (compose project, K8s object names); "
                                    "default <org_slug>-<id>. Set it to adopt an existing "
                                    "instance."},
        "groups": {"type": "array", "items": {"$ref": "#/$defs/id"}, "uniqueItems": True,
                   "description": "Groups in layer order (later groups win)."},
        "backends": {"type": "array", "items": {"$ref": "#/$defs/id"}, "uniqueItems": True,
                     "description": "Model backends of fleet.yml this gateway uses: each is "
                                    "its models.providers.<id>."},
        "profile": {"$ref": "#/$defs/profile",
                    "description": "Required here or on one of the gateway's groups; "
                                   "overrides the groups' profile (they must agree)."},
        "trust_level": {"$ref": "#/$defs/trustLevel",
                        "description": "Required here or on one of the gateway's groups "
                                       "(the gateway's wins, then the last group's)."},
        "wave": {"$ref": "#/$defs/wave"},
        "provider": {
            "type": "object",
            "description": "Where the gateway runs.",
            "properties": {
                "type": {"enum": ["compose", "k8s"]},
                "host": {"$ref": "#/$defs/id",
                         "description": "compose: a name from targets.compose_hosts."},
                "cluster": {"$ref": "#/$defs/id",
                            "description": "k8s: a name from targets.k8s_clusters."},
                "namespace": {"$ref": "#/$defs/id",
                              "description": "k8s: overrides the cluster's namespace rule."},
                "storage_size": {"$ref": "#/$defs/storageSize"},
                "cluster_read": {"type": "boolean",
                                 "description": "k8s: overrides the cluster's cluster_read."},
                "network": {"$ref": "#/$defs/k8sNetwork",
                            "description": "k8s: overrides the cluster's network keys "
                                           "(each key replaces the cluster's)."},
                "adopt": {
                    "type": "object",
                    "description": "k8s: take over what a deployment made by hand already "
                                   "has (docs/k8s.md, \"Adopting an existing gateway\").",
                    "properties": {
                        "pvc": {"type": "string", "pattern": _K8S_NAME_PATTERN,
                                "description": "An existing PersistentVolumeClaim in the "
                                               "gateway's namespace, mounted as its state "
                                               "volume: never created, resized or deleted by "
                                               "the collection (the deploy fails when it is "
                                               "missing)."},
                        "labels": {"type": "object",
                                   "propertyNames": {
                                       "pattern": _K8S_LABEL_KEY_PATTERN,
                                       # the collection's own labels (selectors, removal)
                                       "not": {"pattern": "^(app\\.kubernetes\\.io/|clawops)"}},
                                   "additionalProperties": {
                                       "type": "string", "pattern": _K8S_LABEL_VALUE_PATTERN},
                                   "description": "Extra labels on every object and the pod "
                                                  "(e.g. app: openclaw); selectors and the "
                                                  "collection's own labels stay."},
                        "annotations": {"type": "object",
                                        "propertyNames": {"pattern": _K8S_LABEL_KEY_PATTERN},
                                        "additionalProperties": {"type": "string"},
                                        "description": "Extra annotations on every object "
                                                       "and the pod."},
                    },
                    "additionalProperties": False,
                },
                "secret_env": {
                    "type": "object",
                    "propertyNames": {"pattern": _ENV_NAME_PATTERN},
                    "description": "k8s: env of the gateway from Secrets the collection does "
                                   "not own (made by hand or an external secrets operator): "
                                   "NAME -> {name, key} of the Secret, as a secretKeyRef "
                                   "says it. The values never reach the controller.",
                    "additionalProperties": {
                        "type": "object",
                        "properties": {"name": {"type": "string",
                                                "pattern": _K8S_NAME_PATTERN},
                                       "key": {"type": "string", "minLength": 1}},
                        "required": ["name", "key"], "additionalProperties": False},
                },
                "cluster_rules": {
                    "type": "array",
                    "description": "k8s: extra rules of the gateway's ClusterRole (turns "
                                   "cluster_read on), e.g. ArgoCD Applications. Read-only "
                                   "verbs (get, list, watch) unless cluster_rules_write.",
                    "items": {
                        "type": "object",
                        "properties": {
                            "api_groups": {"type": "array", "items": {"type": "string"},
                                           "minItems": 1},
                            "resources": {"type": "array", "minItems": 1,
                                          "items": {"type": "string", "minLength": 1}},
                            "verbs": {"type": "array", "minItems": 1,
                                      "items": {"type": "string", "minLength": 1}},
                        },
                        "required": ["api_groups", "resources", "verbs"],
                        "additionalProperties": False},
                },
                "cluster_rules_write": {
                    "type": "boolean",
                    "description": "k8s: allow verbs beyond get/list/watch in cluster_rules "
                                   "(default false: preflight refuses them)."},
                "root": {"$ref": "#/$defs/hostPath",
                         "description": "compose: this gateway's directory on the host "
                                        "(default <host root>/<org_slug>/<id>); below the "
                                        "host's root or one of its extra_roots."},
                "paths": {"type": "object",
                          "description": "compose: absolute host paths that replace parts of "
                                         "the tree (e.g. state on another disk listed in "
                                         "the host's extra_roots).",
                          "properties": {
                              "state_dir": {"$ref": "#/$defs/hostPath"},
                              "workspace_root": {"$ref": "#/$defs/hostPath"},
                              "config_dir": {"$ref": "#/$defs/hostPath"},
                          },
                          "additionalProperties": False},
            },
            "required": ["type"],
            "additionalProperties": False,
            "allOf": [
                {"if": {"type": "object", "properties": {"type": {"const": "compose"}}},
                 "then": {"required": ["host"], "not": {"anyOf": [
                     {"required": ["cluster"]}, {"required": ["namespace"]},
                     {"required": ["storage_size"]}, {"required": ["cluster_read"]},
                     {"required": ["network"]}, {"required": ["adopt"]},
                     {"required": ["secret_env"]}, {"required": ["cluster_rules"]},
                     {"required": ["cluster_rules_write"]}]}}},
                {"if": {"type": "object", "properties": {"type": {"const": "k8s"}}},
                 "then": {"required": ["cluster"], "not": {"anyOf": [
                     {"required": ["host"]}, {"required": ["root"]}, {"required": ["paths"]}]}}},
            ],
        },
        "port": {"type": "integer", "minimum": 1024, "maximum": 65000,
                 "description": "Gateway port (base; OpenClaw also uses base+1..base+110: keep "
                                "gateways on one host >= 120 apart)."},
        "exposure": {"$ref": "#/$defs/exposure"},
        "hosted": {"$ref": "#/$defs/hosted"},
        "image": {"$ref": "#/$defs/image"},
        "resources": {"$ref": "#/$defs/resources"},
        "auth": {"$ref": "#/$defs/auth"},
        "env": {"$ref": "#/$defs/env"},
        "config": {"$ref": "#/$defs/configLayerOwned",
                   "description": "The gateway layer, applied after the groups."},
        "variables": {"$ref": "#/$defs/variables"},
        "agents": {"type": "array", "items": {"$ref": "#/$defs/agent"}, "minItems": 1,
                   "description": "The agents on this gateway."},
        "channels": {
            "type": "object",
            "description": "Channel accounts: <provider>: {accounts: {<accountId>: ...}}.",
            "propertyNames": {"pattern": _CHANNEL_PATTERN},
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "accounts": {
                        "type": "object",
                        "propertyNames": {"pattern": _ACCOUNT_ID_PATTERN},
                        "additionalProperties": {"$ref": "#/$defs/account"},
                        "minProperties": 1,
                    },
                },
                "required": ["accounts"],
                "additionalProperties": False,
            },
        },
        "bindings": {"type": "array", "items": {"$ref": "#/$defs/binding"},
                     "description": "Routes, in order."},
        "routing": {"type": "object",
                    "description": "Routing opt-ins checked by preflight.",
                    "properties": {
                        "allow_wildcard": {"type": "boolean",
                                           "description": "Permit bindings with accountId '*' "
                                                          "or without accountId (default "
                                                          "false)."}},
                    "additionalProperties": False},
        "policy": {"$ref": "#/$defs/policy",
                   "description": "Gateway scope, after its groups."},
        "devices": {
            "type": "object",
            "description": "Device pairing, reconciled by playbooks/pairing.yml (device auth "
                           "stays on).",
            "properties": {
                "allowed": {
                    "type": "array",
                    "description": "Pre-approved devices: their pending requests are approved.",
                    "items": {
                        "type": "object",
                        "properties": {
                            "device_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,}$",
                                          "description": "The device id (openclaw node "
                                                         "identity / devices list)."},
                            "public_key": {"type": "string", "minLength": 16,
                                           "description": "The device's public key."},
                            "role": {"enum": ["node", "operator"],
                                     "description": "The only role it may pair as (default "
                                                    "node: operator access only where it "
                                                    "is written)."},
                            "name": {"type": "string", "description": "Who or what it is."},
                        },
                        "anyOf": [{"required": ["device_id"]}, {"required": ["public_key"]}],
                        "additionalProperties": False,
                    },
                },
                "reject_unlisted": {"type": "boolean",
                                    "description": "Reject pending requests of other devices "
                                                   "(default false: they wait for a person)."},
                "remove_unlisted": {"type": "boolean",
                                    "description": "Remove paired devices that are not allowed "
                                                   "(default false)."},
            },
            "additionalProperties": False,
        },
    },
    "required": ["id", "provider", "port", "agents"],
    # without groups nothing else can give them: the loader's rule, written where editors
    # and `make schema` users see it
    "if": {"anyOf": [{"not": {"required": ["groups"]}},
                     {"properties": {"groups": {"maxItems": 0}}}]},
    "then": {"required": ["profile", "trust_level"]},
    "additionalProperties": False,
    "$defs": DEFS,
}

_TIER3 = {"enum": ["low", "medium", "high"]}

CATALOG_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID + "/catalog",
    "title": "catalogs/<name>.yml",
    "description": "Catalog entries: what the fleet may use at all, with owners and tiers.",
    "type": "object",
    "properties": {
        "integrations": {
            "type": "object", "propertyNames": {"pattern": _CHANNEL_PATTERN},
            "description": "Channels and custom-only integrations by id (the channel id of "
                           "openclaw.json).",
            "additionalProperties": {"allOf": [{"$ref": "#/$defs/catalogEntry"}, {
                "properties": {
                    "kind": {"enum": ["core", "plugin", "external", "custom"],
                             "description": "core channel, plugin channel, external plugin "
                                            "channel, or custom-only (needs a skill/plugin)."},
                    "status": {"enum": ["stable", "beta", "experimental", "deprecated",
                                        "blocked"],
                               "description": "'blocked' is refused everywhere; "
                                              "'deprecated' warns."},
                    "install": {"type": "string", "minLength": 1,
                                "description": "core, bundled, npm:<spec>, external, skill or "
                                               "plugin."},
                    "trust_tier": _TIER3,
                    "plugin": {"type": "string", "minLength": 1,
                               "description": "OpenClaw plugin id (plugins.allow/deny)."},
                    "requires": {"type": "object", "properties": {
                        "skill": {"type": "string", "minLength": 1},
                        "plugin": {"type": "string", "minLength": 1}},
                        "additionalProperties": False, "minProperties": 1,
                        "description": "custom-only: the skill or plugin that provides it."},
                    "description": {}, "owner": {}, "extends_default": {},
                },
                "additionalProperties": False}]},
        },
        "skills": {
            "type": "object", "propertyNames": {"pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"},
            "description": "Skills by name.",
            "additionalProperties": {"allOf": [{"$ref": "#/$defs/catalogEntry"}, {
                "properties": {
                    "source": {"enum": ["bundled", "managed", "workspace", "shared"]},
                    "ref": {"type": "string", "minLength": 1,
                            "description": "Version, tag or commit the skill is pinned to."},
                    "path": {"type": "string", "pattern": "^/",
                             "description": "shared: the directory on the gateway."},
                    "risk": _TIER3,
                    "description": {}, "owner": {}, "extends_default": {},
                },
                "additionalProperties": False}]},
        },
        "providers": {
            "type": "object", "propertyNames": {"pattern": "^[a-z0-9][a-z0-9._-]{0,63}$"},
            "description": "Model providers by id.",
            "additionalProperties": {"allOf": [{"$ref": "#/$defs/catalogEntry"}, {
                "properties": {
                    "kind": {"enum": ["hosted", "self-hosted"]},
                    "plugin": {"type": "string", "minLength": 1},
                    "install": {"type": "string", "minLength": 1,
                                "description": "bundled (ships in openclaw) or npm:<spec>: "
                                               "baked into the image of every gateway whose "
                                               "agents use the provider (gateway_image; a "
                                               "spec without a version gets the gateway's "
                                               "openclaw version) and enabled."},
                    "description": {}, "owner": {}, "extends_default": {},
                },
                "additionalProperties": False}]},
        },
        "models": {
            "type": "object", "propertyNames": {"pattern": "^[a-z0-9][a-z0-9._-]*/\\S+$"},
            "description": "Models by 'provider/model'.",
            "additionalProperties": {"allOf": [{"$ref": "#/$defs/catalogEntry"}, {
                "properties": {
                    "tier": {"enum": ["default", "high-cost", "high-trust"]},
                    "description": {}, "owner": {}, "extends_default": {},
                },
                "required": ["tier"],
                "additionalProperties": False}]},
        },
    },
    "additionalProperties": False,
    "$defs": DEFS,
}

SCHEMAS = {"fleet": FLEET_SCHEMA, "group": GROUP_SCHEMA, "gateway": GATEWAY_SCHEMA,
           "catalog": CATALOG_SCHEMA}

_TYPE_NAMES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer",
               float: "number", type(None): "null"}
_VALIDATORS = {}
_FAST = {}
_FINGERPRINT = []
# Bumped when the validators judge the same schema differently (2: patterns anchored with \Z).
VALIDATION_RULES = 2


def fingerprint():
    """sha256 of every schema: a parsed file that passed one schema is revalidated under
    another (the parse cache's salt)."""
    if not _FINGERPRINT:
        text = json.dumps([VALIDATION_RULES, SCHEMAS], sort_keys=True, separators=(",", ":"),
                          default=repr)
        _FINGERPRINT.append(hashlib.sha256(text.encode("utf-8")).hexdigest())
    return _FINGERPRINT[0]


def _strict(node):
    """The schema with every pattern anchored at the very end of the value. JSON Schema's
    patterns are ECMA-262, where ``$`` (without the multiline flag) is the end of input; in
    Python's ``re``, which both validators use, ``$`` also matches before a final newline, so
    ``"gw-a\\n"`` would pass an id pattern. The exported schema keeps ``$`` (right for
    ECMA-262 tools); the validators here get ``\\Z``."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                out[key] = _strict_pattern(value)
            elif key == "patternProperties" and isinstance(value, dict):
                out[key] = {_strict_pattern(k): _strict(v) for k, v in value.items()}
            else:
                out[key] = _strict(value)
        return out
    if isinstance(node, list):
        return [_strict(item) for item in node]
    return node


def _strict_pattern(pattern):
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        return pattern[:-1] + "\\Z"
    return pattern


def _shown_pattern(pattern):
    """A pattern as the schema (ECMA-262) writes it."""
    return pattern[:-2] + "$" if isinstance(pattern, str) and pattern.endswith("\\Z") else pattern


def _line_break(value):
    return " (it ends in a line break)" if isinstance(value, str) and value.endswith("\n") else ""


def _fast_validator(kind):
    """A compiled validator, or None. Our schemas only use keywords that draft-07 and
    2020-12 share, so compiling them as draft-07 gives the same verdicts (tested)."""
    if fastjsonschema is None:
        return None
    if kind not in _FAST:
        schema = _strict(SCHEMAS[kind])
        schema["$schema"] = "http://json-schema.org/draft-07/schema#"
        schema.pop("$id")  # refs are local; an $id would make it fetch the base URI
        _FAST[kind] = fastjsonschema.compile(schema)
    return _FAST[kind]


def _validator(kind):
    if kind not in _VALIDATORS:
        cls = jsonschema.validators.validator_for(SCHEMAS[kind])
        _VALIDATORS[kind] = cls(_strict(SCHEMAS[kind]))
    return _VALIDATORS[kind]


def _with_article(noun):
    """'an integer', 'a string', 'an object or array'."""
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _type_name(value):
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _is_secret(error):
    schema = error.schema if isinstance(error.schema, dict) else {}
    if schema.get("x-secret"):
        return True
    return any(isinstance(s, dict) and s.get("x-secret") for s in _schema_chain(error))


def _schema_chain(error):
    parent = error.parent
    while parent is not None:
        yield parent.schema
        parent = parent.parent


def _describe(error, rel):
    """Turn one jsonschema error into a SchemaProblem with a fix."""
    path = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    validator = error.validator
    secret = schema.get("x-secret") or schema.get("$ref", "").endswith("secretRef")
    if validator == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extras = sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) \
            else []
        if not allowed:
            return SchemaProblem("unexpected key(s) %s" % ", ".join(map(repr, extras)), rel, path,
                                 "remove them")
        problems = []
        for extra in extras:
            close = difflib.get_close_matches(str(extra), allowed, n=1)
            hint = "did you mean %r? " % close[0] if close else ""
            problems.append(SchemaProblem(
                "unknown key %r" % extra, rel, path + (extra,),
                "%sallowed keys here: %s" % (hint, ", ".join(allowed))))
        return problems
    if validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return SchemaProblem("missing required key %r" % missing, rel, path,
                             "add '%s:' (%s)" % (missing, _prop_doc(schema, missing)))
    if validator == "type":
        expected = error.validator_value
        if secret or (isinstance(error.instance, str) and "secretRef" in str(schema.get("$ref"))):
            return SchemaProblem("expected a secret reference object, got a %s (value hidden)"
                                 % _type_name(error.instance), rel, path,
                                 "never put secret values in the fleet definition; write "
                                 "{source: env, var: NAME}, {source: file, path: ...} or "
                                 "{source: vault, path: ..., key: ...}")
        return SchemaProblem("expected %s, got %s %s" % (
            expected if isinstance(expected, str) else " or ".join(expected),
            _type_name(error.instance), _short(error.instance)), rel, path,
            "change the value to %s" % _with_article(expected if isinstance(expected, str)
                                                     else " or ".join(expected)))
    if validator in ("enum", "const"):
        choices = error.validator_value if validator == "enum" else [error.validator_value]
        return SchemaProblem("value %s is not allowed" % _short(error.instance), rel, path,
                             "use one of: %s" % ", ".join(map(repr, choices)))
    if "propertyNames" in error.schema_path and validator == "not":
        return SchemaProblem("key %s is reserved" % _short(error.instance), rel, path,
                             "use a key outside %s (the collection sets those itself)"
                             % _shown_pattern(error.validator_value.get("pattern", "?")))
    if "propertyNames" in error.schema_path:
        pattern = _shown_pattern(error.validator_value) if validator == "pattern" else "?"
        found = "key %s has the wrong form%s" % (_short(error.instance),
                                                 _line_break(error.instance))
        return SchemaProblem(found, rel, path, "keys here must match %s" % pattern)
    if validator == "pattern":
        found = "value %s has the wrong form%s" % (_short(error.instance),
                                                   _line_break(error.instance))
        return SchemaProblem(found, rel, path, schema.get("description")
                             or "match %s" % _shown_pattern(error.validator_value))
    if validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return SchemaProblem("value %s is out of range (%s %s)" % (
            _short(error.instance), validator, error.validator_value), rel, path,
            schema.get("description") or "pick a value in range")
    if validator in ("oneOf", "anyOf"):
        return SchemaProblem("value %s matches none of the allowed forms" % (
            "(hidden)" if secret else _short(error.instance)), rel, path,
            schema.get("description") or "see docs/fleet-reference.md")
    if validator == "uniqueItems":
        return SchemaProblem("list has duplicate entries", rel, path, "list each entry once")
    if validator in ("minItems", "minProperties", "minLength"):
        return SchemaProblem("must not be empty", rel, path,
                             schema.get("description") or "add at least one entry")
    if validator == "not":
        return SchemaProblem("keys that do not belong together here", rel, path,
                             "remove the keys that do not apply to this kind (see "
                             "docs/fleet-reference.md)")
    message = error.message if not (secret or _is_secret(error)) else "invalid secret reference"
    return SchemaProblem(message, rel, path, "see docs/fleet-reference.md")


def _prop_doc(schema, name):
    prop = schema.get("properties", {}).get(name, {})
    if "$ref" in prop:
        ref = prop["$ref"].rsplit("/", 1)[-1]
        prop = dict(DEFS.get(ref, {}), **{k: v for k, v in prop.items() if k != "$ref"})
    return prop.get("description", "see docs/fleet-reference.md")


def _short(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _leaf_errors(error):
    """Prefer the most specific errors below combinators like allOf/if-then."""
    if error.validator in ("allOf",) and error.context:
        for sub in error.context:
            yield from _leaf_errors(sub)
    else:
        yield error


def validate(kind, data, rel):
    """Validate ``data`` (one parsed file of ``kind``) or raise FleetErrors listing all problems."""
    fast = _fast_validator(kind)
    if fast is not None:
        try:
            fast(data)
            return
        except fastjsonschema.JsonSchemaException:
            pass  # explained below
    problems = []
    for error in sorted(_validator(kind).iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        for leaf in _leaf_errors(error):
            found = _describe(leaf, rel)
            problems.extend(found if isinstance(found, list) else [found])
    if problems:
        raise FleetErrors(problems)
