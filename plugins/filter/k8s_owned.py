# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: k8s_owned
short_description: What a Kubernetes gateway owns, by kind and owner label
version_added: 0.3.0
description:
  - The kinds of object a gateway owns, in the order they are deleted (the Deployment first),
    each with the label selector of that gateway's objects
    (C(app.kubernetes.io/instance=<instance>,app.kubernetes.io/managed-by=clawops)) and its
    namespace (none for cluster-scoped kinds). Removal deletes by these labels, so objects an
    earlier version of the collection made go too; the namespace's shared default-deny
    policy and other gateways' objects carry other labels.
positional: _input
options:
  _input:
    description: The gateway's runtime plan (C(clawops_runtime)) of a Kubernetes gateway.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Delete the gateway's objects
  kubernetes.core.k8s:
    state: absent
    api_version: "{{ item.api_version }}"
    kind: "{{ item.kind }}"
    namespace: "{{ item.namespace | default(omit, true) }}"
    label_selectors: ["{{ item.selector }}"]
    delete_all: true
  loop: "{{ clawops_runtime | clawops.orchestrator.k8s_owned }}"
"""

RETURN = r"""
_value:
  description: C(api_version), C(kind), C(namespace), C(selector) per kind.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.clawops.orchestrator.plugins.module_utils._k8s_manifests import owned


def k8s_owned(runtime):
    if "k8s" not in (runtime or {}):
        raise AnsibleFilterError("k8s_owned: %s is not a Kubernetes gateway"
                                 % (runtime or {}).get("instance"))
    return owned(runtime)


class FilterModule(object):
    """Objects a gateway owns."""

    def filters(self):
        return {"k8s_owned": k8s_owned}
