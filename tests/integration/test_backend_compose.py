# -*- coding: utf-8 -*-
"""Model backends the collection runs, end to end on Compose (issue 19).

A real OpenAI-compatible server - llama-cpp-python's, built here from hash-locked packages
(roles/model_backend) - serves a real GGUF model file: the smoke model its image writes with
the gguf package, a tiny llama whose every answer is one known word. Two gateways share the
backend on its own network. A message sent through a gateway (``openclaw agent`` in its
container, a gateway-backed turn) comes back with the backend's word, and the backend's
request log shows the completion. A new model file rolls out to the backend alone: the
gateways keep running (start times) and answer with the new word. A gateway whose backend
does not answer fails its gate with a message naming the backend.
"""

from __future__ import annotations

import json
import os
import secrets
import time

import pytest
import yaml

from conftest import write_fleet
from helpers import GATE_DEADLINE, changed, docker, free_base_ports, gate_checks, run_cli

pytestmark = pytest.mark.real
GATEWAYS = ("gw-a", "gw-b")
BACKEND_STAGE = "Wait for its model backends to serve their models to it"


def _fleet_yml(state, model_file, extra_backends=""):
    return """
        schema_version: 1
        org: {org_id: it-19, org_slug: %(slug)s, display_name: Backends}
        defaults:
          image: {version: "2026.9.6"}
          auth: {mode: token, token: {source: file, path: "%(secrets)s/@{gateway.id}.token"}}
        targets:
          compose_hosts:
            local: {root: %(root)s, vars: {ansible_connection: local, health_gate_deadline: %(gate)d}}
        policy:
          integrations: {allow: [webchat]}
          providers: {allow: [%(providers)s]}
          skills: {allow: [weather]}
        backends:
          local:
            models: [smoke]
            context_window: 131072
            max_tokens: 6
            run: {model_file: %(model)s, memory: 2g, threads: 2}
        %(extra)s
        """ % {"slug": state["slug"], "secrets": state["secrets"], "root": state["root"],
               "gate": GATE_DEADLINE, "model": model_file, "extra": extra_backends,
               "providers": "local, down" if extra_backends else "local"}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    base = tmp_path_factory.mktemp("backend")
    secrets_dir = base / "secrets"
    secrets_dir.mkdir(mode=0o700)
    models = base / "models"
    models.mkdir()
    os.chmod(str(base), 0o755)
    state = {"slug": "bk%d" % (os.getpid() % 1000), "secrets": str(secrets_dir),
             "root": str(base / "srv"), "models": str(models), "tokens": {}}
    files = {
        "fleet.yml": _fleet_yml(state, str(models / "smoke.gguf")),
        "operators.yml": "open: true\n",
        "groups/tasks.yml": "id: tasks\nprofile: usecase\ntrust_level: medium\nwave: canary\n",
    }
    for gw, port in zip(GATEWAYS, free_base_ports(len(GATEWAYS))):
        files["gateways/%s.yml" % gw] = (
            "id: %s\ngroups: [tasks]\nprovider: {type: compose, host: local}\nport: %d\n"
            "backends: [local]\n"
            "agents:\n  - {id: helper, kind: usecase, model: local/smoke}\n" % (gw, port))
        state["tokens"][gw] = secrets.token_hex(24)
        (secrets_dir / ("%s.token" % gw)).write_text(state["tokens"][gw])
    state["dir"] = write_fleet(base / "fleet", files)
    inventory = base / "fleet.clawops.yml"
    inventory.write_text("plugin: clawops.orchestrator.fleet\nfleet_dir: %s\n" % state["dir"])
    state["inventory"] = str(inventory)
    state["backend"] = "%s-backend-local" % state["slug"]
    yield state
    run_cli("ansible-playbook", ["-i", str(inventory), "playbooks/lifecycle.yml", "-e",
                                 "action=absent", "-e", "confirm_all=true"])
    for name in (state["backend"], "%s-backend-down" % state["slug"]):
        docker("rm", "-f", name)
        docker("network", "rm", name)


def play(fleet, playbook, *args, timeout=1500):
    return run_cli("ansible-playbook", ["-i", fleet["inventory"], playbook] + list(args),
                   timeout=timeout)


def _wait_for_the_background_build(limit=3600):
    """scripts/test.sh builds the image in the background (CLAWOPS_BACKEND_IMAGE_PID): wait
    for it, so that this module does not build it a second time beside it."""
    pid = int(os.environ.get("CLAWOPS_BACKEND_IMAGE_PID") or 0)
    deadline = time.monotonic() + limit
    while pid and time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            return
        time.sleep(5)


