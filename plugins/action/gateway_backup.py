# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of gateway_backup: taking a backup needs the backup action, restoring one the
restore action (admin); listing and verifying are read-only (plugin_utils/_guard.py)."""

from __future__ import annotations

from ansible_collections.clawops.orchestrator.plugins.plugin_utils._guard import GuardedAction


class ActionModule(GuardedAction):
    """Decide on the controller, then run the module."""

    MODULE = "clawops.orchestrator.gateway_backup"

    def floor(self, args):
        action = args.get("action", "create")
        return {"create": "backup", "restore": "restore"}.get(action)
