#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: gateway_config
short_description: Write a gateway's openclaw.json and let the running gateway hot-apply it
version_added: 0.2.0
description:
  - Runs where the gateway's config file lives (the Docker host of a Compose gateway). Compares
    the deployed C(openclaw.json) with the rendered one and classifies every changed path with
    the pinned OpenClaw's reload rules (hot, none, restart; C(gateway.reload.mode=off) makes
    every change a restart).
  - The file is replaced atomically (a new inode in the mounted config directory, which the
    gateway's watcher sees).
  - With O(hot=true), a change whose every path hot-applies is handed to the running gateway -
    no restart - and the module waits until the gateway's own log (JSON lines of
    C(logging.file)) reports the reload applied. A reload the gateway refuses (invalid config)
    or does not report within O(timeout) puts the previous file back (the gateway keeps
    serving what it ran) and fails.
  - Otherwise the file is only written and RV(applied) says whether the caller has to restart
    the gateway for it (V(restart)). A C(logging.level) above V(info) hides the verdict, so
    such a gateway restarts for every change.
author:
  - clawops contributors (@clawops)
options:
  path:
    description: The deployed C(openclaw.json) (in the directory the gateway mounts).
    type: path
    required: true
  content:
    description: The exact text the gateway is to run (C(clawops_config_text)).
    type: str
    required: true
  hot:
    description:
      - Hand a hot-only change to the running gateway and wait for it to apply it.
      - The caller sets it when the gateway runs and nothing else of it (image, env, project)
        changes in the same run.
    type: bool
    default: false
  log_path:
    description: The gateway's JSON log file on this host (C(clawops_runtime.host_paths.log_file)).
    type: path
  timeout:
    description: Seconds the gateway gets to report a hot reload.
    type: float
    default: 90
attributes:
  check_mode:
    description: Reports the reload plan (hot or restart, and the paths that decided it) and the diff; writes nothing.
    support: full
  diff_mode:
    description: The old and new file.
    support: full
notes:
  - The reload rules are those of the pinned OpenClaw version (module_utils/_reload.py, tested
    against the installed package).
"""

EXAMPLES = r"""
- name: Write openclaw.json, hot-applied when only hot paths changed
  clawops.orchestrator.gateway_config:
    path: "{{ clawops_runtime.host_paths.config_path }}"
    content: "{{ clawops_config_text }}"
    log_path: "{{ clawops_runtime.host_paths.log_file }}"
    hot: true
  register: config_result

- name: Restart when it needs one
  ansible.builtin.debug:
    msg: "{{ config_result.reload.restart_paths }}"
  when: config_result.applied == 'restart'
"""

RETURN = r"""
reload:
  description: How the running gateway takes the change.
  returned: always
  type: dict
  contains:
    action:
      description: V(none) (no change), V(hot) (every changed path is applied by the running gateway) or V(restart).
      type: str
    paths:
      description: Every changed path with its kind (hot, none, restart) and the rule that decided it.
      type: list
      elements: dict
    restart_paths:
      description: The changed paths that need a restart.
      type: list
      elements: str
  sample: {action: hot, paths: [{path: agents.entries.carol, kind: hot, rule: agents}], restart_paths: []}
applied:
  description:
    - V(none) nothing changed; V(hot) the running gateway reported the change applied; V(restart)
      the file is written and the gateway has to be (re)started for it; in check mode what a run
      would do (V(hot) or V(restart)).
  returned: always
  type: str
  sample: hot
gateway_said:
  description: The gateway's log message that ended the wait (hot apply only).
  returned: when O(hot) waited
  type: str
  sample: config hot reload applied (agents.entries.carol)
seconds:
  description: Seconds from the write to the gateway's verdict.
  returned: when O(hot) waited
  type: float
