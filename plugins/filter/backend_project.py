# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: backend_project
short_description: The Compose project of a model backend the collection runs
version_added: 0.4.0
description:
  - The Compose project (C(name), C(services.backend), C(networks)) of one model backend of
    C(fleet.yml) that has C(run), rendered from the workload the core computes for it
    (module_utils/_workload.py, C(backend_workload)) - image, command, user, security
    settings (read-only root, no capabilities, no privilege gain), resources, the model file
    mounted read-only, the health check of the collection's server image, and the backend's
    own network (external; only the gateways that list the backend join it). No port is
    published. model_backend writes it as C(compose.yml).
positional: _input
options:
  _input:
    description: The backend's workload (C(run) of an entry of C(clawops_runtime.backends)).
    type: dict
    required: true
  image:
    description: The collection's server image, used when the backend names no image of
      its own (C(model_backend_image)).
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Write a backend's compose project
  ansible.builtin.copy:
    content: >-
      {{ (clawops_runtime.backends | first).run
         | clawops.orchestrator.backend_project(image=model_backend_image)
         | ansible.builtin.to_nice_yaml }}
    dest: /var/lib/clawops/backends/acme-backend-local/compose.yml
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The project (C(name), C(services), C(networks)).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.clawops.orchestrator.plugins.module_utils._workload import (
    compose_backend_project)


def backend_project(spec, image=""):
    if not isinstance(spec, dict) or "name" not in spec:
        raise AnsibleFilterError("backend_project: expects the run of a backend of "
                                 "clawops_runtime.backends")
    if not spec.get("image") and not str(image).strip():
        raise AnsibleFilterError("backend_project: backend %s names no image and no server "
                                 "image was built (roles/model_backend, tasks image.yml)"
                                 % spec.get("id"))
    return compose_backend_project(spec, str(image).strip())


class FilterModule(object):
    """Compose project of a model backend."""

    def filters(self):
        return {"backend_project": backend_project}
