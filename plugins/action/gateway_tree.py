# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of gateway_tree: the actor must be allowed to change this gateway's agents
(operator of one of its groups, or admin) before its directories and workspaces are made
(plugin_utils/_guard.py)."""

from __future__ import annotations

from ansible_collections.clawops.orchestrator.plugins.plugin_utils._guard import GuardedAction


class ActionModule(GuardedAction):
    """Decide on the controller, then run the module."""

    MODULE = "clawops.orchestrator.gateway_tree"

    def floor(self, args):
        return "agent"
