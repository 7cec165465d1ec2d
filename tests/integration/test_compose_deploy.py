# -*- coding: utf-8 -*-
"""The Compose path against the real Docker engine and real gateways built from npm.

One module-scoped fleet of 3 gateways on this host (WebChat only: no channel needs the
internet), deployed once; the tests then walk the idempotency quad, isolation, a config
change, the lifecycle transitions and a gate that must fail.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
import urllib.request

import pytest

from conftest import write_fleet
from helpers import (DOCTOR, GATE_DEADLINE, changed, docker, free_base_ports, readyz, run_cli,
                     gate_ran)

pytestmark = pytest.mark.real
GATEWAYS = ("gw-a", "gw-b", "gw-c")


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    base = tmp_path_factory.mktemp("compose")
    root = base / "srv"
    secrets_dir = base / "secrets"
    secrets_dir.mkdir(mode=0o700)
    ports = free_base_ports(3)
    tokens = {}
    files = {
        "fleet.yml": """
            schema_version: 1
            org: {org_id: it-01, org_slug: it%d, display_name: Integration}
            defaults:
              image: {version: "2026.9.6"}
              auth: {mode: token, token: {source: file, path: "%s/@{gateway.id}.token"}}
            targets:
              compose_hosts:
                local: {root: %s, vars: {ansible_connection: local, health_gate_deadline: %d}}
            config:
              templates: [templates/org.json5]
            policy:
              integrations: {allow: [webchat]}
              providers: {allow: [anthropic]}
            """ % (os.getpid() % 1000, secrets_dir, root, GATE_DEADLINE),
        "operators.yml": "open: true\n",  # roles are not what this module tests
        "templates/org.json5": '{ agents: { defaults: { model: { primary: '
                               '"anthropic/claude-sonnet-4-5" } } }, logging: { level: "info" } }',
        "catalogs/models.yml": "models:\n  anthropic/claude-sonnet-4-5: {tier: default, owner: it}\n",
        "groups/tasks.yml": "id: tasks\nprofile: usecase\ntrust_level: medium\nwave: canary\n",
    }
    for gw, port in zip(GATEWAYS, ports):
        files["gateways/%s.yml" % gw] = (
            "id: %s\ngroups: [tasks]\nprovider: {type: compose, host: local}\nport: %d\n"
            "agents:\n  - {id: helper, kind: usecase}\n" % (gw, port))
        tokens[gw] = secrets.token_hex(24)
        (secrets_dir / ("%s.token" % gw)).write_text(tokens[gw])
    fleet_dir = write_fleet(base / "fleet", files)
    inventory = base / "fleet.clawops.yml"
    inventory.write_text("plugin: clawops.orchestrator.fleet\nfleet_dir: %s\n" % fleet_dir)
    state = {"dir": fleet_dir, "inventory": str(inventory), "root": str(root),
             "ports": dict(zip(GATEWAYS, ports)), "tokens": tokens,
             "slug": "it%d" % (os.getpid() % 1000)}
    yield state
    run_cli("ansible-playbook", ["-i", str(inventory), "playbooks/lifecycle.yml", "-e",
                                 "action=absent", "-e", "confirm_all=true"])


def play(fleet, playbook, *args, timeout=900):
    return run_cli("ansible-playbook", ["-i", fleet["inventory"], playbook] + list(args),
                   timeout=timeout)


@pytest.fixture(scope="module")
def deployed(fleet):
    check = play(fleet, "playbooks/site.yml", "--check", "--diff")
    # The first apply may build the gateway image (debootstrap, npm: minutes on a busy machine).
    applied = play(fleet, "playbooks/site.yml", timeout=1500)
    assert applied.returncode == 0, applied.stdout[-4000:] + applied.stderr
    return {"check": check, "apply": applied}


def test_check_mode_on_a_new_fleet_reports_changes_and_creates_nothing(fleet, deployed):
    check = deployed["check"]
    assert check.returncode == 0, check.stdout[-3000:]
    assert all(n > 0 for gw, n in changed(check).items() if gw in GATEWAYS), changed(check)
    assert '"gateway": {' in check.stdout or "openclaw.json" in check.stdout  # the diff


def test_every_gateway_is_ready(fleet, deployed):
    for gw in GATEWAYS:
        answer = readyz(fleet["ports"][gw], fleet["tokens"][gw])
        assert answer["ready"] is True and answer["failing"] == [], (gw, answer)


def status(fleet, tmp_path, *args):
    out = tmp_path / "status.json"
    proc = play(fleet, "playbooks/status.yml", "-e", "clawops_status_json=%s" % out, *args)
    assert proc.returncode == 0, proc.stdout[-3000:]
    return {item["gateway"]: item for item in json.loads(out.read_text())}, proc.stdout


def test_status_reports_running_gateways_with_live_agents(fleet, deployed, tmp_path):
    found, out = status(fleet, tmp_path)
    for gw in GATEWAYS:
        item = found[gw]
        assert item["state"] == "running", item
        assert item["version"] == "2026.9.6"
        assert item["agents"]["agents_live"] == ["helper"] and item["agents"]["drift"] is False
        assert item["memory"]["used_bytes"] > 100 * 1024 * 1024
        assert item["uptime_s"] > 0
    assert "GATEWAY" in out and "running" in out
    for token in fleet["tokens"].values():
        assert token not in out


def invoke_status(port, token=None):
    """HTTP status and JSON body of POST /tools/invoke: it always requires the gateway's auth.

    A token the gateway does not hold gets 401 `unauthorized` before the body is read; its
    own token gets past auth (then a 4xx for the empty tool name, never 401).
    """
    request = urllib.request.Request("http://127.0.0.1:%d/tools/invoke" % port, data=b"{}",
                                     method="POST", headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_isolation(fleet, deployed):
    states, logs = set(), set()
    for gw in GATEWAYS:
        gw_root = os.path.join(fleet["root"], fleet["slug"], gw)
        states.add(os.stat(os.path.join(gw_root, "state")).st_ino)
        log = os.path.join(gw_root, "logs", "openclaw.log")
        assert os.path.isfile(log) and os.path.getsize(log) > 0, log
        logs.add((os.stat(log).st_dev, os.stat(log).st_ino))
        env_file = os.path.join(gw_root, "gateway.env")
        assert oct(os.stat(env_file).st_mode & 0o777) == "0o600"
    assert len(states) == 3 and len(logs) == 3, (states, logs)
    # a gateway's token is rejected by every other gateway, and accepted by its own
    for gw in GATEWAYS:
        port = fleet["ports"][gw]
        own, body = invoke_status(port, fleet["tokens"][gw])
        assert own != 401, (gw, own, body)
        for other in GATEWAYS:
            if other != gw:
                code, body = invoke_status(port, fleet["tokens"][other])
                assert code == 401 and json.loads(body)["error"]["type"] == "unauthorized", (
                    gw, other, code, body)
    # /readyz details (the failing list) only for the gateway's own token
    own = readyz(fleet["ports"]["gw-a"], fleet["tokens"]["gw-a"])
    foreign = readyz(fleet["ports"]["gw-a"], fleet["tokens"]["gw-b"])
    assert "failing" in own and "failing" not in foreign, (own, foreign)


def test_second_check_and_apply_change_nothing(fleet, deployed):
    check = play(fleet, "playbooks/site.yml", "--check")
    assert check.returncode == 0 and set(changed(check).values()) == {0}, changed(check)
    again = play(fleet, "playbooks/site.yml")
    assert again.returncode == 0 and set(changed(again).values()) == {0}, changed(again)
    # the gate probes every gateway; doctor only lints an instance the run changed
    assert gate_ran(again, "/readyz") == {gw: True for gw in GATEWAYS}
    assert gate_ran(again, DOCTOR) == {gw: False for gw in GATEWAYS}


def _config(fleet, gw):
    with open(os.path.join(fleet["root"], fleet["slug"], gw, "config", "openclaw.json"),
              encoding="utf-8") as handle:
        return handle.read()


def _live_agents(fleet, gw, expected):
    """The agents the running gateway serves (openclaw health asks the gateway process,
    which caches its summary for up to 60 s: asked until it is as expected)."""
    end = time.time() + 90
    while True:
        out = docker("exec", "%s-%s" % (fleet["slug"], gw), "/usr/local/bin/openclaw", "health",
                     "--json", "--timeout", "10000")
        assert out.returncode == 0, out.stdout + out.stderr
        found = sorted(agent["agentId"] for agent in json.loads(out.stdout)["agents"])
        if found == expected or time.time() > end:
            return found
        time.sleep(3)


def _edit(fleet, gw, old, new, append=""):
    path = os.path.join(fleet["dir"], "gateways", "%s.yml" % gw)
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    assert old in text
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text.replace(old, new) + append)


def test_a_hot_change_is_live_without_a_restart(fleet, deployed):
    _edit(fleet, "gw-c", "agents:\n  - {id: helper, kind: usecase}\n",
          "agents:\n  - {id: helper, kind: usecase}\n  - {id: scribe, kind: usecase}\n",
          append="config:\n  overrides:\n    logging: {level: debug}\n")
    started_at = _started_at(fleet, "gw-c")
    check = play(fleet, "playbooks/site.yml", "--check", "--diff", "--limit", "gw-c")
    assert check.returncode == 0 and changed(check)["gw-c"] > 0
    assert '"level": "debug"' in check.stdout and "hot-apply, no restart" in check.stdout
    assert "agents.entries.scribe" in check.stdout and "logging.level" in check.stdout
    applied = play(fleet, "playbooks/site.yml", "--limit", "gw-c")
    assert applied.returncode == 0, applied.stdout[-3000:]
    assert "hot-apply, no restart" in applied.stdout
    assert gate_ran(applied, DOCTOR) == {"gw-c": False}  # not restarted: no doctor
    assert _started_at(fleet, "gw-c") == started_at  # the same gateway process
    assert _live_agents(fleet, "gw-c", ["helper", "scribe"]) == ["helper", "scribe"]
    assert json.loads(_config(fleet, "gw-c"))["logging"]["level"] == "debug"
    assert readyz(fleet["ports"]["gw-c"], fleet["tokens"]["gw-c"])["ready"] is True


def test_a_restart_path_change_restarts(fleet, deployed):
    _edit(fleet, "gw-c", "    logging: {level: debug}\n",
          "    logging: {level: debug}\n    gateway: {controlUi: {basePath: /ui}}\n")
    started_at = _started_at(fleet, "gw-c")
    applied = play(fleet, "playbooks/site.yml", "--limit", "gw-c")
    assert applied.returncode == 0, applied.stdout[-3000:]
    # the same line --check --diff prints (test_a_hot_change_is_live_without_a_restart)
    assert "restart for gateway.controlUi.basePath" in applied.stdout
    assert gate_ran(applied, DOCTOR) == {"gw-c": True}  # recreated: doctor ran
    assert _started_at(fleet, "gw-c") != started_at
    assert json.loads(_config(fleet, "gw-c"))["gateway"]["controlUi"]["basePath"] == "/ui"
    assert readyz(fleet["ports"]["gw-c"], fleet["tokens"]["gw-c"])["ready"] is True


def test_an_image_digest_pin_is_honoured(fleet, deployed):
    """image.digest on Compose (issue 17): a digest no image here has fails before the
    gateway is touched; the digest of the image it runs makes the gateway run that image by
    its id, so no retag can change what runs."""
    container = "%s-gw-c" % fleet["slug"]
    image_id = docker("inspect", "-f", "{{.Image}}", container).stdout.strip()
    assert image_id.startswith("sha256:")
    started_at = _started_at(fleet, "gw-c")
    _edit(fleet, "gw-c", "", "", append="image: {version: \"2026.9.6\", digest: \"sha256:%s\"}\n"
          % ("0" * 64))
    proc = play(fleet, "playbooks/site.yml", "--limit", "gw-c")
    assert proc.returncode != 0
    assert "No image here has the id sha256:%s" % ("0" * 64) in proc.stdout, proc.stdout[-3000:]
    assert _started_at(fleet, "gw-c") == started_at
    _edit(fleet, "gw-c", "digest: \"sha256:%s\"" % ("0" * 64), "digest: \"%s\"" % image_id)
    proc = play(fleet, "playbooks/site.yml", "--limit", "gw-c")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert docker("inspect", "-f", "{{.Config.Image}} {{.Image}}", container).stdout.split() == [
        image_id, image_id]
    assert readyz(fleet["ports"]["gw-c"], fleet["tokens"]["gw-c"])["ready"] is True
    again = play(fleet, "playbooks/site.yml", "--limit", "gw-c")
    assert again.returncode == 0 and changed(again).get("gw-c", 0) == 0, again.stdout[-3000:]


def test_a_first_deploy_openclaw_rejects_is_refused_before_anything_is_made(fleet, deployed):
    """Preflight passes a key only OpenClaw knows is wrong; the first deploy validates the
    config inside the image before it makes a directory or a container."""
    gw = "gw-bad"
    port = max(fleet["ports"].values()) + 240
    path = os.path.join(fleet["dir"], "gateways", "%s.yml" % gw)
    with open(os.path.join(os.path.dirname(fleet["dir"]), "secrets", "%s.token" % gw), "w",
              encoding="utf-8") as handle:
        handle.write(secrets.token_hex(24))
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("id: %s\ngroups: [tasks]\nprovider: {type: compose, host: local}\n"
                     "port: %d\nagents:\n  - {id: helper, kind: usecase}\nconfig:\n"
                     "  overrides:\n    gateway: {controlUi: {allowInsecureAuth: true}}\n"
                     % (gw, port))
    try:
        proc = play(fleet, "playbooks/site.yml", "--limit", gw)
        assert proc.returncode != 0, proc.stdout[-3000:]
        assert "openclaw config validate rejected" in proc.stdout, proc.stdout[-3000:]
        assert not os.path.exists(os.path.join(fleet["root"], fleet["slug"], gw))
        assert docker("ps", "-aq", "--filter", "name=%s-%s" % (fleet["slug"], gw)).stdout.strip() == ""
    finally:
        os.unlink(path)


def _running(fleet, gw):
    out = docker("inspect", "-f", "{{.State.Running}}", "%s-%s" % (fleet["slug"], gw))
    return out.stdout.strip() == "true"


def _started_at(fleet, gw):
    return docker("inspect", "-f", "{{.State.StartedAt}}", "%s-%s" % (fleet["slug"], gw)).stdout


def test_stop_start_restart(fleet, deployed, tmp_path):
    stop = play(fleet, "playbooks/lifecycle.yml", "-e", "action=stopped", "--limit", "gw-b")
    assert stop.returncode == 0 and not _running(fleet, "gw-b")
    assert status(fleet, tmp_path, "--limit", "gw-b")[0]["gw-b"]["state"] == "stopped"
    start = play(fleet, "playbooks/lifecycle.yml", "-e", "action=started", "--limit", "gw-b")
    assert start.returncode == 0 and _running(fleet, "gw-b"), start.stdout[-2000:]
    assert readyz(fleet["ports"]["gw-b"], fleet["tokens"]["gw-b"])["ready"] is True
    started = status(fleet, tmp_path, "--limit", "gw-b")[0]["gw-b"]
    assert started["state"] == "running", started
    started_at = _started_at(fleet, "gw-b")
    restart = play(fleet, "playbooks/lifecycle.yml", "-e", "action=restarted", "--limit", "gw-b")
    assert restart.returncode == 0 and changed(restart)["gw-b"] > 0
    restarted = status(fleet, tmp_path, "--limit", "gw-b")[0]["gw-b"]
    assert restarted["state"] == "running", restarted
    assert _started_at(fleet, "gw-b") != started_at  # a new gateway process, not a no-op


def test_a_refused_hot_change_puts_the_config_back_and_keeps_serving(fleet, deployed):
    # valid for the fleet schema; OpenClaw refuses it (logging.level is hot: no restart)
    _edit(fleet, "gw-b", "", "", append="config:\n  overrides:\n    logging: {level: loud}\n")
    before, started_at = _config(fleet, "gw-b"), _started_at(fleet, "gw-b")
    proc = play(fleet, "playbooks/site.yml", "--limit", "gw-b")
    assert proc.returncode == 2, proc.stdout[-3000:]
    assert "the running gateway refused it: config reload skipped (invalid config)" in proc.stdout
    assert "was not restarted" in proc.stdout, proc.stdout[-3000:]
    assert _config(fleet, "gw-b") == before
    assert _started_at(fleet, "gw-b") == started_at
    assert readyz(fleet["ports"]["gw-b"], fleet["tokens"]["gw-b"])["ready"] is True


def test_a_gateway_that_never_starts_fails_the_gate_with_logs(fleet, deployed, tmp_path):
    # the refused config of the test above, forced through a restart
    proc = play(fleet, "playbooks/site.yml", "--limit", "gw-b", "-e", "health_gate_deadline=30",
                "-e", "gateway_compose_hot_apply=false")
    assert proc.returncode == 2
    assert "health gate failed for %s-gw-b at Wait for /startupz" % fleet["slug"] in proc.stdout
    message = [line for line in proc.stdout.splitlines()
               if line.startswith("fatal:") and "health gate failed" in line]
    assert message and "-- last log lines: [" in message[0], proc.stdout[-3000:]
    assert "[gateway]" in message[0].split("-- last log lines:")[1], message[0][:3000]
    found = status(fleet, tmp_path, "--limit", "gw-b")[0]["gw-b"]
    assert found["state"] in ("failed", "degraded"), found


def test_absent_archives_then_removes(fleet, deployed):
    proc = play(fleet, "playbooks/lifecycle.yml", "-e", "action=absent", "--limit", "gw-a")
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert not os.path.exists(os.path.join(fleet["root"], fleet["slug"], "gw-a"))
    archive_dir = os.path.join(fleet["root"], fleet["slug"], "_archive")
    archives = [n for n in os.listdir(archive_dir) if n.endswith(".tar.gz")]
    assert len(archives) == 1
    verify = subprocess.run(["sha256sum", "-c", archives[0] + ".sha256"], cwd=archive_dir,
                            capture_output=True, text=True, check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    listing = subprocess.run(["tar", "tzf", archives[0]], cwd=archive_dir, capture_output=True,
                             text=True, check=True).stdout
    assert "config/openclaw.json" in listing and "state/" in listing
    assert docker("inspect", "%s-gw-a" % fleet["slug"]).returncode != 0
