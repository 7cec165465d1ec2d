#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: gateway_drift
short_description: Three-way drift of one OpenClaw gateway - fleet, persisted file, running gateway
version_added: 0.9.0
description:
  - Compares what the fleet declares (O(content), the rendered C(openclaw.json)) with what is
    persisted (the file at O(path) on a Compose host, or the ConfigMap O(config_map) a pod
    mounts) and with what the running gateway uses (OpenClaw's C(gateway call config.get) -
    its runtime config, and whether the revision on disk is the one it applied - and
    C(agents list)), leaf by leaf.
  - Reads only; never writes. C(playbooks/drift.yml) repairs drift through the normal change
    path (docs/day2.md, "Drift").
  - Values in the report are redacted by key and by value.
author:
  - clawops contributors (@clawops)
options:
  content:
    description: The declared config (C(clawops_config_text)).
    type: str
    required: true
  path:
    description: Compose - the persisted openclaw.json on the Docker host.
    type: path
  config_map:
    description: Kubernetes - the ConfigMap the gateway's pod mounts.
    type: str
  agents:
    description: The declared agent ids.
    type: list
    elements: str
    default: []
  timeout:
    description: Seconds each question to the gateway may take.
    type: int
    default: 30
  ownership:
    description: The config paths the gateway owns (C(clawops_runtime.config_ownership));
      a difference there is reported under RV(owned) with its mode, not as drift.
    type: dict
    default: {}
attributes:
  check_mode:
    description: Reads only, in check mode as in a run.
    support: full
  diff_mode:
    description: Shows declared and persisted as before/after when they differ.
    support: full
  idempotent:
    description: It never changes anything.
    support: full
extends_documentation_fragment:
  - clawops.orchestrator.gateway_endpoint
"""

EXAMPLES = r"""
- name: Drift of a gateway of the inventory
  clawops.orchestrator.gateway_drift:
    endpoint: "{{ clawops_runtime.endpoint }}"
    content: "{{ clawops_config_text }}"
    path: "{{ clawops_runtime.host_paths.config_path }}"
    agents: "{{ clawops_runtime.agents | map(attribute='id') | list }}"
  register: drift
"""

RETURN = r"""
drift:
  description: Whether anything differs (file, runtime, agents).
  returned: always
  type: bool
declared_vs_persisted:
  description: Leaves where the file differs from the fleet at managed paths (path,
    declared, persisted; redacted) - drift, repaired by remediate.
  returned: always
  type: list
  elements: dict
owned:
  description: Leaves where the file differs from the fleet at paths the gateway owns
    (path, declared, persisted, owner - seed_only or observed); not drift, never repaired.
  returned: always
  type: list
  elements: dict
persisted_vs_runtime:
  description: Leaves of the file the running gateway holds otherwise (path, persisted, runtime).
  returned: always
  type: list
  elements: dict
runtime:
  description: What the gateway said (valid, revision, applied_revision, applied, issues); null when it could not be asked.
  returned: always
  type: dict
agents:
  description: Declared and live agents, missing and extra.
  returned: always
  type: dict
summary:
  description: One line per kind of drift.
  returned: always
  type: list
  elements: str
"""

import json

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.orchestrator.plugins.module_utils._drift import report
from ansible_collections.clawops.orchestrator.plugins.module_utils._gateway_client import (
    ENDPOINT_OPTION, GatewayProblem, connect)
from ansible_collections.clawops.orchestrator.plugins.module_utils._hot import FileTarget
from ansible_collections.clawops.orchestrator.plugins.module_utils._k8s_api import (
    ClusterError, ConfigMapTarget)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            endpoint=ENDPOINT_OPTION,
            content=dict(type="str", required=True),
            path=dict(type="path"),
            config_map=dict(type="str"),
            agents=dict(type="list", elements="str", default=[]),
            timeout=dict(type="int", default=30),
            ownership=dict(type="dict", default={}),
        ),
        required_one_of=[("path", "config_map")],
        supports_check_mode=True,
    )
    p = module.params
    instance = p["endpoint"]["instance"]
    try:
        declared = json.loads(p["content"])
    except ValueError as exc:
        module.fail_json(msg="gateway_drift %s: content is not JSON (%s): pass "
                             "clawops_config_text" % (instance, exc))
    try:
        client = connect(p["endpoint"], run=module.run_command,
                         docker=module.get_bin_path("docker") or "docker")
        if p["config_map"]:
            target = ConfigMapTarget(client.cluster, client.namespace, p["config_map"],
                                     client.deployment, client.pods, None)
        else:
            target = FileTarget(p["path"], None)
        text = target.read()
        running = client.state().get("running")
        config_get = live = None
        if running:
            config_get = client.cli_json(["gateway", "call", "config.get", "--json"],
                                         p["timeout"])
            agents = client.cli_json(["agents", "list", "--json"], p["timeout"])
            if isinstance(agents, list):
                live = [a.get("id") for a in agents if isinstance(a, dict)]
    except (GatewayProblem, ClusterError) as exc:
        module.fail_json(msg="gateway_drift %s: %s" % (instance, exc))
    persisted = None
    if text is not None:
        try:
            persisted = json.loads(text)
        except ValueError as exc:
            persisted = {"(unreadable)": "the persisted file is not JSON: %s" % exc}
    found = report(declared, persisted, config_get, p["agents"], live,
                   ownership=p["ownership"])
    if running and config_get is None:
        found["summary"].append("the running gateway did not answer config.get: its runtime "
                                "was not compared")
    if not running:
        found["summary"].append("the gateway does not run: its runtime was not compared")
    result = dict(changed=False, **found)
    if module._diff and found["declared_vs_persisted"]:
        result["diff"] = {"before": {d["path"]: d["persisted"]
                                     for d in found["declared_vs_persisted"]},
                          "after": {d["path"]: d["declared"]
                                    for d in found["declared_vs_persisted"]}}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
