# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: alert_conditions
short_description: The alert rules' conditions from one status run, as a webhook payload
version_added: 0.9.0
description:
  - For sites without Prometheus (docs/observability.md) - from a list of
    C(clawops.orchestrator.gateway_status) results (each with C(gateway) added), the
    conditions the alert rules watch, named as they are (ClawopsGatewayDown,
    ClawopsGatewayNotReady, ClawopsComponentFailing, ClawopsAgentDrift), in Alertmanager's
    webhook shape - C({version, status, receiver, alerts}) - so the same receivers take it.
  - Each alert carries the fleet's labels of its gateway (org, group, gateway, profile,
    trust_level, wave, provider).
positional: _input
options:
  _input:
    description: The status results.
    type: list
    elements: dict
    required: true
  gateways:
    description: The gateways' C(clawops_gateway) (for their labels).
    type: list
    elements: dict
    default: []
"""

EXAMPLES = r"""
- name: Post the conditions
  ansible.builtin.uri:
    url: https://alerts.example.com/hook
    method: POST
    body_format: json
    body: "{{ statuses | clawops.orchestrator.alert_conditions(gateways=gateways) }}"
"""

RETURN = r"""
_value:
  description: C({version, status, receiver, alerts}); C(status) is V(firing) when any alert is, else V(resolved).
  type: dict
"""

from ansible_collections.clawops.orchestrator.plugins.module_utils._metrics import fleet_labels
from ansible_collections.clawops.orchestrator.plugins.module_utils._status import alert_conditions as conditions


def alert_conditions(statuses, gateways=None):
    labels = dict((g["id"], fleet_labels(g, g.get("provider") or "")) for g in gateways or [] if g.get("id"))
    alerts = conditions(statuses, labels)
    return {"version": "4", "receiver": "clawops-status", "alerts": alerts,
            "status": "firing" if alerts else "resolved"}


class FilterModule(object):
    """Alert conditions of a status run."""

    def filters(self):
        return {"alert_conditions": alert_conditions}
