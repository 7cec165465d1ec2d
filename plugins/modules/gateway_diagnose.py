#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: gateway_diagnose
short_description: A gateway's own diagnostics - doctor, logs and status - in one call
version_added: 0.4.0
description:
  - "Runs OpenClaw's own diagnostics where the gateway runs, the same for both providers
    (the gateway client of O(endpoint) - Compose: C(docker exec) and C(docker logs) on the
    gateway's Docker host; Kubernetes: exec and logs of its pod, from the controller)."
  - "V(doctor): C(openclaw doctor --lint --json) (every severity; lint only, nothing is
    repaired). V(status): C(openclaw status --json). V(logs): the last O(log_lines) lines of
    the gateway's output (on Kubernetes the previous run's when the container restarted and
    is not running)."
  - Credential-shaped text in what the gateway prints is redacted; the gateway's token is
    never on a command line.
author:
  - clawops contributors (@clawops)
options:
  what:
    description: Which diagnostics.
    type: list
    elements: str
    choices: [doctor, status, logs]
    default: [doctor, status, logs]
  log_lines:
    description: How many of the gateway's last output lines V(logs) returns.
    type: int
    default: 200
  timeout:
    description: Seconds each CLI run may take in the container (a CLI start in a busy
      container takes long).
    type: int
    default: 300
extends_documentation_fragment:
  - clawops.orchestrator.gateway_endpoint
  - clawops.orchestrator.reads_only
"""

EXAMPLES = r"""
- name: Doctor, status and the last log lines of a gateway
  clawops.orchestrator.gateway_diagnose:
    endpoint: "{{ clawops_runtime.endpoint }}"
  register: diagnosis

- name: Only its logs
  clawops.orchestrator.gateway_diagnose:
    endpoint: "{{ clawops_runtime.endpoint }}"
    what: [logs]
    log_lines: 500
"""

RETURN = r"""
running:
  description: Whether the gateway's container (pod) runs; doctor and status need it.
  returned: always
  type: bool
doctor:
  description: C(rc), C(findings) (the parsed JSON, when it printed JSON) and C(output) (its
    text otherwise).
  returned: when doctor is asked for
  type: dict
status:
  description: C(rc), C(report) (the parsed JSON) or C(output).
  returned: when status is asked for
  type: dict
logs:
  description: The gateway's last output lines.
  returned: when logs are asked for
  type: list
  elements: str
"""

import json

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.orchestrator.plugins.module_utils._gateway_client import (
    ENDPOINT_OPTION, GatewayProblem, connect)
from ansible_collections.clawops.orchestrator.plugins.module_utils._http import http_get
from ansible_collections.clawops.orchestrator.plugins.module_utils._k8s_api import ClusterError
from ansible_collections.clawops.orchestrator.plugins.module_utils._redact import redact

COMMANDS = {"doctor": ["doctor", "--lint", "--json"], "status": ["status", "--json"]}


def _parsed(text):
    """The JSON document a CLI printed (after any banner lines), or None."""
    text = text or ""
    for start in (text.find("{"), text.find("[")):
        if start >= 0:
            try:
                return json.loads(text[start:])
            except ValueError:
                continue
    return None


def diagnose(client, params):
    state = client.state()
    result = {"changed": False, "instance": client.instance, "running": bool(state["running"])}
    for what in ("doctor", "status"):
        if what not in params["what"]:
            continue
        if not state["running"]:
            result[what] = {"rc": None, "output": "the gateway does not run: nothing to ask"}
            continue
        rc, out, err = client.cli(COMMANDS[what], params["timeout"])
        found = _parsed(out)
        entry = {"rc": rc}
        if found is not None:
            entry["findings" if what == "doctor" else "report"] = redact(found)
        else:
            entry["output"] = redact(((out or "") + (err or "")).strip()[-20000:])
        result[what] = entry
    if "logs" in params["what"]:
        result["logs"] = [redact(line) for line in
                          client.logs(params["log_lines"]).splitlines()[-params["log_lines"]:]]
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            endpoint=ENDPOINT_OPTION,
            what=dict(type="list", elements="str", choices=["doctor", "status", "logs"],
                      default=["doctor", "status", "logs"]),
            log_lines=dict(type="int", default=200),
            timeout=dict(type="int", default=300),
        ),
        supports_check_mode=True,
    )
    instance = module.params["endpoint"]["instance"]
    try:
        client = connect(module.params["endpoint"], run=module.run_command, http=http_get,
                         docker=module.get_bin_path("docker") or "docker")
        module.exit_json(**diagnose(client, module.params))
    except (GatewayProblem, ClusterError) as exc:
        module.fail_json(msg="gateway_diagnose %s: %s" % (instance, exc))


if __name__ == "__main__":
    main()
