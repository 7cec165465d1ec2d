# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: workload_pod
short_description: A one-off Pod of a Kubernetes gateway's workload
version_added: 0.3.0
description:
  - The Pod that runs one container of the workload the core computes for a gateway
    (module_utils/_workload.py) - V(validate) (C(openclaw config validate) of a candidate
    config from a ConfigMap) or V(maintenance) (C(sleep) on the gateway's state volume, for
    backups, restores and archives) - with the same user, security settings and limits as
    every container of the gateway, an emptyDir C(/tmp), no service account token and no
    gateway label (neither the Service nor the health gate pick it).
positional: _input
options:
  _input:
    description: Which container.
    type: str
    choices: [validate, maintenance]
    required: true
  runtime:
    description: The gateway's runtime plan (C(clawops_runtime)).
    type: dict
    required: true
  image:
    description: The image reference.
    type: str
    required: true
  pull_policy:
    description: imagePullPolicy.
    type: str
    default: IfNotPresent
"""

EXAMPLES = r"""
- name: Run the maintenance pod
  kubernetes.core.k8s:
    state: present
    wait: true
    definition: >-
      {{ 'maintenance' | clawops.orchestrator.workload_pod(runtime=clawops_runtime,
           image='openclaw:2026.9.6') }}
"""

RETURN = r"""
_value:
  description: The Pod (C(<instance>-validate) with the ConfigMap of the same name, or
    C(<instance>-maint) on the gateway's PVC) in the gateway's namespace.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.clawops.orchestrator.plugins.module_utils._k8s_manifests import (
    volume_permissions_init)
from ansible_collections.clawops.orchestrator.plugins.module_utils._workload import (
    WorkloadError, k8s_allow_root_init, k8s_pod, workload)


def workload_pod(name, runtime, image, pull_policy="IfNotPresent"):
    if "k8s" not in (runtime or {}):
        raise AnsibleFilterError("workload_pod: %s is not a Kubernetes gateway"
                                 % (runtime or {}).get("instance"))
    instance, k8s = runtime["instance"], runtime["k8s"]
    try:
        spec = workload(runtime, str(image).strip())
        if name == "validate":
            return k8s_pod(spec, name, instance + "-validate", k8s["namespace"],
                           {"candidate": {"configMap": {"name": instance + "-validate"}}},
                           pull_policy)
        if name == "maintenance":
            pod = k8s_pod(spec, name, instance + "-maint", k8s["namespace"],
                          {"data": {"persistentVolumeClaim": {"claimName": k8s["names"]["pvc"]}}},
                          pull_policy, grace=5,
                          labels={"app.kubernetes.io/managed-by": "clawops",
                                  "clawops.dev/maintenance-of": instance})
            if k8s.get("volume_permissions"):
                # it may be the first pod on a new claim: hand it to the gateway's uid first
                pod["spec"]["initContainers"] = [volume_permissions_init(
                    runtime, spec, str(image).strip(), pull_policy)]
                k8s_allow_root_init(pod["spec"], "volume-permissions")
            return pod
        raise WorkloadError("no pod for the %s container" % name)
    except WorkloadError as exc:
        raise AnsibleFilterError("workload_pod: %s" % exc)


class FilterModule(object):
    """One-off pods of a gateway."""

    def filters(self):
        return {"workload_pod": workload_pod}
