#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: gateway_devices
short_description: Device pairing of one OpenClaw gateway - list, approve, reject, remove, rotate, revoke, reconcile
version_added: 0.1.0
description:
  - Runs the gateway's own CLI inside its container (C(openclaw devices ...) and
    C(openclaw nodes ...)), authenticated by the gateway token the container already has.
    Device auth stays on; nothing here turns it off.
  - On a Compose host the CLI runs by C(docker exec); on Kubernetes in the gateway container
    of the pod of the Deployment's current template (an exec through the Kubernetes API from
    the controller) - the gateway client of O(endpoint).
  - V(list) returns pending and paired devices and pending node approvals.
  - V(approve) / V(reject) act on a pending request id; V(remove) removes a paired device;
    V(rotate) issues a new device token for a role (the token itself is never returned);
    V(revoke) revokes a device's token for a role (the device must pair again);
    V(approve_node) approves a node's pending capability request.
  - V(reconcile) makes pairing match the gateway's definition - pending requests from
    pre-approved devices (O(allowed), by device id or public key) are approved; with
    O(reject_unlisted) every other pending request is rejected; with O(remove_unlisted) paired
    devices that are not allowed are removed. With O(approve_nodes) the pending node
    capability requests of allowed devices are approved too.
  - V(window) opens an approval window - for O(window_seconds) the module watches the
    gateway's pending requests and approves those that match O(criteria) (display name and
    platform patterns, the role - V(node) unless an entry says V(operator)), at most
    O(max_approvals), then closes; requests that do not match stay pending and are listed.
    For pairing many devices whose ids nobody knows in advance. In check mode it looks once
    and says what it would approve now.
  - Idempotent - acting on what is already so (a device not paired, nothing pending) changes
    nothing.
author:
  - clawops contributors (@clawops)
