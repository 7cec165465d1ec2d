# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Agent lifecycle in the fleet definition: add, update, remove an agent together with its
channel accounts and routes, editing the gateway's YAML file in place (comments, order and
quoting of everything else are kept, through ruamel.yaml's round-trip mode).

The edit is proven before it is written: ``propose`` returns the new text, ``check``
runs the whole preflight on a copy of the fleet directory that holds the new text, and
``write`` replaces the file atomically. A failing preflight leaves the definition untouched.

Which accounts belong to an agent: the accounts its routes (bindings) point at. Removing an
agent removes its routes and every account no other route points at; an update that is
given routes replaces the agent's routes and drops the accounts left without a route.
"""

from __future__ import annotations

import io
import os
import traceback

from ._errors import FleetError
from ._files import write_atomic

try:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.error import YAMLError as RuamelError
    HAS_RUAMEL = True
    RUAMEL_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - reported by the module
    HAS_RUAMEL = False
    RUAMEL_IMPORT_ERROR = traceback.format_exc()


class AgentEditProblem(FleetError):
    """The requested agent change cannot be made to the gateway file."""

    kind = "agent"


def _yaml():
    handler = YAML(typ="rt")
    handler.preserve_quotes = True
    handler.width = 4096
    handler.indent(mapping=2, sequence=4, offset=2)
    return handler


def yaml_text(data):
    """Plain data as the YAML of a fleet file (small leaf mappings in flow style)."""
    stream = io.StringIO()
    handler = _yaml()
    handler.dump(_commented(data), stream)
    return stream.getvalue()


def _sequence_indent(text):
    """(sequence, offset) the file already uses for block sequences, so untouched lists keep
    their look: '- x' flush with the key (2, 0) or indented under it (4, 2)."""
    lines = text.splitlines()
    for index, line in enumerate(lines[:-1]):
        stripped = line.rstrip()
        if stripped.endswith(":") and not stripped.lstrip().startswith("#"):
            nxt = lines[index + 1]
            if nxt.lstrip().startswith("- "):
                key_indent = len(line) - len(line.lstrip())
                dash = len(nxt) - len(nxt.lstrip()) - key_indent
                return dash + 2, dash
    return 4, 2


def _plain(node):
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


_FLOW_KEYS = ("match",)


def _commented(value, flow=False):
    """ruamel nodes for plain data; small leaf mappings (routes' match, secret references)
    are written in flow style like the rest of a typical fleet file."""
    if isinstance(value, dict):
        out = CommentedMap()
        for key, item in value.items():
            out[key] = _commented(item, key in _FLOW_KEYS)
        if flow or ("source" in value and all(not isinstance(v, (dict, list))
                                              for v in value.values())):
            out.fa.set_flow_style()
        return out
    if isinstance(value, list):
        out = CommentedSeq()
        for item in value:
            out.append(_commented(item))
        return out
    return value


def _account_refs(bindings, agent_id):
    refs = set()
    for binding in bindings or []:
        if isinstance(binding, dict) and binding.get("agentId") == agent_id:
            match = binding.get("match") or {}
            if match.get("channel") and match.get("accountId"):
                refs.add((match["channel"], match["accountId"]))
    return refs


class Edit:
    """The outcome of ``propose``: old and new text, and what changed."""

    def __init__(self, rel, before, after, summary, agent):
        self.rel, self.before, self.after = rel, before, after
        self.summary, self.agent = summary, agent

    @property
    def changed(self):
        return self.before != self.after


def propose(fleet_dir, gateway_id, agent_id, state, agent=None, accounts=None, bindings=None):
    """Compute the edited gateway file. ``accounts``: [{channel, id, secrets?, settings?}];
    ``bindings``: [match mappings] (agentId is implied); None keeps what is there."""
    if not HAS_RUAMEL:
        raise AgentEditProblem("the Python library ruamel.yaml is missing on the controller",
                               None, (), "pip install -r requirements.txt")
    rel = "gateways/%s.yml" % gateway_id
    path = os.path.join(fleet_dir, rel)
    if not os.path.isfile(path):
        raise AgentEditProblem("gateway %r has no file %s" % (gateway_id, rel), rel, (),
                               "use the id of a gateway of the fleet (its file name)")
    with open(path, encoding="utf-8") as handle:
        before = handle.read()
    handler = _yaml()
    seq, offset = _sequence_indent(before)
    handler.indent(mapping=2, sequence=seq, offset=offset)
    try:
        doc = handler.load(before)
    except RuamelError as exc:
        raise AgentEditProblem("YAML does not parse: %s" % str(exc).splitlines()[0], rel, (),
                               "correct the file first (preflight shows where)")
    if not isinstance(doc, dict):
        raise AgentEditProblem("expected a mapping", rel, (), "a gateway file is a mapping")
    agents = doc.setdefault("agents", CommentedSeq())
    if not isinstance(agents, list):
        raise AgentEditProblem("expected a list", rel, ("agents",), "write agents: [...]")
    position = next((i for i, a in enumerate(agents)
                     if isinstance(a, dict) and a.get("id") == agent_id), None)
    old_bindings = doc.get("bindings") or []
    old_refs = _account_refs(old_bindings, agent_id)
    summary = []
    current = _plain(agents[position]) if position is not None else None

    if state == "absent":
        if position is None:
            return Edit(rel, before, before, [], None)
        del agents[position]
        summary.append("removed agent %s" % agent_id)
        bindings = []
    else:
        spec = dict(agent or {})
        if spec.get("id", agent_id) != agent_id:
            raise AgentEditProblem("agent.id %r differs from the agent %r" % (
                spec["id"], agent_id), rel, ("agents",), "leave agent.id out or make them equal")
        spec.pop("id", None)
        spec = dict([("id", agent_id)] + list(spec.items()))
        if position is None:
            if "kind" not in spec:
                raise AgentEditProblem("a new agent needs a kind", rel, ("agents",),
                                       "set agent.kind to human or usecase")
            agents.append(_commented(spec))
            summary.append("added agent %s" % agent_id)
        elif _plain(agents[position]) != spec:
            existing = agents[position]
            for key in [k for k in existing if k not in spec]:
                del existing[key]
            for key, value in spec.items():
                if _plain(existing.get(key)) != value:
                    existing[key] = _commented(value)
            summary.append("updated agent %s" % agent_id)

    # accounts
    channels = doc.get("channels")
    for account in accounts or []:
        channel, account_id = account["channel"], account["id"]
        body = {k: account[k] for k in ("secrets", "settings") if account.get(k) is not None}
        if channels is None:
            channels = doc["channels"] = CommentedMap()
        block = channels.setdefault(channel, CommentedMap())
        block_accounts = block.setdefault("accounts", CommentedMap())
        if _plain(block_accounts.get(account_id)) != body:
            summary.append("%s account %s/%s" % (
                "updated" if account_id in block_accounts else "added", channel, account_id))
            block_accounts[account_id] = _commented(body)

    # routes
    if bindings is not None:
        wanted = [{"agentId": agent_id, "match": dict(m)} for m in bindings]
        mine = [_plain(b) for b in old_bindings if isinstance(b, dict) and b.get("agentId") == agent_id]
        if mine != wanted:
            seq_node = doc.get("bindings")
            if seq_node is None:
                seq_node = doc["bindings"] = CommentedSeq()
            for item in [b for b in seq_node if isinstance(b, dict) and b.get("agentId") == agent_id]:
                seq_node.remove(item)
            for binding in wanted:
                seq_node.append(_commented(binding))
            summary.append("routes of %s: %d -> %d" % (agent_id, len(mine), len(wanted)))
            if not seq_node:
                del doc["bindings"]

    # accounts no route points at any more
    refs_now = set()
    for binding in doc.get("bindings") or []:
        if isinstance(binding, dict) and binding.get("match"):
            match = binding["match"]
            refs_now.add((match.get("channel"), match.get("accountId")))
    given = {(a["channel"], a["id"]) for a in accounts or []}
    for channel, account_id in sorted(old_refs - refs_now - given):
        block = (doc.get("channels") or {}).get(channel)
        if block and account_id in (block.get("accounts") or {}):
            del block["accounts"][account_id]
            summary.append("removed account %s/%s (no route left)" % (channel, account_id))
            if not block["accounts"]:
                del doc["channels"][channel]
    if "channels" in doc and not doc["channels"]:
        del doc["channels"]

    out = io.StringIO()
    handler.dump(doc, out)
    after = out.getvalue()
    final = None
    for item in doc.get("agents") or []:
        if isinstance(item, dict) and item.get("id") == agent_id:
            final = _plain(item)
    return Edit(rel, before, after, summary, final if state != "absent" else current)


def check(fleet_dir, edit, gateway_id):
    """Run the preflight on a copy of the fleet that holds the edit; returns the Report."""
    from ._preflight import preflight_with  # pylint: disable=import-outside-toplevel
    return preflight_with(fleet_dir, {edit.rel: edit.after}, [gateway_id])


def write(fleet_dir, edit):
    """Replace the gateway file atomically (same directory, same mode)."""
    path = os.path.join(fleet_dir, edit.rel)
    write_atomic(path, edit.after, os.stat(path).st_mode & 0o7777)


REQUEST_KEYS = ("agent", "accounts", "bindings")


def agent_request(agent=None, accounts=None, bindings=None, kind="", owner="", model="",
                  definition=""):
    """The change ``playbooks/agent.yml`` makes, from its variables: ``agent``, ``accounts``,
    ``bindings`` as an ``-e @carol.yml`` file gives them, or an AWX survey's flat fields -
    ``agent_kind``, ``agent_owner``, ``agent_model`` and ``agent_definition`` (YAML text of
    the same shape as that file; a survey has no field for a mapping). The flat fields win
    over ``agent``, which wins over the definition's. Returns ``{agent, accounts, bindings}``
    (None where nothing was given: the module then keeps what the gateway has)."""
    from ._loader import yaml_load  # pylint: disable=import-outside-toplevel

    fix = ("write it as YAML with the keys %s, as the file given to -e @<file> "
           "(docs/day2.md)" % ", ".join(REQUEST_KEYS))
    parsed = {}
    if isinstance(definition, str) and definition.strip():
        try:
            parsed = yaml_load(io.StringIO(definition)) or {}
        # any YAML error (scanner, parser, constructor) becomes one message
        except Exception as exc:  # pylint: disable=broad-except
            mark = getattr(exc, "problem_mark", None)
            where = " (line %d)" % (mark.line + 1) if mark is not None else ""
            raise AgentEditProblem("not YAML%s: %s"
                                   % (where, getattr(exc, "problem", None) or exc),
                                   "extra vars", ("agent_definition",), fix)
    elif definition not in (None, ""):
        parsed = definition
    if not isinstance(parsed, dict) or set(parsed) - set(REQUEST_KEYS):
        extra = sorted(set(parsed) - set(REQUEST_KEYS)) if isinstance(parsed, dict) else []
        raise AgentEditProblem("%s" % (
            "has the unknown key %r" % extra[0] if extra else "is not a mapping"),
            "extra vars", ("agent_definition",) + tuple(extra[:1]), fix)
    for key, value, shape in (("agent", parsed.get("agent"), dict),
                              ("accounts", parsed.get("accounts"), list),
                              ("bindings", parsed.get("bindings"), list)):
        if value is not None and not isinstance(value, shape):
            raise AgentEditProblem("%s is not a %s" % (
                key, "mapping" if shape is dict else "list"), "extra vars", ("agent_definition", key), fix)
    if agent is not None and not isinstance(agent, dict):
        raise AgentEditProblem("not a mapping", "extra vars", ("agent",),
                               "pass -e @<file> whose 'agent' is {kind, owner, model, ...}")
    spec = dict(parsed.get("agent") or {})
    spec.update(agent or {})
    for key, value in (("kind", kind), ("owner", owner), ("model", model)):
        if isinstance(value, str) and value.strip():
            spec[key] = value.strip()
    return {"agent": spec,
            "accounts": accounts if accounts is not None else parsed.get("accounts"),
            "bindings": bindings if bindings is not None else parsed.get("bindings")}
