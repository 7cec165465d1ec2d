# -*- coding: utf-8 -*-
"""The fleet's metrics (pure): labels, scrape targets, the text format, what a probe becomes,
the records the jobs write, the integrity check of every archive, and the exporter over HTTP
against a stand-in gateway (the real gateways are in tests/integration/test_day2.py)."""

from __future__ import annotations

import http.server
import json
import os
import threading
import urllib.error
import urllib.request

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils import _backup, _metrics
from ansible_collections.clawops.orchestrator.plugins.plugin_utils import _exporter

RULES = os.path.join(os.path.dirname(__file__), "..", "..", "roles", "observability", "files", "clawops.rules.yml")
GATEWAY = {"id": "gw-a", "org_slug": "acme", "groups": ["team-a"], "profile": "usecase",
           "trust_level": "medium", "wave": "canary", "agents": ["helper", "scout"]}
RUNTIME = {"provider": "compose", "instance": "acme-gw-a",
           "endpoint": {"address": "127.0.0.1", "port": 1, "url": "http://127.0.0.1:1/"},
           "records": {"backups_dir": "/nonexistent"}}
CONFIG = {"channels": {"telegram": {"enabled": True}, "slack": {"enabled": False}, "webchat": {}}}


def _entry(tmp_path, url="http://127.0.0.1:1/", backups=None):
    runtime = dict(RUNTIME, endpoint=dict(RUNTIME["endpoint"], url=url),
                   records={"backups_dir": backups or str(tmp_path / "backups")})
    return _metrics.target(GATEWAY, runtime, CONFIG, None, str(tmp_path / "facts"))


def test_labels_targets_and_file_sd(tmp_path):
    entry = _entry(tmp_path)
    assert entry["labels"] == {"org": "acme", "group": "team-a", "gateway": "gw-a", "profile": "usecase",
                               "trust_level": "medium", "wave": "canary", "provider": "compose"}
    assert tuple(entry["labels"]) == _metrics.LABELS
    assert entry["channels"] == ["telegram", "webchat"]  # slack is disabled
    assert _metrics.fleet_labels(dict(GATEWAY, groups=["b", "a"]), "k8s")["group"] == "b,a"
    groups = _metrics.file_sd({"gw-a": entry}, "127.0.0.1:9464")
    assert groups == [{"targets": ["127.0.0.1:9464"],
                       "labels": dict(entry["labels"], instance="gw-a", __param_gateway="gw-a")}]


def test_the_text_format_escapes_and_reads_back():
    family = _metrics.Family("clawops_x", "gauge", "help with \\ and\nnewline")
    family.add({"gateway": 'a"b\\c\nd'}, 1).add({}, 2.5)
    text = _metrics.render([family, _metrics.Family("clawops_empty", "gauge", "left out")])
    assert "clawops_empty" not in text
    assert '# HELP clawops_x help with \\\\ and newline' in text
    assert 'clawops_x{gateway="a\\"b\\\\c\\nd"} 1' in text
    parsed = _metrics.parse(text)
    assert parsed[("clawops_x", frozenset({("gateway", 'a"b\\c\nd')}))] == 1.0
    assert parsed[("clawops_x", frozenset())] == 2.5
    with pytest.raises(_metrics.MetricsError):
        _metrics.Family("bad-name", "gauge", "")
    with pytest.raises(_metrics.MetricsError):
        _metrics.Family("ok", "gauge", "").add({"__reserved": "x"}, 1)


def _values(families):
    return _metrics.parse(_metrics.render(families))


def _get(values, name, **labels):
    return [v for (n, ls), v in values.items() if n == name and all((k, w) in ls for k, w in labels.items())]


