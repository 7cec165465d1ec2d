# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ask the real OpenClaw whether a rendered config is valid (``openclaw config validate``).

OpenClaw's schema is strict and moves with every release; our own schema only covers the
fleet definition. So every rendered ``openclaw.json`` is checked by the pinned OpenClaw
itself, offline, in a throw-away HOME and state dir so nothing on the machine is touched.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess  # nosec B404 - argv lists only, no shell
import tempfile

VALIDATE_TIMEOUT = 120


class ValidatorUnavailable(Exception):
    """The openclaw CLI cannot be run (missing, not executable, crashed)."""


def validate_config(openclaw_bin, config_text, timeout=VALIDATE_TIMEOUT):
    """Return ``{"valid": bool, "issues": [...], "warnings": [...]}`` from the real CLI."""
    if not openclaw_bin or not (os.path.isfile(openclaw_bin) or shutil.which(openclaw_bin)):
        raise ValidatorUnavailable("openclaw CLI not found: %r" % (openclaw_bin,))
    scratch = tempfile.mkdtemp(prefix="clawops-validate-")
    try:
        path = os.path.join(scratch, "openclaw.json")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(config_text)
        env = dict(os.environ)
        env.update({
            "HOME": scratch, "XDG_CACHE_HOME": os.path.join(scratch, ".cache"),
            "OPENCLAW_STATE_DIR": os.path.join(scratch, "state"),
            "OPENCLAW_CONFIG_PATH": path, "OPENCLAW_CONFIG_READONLY": "1",
            "OPENCLAW_NO_AUTO_UPDATE": "1", "OPENCLAW_DISABLE_BONJOUR": "1",
        })
        try:
            proc = subprocess.run(  # nosec B603
                [openclaw_bin, "config", "validate", "--json"], env=env, cwd=scratch,
                capture_output=True, text=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ValidatorUnavailable("openclaw config validate failed to run: %s" % exc)
        try:
            data = json.loads(proc.stdout)
        except ValueError:
            raise ValidatorUnavailable(
                "openclaw config validate rc=%d printed no JSON: %s"
                % (proc.returncode, (proc.stderr or proc.stdout)[-500:]))
        valid = bool(data.get("valid")) and proc.returncode == 0
        return {
            "valid": valid,
            "rc": proc.returncode,
            "issues": data.get("issues", []),
            "warnings": data.get("warnings", []),
        }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