def smoke_models(fleet, run):
    """The server image (found, or built: llama.cpp compiles for minutes) and two smoke
    models in fleet["models"]: smoke.gguf answers pong, smoke-2.gguf pang. ``run``: the
    module's playbook runner."""
    _wait_for_the_background_build()
    for name, answer in (("smoke.gguf", "pong"), ("smoke-2.gguf", "pang")):
        built = run(fleet, "playbooks/backend_image.yml", "-e",
                    "backend_smoke_model=%s/%s" % (fleet["models"], name), "-e",
                    "backend_smoke_answer=%s" % answer, timeout=3600)
        assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-2000:]


@pytest.fixture(scope="module")
def deployed(fleet):
    smoke_models(fleet, play)
    check = play(fleet, "playbooks/site.yml", "--check", "--diff")
    assert check.returncode == 0, check.stdout[-5000:] + check.stderr[-2000:]
    assert "a run would create and start backend local" in check.stdout
    assert docker("inspect", fleet["backend"]).returncode != 0  # check mode made nothing
    assert docker("network", "inspect", fleet["backend"]).returncode != 0
    applied = play(fleet, "playbooks/site.yml")
    assert applied.returncode == 0, applied.stdout[-5000:] + applied.stderr[-2000:]
    return applied


def started_at(container):
    return docker("inspect", "-f", "{{.State.StartedAt}}", container).stdout.strip()


def turn(run):
    """One agent turn (``run``: the CLI's process for it), asked again once when OpenClaw
    abandoned it as an incomplete turn: measured with several test modules on 2 cores, the
    first turn of a session (the whole prompt evaluated by a server that computes one request
    at a time) ended as ``candidate_failed`` while the next ones answered. The second answer
    must be there: a path that does not work fails both."""
    proc = run()
    if proc.returncode != 0 and '"incomplete_turn"' in proc.stdout:
        proc = run()
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def ask(fleet, gw, message="ping"):
    """One gateway-backed agent turn, with the CLI in the gateway's container."""
    return turn(lambda: docker("exec", "%s-%s" % (fleet["slug"], gw), "/usr/local/bin/openclaw",
                               "agent", "--agent", "helper", "--message", message, "--json",
                               "--timeout", "240"))


def test_the_gateways_passed_their_gate_through_the_backend(fleet, deployed):
    checks = gate_checks(deployed)
    for gw in GATEWAYS:
        assert BACKEND_STAGE in checks["%s" % gw], checks
    # the backend publishes nothing; its network holds it and the gateways that list it
    assert docker("port", fleet["backend"]).stdout.strip() == ""
    members = json.loads(docker("network", "inspect", fleet["backend"]).stdout)[0]["Containers"]
    assert sorted(c["Name"] for c in members.values()) == sorted(
        [fleet["backend"]] + ["%s-%s" % (fleet["slug"], gw) for gw in GATEWAYS])


def test_a_message_through_each_gateway_is_answered_by_the_backend(fleet, deployed):
    for gw in GATEWAYS:
        before = docker("logs", fleet["backend"]).stderr.count("POST /v1/chat/completions")
        answer = ask(fleet, gw)
        assert "pong" in answer, answer[-2000:]
        logs = docker("logs", fleet["backend"])
        assert (logs.stdout + logs.stderr).count("POST /v1/chat/completions") > before


def test_status_shows_each_gateways_backend_connection(fleet, deployed, tmp_path):
    out = tmp_path / "status.json"
    proc = play(fleet, "playbooks/status.yml", "-e", "clawops_status_json=%s" % out)
    assert proc.returncode == 0, proc.stdout[-3000:]
    found = {item["gateway"]: item for item in json.loads(out.read_text())}
    for gw in GATEWAYS:
        (backend,) = found[gw]["backends"]
        assert backend["id"] == "local" and backend["reachable"] is True, backend
        assert backend["models"] == ["smoke"] and backend["ms"] >= 0
    assert "BACKENDS" in proc.stdout and "local ok" in proc.stdout


