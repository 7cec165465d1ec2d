# -*- coding: utf-8 -*-
"""Agent lifecycle edits of the fleet definition, operator roles, audit diffs."""

from __future__ import annotations

import json
import os
import shutil
import textwrap

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils import _agents
from ansible_collections.clawops.orchestrator.plugins.module_utils._authz import (
    AuthzProblem, agent_action, authorize, load_operators)
from ansible_collections.clawops.orchestrator.plugins.module_utils._events import append, verify

from conftest import EXAMPLE_FLEET

CAROL = {"kind": "human", "owner": "carol@acme.example", "name": "Carol's assistant",
         "model": "anthropic/claude-sonnet-4-5"}
CAROL_TG = [{"channel": "telegram", "id": "carol-tg",
             "secrets": {"botToken": {"source": "file", "path": "~/.clawops/secrets/acme/tg-carol"}},
             "settings": {"enabled": False}}]
CAROL_ROUTE = [{"channel": "telegram", "accountId": "carol-tg"}]


@pytest.fixture()
def fleet(tmp_path):
    path = str(tmp_path / "fleet")
    shutil.copytree(EXAMPLE_FLEET, path)
    return path


def _read(fleet, rel="gateways/gw-people.yml"):
    with open(os.path.join(fleet, rel), encoding="utf-8") as handle:
        return handle.read()


def test_add_then_remove_round_trips_the_file_exactly(fleet):
    original = _read(fleet)
    edit = _agents.propose(fleet, "gw-people", "carol", "present", CAROL, CAROL_TG, CAROL_ROUTE)
    assert edit.changed and edit.summary == [
        "added agent carol", "added account telegram/carol-tg", "routes of carol: 0 -> 1"]
    assert _agents.check(fleet, edit, "gw-people").ok
    _agents.write(fleet, edit)
    text = _read(fleet)
    # the rest of the file is untouched: comments, flow mappings, quoting
    assert text.startswith(original.split("channels:")[0].rstrip("\n"))
    assert "  - agentId: carol\n    match: {channel: telegram, accountId: carol-tg}\n" in text
    again = _agents.propose(fleet, "gw-people", "carol", "present", CAROL, CAROL_TG, CAROL_ROUTE)
    assert not again.changed and again.summary == []
    removal = _agents.propose(fleet, "gw-people", "carol", "absent")
    assert removal.summary == ["removed agent carol", "routes of carol: 1 -> 0",
                               "removed account telegram/carol-tg (no route left)"]
    assert removal.after == original and removal.agent["owner"] == "carol@acme.example"
    assert not _agents.propose(fleet, "gw-people", "nobody", "absent").changed


def test_update_keeps_the_position_and_shared_accounts(fleet):
    edit = _agents.propose(fleet, "gw-people", "bob", "present",
                           {"kind": "human", "owner": "bob@acme.example", "skills": ["weather"]})
    assert edit.summary == ["updated agent bob"]
    lines = edit.after.splitlines()
    assert lines.index("  - id: bob") < lines.index("channels:")
    assert "bob-tg" in edit.after  # routes not given: kept, so is the account


def test_preflight_refuses_a_route_to_someone_elses_account(fleet):
    edit = _agents.propose(fleet, "gw-people", "carol", "present", CAROL,
                           bindings=[{"channel": "telegram", "accountId": "alice-tg"}])
    report = _agents.check(fleet, edit, "gw-people")
    assert not report.ok and "routing.account-conflict" in report.codes("error")
    assert "carol" not in _read(fleet)


@pytest.mark.parametrize("problem, args", [
    ("has no file gateways/gw-nope.yml", ("gw-nope", "x", "present", CAROL)),
    ("a new agent needs a kind", ("gw-people", "carol", "present", {"owner": "c@x.y"})),
    ("differs from the agent", ("gw-people", "carol", "present", dict(CAROL, id="dave"))),
])
def test_bad_requests_name_the_file_and_the_fix(fleet, problem, args):
    with pytest.raises(_agents.AgentEditProblem) as err:
        _agents.propose(fleet, *args)
    assert problem in str(err.value) and "Fix:" in str(err.value)


