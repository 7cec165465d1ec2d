# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight family *paths and ports*: what gateways on one machine or in one namespace would
share - ports (and the range OpenClaw derives from them), directory trees, compose project
and object names - and directories two agents of a gateway share."""

from __future__ import annotations

from collections import defaultdict
import ipaddress
import posixpath

from .._fleet import FLEET_FILE
from .._render import DERIVED_PORT_SPAN
from ._base import Family, parse_codes

PORT_SPACING = 120  # keep gateway bases this far apart (OpenClaw uses base..base+110)

CODES = parse_codes("""
    collision.port             error   Two gateways on one machine use the same port.
    collision.port-range       error   Gateway ports on one machine are less than {spacing}
                                       apart (OpenClaw also uses base+1..base+{span}).
    collision.root             error   Two gateways' directories on one machine overlap.
    collision.state-dir        error   Two gateways' state directories overlap.
    collision.config-path      error   Two gateways' config directories overlap.
    collision.workspace-root   error   Two gateways' workspace roots overlap.
    collision.workspace        error   Two agents of a gateway share a workspace.
    collision.agent-dir        error   Two agents of a gateway share an agentDir.
    collision.compose-project  error   Two gateways on one machine share a compose project name.
    collision.k8s-name         error   Two gateways in one namespace share K8s object names.
    collision.hosted-port      error   Two hosted gateways' proxies on one machine publish the
                                       same address and port.
    collision.hosted-subnet    error   Two hosted gateways on one machine use overlapping
                                       proxy networks.
