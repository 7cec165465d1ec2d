# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: k8s_gateway_pod
short_description: The pod that runs a gateway Deployment's current template, and its state
version_added: 0.2.0
description:
  - From a gateway's Deployment and its pods (as C(kubernetes.core.k8s_info) returns them),
    picks the newest pod of the Deployment's current template (same image and clawops
    config/env/seeds digests; pods being deleted are skipped) and says how it is doing -
    running, started, ready, restarts - and whether waiting can still help (V(hopeless) for
    image pull errors, crash loops, failed init containers, a stopped Deployment).
positional: _input
options:
  _input:
    description: The Deployment (a dict; empty or none when it does not exist).
    type: raw
    required: true
  pods:
    description: The gateway's pods.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Pick the pod
  ansible.builtin.set_fact:
    pod_state: >-
      {{ (deployment_info.resources | first | default({}))
         | clawops.orchestrator.k8s_gateway_pod(pods=pod_info.resources) }}
"""

RETURN = r"""
_value:
  description: C(pod), C(phase), C(running), C(started), C(ready), C(restarts), C(hopeless),
    C(reason), C(container), C(pods), C(replicas).
  type: dict
"""

from ansible_collections.clawops.orchestrator.plugins.module_utils._k8s_status import gateway_pod


def k8s_gateway_pod(deployment, pods):
    return gateway_pod(deployment or None, pods or [])


class FilterModule(object):
    """Gateway pod state."""

    def filters(self):
        return {"k8s_gateway_pod": k8s_gateway_pod}
