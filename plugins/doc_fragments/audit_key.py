# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    """The audit trail's key and witnessed head, kept apart from the events log."""

    DOCUMENTATION = r"""
options:
  audit_key_file:
    description:
      - The controller's audit key. Every event line gets an HMAC under it, and the trail's
        head (number of lines, last hash) is witnessed in C(audit-heads/) beside it, so an
        edited, rewritten or truncated trail is found by M(clawops.orchestrator.fleet_audit).
      - Made on first use (32 random bytes, 0600 in a 0700 directory). Keep it where writers
        of the events log cannot write.
      - Default C(/etc/clawops/audit.key) when running as root, else
        C(~/.config/clawops/audit.key).
    type: path
"""