def _operators(fleet, text):
    with open(os.path.join(fleet, "operators.yml"), "w", encoding="utf-8") as handle:
        handle.write(text)
    return load_operators(fleet, known_groups={"humans", "usecases"})


def test_roles_scope_and_refusals(fleet):
    assert load_operators(fleet) == {"root": {"role": "admin", "groups": []}}  # the demo's
    os.unlink(os.path.join(fleet, "operators.yml"))
    assert load_operators(fleet) is None
    # no operators.yml: every change is refused (fail closed), reading is not
    closed = authorize(None, "anyone", "update", {"gw-people": ["humans"]})
    assert not closed.allowed and "open: true" in closed.reason
    assert authorize(None, "anyone", "status", {"gw-people": ["humans"]}).allowed
    # open: true - a lab, and the decision says so
    lab = _operators(fleet, "open: true\n")
    open_decision = authorize(lab, "anyone", "update", {"gw-people": ["humans"]})
    assert open_decision.allowed and not open_decision.enforced
    assert "not enforced" in open_decision.reason
    ops = _operators(fleet, "operators:\n  alice: {role: admin}\n"
                            "  bob: {role: operator, groups: [humans]}\n")
    people, support = {"gw-people": ["humans"]}, {"gw-support": ["usecases"]}
    assert authorize(ops, "alice", "remove", support).allowed
    assert authorize(ops, "bob", "lifecycle", people).allowed
    assert authorize(ops, "bob", "pairing", people).allowed
    refused = authorize(ops, "bob", "lifecycle", dict(people, **support))
    assert not refused.allowed and "gw-support" in refused.reason
    assert not authorize(ops, "bob", "update", people).allowed
    assert "needs admin" in authorize(ops, "bob", "remove", people).reason
    assert not authorize(ops, "mallory", "agent", people).allowed
    assert authorize(ops, "mallory", "status", people).allowed
    assert agent_action({"kind": "usecase", "sandbox": {"mode": "off"}}) == "agent_high_risk"
    assert agent_action({"kind": "usecase", "model": "a/b"}) == "agent"


@pytest.mark.parametrize("text, where", [
    ("operators: [alice]\n", "operators"),
    ("operators:\n  bob: {role: root}\n", "operators.bob.role"),
    ("operators:\n  bob: {role: operator}\n", "operators.bob.groups"),
    ("operators:\n  bob: {role: operator, groups: [nope]}\n", "operators.bob.groups[0]"),
    ("operators: {}\nextra: 1\n", "extra"),
])
def test_bad_operators_file_names_the_key(fleet, text, where):
    with pytest.raises(AuthzProblem) as err:
        _operators(fleet, text)
    assert "operators.yml: %s:" % where in str(err.value) and "Fix:" in str(err.value)


def test_diff_and_known_secret_values_are_redacted(tmp_path):
    log = str(tmp_path / "audit.jsonl")
    append(log, "alice", "rotate", "acme/gw-a", "ok", {"note": "new value tok-123456 set"},
           diff="-OPENCLAW_GATEWAY_TOKEN=old-999999\n+OPENCLAW_GATEWAY_TOKEN=tok-123456\n",
           scrub=["tok-123456", "old-999999"])
    text = open(log, encoding="utf-8").read()
    assert "tok-123456" not in text and "old-999999" not in text
    assert json.loads(text)["diff"].count("<redacted>") == 2
    assert verify(log)[0]


