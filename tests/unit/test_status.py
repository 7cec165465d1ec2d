# -*- coding: utf-8 -*-
"""Status classification and live-vs-declared comparison (pure)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._status import (
    binding_label, classify, compare, error_lines, parse_size)
from ansible_collections.clawops.orchestrator.plugins.filter.status_table import status_table


@pytest.mark.parametrize("container,ready,expected", [
    (None, None, "absent"),
    ({"Running": True}, {"ready": True, "failing": []}, "running"),
    ({"Running": True}, {"ready": False}, "degraded"),
    ({"Running": True}, None, "degraded"),
    ({"Running": False, "ExitCode": 0}, None, "stopped"),
    ({"Running": False, "ExitCode": 78}, None, "failed"),
    ({"Running": True, "Restarting": True}, None, "failed"),
    ({"Running": False, "OOMKilled": True, "ExitCode": 137}, None, "failed"),
])
def test_classify(container, ready, expected):
    assert classify(container, ready) == expected


def test_parse_size():
    assert parse_size("885.8MiB") == int(885.8 * 1024 * 1024)
    assert parse_size(" 2GiB ") == 2 * 1024 ** 3
    assert parse_size("n/a") is None


def test_compare_reports_drift_both_ways():
    live = [{"id": "alice", "bindingDetails": ["telegram accountId=alice-tg"]},
            {"id": "intruder", "bindingDetails": []}]
    declared_bindings = [
        {"agentId": "alice", "match": {"channel": "telegram", "accountId": "alice-tg"}},
        {"agentId": "bob", "match": {"channel": "telegram", "accountId": "bob-tg"}},
    ]
    out = compare(["alice", "bob"], declared_bindings, live)
    assert out["agents_missing"] == ["bob"] and out["agents_extra"] == ["intruder"]
    assert out["bindings_missing"] == ["bob: telegram accountId=bob-tg"]
    assert out["drift"] is True
    same = compare(["alice"], declared_bindings[:1], live[:1])
    assert same["drift"] is False


def test_binding_label_matches_openclaw():
    assert binding_label({"match": {"channel": "slack", "accountId": "x"}}) == "slack accountId=x"
    assert binding_label({"match": {"channel": "telegram"}}) == "telegram"


def test_error_lines_keeps_the_last_problems():
    lines = ["ok", "x error 1", "fine", "Failed to connect", "warn: slow", "done"]
    assert error_lines(lines, 2) == ["Failed to connect", "warn: slow"]


def test_status_table():
    table = status_table([{"gateway": "gw-a", "state": "running", "version": "2026.9.6",
                           "uptime_s": 12.5, "agents": {"agents_live": ["a"],
                                                        "agents_declared": ["a"]},
                           "memory": {"used_bytes": 900 * 1024 * 1024}, "failing": [],
                           "url": "http://127.0.0.1:1/",
                           "backends": [{"id": "local", "reachable": True, "ms": 4},
                                        {"id": "lab", "reachable": False, "ms": 2}]}])
    assert table[0].split() == ["GATEWAY", "STATE", "VERSION", "UPTIME", "AGENTS", "DRIFT",
                                "MEMORY", "FAILING", "BACKENDS", "URL"]
    assert table[2].split() == ["gw-a", "running", "2026.9.6", "12s", "1/1", "no", "900", "MiB",
                                "local", "ok", "4ms,", "lab", "down", "http://127.0.0.1:1/"]


def test_a_k8s_gateway_without_namespace_or_cluster_is_a_clear_error(tmp_path, monkeypatch):
    from ansible_collections.clawops.orchestrator.plugins.module_utils._gateway_client import (
        GatewayProblem, connect)
    endpoint = {"provider": "k8s", "instance": "acme-gw-research", "port": 18789}
    with pytest.raises(GatewayProblem, match="needs its namespace"):
        connect(dict(endpoint, namespace=None))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(GatewayProblem, match="cannot load a kubeconfig"):
        connect(dict(endpoint, namespace="acme-gateways",
                     kubeconfig=str(tmp_path / "missing.kubeconfig")))
    with pytest.raises(GatewayProblem, match="docker CLI"):
        connect({"provider": "compose", "instance": "acme-gw-people", "port": 19100})


def _docker_run(inspect, outputs):
    """A docker CLI that answers inspect with ``inspect`` (None: no such container) and any
    other command with the first entry of ``outputs`` whose key is in the argv."""
    def run(argv):
        words = " ".join(argv)
        if " inspect " in words:
            return (0, json.dumps([inspect]), "") if inspect else (1, "", "No such object")
        for key, answer in outputs.items():
            if key in words:
                return answer
        return 1, "", "unexpected: " + words
    return run


def test_status_of_a_missing_compose_gateway_shows_no_container():
    from ansible_collections.clawops.orchestrator.plugins.module_utils._gateway_client import (
        connect)
    from ansible_collections.clawops.orchestrator.plugins.modules.gateway_status import status
    client = connect({"provider": "compose", "instance": "acme-gw-people", "port": 19100},
                     _docker_run(None, {}))
    result = status(client, {"timeout": 5, "token": None, "declared_agents": ["a"],
                             "declared_bindings": [], "log_lines": 5})
    assert result["container"] == {}
    assert result["state"] == "absent"
    assert result["ready"] is False


def test_status_of_a_running_compose_gateway_names_restarts_and_readiness():
    from ansible_collections.clawops.orchestrator.plugins.module_utils._gateway_client import (
        connect)
    from ansible_collections.clawops.orchestrator.plugins.modules.gateway_status import status
    inspect = {"State": {"Status": "running", "Running": True, "Restarting": False,
                         "ExitCode": 0, "StartedAt": "2026-12-05T10:00:00Z"},
               "RestartCount": 2, "Config": {"Image": "local/openclaw:2026.9.6", "Labels": {}}}
    ready = json.dumps({"ready": True, "failing": [], "uptimeMs": 4200})
    client = connect({"provider": "compose", "instance": "acme-gw-people", "port": 19100},
                     _docker_run(inspect, {"/readyz": (0, ready, ""),
                                           "/startupz": (0, '{"version": "2026.9.6"}', ""),
                                           "agents list": (0, '[{"id": "a"}]', ""),
                                           "stats": (0, "512MiB / 1GiB", ""),
                                           "/models": (0, '{"status": 200, "models": ["smoke"],'
                                                          ' "ms": 7}', ""),
                                           " logs ": (0, "ok\n", "")}))
    backend = {"id": "local", "url": "http://acme-backend-local:8000/v1", "models": ["smoke"],
               "key_env": "CLAWOPS_BACKEND_LOCAL_KEY"}
    result = status(client, {"timeout": 5, "token": "t", "declared_agents": ["a"],
                             "declared_bindings": [], "log_lines": 5, "backends": [backend]})
    assert result["backends"] == [{"id": "local", "url": backend["url"], "reachable": True,
                                   "models": ["smoke"], "ms": 7, "problem": None}]
    assert result["container"]["restart_count"] == 2
    assert "restarts" not in result["container"]
    assert result["state"] == "running"
    assert result["ready"] is True and result["uptime_s"] == 4.2
    assert result["version"] == "2026.9.6"
    assert result["memory"]["used_bytes"] == 512 * 1024 * 1024
