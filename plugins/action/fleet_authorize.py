# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of fleet_authorize: establishes who is acting before the module decides.

Runs in the controller process, where the run's own extra vars can be read
(``context.CLIARGS``; AWX passes its job's the same way): the identity comes from the
controller's settings (``/etc/clawops/identity.yml``, _identity.py) and the process login,
never from a task argument a user could set."""

from __future__ import annotations

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase

from ansible_collections.clawops.orchestrator.plugins.module_utils._identity import IdentityProblem
from ansible_collections.clawops.orchestrator.plugins.plugin_utils._guard import run_identity


class ActionModule(ActionBase):
    """Identity first, then the fleet_authorize module with it."""

    _VALID_ARGS = frozenset(("fleet_dir", "actor", "action", "targets", "events_log", "org",
                             "audit_key_file"))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        try:
            identity = run_identity(self._loader)
        except (IdentityProblem, AnsibleError, OSError) as exc:
            result.update(failed=True, msg="refused: %s. Nothing was changed." % to_native(exc))
            return result
        args["actor"] = identity.actor
        args["events_log"] = identity.events_log(args.get("events_log"),
                                                 args.get("org") or "fleet")
        result.update(self._execute_module(module_name="clawops.orchestrator.fleet_authorize",
                                           module_args=args, task_vars=task_vars))
        result["identity"] = identity.as_dict()
        result["events_log"] = args["events_log"]
        return result
