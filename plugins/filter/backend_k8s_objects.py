# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: backend_k8s_objects
short_description: The Kubernetes objects of a model backend the collection runs
version_added: 0.4.0
description:
  - The objects of one model backend of C(fleet.yml) that has C(run), for the Kubernetes
    gateways that list it, built from the workload the core computes for it
    (module_utils/_workload.py C(backend_workload), module_utils/_k8s_manifests.py
    C(backend_manifests)) - in apply order its Namespace, the namespace's default-deny
    NetworkPolicy, its own NetworkPolicy (in from the org's gateway pods on its port only,
    nothing out), the claim its model file is copied into, its Service and its Deployment
    (Recreate, non-root, read-only root, no capabilities, probes on C(/v1/models)).
  - Also the one-off Pod the model file is copied into the claim through.
positional: _input
options:
  _input:
    description: The backend's workload (C(run) of an entry of C(clawops_runtime.backends)
      of a Kubernetes gateway).
    type: dict
    required: true
  image:
    description: The collection's server image, used when the backend names no image of
      its own (C(model_backend_image)).
    type: str
    default: ""
  model_sha256:
    description: The model file's sha256; the Deployment's pod template carries it, so a new
      model rolls the server's pod.
    type: str
    default: ""
  pull_policy:
    description: The containers' imagePullPolicy.
    type: str
    default: IfNotPresent
"""

EXAMPLES = r"""
- name: A backend's objects
  ansible.builtin.set_fact:
    backend_objects: >-
      {{ (clawops_runtime.backends | first).run
         | clawops.orchestrator.backend_k8s_objects(image=model_backend_image,
                                                    model_sha256=model_stat.stat.checksum) }}
"""

RETURN = r"""
_value:
  description: C(objects) (the list above, the Deployment last), C(loader) (the Pod) and
    C(annotation) (the key that names a model file's sha256 on the pod template and, once
    copied, on the claim).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.clawops.orchestrator.plugins.module_utils._k8s_manifests import (
    BACKEND_MODEL_SHA256, ManifestError, backend_loader_pod, backend_manifests)


def backend_k8s_objects(spec, image="", model_sha256="", pull_policy="IfNotPresent"):
    if not isinstance(spec, dict) or "name" not in spec:
        raise AnsibleFilterError("backend_k8s_objects: expects the run of a backend of "
                                 "clawops_runtime.backends")
    image = spec.get("image") or str(image).strip()
    try:
        return {"objects": backend_manifests(spec, image, str(model_sha256), pull_policy),
                "loader": backend_loader_pod(spec, image, pull_policy),
                "annotation": BACKEND_MODEL_SHA256}
    except ManifestError as exc:
        raise AnsibleFilterError("backend_k8s_objects: %s" % exc)


class FilterModule(object):
    """Kubernetes objects of a model backend."""

    def filters(self):
        return {"backend_k8s_objects": backend_k8s_objects}