def test_a_probe_of_a_ready_gateway_and_of_one_that_does_not_answer(tmp_path):
    entry = _entry(tmp_path)
    up = _values(_metrics.probe_families(entry, {"ok": True}, {"ready": False, "failing": ["telegram"],
                                                               "uptimeMs": 61500}, 0.01))
    assert _get(up, "clawops_gateway_up") == [1.0]
    # the fleet's labels come from the target (file_sd), not the samples (no exported_* clash)
    assert all(not set(dict(ls)) & set(_metrics.LABELS) for (n, ls) in up)
    assert _get(up, "clawops_gateway_ready") == [0.0]
    assert _get(up, "clawops_gateway_failing", component="telegram") == [1.0]
    assert _get(up, "clawops_channel_ready", channel="telegram") == [0.0]
    assert _get(up, "clawops_channel_ready", channel="webchat") == [1.0]
    assert _get(up, "clawops_gateway_uptime_seconds") == [61.5]
    assert _get(up, "clawops_drill_last_timestamp_seconds") == [0.0]  # never drilled
    down = _values(_metrics.probe_families(entry, None, None, 5.0))
    assert _get(down, "clawops_gateway_up") == [0.0]
    assert not _get(down, "clawops_gateway_ready") and not _get(down, "clawops_channel_ready")
    # up, but /readyz refused the token: not ready, no channel verdicts
    blind = _values(_metrics.probe_families(entry, {"ok": True}, None, 0.1))
    assert _get(blind, "clawops_gateway_ready") == [0.0] and not _get(blind, "clawops_channel_ready")


def test_records_become_series(tmp_path):
    entry = _entry(tmp_path)
    facts = str(tmp_path / "facts")
    _metrics.write_fact(facts, "integrity", "gw-a", {"time": 100.0, "checked": 3, "failed": [{"name": "x"}]})
    _metrics.write_fact(facts, "drill", "gw-a", {"time": 200.0, "ok": False, "rto_s": 42.5, "rpo_s": 3600})
    _metrics.write_fact(facts, "agents", "gw-a", {"time": 300.0, "agents_declared": ["helper", "scout"],
                                                  "agents_live": ["helper"], "agents_missing": ["scout"],
                                                  "agents_extra": []})
    assert not _metrics.write_fact(facts, "drill", "gw-a", {"time": 200.0, "ok": False, "rto_s": 42.5,
                                                            "rpo_s": 3600})  # same content: unchanged
    values = _values(_metrics.probe_families(entry, {"ok": True}, {"ready": True}, 0.1,
                                             [("a", 10.0), ("b", 20.0)], _metrics.read_facts(entry, "gw-a")))
    assert _get(values, "clawops_backup_archives") == [2.0]
    assert _get(values, "clawops_backup_last_timestamp_seconds") == [20.0]
    assert _get(values, "clawops_backup_integrity_failures") == [1.0]
    assert _get(values, "clawops_backup_integrity_checked") == [3.0]
    assert _get(values, "clawops_drill_last_success") == [0.0]
    assert _get(values, "clawops_drill_rto_seconds") == [42.5]
    assert _get(values, "clawops_agents_drift") == [1.0]
    assert _get(values, "clawops_agents_live") == [1.0]
    for bad in ("../x", "", "a/b"):
        with pytest.raises(_metrics.MetricsError):
            _metrics.fact_path(facts, "agents", bad)
    with pytest.raises(_metrics.MetricsError):
        _metrics.fact_path(facts, "unknown", "gw-a")
    with open(_metrics.fact_path(facts, "agents", "gw-a"), "w", encoding="utf-8") as handle:
        handle.write("{not json")
    with pytest.raises(_metrics.MetricsError, match="cannot read"):
        _metrics.read_facts(entry, "gw-a")


