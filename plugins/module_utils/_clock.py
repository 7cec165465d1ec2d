# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one way the collection writes a moment for people and records: UTC, to the second,
ISO 8601 with a Z (``2026-12-06T08:15:00Z``)."""

from __future__ import annotations

import datetime

UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc_text(when=None):
    """``when`` (an aware or UTC-naive datetime, epoch seconds, or None for now) as text."""
    if when is None:
        when = datetime.datetime.now(datetime.timezone.utc)
    elif isinstance(when, (int, float)):
        when = datetime.datetime.fromtimestamp(when, datetime.timezone.utc)
    elif when.tzinfo is not None:
        when = when.astimezone(datetime.timezone.utc)
    return when.strftime(UTC_FORMAT)
