#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: gateway_status
short_description: Real status of an OpenClaw gateway (container or pod, probes, live agents)
version_added: 0.1.0
description:
  - "One code path for both providers, over the gateway client (O(endpoint)) - Compose: on
    the Docker host of the gateway (container state from C(docker inspect), memory from
    C(docker stats), probes over HTTP at the published address); Kubernetes: from the
    controller (the Deployment and the pod of its current template, probes in the pod with
    the pod's own token, the container's cgroup memory)."
  - "Probes C(/startupz) and C(/readyz) (JSON bodies; with the gateway token C(/readyz) names
    the failing components), asks the gateway for its live agents and routes (C(openclaw
    agents list --json --bindings) in the container) and reads the last problem lines of its
    log."
  - "State: V(running) (up and ready), V(degraded) (up, not ready or not answering), V(stopped)
    (exited 0), V(failed) (restarting, OOM-killed or exited non-zero), V(absent)."
  - Never changes anything.
author:
  - clawops contributors (@clawops)
options:
  token:
    description: Gateway token for authenticated probes. Never returned or logged.
    type: str
  declared_agents:
    description: Agent ids the fleet declares for this gateway.
    type: list
    elements: str
    default: []
  declared_bindings:
    description: The rendered C(bindings) of the gateway's config.
    type: list
    elements: dict
    default: []
  log_lines:
    description: How many recent problem log lines to return.
    type: int
    default: 10
  timeout:
    description: Seconds for each probe and command.
    type: int
    default: 15
  backends:
    description:
      - The model backends the gateway lists (C(clawops_runtime.backends)). For each, the
        connection as the gateway sees it - C(GET <url>/models) from its container, with its
        key - is reported under RV(backends).
    type: list
    elements: dict
    default: []
extends_documentation_fragment:
  - clawops.orchestrator.gateway_endpoint
  - clawops.orchestrator.reads_only
"""

EXAMPLES = r"""
- name: Status of a gateway of the inventory
  clawops.orchestrator.gateway_status:
    endpoint: "{{ clawops_runtime.endpoint }}"
    declared_agents: "{{ clawops_gateway.agents }}"
    declared_bindings: "{{ (clawops_config_text | from_json).bindings | default([]) }}"
    token: "{{ gateway_token }}"
  register: status
"""

RETURN = r"""
state:
  description: running, degraded, stopped, failed or absent.
  returned: always
  type: str
container:
  description:
    - Compose - status, running, restarting, exit code, start time, restart count and health of
      the container.
    - K8s - the pod, its phase, running, started, ready, restarts, image, start time and why it is
      not running (C(reason)).
  returned: always
  type: dict
version:
  description:
    - OpenClaw version - from C(/startupz) when it reports one, else the image's
      C(org.opencontainers.image.version) label (openclaw 2026.9.6 reports none).
  returned: when known
  type: str
uptime_s:
  description: Seconds since the gateway process started (C(/readyz) uptimeMs).
  returned: when authenticated C(/readyz) answers
  type: float
ready:
  description: C(/readyz) ready flag.
  returned: always
  type: bool
failing:
  description: Components C(/readyz) reports failing (needs the token).
  returned: always
  type: list
  elements: str
agents:
  description: Declared vs live agents and bindings, with C(drift).
  returned: always
  type: dict
memory:
  description: Memory use and limit in bytes.
  returned: when the container runs
  type: dict
backends:
  description:
    - Per model backend the gateway lists - C(id), C(url), C(reachable) (answers
      C(/models) with every declared model), C(models) (what it serves), C(ms) (the
      request's latency from the gateway's container) and C(problem) (why not reachable).
  returned: when the gateway runs and lists backends
  type: list
  elements: dict
last_errors:
  description: The last log lines that look like problems.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.orchestrator.plugins.module_utils._gate import backend_problem
from ansible_collections.clawops.orchestrator.plugins.module_utils._gateway_client import (
    ENDPOINT_OPTION, GatewayProblem, connect)
from ansible_collections.clawops.orchestrator.plugins.module_utils._http import http_get
from ansible_collections.clawops.orchestrator.plugins.module_utils._k8s_api import ClusterError
from ansible_collections.clawops.orchestrator.plugins.module_utils._status import (
    compare, error_lines)


def backend_connection(client, backend, timeout):
    """How the gateway reaches one model backend, from its own container."""
    answer = client.backend(backend["url"], backend["key_env"], timeout)
    problem = backend_problem(backend, answer)
    answer = answer or {}
    return {"id": backend["id"], "url": backend["url"], "reachable": problem is None,
            "models": answer.get("models") or [], "ms": answer.get("ms"), "problem": problem}


def status(client, params):
    """The gateway's status through its client, the same steps for both providers."""
    state = client.state()
    result = {"changed": False, "instance": client.instance, "ready": False, "failing": [],
              "last_errors": [], "container": client.container_view(state)}
    if state.get("version"):
        result["version"] = state["version"]
    ready = None
    live = None
    if state["running"]:
        startup = client.probe("startup", timeout=params["timeout"])
        if startup and startup.get("version"):
            result["version"] = startup["version"]
        ready = client.probe("ready", params["token"], params["timeout"])
        if ready:
            result["ready"] = ready.get("ready") is True
            result["failing"] = ready.get("failing") or []
            if ready.get("uptimeMs") is not None:
                result["uptime_s"] = round(ready["uptimeMs"] / 1000.0, 1)
        live = client.cli_json(["agents", "list", "--json", "--bindings"], params["timeout"])
        memory = client.memory()
        if memory:
            result["memory"] = memory
        if params.get("backends"):
            result["backends"] = [backend_connection(client, backend, params["timeout"])
                                  for backend in params["backends"]]
    result["agents"] = compare(params["declared_agents"], params["declared_bindings"], live)
    result["agents"]["live_available"] = live is not None
    if state.get("present"):
        result["last_errors"] = error_lines(client.logs(200).splitlines(), params["log_lines"])
    result["state"] = client.classify(ready)
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            endpoint=ENDPOINT_OPTION,
            token=dict(type="str", no_log=True),
            declared_agents=dict(type="list", elements="str", default=[]),
            declared_bindings=dict(type="list", elements="dict", default=[]),
            log_lines=dict(type="int", default=10),
            timeout=dict(type="int", default=15),
            backends=dict(type="list", elements="dict", default=[]),
        ),
        supports_check_mode=True,
    )
    instance = module.params["endpoint"]["instance"]
    try:
        client = connect(module.params["endpoint"], run=module.run_command, http=http_get,
                         docker=module.get_bin_path("docker") or "docker")
        module.exit_json(**status(client, module.params))
    except (GatewayProblem, ClusterError) as exc:
        module.fail_json(msg="gateway_status %s: %s" % (instance, exc))


if __name__ == "__main__":
    main()
