#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: gateway_config
short_description: Write a gateway's openclaw.json and let the running gateway hot-apply it
version_added: 0.2.0
description:
  - Compose - runs where the gateway's config file lives (its Docker host). Kubernetes - runs on
    the controller and works on the ConfigMap the pod mounts as a directory. Compares the
    deployed C(openclaw.json) with the rendered one and classifies every changed path with
    the pinned OpenClaw's reload rules (hot, none, restart; C(gateway.reload.mode=off) makes
    every change a restart).
  - The file is replaced atomically (a new inode in the mounted config directory, which the
    gateway's watcher sees). On Kubernetes the ConfigMap is patched and the pod is annotated
    so that the kubelet syncs its volumes at once instead of at its next periodic sync; the
    gateway's log is read by exec in the pod.
  - With O(hot=true), a change whose every path hot-applies is handed to the running gateway -
    no restart - and the module waits until the gateway's own log (JSON lines of
    C(logging.file)) reports the reload applied. A reload the gateway refuses (invalid config)
    or does not report within O(timeout) puts the previous file back (the gateway keeps
    serving what it ran) and fails.
  - Otherwise the file is only written and RV(applied) says whether the caller has to restart
    the gateway for it (V(restart)). A C(logging.level) above V(info) hides the verdict, so
    such a gateway restarts for every change.
author:
  - clawops contributors (@clawops)
extends_documentation_fragment:
  - clawops.orchestrator.gateway_endpoint