"""

import json
import os
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.orchestrator.plugins.module_utils._reload import (
    log_messages, outcome, plan, verdict_logged)

POLL = 0.25


def _read(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _write(path, text):
    """Atomic replace (a new inode: the gateway's watcher sees it through a mounted dir)."""
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=".openclaw.json.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        if os.geteuid() == 0:
            os.chown(tmp, 0, 0)
        os.rename(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _log_size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _messages_since(path, offset):
    try:
        with open(path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size < offset:  # rotated: read the new file
                offset = 0
            handle.seek(offset)
            return log_messages(handle.read().decode("utf-8", "replace"))
    except OSError:
        return []


def _wait(log_path, offset, timeout):
    """The gateway's verdict on the file written after ``offset`` of its log."""
    start = time.monotonic()
    said = ""
    while True:
        verdict, said = outcome(_messages_since(log_path, offset))
        if verdict:
            return verdict, said, time.monotonic() - start
        if time.monotonic() - start > timeout:
            return "timeout", said, time.monotonic() - start
        time.sleep(POLL)


def _parse(text, what, module):
    try:
        return json.loads(text) if text is not None else {}
    except ValueError as exc:
        module.fail_json(msg="%s is not JSON (%s): the config is rendered by the fleet inventory; "
                             "rerun site.yml to replace a hand-edited file" % (what, exc))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            content=dict(type="str", required=True),
            hot=dict(type="bool", default=False),
            log_path=dict(type="path"),
            timeout=dict(type="float", default=90.0),
        ),
        required_if=[("hot", True, ("log_path",))],
        supports_check_mode=True,
    )
    params = module.params
    path, new_text = params["path"], params["content"]
    old_text = _read(path)
    if old_text == new_text:
        module.exit_json(changed=False, applied="none",
                         reload={"action": "none", "paths": [], "restart_paths": []})
    new = _parse(new_text, "the rendered config", module)
    reload_plan = (plan(_parse(old_text, path, module), new) if old_text is not None
                   else {"action": "restart", "paths": [], "restart_paths": ["<new file>"]})
    old = _parse(old_text, path, module) if old_text is not None else {}
    # the verdict is an info record of the gateway's log: a quieter level restarts instead
    hot = (params["hot"] and reload_plan["action"] == "hot"
           and verdict_logged(old) and verdict_logged(new))
    result = dict(changed=True, reload=reload_plan, applied="hot" if hot else "restart",
                  diff={"before": old_text or "", "after": new_text,
                        "before_header": path, "after_header": path + " (rendered)"})
    if module.check_mode:
        module.exit_json(**result)
    if not os.path.isdir(os.path.dirname(path)):
        module.fail_json(msg="%s: its directory does not exist (deploy the gateway first)" % path,
                         **result)
    offset = _log_size(params["log_path"]) if hot else 0
    _write(path, new_text)
    if not hot:
        module.exit_json(**result)

    verdict, said, seconds = _wait(params["log_path"], offset, params["timeout"])
    result.update(gateway_said=said, seconds=round(seconds, 2))
    if verdict == "applied":
        module.exit_json(**result)
    # refused or not reported: put back what the gateway runs, and say so
    offset = _log_size(params["log_path"])
    back, back_said = "none", ""
    if old_text is not None:
        _write(path, old_text)
        if verdict == "timeout":  # it may still be applying the new file: wait for the old one
            back, back_said, dummy = _wait(params["log_path"], offset,
                                           min(params["timeout"], 30.0))
        else:  # refused: it still runs the old config, which the file says again
            back = "kept"
    why = ("refused it: %s" % said if verdict == "refused"
           else "did not report it within %ss (last reload message: %s)"
           % (params["timeout"], said or "none"))
    module.fail_json(
        msg="the running gateway %s. The previous %s is back in place (%s); the gateway kept "
            "serving and was not restarted. Paths of the change: %s"
            % (why, path, {"applied": "applied again", "refused": "reload refused: " + back_said,
                           "timeout": "not reported", "kept": "it still runs it",
                           "none": "there was none"}[back],
               ", ".join(row["path"] for row in reload_plan["paths"])),
        rolled_back=True, **result)


if __name__ == "__main__":
    main()
