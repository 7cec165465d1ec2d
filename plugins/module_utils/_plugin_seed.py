# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Official plugin channels baked into the gateway image, seeded into the state dir.

OpenClaw trusts an official plugin (``@openclaw/<id>``) only as a managed npm install under
``<state>/npm/projects/<name>`` (from ``plugins.load.paths`` it refuses channel ingress). The
image build runs ``openclaw plugins install`` once, in a throw-away state dir, and keeps the
resulting npm projects at :data:`SEED_DIR`; before a gateway starts, :func:`seed_script`
copies every project whose lock file differs into the gateway's state dir. The gateway's
own startup then records the install from the package it finds (no network: measured on
2026.9.6, the same start without the seed waited on npm for 80 s and left Slack out).

One script for both providers: Compose runs it in a one-off container of the image, the
Kubernetes Deployment in its ``plugins`` init container.
"""

from __future__ import annotations

import shlex

SEED_DIR = "/opt/clawops/plugin-seed"


def seed_script(state_dir, seed_dir=SEED_DIR):
    """POSIX sh: copy the image's plugin projects into ``state_dir`` (only changed ones).

    Prints ``seeded <project>`` for each project it replaced (the caller's changed flag);
    fails when the image has no seed (an image built without the fleet's plugins)."""
    dest = shlex.quote(state_dir.rstrip("/") + "/npm/projects")
    return "\n".join([
        "set -eu",
        "seed=%s/npm/projects" % shlex.quote(seed_dir),
        "dest=%s" % dest,
        "[ -d \"$seed\" ] || { echo \"this image has no plugin seed ($seed): build it with "
        "the gateway_image role (plugins)\" >&2; exit 1; }",
        "mkdir -p \"$dest\"",
        "for src in \"$seed\"/*; do",
        "  name=${src##*/}",
        "  if cmp -s \"$src/package-lock.json\" \"$dest/$name/package-lock.json\"; then continue; fi",
        "  rm -rf \"$dest/$name.seeding\"",
        "  cp -RP \"$src\" \"$dest/$name.seeding\"",
        "  rm -rf \"$dest/$name\"",
        "  mv \"$dest/$name.seeding\" \"$dest/$name\"",
        "  echo \"seeded $name\"",
        "done",
    ]) + "\n"