def test_pairing_plan_approves_only_pre_approved_devices():
    from ansible_collections.clawops.orchestrator.plugins.module_utils._devices import (
        DevicesProblem, normalize_listing, parse_json, plan_reconcile, summary)
    listing = normalize_listing(parse_json(
        "[gateway] log line\n" + json.dumps({
            "pending": [{"requestId": "r2", "deviceId": "dev-bbbbbbbb", "publicKey": "pk-b",
                         "role": "operator"},
                        {"requestId": "r1", "deviceId": "dev-aaaaaaaa", "publicKey": "pk-a",
                         "role": "node"},
                        {"requestId": "r3", "deviceId": "dev-cccccccc", "publicKey": "pk-c",
                         "role": "operator"}],
            "paired": [{"deviceId": "dev-old", "publicKey": "pk-old",
                        "tokens": [{"role": "node", "token": "never-shown"}]}]}), "devices list"))
    allowed = [{"device_id": "dev-aaaaaaaa", "role": "node"}, {"public_key": "pk-b", "role": "node"}]
    assert plan_reconcile(listing, allowed) == [
        ("approve", "r1", "device dev-aaaaaaaa is pre-approved")]
    steps = plan_reconcile(listing, allowed, reject_unlisted=True, remove_unlisted=True)
    assert [(verb, ident) for verb, ident, dummy in steps] == [
        ("approve", "r1"), ("reject", "r2"), ("reject", "r3"), ("remove", "dev-old")]
    assert "never-shown" not in json.dumps(summary(listing))
    # an entry without a role approves the node role only: operator access is written out
    roleless = [{"device_id": "dev-aaaaaaaa"}, {"public_key": "pk-b"}]
    assert [s[:2] for s in plan_reconcile(listing, roleless)] == [("approve", "r1")]
    assert [s[:2] for s in plan_reconcile(listing, [{"public_key": "pk-b", "role": "operator"}])] \
        == [("approve", "r2")]
    with pytest.raises(DevicesProblem):
        parse_json("gateway closed (1008): pairing required", "devices list")


@pytest.mark.parametrize("extra, expected", [
    ("exposure: lan\n", False),  # exposed: no silent approval of local devices
    ("", None),  # loopback-published: the gateway's own default
    ("exposure: lan\nconfig:\n  overrides:\n    gateway: {nodes: {pairing: {autoApproveLocal: true}}}\n",
     True),  # the fleet says so
])
def test_exposed_gateways_do_not_auto_approve_local_devices(make_fleet, extra, expected):
    from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
    from ansible_collections.clawops.orchestrator.plugins.module_utils._render import render_fleet
    from conftest import MINIMAL
    fleet_dir = make_fleet({"gateways/gw-one.yml": textwrap.dedent(
        MINIMAL["gateways/gw-one.yml"]).strip("\n") + "\n" + extra})
    plan = render_fleet(load_fleet(fleet_dir))["gw-one"]
    pairing = plan.config["gateway"].get("nodes", {}).get("pairing", {})
    assert pairing.get("autoApproveLocal") is expected


def test_accounts_and_their_secrets_need_admin_and_the_module_checks_itself(fleet):
    """Issue 17: an operator could bring an account whose secret reference reads any
    controller secret; account edits are high-risk, and fleet_agent decides again where it
    writes (a playbook that skipped the authorize role changes nothing)."""
    from ansible_collections.clawops.orchestrator.plugins.modules.fleet_agent import _decide
    account = {"channel": "telegram", "id": "carol-tg",
               "secrets": {"botToken": {"source": "env", "var": "ACME_CAROL_TG"}}}
    assert agent_action({"kind": "usecase"}, [account]) == "agent_high_risk"
    assert agent_action({"kind": "usecase"}, []) == "agent"
    _operators(fleet, "operators:\n  alice: {role: admin}\n"
                      "  bob: {role: operator, groups: [humans]}\n")
    edit = _agents.propose(fleet, "gw-people", "carol", "present", {"kind": "usecase"},
                           [account], [{"agentId": "carol", "match": {
                               "channel": "telegram", "accountId": "carol-tg"}}])
    params = {"fleet_dir": fleet, "gateway": "gw-people", "state": "present",
              "agent": {"kind": "usecase"}, "accounts": [account]}
    refused = _decide(dict(params, actor="bob"), edit)
    assert not refused.allowed and "needs admin" in refused.reason
    assert _decide(dict(params, actor="alice"), edit).allowed
    assert _decide(dict(params, actor="bob", accounts=None), edit).allowed
    assert not _decide(dict(params, actor="mallory", accounts=None), edit).allowed
    os.unlink(os.path.join(fleet, "operators.yml"))
    assert not _decide(dict(params, actor="alice"), edit).allowed  # fail closed
