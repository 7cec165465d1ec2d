# -*- coding: utf-8 -*-
"""The hot-apply procedure over a fake target: verdicts, put-back, check mode."""

from __future__ import annotations

import json

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._hot import (
    FileTarget, HotApplyFailed, apply)

OLD = json.dumps({"gateway": {"port": 1}, "agents": {"entries": {"a": {}}}})
NEW = json.dumps({"gateway": {"port": 1}, "agents": {"entries": {"a": {}, "b": {}}}})
RESTART = json.dumps({"gateway": {"port": 2}, "agents": {"entries": {"a": {}}}})


class Fake(object):
    """A gateway whose answer to each written text is scripted."""

    def __init__(self, text, answers, running=True):
        self.text, self.answers, self.is_running = text, answers, running
        self.log, self.writes, self.nudges = [], [], 0

    def where(self):
        return "fake"

    def running(self):
        return self.is_running

    def read(self):
        return self.text

    def write(self, text):
        self.text = text
        self.writes.append(text)
        answer = self.answers.get(len(self.writes))
        if answer:
            self.log.append(answer)

    def nudge(self):
        self.nudges += 1

    def mounted(self):
        return None  # a Docker host's file: what the container sees is what read() returns

    def log_size(self):
        return len(self.log)

    def messages_since(self, offset):
        return self.log[offset:]


class Clock(object):
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def run(target, new, hot=True, timeout=5, check=False):
    clock = Clock()
    return apply(target, new, hot, timeout, check, sleep=clock.sleep, clock=clock)


def test_no_change_writes_nothing():
    target = Fake(OLD, {})
    assert run(target, OLD)["applied"] == "none" and target.writes == []


def test_a_hot_change_waits_for_the_gateway_verdict():
    target = Fake(OLD, {1: "config hot reload applied (agents.entries.b)"})
    result = run(target, NEW)
    assert result["applied"] == "hot" and target.writes == [NEW] and target.nudges == 1
    assert result["gateway_said"].startswith("config hot reload applied")
    assert [row["path"] for row in result["reload"]["paths"]] == ["agents.entries.b"]


def test_a_restart_path_is_written_and_left_to_the_caller():
    target = Fake(OLD, {})
    result = run(target, RESTART)
    assert result["applied"] == "restart" and result["reload"]["restart_paths"] == ["gateway.port"]
    assert target.writes == [RESTART] and target.nudges == 0


def test_a_gateway_that_does_not_run_is_restarted():
    target = Fake(OLD, {}, running=False)
    assert run(target, NEW)["applied"] == "restart"


def test_check_mode_reports_the_plan_and_writes_nothing():
    target = Fake(OLD, {})
    assert run(target, NEW, check=True)["applied"] == "hot" and target.writes == []
    assert run(target, RESTART, check=True)["applied"] == "restart" and target.writes == []


def test_a_refused_change_puts_the_old_text_back():
    target = Fake(OLD, {1: "config reload skipped (invalid config): agents.entries.b: bad"})
    with pytest.raises(HotApplyFailed) as failed:
        run(target, NEW)
    assert target.text == OLD and target.writes == [NEW, OLD]
    assert "refused it: config reload skipped (invalid config)" in str(failed.value)
    assert "was not restarted" in str(failed.value) and failed.value.result["rolled_back"]


def test_a_change_never_reported_times_out_and_is_put_back():
    target = Fake(OLD, {2: "config hot reload applied (agents.entries.b)"})
    with pytest.raises(HotApplyFailed) as failed:
        run(target, NEW, timeout=2)
    assert target.text == OLD and "did not report it within 2s" in str(failed.value)
    assert "applied again" in str(failed.value)


def test_a_file_target_replaces_the_file_and_reads_its_log(tmp_path):
    config, log = tmp_path / "openclaw.json", tmp_path / "openclaw.log"
    config.write_text(OLD)
    log.write_text(json.dumps({"message": "config change detected; evaluating reload (x)"}) + "\n")
    target = FileTarget(str(config), str(log))
    inode = config.stat().st_ino
    offset = target.log_size()
    target.write(NEW)
    assert config.read_text() == NEW and config.stat().st_ino != inode  # a new inode
    with log.open("a") as handle:
        handle.write(json.dumps({"message": "config hot reload applied (x)"}) + "\n")
    assert target.messages_since(offset) == ["config hot reload applied (x)"]
    assert target.messages_since(10 ** 6) != []  # rotated: read from the start


LEVEL = json.dumps({"gateway": {"port": 1}, "agents": {"entries": {"a": {}}},
                    "logging": {"level": "debug"}})


def test_a_change_of_none_paths_is_applied_silently_after_the_detection():
    target = Fake(OLD, {1: "config change detected; evaluating reload (logging.level)"})
    result = run(target, LEVEL)
    assert result["applied"] == "hot" and target.writes == [LEVEL]
    assert result["seconds"] >= 3.0  # the grace in which a failure would have shown


def test_a_detected_hot_change_still_waits_for_its_verdict():
    target = Fake(OLD, {1: "config change detected; evaluating reload (agents.entries.b)"})
    with pytest.raises(HotApplyFailed):
        run(target, NEW, timeout=5)
    assert target.text == OLD


class Mounting(Fake):
    """A pod: the ConfigMap (``text``) and what the pod mounts of it (``seen``) may differ
    for a while (the kubelet syncs volumes with a delay)."""

    def __init__(self, text, seen, answers):
        super(Mounting, self).__init__(text, answers)
        self.seen = seen

    def mounted(self):
        return self.seen


def test_a_repair_the_pod_already_runs_puts_the_object_right_without_waiting():
    # drift: the ConfigMap was edited (NEW) but the pod still mounts the fleet's config (OLD)
    target = Mounting(NEW, OLD, {})
    result = run(target, OLD)
    assert result["applied"] == "hot" and result["reload"]["action"] == "none"
    assert target.writes == [OLD] and target.nudges == 0  # no verdict awaited, nothing put back
    assert "mounts this config already" in result["gateway_said"]


def test_the_reload_plan_is_from_what_the_pod_mounts():
    # the object says RESTART, the pod mounts OLD: going to NEW is a hot change for the pod
    target = Mounting(RESTART, OLD, {1: "config hot reload applied (agents.entries.b)"})
    result = run(target, NEW)
    assert result["applied"] == "hot"
    assert [row["path"] for row in result["reload"]["paths"]] == ["agents.entries.b"]