def test_the_fleets_recent_errors_and_one_gateways_diagnosis(fleet, deployed, tmp_path):
    """Issue 18, item 3: status.yml groups the gateways' problem lines by signature;
    diagnose.yml runs OpenClaw's doctor and status and reads the logs of one gateway."""
    statuses, errors = tmp_path / "status.json", tmp_path / "errors.json"
    proc = play(fleet, "playbooks/status.yml", "-e", "clawops_status_json=%s" % statuses,
                "-e", "clawops_errors_json=%s" % errors)
    assert proc.returncode == 0, proc.stdout[-3000:]
    found = {item["gateway"]: item["last_errors"] for item in json.loads(statuses.read_text())}
    groups = json.loads(errors.read_text())
    # every problem line of every gateway is counted once, under its gateway
    assert sum(g["count"] for g in groups) == sum(len(lines) for lines in found.values())
    for gw, lines in found.items():
        assert sum(x["count"] for g in groups for x in g["gateways"] if x["gateway"] == gw) \
            == len(lines)
    shared = [g for g in groups if len(g["gateways"]) == 2]
    same = {gw: {line.split("] ", 1)[-1] for line in lines} for gw, lines in found.items()}
    if same["gw-a"] & same["gw-b"]:  # a message both logged is one row with both gateways
        assert shared, groups
    assert ("COUNT" in proc.stdout and "SIGNATURE" in proc.stdout) or \
        "no problem lines" in proc.stdout
    diagnosed(fleet, play, "gw-a", tmp_path, "--limit", "gw-a")


def diagnosed(fleet, run, gw, tmp_path, *args):
    """diagnose.yml on one gateway (``run``: the module's playbook runner): OpenClaw's doctor
    findings, its status report and its logs since the start, in the gateway's JSON file."""
    out = tmp_path / "diagnosis"
    proc = run(fleet, "playbooks/diagnose.yml", "-e", "diagnose_dir=%s" % out, "-e",
               "diagnose_lines=100000", *args)
    assert proc.returncode == 0, proc.stdout[-3000:]
    diagnosis = json.loads((out / ("%s.json" % gw)).read_text())
    assert diagnosis["running"] is True
    assert isinstance(diagnosis["doctor"]["findings"]["findings"], list), diagnosis["doctor"]
    assert diagnosis["status"]["report"]["runtimeVersion"] == "2026.9.6"
    assert any(line.endswith("[gateway] ready") for line in diagnosis["logs"])


def test_a_second_run_changes_nothing(fleet, deployed):
    again = play(fleet, "playbooks/site.yml")
    assert again.returncode == 0, again.stdout[-3000:]
    assert all(n == 0 for n in changed(again).values()), changed(again)


def test_a_new_model_rolls_out_to_the_backend_alone(fleet, deployed):
    gateways = ["%s-%s" % (fleet["slug"], gw) for gw in GATEWAYS]
    before = {name: started_at(name) for name in gateways}
    backend_before = started_at(fleet["backend"])
    write_fleet(fleet["dir"], {"fleet.yml": _fleet_yml(
        fleet, os.path.join(fleet["models"], "smoke-2.gguf"))})
    applied = play(fleet, "playbooks/site.yml")
    assert applied.returncode == 0, applied.stdout[-4000:]
    assert started_at(fleet["backend"]) != backend_before  # the backend was recreated
    assert {name: started_at(name) for name in gateways} == before  # the gateways were not
    assert "pang" in ask(fleet, "gw-a")


def test_a_gateway_whose_backend_does_not_answer_fails_its_gate_naming_it(fleet, deployed):
    image = json.loads(docker("inspect", fleet["backend"]).stdout)[0]["Config"]["Image"]
    down = """
          down:
            models: [smoke]
            run: {model_file: %s, image: "%s", command: [sleep, infinity]}
        """ % (os.path.join(fleet["models"], "smoke.gguf"), image)
    gw_file = os.path.join(fleet["dir"], "gateways", "gw-b.yml")
    with open(gw_file, encoding="utf-8") as handle:
        gw_text = handle.read()
    write_fleet(fleet["dir"], {
        "fleet.yml": _fleet_yml(fleet, os.path.join(fleet["models"], "smoke-2.gguf"), down),
        "gateways/gw-b.yml": gw_text.replace("backends: [local]", "backends: [local, down]")})
    failed = play(fleet, "playbooks/site.yml", "--limit", "gw-b", "-e", "health_gate_backend_deadline=20")
    assert failed.returncode != 0
    assert ("at %s: model backend down (http://%s-backend-down:8000/v1) is not reachable from "
            "the gateway: ECONNREFUSED" % (BACKEND_STAGE, fleet["slug"])) in failed.stdout, \
        failed.stdout[-4000:]


