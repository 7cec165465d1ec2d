#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_observability
short_description: Write the fleet exporter's configuration and Prometheus' scrape setup
version_added: 0.9.0
description:
  - "Writes, below O(dir), what the fleet's Prometheus exporter and a Prometheus server need
    (docs/observability.md) - C(exporter.json) (for each gateway its address, the path of
    its token file, its enabled channels, backups directory and fleet
    labels), C(tokens/<gateway>.token) (0600 in a 0700 directory: the only place a token
    is written), C(prometheus/clawops-targets.json) (C(file_sd_configs): one target per
    gateway, labels C(org), C(group), C(gateway), C(profile), C(trust_level), C(wave),
    C(provider)), C(prometheus/prometheus.yml) (a complete server configuration - the
    gateways' job, the exporter's own job, the rule file, O(alertmanagers)) and the
    records directory C(facts/) the integrity, drill and status jobs write into."
  - A Compose gateway is probed at its published address, a hosted one at its public URL
    through its proxy, a Kubernetes gateway inside its pod (the exporter execs the probe
    through the Kubernetes API with the endpoint's kubeconfig); a gateway none of these
    reaches is returned under RV(skipped) with the reason.
  - A file is written only when its content changes; with O(prune), token files of
    gateways no longer listed are removed.
author:
  - clawops contributors (@clawops)
options:
  dir:
    description: The observability directory (the role's C(observability_dir)).
    type: path
    required: true
  gateways:
    description:
      - One entry per gateway - C(gateway) (the inventory's C(clawops_gateway)), C(runtime)
        (C(clawops_runtime)) and C(config) (the rendered openclaw.json as data, for its
        channels).
    type: list
    elements: dict
    required: true
  tokens:
    description: The gateways' tokens by gateway id (written to the token files only).
    type: dict
    default: {}
  exporter:
    description: C(host:port) the exporter listens on (and Prometheus scrapes).
    type: str
    default: 127.0.0.1:9464
  scrape_interval:
    description: Prometheus' scrape interval for the gateways' job.
    type: str
    default: 30s
  evaluation_interval:
    description: Prometheus' rule evaluation interval in the generated C(prometheus.yml).
    type: str
    default: 30s
  alertmanagers:
    description: C(host:port) of the Alertmanagers the generated C(prometheus.yml) sends to.
    type: list
    elements: str
    default: []
  rules_file:
    description: The alert rule file the generated C(prometheus.yml) loads.
    type: path
  prune:
    description: Remove the token files of gateways not in O(gateways); off, the gateways the
      previous C(exporter.json) had and this run did not see are kept in it and in the target
      file (a run limited to some gateways; the role sets it from C(--limit)).
    type: bool
    default: true
attributes:
  check_mode:
    description: Computes everything, writes nothing, says what would change.
    support: full
  diff_mode:
    description: The files that would change (token files by name only).
    support: full
  idempotent:
    description: A second run over the same fleet changes nothing.
    support: full
"""

EXAMPLES = r"""
- name: The exporter's configuration and the scrape setup (run on the controller)
  clawops.orchestrator.fleet_observability:
    dir: ~/.clawops/observability
    gateways:
      - gateway: "{{ clawops_gateway }}"
        runtime: "{{ clawops_runtime }}"
        config: "{{ clawops_config_text | from_json }}"
    tokens: {gw-people: "{{ token }}"}
    alertmanagers: [127.0.0.1:9093]
"""

RETURN = r"""
targets:
  description: The gateways probed, by id, with their labels.
  returned: always
  type: dict
skipped:
  description: Gateways left out, by id, with why.
  returned: always
  type: dict
files:
  description: The files written (or that would be), tokens by name only.
  returned: always
  type: list
  elements: str
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.orchestrator.plugins.module_utils import _metrics
from ansible_collections.clawops.orchestrator.plugins.module_utils._files import write_atomic


def _read(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            dir=dict(type="path", required=True),
            gateways=dict(type="list", elements="dict", required=True),
            tokens=dict(type="dict", default={}, no_log=True),
            exporter=dict(type="str", default="127.0.0.1:9464"),
            scrape_interval=dict(type="str", default="30s"),
            evaluation_interval=dict(type="str", default="30s"),
            alertmanagers=dict(type="list", elements="str", default=[]),
            rules_file=dict(type="path"),
            prune=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    p = module.params
    base = p["dir"]
    tokens_dir = os.path.join(base, "tokens")
    facts_dir = os.path.join(base, "facts")
    targets, skipped, texts = {}, {}, {}
    for item in p["gateways"]:
        gateway, runtime = item.get("gateway") or {}, item.get("runtime") or {}
        if not gateway.get("id"):
            module.fail_json(msg="fleet_observability: every entry of gateways needs gateway "
                                 "(the inventory's clawops_gateway)")
        gid = gateway["id"]
        endpoint = runtime.get("endpoint") or {}
        # a pod is probed inside it; a Compose gateway at its address, or a hosted one at its
        # public URL through its proxy
        if not (endpoint.get("provider") == "k8s" or endpoint.get("address")
                or (runtime.get("hosted") and endpoint.get("url"))):
            skipped[gid] = "a %s gateway with no address the exporter can reach" % (
                runtime.get("provider") or "?")
            continue
        token = (p["tokens"] or {}).get(gid)
        token_file = os.path.join(tokens_dir, "%s.token" % gid) if token else None
        if token:
            texts[token_file] = (token + "\n", 0o600)
        targets[gid] = _metrics.target(gateway, runtime, item.get("config"), token_file, facts_dir)
    config_file = os.path.join(base, "exporter.json")
    if not p["prune"]:
        targets = _metrics.keep_others(_read(config_file), targets, skipped)
    sd_file = os.path.join(base, "prometheus", "clawops-targets.json")
    texts[config_file] = (
        json.dumps({"gateways": targets}, indent=2, sort_keys=True) + "\n", 0o644)
    texts[sd_file] = (json.dumps(_metrics.file_sd(targets, p["exporter"]), indent=2, sort_keys=True) + "\n", 0o644)
    server = _metrics.prometheus_config(sd_file, p["exporter"], p["scrape_interval"],
                                        p["evaluation_interval"], p["rules_file"], p["alertmanagers"])
    texts[os.path.join(base, "prometheus", "prometheus.yml")] = (server, 0o644)

    changed_files, diff = [], {"before": "", "after": ""}
    for path in sorted(texts):
        text, mode = texts[path]
        old = _read(path)
        if old != text:
            changed_files.append(path)
            if mode != 0o600:
                diff["before"] += "# %s\n%s" % (path, old or "")
                diff["after"] += "# %s\n%s" % (path, text)
    removed = []
    if p["prune"] and os.path.isdir(tokens_dir):
        keep = set(os.path.basename(path) for path in texts if path.startswith(tokens_dir + os.sep))
        removed = [os.path.join(tokens_dir, name) for name in sorted(os.listdir(tokens_dir))
                   if name.endswith(".token") and name not in keep]
    if not module.check_mode:
        for path in changed_files:
            text, mode = texts[path]
            write_atomic(path, text, mode, 0o700 if mode == 0o600 else 0o755)
        for path in removed:
            os.remove(path)
        os.makedirs(facts_dir, mode=0o755, exist_ok=True)
    changed = bool(changed_files or removed)
    result = dict(changed=changed, targets=dict((gid, t.get("labels")) for gid, t in targets.items()),
                  skipped=skipped, files=changed_files + removed)
    if module._diff and changed:
        result["diff"] = diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