options:
  path:
    description: Compose - the deployed C(openclaw.json) (in the directory the gateway mounts).
    type: path
  content:
    description: The exact text the gateway is to run (C(clawops_config_text)).
    type: str
    required: true
  ownership:
    description:
      - Config paths the gateway owns (C(clawops_runtime.config_ownership)) - dotted path
        patterns to C(seed_only) or C(observed). The file's values at those paths are kept
        (a seed_only path once the file has it); a file that differs from the fleet only
        there, or only by OpenClaw's write marker C(meta), is left as it is.
      - When any path is owned, the file is given to the gateway's uid (it writes it).
    type: dict
    default: {}
  hot:
    description:
      - Hand a hot-only change to the running gateway and wait for it to apply it.
      - Compose - the caller sets it when the gateway runs and nothing else of it (image, env,
        project) changes in the same run. K8s - the module checks that itself (O(spec_sha256)).
    type: bool
    default: false
  log_path:
    description:
      - The gateway's JSON log file - on the Docker host (C(clawops_runtime.host_paths.log_file)),
        or in the pod (C(clawops_runtime.paths.log_file)).
    type: str
  config_map:
    description: K8s - the ConfigMap that holds C(openclaw.json).
    type: str
  spec_sha256:
    description:
      - K8s - the rendered Deployment's spec digest. A hot apply needs the live Deployment to
        carry the same one (the pod stays as it is) and a ready pod.
    type: str
  seeds:
    description:
      - K8s - the rendered workspace seeds ConfigMap (the object C(k8s_manifests) builds). With
        O(hot) and a pod of the rendered Deployment ready, a changed one is applied first, and
        once the pod's mount shows it, its seed script copies what is missing into the
        workspaces by exec in the gateway container - a new agent's workspace is there before
        the gateway takes the config that names it, and the pod stays.
    type: dict
  timeout:
    description: Seconds the gateway gets to report a hot reload (and the pod's mount to show new seeds).
    type: float
    default: 90
  field_manager:
    description: K8s - the server-side apply field manager the ConfigMap is written as (the role's).
    type: str
    default: clawops
attributes:
  check_mode:
    description: Reports the reload plan (hot or restart, and the paths that decided it) and the diff; writes nothing.
    support: full
  diff_mode:
    description: The old and new file.
    support: full
notes:
  - The reload rules are those of the pinned OpenClaw version (module_utils/_reload.py, tested
    against the installed package).
"""

EXAMPLES = r"""
- name: Write openclaw.json, hot-applied when only hot paths changed
  clawops.orchestrator.gateway_config:
    endpoint: "{{ clawops_runtime.endpoint }}"
    path: "{{ clawops_runtime.host_paths.config_path }}"
    content: "{{ clawops_config_text }}"
    log_path: "{{ clawops_runtime.host_paths.log_file }}"
    hot: true
  register: config_result

- name: Restart when it needs one
  ansible.builtin.debug:
    msg: "{{ config_result.reload.restart_paths }}"
  when: config_result.applied == 'restart'
"""

RETURN = r"""
reload:
  description: How the running gateway takes the change.
  returned: always
  type: dict
  contains:
    action:
      description: V(none) (no change), V(hot) (every changed path is applied by the running gateway) or V(restart).
      type: str
    paths:
      description: Every changed path with its kind (hot, none, restart) and the rule that decided it.
      type: list
      elements: dict
    restart_paths:
      description: The changed paths that need a restart.
      type: list
      elements: str
  sample: {action: hot, paths: [{path: agents.entries.carol, kind: hot, rule: agents}], restart_paths: []}
applied:
  description:
    - V(none) nothing changed; V(hot) the running gateway reported the change applied; V(restart)
      the file is written and the gateway has to be (re)started for it; in check mode what a run
      would do (V(hot) or V(restart)).
  returned: always
  type: str
  sample: hot
gateway_said:
  description: The gateway's log message that ended the wait (hot apply only).
  returned: when O(hot) waited
  type: str
  sample: config hot reload applied (agents.entries.carol)
seconds:
  description: Seconds from the write to the gateway's verdict.
  returned: when O(hot) waited
  type: float
seeded:
  description: K8s - what the seed script copied into the running pod's workspaces (empty when it found everything there).
  returned: when O(seeds) changed and were handed to the running pod
  type: list
  elements: str
  sample: [seeded scout/AGENTS.md, seeded scout/IDENTITY.md]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.orchestrator.plugins.module_utils._hosttree import GATEWAY_UID
from ansible_collections.clawops.orchestrator.plugins.module_utils._hot import (
    ConfigTextError, FileTarget, HotApplyFailed, apply)
from ansible_collections.clawops.orchestrator.plugins.module_utils._ownership import writable
from ansible_collections.clawops.orchestrator.plugins.module_utils._gateway_client import (
    ENDPOINT_OPTION, GatewayProblem, connect)
from ansible_collections.clawops.orchestrator.plugins.module_utils._k8s_api import (
    ClusterError, ConfigMapTarget)


def _is_k8s(params):
    return params["endpoint"]["provider"] == "k8s"


def _target(module):
    params = module.params
    if not _is_k8s(params):
        if not params["path"]:
            module.fail_json(msg="gateway_config of a Compose gateway needs path (the "
                                 "deployed openclaw.json on the Docker host)")
        owner = GATEWAY_UID if writable(params["ownership"]) else 0
        return FileTarget(params["path"], params["log_path"], owner)
    if not params["config_map"]:
        module.fail_json(msg="gateway_config of a Kubernetes gateway needs config_map")
    client = connect(params["endpoint"])
    client.state()  # its Deployment and pods
    return ConfigMapTarget(client.cluster, client.namespace, params["config_map"],
                           client.deployment, client.pods, params["log_path"],
                           params["spec_sha256"], params["field_manager"])


def main():
    argument_spec = dict(
        path=dict(type="path"),
        content=dict(type="str", required=True),
        hot=dict(type="bool", default=False),
        log_path=dict(type="str"),
        timeout=dict(type="float", default=90.0),
        config_map=dict(type="str"),
        spec_sha256=dict(type="str"),
        seeds=dict(type="dict"),
        field_manager=dict(type="str", default="clawops"),
        ownership=dict(type="dict", default={}),
    )
    argument_spec["endpoint"] = ENDPOINT_OPTION
    module = AnsibleModule(argument_spec=argument_spec,
                           required_if=[("hot", True, ("log_path",))],
                           supports_check_mode=True)
    params = module.params
    try:
        target = _target(module)
        seeded = None
        if params["seeds"] and params["hot"] and _is_k8s(params) \
                and not module.check_mode and target.running():
            # before the config that names a new agent: its workspace is seeded first
            seeded = target.seed(params["seeds"], params["timeout"])
        result = apply(target, params["content"], params["hot"], params["timeout"],
                       check_mode=module.check_mode, ownership=params["ownership"])
    except HotApplyFailed as exc:
        exc.result.pop("before", None)
        module.fail_json(msg=str(exc), **exc.result)
    except (ConfigTextError, ClusterError, GatewayProblem, OSError) as exc:
        module.fail_json(msg="gateway_config: %s" % exc)
    except Exception as exc:  # a client library's own error: one line, not a traceback
        module.fail_json(msg="gateway_config: %s: %s" % (type(exc).__name__, exc))
    before = result.pop("before", None)
    if seeded is not None:
        result.update(changed=True, seeded=seeded)
    if result.get("changed"):
        result["diff"] = {"before": before or "", "after": params["content"],
                          "before_header": target.where(),
                          "after_header": target.where() + " (rendered)"}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
