# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of gateway_devices: approving, rejecting, removing, rotating and revoking
devices needs the pairing action on this gateway; listing is read-only
(plugin_utils/_guard.py)."""

from __future__ import annotations

from ansible_collections.clawops.orchestrator.plugins.plugin_utils._guard import GuardedAction


class ActionModule(GuardedAction):
    """Decide on the controller, then run the module."""

    MODULE = "clawops.orchestrator.gateway_devices"

    def floor(self, args):
        return None if args.get("action", "list") == "list" else "pairing"
