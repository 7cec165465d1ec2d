# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: k8s_secret
short_description: The Kubernetes Secret of one gateway and the digest of its data
version_added: 0.2.0
description:
  - Builds the Secret (type Opaque, C(stringData)) the gateway's container reads as its
    environment - the gateway token and provider and channel keys resolved by the
    C(clawops.orchestrator.gateway_secrets) role - and the sha256 of its data.
  - Use it only in tasks with C(no_log) and no diff; record only the digest.
positional: _input
options:
  _input:
    description: Env name to secret value (the C(gateway_secrets_values) fact of the gateway_secrets role).
    type: dict
    required: true
  runtime:
    description: C(clawops_runtime) of a K8s gateway.
    type: dict
    required: true
  tls:
    description:
      - A hosted gateway's certificate chain and key (C(cert), C(key); the
        C(gateway_secrets_tls) fact). Adds C(tls_manifest), its kubernetes.io/tls Secret for
        the Ingress.
    type: dict
"""

EXAMPLES = r"""
- name: Build the Secret (never logged)
  ansible.builtin.set_fact:
    secret: "{{ gateway_secrets_values | clawops.orchestrator.k8s_secret(runtime=clawops_runtime) }}"
  no_log: true
"""

RETURN = r"""
_value:
  description: C(manifest) (the Secret object) and C(sha256) (digest of its data); with
    O(tls), C(tls_manifest).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.clawops.orchestrator.plugins.module_utils._k8s_manifests import (
    secret, tls_secret)
from ansible_collections.clawops.orchestrator.plugins.module_utils._secrets import secrets_digest


def k8s_secret(values, runtime, tls=None):
    if runtime.get("provider") != "k8s" or "k8s" not in runtime:
        raise AnsibleFilterError("k8s_secret needs the clawops_runtime of a Kubernetes gateway")
    values = {str(k): str(v) for k, v in (values or {}).items()}
    found = {"manifest": secret(runtime, values), "sha256": secrets_digest(values)}
    if tls:
        found["tls_manifest"] = tls_secret(runtime, str(tls["cert"]), str(tls["key"]))
    return found


class FilterModule(object):
    """Kubernetes Secret of a gateway."""

    def filters(self):
        return {"k8s_secret": k8s_secret}
