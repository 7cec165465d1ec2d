# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of fleet_authorize: establishes who is acting before the module decides.

Runs in the controller process, where the run's own extra vars can be read
(``context.CLIARGS``; AWX passes its job's the same way): the identity comes from the
controller's settings (``/etc/clawops/identity.yml``, _identity.py) and the process login,
never from a task argument a user could set."""

from __future__ import annotations

import os
import pwd

import yaml
from ansible import context
from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase
from ansible.utils.vars import load_extra_vars

from ansible_collections.clawops.orchestrator.plugins.module_utils._identity import (
    SETTINGS_FILE, IdentityProblem, check_owner, parse_settings, resolve, settings_path)


def _settings():
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


class ActionModule(ActionBase):
    """Identity first, then the fleet_authorize module with it."""

    _VALID_ARGS = frozenset(("fleet_dir", "actor", "action", "targets", "events_log", "org",
                             "audit_key_file"))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        try:
            settings = _settings()
            extra = load_extra_vars(self._loader) if context.CLIARGS.get("extra_vars") else {}
            identity = resolve(settings, extra, pwd.getpwuid(os.geteuid()).pw_name)
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
