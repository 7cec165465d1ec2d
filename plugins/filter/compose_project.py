# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: compose_project
short_description: A Compose gateway's project, from its workload
version_added: 0.3.0
description:
  - The Compose project (C(name), C(services.gateway)) of one gateway, rendered from the
    workload the core computes for it (module_utils/_workload.py) - the image, user, security
    settings (read-only root, no capabilities, no privilege gain), resources, env, the Docker
    host's directories as bind mounts, the published port, the health check (the gateway's
    own C(/healthz) probe) and the labels. gateway_compose writes it as C(compose.yml).
positional: _input
options:
  _input:
    description: The gateway's runtime plan (C(clawops_runtime)) of a Compose gateway.
    type: dict
    required: true
  image:
    description: The image reference the gateway runs.
    type: str
    required: true
  ca_bundle:
    description: A CA bundle on the Docker host that node in the gateway trusts besides its
      own; empty for none.
    type: str
    default: ""
  restart_sha256:
    description: The fingerprint of the config's restart paths (a label; a change recreates
      the container).
    type: str
    default: ""
  stop_grace:
    description: Seconds Docker gives the gateway to stop.
    type: int
    default: 60
  backend_image:
    description: The collection's model server image (C(model_backend_image)), for the
      gateway's sidecar backends (C(run.placement) sidecar) that name no image of their own.
    type: str
    default: ""
  proxy_image:
    description: The TLS proxy image (C(gateway_image_proxy), built by the gateway_image
      role's C(proxy.yml)) for a hosted gateway (C(hosted) in the fleet).
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Write the compose project
  ansible.builtin.copy:
    content: >-
      {{ clawops_runtime | clawops.orchestrator.compose_project(image='openclaw:2026.9.6',
           restart_sha256=clawops_config_restart_sha256) | ansible.builtin.to_nice_yaml }}
    dest: /srv/clawops/acme/gw-a/compose.yml
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The project (C(name), C(services)).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.clawops.orchestrator.plugins.module_utils._workload import (
    WorkloadError, compose_project as render, workload)


def compose_project(runtime, image, ca_bundle="", restart_sha256="", stop_grace=60,
                    backend_image="", proxy_image=""):
    if runtime.get("provider") != "compose" or "host_paths" not in runtime:
        raise AnsibleFilterError("compose_project: %s is not a Compose gateway"
                                 % runtime.get("instance"))
    try:
        spec = workload(runtime, str(image).strip(), ca=bool(ca_bundle))
        labels = dict(runtime["labels"])
        labels["dev.clawops.restart-sha256"] = restart_sha256
        return render(spec, runtime, labels, int(stop_grace), ca_bundle,
                      str(backend_image or "").strip(), str(proxy_image or "").strip())
    except WorkloadError as exc:
        raise AnsibleFilterError("compose_project: %s" % exc)


class FilterModule(object):
    """Compose project of a gateway."""

    def filters(self):
        return {"compose_project": compose_project}