options:
  action:
    description: What to do.
    type: str
    choices: [list, approve, reject, remove, rotate, revoke, approve_node, reconcile, window]
    default: list
  request_id:
    description: The pending request for V(approve), V(reject) and V(approve_node).
    type: str
  device_id:
    description: The paired device for V(remove), V(rotate) and V(revoke).
    type: str
  role:
    description: The role whose token V(rotate) or V(revoke) acts on (V(node), V(operator)).
    type: str
  allowed:
    description:
      - For V(reconcile), the pre-approved devices - each with C(device_id) or C(public_key),
        optionally the C(role) it may pair as.
    type: list
    elements: dict
    default: []
  reject_unlisted:
    description: For V(reconcile), reject pending requests of devices that are not allowed.
    type: bool
    default: false
  remove_unlisted:
    description: For V(reconcile), remove paired devices that are not allowed.
    type: bool
    default: false
  approve_nodes:
    description: For V(reconcile), also approve pending node requests of allowed devices.
    type: bool
    default: true
  criteria:
    description:
      - For V(window), what a request must match to be approved - a list of entries, each
        with C(name) and/or C(platform) (shell patterns over the device's display name and
        platform; at least one that is not C(*)), optionally C(client_mode) (pattern) and
        C(role) (V(node) or V(operator), default V(node)). The first matching entry wins.
    type: list
    elements: dict
    default: []
  window_seconds:
    description: For V(window), how long it stays open (at most an hour).
    type: int
    default: 600
  max_approvals:
    description: For V(window), close after this many approvals.
    type: int
    default: 10
  poll_seconds:
    description:
      - For V(window), how often the pending requests are read (each read starts the
        gateway's CLI in its container, about a second of CPU there).
    type: int
    default: 5
  timeout:
    description: Milliseconds each CLI call may wait for the gateway.
    type: int
    default: 15000
attributes:
  check_mode:
    description: Lists and plans; changes nothing.
    support: full
  diff_mode:
    description: Shows the pairing before and after.
    support: full
  idempotent:
    description: All actions but V(rotate).
    support: partial
extends_documentation_fragment:
  - clawops.orchestrator.gateway_endpoint
"""

EXAMPLES = r"""
- name: Pending and paired devices of a gateway
  clawops.orchestrator.gateway_devices:
    endpoint: "{{ clawops_runtime.endpoint }}"
  register: pairing

- name: Approve one request
  clawops.orchestrator.gateway_devices:
    endpoint: "{{ clawops_runtime.endpoint }}"
    action: approve
    request_id: 99889499-2a5e-4107-a2c5-f3e3ea0da8e3

- name: Make pairing match the fleet definition
  clawops.orchestrator.gateway_devices:
    endpoint: "{{ clawops_runtime.endpoint }}"
    action: reconcile
    allowed:
      - {device_id: e451b691430f5af7262cefeef5cb8109b5b501cb0639967af46eca8ab3a5fecc, role: node}
    reject_unlisted: true

- name: Pairing of a gateway of the inventory, Compose or Kubernetes
  clawops.orchestrator.gateway_devices:
    endpoint: "{{ clawops_runtime.endpoint }}"
  register: pairing

- name: For 15 minutes, approve the node hosts of the lab (named lab-*) on Linux
  clawops.orchestrator.gateway_devices:
    endpoint: "{{ clawops_runtime.endpoint }}"
    action: window
    window_seconds: 900
    criteria:
      - {name: "lab-*", platform: linux, role: node}

- name: The device must pair again
  clawops.orchestrator.gateway_devices:
    endpoint: "{{ clawops_runtime.endpoint }}"
    action: revoke
    device_id: e451b691430f5af7262cefeef5cb8109b5b501cb0639967af46eca8ab3a5fecc
    role: node
"""

RETURN = r"""
pending:
  description: Pending device requests after the action (request id, device id, role, scopes, platform, name).
  returned: always
  type: list
  elements: dict
paired:
  description: Paired devices after the action (device id, roles, scopes, platform, name; never tokens).
  returned: always
  type: list
  elements: dict
nodes_pending:
  description: Pending node capability requests (request id, node id, commands).
  returned: always
  type: list
  elements: dict
steps:
  description: What was done (or would be, in check mode) - verb, id and why.
  returned: always
  type: list
  elements: dict
window:
  description:
    - For V(window), how it went - C(seconds) it was open, C(closed) (V(deadline) or
      V(max_approvals)), C(approved) (each approved request with device id, name, platform,
      role and when), C(unmatched) (requests seen that did not match, left pending).
  returned: when action is window
  type: dict
"""

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.orchestrator.plugins.module_utils._clock import utc_text
from ansible_collections.clawops.orchestrator.plugins.module_utils._devices import (
    DevicesProblem, check_criteria, normalize_listing, parse_json, plan_reconcile,
    plan_window, summary)
from ansible_collections.clawops.orchestrator.plugins.module_utils._gateway_client import (
    ENDPOINT_OPTION, GatewayProblem, connect)
from ansible_collections.clawops.orchestrator.plugins.module_utils._k8s_api import ClusterError


class Gateway:
    """The gateway's CLI through its client (``_gateway_client``), on either provider."""

    def __init__(self, module):
        params = module.params
        self.container = params["endpoint"]["instance"]
        self.timeout = str(params["timeout"])
        try:
            self.client = connect(params["endpoint"], run=module.run_command,
                                  docker=module.get_bin_path("docker") or "docker")
            state = self.client.state()
        except (GatewayProblem, ClusterError) as exc:
            module.fail_json(msg="gateway_devices %s: %s" % (self.container, exc))
        if not state["running"]:
            module.fail_json(msg="gateway_devices %s: the gateway does not run (%s); start it "
                                 "(playbooks/lifecycle.yml -e action=started)"
                             % (self.container, state.get("reason")))
        # the CLI's own deadline plus the exec's round trips
        self.deadline = params["timeout"] // 1000 + 30

    def run(self, *args):
        rc, out, err = self.client.cli(list(args) + ["--json", "--timeout", self.timeout],
                                       self.deadline)
        if rc != 0:
            raise DevicesProblem("openclaw %s in %s failed (%s): %s" % (
                " ".join(args[:2]), self.container,
                "timed out" if rc in (None, 124, 137) else "rc %d" % rc,
                (err or out).strip()[-600:]))
        return parse_json(out, "openclaw %s" % " ".join(args[:2]))

    def listing(self):
        return normalize_listing(self.run("devices", "list"))

    def nodes_pending(self):
        data = self.run("nodes", "pending")
        return data if isinstance(data, list) else data.get("pending", []) if isinstance(data, dict) else []


def _node_view(requests):
    keep = ("requestId", "nodeId", "displayName", "platform", "commands", "caps", "ts")
    return [{k: v for k, v in r.items() if k in keep} for r in requests]


def open_window(module, gateway, before):
    """Approve matching requests until the window's deadline or its approvals run out."""
    p = module.params
    started = time.monotonic()
    deadline = started + p["window_seconds"]
    approved, unmatched, steps, handled = [], {}, [], set()
    listing, closed = before, "deadline"
    while True:
        found, left = plan_window(listing, p["criteria"], handled)
        for request in left:
            unmatched[request.get("requestId")] = request
        by_id = {r.get("requestId"): r for r in listing["pending"]}
        for verb, ident, why in found:
            if len(approved) >= p["max_approvals"]:
                break
            handled.add(ident)
            steps.append((verb, ident, why))
            if module.check_mode:
                continue
            gateway.run("devices", "approve", ident)
            request = by_id[ident]
            approved.append({"requestId": ident, "deviceId": request.get("deviceId"),
                             "displayName": request.get("displayName"),
                             "platform": request.get("platform"),
                             "role": request.get("role"),
                             "at": utc_text()})
        if module.check_mode:
            closed = "check mode"
            break
        if len(approved) >= p["max_approvals"]:
            closed = "max_approvals"
            break
        if time.monotonic() + p["poll_seconds"] > deadline:
            break
        time.sleep(p["poll_seconds"])
        listing = gateway.listing()
    unmatched = [r for ident, r in sorted(unmatched.items()) if ident not in handled]
    return steps, {"seconds": round(time.monotonic() - started, 1), "closed": closed,
                   "approved": approved, "criteria": p["criteria"],
                   "unmatched": summary({"pending": unmatched, "paired": []})["pending"]}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            endpoint=ENDPOINT_OPTION,
            action=dict(type="str", default="list", choices=[
                "list", "approve", "reject", "remove", "rotate", "revoke", "approve_node",
                "reconcile", "window"]),
            request_id=dict(type="str"),
            device_id=dict(type="str"),
            role=dict(type="str"),
            allowed=dict(type="list", elements="dict", default=[]),
            reject_unlisted=dict(type="bool", default=False),
            remove_unlisted=dict(type="bool", default=False),
            approve_nodes=dict(type="bool", default=True),
            criteria=dict(type="list", elements="dict", default=[]),
            window_seconds=dict(type="int", default=600),
            max_approvals=dict(type="int", default=10),
            poll_seconds=dict(type="int", default=5),
            timeout=dict(type="int", default=15000),
        ),
        required_if=[
            ("action", "approve", ["request_id"]),
            ("action", "reject", ["request_id"]),
            ("action", "approve_node", ["request_id"]),
            ("action", "remove", ["device_id"]),
            ("action", "rotate", ["device_id", "role"]),
            ("action", "revoke", ["device_id", "role"]),
        ],
        supports_check_mode=True,
    )
    p = module.params
    for index, item in enumerate(p["allowed"]):
        if not (item.get("device_id") or item.get("public_key")) or \
                set(item) - {"device_id", "public_key", "role", "name"}:
            module.fail_json(msg="allowed[%d]: each pre-approved device has device_id or "
                                 "public_key (and optionally role, name); got %s"
                                 % (index, sorted(item)))
    if p["action"] == "window":
        problems = check_criteria(p["criteria"])
        if not 1 <= p["window_seconds"] <= 3600:
            problems.append("window_seconds must be 1..3600")
        if p["max_approvals"] < 1 or p["poll_seconds"] < 1:
            problems.append("max_approvals and poll_seconds must be at least 1")
        if problems:
            module.fail_json(msg="approval window: " + "; ".join(problems))
    gateway = Gateway(module)
    window = None
    try:
        before = gateway.listing()
        nodes = gateway.nodes_pending()
        steps = []
        pending_ids = {r.get("requestId") for r in before["pending"]}
        paired = {d.get("deviceId"): d for d in before["paired"]}
        action = p["action"]
        if action in ("approve", "reject"):
            if p["request_id"] not in pending_ids:
                module.fail_json(msg="request %s is not pending on %s (pending: %s). It was "
                                     "already handled, expired, or belongs to another gateway"
                                 % (p["request_id"], p["endpoint"]["instance"],
                                    ", ".join(sorted(pending_ids)) or "none"))
            steps.append((action, p["request_id"], "requested"))
        elif action == "approve_node":
            node_ids = {r.get("requestId") for r in nodes}
            if p["request_id"] not in node_ids:
                module.fail_json(msg="node request %s is not pending on %s (pending: %s)"
                                 % (p["request_id"], p["endpoint"]["instance"],
                                    ", ".join(sorted(node_ids)) or "none"))
            steps.append(("approve_node", p["request_id"], "requested"))
        elif action in ("remove", "rotate", "revoke"):
            device = paired.get(p["device_id"])
            live_roles = {t.get("role") for t in (device or {}).get("tokens", [])
                          if not t.get("revokedAtMs")}
            if device is None:
                if action == "rotate":
                    module.fail_json(msg="device %s is not paired with %s: nothing to rotate"
                                     % (p["device_id"], p["endpoint"]["instance"]))
            elif action == "remove" or action == "rotate" or p["role"] in live_roles:
                steps.append((action, p["device_id"], "requested"))
        elif action == "reconcile":
            steps = plan_reconcile(before, p["allowed"], p["reject_unlisted"],
                                   p["remove_unlisted"])
            if p["approve_nodes"]:
                allowed_ids = {d.get("deviceId") for d in before["paired"]
                               if any(a.get("device_id") == d.get("deviceId")
                                      or a.get("public_key") == d.get("publicKey")
                                      for a in p["allowed"])}
                steps += [("approve_node", r.get("requestId"), "node of pre-approved device %s"
                           % r.get("nodeId")) for r in nodes if r.get("nodeId") in allowed_ids]
        elif action == "window":
            steps, window = open_window(module, gateway, before)
        if steps and not module.check_mode and action == "window":
            after, nodes = gateway.listing(), gateway.nodes_pending()
        elif steps and not module.check_mode:
            for verb, ident, dummy in steps:
                if verb in ("approve", "reject"):
                    gateway.run("devices", verb, ident)
                elif verb == "approve_node":
                    gateway.run("nodes", "approve", ident)
                elif verb == "remove":
                    gateway.run("devices", "remove", ident)
                else:
                    gateway.run("devices", verb, "--device", ident, "--role", p["role"])
            after, nodes = gateway.listing(), gateway.nodes_pending()
        else:
            after = before
    except DevicesProblem as exc:
        module.fail_json(msg=str(exc))
    view = summary(after)
    result = dict(changed=bool(steps), pending=view["pending"], paired=view["paired"],
                  nodes_pending=_node_view(nodes),
                  steps=[dict(verb=v, id=i, why=w) for v, i, w in steps])
    if window is not None:
        result["window"] = window
    if module._diff:
        result["diff"] = dict(before=summary(before), after=view)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