def test_prometheus_config_is_yaml_prometheus_reads(tmp_path):
    import yaml  # pylint: disable=import-outside-toplevel
    text = _metrics.prometheus_config("/o/targets.json", "127.0.0.1:9464", "5s", "10s", "/o/rules.yml",
                                      ["127.0.0.1:9093"])
    data = yaml.safe_load(text)
    assert data["rule_files"] == ["/o/rules.yml"]
    assert data["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == ["127.0.0.1:9093"]
    job = data["scrape_configs"][0]
    assert job == {"job_name": "clawops", "scrape_interval": "5s", "metrics_path": "/probe",
                   "file_sd_configs": [{"files": ["/o/targets.json"]}]}
    assert "alerting" not in yaml.safe_load(_metrics.prometheus_config("/t", "h:1"))


def _archive(tmp_path, name="gw"):
    src = tmp_path / name
    (src / "state").mkdir(parents=True, exist_ok=True)
    (src / "state" / "a.json").write_text("{}\n")
    return src


def test_the_integrity_check_verifies_every_archive_and_extracts_the_newest(tmp_path):
    src = _archive(tmp_path)
    backups = str(tmp_path / "backups")
    key = os.urandom(32)
    import datetime  # pylint: disable=import-outside-toplevel
    for hour in (1, 2):
        _backup.create_archive({"state": str(src / "state")}, backups, "acme-gw-a", key=key,
                               now=datetime.datetime(2026, 12, 1, hour, tzinfo=datetime.timezone.utc))
    record = _backup.check_all(backups, "acme-gw-a", key)
    assert record["ok"] and record["checked"] == 2 and record["failed"] == []
    assert record["extracted"] == _backup.list_archives(backups, "acme-gw-a")[-1]["name"]
    assert not [n for n in os.listdir(backups) if n.startswith(".integrity-")]  # scratch removed
    first = _backup.list_archives(backups, "acme-gw-a")[0]["path"]
    with open(first, "r+b") as handle:
        handle.seek(40)
        handle.write(b"\0\0\0\0")
    record = _backup.check_all(backups, "acme-gw-a", key)
    assert not record["ok"] and [f["name"] for f in record["failed"]] == [os.path.basename(first)]
    assert record["extracted"]  # the newest is still intact and extracted
    assert _backup.check_all(str(tmp_path / "none"), "acme-gw-a", key) == dict(
        record, checked=0, failed=[], extracted=None, ok=True, dir=str(tmp_path / "none"), time=pytest.approx(
            record["time"], abs=60))


class _StandIn(http.server.BaseHTTPRequestHandler):
    """A stand-in gateway's probes: /readyz answers details only with the right token."""

    def do_GET(self):  # noqa: N802
        if self.path == "/healthz":
            body, status = {"ok": True, "status": "live"}, 200
        elif self.path == "/readyz" and self.headers.get("Authorization") == "Bearer t0ken":
            body, status = {"ready": False, "failing": ["telegram"], "uptimeMs": 5000}, 503
        elif self.path == "/readyz":
            body, status = {"ready": False}, 503
        else:
            body, status = {}, 404
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        return


def _serve(handler):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_the_exporter_answers_probes_and_reloads_its_configuration(tmp_path):
    gateway = _serve(_StandIn)
    token_file = tmp_path / "gw-a.token"
    token_file.write_text("t0ken\n")
    entry = _entry(tmp_path, url="http://127.0.0.1:%d/" % gateway.server_address[1])
    entry["token_file"] = str(token_file)
    config = tmp_path / "exporter.json"
    config.write_text(json.dumps({"gateways": {"gw-a": entry}}))
    exporter = _exporter.Exporter(str(config))
    server = _serve(_exporter.handler_for(exporter))
    base = "http://127.0.0.1:%d" % server.server_address[1]
    try:
        with urllib.request.urlopen(base + "/probe?gateway=gw-a", timeout=10) as answer:
            assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
            values = _metrics.parse(answer.read().decode())
        assert _get(values, "clawops_gateway_up") == [1.0]
        assert _get(values, "clawops_gateway_failing", component="telegram") == [1.0]
        assert _get(values, "clawops_gateway_uptime_seconds") == [5.0]
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "/probe?gateway=gw-x", timeout=10)
        assert missing.value.code == 404
        token_file.write_text("wrong\n")  # a rotated token is read at the next probe
        values = _metrics.parse(exporter.probe("gw-a"))
        assert not _get(values, "clawops_gateway_failing")
        config.write_text(json.dumps({"gateways": {}}))
        os.utime(config, ns=(1, 1))
        assert exporter.probe("gw-a") is None
        with urllib.request.urlopen(base + "/metrics", timeout=10) as answer:
            own = _metrics.parse(answer.read().decode())
        assert own[("clawops_exporter_gateways", frozenset())] == 0.0
        assert own[("clawops_exporter_config_errors_total", frozenset())] == 0.0
    finally:
        server.shutdown()
        gateway.shutdown()
    with pytest.raises(_metrics.MetricsError, match="observability.yml"):
        _exporter.Exporter(str(tmp_path / "missing.json")).gateways()


