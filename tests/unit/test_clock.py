# -*- coding: utf-8 -*-
"""The one UTC text format (module_utils/_clock.py)."""

from __future__ import annotations

import datetime

from ansible_collections.clawops.orchestrator.plugins.module_utils._clock import utc_text


def test_every_input_kind_gives_the_same_text():
    aware = datetime.datetime(2026, 12, 6, 8, 15, 0, 999, tzinfo=datetime.timezone.utc)
    assert utc_text(aware) == "2026-12-06T08:15:00Z"
    assert utc_text(aware.replace(tzinfo=None)) == "2026-12-06T08:15:00Z"
    assert utc_text(aware.timestamp()) == "2026-12-06T08:15:00Z"
    plus_one = datetime.timezone(datetime.timedelta(hours=1))
    assert utc_text(aware.astimezone(plus_one)) == "2026-12-06T08:15:00Z"
    assert utc_text().endswith("Z") and len(utc_text()) == 20
