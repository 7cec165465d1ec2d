# -*- coding: utf-8 -*-
"""Approval windows (issue 21, item 5): which pending requests a window approves."""

from __future__ import annotations

from ansible_collections.clawops.orchestrator.plugins.module_utils._devices import (
    check_criteria, plan_window, window_match)

REQ = [
    {"requestId": "r1", "deviceId": "d1", "displayName": "lab-01", "platform": "linux",
     "role": "node"},
    {"requestId": "r2", "deviceId": "d2", "displayName": "lab-02", "platform": "darwin",
     "role": "node"},
    {"requestId": "r3", "deviceId": "d3", "displayName": "lab-03", "platform": "linux",
     "role": "operator", "roles": ["operator"]},
    {"requestId": "r4", "deviceId": "d4", "displayName": "kiosk", "platform": "linux",
     "role": "node"},
]


def test_a_window_approves_only_what_matches_and_nodes_by_default():
    steps, unmatched = plan_window({"pending": REQ, "paired": []},
                                   [{"name": "lab-*", "platform": "linux"}])
    assert [s[1] for s in steps] == ["r1"]
    # the operator request (control of the gateway) needs role: operator in the entry
    assert [r["requestId"] for r in unmatched] == ["r2", "r3", "r4"]
    steps, dummy = plan_window({"pending": REQ, "paired": []},
                               [{"name": "lab-*", "role": "operator"}])
    assert [s[1] for s in steps] == ["r3"]


def test_a_window_skips_what_it_already_decided():
    steps, dummy = plan_window({"pending": REQ, "paired": []}, [{"platform": "linux"}],
                               handled={"r1"})
    assert [s[1] for s in steps] == ["r4"]


def test_first_matching_entry_wins():
    assert window_match(REQ[1], [{"name": "nope"}, {"platform": "dar*"}]) == {"platform": "dar*"}
    assert window_match(REQ[1], [{"name": "lab-02", "platform": "linux"}]) is None


def test_a_window_that_approves_anything_is_refused():
    assert check_criteria([])
    assert check_criteria([{"name": "*"}])
    assert check_criteria([{"role": "node"}])
    assert check_criteria([{"name": "lab-*", "role": "admin"}])
    assert check_criteria([{"name": "lab-*", "colour": "red"}])
    assert check_criteria([{"name": "lab-*"}, {"platform": "linux", "role": "operator"}]) == []
