# -*- coding: utf-8 -*-
"""Import of a hand-made gateway (module_utils/_import.py): a container's openclaw.json and
docker inspect answer in, a fleet definition out whose rendered config is the running one
up to differences each named with why; no secret value in the fleet or the answer."""

from __future__ import annotations

import json
import os
import stat

import pytest
import yaml

from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import (
    FleetError, FleetErrors)
from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
from ansible_collections.clawops.orchestrator.plugins.module_utils._import import (
    facts_from_inspect, host_path, import_gateway, plan_import, split_env)
from ansible_collections.clawops.orchestrator.plugins.module_utils._render import Renderer

TOKEN = "tok-0123456789abcdef0123456789abcdef"
BOT = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
API_KEY = "sk-ant-0123456789abcdefghij0123456789"

RUNNING = {
    "meta": {"lastTouchedVersion": "2026.9.6"},
    "gateway": {"mode": "local", "port": 18789, "bind": "lan",
                "auth": {"mode": "token", "token": "${OPENCLAW_GATEWAY_TOKEN}"},
                "controlUi": {"allowedOrigins": ["https://claw.example.com"]}},
    "logging": {"level": "debug", "file": "/tmp/openclaw/openclaw.log"},
    "update": {"checkOnStart": False},
    "telemetry": {"enabled": False},
    "agents": {
        "ownership": "explicit",
        "defaults": {"workspace": "/home/node/.openclaw/workspace",
                     "model": {"primary": "anthropic/claude-sonnet-4-5"}},
        "entries": {
            "main": {"name": "Main", "workspace": "/home/node/.openclaw/workspace",
                     "agentDir": "/home/node/.openclaw/agents/main/agent"},
            "ops": {"name": "Ops", "model": "anthropic/claude-sonnet-4-5",
                    "workspace": "/home/node/.openclaw/workspace-ops",
                    "agentDir": "/home/node/.openclaw/agents/ops/agent",
                    "humanDelay": {"mode": "natural"}},
        },
    },
    "channels": {"telegram": {"accounts": {"ops-bot": {"botToken": BOT, "enabled": False,
                                                       "dmPolicy": "pairing"}}}},
    "bindings": [{"type": "route", "agentId": "ops",
                  "match": {"channel": "telegram", "accountId": "ops-bot"}}],
    "models": {"providers": {"anthropic": {"baseUrl": "https://api.anthropic.com",
                                           "apiKey": API_KEY, "api": "anthropic-messages",
                                           "models": []}}},
}


def inspect(state="/srv/handmade/state", port=18789, host_ip="127.0.0.1"):
    return {
        "Name": "/handmade-gateway-1",
        "State": {"Running": True},
        "Config": {"Image": "openclaw:local",
                   "Env": ["OPENCLAW_GATEWAY_TOKEN=" + TOKEN, "HOME=/home/node", "PATH=/usr/bin"],
                   "Labels": {"com.docker.compose.project": "handmade",
                              "com.docker.compose.project.working_dir": "/srv/handmade"}},
        "Mounts": [{"Type": "bind", "Source": state, "Destination": "/home/node/.openclaw"}],
        "HostConfig": {"PortBindings": {"%d/tcp" % port: [{"HostIp": host_ip,
                                                           "HostPort": str(port)}]}},
    }


@pytest.fixture
def fleet_dir(import_fleet_dir):
    return import_fleet_dir


def run_import(fleet_dir, config=None, **options):
    options = dict({"gateway": "handmade", "host": "local", "profile": "usecase",
                    "trust_level": "medium"}, **options)
    text = json.dumps(config or RUNNING)
    facts = facts_from_inspect(inspect(), version_text="OpenClaw 2026.9.6 (eb377ac)",
                               config_texts=[text])
    return import_gateway(fleet_dir, facts, "/srv/handmade/state/openclaw.json",
                          {"/srv/handmade/state/openclaw.json": text}, options)


def test_host_path_takes_the_longest_mount():
    mounts = [{"source": "/srv/a", "destination": "/home/node"},
              {"source": "/srv/b", "destination": "/home/node/.openclaw"}]
    assert host_path("/home/node/.openclaw/workspace", mounts) == "/srv/b/workspace"
    assert host_path("/home/node/x", mounts) == "/srv/a/x"
    assert host_path("/etc/openclaw.json", mounts) is None


