# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    """The attributes of a module that only reads (a gateway's status, its health)."""

    DOCUMENTATION = r"""
attributes:
  check_mode:
    description: Reads only; see the module's description for what it skips in check mode.
    support: full
  diff_mode:
    description: Nothing changes.
    support: none
  idempotent:
    description: Reads only.
    support: full
"""
