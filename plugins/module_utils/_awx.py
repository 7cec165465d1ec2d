# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What AWX (Automation Controller) should hold to run a fleet: computed once, from the fleet.

``awx_plan`` returns plain data - the project, the inventory and its source, credential
types, one job template per day-2 action with its survey, schedules, and for every action
the operator roles mark high-risk (admin only) a workflow whose approval node stands between
a review run and the change. ``playbooks/awx.yml`` hands it to the ``awx.awx`` modules
without deciding anything itself.

Survey choices come from the fleet: its gateways and declared groups, its catalog's models,
the agent kinds of the schema. A survey cannot set a job's limit, so the playbooks take
``clawops_gateways`` (``_select``). AWX sends an optional text field left blank as an empty
string; the playbooks treat that as "not given".
"""

from __future__ import annotations

from ._authz import ACTIONS
from ._errors import FleetError
from ._hostvars import group_name

AGENT_KINDS = ("human", "usecase")
APPROVAL_TIMEOUT = 86400
TRUE_FALSE = ["false", "true"]

# Job templates: key -> title, playbook of the collection, the operator action it needs (the
# authorize role decides again at run time), extra vars the template fixes, review (how the
# approval workflow shows the change first: 'check' = the same template in check+diff mode,
# 'preflight' = the preflight template) and the survey questions (variable, kind, options).
# Question kinds: 'targets' (multiselect of gateways and groups), 'gateway' (one gateway),
# 'gateway_ids' (multiselect of gateways only), 'choice', 'text', 'textarea', 'integer',
# 'models', 'kinds'.
TEMPLATES = (
    ("deploy", "Deploy", "site", "deploy", {}, "check", (
        ("clawops_gateways", "targets", {"question": "Gateways (none: all)"}),
    )),
    ("update", "Update", "update", "update", {}, "check", (
        ("clawops_gateways", "targets", {"question": "Gateways (none: all, wave by wave)"}),
        ("clawops_update_image", "text", {"question": "Image reference (none: the fleet's pin)",
                                          "max": 400}),
    )),
    ("agent", "Agent add, change or remove", "agent", "agent", {}, "preflight", (
        ("gateway", "gateway", {"question": "Gateway", "required": True}),
        ("agent_id", "text", {"question": "Agent id", "required": True, "min": 1, "max": 63}),
        ("agent_state", "choice", {"question": "Add/change or remove",
                                   "choices": ["present", "absent"], "default": "present",
                                   "required": True}),
        ("agent_kind", "kinds", {"question": "Kind (a new agent needs one)"}),
        ("agent_owner", "text", {"question": "Owner (human agents)", "max": 254}),
        ("agent_model", "models", {"question": "Model (none: the gateway's default)"}),
        ("agent_definition", "textarea", {
            "question": "More of the agent (YAML: agent, accounts, bindings)", "max": 20000,
            "description": "The shape of the file agent.yml takes with -e @file; channel "
                           "accounts or sandbox, tools, policy, config make the change "
                           "high-risk (admin)."}),
    )),
    ("pairing", "Device pairing", "pairing", "pairing", {}, None, (
        ("clawops_gateways", "targets", {"question": "Gateways (one for approve, reject, "
                                                     "remove, rotate, revoke)"}),
        ("pairing_action", "choice", {"question": "Action", "required": True, "default": "list",
                                      "choices": ["list", "reconcile", "approve", "approve_node",
                                                  "reject", "remove", "rotate", "revoke",
                                                  "window"]}),
        ("request_id", "text", {"question": "Request id (approve, approve_node, reject)",
                                "max": 200}),
        ("device_id", "text", {"question": "Device id (remove, rotate, revoke)", "max": 200}),
        ("role", "text", {"question": "Device role (rotate, revoke)", "max": 64}),
        ("window_name", "text", {"question": "Window: device name pattern (lab-*)", "max": 200}),
        ("window_platform", "text", {"question": "Window: platform pattern (linux, ios)",
                                     "max": 64}),
        ("window_role", "choice", {"question": "Window: role to approve",
                                   "choices": ["node", "operator"], "default": "node"}),
        ("window_minutes", "integer", {"question": "Window: minutes open", "default": 10,
                                       "min": 1, "max": 60}),
        ("window_max", "integer", {"question": "Window: most approvals", "default": 10,
                                   "min": 1, "max": 500}),
    )),
    ("rotate", "Rotate secrets", "rotate_tokens", "rotate", {}, "preflight", (
        ("clawops_gateways", "targets", {"question": "Gateways (none: all)"}),
        ("rotate_gateway_tokens", "choice", {"question": "Mint new gateway tokens",
                                             "choices": TRUE_FALSE, "default": "false",
                                             "required": True}),
    )),
    ("backup", "Backup", "backup", "backup", {}, None, (
        ("clawops_gateways", "targets", {"question": "Gateways (none: all)"}),
        ("backup_action", "choice", {"question": "Action", "choices": ["create", "list", "verify"],
                                     "default": "create", "required": True}),
        ("backup_archive", "text", {"question": "Archive to verify (none: the latest)",
                                    "max": 200}),
        ("backup_live", "choice", {"question": "Archive the gateway running (no stop)",
                                   "choices": TRUE_FALSE, "default": "false",
                                   "required": True}),
    )),
    ("restore", "Restore", "restore", "restore", {}, "preflight", (
        ("clawops_gateways", "targets", {"question": "Gateways", "required": True}),
        ("restore_archive", "text", {"question": "Archive (none: the latest)", "max": 200}),
    )),
    ("rollback", "Rollback", "rollback", "rollback", {}, "preflight", (
        ("clawops_gateways", "targets", {"question": "Gateways", "required": True}),
        ("rollback_to", "text", {"question": "Revision (none: the previous one)", "max": 64}),
    )),
    ("lifecycle", "Start, stop or restart", "lifecycle", "lifecycle", {}, None, (
        ("clawops_gateways", "targets", {"question": "Gateways (none: all)"}),
        ("action", "choice", {"question": "Action", "choices": ["started", "stopped", "restarted"],
                              "default": "restarted", "required": True}),
    )),
    ("remove", "Remove gateways", "lifecycle", "remove", {"action": "absent"}, "preflight", (
        ("clawops_gateways", "targets", {"question": "Gateways", "required": True}),
    )),
    ("status", "Status", "status", "status", {}, None, (
        ("clawops_gateways", "targets", {"question": "Gateways (none: all)"}),
    )),
    ("preflight", "Preflight", "preflight", "preflight", {}, None, (
        ("clawops_view", "choice", {"question": "Show", "required": True, "default": "findings",
                                    "choices": ["findings", "policy", "routing", "all"]}),
    )),
    ("audit", "Audit trail verification", "audit_verify", "audit_verify", {}, None, (
        ("audit_last", "integer", {"question": "Latest events to show", "default": 20,
                                   "min": 0, "max": 1000, "required": True}),
    )),
    ("compliance", "Compliance report", "compliance", "audit_verify", {}, None, (
        ("quarter", "text", {"question": "Quarter (2026Q4, previous; none: this one)",
                             "max": 8}),
    )),
    ("integrity", "Backup integrity check", "integrity", "status", {}, None, (
        ("clawops_gateways", "targets", {"question": "Gateways (none: all)"}),
    )),
    ("drill", "Restore drill", "drill", "drill", {}, None, (
        ("clawops_gateways", "targets", {"question": "Gateways (none: all, one at a time)"}),
    )),
    ("report", "Fleet report", "report", "status", {}, None, (
        ("clawops_gateways", "targets", {"question": "Gateways (none: all)"}),
    )),
    # the report only: a repair is the Deploy workflow (review, approval, then site.yml
    # writes the declared config back)
    ("drift", "Drift report", "drift", "status", {"drift_mode": "report"}, None, (
        ("clawops_gateways", "targets", {"question": "Gateways (none: all)"}),
    )),
)

# key -> (schedule title, template, rrule, extra data); the user's own rrules replace these
SCHEDULES = (
    ("backup", "Nightly backup", "backup",
     "DTSTART;TZID=UTC:20260101T020000 RRULE:FREQ=DAILY;INTERVAL=1",
     {"backup_action": "create", "backup_live": "false"}),
    ("integrity", "Weekly integrity check of every archive", "integrity",
     "DTSTART;TZID=UTC:20260104T033000 RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=SU", {}),
    ("drill", "Monthly restore drill", "drill",
     "DTSTART;TZID=UTC:20260101T043000 RRULE:FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=1", {}),
    ("report", "Daily fleet report", "report",
     "DTSTART;TZID=UTC:20260101T063000 RRULE:FREQ=DAILY;INTERVAL=1", {}),
    ("drift", "Daily drift report", "drift",
     "DTSTART;TZID=UTC:20260101T064500 RRULE:FREQ=DAILY;INTERVAL=1", {}),
    ("status", "Hourly status", "status",
     "DTSTART;TZID=UTC:20260101T000500 RRULE:FREQ=HOURLY;INTERVAL=1", {}),
    ("audit", "Daily audit verification", "audit",
     "DTSTART;TZID=UTC:20260101T060000 RRULE:FREQ=DAILY;INTERVAL=1", {"audit_last": 20}),
    ("compliance", "Quarterly compliance report (the quarter just ended)", "compliance",
     "DTSTART;TZID=UTC:20260101T070000 RRULE:FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1",
     {"quarter": "previous"}),
)

CREDENTIAL_TYPES = (
    {"name": "clawops Vault/OpenBao", "kind": "cloud",
     "description": "A Vault or OpenBao server the fleet's secret references read (source: "
                    "vault): VAULT_ADDR and VAULT_TOKEN in the job's environment.",
     "inputs": {"fields": [
         {"id": "url", "type": "string", "label": "Server URL",
          "help_text": "https://vault.example:8200"},
         {"id": "token", "type": "string", "label": "Token", "secret": True}],
         "required": ["url", "token"]},
     "injectors": {"env": {"VAULT_ADDR": "{{ url }}", "VAULT_TOKEN": "{{ token }}"}}},
    {"name": "clawops Kubernetes cluster", "kind": "cloud",
     "description": "A kubeconfig for the fleet's Kubernetes gateways (its current context): "
                    "written to a file the job's KUBECONFIG and K8S_AUTH_KUBECONFIG name.",
     "inputs": {"fields": [
         {"id": "kubeconfig", "type": "string", "label": "kubeconfig", "multiline": True,
          "secret": True}],
         "required": ["kubeconfig"]},
     "injectors": {"file": {"template.kubeconfig": "{{ kubeconfig }}"},
                   "env": {"KUBECONFIG": "{{ tower.filename.kubeconfig }}",
                           "K8S_AUTH_KUBECONFIG": "{{ tower.filename.kubeconfig }}"}}},
)


class AwxProblem(FleetError):
    """The AWX settings asked for cannot be made into a configuration."""

    kind = "awx"


def high_risk(action):
    """An action only admins may run (the operator roles' table): its changes wait for an
    approval in AWX."""
    return ACTIONS[action][0] == "admin"


def _choices(kind, fleet, models):
    gateways = sorted(fleet.gateways)
    if kind == "targets":
        return gateways + [group_name("group", g) for g in sorted(fleet.groups)]
    if kind in ("gateway", "gateway_ids"):
        return gateways
    if kind == "models":
        return list(models)
    if kind == "kinds":
        return list(AGENT_KINDS)
    return None


def _question(variable, kind, opts, fleet, models):
    survey_type = {"targets": "multiselect", "gateway_ids": "multiselect", "gateway":
                   "multiplechoice", "choice": "multiplechoice", "models": "multiplechoice",
                   "kinds": "multiplechoice", "text": "text", "textarea": "textarea",
                   "integer": "integer"}[kind]
    question = {"variable": variable, "question_name": opts["question"],
                "question_description": opts.get("description", ""),
                "type": survey_type, "required": bool(opts.get("required", False)),
                "default": opts.get("default", "")}
    choices = opts.get("choices") or _choices(kind, fleet, models)
    if choices is not None:
        if not choices:
            return None  # e.g. a catalog without models: no question rather than no answer
        question["choices"] = choices
    if survey_type in ("text", "textarea", "integer"):
        question["min"] = opts.get("min", 0)
        question["max"] = opts.get("max", 1024)
    return question


def _name(prefix, title):
    return "%s %s" % (prefix, title)


def awx_plan(fleet, models, settings):
    """The AWX objects for ``fleet`` (a loaded Fleet), ``models`` (the catalog's model ids)
    and ``settings`` (organization, prefix, project {scm_url, scm_branch, scm_credential},
    inventory_file, playbook_dir, execution_environment image, credentials, teams
    {admin, operator}, schedules {key: rrule or None}, approval_timeout)."""
    slug = fleet.org.org_slug
    prefix = settings.get("prefix") or "clawops %s" % slug
    organization = settings.get("organization") or fleet.org.display_name
    project_settings = settings.get("project") or {}
    if not project_settings.get("scm_url"):
        raise AwxProblem("no project repository given", "extra vars", ("awx_project_scm_url",),
                         "pass -e awx_project_scm_url=<git URL of the repository that holds "
                         "the fleet definition and the inventory file>")
    playbook_dir = (settings.get("playbook_dir") or "clawops").strip("/")
    inventory_file = settings.get("inventory_file") or "inventory/fleet.clawops.yml"
    ee_image = settings.get("execution_environment")
    ee_name = _name(prefix, "execution environment") if ee_image else None
    credentials = list(settings.get("credentials") or [])
    timeout = int(settings.get("approval_timeout") or APPROVAL_TIMEOUT)

    project = {"name": _name(prefix, "project"), "organization": organization,
               "scm_type": "git", "scm_url": project_settings["scm_url"],
               "scm_branch": project_settings.get("scm_branch") or "main",
               "scm_update_on_launch": True, "scm_clean": True}
    if project_settings.get("scm_credential"):
        project["credential"] = project_settings["scm_credential"]
    if ee_name:
        project["default_environment"] = ee_name
    inventory = {"name": _name(prefix, "fleet"), "organization": organization,
                 "description": "The gateways of %s, from its fleet definition"
                                % fleet.org.display_name}
    inventory_source = {
        "name": _name(prefix, "fleet definition"), "inventory": inventory["name"],
        "organization": organization, "source": "scm", "source_project": project["name"],
        "source_path": inventory_file, "overwrite": True, "overwrite_vars": True,
        "update_on_launch": True, "update_cache_timeout": 0,
        "description": "clawops.orchestrator.fleet; a fleet that does not load fails the sync "
                       "(the project's ansible.cfg sets unparsed_is_failed) and every job's "
                       "first play"}

    templates, playbooks, by_key = [], {}, {}
    for key, title, playbook, action, fixed, review, questions in TEMPLATES:
        spec = [q for q in (_question(v, k, o, fleet, models) for v, k, o in questions) if q]
        path = "%s/%s.yml" % (playbook_dir, playbook)
        playbooks[path] = playbook
        template = {
            "key": key, "name": _name(prefix, title), "organization": organization,
            "project": project["name"], "inventory": inventory["name"], "playbook": path,
            "collection_playbook": "clawops.orchestrator.%s" % playbook,
            "description": ACTIONS[action][1], "action": action,
            "high_risk": high_risk(action), "job_type": "run", "extra_vars": dict(fixed),
            "survey_enabled": bool(spec),
            "survey_spec": {"name": title, "description": ACTIONS[action][1], "spec": spec},
            # the approval workflow runs the same template in check mode with a diff first
            "ask_job_type_on_launch": review == "check",
            "ask_diff_mode_on_launch": review == "check",
            "credentials": credentials, "review": review, "allow_simultaneous": False,
        }
        if ee_name:
            template["execution_environment"] = ee_name
        templates.append(template)
        by_key[key] = template

    schedules = []
    chosen = settings.get("schedules") or {}
    for key, title, template_key, rrule, extra in SCHEDULES:
        rule = chosen.get(key, rrule)
        if rule in (None, "", False):
            continue
        schedules.append({"name": _name(prefix, title), "key": key,
                          "unified_job_template": by_key[template_key]["name"],
                          "organization": organization, "rrule": rule, "extra_data": extra,
                          "enabled": True})
    unknown = sorted(set(chosen) - {s[0] for s in SCHEDULES})
    if unknown:
        raise AwxProblem("unknown schedule %r" % unknown[0], "extra vars",
                         ("awx_schedules", unknown[0]),
                         "use %s (an rrule, or null to leave it out)"
                         % ", ".join(s[0] for s in SCHEDULES))

    workflows = []
    for template in templates:
        if not template["high_risk"] and template["key"] != "agent":
            continue
        review_name = template["name"] if template["review"] == "check" \
            else by_key["preflight"]["name"]
        review_node = {"identifier": "review", "unified_job_template": review_name,
                       "success_nodes": ["approve"]}
        if template["review"] == "check":
            review_node.update(job_type="check", diff_mode=True)
        else:
            review_node["extra_data"] = {"clawops_view": "findings"}
        workflows.append({
            "name": _name(prefix, "%s (approved)" % template["survey_spec"]["name"]),
            "key": template["key"], "organization": organization,
            "inventory": inventory["name"],
            "description": "%s: %s, then an approval, then the change." % (
                ACTIONS[template["action"]][1],
                "the change in check mode with its diff" if template["review"] == "check"
                else "preflight"),
            "survey_enabled": template["survey_enabled"],
            "survey_spec": template["survey_spec"],
            # leaves first: a node names the nodes that follow it, which must exist
            "nodes": [
                {"identifier": "change", "unified_job_template": template["name"]},
                {"identifier": "approve", "success_nodes": ["change"],
                 "approval_node": {"name": "Approve: %s" % template["name"],
                                   "description": "Read the review job's output; approve to "
                                                  "run the change.", "timeout": timeout}},
                review_node,
            ]})

    teams = settings.get("teams") or {}
    roles = []
    if teams.get("operator"):
        # operators launch what their role may do; the authorize role still decides per gateway
        roles.append({"team": teams["operator"], "role": "execute",
                      "job_templates": [t["name"] for t in templates
                                        if not t["high_risk"]],
                      "workflows": [w["name"] for w in workflows if w["key"] == "agent"]})
    if teams.get("admin"):
        # admins run high-risk changes through their approval workflow only
        roles.append({"team": teams["admin"], "role": "execute",
                      "job_templates": [t["name"] for t in templates if not t["high_risk"]],
                      "workflows": [w["name"] for w in workflows]})
        roles.append({"team": teams["admin"], "role": "approval",
                      "workflows": [w["name"] for w in workflows]})

    project_playbooks = [
        {"path": path, "content": "---\n# Written by clawops.orchestrator.awx: AWX runs "
                                  "playbooks of its project, so this one runs the "
                                  "collection's.\n- name: %s\n  ansible.builtin.import_playbook:"
                                  " clawops.orchestrator.%s\n" % (playbook, playbook)}
        for path, playbook in sorted(playbooks.items())]
    plan = {"organization": organization, "prefix": prefix, "project": project,
            "inventory": inventory, "inventory_source": inventory_source,
            "credential_types": [dict(c) for c in CREDENTIAL_TYPES],
            "execution_environment": {"name": ee_name, "image": ee_image,
                                      "organization": organization, "pull": "missing"}
            if ee_name else None,
            "job_templates": templates, "schedules": schedules, "workflows": workflows,
            "roles": roles, "project_playbooks": project_playbooks}
    return plan


def survey_answers(spec, answers=None):
    """The extra vars AWX sends for a survey: the given answers, else each question's
    default; an optional text left blank arrives as an empty string, a multiple select
    with nothing chosen as an empty list. A required question without answer or default is
    an error (AWX would not launch)."""
    answers = dict(answers or {})
    out = {}
    for question in spec.get("spec", []):
        var = question["variable"]
        if var in answers:
            value = answers.pop(var)
        elif question.get("default") not in ("", None):
            value = question["default"]
        elif question["required"]:
            raise AwxProblem("the survey needs an answer for %s" % var, None, (var,),
                             "answer it")
        else:
            value = [] if question["type"] == "multiselect" else ""
        if question["type"] == "multiselect" and isinstance(value, str):
            value = [v for v in value.split("\n") if v]
        out[var] = value
    if answers:
        raise AwxProblem("the survey has no question %s" % sorted(answers)[0], None, (), "")
    return out