def test_the_fleet_renders_the_running_config_up_to_explained_differences(fleet_dir):
    fleet, secrets = fleet_dir
    result = run_import(fleet)
    assert result["changed"] and result["gateway_file"] == "gateways/handmade.yml"
    gateway = yaml.safe_load(open(os.path.join(fleet, "gateways/handmade.yml")))
    assert gateway["provider"] == {"type": "compose", "host": "local", "paths": {
        "state_dir": "/srv/handmade/state", "workspace_root": "/srv/handmade/state"}}
    assert gateway["port"] == 18789 and "exposure" not in gateway  # published on 127.0.0.1
    agents = {a["id"]: a for a in gateway["agents"]}
    assert agents["main"]["workspace"] == "workspace"
    assert agents["ops"]["workspace"] == "workspace-ops"
    assert agents["ops"]["config"] == {"overrides": {"humanDelay": {"mode": "natural"}}}
    account = gateway["channels"]["telegram"]["accounts"]["ops-bot"]
    assert account["settings"] == {"enabled": False, "dmPolicy": "pairing"}
    assert account["secrets"]["botToken"]["path"].startswith(secrets)
    assert gateway["bindings"] == [{"agentId": "ops",
                                    "match": {"channel": "telegram", "accountId": "ops-bot"}}]
    template = json.loads(open(os.path.join(fleet, "templates/imported/handmade.json5"))
                          .read().split("\n", 1)[1])
    assert template["models"]["providers"]["anthropic"]["apiKey"] == {
        "source": "env", "provider": "default", "id": "IMPORTED_MODELS_PROVIDERS_ANTHROPIC_API_KEY"}
    assert template["logging"] == {"level": "debug"}
    assert "meta" not in template and "agents" in template  # agents.defaults.model stays
    # every difference has a reason; the secrets moved, the paths and managed keys named
    why = {d["path"]: d["why"] for d in result["differences"]}
    assert all(d["expected"] for d in result["differences"]), result["differences"]
    assert "secret" in why["channels.telegram.accounts.ops-bot.botToken.id"]
    assert "managed" in why["logging.file"]
    assert why["agents.entries.ops.workspace"]
    assert "meta.lastTouchedVersion" in why
    # no secret value anywhere in the answer or the fleet; each in a 0600 file
    answer = json.dumps(result)
    for value in (TOKEN, BOT, API_KEY):
        assert value not in answer
        for base, dummy, names in os.walk(fleet):
            for name in names:
                assert value not in open(os.path.join(base, name)).read()
    files = {os.path.basename(f["path"]): f["path"] for f in result["secret_files"]}
    assert open(files["handmade.token"]).read().strip() == TOKEN
    assert stat.S_IMODE(os.stat(files["handmade.token"]).st_mode) == 0o600
    # a second run writes nothing
    again = run_import(fleet)
    assert not again["changed"]
    assert {f["status"] for f in again["files"] + again["secret_files"]} == {"unchanged"}


def test_the_rendered_gateway_keeps_the_running_agents_channels_and_routes(fleet_dir):
    fleet, dummy = fleet_dir
    run_import(fleet)
    loaded = load_fleet(fleet)
    plan = Renderer(loaded).render(loaded.gateway("handmade"))
    assert sorted(plan.config["agents"]["entries"]) == ["main", "ops"]
    assert plan.config["agents"]["entries"]["ops"]["workspace"] == \
        "/home/node/workspaces/workspace-ops"
    assert plan.config["logging"]["level"] == "debug"
    assert plan.config["bindings"] == RUNNING["bindings"]
    assert plan.runtime["host_paths"]["state_dir"] == "/srv/handmade/state"
    assert plan.runtime["secret_env"]["IMPORTED_MODELS_PROVIDERS_ANTHROPIC_API_KEY"]["source"] \
        == "file"


def test_an_existing_file_with_other_content_is_refused_and_nothing_is_written(fleet_dir):
    fleet, secrets = fleet_dir
    os.makedirs(os.path.join(fleet, "gateways"), exist_ok=True)
    with open(os.path.join(fleet, "gateways/handmade.yml"), "w") as out:
        out.write("id: handmade\n")
    with pytest.raises(FleetError) as caught:
        run_import(fleet)
    assert "exists with other content" in caught.value.render()
    assert not os.path.exists(secrets)
    assert run_import(fleet, force=True)["changed"]


def test_a_secret_from_an_env_var_the_container_lacks_is_named(fleet_dir):
    fleet, secrets = fleet_dir
    config = json.loads(json.dumps(RUNNING))
    config["channels"]["telegram"]["accounts"]["ops-bot"]["botToken"] = "${TG_TOKEN}"
    with pytest.raises(FleetErrors) as caught:
        run_import(fleet, config)
    text = caught.value.render()
    assert "channels.telegram.accounts.ops-bot.botToken" in text and "TG_TOKEN" in text
    assert not os.path.exists(os.path.join(fleet, "gateways", "handmade.yml"))
    assert not os.path.exists(secrets)


def test_workspaces_in_two_directories_cannot_be_adopted():
    config = json.loads(json.dumps(RUNNING))
    config["agents"]["entries"]["ops"]["workspace"] = "/data/ops"
    facts = facts_from_inspect(inspect())
    facts["mounts"].append({"source": "/srv/data", "destination": "/data"})
    with pytest.raises(FleetErrors) as caught:
        plan_import(config, facts, {"gateway_id": "handmade", "host": "local",
                                    "secrets_ref_dir": "/s", "template_ref": "t.json5"})
    assert "different directories" in caught.value.render()


