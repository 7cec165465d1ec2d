# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of fleet_guard: the decision of plugin_utils/_guard.py, nothing run on the
host."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail

from ansible_collections.clawops.orchestrator.plugins.module_utils._authz import ACTIONS
from ansible_collections.clawops.orchestrator.plugins.plugin_utils._guard import GuardedAction

CHANGING = sorted(action for action, (needed, dummy) in ACTIONS.items() if needed)


class ActionModule(GuardedAction):
    """Decide on the controller; there is no module to run."""

    _VALID_ARGS = frozenset(("action",))
    MODULE = None

    def floor(self, args):
        action = args.get("action")
        if action not in CHANGING:
            raise AnsibleActionFail("fleet_guard: action must be one of %s, not %r"
                                    % (", ".join(CHANGING), action))
        return action
