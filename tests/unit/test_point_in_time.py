# -*- coding: utf-8 -*-
"""Point-in-time restore (issue 18, item 6): the newest archive made at or before a time,
and the revision that was active then - the pure parts, over real stores on disk."""

from __future__ import annotations

import datetime
import json
import os

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._backup import (
    BackupError, archive_time, resolve)
from ansible_collections.clawops.orchestrator.plugins.module_utils._revisions import (
    RevisionError, Store, parse_at)

UTC = datetime.timezone.utc


def test_a_point_in_time_needs_a_time_of_day():
    assert parse_at("2026-12-05T14:00Z") == datetime.datetime(2026, 12, 5, 14, tzinfo=UTC)
    assert parse_at("2026-12-05 14:00") == datetime.datetime(2026, 12, 5, 14, tzinfo=UTC)
    assert parse_at("2026-12-05T15:30:00+01:00") == datetime.datetime(2026, 12, 5, 14, 30,
                                                                      tzinfo=UTC)
    for bad in ("2026-12-05", "yesterday", "", "2026-13-05T14:00Z"):
        with pytest.raises(RevisionError) as caught:
            parse_at(bad)
        assert "is not a point in time" in str(caught.value) and "2026-12-05T14:00Z" in \
            str(caught.value)


def test_the_newest_archive_at_or_before_the_time(tmp_path):
    instance = "acme-gw-a"
    names = ["acme-gw-a-20261201T100000000Z-manual.tar.gz",
             "acme-gw-a-20261203T100000500Z-update.tar.gz",
             "acme-gw-a-20261205T100000000Z-manual.tar.gz",
             "acme-gw-b-20261202T100000000Z-manual.tar.gz"]  # another gateway's
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    assert archive_time(names[1], instance) == datetime.datetime(2026, 12, 3, 10, 0, 0, 500000,
                                                                 tzinfo=UTC)

    def pick(when):
        return os.path.basename(resolve(str(tmp_path), instance, "at:" + when))

    assert pick("2026-12-04T00:00Z") == names[1]
    assert pick("2026-12-03T10:00:00.500Z") == names[1]  # at: included
    assert pick("2026-12-02T12:00Z") == names[0]  # not gw-b's
    assert pick("2027-01-01T00:00Z") == names[2]
    with pytest.raises(BackupError) as caught:
        pick("2026-11-30T00:00Z")
    assert "no backup of acme-gw-a was made at or before 2026-11-30T00:00:00Z (the oldest " \
        "is from 2026-12-01T10:00:00Z)" in str(caught.value)
    with pytest.raises(BackupError) as caught:
        pick("2026-12-05")
    assert "is not a point in time" in str(caught.value)


def _history(tmp_path, rows):
    """Revisions with the given history: {id: [(status, time)]}."""
    for rev_id, history in rows.items():
        os.makedirs(tmp_path / rev_id)
        data = {"id": rev_id, "status": history[-1][0], "created": history[0][1],
                "history": [{"status": s, "time": t, "actor": "x", "note": None}
                            for s, t in history]}
        (tmp_path / rev_id / "revision.json").write_text(json.dumps(data))
    return Store(str(tmp_path))


def test_the_revision_active_at_a_time(tmp_path):
    store = _history(tmp_path, {
        "r0001": [("active", "2026-12-01T10:00:00.000000Z"),
                  ("superseded", "2026-12-02T10:00:00.000000Z"),
                  ("active", "2026-12-04T10:00:00.000000Z")],  # rolled back to on the 4th
        "r0002": [("active", "2026-12-02T10:00:00.000000Z"),
                  ("rolled_back", "2026-12-04T10:00:00.000000Z")],
        "r0003": [("candidate", "2026-12-03T09:00:00.000000Z"),
                  ("failed", "2026-12-03T09:05:00.000000Z")],  # never active
    })

    def at(when):
        return store.select("at:" + when)["id"]

    assert at("2026-12-01T12:00Z") == "r0001"
    assert at("2026-12-02T10:00Z") == "r0002"  # the move happened at that instant
    assert at("2026-12-03T09:02Z") == "r0002"  # a candidate is not active
    assert at("2026-12-05T00:00Z") == "r0001"
    with pytest.raises(RevisionError) as caught:
        at("2026-11-30T00:00Z")
    assert "no revision was active at 2026-11-30T00:00:00Z" in str(caught.value)
