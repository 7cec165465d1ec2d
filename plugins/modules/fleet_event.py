#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_event
short_description: Append an operational event (update, rollback, backup, restore) to the fleet's event log
version_added: 0.1.0
description:
  - Appends one JSON line with time, actor, action, target, result and details to an
    append-only log on the controller, hash-chained to the line before it (C(prev), C(hash)).
  - Details whose key names a secret (token, secret, password, api key, credential) are
    redacted; pass hashes, never values.
  - Run it on the controller (C(delegate_to) localhost). Parallel forks are serialized by a
    file lock.
author:
  - clawops contributors (@clawops)
options:
  path:
    description: The event log (JSON lines).
    type: path
    required: true
  action:
    description: What happened (V(update), V(rollback), V(backup), V(restore), V(deploy), ...).
    type: str
    required: true
  target:
    description: What it happened to, C(<org>/<gateway>).
    type: str
    required: true
  result:
    description: How it ended (V(ok), V(failed), V(rolled_back), V(skipped), ...).
    type: str
    required: true
  actor:
    description: Who did it; default the controller login.
    type: str
  details:
    description: Facts to keep (revision ids, image refs, hashes, the failing gate).
    type: dict
    default: {}
  diff:
    description:
      - What changed, before and after - a unified diff text or a mapping with C(before) and
        C(after). Redacted like O(details).
    type: raw
  redact_values:
    description:
      - Secret values the caller knows (for example a rotated token); every occurrence in
        O(details) and O(diff) is replaced by C(<redacted>) before anything is written.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - clawops.orchestrator.audit_key
attributes:
  check_mode:
    description: Nothing is written in check mode.
    support: full
  diff_mode:
    description: No diff.
    support: none
  idempotent:
    description: Every call appends an event.
    support: none
"""

EXAMPLES = r"""
- name: Record the update of a gateway
  clawops.orchestrator.fleet_event:
    path: "{{ clawops_events_log }}"
    action: update
    target: "{{ clawops_gateway.org_slug }}/{{ clawops_gateway.id }}"
    result: ok
    actor: "{{ clawops_actor }}"
    details:
      revision: r0004
  delegate_to: localhost
"""

RETURN = r"""
event:
  description: The event written (with its C(hash)).
  returned: not check mode
  type: dict
"""

import getpass

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.orchestrator.plugins.module_utils._events import (
    AuditError, append, trail_key)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            action=dict(type="str", required=True),
            target=dict(type="str", required=True),
            result=dict(type="str", required=True),
            actor=dict(type="str"),
            details=dict(type="dict", default={}),
            diff=dict(type="raw"),
            redact_values=dict(type="list", elements="str", default=[], no_log=True),
            audit_key_file=dict(type="path", no_log=False),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if module.check_mode:
        module.exit_json(changed=False)
    try:
        key, heads = trail_key(p["audit_key_file"])
        event = append(p["path"], p["actor"] or getpass.getuser(), p["action"], p["target"],
                       p["result"], p["details"], diff=p["diff"], scrub=p["redact_values"],
                       key=key, heads=heads)
    except (OSError, ValueError, AuditError) as exc:
        module.fail_json(msg="cannot append to the event log %s: %s" % (p["path"], exc))
    # an event is a record, not a change of the managed system
    module.exit_json(changed=False, event=event)


if __name__ == "__main__":
    main()
