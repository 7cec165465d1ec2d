# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Path relations of the core, with no imports: host paths and secret files share them."""

from __future__ import annotations


def below(path, root, inclusive=False):
    """``path`` lies under ``root`` (absolute, normal paths); ``inclusive``: or is it."""
    root = root.rstrip("/")
    return (inclusive and path == root) or path.startswith(root + "/")
