# -*- coding: utf-8 -*-
"""Import a gateway deployed by hand with plain ``docker compose``, then take it over
(issue 21, item 1; docs/import.md).

The hand-made gateway is what the OpenClaw docs describe: the gateway image, the state
directory bind-mounted at ``/home/node/.openclaw`` with ``openclaw.json`` in it, the token in
the container's env, a literal Telegram bot token and a literal provider key in the config,
two agents with their workspaces in the state directory, a route. Real parts: the Docker
engine with compose v2 and OpenClaw in the locally built image.

import.yml writes the fleet definition (no secret value in it, each in a 0600 file), proves
that the fleet renders the running config up to differences it names, and a second import
changes nothing. A takeover whose gate fails puts the hand-made container back. The takeover
stops the hand-made container and deploys the fleet's over the same state directory: same port, same token, the same agents, and every file that was there
(workspace files, a session transcript, the agents' directories) still there with the same
content; then site.yml changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets

import pytest
import yaml

from helpers import (GATE_DEADLINE, changed, docker, free_base_ports, import_fleet, openclaw_bin,
                     readyz, run_cli, wait_until)

pytestmark = pytest.mark.real
IMAGE = "localhost/clawops/openclaw:2026.9.6"
BOT = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw%d" % (os.getpid() % 10)
API_KEY = "sk-ant-import-" + secrets.token_hex(16)


def answers(port, token):
    """The authenticated /readyz answer, or None while the gateway does not listen yet."""
    try:
        return readyz(port, token)
    except (OSError, ValueError):
        return None


def hashes(top):
    """{relative path: sha256} of every regular file below ``top``."""
    found = {}
    for base, dummy, names in os.walk(top):
        for name in names:
            path = os.path.join(base, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as handle:
                    found[os.path.relpath(path, top)] = hashlib.sha256(handle.read()).hexdigest()
    return found


@pytest.fixture(scope="module")
def handmade(tmp_path_factory):
    """A gateway deployed by hand: docker compose up in a directory of its own."""
    base = tmp_path_factory.mktemp("import")
    os.chmod(str(base), 0o755)
    port = free_base_ports(1)[0]
    token = secrets.token_hex(24)
    slug = "im%d" % (os.getpid() % 1000)
    project = "handmade-%d" % os.getpid()  # not the collection's project name for it
    home = base / "handmade"
    state = home / "state"
    for sub in ("workspace", "workspace-ops", "agents/main/sessions"):
        (state / sub).mkdir(parents=True)
    config = {
        "gateway": {"mode": "local", "port": port, "bind": "lan",
                    "auth": {"mode": "token", "token": "${OPENCLAW_GATEWAY_TOKEN}"}},
        "update": {"checkOnStart": False},
        "logging": {"level": "debug"},
        "agents": {"ownership": "explicit",
                   "defaults": {"workspace": "/home/node/.openclaw/workspace",
                                "model": {"primary": "anthropic/claude-sonnet-4-5"}},
                   "entries": {"main": {"name": "Main",
                                        "workspace": "/home/node/.openclaw/workspace"},
                               "ops": {"name": "Ops",
                                       "workspace": "/home/node/.openclaw/workspace-ops"}}},
        "channels": {"telegram": {"accounts": {"ops-bot": {"botToken": BOT, "enabled": False}}}},
        "bindings": [{"type": "route", "agentId": "ops",
                      "match": {"channel": "telegram", "accountId": "ops-bot"}}],
        "models": {"providers": {"anthropic": {"baseUrl": "https://api.anthropic.com",
                                               "apiKey": API_KEY, "models": []}}},
    }
    (state / "openclaw.json").write_text(json.dumps(config, indent=2))
    # what people keep there: notes in the workspaces, a conversation of the main agent
    (state / "workspace" / "NOTES.md").write_text("# Notes kept by hand\n")
    (state / "workspace-ops" / "runbook.md").write_text("restart the printer first\n")
    (state / "agents" / "main" / "sessions" / "s-1.jsonl").write_text(
        '{"type":"message","role":"user","text":"hello"}\n')
    compose = {"services": {"gateway": {
        "image": IMAGE, "command": ["gateway", "run"], "restart": "unless-stopped",
        "environment": {"OPENCLAW_GATEWAY_TOKEN": token, "OPENCLAW_NO_AUTO_UPDATE": "1",
                        "OPENCLAW_DISABLE_BONJOUR": "1"},
        "ports": ["127.0.0.1:%d:%d" % (port, port)],
        "volumes": ["./state:/home/node/.openclaw"]}}}
    (home / "compose.yml").write_text(yaml.safe_dump(compose))
    docker("run", "--rm", "-v", "%s:/s" % state, "--entrypoint", "chown", "--user", "0", IMAGE,
           "-R", "65532:65532", "/s")
    up = docker("compose", "-p", project, "-f", str(home / "compose.yml"), "up", "-d")
    assert up.returncode == 0, up.stderr
    container = "%s-gateway-1" % project
    wait_until("the hand-made gateway answers", lambda: answers(port, token) is not None,
               deadline=GATE_DEADLINE)
    # the fleet it is imported into: no gateway yet
    secrets_dir = base / "secrets"
    fleet_dir, inventory, identity = import_fleet(base, """
            schema_version: 1
            org: {org_id: import-01, org_slug: %s, display_name: Import}
            defaults:
              image: {version: "2026.9.6"}
            targets:
              compose_hosts:
                local: {root: %s, extra_roots: [%s],
                        vars: {ansible_connection: local, health_gate_deadline: %d}}
            secrets: {file_dirs: [%s]}
            policy:
              integrations: {allow: [telegram]}
              providers: {allow: [anthropic]}
            """ % (slug, base / "srv", home, GATE_DEADLINE, secrets_dir))
    info = {"base": str(base), "home": str(home), "state": str(state), "port": port,
            "token": token, "container": container, "project": project, "slug": slug,
            "fleet": fleet_dir, "inventory": str(inventory), "secrets": str(secrets_dir),
            "identity": str(identity), "outputs": []}
    yield info
    run_cli("ansible-playbook", ["-i", str(inventory), "playbooks/lifecycle.yml", "-e",
                                 "action=absent", "-e", "confirm_all=true"],
            CLAWOPS_IDENTITY_FILE=str(identity))
    docker("compose", "-p", project, "-f", str(home / "compose.yml"), "down")


def import_run(info, *args, inventory=False):
    argv = (["-i", info["inventory"]] if inventory else []) + [
        "playbooks/import.yml", "-e", "import_fleet_dir=%s" % info["fleet"],
        "-e", "import_host=local", "-e", "import_container=%s" % info["container"],
        "-e", "import_gateway=handmade", "-e", "import_profile=usecase",
        "-e", "import_trust_level=medium",
        "-e", "clawops_events_log=%s" % os.path.join(info["base"], "audit.jsonl")] + list(args)
    proc = run_cli("ansible-playbook", argv, timeout=1500,
                   CLAWOPS_IDENTITY_FILE=info["identity"])
    info["outputs"].append(proc.stdout + proc.stderr)
    return proc


def test_import_writes_the_fleet_and_proves_the_rendered_config(handmade):
    dry = import_run(handmade, "--check", "--diff")
    assert dry.returncode == 0, dry.stdout[-5000:]
    assert not os.path.exists(os.path.join(handmade["fleet"], "gateways", "handmade.yml"))
    assert "+id: handmade" in dry.stdout
    done = import_run(handmade)
    assert done.returncode == 0, done.stdout[-5000:]
    with open(os.path.join(handmade["fleet"], "gateways", "handmade.yml")) as handle:
        gateway = yaml.safe_load(handle)
    assert gateway["provider"]["paths"] == {"state_dir": handmade["state"],
                                            "workspace_root": handmade["state"]}
    assert gateway["port"] == handmade["port"]
    assert sorted(a["id"] for a in gateway["agents"]) == ["main", "ops"]
    # the gateway listed its agents: their workspaces came from it
    assert {a["id"]: a.get("workspace") for a in gateway["agents"]} == {
        "main": "workspace", "ops": "workspace-ops"}
    # the differences are named; the secrets are in 0600 files, nowhere in the fleet
    assert "secret: delivered by env OPENCLAW_GATEWAY_TOKEN" in done.stdout
    for value in (handmade["token"], BOT, API_KEY):
        for base, dummy, names in os.walk(handmade["fleet"]):
            for name in names:
                with open(os.path.join(base, name), encoding="utf-8") as handle:
                    assert value not in handle.read(), os.path.join(base, name)
        assert value not in done.stdout + done.stderr + dry.stdout
    token_file = os.path.join(handmade["secrets"], "imported", "handmade", "handmade.token")
    assert open(token_file).read().strip() == handmade["token"]
    assert oct(os.stat(token_file).st_mode & 0o777) == "0o600"
    again = import_run(handmade)
    assert again.returncode == 0 and changed(again).get("localhost") == 0, again.stdout[-3000:]
    # the fleet passes the real validator: the rendered config in the gateway's image
    preview = run_cli("ansible-playbook", ["-i", handmade["inventory"], "playbooks/preview.yml",
                                           "-e", "clawops_openclaw_bin=%s" % openclaw_bin()])
    assert preview.returncode == 0, preview.stdout[-4000:]


def test_a_takeover_whose_gate_fails_starts_the_hand_made_gateway_again(handmade):
    # a gate that cannot pass: 3 s for a gateway that needs tens of seconds to start
    failed = import_run(handmade, "-e", "import_action=takeover", "-e",
                        "health_gate_deadline=3", inventory=True)
    assert failed.returncode != 0
    assert "The hand-made container runs again" in failed.stdout, failed.stdout[-5000:]
    old = docker("inspect", "-f", "{{.State.Running}} {{.HostConfig.RestartPolicy.Name}}",
                 handmade["container"]).stdout.split()
    assert old == ["true", "unless-stopped"]
    assert docker("inspect", "%s-handmade" % handmade["slug"]).returncode != 0
    wait_until("the hand-made gateway answers again",
               lambda: answers(handmade["port"], handmade["token"]) is not None,
               deadline=GATE_DEADLINE)


def test_takeover_keeps_every_file_the_token_and_the_agents(handmade):
    before = hashes(handmade["state"])
    assert "workspace/NOTES.md" in before and "agents/main/sessions/s-1.jsonl" in before
    taken = import_run(handmade, "-e", "import_action=takeover", inventory=True)
    assert taken.returncode == 0, taken.stdout[-6000:]
    old = docker("inspect", "-f", "{{.State.Running}} {{.HostConfig.RestartPolicy.Name}}",
                 handmade["container"]).stdout.split()
    assert old == ["false", "no"]
    instance = "%s-handmade" % handmade["slug"]
    assert docker("inspect", "-f", "{{.State.Running}}", instance).stdout.strip() == "true"
    # the same port, the same token: clients notice nothing
    assert answers(handmade["port"], handmade["token"]) is not None
    listed = docker("exec", instance, "/usr/local/bin/openclaw", "agents", "list", "--json")
    assert sorted(a["id"] for a in json.loads(listed.stdout)) == ["main", "ops"]
    after = hashes(handmade["state"])
    # nothing lost but the stopped process's own lock (state/tmp/openclaw-<uid>/*.lock)
    lost = sorted(rel for rel in set(before) - set(after)
                  if not (rel.startswith("tmp/") and rel.endswith(".lock")))
    assert not lost, lost
    for rel in ("workspace/NOTES.md", "workspace-ops/runbook.md",
                "agents/main/sessions/s-1.jsonl"):
        assert after[rel] == before[rel], rel
    # the config the gateway reads is the fleet's (the hand-made file stays, unread)
    mounted = docker("exec", instance, "cat", "/etc/openclaw/openclaw.json").stdout
    assert '"level": "debug"' in mounted and BOT not in mounted
    # the first deploy after the takeover changes nothing
    site = run_cli("ansible-playbook", ["-i", handmade["inventory"], "playbooks/site.yml"],
                   timeout=1500, CLAWOPS_IDENTITY_FILE=handmade["identity"])
    assert site.returncode == 0, site.stdout[-4000:]
    assert changed(site).get("handmade") == 0, site.stdout[-4000:]
    with open(os.path.join(handmade["base"], "audit.jsonl")) as handle:
        steps = [json.loads(line).get("details", {}).get("step") for line in handle]
    assert "imported" in steps and "taken over" in steps
    for output in handmade["outputs"] + [site.stdout]:
        for value in (handmade["token"], BOT, API_KEY):
            assert value not in output
