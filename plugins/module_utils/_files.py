# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Writing a file whole or not at all: the reports, the exporter's configuration, token files
and records. Pure of Ansible."""

from __future__ import annotations

import os
import tempfile


def write_atomic(path, text, mode=0o644, dir_mode=0o755):
    """``text`` into ``path`` through a temporary file beside it (created with ``mode``, so a
    secret is never readable by others for a moment) and a rename; the directory is made
    with ``dir_mode`` when missing."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, mode=dir_mode, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".%s." % os.path.basename(path))
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
