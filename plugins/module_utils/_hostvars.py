# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hosts of a fleet - groups and host variables - as plain data: what the inventory plugin
adds to Ansible's inventory, and what M(fleet_agent) hands back after it changed a gateway (a
job whose inventory is a synced copy, as on AWX, cannot re-read it)."""

from __future__ import annotations

import sys

from ._fleet import load_fleet
from ._render import render_fleet

CACHE_FORMAT = 4
# the host variables that carry the plan (the target's own variables come with them)
PLAN_VARS = ("clawops_fleet_dir", "clawops_gateway", "clawops_config_text",
             "clawops_config_sha256", "clawops_config_restart_sha256", "clawops_runtime")


def group_name(prefix, value):
    text = "".join(c if c.isalnum() else "_" for c in str(value).lower())
    return "%s_%s" % (prefix, text)


def build_hosts(fleet_dir, gateway_ids=None, include_provenance=False, include_config=False):
    """Plain data for every host: {'hosts': {id: {'groups': [...], 'vars': {...}}}}."""
    fleet = load_fleet(fleet_dir)
    plans = render_fleet(fleet, gateway_ids or None)
    targets = fleet.data.get("targets", {})
    hosts = {}
    for gw_id, plan in plans.items():
        summary = plan.summary
        runtime = plan.runtime
        if summary["provider"] == "compose":
            target_vars = targets["compose_hosts"][runtime["target"]["host"]].get("vars", {})
        else:
            target_vars = targets["k8s_clusters"][runtime["target"]["cluster"]].get(
                "vars", {"ansible_connection": "local"})
        host_vars = dict(target_vars)
        if host_vars.get("ansible_connection") == "local":
            # Like Ansible's implicit localhost: a local gateway host runs modules with the
            # controller's Python (the one with the Docker API client), not a discovered one.
            host_vars.setdefault("ansible_python_interpreter", sys.executable)
        config, config_text = plan.public_config()
        host_vars.update({
            "clawops_fleet_dir": fleet.root,
            "clawops_gateway": summary,
            "clawops_config_text": config_text,
            "clawops_config_sha256": plan.config_sha256,
            "clawops_config_restart_sha256": plan.restart_sha256,
            "clawops_runtime": runtime,
        })
        if include_config:
            host_vars["clawops_config"] = config
        if include_provenance:
            host_vars["clawops_provenance"] = plan.provenance()
        groups = [
            group_name("org", summary["org_slug"]),
            group_name("provider", summary["provider"]),
            group_name("profile", summary["profile"]),
            group_name("trust", summary["trust_level"]),
            group_name("wave", summary["wave"]),
        ] + [group_name("group", g) for g in summary["groups"]] + [
            # the gateways that use a model backend (removing it is refused while any does)
            group_name("backend", b["id"]) for b in runtime.get("backends") or []]
        hosts[gw_id] = {"groups": groups, "vars": host_vars}
    return {"format": CACHE_FORMAT, "hosts": hosts}
