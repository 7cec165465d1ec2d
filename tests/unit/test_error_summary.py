# -*- coding: utf-8 -*-
"""The fleet's recent problem lines grouped by signature, and gateway_diagnose's steps over a
client that answers like a gateway (issue 18, item 3)."""

from __future__ import annotations

from ansible_collections.clawops.orchestrator.plugins.filter.error_summary import error_summary
from ansible_collections.clawops.orchestrator.plugins.module_utils._status import (
    error_signature, parse_log_line)
from ansible_collections.clawops.orchestrator.plugins.modules.gateway_diagnose import diagnose

# lines as OpenClaw 2026.9.6 writes them to its output
A1 = "2026-12-06T01:54:45.696+00:00 [gateway] remote model catalog refresh failed"
A2 = ("2026-12-06T01:56:58.234+00:00 [ws] \u21c4 res \u2717 system-presence 3ms "
      "errorCode=FORBIDDEN errorMessage=missing scope: operator.read conn=aaf986fd id=2:8b1dd074")
B1 = "2026-12-06T01:50:00.000+00:00 [gateway] remote model catalog refresh failed"
B2 = ("2026-12-06T01:57:00.000+00:00 [gateway] gateway connect failed: device pairing required "
      "(requestId: b1582fec-45ea-4643-9347-691741744921) token=sk-abcdefghijklmnopqrstuvwx")


def test_a_line_has_a_time_a_subsystem_and_a_message():
    assert parse_log_line(A1) == ("2026-12-06T01:54:45.696+00:00", "gateway",
                                  "remote model catalog refresh failed")
    assert parse_log_line("- a continuation line") == (None, None, "- a continuation line")
    assert error_signature("device pairing required (requestId: "
                           "b1582fec-45ea-4643-9347-691741744921) after 3 tries from "
                           "10.0.0.7:4431 \"alice's phone\"") == (
        "device pairing required (requestId: <id>) after <n> tries from <address> <text>")


def test_one_problem_on_many_gateways_is_one_row_the_most_frequent_first():
    statuses = [{"gateway": "gw-a", "last_errors": [A1, A2, A1]},
                {"gateway": "gw-b", "last_errors": [B1, B2]}]
    groups = error_summary(statuses)
    assert [g["count"] for g in groups] == [3, 1, 1]
    top = groups[0]
    assert top["signature"] == "remote model catalog refresh failed"
    assert top["subsystem"] == "gateway"
    assert top["gateways"] == [{"gateway": "gw-a", "count": 2}, {"gateway": "gw-b", "count": 1}]
    assert (top["first_seen"], top["last_seen"]) == ("2026-12-06T01:50:00.000+00:00",
                                                     "2026-12-06T01:54:45.696+00:00")
    pairing = [g for g in groups if "pairing" in g["signature"]][0]
    assert "<id>" in pairing["signature"] and "sk-abc" not in pairing["signature"]
    assert "sk-abc" not in pairing["example"] and "<redacted>" in pairing["example"]
    table = error_summary(statuses, table=True)
    assert table[0].split() == ["COUNT", "GATEWAYS", "FIRST", "SEEN", "LAST", "SEEN",
                                "SIGNATURE"]
    assert "gw-a (2), gw-b (1)" in table[2]
    assert error_summary([], table=True) == ["no problem lines in the gateways' recent logs"]


class Answers(object):
    """A gateway client whose container answers like the real CLI (state, cli, logs)."""

    instance = "acme-gw-a"

    def __init__(self, running=True):
        self.running = running
        self.ran = []

    def state(self):
        return {"running": self.running, "present": True}

    def cli(self, args, timeout=60):
        self.ran.append(list(args))
        if args[0] == "doctor":
            return 0, "Doctor\n" + '{"findings": [{"severity": "warn", "message": "x"}]}', ""
        return 1, "gateway closed (1006)", "token=sk-abcdefghijklmnopqrstuvwx"

    def logs(self, tail=200):
        return "\n".join([A1, A2, B2][-tail:])


def test_diagnose_runs_doctor_status_and_logs_through_the_client():
    client = Answers()
    found = diagnose(client, {"what": ["doctor", "status", "logs"], "log_lines": 2,
                              "timeout": 30})
    assert client.ran == [["doctor", "--lint", "--json"], ["status", "--json"]]
    assert found["doctor"] == {"rc": 0, "findings": {"findings": [
        {"severity": "warn", "message": "x"}]}}
    assert found["status"]["rc"] == 1 and "sk-abc" not in found["status"]["output"]
    assert len(found["logs"]) == 2 and "sk-abc" not in found["logs"][-1]
    stopped = diagnose(Answers(running=False), {"what": ["doctor", "logs"], "log_lines": 5,
                                                "timeout": 30})
    assert stopped["running"] is False and stopped["doctor"]["rc"] is None
    assert "status" not in stopped and len(stopped["logs"]) == 3
