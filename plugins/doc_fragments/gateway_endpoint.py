# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    """How a module reaches a gateway: one option, what the fleet inventory computes."""

    DOCUMENTATION = r"""
options:
  endpoint:
    description:
      - Where the gateway runs and how it is reached - pass the fleet inventory's
        C(clawops_runtime.endpoint) unchanged.
      - A Compose gateway is its container on this Docker host (the docker CLI; probes over
        HTTP at O(endpoint.address) when it is published here, else in the container); a
        Kubernetes gateway is the gateway container of the pod that runs its Deployment's
        current template (the kubernetes client, from the controller).
    type: dict
    required: true
    suboptions:
      provider:
        description: Where the gateway runs.
        type: str
        choices: [compose, k8s]
        required: true
      instance:
        description: The gateway's instance name (its container; its pods' C(app.kubernetes.io/instance) label).
        type: str
        required: true
      port:
        description: The gateway port (published on the host for Compose; in the pod for K8s).
        type: int
        required: true
      address:
        description: Compose - the address the port is published on; none to probe inside the container.
        type: str
      url:
        description: The gateway's URL for people (shown, never used to connect).
        type: str
      namespace:
        description: K8s - the gateway's namespace.
        type: str
      deployment:
        description: K8s - the gateway's Deployment (default the instance name).
        type: str
      kubeconfig:
        description: K8s - kubeconfig file on the controller (default the usual lookup).
        type: path
      context:
        description: K8s - kubeconfig context.
        type: str
requirements:
  - the docker CLI on the host (Compose)
  - the kubernetes Python client on the controller (K8s)
"""