def test_an_unmounted_state_dir_is_refused():
    container = inspect()
    container["Mounts"] = []
    with pytest.raises(FleetErrors) as caught:
        plan_import(RUNNING, facts_from_inspect(container), {
            "gateway_id": "handmade", "host": "local", "secrets_ref_dir": "/s",
            "template_ref": "t.json5"})
    assert "not on a mount" in caught.value.render()


def test_a_secret_value_outside_the_fleets_secret_dirs_is_refused(fleet_dir, tmp_path):
    fleet, dummy = fleet_dir
    with pytest.raises(FleetErrors) as caught:
        run_import(fleet, secrets_dir=str(tmp_path / "elsewhere"))
    assert "out of scope" in caught.value.render()
    assert not os.path.exists(os.path.join(fleet, "gateways", "handmade.yml"))


def test_includes_are_resolved_as_openclaw_does(fleet_dir):
    fleet, dummy = fleet_dir
    main = dict(RUNNING)
    main.pop("logging")
    main["$include"] = "logging.json5"
    result = import_gateway(
        fleet, facts_from_inspect(inspect()), "/srv/handmade/state/openclaw.json",
        {"/srv/handmade/state/openclaw.json": json.dumps(main),
         "/srv/handmade/state/logging.json5": "{logging: {level: 'debug'}}"},
        {"gateway": "handmade", "host": "local", "profile": "usecase", "trust_level": "medium"})
    assert any(n["what"].startswith("logging.json5 at (top) inlined into the template: it has "
                                    "keys beside it") for n in result["notes"])
    assert all(d["expected"] for d in result["differences"])


def test_an_include_the_import_leaves_as_it_is_stays_a_file(fleet_dir):
    fleet, dummy = fleet_dir
    main = json.loads(json.dumps(RUNNING))
    main["logging"] = {"$include": "parts/logging.json5"}
    main["channels"] = {"$include": "parts/channels.json5"}  # holds a secret: inlined
    state = "/srv/handmade/state/"
    result = import_gateway(
        fleet, facts_from_inspect(inspect()), state + "openclaw.json",
        {state + "openclaw.json": json.dumps(main),
         state + "parts/logging.json5": "// kept as written\n{level: 'debug'}\n",
         state + "parts/channels.json5": json.dumps(RUNNING["channels"])},
        {"gateway": "handmade", "host": "local", "profile": "usecase", "trust_level": "medium"})
    template = open(os.path.join(fleet, "templates/imported/handmade.json5")).read()
    assert json.loads(template.split("\n", 1)[1])["logging"] == {
        "$include": "handmade/parts/logging.json5"}
    assert open(os.path.join(fleet, "templates/imported/handmade/parts/logging.json5")).read() \
        == "// kept as written\n{level: 'debug'}\n"
    notes = [n["what"] for n in result["notes"] if n["path"] == "$include"]
    assert "parts/logging.json5 at logging kept as templates/imported/handmade/" in notes
    assert any(n.startswith("parts/channels.json5 at channels inlined") for n in notes)
    assert BOT not in template
    assert all(d["expected"] for d in result["differences"]), result["differences"]
    loaded = load_fleet(fleet)
    assert Renderer(loaded).render(loaded.gateway("handmade")).config["logging"]["level"] == "debug"


def test_the_env_is_split_into_paths_secrets_and_the_rest():
    public, secret, dropped = split_env(
        {"OPENCLAW_STATE_DIR": "/data", "OPENCLAW_GATEWAY_TOKEN": "t" * 20, "TG": "x" * 20,
         "ANTHROPIC_API_KEY": "k" * 20, "TZ": "UTC", "NODE_ENV": "production"},
        ['{"botToken": "${TG}"}'])
    assert public == {"OPENCLAW_STATE_DIR": "/data"}
    assert sorted(secret) == ["ANTHROPIC_API_KEY", "OPENCLAW_GATEWAY_TOKEN", "TG"]
    assert dropped == ["NODE_ENV", "TZ"]


def test_a_provider_key_the_gateway_reads_from_its_env_is_carried_over():
    container = inspect()
    container["Config"]["Env"].append("ANTHROPIC_API_KEY=" + API_KEY)
    plan = plan_import(RUNNING, facts_from_inspect(container), {
        "gateway_id": "handmade", "host": "local", "secrets_ref_dir": "/s",
        "template_ref": "t.json5"})
    assert plan["gateway"]["env"]["ANTHROPIC_API_KEY"] == {
        "source": "file", "path": "/s/handmade.anthropic_api_key"}
    assert plan["secrets"]["handmade.anthropic_api_key"] == API_KEY
    assert not any("PATH" in n["what"] for n in plan["notes"])  # the image's own
