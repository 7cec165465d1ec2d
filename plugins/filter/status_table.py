# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: status_table
short_description: Readable table of gateway_status results
version_added: 0.1.0
description:
  - Turns a list of C(clawops.orchestrator.gateway_status) results (each with C(gateway) and
    C(url) added) into a fixed-width text table, one line per gateway; BACKENDS shows each
    model backend as the gateway reaches it (C(local ok 4ms), C(lab down)).
positional: _input
options:
  _input:
    description: The status results.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Print the table
  ansible.builtin.debug:
    msg: "{{ statuses | clawops.orchestrator.status_table }}"
"""

RETURN = r"""
_value:
  description: The table, one string per line.
  type: list
  elements: str
"""

from ansible_collections.clawops.orchestrator.plugins.module_utils._views import text_table


def status_table(results):
    rows = []
    for item in results or []:
        agents = item.get("agents") or {}
        memory = item.get("memory") or {}
        used = memory.get("used_bytes")
        rows.append({
            "gateway": item.get("gateway", item.get("instance")),
            "state": item.get("state"),
            "version": item.get("version", ""),
            "uptime": "%ds" % item["uptime_s"] if item.get("uptime_s") is not None else "",
            "agents": "%d/%d" % (len(agents.get("agents_live", [])),
                                 len(agents.get("agents_declared", []))),
            "drift": "yes" if agents.get("drift") else "no",
            "memory": "%d MiB" % (used // (1024 * 1024)) if used else "",
            "failing": ", ".join(item.get("failing") or []),
            # each model backend as the gateway reaches it: "local ok 4ms", "lab down"
            "backends": ", ".join(
                "%s %s" % (b["id"], "ok %sms" % b.get("ms") if b.get("reachable") else "down")
                for b in item.get("backends") or []),
            "url": item.get("url", ""),
        })
    return text_table([("gateway", "GATEWAY"), ("state", "STATE"), ("version", "VERSION"),
                       ("uptime", "UPTIME"), ("agents", "AGENTS"), ("drift", "DRIFT"),
                       ("memory", "MEMORY"), ("failing", "FAILING"), ("backends", "BACKENDS"),
                       ("url", "URL")],
                      rows).splitlines()


class FilterModule:
    """clawops status filters."""

    def filters(self):
        return {"status_table": status_table}
