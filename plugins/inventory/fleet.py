# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: fleet
short_description: Gateways of a clawops fleet definition as inventory hosts
version_added: 0.1.0
description:
  - Reads a clawops fleet definition (C(fleet.yml), C(groups/), C(gateways/), JSON5 templates)
    and makes every gateway instance a host.
  - Groups hosts by organization (C(org_<slug>)), provider (C(provider_compose), C(provider_k8s)),
    profile (C(profile_<p>)), trust level (C(trust_<level>)), rollout wave (C(wave_canary),
    C(wave_<n>)), declared gateway groups (C(group_<id>)) and the model backends they list
    (C(backend_<id>)); all are children of C(clawops).
  - Host variables carry the plan computed by the core, so playbooks never recompute layers -
    C(clawops_gateway) (summary), C(clawops_config_text) (the effective openclaw.json, the
    exact text a gateway runs), C(clawops_config_sha256), C(clawops_config_restart_sha256)
    (the paths that need a restart, what the container or pod is replaced for),
    C(clawops_runtime) (paths, ports, image pin, secret references - never values) and, on request, C(clawops_config) (the same
    config as data) and C(clawops_provenance).
  - Lean by default - a host's config travels as one string, not as a tree of values that
    Ansible tags and copies leaf by leaf (1,000 gateways, docs/performance.md).
  - Unchanged fleet files are not parsed and validated again - a content-addressed parse
    cache keeps every file that passed the schema, keyed by its bytes and the schema
    (C(CLAWOPS_PARSE_CACHE) names its directory, C(off) turns it off; default
    C(~/.cache/clawops/parse)). A first run over hundreds of gateway files parses them in one
    process per core. With C(cache=true), an unchanged fleet is not read at all.
  - Once the hosts are built they are frozen for Python's cyclic garbage collector
    (C(gc.freeze)), so later collections and forked workers do not walk them again.
  - Only files whose name ends in C(.clawops.yml) or C(.clawops.yaml) are read.
  - A fleet definition with errors fails the source with one message per problem, each naming
    the file, the key path and the fix.
extends_documentation_fragment:
  - constructed
  - inventory_cache
options:
  plugin:
    description: The name of this plugin; use C(clawops.orchestrator.fleet).
    required: true
    type: str
    choices: [clawops.orchestrator.fleet]
  fleet_dir:
    description:
      - Directory holding C(fleet.yml). Relative paths are relative to the directory of the
        inventory file (after resolving symlinks, so a linked inventory file, as Molecule's
        C(inventory.links) makes, still finds its fleet), so an inventory file can sit in
        the fleet repository.
    required: true
    type: str
  gateways:
    description: Only these gateway ids become hosts (default all).
    type: list
    elements: str
    default: []
  include_config:
    description:
      - Add C(clawops_config), the effective openclaw.json as data (for templates that read
        single values from it; the roles need only C(clawops_config_text)).
    type: bool
    default: false
  include_provenance:
    description:
      - Add C(clawops_provenance) to every host, a list of C({path, value, layer, file, file_path})
        rows, one per leaf of the effective config.
    type: bool
    default: false
requirements:
  - json5
  - jsonschema
  - PyYAML
"""

EXAMPLES = r"""
# inventory/fleet.clawops.yml
plugin: clawops.orchestrator.fleet
fleet_dir: ../fleet
---
# One gateway, with provenance, plus a group per compose host and inventory caching
plugin: clawops.orchestrator.fleet
fleet_dir: /srv/git/acme-fleet
gateways: [gw-support]
include_provenance: true
keyed_groups:
  - key: clawops_runtime.target.host | default('none')
    prefix: host
compose:
  clawops_image_ref: clawops_runtime.image.ref
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/clawops-inventory
"""

import gc
import hashlib
import os

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import FleetError
from ansible_collections.clawops.orchestrator.plugins.module_utils._gc import paused
from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import (
    INVENTORY_SUFFIXES, inventory_fleet_dir)
from ansible_collections.clawops.orchestrator.plugins.module_utils._hostvars import (
    CACHE_FORMAT, build_hosts)


def fleet_fingerprint(root):
    """Hash of every file's name, size and mtime under ``root``: changes when the fleet does."""
    digest = hashlib.sha256()
    for base, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            path = os.path.join(base, name)
            try:
                stat = os.stat(path)
            except OSError:
                continue
            line = "%s\0%d\0%d\n" % (os.path.relpath(path, root), stat.st_size,
                                     stat.st_mtime_ns)
            digest.update(line.encode("utf-8"))
    return digest.hexdigest()


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """Gateways of a clawops fleet as hosts."""

    NAME = "clawops.orchestrator.fleet"
    # fleet errors this process already reported, by inventory source: Ansible's `auto`
    # plugin parses a source again through this plugin after it failed, and its failure
    # then points at the first report instead of repeating it
    _reported = {}

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(INVENTORY_SUFFIXES)

    def parse(self, inventory, loader, path, cache=True):
        if path in InventoryModule._reported:
            raise AnsibleParserError("clawops fleet %s: the error reported above "
                                     "(clawops.orchestrator.fleet)" % InventoryModule._reported[path])
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        fleet_dir = inventory_fleet_dir(path, self.get_option("fleet_dir"))

        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        update_cache = self.get_option("cache") and not cache
        # the cached hosts depend on the fleet files and on this source's own options
        fingerprint = "%s %s" % (
            fleet_fingerprint(fleet_dir),
            hashlib.sha256(repr((sorted(self.get_option("gateways") or []),
                                 self.get_option("include_provenance"),
                                 self.get_option("include_config"))).encode("utf-8")).hexdigest(),
        ) if self.get_option("cache") else None
        data = None
        if use_cache:
            cached = self._cache.get(cache_key)
            if isinstance(cached, dict) and cached.get("fingerprint") == fingerprint \
                    and cached.get("format") == CACHE_FORMAT:
                data = cached
        with paused():
            try:
                self._build_and_populate(data, fleet_dir, fingerprint, cache_key,
                                         use_cache or update_cache)
            except AnsibleParserError:
                InventoryModule._reported[path] = fleet_dir
                raise
        # The hosts live as long as the process. Freezing them keeps every later full
        # collection (ansible-inventory's dump, the playbook's tasks) from walking them
        # again, and keeps forked workers from dirtying their pages (Python's gc docs, on
        # fork): 1.5 s of 8.7 s for `--list` of 1,000 gateways.
        gc.freeze()

    def _build_and_populate(self, data, fleet_dir, fingerprint, cache_key, write_cache):
        if data is None:
            try:
                data = build_hosts(fleet_dir, self.get_option("gateways"),
                                   self.get_option("include_provenance"),
                                   self.get_option("include_config"))
            except FleetError as exc:
                raise AnsibleParserError("clawops fleet %s: %s" % (fleet_dir, exc.render()))
            data["fingerprint"] = fingerprint
            if write_cache:
                self._cache[cache_key] = data
        self._populate(data)

    def _populate(self, data):
        strict = self.get_option("strict")
        self.inventory.add_group("clawops")
        for host, entry in sorted(data["hosts"].items()):
            self.inventory.add_host(host)
            for name in entry["groups"]:
                self.inventory.add_group(name)
                self.inventory.add_child("clawops", name)
                self.inventory.add_host(host, group=name)
            for key, value in entry["vars"].items():
                self.inventory.set_variable(host, key, value)
            host_vars = self.inventory.get_host(host).get_vars()
            self._set_composite_vars(self.get_option("compose"), host_vars, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), host_vars, host,
                                              strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), host_vars, host,
                                           strict=strict)
