# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: error_summary
short_description: The fleet's recent problem log lines, grouped by signature
version_added: 0.4.0
description:
  - Groups the C(last_errors) of a list of C(clawops.orchestrator.gateway_status) results
    (each with C(gateway) added) by signature - the message with what varies between
    occurrences (ids, times, addresses, numbers, quoted values) replaced - so that one
    problem on many gateways is one row, the most frequent first.
  - Each group has C(signature), C(subsystem) (the log's C([gateway]), C([secrets]) ...),
    C(count), C(gateways) (each with its count), C(first_seen), C(last_seen) (the lines'
    own times) and one C(example) line; credential-shaped text is redacted.
  - With O(table), a fixed-width text table instead.
positional: _input
options:
  _input:
    description: The status results.
    type: list
    elements: dict
    required: true
  table:
    description: Return the text table (one string per line) instead of the groups.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Show the fleet's recent errors
  ansible.builtin.debug:
    msg: "{{ statuses | clawops.orchestrator.error_summary(table=true) }}"
"""

RETURN = r"""
_value:
  description: The groups (a list of dicts), or the table's lines with O(table).
  type: list
"""

from ansible_collections.clawops.orchestrator.plugins.module_utils._status import error_summary as groups
from ansible_collections.clawops.orchestrator.plugins.module_utils._views import text_table


def error_summary(results, table=False):
    found = groups(results)
    if not table:
        return found
    if not found:
        return ["no problem lines in the gateways' recent logs"]
    rows = [{"count": g["count"],
             "gateways": ", ".join("%s (%d)" % (x["gateway"], x["count"]) for x in g["gateways"]),
             "first": g["first_seen"], "last": g["last_seen"],
             "signature": ("[%s] " % g["subsystem"] if g["subsystem"] else "") + g["signature"]}
            for g in found]
    return text_table([("count", "COUNT"), ("gateways", "GATEWAYS"), ("first", "FIRST SEEN"),
                       ("last", "LAST SEEN"), ("signature", "SIGNATURE")], rows).split("\n")


class FilterModule(object):
    """Recent errors across the fleet."""

    def filters(self):
        return {"error_summary": error_summary}
