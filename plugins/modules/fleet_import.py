#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_import
short_description: Write a fleet definition for an OpenClaw gateway somebody runs by hand, and prove it renders the same config
version_added: 0.9.0
description:
  - Takes what C(playbooks/import.yml) read on the Docker host - the container as
    C(docker inspect) shows it (through C(clawops.orchestrator.import_facts)), its
    C(openclaw.json) (and the files it C($include)s), the
    agents it lists and its version - and writes the gateway into the fleet definition
    O(fleet_dir) - C(gateways/<gateway>.yml) (port, exposure, auth, agents, channel
    accounts, routes, the state directory and workspaces adopted where they are) and
    C(templates/imported/<gateway>.json5) for every other key of the config.
  - Every secret value (the gateway token, channel tokens, secret-named keys of the rest,
    literal or C(${VAR}) from the container's env) goes to a file of its own (mode 0600, in
    O(secrets_dir), which must be one of the fleet's C(secrets.file_dirs)) and the fleet
    gets a reference to it. No secret value reaches the repository or the module's output.
  - Before anything is written, the fleet with the new files is checked by the preflight and
    rendered on a scratch copy; the rendered config is compared with the running one leaf
    by leaf and every difference is returned with why (a secret now delivered by env, a key
    the collection manages, one the fleet's other layers or its policy set). A difference
    nothing explains fails the import.
  - A second run with the same input changes nothing; an existing gateway file or secret
    file with other content is refused unless O(force).
author:
  - clawops contributors (@clawops)
requirements:
  - ruamel.yaml
options:
  fleet_dir:
    description: The fleet definition the gateway is added to.
    type: path
    required: true
  gateway:
    description: The new gateway's id.
    type: str
    required: true
  host:
    description: The compose host of C(targets.compose_hosts) the gateway runs on (a gateway
      read from a Docker host).
    type: str
  cluster:
    description: The cluster of C(targets.k8s_clusters) the gateway runs in (a gateway read
      from a Kubernetes namespace; the claim, the labels and the variables from Secrets the
      collection does not own are adopted, the token goes to a file).
    type: str
  facts:
    description: What the container says about itself, without its secret env -
      C(clawops.orchestrator.import_facts)'s answer less C(secret_env).
    type: dict
    required: true
  secret_env:
    description: The container's secret env (C(import_facts)'s C(secret_env)); its values
      are secrets and are hidden in every output.
    type: dict
    default: {}
  config_file:
    description: Host path of the running C(openclaw.json) (a key of O(config_files)); for a
      Kubernetes gateway its path in the container.
    type: str
    required: true
  config_files:
    description: Host path -> text of the config file and every file beside or below it
      that it may C($include).
    type: dict
    required: true
  agents:
    description: What C(openclaw agents list --json) printed in the container (its stdout),
      or empty when it could not be asked.
    type: str
    default: ""
  version:
    description: What C(openclaw --version) printed in the container, or empty.
    type: str
    default: ""
  groups:
    description: Groups of the fleet the gateway joins (their layers and policy apply).
    type: list
    elements: str
    default: []
  profile:
    description: The gateway's profile (required unless one of O(groups) sets it).
    type: str
  trust_level:
    description: The gateway's trust level (required unless one of O(groups) sets it).
    type: str
  wave:
    description: The gateway's rollout wave.
    type: str
  description:
    description: Description of the gateway.
    type: str
  secrets_dir:
    description: Where the secret files go, as the fleet's references will name it (may
      start with C(~)); one of the fleet's C(secrets.file_dirs) or below one. Default the
      first of them, then C(imported/<gateway>).
    type: str
  force:
    description: Replace a gateway file, template or secret file that exists with other
      content.
    type: bool
    default: false
attributes:
  check_mode:
    description: Reports what would be written (with --diff the files), writes nothing.
    support: full
  diff_mode:
    description: The gateway file and template before/after.
    support: full
  idempotent:
    description: A second run with the same input writes nothing.
    support: full
"""

EXAMPLES = r"""
- name: Write the fleet definition of the hand-made gateway
  clawops.orchestrator.fleet_import:
    fleet_dir: "{{ clawops_fleet_dir }}"
    gateway: support-bot
    host: local
    profile: usecase
    trust_level: medium
    facts: "{{ import_where | dict2items | rejectattr('key', 'equalto', 'secret_env') | items2dict }}"
    secret_env: "{{ import_where.secret_env }}"
    config_file: "{{ import_where.config_host_path }}"
    config_files: "{{ import_files }}"
    agents: "{{ import_agents.stdout | default('') }}"
    version: "{{ import_version.stdout | default('') }}"
  register: imported

