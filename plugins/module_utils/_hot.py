# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hand a config change to a running gateway, or say that it needs a restart.

One procedure for both providers over a small target interface: a Compose gateway's config is
a file in the directory its container mounts (:class:`FileTarget`), a Kubernetes gateway's a
ConfigMap its pod mounts (``_k8s_api.ConfigMapTarget``). Both read the gateway's verdict from
its JSON log file (``logging.file``), where OpenClaw records every reload it applied or
refused. Pure apart from the target; the unit tests drive it with a fake one.
"""

from __future__ import annotations

import json
import os
import tempfile
import time

from . import _ownership
from ._reload import log_messages, outcome, plan, verdict_logged

POLL = 0.25


class HotApplyFailed(Exception):
    """The running gateway refused the change or did not report it; ``result`` says what
    was put back."""

    def __init__(self, message, result):
        super().__init__(message)
        self.result = result


class ConfigTextError(Exception):
    """A config text that is not JSON."""


class FileTarget(object):
    """A Compose gateway: ``openclaw.json`` in its mounted config directory, its log file."""

    def __init__(self, path, log_path=None, owner=0):
        # owner: the uid the file is given (the gateway's when it writes its config itself)
        self.path, self.log_path, self.owner = path, log_path, owner

    def where(self):
        return self.path

    def running(self):
        return True  # the caller knows (container state); see gateway_config

    def read(self):
        try:
            with open(self.path, encoding="utf-8") as handle:
                return handle.read()
        except FileNotFoundError:
            return None

    def write(self, text):
        """Atomic replace: a new inode, which the gateway's watcher sees through the mount."""
        directory = os.path.dirname(self.path)
        if not os.path.isdir(directory):
            raise OSError("%s does not exist (deploy the gateway first)" % directory)
        fd, tmp = tempfile.mkstemp(prefix=".openclaw.json.", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            # a config the gateway writes itself is 0600, as OpenClaw keeps it
            os.chmod(tmp, 0o600 if self.owner else 0o644)
            if os.geteuid() == 0:
                os.chown(tmp, self.owner, self.owner)
            os.rename(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def nudge(self):
        """Nothing to do: the file is in place at once."""

    def mounted(self):
        """None: the container bind-mounts this very file, it sees what ``read`` returns."""
        return None

    def log_size(self):
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def messages_since(self, offset):
        try:
            with open(self.log_path, "rb") as handle:
                if os.fstat(handle.fileno()).st_size < offset:  # rotated: the new file
                    offset = 0
                handle.seek(offset)
                return log_messages(handle.read().decode("utf-8", "replace"))
        except OSError:
            return []


def parse(text, what):
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ConfigTextError("%s is not JSON (%s): the config is rendered by the fleet "
                              "inventory; run site.yml to replace a hand-edited one"
                              % (what, exc))


def decide(old_text, new_text, hot_wanted, where="the deployed config"):
    """``(reload plan, hot)`` for a change from ``old_text`` (None: nothing deployed)."""
    new = parse(new_text, "the rendered config")
    if old_text is None:
        return {"action": "restart", "paths": [], "restart_paths": ["<new>"]}, False
    old = parse(old_text, where)
    reload_plan = plan(old, new)
    # the verdict is an info record of the gateway's log: a quieter level restarts instead
    hot = bool(hot_wanted and reload_plan["action"] == "hot"
               and verdict_logged(old) and verdict_logged(new))
    return reload_plan, hot


# A change of "none" paths only (read on next use) is taken without a closing log line: the
# gateway logs "config change detected" after validating the file, then publishes it
# silently. It counts as applied when no failure follows within this grace.
SILENT_GRACE = 3.0
DETECTED = "config change detected"


def wait(target, offset, timeout, sleep=time.sleep, clock=time.monotonic, silent=False):
    """``(verdict, message, seconds)``: applied, refused or timeout. ``silent``: the change
    has only "none" paths (see SILENT_GRACE)."""
    start = clock()
    said, detected_at = "", None
    while True:
        verdict, said = outcome(target.messages_since(offset))
        if verdict:
            return verdict, said, clock() - start
        if silent and said.startswith(DETECTED):
            detected_at = clock() if detected_at is None else detected_at
            if clock() - detected_at >= SILENT_GRACE:
                return "applied", said, clock() - start
        if clock() - start > timeout:
            return "timeout", said, clock() - start
        sleep(POLL)


def owned_text(new_text, old_text, ownership):
    """The text to write: the fleet's config with the file's values at the paths the
    gateway owns (module_utils/_ownership.py); ``old_text`` itself when that is the same
    config (the gateway's own formatting and write marker are not a change)."""
    if old_text is None:
        return new_text
    try:
        old = json.loads(old_text)
    except ValueError:
        return new_text  # a file nobody can read: the fleet's config replaces it
    merged = _ownership.merge(parse(new_text, "the rendered config"), old, ownership)
    if merged == old:
        return old_text
    return json.dumps(merged, indent=2, ensure_ascii=False) + "\n"


def apply(target, new_text, hot_wanted, timeout, check_mode=False, sleep=time.sleep,
          clock=time.monotonic, ownership=None):
    """Write ``new_text`` to ``target``; when every changed path hot-applies, ``hot_wanted``
    and the gateway runs, wait for its verdict. Returns the result dict (``changed``,
    ``applied``: none|hot|restart, ``reload``, ``before``); raises :class:`HotApplyFailed`
    after putting the previous text back. ``ownership``: paths the gateway owns keep the
    file's values (module_utils/_ownership.py)."""
    old_text = target.read()
    if ownership:
        new_text = owned_text(new_text, old_text, ownership)
    if old_text == new_text:
        return {"changed": False, "applied": "none", "before": old_text,
                "reload": {"action": "none", "paths": [], "restart_paths": []}}
    running = bool(hot_wanted) and target.running()
    # what the running gateway reads: a pod mounts its ConfigMap with a delay, so an edit of
    # the object (drift) may not have reached it yet
    mounted = target.mounted() if running else None
    if mounted is not None and mounted != old_text:
        if mounted == new_text:
            # the pod runs this config already: the object is put right, nothing reloads
            result = {"changed": True, "applied": "hot", "before": old_text,
                      "gateway_said": "the pod mounts this config already",
                      "reload": {"action": "none", "paths": [], "restart_paths": []}}
            if not check_mode:
                target.write(new_text)
            return result
        old_text_for_plan = mounted
    else:
        old_text_for_plan = old_text
    reload_plan, hot = decide(old_text_for_plan, new_text, hot_wanted, target.where())
    hot = hot and running
    result = {"changed": True, "reload": reload_plan, "applied": "hot" if hot else "restart",
              "before": old_text}
    if check_mode:
        return result
    offset = target.log_size() if hot else 0
    target.write(new_text)
    if not hot:
        return result
    target.nudge()
    silent = all(row["kind"] == "none" for row in reload_plan["paths"])
    verdict, said, seconds = wait(target, offset, timeout, sleep, clock, silent)
    result.update(gateway_said=said, seconds=round(seconds, 2))
    if verdict == "applied":
        return result
    # refused or not reported: put back what the gateway runs, and say so
    offset = target.log_size()
    target.write(old_text)
    target.nudge()
    if verdict == "timeout":  # it may still be applying the new text: wait for the old one
        back, back_said, dummy = wait(target, offset, min(timeout, 30.0), sleep, clock, silent)
    else:  # refused: it still runs the old config, which the target says again
        back, back_said = "kept", ""
    why = ("refused it: %s" % said if verdict == "refused"
           else "did not report it within %ss (last reload message: %s)"
           % (timeout, said or "none"))
    back_text = {"applied": "applied again", "refused": "reload refused: " + back_said,
                 "timeout": "not reported", "kept": "it still runs it"}[back]
    result.update(rolled_back=True)
    raise HotApplyFailed(
        "the running gateway %s. The previous config is back in %s (%s); the gateway kept "
        "serving and was not restarted. Paths of the change: %s"
        % (why, target.where(), back_text,
           ", ".join(row["path"] for row in reload_plan["paths"])), result)
