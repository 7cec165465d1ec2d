# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight: prove a deploy safe before it happens.

``run_preflight(fleet_dir)`` loads the fleet, its catalog and policy, renders every
gateway and returns a ``Report`` of ``Finding``s (severity, code, file, key path,
message, fix). Any ``error`` finding blocks every deploy path. The codes are listed in
``CODES`` (and in docs/policy.md); each has a case in tests/preflight_corpus/.
Nothing here writes anywhere.
"""

from __future__ import annotations

import os
import shutil
import tempfile

from ._catalog import load_catalog
from ._checks import CODES as CHECK_CODES, run_checks
from ._checks._base import parse_codes
from ._gc import pausing
from ._errors import FleetError, FleetErrors, format_key_path
from ._files import write_atomic
from ._fleet import load_fleet
from ._render import Renderer

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

# code -> (severity, what it means): the codes of errors found while loading and rendering
# (they keep the codes of their types), then every check family's (_checks).
CODES = parse_codes("""
    syntax                          error   A YAML or JSON5 file does not parse.
    syntax.too-large                error   A file holds too many values (YAML aliases counted
                                            where used) or nests too deep.
    file.symlink                    error   A fleet file is a symbolic link (fleet files are
                                            read only as regular files).
    file.not-regular                error   A fleet file is a device, pipe or other non-regular
                                            file.
    file.too-large                  error   A fleet file is larger than 1 MiB.
    schema                          error   A value violates the fleet schema.
    include                         error   $include escapes the fleet dir, loops, nests too
                                            deep or is missing.
    reference                       error   A name points at nothing (group, host, cluster,
                                            seed...).
    seed.unsafe                     error   A workspace seed holds links, devices or .git, is
                                            the fleet directory itself, or is too large.
    substitution                    error   An @{variable} is not defined in its scope.
    managed-key                     error   A template sets a key clawops derives (port, auth,
                                            allowlists).
    path.outside-root               error   A gateway's root or path override is not below its
                                            host's root or extra_roots.
    path.system-root                error   A Compose host's root is a system directory.
    routing.duplicate-agent         error   An agent id appears twice in a gateway.
    routing.owner-missing           error   A human-coupled agent has no owner.
    security.auth-missing           error   A gateway has no auth secret reference.
    security.exposure-without-auth  error   A gateway exposed beyond loopback has no
                                            token/password auth.
    secret.out-of-scope             error   A secret reference points outside fleet.yml's
                                            secrets scopes (a controller credential, another
                                            org's Vault path, a system file).
""")
CODES.update(CHECK_CODES)


class Finding:
    """One preflight result."""

    __slots__ = ("severity", "code", "file", "key_path", "message", "fix", "gateway", "agent")

    def __init__(self, code, file, key_path, message, fix, gateway=None, agent=None,
                 severity=None):
        self.code = code
        self.severity = severity or CODES.get(code, ("error",))[0]
        self.file = file
        self.key_path = tuple(key_path or ())
        self.message = message
        self.fix = fix or ""
        self.gateway = gateway
        self.agent = agent

    @property
    def key_path_text(self):
        if len(self.key_path) == 1 and str(self.key_path[0]).startswith("line "):
            return self.key_path[0]  # text files: "line N"
        return format_key_path(self.key_path) if self.key_path else ""

    @property
    def location(self):
        where = self.file or "(fleet)"
        return where + (": " + self.key_path_text if self.key_path else "")

    def render(self):
        return "%s %s %s: %s%s" % (self.severity.upper(), self.code, self.location,
                                   self.message, (". Fix: " + self.fix) if self.fix else "")

    def sort_key(self):
        return (SEVERITY_ORDER[self.severity], self.file or "", self.key_path_text,
                self.code, self.message)

    def as_dict(self):
        return {"severity": self.severity, "code": self.code, "file": self.file or "",
                "key_path": self.key_path_text,
                "location": self.location, "message": self.message, "fix": self.fix,
                "gateway": self.gateway, "agent": self.agent}

    @classmethod
    def from_error(cls, error, gateway=None):
        return cls(error.code, error.file, error.key_path,
                   error.problem + (" (include chain: %s)" % " -> ".join(error.chain)
                                    if error.chain else ""), error.fix, gateway)


class Report:
    """Findings plus what was computed on the way (for views and deploys)."""

    def __init__(self, findings, fleet=None, catalog=None, renderer=None, plans=None,
                 selected=None):
        unique = {}
        for finding in findings:
            unique.setdefault((finding.code, finding.file, finding.key_path, finding.message),
                              finding)
        self.findings = sorted(unique.values(), key=Finding.sort_key)
        self.fleet = fleet
        self.catalog = catalog
        self.renderer = renderer
        self.plans = plans or {}
        self.selected = selected

    @property
    def errors(self):
        return [f for f in self.findings if f.severity == "error"]

    @property
    def ok(self):
        return not self.errors

    def counts(self):
        out = {"error": 0, "warning": 0, "info": 0}
        for finding in self.findings:
            out[finding.severity] += 1
        return out

    def codes(self, severity=None):
        return sorted({f.code for f in self.findings
                       if severity is None or f.severity == severity})

    def as_dict(self):
        return {"ok": self.ok, "counts": self.counts(),
                "findings": [f.as_dict() for f in self.findings],
                "gateways": sorted(self.plans)}

    def text(self):
        lines = [f.render() for f in self.findings]
        counts = self.counts()
        lines.append("preflight: %d error(s), %d warning(s) in %d gateway(s): %s" % (
            counts["error"], counts["warning"], len(self.plans) if self.plans else 0,
            "PASS" if self.ok else "FAIL - nothing may be deployed"))
        return "\n".join(lines)


@pausing
def preflight_with(fleet_dir, files, gateways):
    """Run the preflight on a scratch copy of the fleet in ``fleet_dir`` that holds ``files``
    ({path relative to the fleet: text}) - a change proved before it is written; returns the
    Report (its ``plans`` rendered for ``gateways``)."""
    scratch = tempfile.mkdtemp(prefix="clawops-preflight-")
    try:
        copy = os.path.join(scratch, os.path.basename(os.path.abspath(fleet_dir)) or "fleet")
        shutil.copytree(fleet_dir, copy, symlinks=True,
                        ignore=shutil.ignore_patterns(".git", ".clawops-cache"))
        for rel, text in files.items():
            write_atomic(os.path.join(copy, rel), text)
        return run_preflight(copy, gateways)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run_preflight(fleet_dir, gateways=None, discover=None):
    """Check the fleet in ``fleet_dir`` (all gateways, or the ids in ``gateways``).

    ``discover``: a function (backend id, URL) -> what the backend's ``/models`` lists
    ({"models": [ids]} or {"error": text}), asked once per backend of fleet.yml that has a
    URL (the caller does the I/O: fleet_preflight's discover_backends); none by default."""
    try:
        fleet = load_fleet(fleet_dir)
    except FleetErrors as exc:
        return Report([Finding.from_error(e) for e in exc.errors])
    except FleetError as exc:
        return Report([Finding.from_error(exc)])
    try:
        catalog = load_catalog(fleet)
    except FleetErrors as exc:
        return Report([Finding.from_error(e) for e in exc.errors], fleet)
    findings = []
    selected = sorted(gateways) if gateways else sorted(fleet.gateways)
    for gw_id in selected:
        if gw_id not in fleet.gateways:
            findings.append(Finding("reference", None, (), "unknown gateway %r" % gw_id,
                                    "use one of: %s" % ", ".join(sorted(fleet.gateways))))
    renderer = Renderer(fleet, catalog)
    plans = {}
    for gw_id in sorted(fleet.gateways):
        try:
            plans[gw_id] = renderer.render(fleet.gateways[gw_id])
        except FleetErrors as exc:
            findings.extend(Finding.from_error(e, gw_id) for e in exc.errors)
        except FleetError as exc:
            findings.append(Finding.from_error(exc, gw_id))
    discovered = {}
    if discover is not None:
        for backend_id, backend in sorted((fleet.data.get("backends") or {}).items()):
            if backend.get("url"):
                discovered[backend_id] = dict(discover(backend_id, backend["url"]),
                                              url=backend["url"])
    run_checks(fleet, catalog, renderer.policy, plans,
               lambda *args, **kwargs: findings.append(Finding(*args, **kwargs)), discovered)
    wanted = set(selected)
    findings = [f for f in findings if f.gateway is None or f.gateway in wanted]
    return Report(findings, fleet, catalog, renderer,
                  {k: v for k, v in plans.items() if k in wanted}, selected)
