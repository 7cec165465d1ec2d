# -*- coding: utf-8 -*-
"""AWX configuration as code (issue 20): what playbooks/awx.yml gives the awx.awx modules.

No AWX server runs here. What can be proven without one is proven: every survey variable is
consumed by the playbook its job template runs, every variable that playbook requires is a
required question (or fixed by the template), choices come from the fleet, every survey
follows AWX's own rules for a survey spec, every high-risk action waits for an approval,
and every name a workflow node, schedule or permission uses is an object of the plan.
tests/integration/test_day2.py runs each job template's playbook as AWX runs it.
"""

from __future__ import annotations

import os
import re

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._awx import (
    AwxProblem, awx_plan, survey_answers)
from ansible_collections.clawops.orchestrator.plugins.module_utils._catalog import load_catalog
from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
from conftest import EXAMPLE_FLEET, ROOT

SETTINGS = {"project": {"scm_url": "https://git.example/acme/fleet.git"}}


@pytest.fixture(scope="module")
def demo():
    fleet = load_fleet(EXAMPLE_FLEET)
    models = sorted(load_catalog(fleet).ids("models"))
    return fleet, models, awx_plan(fleet, models, SETTINGS)


def _playbook_text(name):
    with open(os.path.join(ROOT, "playbooks", name + ".yml"), encoding="utf-8") as handle:
        return "\n".join(line for line in handle if not line.lstrip().startswith("#"))


def test_every_survey_variable_is_consumed_by_its_playbook(demo):
    for template in demo[2]["job_templates"]:
        text = _playbook_text(template["collection_playbook"].rsplit(".", 1)[1])
        for question in template["survey_spec"]["spec"]:
            assert re.search(r"\b%s\b" % question["variable"], text), (
                template["name"], question["variable"])
        for var in template["extra_vars"]:
            assert re.search(r"\b%s\b" % var, text), (template["name"], var)


def test_every_variable_a_playbook_requires_is_a_required_question(demo):
    for template in demo[2]["job_templates"]:
        text = _playbook_text(template["collection_playbook"].rsplit(".", 1)[1])
        # the assertions of the playbook (its "Check the request" tasks): list items of that:
        required = set(re.findall(r"(?m)^\s*-\s+(?:>-\s*\n\s*)?(\w+) is defined", text)) \
            - {"clawops_runtime"}
        asked = {q["variable"] for q in template["survey_spec"]["spec"] if q["required"]}
        if "ansible_limit" in required:
            # a survey cannot set the limit: every such check also takes clawops_gateways
            lines = [l for l in text.splitlines() if "ansible_limit is defined" in l]
            assert all("clawops_gateways" in l for l in lines), lines
            required = (required - {"ansible_limit"}) | {"clawops_gateways"}
        assert required <= asked | set(template["extra_vars"]), (template["name"], required)


def test_choices_come_from_the_fleet(demo):
    fleet, models, plan = demo
    by_key = {t["key"]: t for t in plan["job_templates"]}
    spec = {q["variable"]: q for q in by_key["agent"]["survey_spec"]["spec"]}
    assert spec["gateway"]["choices"] == sorted(fleet.gateways)
    assert spec["agent_model"]["choices"] == models and "anthropic/claude-sonnet-4-5" in models
    assert spec["agent_kind"]["choices"] == ["human", "usecase"]
    targets = {q["variable"]: q for q in by_key["backup"]["survey_spec"]["spec"]}
    assert targets["clawops_gateways"]["type"] == "multiselect"
    assert set(fleet.gateways) < set(targets["clawops_gateways"]["choices"])
    assert "group_humans" in targets["clawops_gateways"]["choices"]


SURVEY_TYPES = {"text", "textarea", "password", "integer", "float", "multiplechoice",
                "multiselect"}


