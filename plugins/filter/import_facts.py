# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: import_facts
short_description: Where a hand-made OpenClaw container keeps its config, state and workspaces
version_added: 0.9.0
description:
  - From C(docker inspect)'s answer for a container (what
    C(community.docker.docker_container_info) returns as C(container)) - its env, mounts,
    published ports, Compose project, whether it runs, and the host path of its
    C(openclaw.json) (C(OPENCLAW_CONFIG_PATH), else C(openclaw.json) in the state directory,
    mapped through the mounts) and that file's directory. C(playbooks/import.yml) reads the
    config files there.
positional: _input
options:
  _input:
    description: The container (C(docker_container_info)'s C(container)).
    type: dict
    required: true
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
    variables neither secret nor used) and C(secret_env) (the rest - never print it).
  type: dict
"""

import posixpath

from ansible.errors import AnsibleFilterError

from ansible_collections.clawops.orchestrator.plugins.module_utils._import import (
    config_location, facts_from_inspect)


def import_facts(container, config_files=None):
    if not isinstance(container, dict) or not container:
        raise AnsibleFilterError("import_facts: no container (is the name right?)")
    facts = facts_from_inspect(container, config_texts=list((config_files or {}).values()))
    inside, on_host = config_location(facts)
    facts.update(config_path=inside, config_host_path=on_host,
                 config_host_dir=posixpath.dirname(on_host) if on_host else None)
    return facts


class FilterModule(object):
    """What a hand-made gateway's container says about itself."""

    def filters(self):
        return {"import_facts": import_facts}
