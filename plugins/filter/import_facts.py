# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: import_facts
short_description: Where a hand-made OpenClaw gateway keeps its config, state and workspaces
version_added: 0.9.0
description:
  - From C(docker inspect)'s answer for a container (what
    C(community.docker.docker_container_info) returns as C(container)) - its env, mounts,
    published ports, Compose project, whether it runs, and the host path of its
    C(openclaw.json) (C(OPENCLAW_CONFIG_PATH), else C(openclaw.json) in the state directory,
    mapped through the mounts) and that file's directory. C(playbooks/import.yml) reads the
    config files there.
  - From a Kubernetes Deployment (what C(kubernetes.core.k8s_info) returns; C(kind)
    Deployment) - the gateway container's env (literal, from Secrets and ConfigMaps), its
    claims and ConfigMap mounts, the labels, the Services that select its pod, and the
    config files the ConfigMaps give. Called once with the Deployment alone (its C(reads)
    say which Secrets and ConfigMaps to read), then with them.
positional: _input
options:
  _input:
    description: The container (C(docker_container_info)'s C(container)) or the Deployment.
    type: dict
    required: true
  config_files:
    description: A container's config files (host path -> text), to tell the env variables
      the config uses.
    type: dict
  services:
    description: The Deployment namespace's Services.
    type: list
    elements: dict
  config_maps:
    description: The ConfigMaps the Deployment's C(reads) name, by name.
    type: dict
  secrets:
    description: The Secrets the Deployment's C(reads) name, by name (their values are
      secrets - never print the answer's C(secret_env)).
    type: dict
  pod_files:
    description: Config files read in the running pod (container path -> text), for a config
      that is on no ConfigMap.
    type: dict
"""

EXAMPLES = r"""
- name: Where the config is on the host
  ansible.builtin.set_fact:
    import_where: "{{ import_container.container | clawops.orchestrator.import_facts }}"
  no_log: true
"""

RETURN = r"""
_value:
  description: C(name), C(running), C(mounts), C(published), C(compose), C(config_path) (in
    the container), C(config_host_path) and C(config_host_dir) (none when no mount holds
    it), C(env) (the variables that are paths and the port), C(env_dropped) (names of
    variables neither secret nor used) and C(secret_env) (the rest - never print it). For a
    Deployment also C(config_files) (container path -> text), C(k8s) (namespace, deployment,
    replicas, labels, selector, Secret references, Services) and C(reads).
  type: dict
"""

import posixpath

from ansible.errors import AnsibleFilterError

from ansible_collections.clawops.orchestrator.plugins.module_utils._import import (
    config_location, facts_from_inspect)
from ansible_collections.clawops.orchestrator.plugins.module_utils._import_k8s import (
    config_maps_used, facts_from_deployment, secrets_used)


def import_facts(container, config_files=None, services=None, config_maps=None, secrets=None,
                 pod_files=None):
    if not isinstance(container, dict) or not container:
        raise AnsibleFilterError("import_facts: no container or Deployment (is the name right?)")
    if container.get("kind") == "Deployment":
        facts = facts_from_deployment(container, services or [], config_maps or {},
                                      secrets or {}, pod_files=pod_files)
        inside, dummy = config_location(facts)
        facts.update(config_path=inside,
                     config_host_path=inside if inside in facts["config_files"] else None,
                     reads={"secrets": secrets_used(container),
                            "config_maps": config_maps_used(container),
                            "selector": facts["k8s"]["selector"]})
        return facts
    facts = facts_from_inspect(container, config_texts=list((config_files or {}).values()))
    inside, on_host = config_location(facts)
    facts.update(config_path=inside, config_host_path=on_host,
                 config_host_dir=posixpath.dirname(on_host) if on_host else None)
    return facts


class FilterModule(object):
    """What a hand-made gateway's container says about itself."""

    def filters(self):
        return {"import_facts": import_facts}
