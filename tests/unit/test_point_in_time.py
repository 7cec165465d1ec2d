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


def _names(instance, stamps):
    return ["%s-%s-manual.tar.gz" % (instance, stamp) for stamp in stamps]


def test_retention_keeps_the_newest_of_each_day_week_and_month():
    from ansible_collections.clawops.orchestrator.plugins.module_utils._backup import retained
    instance = "acme-gw-a"
    names = _names(instance, [
        "20260915T020000000Z",                          # September
        "20261020T020000000Z", "20261031T020000000Z",  # October
        "20261130T020000000Z",                          # November
        "20261201T020000000Z", "20261201T140000000Z",  # 1 Dec, twice (ISO week 49)
        "20261203T020000000Z", "20261204T020000000Z",  # week 49
        "20261205T020000000Z", "20261206T020000000Z",  # 5 Dec (week 49), 6 Dec (week 49)
    ]) + ["notes.tar.gz"]

    def short(keep):
        """YYYYMMDDHHMM of the kept archives of the instance."""
        cut = len(instance) + 1
        return sorted(n[cut:cut + 8] + n[cut + 9:cut + 13] for n in keep
                      if n.startswith(instance))

    keep = retained(names, instance, {"last": 1, "daily": 3, "weekly": 2, "monthly": 3})
    assert "notes.tar.gz" in keep  # not one the collection named: never removed
    # weekly 2: ISO week 49 (30 Nov - 6 Dec: 6 Dec) and the next week that has one (31 Oct)
    assert short(keep) == ["202610310200",  # newest of October (monthly, weekly)
                           "202611300200",  # newest of November (monthly)
                           "202612040200", "202612050200",  # daily
                           "202612060200"]  # last, daily, weekly (49), monthly (Dec)
    assert retained(names, instance, {"last": 2}) == {"notes.tar.gz", names[-3], names[-2]}
    with pytest.raises(BackupError) as caught:
        retained(names, instance, {"hourly": 3})
    assert "retention hourly: use last, daily, weekly and monthly" in str(caught.value)


def test_a_second_copy_is_checked_and_pruned_like_the_originals(tmp_path):
    from ansible_collections.clawops.orchestrator.plugins.module_utils._backup import (
        copy_archive, create_archive, list_archives)
    data = tmp_path / "state"
    data.mkdir()
    (data / "f.txt").write_text("x")
    made = []
    for day in (1, 2, 3):
        when = datetime.datetime(2026, 12, day, 2, tzinfo=UTC)
        made.append(create_archive({"state": str(data)}, str(tmp_path / "backups"), "acme-gw-a",
                                   now=when, key=b"k" * 32, retention={"last": 2}))
        copied = copy_archive(made[-1], str(tmp_path / "second"), "acme-gw-a", {"last": 2})
        assert copied["path"] == str(tmp_path / "second" / made[-1]["name"])
    for where in ("backups", "second"):
        names = [a["name"] for a in list_archives(str(tmp_path / where), "acme-gw-a")]
        assert names == [made[1]["name"], made[2]["name"]], where
        assert all(a["has_checksum"] and a["authenticated"]
                   for a in list_archives(str(tmp_path / where), "acme-gw-a"))
    assert made[2]["removed"] == [made[0]["name"]]
