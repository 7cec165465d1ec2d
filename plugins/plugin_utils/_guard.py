# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who acts, and may they: decided on the controller, inside the action plugins.

``fleet_authorize`` decides a whole run's action first (the authorize role). The modules
that change a gateway (``gateway_config``, ``gateway_tree``, ``gateway_backup``,
``gateway_devices``) decide again through :class:`GuardedAction`, for the one gateway they
touch, so that a run which skips the authorize role (``--start-at-task``, tags, a playbook of
one's own that calls the roles) still changes nothing its actor may not change. Their floor is
the least operator action that makes such a change (``agent`` for config and directories,
``backup``, ``restore``, ``pairing``); the authorize role's decision for the run's own action
(``deploy``, ``update``, ...) stays the precise one.

The actor comes from the controller's identity settings and login (``_identity``), the
operators from the fleet's ``operators.yml``; extra vars that would choose either, or the
gateway's fleet and groups, are refused.
"""

from __future__ import annotations

import os
import pwd

import yaml
from ansible import context
from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase
from ansible.utils.vars import load_extra_vars

from ansible_collections.clawops.orchestrator.plugins.module_utils._authz import (
    authorize, load_operators)
from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import FleetError
from ansible_collections.clawops.orchestrator.plugins.module_utils._identity import (
    SETTINGS_FILE, IdentityProblem, check_owner, parse_settings, resolve, settings_path)

# hostvars from the fleet inventory that say which fleet and groups a gateway belongs to
FLEET_VARS = ("clawops_fleet_dir", "clawops_gateway")


def identity_settings():
    """The controller's identity settings (root-owned), or the login default."""
    path = settings_path()
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if path != SETTINGS_FILE:
            raise IdentityProblem("CLAWOPS_IDENTITY_FILE names %s, which does not exist" % path)
        return parse_settings({}, path)
    check_owner(info, path)
    with open(path, encoding="utf-8") as handle:
        try:
            data = yaml.safe_load(handle)
        except yaml.YAMLError as exc:
            raise IdentityProblem("%s does not parse: %s" % (path, exc))
    return parse_settings(data, path)


def run_extra_vars(loader):
    """The run's extra vars (AWX passes its job's the same way)."""
    return load_extra_vars(loader) if context.CLIARGS.get("extra_vars") else {}


def login_name():
    """The process owner's login; a uid without a passwd entry (a container run with an
    arbitrary uid) is named by its number."""
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return "uid-%d" % os.geteuid()


def run_identity(loader, extra_vars=None):
    """The Identity of this run (raises IdentityProblem / AnsibleError); ``extra_vars``: the
    run's, when the caller has read them already."""
    if extra_vars is None:
        extra_vars = run_extra_vars(loader)
    return resolve(identity_settings(), extra_vars, login_name())


class GuardedAction(ActionBase):
    """Runs the module of the same name after deciding the floor action for this gateway."""

    MODULE = None

    def floor(self, args):
        """The least operator action this call needs, or None when it changes nothing."""
        raise NotImplementedError

    def refusal(self, action, task_vars):
        """Why this run may not do ``action`` on this host's gateway, or None."""
        try:
            extra_vars = run_extra_vars(self._loader)
            forged = sorted(set(extra_vars) & set(FLEET_VARS))
            if forged:
                return ("%s may not be set as extra vars: which fleet and groups a gateway "
                        "belongs to comes from the fleet inventory" % ", ".join(forged))
            identity = run_identity(self._loader, extra_vars)
        except (IdentityProblem, AnsibleError, OSError) as exc:
            return to_native(exc)
        fleet_dir = task_vars.get("clawops_fleet_dir")
        gateway = task_vars.get("clawops_gateway") or {}
        if not fleet_dir or not isinstance(gateway, dict) or not gateway.get("id"):
            return ("%s is not a gateway of a fleet inventory (no clawops_fleet_dir and "
                    "clawops_gateway): use the clawops.orchestrator.fleet inventory plugin"
                    % task_vars.get("inventory_hostname"))
        try:
            operators = load_operators(str(fleet_dir))
        except FleetError as exc:
            return to_native(exc)
        decision = authorize(operators, identity.actor, action,
                             {gateway["id"]: list(gateway.get("groups") or [])})
        return None if decision.allowed else decision.reason

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        action = self.floor(self._task.args)
        if action:
            why = self.refusal(action, task_vars or {})
            if why:
                result.update(failed=True, changed=False,
                              msg="refused (%s, where the change is made): %s. Nothing was "
                                  "changed." % (action, why))
                return result
        if self.MODULE is None:  # a decision only (fleet_guard)
            result.update(changed=False, action=action)
            return result
        result.update(self._execute_module(module_name=self.MODULE,
                                           module_args=self._task.args, task_vars=task_vars))
        return result