- name: The same for a Deployment in a namespace of cluster lab
  clawops.orchestrator.fleet_import:
    fleet_dir: "{{ clawops_fleet_dir }}"
    gateway: research
    cluster: lab
    profile: usecase
    trust_level: high
    facts: "{{ import_where | dict2items | rejectattr('key', 'in', ['secret_env', 'config_files']) | items2dict }}"
    secret_env: "{{ import_where.secret_env }}"
    config_file: "{{ import_where.config_path }}"
    config_files: "{{ import_where.config_files }}"
  register: imported
"""

RETURN = r"""
gateway_file:
  description: The gateway file, relative to the fleet directory.
  returned: always
  type: str
files:
  description: Each file of the fleet written or found equal (path, status written/unchanged).
  returned: always
  type: list
  elements: dict
secret_files:
  description: Each secret file (path, status) - never its value.
  returned: always
  type: list
  elements: dict
differences:
  description: Leaves where the rendered config differs from the running one (path,
    running, rendered - redacted - and why).
  returned: always
  type: list
  elements: dict
notes:
  description: What the import changed on purpose (path, what).
  returned: always
  type: list
  elements: dict
adopted:
  description: The host paths the gateway keeps (state_dir, workspace_root) and the
    container and Compose project the takeover stops; for a Kubernetes gateway the
    Deployment, its namespace and replicas, the claim and the moves inside it (from, to,
    what) the takeover makes.
  returned: always
  type: dict
"""

import json

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.clawops.orchestrator.plugins.module_utils import _agents
from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import (
    FleetError, FleetErrors)
from ansible_collections.clawops.orchestrator.plugins.module_utils._import import (
    ImportProblem, import_gateway, parse_version)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            fleet_dir=dict(type="path", required=True),
            gateway=dict(type="str", required=True),
            host=dict(type="str"),
            cluster=dict(type="str"),
            facts=dict(type="dict", required=True),
            secret_env=dict(type="dict", default={}, no_log=True),
            config_file=dict(type="str", required=True),
            config_files=dict(type="dict", required=True, no_log=True),
            agents=dict(type="str", default=""),
            version=dict(type="str", default=""),
            groups=dict(type="list", elements="str", default=[]),
            profile=dict(type="str"),
            trust_level=dict(type="str", no_log=False),
            wave=dict(type="str"),
            description=dict(type="str"),
            secrets_dir=dict(type="str", no_log=False),
            force=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
        required_one_of=[("host", "cluster")],
        mutually_exclusive=[("host", "cluster")],
    )
    if not _agents.HAS_RUAMEL:
        module.fail_json(msg=missing_required_lib("ruamel.yaml"),
                         exception=_agents.RUAMEL_IMPORT_ERROR)
    p = module.params
    try:
        agents = json.loads(p["agents"]) if p["agents"].strip() else None
    except ValueError:
        agents = None
    facts = dict(p["facts"], secret_env=p["secret_env"] or {},
                 agents=agents if isinstance(agents, list) else None,
                 version=parse_version(p["version"]) or p["facts"].get("version"))
    try:
        result = import_gateway(
            p["fleet_dir"], facts, p["config_file"], p["config_files"],
            {key: p[key] for key in ("gateway", "host", "cluster", "groups", "profile", "trust_level",
                                     "wave", "description", "secrets_dir", "force")},
            check=module.check_mode)
    except FleetErrors as exc:
        module.fail_json(msg="import of %s: nothing was written:\n%s" % (p["gateway"], exc.render()),
                         errors=[e.as_dict() for e in exc.errors])
    except (FleetError, ImportProblem) as exc:
        module.fail_json(msg="import of %s: nothing was written: %s" % (
            p["gateway"], exc.render() if isinstance(exc, FleetError) else exc))
    except OSError as exc:
        module.fail_json(msg="import of %s: %s (%s)" % (
            p["gateway"], exc.strerror, exc.filename or ""))
    diff = [{"before_header": item["path"], "after_header": item["path"],
             "before": item["before"], "after": item["after"]}
            for item in result.pop("diffs")]
    module.exit_json(diff=diff if module._diff else None, **result)


if __name__ == "__main__":
    main()
