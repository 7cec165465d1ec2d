# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Command lines with a deadline: a Docker engine that hangs must not hang a play.

``bounded(argv, seconds)`` prefixes coreutils' ``timeout`` (TERM at the deadline, KILL five
seconds later) when the host has it; a timed-out command exits 124 (137 when killed), which
``describe_rc`` turns into words for the module's message. Pure Python."""

from __future__ import annotations

import shutil

DOCKER_SECONDS = 120  # inspect, logs, stats, exec of a short CLI command


def bounded(argv, seconds=DOCKER_SECONDS, which=shutil.which):
    """``argv`` run under a deadline of ``seconds`` (unchanged where no ``timeout`` exists)."""
    timeout = which("timeout")
    if not timeout:
        return list(argv)
    return [timeout, "--kill-after=5", str(int(seconds))] + list(argv)


def describe_rc(rc, seconds=DOCKER_SECONDS):
    if rc in (124, 137):
        return "no answer within %d s" % seconds
    return "rc %s" % rc
