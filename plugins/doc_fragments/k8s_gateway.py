# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    """Where a gateway runs: a Compose host or a Kubernetes cluster (its pod)."""

    DOCUMENTATION = r"""
options:
  provider:
    description: Where the gateway runs.
    type: str
    choices: [compose, k8s]
    default: compose
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
