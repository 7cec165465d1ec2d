# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Operator roles: who may change what, checked before anything changes.

``operators.yml`` next to ``fleet.yml`` maps actors (the AWX/Tower user, else the controller
login) to a role::

    operators:
      alice@acme.example: {role: admin}
      bob: {role: operator, groups: [humans]}

``admin`` may do everything. ``operator`` may run the day-2 actions below on gateways that
belong to one of its groups; everything else needs ``admin``. Read-only actions (status,
preview, preflight, audit verification) are open to anyone who can run the playbooks.
Without an ``operators.yml`` every change is refused (fail closed). ``open: true`` in it
turns roles off for a lab: every actor acts as admin, and every decision says so.
"""

from __future__ import annotations

import os

from ._errors import FleetError
from ._loader import FleetFiles

OPERATORS_FILE = "operators.yml"
ROLES = ("admin", "operator")

# action -> the least role that may run it, and what it means.
ACTIONS = {
    "status": (None, "read the live status of gateways"),
    "preview": (None, "render and show the planned config"),
    "preflight": (None, "check the fleet without changing anything"),
    "audit_verify": (None, "verify the audit trail"),
    "lifecycle": ("operator", "start, stop or restart gateways"),
    "pairing": ("operator", "approve, reject, remove devices; rotate or revoke device tokens"),
    "agent": ("operator", "add, update or remove an agent, its channel accounts and routes"),
    "backup": ("operator", "take a backup of a gateway"),
    "drill": ("operator", "run a restore drill (a scratch instance beside the gateway)"),
    "agent_high_risk": ("admin", "agent change that touches sandbox, tools, policy, config or "
                                 "channel accounts and their secrets"),
    "deploy": ("admin", "deploy or re-deploy gateways (site.yml)"),
    "update": ("admin", "change image or config of gateways in waves"),
    "rollback": ("admin", "roll gateways back to an earlier revision"),
    "restore": ("admin", "restore a backup over a gateway's state"),
    "rotate": ("admin", "rotate gateway tokens and provider keys"),
    "remove": ("admin", "remove gateways (lifecycle absent)"),
    "policy": ("admin", "change the fleet's policy, catalogs or templates"),
    "observability": ("admin", "write the metrics exporter's configuration (with copies of "
                               "the gateways' tokens) and the controller's schedules"),
    "import": ("admin", "import a gateway run by hand into the fleet (its secrets into files) "
                        "and take it over"),
}
HIGH_RISK_AGENT_KEYS = ("sandbox", "tools", "policy", "config")


class AuthzProblem(FleetError):
    """operators.yml does not parse or does not follow its shape."""

    kind = "operators"


class Decision:
    def __init__(self, allowed, actor, action, role, reason, enforced=True):
        self.allowed, self.actor, self.action = allowed, actor, action
        self.role, self.reason, self.enforced = role, reason, enforced

    def as_dict(self):
        return {"allowed": self.allowed, "actor": self.actor, "action": self.action,
                "role": self.role, "reason": self.reason, "enforced": self.enforced}


class Open(dict):
    """operators.yml with ``open: true``: roles are not enforced (a lab)."""


def load_operators(fleet_dir, known_groups=None):
    """{actor: {'role': ..., 'groups': [...]}}, an :class:`Open` mapping for ``open: true``,
    or None when the fleet has no operators.yml."""
    path = os.path.join(fleet_dir, OPERATORS_FILE)
    if not os.path.exists(path):
        return None
    data = FleetFiles(fleet_dir).read_yaml(OPERATORS_FILE)
    fix_shape = "write 'operators: {<actor>: {role: admin}}' (see docs/day2.md)"
    if isinstance(data, dict) and set(data) == {"open"}:
        if data["open"] is not True:
            raise AuthzProblem("open must be true (or leave it out and list operators)",
                               OPERATORS_FILE, ("open",), fix_shape)
        return Open()
    if not isinstance(data, dict) or not isinstance(data.get("operators"), dict):
        raise AuthzProblem("expected a mapping 'operators' of actor -> role and groups",
                           file=OPERATORS_FILE, key_path=("operators",), fix=fix_shape)
    unknown = sorted(set(data) - {"operators"})
    if unknown:
        raise AuthzProblem("unknown key %r" % unknown[0], OPERATORS_FILE, (unknown[0],),
                           "the file holds 'operators' (or only 'open: true' for a lab)")
    out = {}
    for actor, entry in data["operators"].items():
        where = ("operators", str(actor))
        if not isinstance(entry, dict):
            raise AuthzProblem("expected a mapping with role (admin or operator) and groups",
                               file=OPERATORS_FILE, key_path=where, fix=fix_shape)
        extra = sorted(set(entry) - {"role", "groups"})
        if extra:
            raise AuthzProblem("unknown key %r" % extra[0], OPERATORS_FILE, where + (extra[0],),
                               "an operator entry has only 'role' and 'groups'")
        role = entry.get("role")
        if role not in ROLES:
            raise AuthzProblem("role %r is not one of %s" % (role, ", ".join(ROLES)),
                               OPERATORS_FILE, where + ("role",), "use admin or operator")
        groups = entry.get("groups", [])
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise AuthzProblem("groups must be a list of group ids", OPERATORS_FILE,
                               where + ("groups",), "write groups: [<group id>, ...]")
        if role == "operator" and not groups:
            raise AuthzProblem("an operator needs the groups it operates", OPERATORS_FILE,
                               where + ("groups",), "add groups: [<group id>, ...]")
        for index, group in enumerate(groups):
            if known_groups is not None and group not in known_groups:
                raise AuthzProblem("unknown group %r" % group, OPERATORS_FILE,
                                   where + ("groups", index),
                                   "use one of: %s" % (", ".join(sorted(known_groups)) or "(none)"))
        out[str(actor)] = {"role": role, "groups": list(groups)}
    return out


def authorize(operators, actor, action, targets):
    """Decide whether ``actor`` may run ``action`` on ``targets`` ({gateway id: [group ids]})."""
    if action not in ACTIONS:
        raise AuthzProblem("unknown action %r" % action, None, (),
                           "use one of: %s" % ", ".join(sorted(ACTIONS)))
    needed, meaning = ACTIONS[action]
    if needed is not None and operators is None:
        return Decision(False, actor, action, None,
                        "the fleet has no %s, so no one may %s: list the admins and operators "
                        "there (docs/day2.md), or write 'open: true' in it for a lab"
                        % (OPERATORS_FILE, meaning))
    if isinstance(operators, Open):
        return Decision(True, actor, action, "admin",
                        "%s says open: true - operator roles are not enforced (a lab)"
                        % OPERATORS_FILE, enforced=False)
    if needed is None:
        return Decision(True, actor, action, (operators or {}).get(actor, {}).get("role"),
                        "%s is read-only" % action)
    entry = operators.get(actor)
    if entry is None:
        return Decision(False, actor, action, None,
                        "%s is not listed in %s; %s (%s) needs %s" % (
                            actor, OPERATORS_FILE, action, meaning, needed))
    if entry["role"] == "admin":
        return Decision(True, actor, action, "admin", "admin")
    if needed == "admin":
        return Decision(False, actor, action, "operator",
                        "%s (%s) needs admin; %s is an operator" % (action, meaning, actor))
    mine = set(entry["groups"])
    outside = sorted(gw for gw, groups in (targets or {}).items() if not mine & set(groups or ()))
    if outside:
        return Decision(False, actor, action, "operator",
                        "%s operates groups %s; gateway(s) %s are outside them" % (
                            actor, ", ".join(sorted(mine)), ", ".join(outside)))
    return Decision(True, actor, action, "operator",
                    "operator of %s" % ", ".join(sorted(mine)))


def agent_action(agent_spec, accounts=None):
    """'agent' or 'agent_high_risk' for an agent change: sandbox, tools, policy or config
    keys, and any channel account (its secret references decide what the gateway reads on
    the controller) need admin."""
    if isinstance(agent_spec, dict) and any(k in agent_spec for k in HIGH_RISK_AGENT_KEYS):
        return "agent_high_risk"
    if accounts:
        return "agent_high_risk"
    return "agent"
