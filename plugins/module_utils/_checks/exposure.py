# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight's exposure family: settings that are unsafe once a gateway is reachable.

A gateway published beyond loopback (``exposure: lan``) is a network service holding model
and messaging credentials. OpenClaw accepts configs that open it wide (``allowedOrigins:
["*"]``, a ``trustedProxies`` of ``0.0.0.0/0``, silent device approval, open DMs, plain
HTTP); ``openclaw security audit`` flags some of them after the fact. Here they are
findings before anything is deployed, each at the fleet file and key path that set it
(docs/gateway/security/network-exposure.md of the pinned package is the reference).
Pure Python, no Ansible imports."""

from __future__ import annotations

import ipaddress

from .._fleet import FLEET_FILE
from .._layering import leaves
from ._base import Family, parse_codes

READ_VERBS = ("get", "list", "watch")

CODES = parse_codes("""
    exposure.plaintext       error   A gateway exposed beyond loopback serves plain HTTP with no
                                     TLS and no trusted TLS proxy.
    exposure.any-origin      error   An exposed gateway's Control UI accepts every origin.
    exposure.any-proxy       error   trustedProxies trusts every address (/0): anyone can forge
                                     their client address.
    exposure.auto-approve    error   An exposed gateway approves device pairing silently.
    exposure.dm-open         error   An exposed gateway's channel accepts DMs from anyone.
    exposure.dangerous-flag  error   A dangerously* switch is on (error when exposed, warning on
                                     loopback).
    exposure.invalid-cidr    error   An address range is not a valid IP address or CIDR.
    exposure.cluster-write   error   A Kubernetes gateway's extra ClusterRole rules grant more
                                     than get, list and watch without cluster_rules_write.
    exposure.no-ingress      error   An exposed Kubernetes gateway admits no namespace: its
                                     NetworkPolicy drops all ingress.
""")


def _network(text):
    """The network of an address or CIDR, or None if it is neither."""
    if not isinstance(text, str):
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


class Checks(Family):
    """The exposure family (per gateway)."""

    def check_gateway(self, plan):
        config = plan.config
        gateway = config.get("gateway", {})
        exposed = plan.runtime["exposure"] != "loopback"
        gw_id = plan.gateway.id
        self.ranges(plan, gateway)
        self.flags(plan, config, exposed)
        if plan.runtime["provider"] == "k8s":
            self.cluster_rules(plan)
            if exposed:
                self.ingress(plan)
        if not exposed:
            return
        if "*" in (gateway.get("controlUi", {}).get("allowedOrigins") or []):
            path = ("gateway", "controlUi", "allowedOrigins")
            self._add("exposure.any-origin", plan, path,
                      "the Control UI of %s, exposed (lan), accepts requests "
                      "from every browser origin" % gw_id,
                      "list the origins that serve the Control UI (https://ops.example.com)")
        pairing = gateway.get("nodes", {}).get("pairing", {})
        if pairing.get("autoApproveLocal") is True:
            self._add("exposure.auto-approve", plan,
                      ("gateway", "nodes", "pairing", "autoApproveLocal"),
                      "%s is exposed (lan) and approves pairing, role and scope "
                      "upgrades from 'local' connections without asking" % gw_id,
                      "remove autoApproveLocal (clawops sets false on exposed gateways) and "
                      "approve devices with playbooks/pairing.yml")
        for path, value in leaves(config.get("channels", {}), ("channels",)):
            if path[-1] == "dmPolicy" and value == "open":
                self._add("exposure.dm-open", plan, path,
                          "%s lets anyone who finds the bot message its agents on %s"
                          % (gw_id, path[1]),
                          "use dmPolicy 'pairing' or 'allowlist' with allowFrom")
        tls = gateway.get("tls", {}).get("enabled") is True
        proxies = gateway.get("trustedProxies") or []
        if not tls and not proxies and not plan.runtime.get("hosted"):
            file, key_path = plan.gateway.setting_source("exposure")
            self.add("exposure.plaintext", file, key_path,
                     "%s is exposed (lan) and serves plain HTTP: its token and every "
                     "message cross the network in clear" % gw_id,
                     "serve TLS (gateway.tls.enabled: true with certPath and keyPath) or put a "
                     "TLS-terminating proxy in front and list it in gateway.trustedProxies",
                     gw_id)

    def _add(self, code, plan, path, message, fix, severity=None):
        file, key_path = self.where(plan, path)
        self.add(code, file, key_path, message, fix, plan.gateway.id, severity=severity)

    def ranges(self, plan, gateway):
        lists = [(("gateway", "trustedProxies"), gateway.get("trustedProxies") or []),
                 (("gateway", "nodes", "pairing", "autoApproveCidrs"),
                  gateway.get("nodes", {}).get("pairing", {}).get("autoApproveCidrs") or [])]
        for base, values in lists:
            for index, text in enumerate(values):
                path = base + (index,)
                net = _network(text)
                if net is None:
                    self._add("exposure.invalid-cidr", plan, path,
                              "%r is not an IP address or CIDR" % (text,),
                              "write an address (10.0.0.5) or a range (10.0.0.0/24)")
                elif net.prefixlen == 0:
                    code = "exposure.any-proxy" if base[-1] == "trustedProxies" \
                        else "exposure.auto-approve"
                    self._add(code, plan, path,
                              "%s covers every address, so any client is trusted" % text,
                              "list the proxies' or nodes' own addresses or subnets")

    def flags(self, plan, config, exposed):
        for path, value in leaves(config, ()):
            key = path[-1] if path else None
            if isinstance(key, str) and key.startswith("dangerously") and value is True:
                self._add("exposure.dangerous-flag", plan, path,
                          "%s is true%s" % (".".join(str(p) for p in path),
                                            " on a gateway exposed (lan)" if exposed else ""),
                          "remove it: OpenClaw's security audit lists it as a break-glass "
                          "switch for local testing",
                          severity=None if exposed else "warning")

    def cluster_rules(self, plan):
        """Extra ClusterRole rules grant only reading unless the fleet says otherwise."""
        k8s = plan.runtime["k8s"]
        if k8s["cluster_rules_write"]:
            return
        for index, rule in enumerate(k8s["cluster_rules"]):
            extra = sorted(set(rule["verbs"]) - set(READ_VERBS))
            if extra:
                self.add("exposure.cluster-write", plan.gateway.file,
                         ("provider", "cluster_rules", index, "verbs"),
                         "%s may %s %s cluster-wide" % (plan.gateway.id, ", ".join(extra),
                                                        ", ".join(rule["resources"])),
                         "keep to %s, or set provider.cluster_rules_write: true if the "
                         "gateway must change cluster objects" % ", ".join(READ_VERBS),
                         plan.gateway.id)

    def ingress(self, plan):
        # the NetworkPolicy's namespaces as the renderer computed them; the finding points at
        # the gateway's override when it has one, else at its cluster's network
        if plan.runtime["k8s"]["ingress_namespaces"] or \
                plan.runtime["k8s"]["ingress_all_namespaces"]:
            return
        provider = plan.gateway.data["provider"]
        if "ingress_namespaces" in provider.get("network", {}):
            file, key_path = plan.gateway.file, ("provider", "network", "ingress_namespaces")
        else:
            file = FLEET_FILE
            key_path = ("targets", "k8s_clusters", provider["cluster"], "network",
                        "ingress_namespaces")
        self.add("exposure.no-ingress", file, key_path,
                 "%s is exposed (lan) but no namespace may connect: its NetworkPolicy "
                 "would drop all traffic in" % plan.gateway.id,
                 "list the namespaces whose pods may connect, or set exposure: loopback",
                 plan.gateway.id)
