#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_audit
short_description: Verify the fleet's hash-chained audit trail and read its events
version_added: 0.1.0
description:
  - Reads the append-only audit trail written by M(clawops.orchestrator.fleet_event) and every
    playbook that changes something (one JSON line per event, each carrying the hash of the
    line before it).
  - Verifies the chain from the first line; a line edited, removed or inserted after it was
    written breaks it, and the module fails naming the first broken line.
  - Optionally returns the events, filtered by actor, action, target and result.
  - Reads only; runs on the controller.
author:
  - clawops contributors (@clawops)
options:
  path:
    description: The audit trail (JSON lines).
    type: path
    required: true
  fail_on_broken:
    description: Fail when the chain is broken (the default); V(false) only reports.
    type: bool
    default: true
  events:
    description: Return the events (after the filters), newest last.
    type: bool
    default: false
  actor:
    description: Only events of this actor.
    type: str
  action:
    description: Only events of this action (V(update), V(agent), V(pairing), ...).
    type: str
  target:
    description: Only events whose target contains this text (a gateway id, C(<org>/<gateway>)).
    type: str
  result:
    description: Only events with this result (V(ok), V(failed), V(refused), ...).
    type: str
  last:
    description: Return at most this many events (the newest); V(0) returns all.
    type: int
    default: 50
  require_anchor:
    description:
      - Fail a trail that has no witnessed head yet (one written before audit keys and not
        appended to since). A trail whose lines carry MACs always needs its head.
    type: bool
    default: false
extends_documentation_fragment:
  - clawops.orchestrator.audit_key
attributes:
  check_mode:
    description: Reads only; the same in check mode.
    support: full
  diff_mode:
    description: No diff.
    support: none
  idempotent:
    description: Reads only.
    support: full
"""

EXAMPLES = r"""
- name: Prove the audit trail intact
  clawops.orchestrator.fleet_audit:
    path: ~/.clawops/events/acme.jsonl

- name: What did bob change on gw-people?
  clawops.orchestrator.fleet_audit:
    path: ~/.clawops/events/acme.jsonl
    events: true
    actor: bob
    target: gw-people
"""

RETURN = r"""
intact:
  description: Whether the whole chain verifies.
  returned: always
  type: bool
first_broken_line:
  description: Line number (1-based) of the first line that breaks the chain; null when intact.
  returned: always
  type: int
message:
  description: The verdict in words.
  returned: always
  type: str
count:
  description: Number of events in the trail.
  returned: always
  type: int
events:
  description: The matching events (newest last), when O(events) is true.
  returned: when events is true
  type: list
  elements: dict
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.orchestrator.plugins.module_utils._events import (
    AuditError, missing_trail, verify_here)


def _matches(event, p):
    return ((not p["actor"] or event.get("actor") == p["actor"])
            and (not p["action"] or event.get("action") == p["action"])
            and (not p["target"] or p["target"] in str(event.get("target", "")))
            and (not p["result"] or event.get("result") == p["result"]))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            audit_key_file=dict(type="path", no_log=False),
            require_anchor=dict(type="bool", default=False),
            fail_on_broken=dict(type="bool", default=True),
            events=dict(type="bool", default=False),
            actor=dict(type="str"),
            action=dict(type="str"),
            target=dict(type="str"),
            result=dict(type="str"),
            last=dict(type="int", default=50),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if not os.path.exists(p["path"]):
        module.fail_json(msg=missing_trail(p["path"]))
    try:
        intact, line, message = verify_here(p["path"], p["audit_key_file"],
                                            require_anchor=p["require_anchor"])
        found, count = [], 0
        with open(p["path"], encoding="utf-8") as handle:
            for text in handle:
                if not text.strip():
                    continue
                count += 1
                if p["events"]:
                    try:
                        event = json.loads(text)
                    except ValueError:
                        continue
                    if _matches(event, p):
                        found.append(event)
    except AuditError as exc:
        module.fail_json(msg="cannot verify the audit trail %s: %s" % (p["path"], exc))
    except (OSError, UnicodeDecodeError) as exc:
        module.fail_json(msg="cannot read the audit trail %s: %s" % (p["path"], exc))
    result = dict(changed=False, intact=intact, first_broken_line=line,
                  message="%s: %s" % (p["path"], message), count=count)
    if p["events"]:
        result["events"] = found[-p["last"]:] if p["last"] > 0 else found
    if not intact and p["fail_on_broken"]:
        module.fail_json(msg="audit trail %s is broken: %s. Everything from that line on is "
                             "untrusted; compare it with a copy shipped off the controller"
                             % (p["path"], message), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
