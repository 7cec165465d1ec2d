# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Device pairing, declaratively: which pending requests to approve or reject and which
paired devices to remove, given the devices a gateway's definition pre-approves.

The gateway's own CLI does the work (``openclaw devices list|approve|reject|remove|rotate|
revoke``, ``openclaw nodes pending|approve``); this module only parses its JSON and plans.
Device auth is never turned off.
"""

from __future__ import annotations

import json
from fnmatch import fnmatchcase


class DevicesProblem(Exception):
    """The gateway's CLI answered something we cannot read."""


def parse_json(text, what):
    """The JSON document in ``text``: the CLI may print log lines (even ones that start with
    '[') before it, so the first line from which a whole document decodes wins."""
    decoder = json.JSONDecoder()
    offset, first_error = 0, None
    for line in text.splitlines(True):
        if line.lstrip()[:1] in ("{", "["):
            try:
                return decoder.raw_decode(text[offset + len(line) - len(line.lstrip()):])[0]
            except ValueError as exc:
                first_error = first_error or exc
        offset += len(line)
    if first_error is None:
        raise DevicesProblem("%s printed no JSON: %s" % (what, text.strip()[:300] or "(nothing)"))
    raise DevicesProblem("%s printed JSON that does not parse (%s): %s"
                         % (what, first_error, text.strip()[:300]))


def _key(entry):
    return entry.get("publicKey") or entry.get("public_key")


def _as_list(value):
    return value if isinstance(value, list) else []


def normalize_listing(data):
    """{'pending': [...], 'paired': [...]} from ``devices list --json``."""
    if not isinstance(data, dict):
        raise DevicesProblem("devices list --json returned %s, expected an object with pending "
                             "and paired" % type(data).__name__)
    return {"pending": _as_list(data.get("pending")), "paired": _as_list(data.get("paired"))}


def _allowed(entry, allowed):
    for item in allowed:
        if item.get("device_id") and item["device_id"] == entry.get("deviceId"):
            return item
        if item.get("public_key") and item["public_key"] == _key(entry):
            return item
    return None


def plan_reconcile(listing, allowed, reject_unlisted=False, remove_unlisted=False):
    """The steps that make the gateway's pairing match ``allowed``.

    ``allowed``: [{device_id?, public_key?, role?}]. A pending request from an allowed device
    for the entry's role is approved - ``node`` when the entry names none, so operator access
    (the gateway's control) is approved only where the fleet says so; with ``reject_unlisted``
    every other pending request is rejected; with ``remove_unlisted`` paired devices that are
    not allowed are removed. Returns [(verb, id, reason)] in a stable order.
    """
    steps = []
    for request in sorted(listing["pending"], key=lambda r: str(r.get("requestId"))):
        match = _allowed(request, allowed)
        if match and match.get("role", "node") == request.get("role"):
            steps.append(("approve", request.get("requestId"),
                          "device %s is pre-approved" % request.get("deviceId")))
        elif reject_unlisted:
            steps.append(("reject", request.get("requestId"),
                          "device %s is not in the gateway's allowed devices"
                          % request.get("deviceId")))
    if remove_unlisted:
        for device in sorted(listing["paired"], key=lambda d: str(d.get("deviceId"))):
            if not _allowed(device, allowed):
                steps.append(("remove", device.get("deviceId"),
                              "paired device is not in the gateway's allowed devices"))
    return steps


def summary(listing):
    """Compact, secret-free view of a listing (tokens never leave the gateway)."""
    keep = ("requestId", "deviceId", "role", "roles", "scopes", "platform", "displayName",
            "clientId", "clientMode", "createdAtMs", "approvedAtMs", "ts", "remoteIp")
    return {part: [{k: v for k, v in item.items() if k in keep} for item in listing[part]]
            for part in ("pending", "paired")}


# -- approval windows -----------------------------------------------------------------------
CRITERIA_KEYS = ("name", "platform", "role", "client_mode")


def check_criteria(criteria):
    """Problems of an approval window's criteria (a list of {name, platform, role,
    client_mode}: shell patterns, role exact), as messages; [] when they are usable. Every
    entry must narrow by name or platform: a window that approves anything is refused."""
    problems = []
    if not criteria:
        problems.append("an approval window needs criteria: [{name: <pattern>, platform: "
                        "<pattern>, role: node|operator}]")
    for index, item in enumerate(criteria or []):
        if not isinstance(item, dict):
            problems.append("criteria[%d] is not a mapping" % index)
            continue
        extra = sorted(set(item) - set(CRITERIA_KEYS))
        if extra:
            problems.append("criteria[%d] has unknown keys %s (use %s)"
                            % (index, ", ".join(extra), ", ".join(CRITERIA_KEYS)))
        narrowing = [item.get(key) for key in ("name", "platform")
                     if item.get(key) not in (None, "", "*")]
        if not narrowing:
            problems.append("criteria[%d] would approve any device: give a name or platform "
                            "pattern" % index)
        if item.get("role", "node") not in ("node", "operator"):
            problems.append("criteria[%d].role must be node or operator" % index)
    return problems


def _roles(request):
    roles = request.get("roles")
    return set(roles) if isinstance(roles, list) else {request.get("role")}


def window_match(request, criteria):
    """The first criteria entry ``request`` (a pending device request) meets, else None. Name
    is the device's display name, role defaults to node: operator access (the gateway's
    control) only where the entry says so."""
    for item in criteria:
        wanted = {
            "name": request.get("displayName") or request.get("clientId") or "",
            "platform": request.get("platform") or "",
            "client_mode": request.get("clientMode") or "",
        }
        given = [key for key in wanted if item.get(key) not in (None, "")]
        if not all(fnmatchcase(str(wanted[key]), str(item[key])) for key in given):
            continue
        if _roles(request) - {item.get("role", "node")}:
            continue
        return item
    return None


def plan_window(listing, criteria, handled=()):
    """(approve steps, unmatched requests) for the pending requests of ``listing`` not in
    ``handled`` (request ids a window already decided)."""
    steps, unmatched = [], []
    for request in sorted(listing["pending"], key=lambda r: str(r.get("requestId"))):
        if request.get("requestId") in handled:
            continue
        match = window_match(request, criteria)
        if match:
            steps.append(("approve", request.get("requestId"),
                          "device %s (%s, %s, %s) matches the window's %s" % (
                              request.get("deviceId"), request.get("displayName"),
                              request.get("platform"), "/".join(sorted(
                                  str(r) for r in _roles(request))),
                              ", ".join("%s=%s" % (k, match[k]) for k in CRITERIA_KEYS
                                        if k in match))))
        else:
            unmatched.append(request)
    return steps, unmatched