class _FakePod(object):
    """A pod's gateway client: answers from a script, counts state() reads."""

    def __init__(self, answers):
        self.answers, self.states = answers, 0

    def state(self):
        self.states += 1

    def probe(self, kind, timeout=10):
        answer = self.answers.get(kind)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_a_kubernetes_gateway_is_probed_in_its_pod(tmp_path):
    endpoint = {"provider": "k8s", "instance": "acme-gw-k", "port": 18789,
                "namespace": "acme-gateways", "deployment": "acme-gw-k"}
    entry = _entry(tmp_path, url="http://acme-gw-k.acme-gateways.svc:18789/")
    entry["endpoint"] = endpoint
    config = tmp_path / "exporter.json"
    config.write_text(json.dumps({"gateways": {"gw-k": entry}}))
    pod = _FakePod({"live": {"ok": True, "status": "live"},
                    "ready": {"ready": True, "failing": [], "uptimeMs": 7000}})
    made = []

    def connect(found):
        made.append(found)
        return pod
    exporter = _exporter.Exporter(str(config), connect=connect)
    values = _metrics.parse(exporter.probe("gw-k"))
    assert _get(values, "clawops_gateway_up") == [1.0]
    assert _get(values, "clawops_gateway_ready") == [1.0]
    assert made == [endpoint]
    exporter.probe("gw-k")
    assert len(made) == 1 and pod.states == 2  # one client; the current pod read each time
    pod.answers["live"] = RuntimeError("the API server does not answer")
    values = _metrics.parse(exporter.probe("gw-k"))
    assert _get(values, "clawops_gateway_up") == [0.0]
    pod.answers["live"] = {"ok": True}
    assert _get(_metrics.parse(exporter.probe("gw-k")), "clawops_gateway_up") == [1.0]
    assert len(made) == 2  # connected again after the failure


def test_the_status_run_posts_the_rules_conditions_with_the_fleet_labels():
    from ansible_collections.clawops.orchestrator.plugins.filter.alert_conditions import alert_conditions
    statuses = [
        {"gateway": "gw-a", "state": "running", "failing": [], "agents": {"agents_missing": []}},
        {"gateway": "gw-b", "state": "stopped", "failing": []},
        {"gateway": "gw-c", "state": "degraded", "failing": ["telegram"],
         "agents": {"agents_missing": ["bob"], "agents_extra": ["ghost"]}},
    ]
    payload = alert_conditions(statuses, [dict(GATEWAY, id="gw-b", wave=2, provider="compose")])
    assert payload["status"] == "firing" and payload["version"] == "4"
    named = sorted((a["labels"]["alertname"], a["labels"]["gateway"]) for a in payload["alerts"])
    assert named == [("ClawopsAgentDrift", "gw-c"), ("ClawopsComponentFailing", "gw-c"),
                     ("ClawopsGatewayDown", "gw-b"), ("ClawopsGatewayNotReady", "gw-c")]
    down = [a for a in payload["alerts"] if a["labels"]["gateway"] == "gw-b"][0]
    assert down["labels"]["wave"] == "2" and down["labels"]["org"] == "acme" and down["labels"]["severity"] == "critical"
    assert alert_conditions(statuses[:1])["status"] == "resolved"
    import yaml  # pylint: disable=import-outside-toplevel
    with open(RULES, encoding="utf-8") as handle:
        rules = {r["alert"]: r["labels"]["severity"] for g in yaml.safe_load(handle)["groups"] for r in g["rules"]}
    for alert in payload["alerts"]:  # the same names and severities as the alert rules
        assert rules[alert["labels"]["alertname"]] == alert["labels"]["severity"]


def test_files_are_written_whole_with_their_mode(tmp_path):
    from ansible_collections.clawops.orchestrator.plugins.module_utils._files import write_atomic
    path = tmp_path / "new" / "gw-a.token"
    write_atomic(str(path), "t0ken\n", 0o600, 0o700)
    assert path.read_text() == "t0ken\n"
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    write_atomic(str(path), "other\n", 0o600)
    assert path.read_text() == "other\n" and sorted(os.listdir(path.parent)) == ["gw-a.token"]


def test_a_limited_run_keeps_the_other_gateways(tmp_path):
    labels = {"gateway": "x"}
    previous = json.dumps({"gateways": {"gw-a": {"url": "old-a", "labels": labels}, "gw-b": {"url": "b", "labels": labels},
                                        "gw-k": {"url": "k", "labels": labels}, "gw-z": {"url": "no labels"}}})
    kept = _metrics.keep_others(previous, {"gw-a": {"url": "new-a"}}, {"gw-k": "a k8s gateway"})
    assert kept == {"gw-a": {"url": "new-a"}, "gw-b": {"url": "b", "labels": labels}}  # gw-k is skipped now
    assert _metrics.keep_others(None, {"gw-a": {}}) == {"gw-a": {}}
    assert _metrics.keep_others("{broken", {"gw-a": {}}) == {"gw-a": {}}
