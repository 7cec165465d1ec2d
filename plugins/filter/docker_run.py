# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: docker_run
short_description: The options of a gateway's one-off container on a Docker host
version_added: 0.3.0
description:
  - For C(community.docker.docker_container), the name, image, entrypoint, user, the security
    settings every container of a gateway runs with (read-only root, no capabilities, no
    privilege gain), tmpfs, env, bind mounts, network and limits of one container of the
    workload the core computes (module_utils/_workload.py).
  - V(validate) (C(openclaw config validate) of a candidate config, no network),
    V(plugin_seed) (the image's plugin channels into the state dir, no network) need
    O(runtime); V(plugin_install) (the image build's npm install) needs O(uid) and O(plugins).
positional: _input
options:
  _input:
    description: Which container.
    type: str
    choices: [validate, plugin_seed, maintenance, plugin_install]
    required: true
  image:
    description: The image reference.
    type: str
    required: true
  runtime:
    description: The gateway's runtime plan (C(clawops_runtime)); not for V(plugin_install).
    type: dict
  sources:
    description: Files and directories on the Docker host by the workload's volume name
      (V(candidate), V(state), V(config), V(ca)); a gateway's V(data) comes from O(runtime).
    type: dict
    default: {}
  uid:
    description: The image's uid (V(plugin_install)).
    type: int
  plugins:
    description: npm specs to install (V(plugin_install)).
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Validate a candidate config in the image
  vars:
    run: >-
      {{ 'validate' | clawops.orchestrator.docker_run(runtime=clawops_runtime,
           image='openclaw:2026.9.6', sources={'candidate': '/srv/scratch'}) }}
  community.docker.docker_container:
    name: "{{ run.name }}"
    image: "{{ run.image }}"
    entrypoint: "{{ run.entrypoint }}"
    user: "{{ run.user }}"
    read_only: "{{ run.read_only }}"
    cap_drop: "{{ run.cap_drop }}"
    security_opts: "{{ run.security_opts }}"
    tmpfs: "{{ run.tmpfs }}"
    env: "{{ run.env }}"
    mounts: "{{ run.mounts }}"
    network_mode: "{{ run.network_mode }}"
    memory: "{{ run.memory }}"
    detach: false
    cleanup: true
"""

RETURN = r"""
_value:
  description: C(name), C(image), C(entrypoint), C(command), C(user), C(read_only),
    C(cap_drop), C(security_opts), C(tmpfs), C(env), C(mounts), C(network_mode), C(memory)
    and, when bounded, C(pids_limit).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.clawops.orchestrator.plugins.module_utils._workload import (
    WorkloadError, docker_run as render, plugin_install, workload)


def docker_run(name, image, runtime=None, sources=None, uid=None, plugins=None):
    sources = dict(sources or {})
    try:
        if name == "plugin_install":
            if uid is None or not plugins:
                raise WorkloadError("plugin_install needs uid and plugins")
            spec = plugin_install(str(image).strip(), int(uid), plugins,
                                  ca=bool(sources.get("ca")))
        else:
            if not runtime or "host_paths" not in runtime:
                raise WorkloadError("%s needs the runtime of a Compose gateway" % name)
            spec = workload(runtime, str(image).strip(), ca=bool(sources.get("ca")))
            sources.update(host_paths=runtime["host_paths"], paths=runtime["paths"])
        if name not in spec["containers"]:
            raise WorkloadError("the workload of %s has no %s container"
                                % (spec["instance"], name))
        return render(spec, name, sources)
    except WorkloadError as exc:
        raise AnsibleFilterError("docker_run: %s" % exc)


class FilterModule(object):
    """One-off containers on a Docker host."""

    def filters(self):
        return {"docker_run": docker_run}