def _check_survey(spec):
    """AWX's rules for a survey spec (awx/api/views: JobTemplateSurveySpec)."""
    assert isinstance(spec.get("name"), str) and isinstance(spec.get("description"), str)
    seen = set()
    for element in spec["spec"]:
        for key in ("question_name", "variable", "type", "required"):
            assert key in element, (element, key)
        assert element["type"] in SURVEY_TYPES
        assert re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", element["variable"])
        assert element["variable"] not in seen, element["variable"]
        seen.add(element["variable"])
        if element["type"] in ("multiplechoice", "multiselect"):
            choices = element["choices"]
            assert isinstance(choices, list) and choices and all(isinstance(c, str)
                                                                 for c in choices)
            assert len(set(choices)) == len(choices)
            default = element.get("default", "")
            if element["type"] == "multiplechoice" and default:
                assert default in choices, element
            if element["type"] == "multiselect" and default:
                assert set(default.split("\n")) <= set(choices)
        if element["type"] in ("text", "textarea", "integer"):
            assert isinstance(element["min"], int) and isinstance(element["max"], int)
            assert element["min"] <= element["max"]
        if element["type"] == "integer" and element.get("default") not in ("", None):
            assert isinstance(element["default"], int)


def test_every_survey_follows_awx_rules(demo):
    plan = demo[2]
    for item in plan["job_templates"] + plan["workflows"]:
        _check_survey(item["survey_spec"])


def test_high_risk_changes_wait_for_an_approval_after_a_review(demo):
    plan = demo[2]
    names = {t["name"]: t for t in plan["job_templates"]}
    risky = {t["key"] for t in plan["job_templates"] if t["high_risk"]}
    assert risky == {"deploy", "update", "rotate", "restore", "rollback", "remove"}
    flows = {w["key"]: w for w in plan["workflows"]}
    assert set(flows) == risky | {"agent"}
    for key, flow in flows.items():
        nodes = {n["identifier"]: n for n in flow["nodes"]}
        assert nodes["review"]["success_nodes"] == ["approve"]
        assert nodes["approve"]["success_nodes"] == ["change"]
        assert nodes["approve"]["approval_node"]["timeout"] == 86400
        change = names[nodes["change"]["unified_job_template"]]
        assert change["key"] == key
        review = names[nodes["review"]["unified_job_template"]]
        if nodes["review"].get("job_type") == "check":
            # the same template in check mode with its diff: it must prompt for both
            assert review is change and review["ask_job_type_on_launch"]
            assert review["ask_diff_mode_on_launch"] and nodes["review"]["diff_mode"]
        else:
            assert review["key"] == "preflight"
        # a node names only nodes created before it
        order = [n["identifier"] for n in flow["nodes"]]
        for node in flow["nodes"]:
            for later in node.get("success_nodes", []):
                assert order.index(later) < order.index(node["identifier"])
        assert flow["survey_spec"] == change["survey_spec"]


def test_schedules_and_permissions_name_objects_of_the_plan(demo):
    plan = demo[2]
    templates = {t["name"]: t for t in plan["job_templates"]}
    assert {s["key"] for s in plan["schedules"]} == {
        "backup", "integrity", "drill", "report", "drift", "status", "audit", "compliance"}
    for schedule in plan["schedules"]:
        template = templates[schedule["unified_job_template"]]
        survey_answers(template["survey_spec"], schedule["extra_data"])  # AWX would launch it
        assert schedule["rrule"].startswith("DTSTART")
    teams = awx_plan(load_fleet(EXAMPLE_FLEET), [], dict(SETTINGS, teams={
        "admin": "platform", "operator": "helpdesk"}))
    flows = {w["name"] for w in teams["workflows"]}
    names = {t["name"]: t for t in teams["job_templates"]}
    for role in teams["roles"]:
        assert set(role.get("workflows", [])) <= flows
        for name in role.get("job_templates", []):
            assert not names[name]["high_risk"]  # high-risk changes only through approval
    helpdesk = [r for r in teams["roles"] if r["team"] == "helpdesk"]
    assert [r["role"] for r in helpdesk] == ["execute"]
    platform = {r["role"] for r in teams["roles"] if r["team"] == "platform"}
    assert platform == {"execute", "approval"}
    # no catalog model: no model question rather than one without choices
    agent = [t for t in teams["job_templates"] if t["key"] == "agent"][0]
    assert "agent_model" not in [q["variable"] for q in agent["survey_spec"]["spec"]]


