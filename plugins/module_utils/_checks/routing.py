# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight family *routing*: who answers which account - one human-coupled agent per
person, one bot identity per credential, bindings that name what the gateway has and route
each account (and peer) to exactly one agent."""

from __future__ import annotations

import json

from ._base import Family, parse_codes

CODES = parse_codes("""
    routing.unknown-agent      error   A binding routes to an agent the gateway lacks.
    routing.unknown-account    error   A binding names an account the gateway lacks.
    routing.account-conflict   error   One account (and peer) is routed to two agents.
    routing.account-shared     error   Two accounts use the same credential (one bot polled
                                       twice).
    routing.wildcard           error   A binding matches every/default account without
                                       routing.allow_wildcard.
    routing.owner-not-unique   error   Two human-coupled agents have the same owner.
    routing.duplicate-binding  warning The same route is declared twice.
    routing.unbound-account    warning An account has no binding (its traffic goes to the
                                       default agent).
""")


class Checks(Family):
    """The routing family."""

    def check_fleet(self):
        self.routing()

    def check_gateway(self, plan):
        """None in this family."""

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
