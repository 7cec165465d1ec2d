# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every preflight check family shares: the fleet as loaded and rendered, a way to
report a finding, and where a rendered config value came from (file and key path)."""

from __future__ import annotations

from .._layering import Source, child_source


class Family(object):
    """One family of checks. ``check_fleet()`` runs once over the fleet, then
    ``check_gateway(plan)`` once per rendered gateway; both report through ``add(code, file,
    key_path, message, fix, gateway=None, agent=None, severity=None)``."""

    def __init__(self, fleet, catalog, engine, plans, add):
        self.fleet = fleet
        self.catalog = catalog
        self.engine = engine  # the policy engine
        self.plans = plans
        self.add = add
        # backend id -> what its /models listed ({models} or {error}, url), when asked
        self.discovered = {}

    def check_fleet(self):
        """Checks across gateways (none by default)."""

    def check_gateway(self, plan):
        """Checks of one rendered gateway (none by default)."""

    @staticmethod
    def where(plan, path):
        """(file, key path) that set the rendered config value at ``path``; the gateway's
        file when only the renderer did."""
        src = source_at(plan.prov, path)
        if src is None or not src.file or src.file.startswith("("):
            return plan.gateway.file, ()
        return src.file, src.path


def source_at(prov, path):
    """The Source of the value at ``path`` (the first leaf below it for objects)."""
    node = prov
    for key in path:
        node = child_source(node, key)
        if node is None:
            return None
    extra = 0
    while not isinstance(node, Source) and node:
        if isinstance(node, dict):
            node = next(iter(node.values()))
        elif isinstance(node, list):
            node = node[0]
        else:
            return None
        extra += 1
    if not isinstance(node, Source):
        return None
    if extra and len(node.path) >= extra:
        node = Source(node.layer, node.file, node.path[:len(node.path) - extra])
    return node


def parse_codes(table, **values):
    """A family's codes from a text table: ``code  severity  meaning`` per line, the meaning
    continued on indented lines; ``{name}`` in a meaning is replaced from ``values``.
    Returns {code: (severity, meaning)}."""
    codes, last = {}, None
    for line in table.strip("\n").splitlines():
        if not line.strip():
            continue
        if line[:5].isspace() and last is not None:  # deeper than the table's indent
            codes[last] = (codes[last][0], codes[last][1] + " " + line.strip())
            continue
        code, severity, meaning = line.split(None, 2)
        if severity not in ("error", "warning", "info") or code in codes:
            raise ValueError("preflight code table: bad line %r" % line)
        codes[code], last = (severity, meaning.strip()), code
    if values:
        codes = {code: (severity, meaning.format(**values))
                 for code, (severity, meaning) in codes.items()}
    return codes