def test_project_playbooks_import_the_collections(demo):
    plan = demo[2]
    paths = {p["path"]: p["content"] for p in plan["project_playbooks"]}
    for template in plan["job_templates"]:
        assert template["playbook"] in paths
        assert "import_playbook: %s\n" % template["collection_playbook"] in paths[
            template["playbook"]]
    assert plan["inventory_source"]["update_on_launch"] is True
    assert plan["inventory_source"]["source_path"] == "inventory/fleet.clawops.yml"


def test_settings_errors_name_the_variable():
    fleet = load_fleet(EXAMPLE_FLEET)
    with pytest.raises(AwxProblem, match="no project repository") as caught:
        awx_plan(fleet, [], {})
    assert "awx_project_scm_url" in caught.value.render()
    with pytest.raises(AwxProblem, match="unknown schedule 'nightly'") as caught:
        awx_plan(fleet, [], dict(SETTINGS, schedules={"nightly": "RRULE:FREQ=DAILY"}))
    assert "awx_schedules.nightly" in caught.value.render()
    plan = awx_plan(fleet, [], dict(SETTINGS, schedules={"status": None}))
    assert "status" not in {s["key"] for s in plan["schedules"]}


def test_survey_answers_are_what_awx_sends(demo):
    agent = [t for t in demo[2]["job_templates"] if t["key"] == "agent"][0]["survey_spec"]
    with pytest.raises(AwxProblem, match="needs an answer for gateway"):
        survey_answers(agent)
    sent = survey_answers(agent, {"gateway": "gw-people", "agent_id": "dan"})
    assert sent["agent_state"] == "present" and sent["agent_owner"] == ""
    backup = [t for t in demo[2]["job_templates"] if t["key"] == "backup"][0]["survey_spec"]
    assert survey_answers(backup)["clawops_gateways"] == []
    with pytest.raises(AwxProblem, match="no question limit"):
        survey_answers(backup, {"limit": "gw-people"})


def _awx_module_options(name):
    """The option names of an awx.awx module, read from its argument_spec in its source."""
    import ast  # pylint: disable=import-outside-toplevel
    import importlib.util  # pylint: disable=import-outside-toplevel
    spec = importlib.util.find_spec("ansible_collections.awx.awx")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("awx.awx is not installed (the ansible package bundles it)")
    path = os.path.join(list(spec.submodule_search_locations)[0], "plugins", "modules",
                        name + ".py")
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "argument_spec"
                                                for t in node.targets):
            return {k.arg for k in node.value.keywords}
    pytest.fail("no argument_spec in %s" % path)


def test_awx_yml_calls_the_awx_modules_with_their_own_options():
    """No AWX server here: at least every option awx.yml passes exists in the module it calls
    (awx.awx as the pinned ansible package bundles it), and every value comes from the plan."""
    import yaml  # pylint: disable=import-outside-toplevel
    with open(os.path.join(ROOT, "playbooks", "awx.yml"), encoding="utf-8") as handle:
        plays = yaml.safe_load(handle)
    tasks = [t for play in plays for t in play.get("tasks", [])]
    tasks += [t for task in tasks for t in task.get("block", [])]
    calls = [(k, v) for task in tasks for k, v in task.items() if k.startswith("awx.awx.")]
    assert {call[0] for call in calls} >= {
        "awx.awx.organization", "awx.awx.credential_type", "awx.awx.project",
        "awx.awx.inventory", "awx.awx.inventory_source", "awx.awx.job_template",
        "awx.awx.schedule", "awx.awx.workflow_job_template",
        "awx.awx.workflow_job_template_node", "awx.awx.role", "awx.awx.team",
        "awx.awx.execution_environment"}
    for module, args in calls:
        options = _awx_module_options(module.rsplit(".", 1)[1])
        assert set(args) <= options, (module, sorted(set(args) - options))
        for value in args.values():
            assert not isinstance(value, str) or "_awx.awx" in value or "item" in value, (
                module, value)