def test_preflight_discovery_checks_models_against_a_real_backends_list(fleet, deployed):
    """Discovery (-e clawops_discover_backends=true) reads each url backend's /v1/models
    from the controller: here the running server, by its address on its network."""
    address = docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
                     fleet["backend"]).stdout.strip()
    assert address, "the backend container has no address"
    path = os.path.join(fleet["dir"], "fleet.yml")
    with open(path, encoding="utf-8") as handle:
        original = handle.read()
    data = yaml.safe_load(original)
    data["backends"]["direct"] = {"url": "http://%s:8000/v1" % address,
                                  "models": ["smoke", "not-loaded"]}
    data["backends"]["nowhere"] = {"url": "http://127.0.0.1:9/v1", "models": ["smoke"]}
    try:
        with open(path, "w", encoding="utf-8") as handle:
            yaml.safe_dump(data, handle)
        quiet = play(fleet, "playbooks/preflight.yml")  # no discovery: no network read
        assert quiet.returncode == 0, quiet.stdout[-3000:]
        assert "backends.direct" not in quiet.stdout
        found = play(fleet, "playbooks/preflight.yml", "-e", "clawops_discover_backends=true")
        assert found.returncode != 0  # an error finding blocks
        assert ("backends.direct.models: backend direct declares not-loaded, which "
                "http://%s:8000/v1/models does not list (it lists: smoke)" % address) \
            in found.stdout, found.stdout[-4000:]
        assert "WARNING backend.undiscovered fleet.yml: backends.nowhere.url" in found.stdout, \
            found.stdout[-4000:]
        # the backend the collection runs is not asked from here (the gate asks it)
        assert "backends.local" not in found.stdout
    finally:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(original)


def test_removing_a_backend_is_refused_while_gateways_list_it_unless_forced(fleet, deployed):
    refused = play(fleet, "playbooks/backend_remove.yml", "-e", "backend=local")
    assert refused.returncode != 0
    assert "backend local is listed by gw-a, gw-b" in refused.stdout, refused.stdout[-3000:]
    assert docker("inspect", fleet["backend"]).returncode == 0  # untouched
    down = "%s-backend-down" % fleet["slug"]
    forced = play(fleet, "playbooks/backend_remove.yml", "-e", "backend=down", "-e", "force=true")
    assert forced.returncode == 0, forced.stdout[-3000:]
    assert docker("inspect", down).returncode != 0
    assert docker("network", "inspect", down).returncode != 0
    assert docker("inspect", fleet["backend"]).returncode == 0  # the other one stays


def test_a_sidecar_backend_runs_in_its_gateways_project_and_rolls_alone(fleet, deployed):
    """run.placement sidecar: one backend per gateway, a service of the gateway's own Compose
    project that the gateway waits for (depends_on healthy); a new model recreates it alone."""
    path = os.path.join(fleet["dir"], "fleet.yml")
    gw_path = os.path.join(fleet["dir"], "gateways", "gw-a.yml")

    def declare(model):
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
        data["backends"]["side"] = {"models": ["smoke"], "context_window": 131072,
                                    "max_tokens": 6, "run": {
                                        "model_file": os.path.join(fleet["models"], model),
                                        "memory": "2g", "threads": 2, "placement": "sidecar"}}
        allow = data["policy"]["providers"]["allow"]
        data["policy"]["providers"]["allow"] = sorted(set(allow) | {"side"})
        with open(path, "w", encoding="utf-8") as handle:
            yaml.safe_dump(data, handle)

    declare("smoke.gguf")
    with open(gw_path, encoding="utf-8") as handle:
        gw_text = handle.read()
    assert "backends: [local]" in gw_text and "model: local/smoke" in gw_text
    with open(gw_path, "w", encoding="utf-8") as handle:
        handle.write(gw_text.replace("backends: [local]", "backends: [local, side]")
                     .replace("model: local/smoke", "model: side/smoke"))
    applied = play(fleet, "playbooks/site.yml", "--limit", "gw-a")
    assert applied.returncode == 0, applied.stdout[-5000:] + applied.stderr[-2000:]
    assert BACKEND_STAGE in gate_checks(applied)["gw-a"]
    gateway = "%s-gw-a" % fleet["slug"]
    sidecar = "%s-backend-side" % gateway
    labels = json.loads(docker("inspect", sidecar).stdout)[0]["Config"]["Labels"]
    assert labels["com.docker.compose.project"] == gateway  # the gateway's own project
    assert labels["com.docker.compose.service"] == "backend-side"
    assert docker("port", sidecar).stdout.strip() == ""  # nothing published
    assert "pong" in ask(fleet, "gw-a")
    logs = docker("logs", sidecar)
    assert "POST /v1/chat/completions" in logs.stdout + logs.stderr  # the sidecar answered
    # a new model: the sidecar is recreated, the gateway keeps running
    before, sidecar_before = started_at(gateway), started_at(sidecar)
    declare("smoke-2.gguf")
    rolled = play(fleet, "playbooks/site.yml", "--limit", "gw-a")
    assert rolled.returncode == 0, rolled.stdout[-5000:]
    assert started_at(sidecar) != sidecar_before
    assert started_at(gateway) == before
    assert "pang" in ask(fleet, "gw-a")
