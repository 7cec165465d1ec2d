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
  - "Compose (O(provider=compose)): runs on the Docker host of one gateway. Reads the container
    state (C(docker inspect)), probes
    C(/startupz) and C(/readyz) (JSON bodies, with the gateway token so C(/readyz) names the
    failing components), asks the gateway for its live agents and routes
    (C(openclaw agents list --json --bindings) inside the container), its memory use
    (C(docker stats)) and the last problem lines of its log."
  - "Kubernetes (O(provider=k8s)): runs on the controller. Reads the gateway's Deployment and the
    pod of its current template, probes C(/startupz) and C(/readyz) inside the pod (with the
    pod's own token), asks for the live agents there, reads the container's cgroup memory use
    and the last problem lines of its log."
  - "State: V(running) (up and ready), V(degraded) (up, not ready or not answering), V(stopped)
    (exited 0), V(failed) (restarting, OOM-killed or exited non-zero), V(absent)."
  - Never changes anything.
author:
  - clawops contributors (@clawops)
options:
  instance:
    description: The gateway's instance name (its container, or its Deployment's pods' label).
    type: str
    required: true
  port:
    description: Gateway port (published on the host for Compose; in the pod for K8s).
    type: int
    required: true
  address:
    description: Address the port is published on.
    type: str
    default: 127.0.0.1
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
attributes:
  check_mode:
    description: Reads only.
    support: full
  diff_mode:
    description: Nothing changes.
    support: none
  idempotent:
    description: Reads only.
    support: full
extends_documentation_fragment:
  - clawops.orchestrator.k8s_gateway
"""

EXAMPLES = r"""
- name: Status of a gateway of the inventory
  clawops.orchestrator.gateway_status:
    instance: "{{ clawops_runtime.instance }}"
    port: "{{ clawops_runtime.port }}"
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
last_errors:
  description: The last log lines that look like problems.
  returned: always
  type: list
  elements: str
"""

import json
import re

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import open_url

from ansible_collections.clawops.orchestrator.plugins.module_utils._cli import bounded
from ansible_collections.clawops.orchestrator.plugins.module_utils._devices import (
    DevicesProblem, parse_json)
from ansible_collections.clawops.orchestrator.plugins.module_utils._k8s_api import (
    K8S_GATEWAY_ARGS, ClusterError, connect_gateway)
from ansible_collections.clawops.orchestrator.plugins.module_utils._k8s_manifests import (
    probe_argv)
from ansible_collections.clawops.orchestrator.plugins.module_utils._k8s_status import (
    classify as classify_k8s, gateway_pod)
from ansible_collections.clawops.orchestrator.plugins.module_utils._status import (
    classify, compare, error_lines, parse_size)


def _probe(url, token, timeout):
    headers = {"Authorization": "Bearer " + token} if token else {}
    try:
        answer = open_url(url, headers=headers, timeout=timeout, follow_redirects="none")
        body = answer.read()
    except HTTPError as err:
        body = err.read()
    except (URLError, OSError, ValueError):
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None  # unknown paths answer 200 HTML: not a probe answer
    return data if isinstance(data, dict) else None


def _json_of(text):
    try:
        data = json.loads(text or "")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _live_agents(text):
    try:
        return parse_json(text, "openclaw agents list")
    except DevicesProblem:
        return None


_MEMORY_READ = ("cat /sys/fs/cgroup/memory.current 2>/dev/null || "
                "cat /sys/fs/cgroup/memory/memory.usage_in_bytes")


def run_k8s(module):
    params = module.params
    instance, namespace = params["instance"], params["namespace"]
    timeout = params["timeout"]
    try:
        cluster, deployment, pods = connect_gateway(params, instance)
    except ClusterError as exc:
        module.fail_json(msg="gateway_status %s: %s" % (instance, exc))
    pod = gateway_pod(deployment, pods)
    result = {"changed": False, "instance": instance, "ready": False, "failing": [],
              "last_errors": [], "container": dict(pod)}
    if deployment:
        template = deployment["spec"]["template"]["spec"]["containers"][0]
        result["container"]["image"] = template.get("image")
        for item in pods:
            if item["metadata"]["name"] == pod["pod"]:
                result["container"]["started_at"] = item.get("status", {}).get("startTime")
    ready = None
    if pod["running"]:
        def in_pod(argv):
            return cluster.exec(namespace, pod["pod"], "gateway", argv, timeout)

        startup = _json_of(in_pod(probe_argv(params["port"], "startup", False))[1])
        if startup and startup.get("version"):
            result["version"] = startup["version"]
        ready = _json_of(in_pod(probe_argv(params["port"], "ready", True))[1])
        if ready:
            result["ready"] = ready.get("ready") is True
            result["failing"] = ready.get("failing") or []
            if ready.get("uptimeMs") is not None:
                result["uptime_s"] = round(ready["uptimeMs"] / 1000.0, 1)
        rc, out, dummy = in_pod(["/usr/local/bin/openclaw", "agents", "list", "--json",
                                 "--bindings"])
        live = _live_agents(out) if rc == 0 else None
        result["agents"] = compare(params["declared_agents"], params["declared_bindings"], live)
        result["agents"]["live_available"] = live is not None
        rc, out, dummy = in_pod(["/bin/sh", "-c", _MEMORY_READ])
        limit = template.get("resources", {}).get("limits", {}).get("memory")
        if rc == 0 and out.strip().isdigit():
            result["memory"] = {"used_bytes": int(out.strip()),
                                "limit_bytes": parse_size(re.sub(r"i$", "iB", limit or ""))}
    else:
        result["agents"] = compare(params["declared_agents"], params["declared_bindings"], None)
        result["agents"]["live_available"] = False
    if pod["pod"]:
        lines = cluster.logs(namespace, pod["pod"], pod["container"] or "gateway")
        result["last_errors"] = error_lines(lines.splitlines(), params["log_lines"])
    result["state"] = classify_k8s(deployment, pod, ready)
    return result


def run(module):
    params = module.params
    docker = module.get_bin_path("docker", required=True)
    instance = params["instance"]
    result = {"changed": False, "instance": instance, "ready": False, "failing": [],
              "last_errors": [], "container": {}}
    rc, out, err = module.run_command(bounded([docker, "inspect", instance]))
    state = None
    if rc == 0:
        info = json.loads(out)[0]
        state = info.get("State", {})
        result["container"] = {
            "status": state.get("Status"), "running": state.get("Running"),
            "restarting": state.get("Restarting"), "exit_code": state.get("ExitCode"),
            "started_at": state.get("StartedAt"), "restart_count": info.get("RestartCount"),
            "health": (state.get("Health") or {}).get("Status"),
            "image": info.get("Config", {}).get("Image"),
        }
        labels = info.get("Config", {}).get("Labels") or {}
        if labels.get("org.opencontainers.image.version"):
            result["version"] = labels["org.opencontainers.image.version"]
    base = "http://%s:%d" % (params["address"], params["port"])
    ready = None
    if state and state.get("Running"):
        startup = _probe(base + "/startupz", None, params["timeout"])
        if startup and startup.get("version"):
            result["version"] = startup["version"]
        ready = _probe(base + "/readyz", params["token"], params["timeout"])
        if ready:
            result["ready"] = ready.get("ready") is True
            result["failing"] = ready.get("failing") or []
            if ready.get("uptimeMs") is not None:
                result["uptime_s"] = round(ready["uptimeMs"] / 1000.0, 1)
        rc, out, err = module.run_command(bounded(
            [docker, "exec", instance, "/usr/local/bin/openclaw", "agents", "list", "--json",
             "--bindings"]))
        live = None
        if rc == 0:
            try:
                live = parse_json(out, "openclaw agents list")
            except DevicesProblem:
                live = None
        result["agents"] = compare(params["declared_agents"], params["declared_bindings"], live)
        result["agents"]["live_available"] = live is not None
        rc, out, err = module.run_command(bounded(
            [docker, "stats", "--no-stream", "--format", "{{.MemUsage}}", instance]))
        if rc == 0 and "/" in out:
            used, limit = out.strip().split("/", 1)
            result["memory"] = {"used_bytes": parse_size(used), "limit_bytes": parse_size(limit)}
    else:
        result["agents"] = compare(params["declared_agents"], params["declared_bindings"], None)
        result["agents"]["live_available"] = False
    if state is not None:
        rc, out, err = module.run_command(bounded([docker, "logs", "--tail", "200", instance]))
        result["last_errors"] = error_lines((out + err).splitlines(), params["log_lines"])
    result["state"] = classify(state, ready)
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            instance=dict(type="str", required=True),
            port=dict(type="int", required=True),
            address=dict(type="str", default="127.0.0.1"),
            token=dict(type="str", no_log=True),
            declared_agents=dict(type="list", elements="str", default=[]),
            declared_bindings=dict(type="list", elements="dict", default=[]),
            log_lines=dict(type="int", default=10),
            timeout=dict(type="int", default=15),
            **K8S_GATEWAY_ARGS
        ),
        supports_check_mode=True,
    )
    module.exit_json(**(run_k8s(module) if module.params["provider"] == "k8s" else run(module)))


if __name__ == "__main__":
    main()
