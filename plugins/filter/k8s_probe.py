# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: k8s_probe
short_description: The command that probes a gateway from inside its pod
version_added: 0.2.0
description:
  - A C(node -e ...) one-liner, as one shell-quoted string for
    C(kubernetes.core.k8s_exec), that fetches C(/startupz), C(/readyz) or C(/healthz) on the
    gateway's port inside the pod, prints the body and exits 0 only when the JSON body says
    started, ready or live (unknown paths answer 200 HTML, so the status code proves nothing).
    C(/readyz) is asked with the pod's own C(OPENCLAW_GATEWAY_TOKEN), so it names the failing
    components; the token never appears in the command.
  - The Deployment's startup, readiness and liveness probes run the same code.
positional: _input
options:
  _input:
    description: The gateway port.
    type: int
    required: true
  kind:
    description: Which probe.
    type: str
    choices: [startup, ready, live]
    required: true
  node:
    description: The node binary in the image.
    type: str
    default: node
"""

EXAMPLES = r"""
- name: Ask /readyz inside the pod
  kubernetes.core.k8s_exec:
    namespace: acme-gateways
    pod: "{{ pod_name }}"
    container: gateway
    command: "{{ clawops_runtime.port | clawops.orchestrator.k8s_probe('ready') }}"
"""

RETURN = r"""
_value:
  description: The command line.
  type: str
"""

from ansible_collections.clawops.orchestrator.plugins.module_utils._k8s_manifests import (
    probe_command)


def k8s_probe(port, kind, node="node"):
    return probe_command(int(port), kind, kind == "ready", node)


class FilterModule(object):
    """In-pod probe commands."""

    def filters(self):
        return {"k8s_probe": k8s_probe}
