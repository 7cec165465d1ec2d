# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which gateways a run works on, chosen by a variable instead of ``--limit``.

An AWX survey cannot set a job's limit, so every playbook of the collection also takes
``clawops_gateways``: gateway ids or inventory groups (``group_humans``, ``wave_canary``), as
a list (a survey's multiple select) or one comma-separated string (``-e`` on the command line).
A play's hosts are then those, within the play's own group; ``--limit`` still narrows further.
"""

from __future__ import annotations

import re

from ._errors import FleetError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def selection(value):
    """The names chosen: a list, or a comma/space separated string; [] for none."""
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else re.split(r"[,\s]+", str(value))
    names = []
    for item in items:
        name = str(item).strip()
        if not name:
            continue
        if not _NAME.match(name):
            raise FleetError("%r is not a gateway id or group name" % name,
                             "extra vars", ("clawops_gateways",),
                             "give gateway ids or inventory groups (group_<id>, wave_<n>, "
                             "provider_compose ...), not host patterns")
        if name not in names:
            names.append(name)
    return names


def hosts_pattern(value, within="clawops"):
    """The hosts pattern of a play: ``within`` itself, or the chosen names within it."""
    names = selection(value)
    if not names:
        return within
    return "%s:&%s" % (":".join(names), within)
