#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: gateway_gate
short_description: Wait for an OpenClaw gateway to be healthy, or fail saying why
version_added: 0.3.0
description:
  - The health gate of deploys, updates, restores and rollbacks, for both providers. A port
    that answers is not health (unknown paths answer 200 HTML), so it asserts the JSON
    bodies, in order - the gateway container is up (Kubernetes - the pod of the Deployment's
    current template runs its gateway container; image pull errors, crash loops, failed init
    containers and a stopped gateway fail at once), C(/startupz) says started, C(/readyz)
    says ready, then C(openclaw doctor --lint --json --severity-min error) (only when the run
    changed the gateway) and C(openclaw health --json) in the container.
  - On failure the message names the gateway, the stage, its last answer, the platform's
    warnings (Kubernetes events) and the failing container's last log lines (the previous
    run of a container that restarted), on one line; secret values are never in it.
  - In check mode nothing is waited for - the gate runs when the change is applied.
author:
  - clawops contributors (@clawops)
options:
  token:
    description:
      - The gateway token. With it, C(/readyz) on a Compose gateway names the failing
        components (a pod's probe uses the pod's own token). Never returned or logged.
    type: str
  secrets:
    description: Other secret values of the gateway, kept out of every message.
    type: list
    elements: str
    default: []
  deadline:
    description: Seconds each probe may take to pass.
    type: int
    default: 180
  pod_deadline:
    description: Seconds for the gateway container to be up (image pull, volume, init containers).
    type: int
    default: 420
  deep:
    description: Run C(openclaw doctor --lint) and C(openclaw health) in the container too.
    type: bool
    default: true
  changed:
    description: Whether the run changed (created, recreated, restarted) the gateway; doctor runs only then.
    type: bool
    default: true
  hot_applied:
    description: The change was hot-applied (the gateway logged that it took it); then the probes are the gate.
    type: bool
    default: false
  log_lines:
    description: How many of the failing container's last log lines a failure reports.
    type: int
    default: 40
  backends:
    description:
      - The model backends the gateway lists (C(clawops_runtime.backends) - C(id), C(url),
        C(key_env), C(models)). After C(/readyz), the gate waits until each answers
        C(GET <url>/models) from the gateway's own container (its network, its key) and
        serves every model of C(models); a failure names the backend, its URL and what it
        answered.
    type: list
    elements: dict
    default: []
  backend_deadline:
    description: Seconds each model backend may take to answer, once the gateway is ready.
    type: int
    default: 180
extends_documentation_fragment:
  - clawops.orchestrator.gateway_endpoint
  - clawops.orchestrator.reads_only
"""

EXAMPLES = r"""
- name: Gate a gateway of the inventory
  clawops.orchestrator.gateway_gate:
    endpoint: "{{ clawops_runtime.endpoint }}"
    token: "{{ gateway_secrets_values.OPENCLAW_GATEWAY_TOKEN }}"
    deadline: 180
"""

RETURN = r"""
checked:
  description: The stages passed, in order (their names as a failure would give them).
  returned: unless in check mode
  type: list
  elements: str
  sample: [Wait for the gateway container to run, Wait for /startupz to report started,
           Wait for /readyz to report ready, Run openclaw health inside the instance]
container:
  description: The gateway container's (or pod's) state when it was up.
  returned: unless in check mode
  type: dict
startup:
  description: The C(/startupz) answer.
  returned: unless in check mode
  type: dict
ready:
  description: The C(/readyz) answer.
  returned: unless in check mode
  type: dict
backends:
  description: Per backend id, its C(/models) answer from the gateway (C(status), C(models), C(ms)).
  returned: when the gateway lists backends
  type: dict
doctor:
  description: C(rc) of C(openclaw doctor).
  returned: when it ran
  type: dict
health:
  description: C(rc) of C(openclaw health).
  returned: when it ran
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.orchestrator.plugins.module_utils._gate import GateFailed, gate
from ansible_collections.clawops.orchestrator.plugins.module_utils._gateway_client import (
    ENDPOINT_OPTION, GatewayProblem, connect)
from ansible_collections.clawops.orchestrator.plugins.module_utils._http import http_get
from ansible_collections.clawops.orchestrator.plugins.module_utils._k8s_api import ClusterError
from ansible_collections.clawops.orchestrator.plugins.module_utils._redact import scrub_text


def main():
    module = AnsibleModule(
        argument_spec=dict(
            endpoint=ENDPOINT_OPTION,
            token=dict(type="str", no_log=True),
            secrets=dict(type="list", elements="str", default=[], no_log=True),
            deadline=dict(type="int", default=180),
            pod_deadline=dict(type="int", default=420),
            deep=dict(type="bool", default=True),
            changed=dict(type="bool", default=True),
            hot_applied=dict(type="bool", default=False),
            log_lines=dict(type="int", default=40),
            backends=dict(type="list", elements="dict", default=[]),
            backend_deadline=dict(type="int", default=180),
        ),
        supports_check_mode=True,
    )
    params = module.params
    instance = params["endpoint"]["instance"]
    if module.check_mode:
        module.exit_json(changed=False, msg="check mode: %s is gated when the change is applied"
                         % instance)
    secrets = [value for value in [params["token"]] + params["secrets"] if value]
    try:
        client = connect(params["endpoint"], run=module.run_command, http=http_get,
                         docker=module.get_bin_path("docker") or "docker")
        seen = gate(client, params["token"], params["deadline"], params["pod_deadline"],
                    params["deep"], params["changed"], params["hot_applied"],
                    params["log_lines"], params["backends"], params["backend_deadline"])
    except GateFailed as exc:
        module.fail_json(msg=scrub_text(exc.message(), secrets), stage=exc.stage)
    except (GatewayProblem, ClusterError) as exc:
        module.fail_json(msg="health gate of %s: %s" % (instance, scrub_text(str(exc), secrets)))
    module.exit_json(changed=False, **seen)


if __name__ == "__main__":
    main()
