# -*- coding: utf-8 -*-
"""What an AWX survey sends, turned into what the playbooks use: the gateways a play works on
(clawops_gateways) and the agent change of agent.yml (flat survey fields)."""

from __future__ import annotations

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._agents import (
    AgentEditProblem, agent_request)
from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import FleetError
from ansible_collections.clawops.orchestrator.plugins.module_utils._select import (
    hosts_pattern, selection)


def test_nothing_chosen_is_the_whole_group():
    for value in (None, [], "", " "):
        assert hosts_pattern(value) == "clawops"
        assert hosts_pattern(value, "provider_k8s") == "provider_k8s"


def test_a_survey_list_or_a_command_line_string_is_intersected_with_the_group():
    assert hosts_pattern(["gw-a", "group_humans"]) == "gw-a:group_humans:&clawops"
    assert hosts_pattern("gw-a, gw-b gw-a", "provider_compose") == "gw-a:gw-b:&provider_compose"
    assert selection(["gw-b", "gw-b"]) == ["gw-b"]


@pytest.mark.parametrize("bad", ["gw-*", "!gw-a", "gw-a:&x", "all[0]", "~gw"])
def test_a_host_pattern_is_refused(bad):
    with pytest.raises(FleetError, match="not a gateway id or group name") as caught:
        hosts_pattern([bad])
    assert "clawops_gateways" in caught.value.render()


def test_flat_survey_fields_make_the_agent():
    request = agent_request(kind="human", owner="dan@acme.example", model="anthropic/x",
                            definition="")
    assert request == {"agent": {"kind": "human", "owner": "dan@acme.example",
                                 "model": "anthropic/x"}, "accounts": None, "bindings": None}


def test_the_definition_text_carries_accounts_and_routes_and_flat_fields_win():
    text = ("agent: {kind: usecase, model: a/b, description: helps}\n"
            "accounts:\n  - {channel: telegram, id: tg}\n"
            "bindings:\n  - {channel: telegram, accountId: tg}\n")
    request = agent_request(definition=text, model="c/d", agent={"description": "file"})
    assert request["agent"] == {"kind": "usecase", "model": "c/d", "description": "file"}
    assert request["accounts"] == [{"channel": "telegram", "id": "tg"}]
    assert request["bindings"] == [{"channel": "telegram", "accountId": "tg"}]
    # a file's accounts win over the text's; only comments is nothing
    assert agent_request(definition=text, accounts=[])["accounts"] == []
    assert agent_request(definition="# nothing\n") == {"agent": {}, "accounts": None,
                                                       "bindings": None}


@pytest.mark.parametrize("text, words, path", [
    ("agent: [unclosed\n", "not YAML (line 2)", ("agent_definition",)),
    ("- a\n- b\n", "is not a mapping", ("agent_definition",)),
    ("agent: {}\nworkspace: x\n", "unknown key 'workspace'", ("agent_definition", "workspace")),
    ("accounts: {channel: telegram}\n", "accounts is not a list", ("agent_definition", "accounts")),
])
def test_a_bad_definition_is_one_clear_error(text, words, path):
    with pytest.raises(AgentEditProblem) as caught:
        agent_request(definition=text)
    assert words in caught.value.render()
    assert tuple(caught.value.key_path) == path
    assert "-e @<file>" in caught.value.render()
