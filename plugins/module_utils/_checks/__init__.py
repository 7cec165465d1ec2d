# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight's checks, as a registry of families.

Each family is a module with ``CODES`` (code -> severity, meaning) and a ``Checks`` class
(``_base.Family``): ``paths`` (ports, directories, names), ``routing``, ``secrets``,
``exposure``, ``policy``. ``run_checks`` runs each family's fleet-wide checks, then each
family's checks per gateway. A new family is one module here and one line in ``FAMILIES``;
each code has a case in tests/preflight_corpus/. Pure Python, no Ansible imports.
"""

from __future__ import annotations

from . import backends, exposure, paths, policy, routing, secrets

FAMILIES = (paths, routing, secrets, exposure, policy, backends)


def _codes():
    found = {}
    for family in FAMILIES:
        for code, meaning in family.CODES.items():
            if code in found:
                raise ValueError("preflight code %s is declared twice" % code)
            found[code] = meaning
    return found


CODES = _codes()


def run_checks(fleet, catalog, engine, plans, add, discovered=None):
    """Run every family over ``plans`` (gateway id -> rendered plan), reporting through
    ``add`` (the Finding constructor's arguments); ``discovered``: what each backend's
    /models listed, when preflight asked them (backend id -> {models or error, url})."""
    families = [family.Checks(fleet, catalog, engine, plans, add) for family in FAMILIES]
    for checks in families:
        checks.discovered = dict(discovered or {})
    for checks in families:
        checks.check_fleet()
    for gw_id in sorted(plans):
        for checks in families:
            checks.check_gateway(plans[gw_id])