""", spacing=PORT_SPACING, span=DERIVED_PORT_SPAN)


class Checks(Family):
    """The paths family."""

    def check_fleet(self):
        self.collisions()

    def check_gateway(self, plan):
        """None in this family."""

    def machine(self, host):
        spec = self.fleet.data["targets"]["compose_hosts"][host]
        variables = spec.get("vars") or {}
        if variables.get("ansible_host"):
            return str(variables["ansible_host"])
        if variables.get("ansible_connection") == "local":
            return "localhost"
        return host

    def collisions(self):
        by_machine, by_namespace = defaultdict(list), defaultdict(list)
        for gw_id in sorted(self.plans):
            plan = self.plans[gw_id]
            runtime = plan.runtime
            if runtime["provider"] == "compose":
                by_machine[self.machine(runtime["target"]["host"])].append(plan)
            else:
                target = runtime["target"]
                by_namespace[(target["cluster"], target["namespace"])].append(plan)
            self.agent_paths(plan)
        for machine, plans in sorted(by_machine.items()):
            self.ports(machine, plans)
            self.hosted(machine, [p for p in plans if p.runtime.get("hosted")])
            self.host_paths(machine, plans)
            self.names(plans, "collision.compose-project", "on machine %s" % machine,
                       "compose project")
        for (cluster, namespace), plans in sorted(by_namespace.items()):
            self.names(plans, "collision.k8s-name", "in cluster %s namespace %s" % (
                cluster, namespace), "Deployment/Service/ConfigMap/Secret/PVC name")

    def ports(self, machine, plans):
        ordered = sorted(plans, key=lambda p: (p.runtime["port"], p.gateway.id))
        for before, after in zip(ordered, ordered[1:]):
            gap = after.runtime["port"] - before.runtime["port"]
            if gap >= PORT_SPACING:
                continue
            gw = after.gateway
            if gap == 0:
                self.add("collision.port", gw.file, ("port",),
                         "port %d on machine %s is also used by gateway %s" % (
                             gw.port, machine, before.gateway.id),
                         "pick a port at least %d away from every other gateway on the "
                         "machine" % PORT_SPACING, gw.id)
            else:
                self.add("collision.port-range", gw.file, ("port",),
                         "port %d is only %d above gateway %s's port %d on machine %s; "
                         "OpenClaw also uses base+1..base+%d" % (
                             gw.port, gap, before.gateway.id, before.runtime["port"], machine,
                             DERIVED_PORT_SPAN),
                         "use port %d or higher (bases at least %d apart)" % (
                             before.runtime["port"] + PORT_SPACING, PORT_SPACING), gw.id)

    def hosted(self, machine, plans):
        """Hosted gateways' proxies: one published address:port each (0.0.0.0 takes the port
        on every address), and proxy networks that do not overlap."""
        seen_ports, seen_nets = [], []
        for plan in sorted(plans, key=lambda p: p.gateway.id):
            gw, hosted = plan.gateway, plan.runtime["hosted"]
            file, key_path = gw.setting_source("hosted")
            for other, address, port in seen_ports:
                if port == hosted["port"] and "0.0.0.0" in (address, hosted["address"]) \
                        or (address, port) == (hosted["address"], hosted["port"]):  # nosec B104
                    self.add("collision.hosted-port", file, key_path + ("port",),
                             "%s's proxy publishes %s:%d on machine %s, as gateway %s's does"
                             % (gw.id, hosted["address"], hosted["port"], machine, other),
                             "give each hosted gateway on a machine its own hosted.address "
                             "(one per customer domain) or hosted.port", gw.id)
                    break
            seen_ports.append((gw.id, hosted["address"], hosted["port"]))
            net = ipaddress.ip_network(hosted["subnet"])
            for other, other_net in seen_nets:
                if net.overlaps(other_net):
                    self.add("collision.hosted-subnet", file, key_path + ("subnet",),
                             "%s's proxy network %s overlaps gateway %s's %s on machine %s"
                             % (gw.id, net, other, other_net, machine),
                             "set hosted.subnet to a free /28 on one of them (the default "
                             "comes from the port)", gw.id)
                    break
            seen_nets.append((gw.id, net))

    def _claims(self, plan):
        gw = plan.gateway
        host_paths = plan.runtime["host_paths"]
        provider = gw.data["provider"]
        if "root" in provider:
            root_src = (gw.file, ("provider", "root"))
        else:
            root_src = (FLEET_FILE, ("targets", "compose_hosts", provider["host"], "root"))
        claims = [("root", host_paths["root"], root_src)]
        for kind in ("state_dir", "workspace_root", "config_dir"):
            if kind in provider.get("paths", {}):
                claims.append((kind, host_paths[kind], (gw.file, ("provider", "paths", kind))))
        return claims

    def host_paths(self, machine, plans):
        codes = {"root": "collision.root", "state_dir": "collision.state-dir",
                 "workspace_root": "collision.workspace-root",
                 "config_dir": "collision.config-path"}
        claimed = {}
        reported = set()
        for plan in sorted(plans, key=lambda p: p.gateway.id):
            gw = plan.gateway
            for kind, path, (src_file, src_path) in self._claims(plan):
                hits = []
                probe = path
                while True:
                    for owner in claimed.get(probe, ()):
                        hits.append(owner)
                    parent = posixpath.dirname(probe)
                    if parent == probe:
                        break
                    probe = parent
                for other_path, owners in claimed.items():
                    if other_path.startswith(path.rstrip("/") + "/"):
                        hits.extend(owners)
                for other_id, other_kind, other_path in hits:
                    if other_id == gw.id or (gw.id, other_id) in reported:
                        continue
                    reported.add((gw.id, other_id))
                    code_kind = kind if kind != "root" else other_kind
                    where_file, where_path = (src_file, src_path)
                    self.add(codes[code_kind], where_file if where_file == gw.file else gw.file,
                             where_path if where_file == gw.file else ("provider",),
                             "%s %s overlaps %s of gateway %s (%s) on machine %s" % (
                                 kind.replace("_", " "), path, other_kind.replace("_", " "),
                                 other_id, other_path, machine),
                             "give every gateway its own directory tree (provider.root / "
                             "provider.paths, or the host's root)", gw.id)
            for kind, path, dummy in self._claims(plan):
                claimed.setdefault(path, []).append((gw.id, kind, path))

    def names(self, plans, code, where, what):
        by_name = defaultdict(list)
        for plan in plans:
            by_name[plan.runtime["instance"]].append(plan.gateway)
        for name, gws in sorted(by_name.items()):
            # the gateway that owns the name by default keeps it; overrides are reported
            gws.sort(key=lambda g: ("instance" in g.data, g.id))
            for gw in gws[1:]:
                self.add(code, gw.file, ("instance",) if "instance" in gw.data else ("id",),
                         "instance name %r (%s) %s is also used by gateway %s" % (
                             name, what, where, gws[0].id),
                         "set a unique 'instance:' or remove the override", gw.id)

    def agent_paths(self, plan):
        gw = plan.gateway
        for field, code, label in (("workspace", "collision.workspace", "workspace"),
                                   ("agent_dir", "collision.agent-dir", "agentDir")):
            seen = {}
            for agent in gw.agents:
                name = agent.data.get(field, agent.id)
                if name in seen:
                    self.add(code, gw.file, agent.key_path + ((field,) if field in agent.data
                                                              else ("id",)),
                             "agent %r uses %s %r, already used by %s" % (
                                 agent.id, label, name, seen[name]),
                             "give every agent its own '%s:' directory name" % field, gw.id,
                             agent.id)
                else:
                    seen[name] = "agent %r" % agent.id
