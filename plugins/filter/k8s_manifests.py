# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: k8s_manifests
short_description: The Kubernetes objects of one gateway (without its Secret)
version_added: 0.2.0
description:
  - Builds the objects the C(clawops.orchestrator.gateway_k8s) role applies, in apply order,
    from the gateway's computed plan - Namespace (with its pod-security label), the
    namespace's default-deny NetworkPolicy, ServiceAccount, optional read-only ClusterRole and
    binding, ConfigMaps (C(openclaw.json), workspace seeds, CA bundle), PVC, Service, the
    gateway's NetworkPolicy and the Deployment (Recreate; seed and plugin init containers;
    config read-only; probes that assert the JSON bodies; non-root, read-only root fs).
  - The Secret is built by C(clawops.orchestrator.k8s_secret) so that its values never reach
    these objects, their diffs or the files written from them.
  - Fails when the config text would not be exactly the rendered config (its sha256).
positional: _input
options:
  _input:
    description: C(clawops_runtime) of a K8s gateway.
    type: dict
    required: true
  gateway:
    description: C(clawops_gateway).
    type: dict
    required: true
  config_text:
    description: C(clawops_config_text), the rendered openclaw.json as the gateway runs it.
    type: str
    required: true
  config_sha256:
    description: C(clawops_config_sha256); the ConfigMap's text must hash to it.
    type: str
    required: true
  image:
    description: Image reference the pods run.
    type: str
    required: true
  env_sha256:
    description: Digest of the Secret's data (from C(k8s_secret)); a change rolls the pods.
    type: str
    default: ""
  fleet_dir:
    description: C(clawops_fleet_dir), where workspace seeds are read from.
    type: str
    default: ""
  replicas:
    description: 1 to run the gateway, 0 to stop it.
    type: int
    default: 1
  ca_bundle:
    description: PEM text the gateway trusts besides the image's own
      CAs (a TLS-inspecting proxy); empty for none.
    type: str
    default: ""
  pull_policy:
    description: imagePullPolicy of every container.
    type: str
    default: IfNotPresent
"""

EXAMPLES = r"""
- name: Build the gateway's objects
  ansible.builtin.set_fact:
    objects: >-
      {{ clawops_runtime | clawops.orchestrator.k8s_manifests(
           gateway=clawops_gateway, config_text=clawops_config_text,
           config_sha256=clawops_config_sha256, image='registry.example/openclaw:2026.9.6',
           env_sha256=secret.sha256, fleet_dir=clawops_fleet_dir) }}
"""

RETURN = r"""
_value:
  description: The objects (dicts), in apply order.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.clawops.orchestrator.plugins.module_utils._k8s_manifests import (
    ManifestError, manifests, seed_files, sha256_text)


def k8s_manifests(runtime, gateway, config_text, config_sha256, image, env_sha256="",
                  fleet_dir="", replicas=1, ca_bundle="",
                  pull_policy="IfNotPresent"):
    text = str(config_text)
    if sha256_text(text) != config_sha256:
        raise AnsibleFilterError(
            "the config of gateway %s does not hash to clawops_config_sha256: pass "
            "clawops_config_text unchanged (it is the inventory's rendered config)"
            % gateway.get("id"))
    try:
        seeds = seed_files(runtime, fleet_dir, gateway)
        return manifests(gateway, runtime, text, image, env_sha256, seeds, int(replicas),
                         ca_bundle or None, pull_policy)
    except (ManifestError, OSError) as exc:
        raise AnsibleFilterError("k8s_manifests for gateway %s: %s" % (gateway.get("id"), exc))


class FilterModule(object):
    """Kubernetes objects of a gateway."""

    def filters(self):
        return {"k8s_manifests": k8s_manifests}
