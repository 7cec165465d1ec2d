# -*- coding: utf-8 -*-
"""Canary updates, automatic rollback, revisions, backups: real engine, real gateways.

One module-scoped fleet of 3 WebChat gateways in 3 waves (gw-a canary, gw-b wave 1, gw-c
wave 2), deployed once with site.yml. The tests then update it in waves, inject faults
(an image whose gateway exits 78, a config `openclaw config validate` rejects, a gate
timeout), kill a run with SIGKILL and re-run it, and back up / restore / tamper.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import signal
import subprocess
import tarfile
import time

import pytest

from conftest import write_fleet
from helpers import (BIN, GATE_DEADLINE, ansible_env, build_image, changed, docker, free_base_ports,
                     readyz, run_cli)

pytestmark = pytest.mark.real
GATEWAYS = ("gw-a", "gw-b", "gw-c")
WAVES = {"gw-a": "canary", "gw-b": 1, "gw-c": 2}
GOOD = "localhost/clawops/openclaw:2026.9.6"
# Files the gateway itself writes while it runs or starts (named, not guessed): a rollback
# or restore leaves everything else in the state directory byte for byte as it was.
RUNTIME_WRITTEN = re.compile(
    r"^(logs/|.*\.lock$|.*\.pid$|.*-wal$|.*-shm$|.*\.sqlite$|.*\.sqlite-journal$|"
    r"gateway-state\.json$|runtime/|cache/|tmp/|health/|.*\.pre-startup-migration-.*\.bak$)")


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    base = tmp_path_factory.mktemp("update")
    root, secrets_dir = base / "srv", base / "secrets"
    secrets_dir.mkdir(mode=0o700)
    slug = "up%d" % (os.getpid() % 1000)
    files = {
        "fleet.yml": """
            schema_version: 1
            org: {org_id: up-01, org_slug: %s, display_name: Updates}
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
            """ % (slug, secrets_dir, root, GATE_DEADLINE),
        "operators.yml": "open: true\n",  # roles are not what this module tests
        "templates/org.json5": '{ agents: { defaults: { model: { primary: '
                               '"anthropic/claude-sonnet-4-5" } } }, logging: { level: "info" } }',
        "catalogs/models.yml": "models:\n  anthropic/claude-sonnet-4-5: {tier: default, owner: it}\n",
    }
    tokens, ports = {}, dict(zip(GATEWAYS, free_base_ports(3)))
    for gw in GATEWAYS:
        files["groups/%s.yml" % gw] = "id: %s\nprofile: usecase\ntrust_level: medium\nwave: %s\n" % (gw, WAVES[gw])
        files["gateways/%s.yml" % gw] = (
            "id: %s\ngroups: [%s]\nprovider: {type: compose, host: local}\nport: %d\n"
            "agents:\n  - {id: helper, kind: usecase}\n" % (gw, gw, ports[gw]))
        tokens[gw] = os.urandom(24).hex()
        (secrets_dir / ("%s.token" % gw)).write_text(tokens[gw])
    fleet_dir = write_fleet(base / "fleet", files)
    inventory = base / "fleet.clawops.yml"
    events = base / "events.jsonl"
    # the audit trail from the inventory source (an extra var may not choose it)
    inventory.write_text("plugin: clawops.orchestrator.fleet\nfleet_dir: %s\ncompose:\n"
                         "  clawops_events_log: \"'%s'\"\n" % (fleet_dir, events))
    state = {"dir": fleet_dir, "inventory": str(inventory), "root": str(root), "slug": slug,
             "ports": ports, "tokens": tokens, "events": str(events), "base": str(base)}
    # the first site run may build the image (a cold build takes minutes on a new machine)
    applied = play(state, "playbooks/site.yml", timeout=1500)
    assert applied.returncode == 0, applied.stdout[-4000:] + applied.stderr[-2000:]
    yield state
    run_cli("ansible-playbook", ["-i", str(inventory), "playbooks/lifecycle.yml", "-e",
                                 "action=absent", "-e", "confirm_all=true"])


def play(fleet, playbook, *args, timeout=900):
    return run_cli("ansible-playbook", ["-i", fleet["inventory"], playbook] + list(args),
                   timeout=timeout)


def gw_root(fleet, gw):
    return os.path.join(fleet["root"], fleet["slug"], gw)


def revisions(fleet, gw):
    base = os.path.join(gw_root(fleet, gw), "revisions")
    found = []
    for rev in sorted(os.listdir(base)):
        with open(os.path.join(base, rev, "revision.json"), encoding="utf-8") as handle:
            found.append(json.load(handle))
    return [(r["id"], r["status"]) for r in found], found


def started_at(fleet, gw):
    return docker("inspect", "-f", "{{.State.StartedAt}}", "%s-%s" % (fleet["slug"], gw)).stdout


def state_sums(fleet, gw):
    from ansible_collections.clawops.orchestrator.plugins.module_utils._backup import (
        tree_checksums)
    sums = tree_checksums(os.path.join(gw_root(fleet, gw), "state"))
    return {k: v for k, v in sums.items() if not RUNTIME_WRITTEN.match(k)}


def events(fleet):
    with open(fleet["events"], encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def edit(fleet, rel, text):
    path = os.path.join(fleet["dir"], rel)
    with open(path, encoding="utf-8") as handle:
        before = handle.read()
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(before + text)
    return path, before


def restore_file(path, text):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def all_ready(fleet):
    return {gw: readyz(fleet["ports"][gw], fleet["tokens"][gw]).get("ready") for gw in GATEWAYS}


def test_site_records_the_first_revision(fleet):
    for gw in GATEWAYS:
        assert revisions(fleet, gw)[0] == [("r0001", "active")]
    assert [e["action"] for e in events(fleet)] == ["deploy"] * 3


def test_update_across_waves_new_image_and_config(fleet):
    relabeled = build_image("localhost/clawops/openclaw:it-relabeled",
                            "FROM %s\nLABEL dev.clawops.test=relabeled\n" % GOOD)
    restore_file(os.path.join(fleet["dir"], "templates/org.json5"),
                 '{ agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },'
                 ' logging: { level: "warn" } }')
    dry = play(fleet, "playbooks/update.yml", "--check", "--diff",
               "-e", "clawops_update_image=%s" % relabeled)
    assert dry.returncode == 0, dry.stdout[-3000:]
    assert "[['canary', ['gw-a']], [1, ['gw-b']], [2, ['gw-c']]] in batches [1, 1, 1]" in \
        dry.stdout.replace('"', "'"), dry.stdout[-3000:]
    assert '"level": "warn"' in dry.stdout and "dry run" in dry.stdout
    assert all(revisions(fleet, gw)[0] == [("r0001", "active")] for gw in GATEWAYS)

    proc = play(fleet, "playbooks/update.yml", "-e", "clawops_update_image=%s" % relabeled)
    assert proc.returncode == 0, proc.stdout[-4000:]
    # one batch per wave: the play banner once per batch
    assert proc.stdout.count("PLAY [Update in waves]") == 3, proc.stdout[-3000:]
    for gw in GATEWAYS:
        ids, found = revisions(fleet, gw)
        assert ids == [("r0001", "superseded"), ("r0002", "active")]
        assert found[1]["image"]["ref"] == relabeled and found[1]["image"]["id"]
        backups = os.listdir(os.path.join(gw_root(fleet, gw), "backups"))
        assert len([b for b in backups if b.endswith(".tar.gz")]) == 1
        with open(os.path.join(gw_root(fleet, gw), "config", "openclaw.json"),
                  encoding="utf-8") as handle:
            assert json.load(handle)["logging"]["level"] == "warn"
    assert all_ready(fleet) == {gw: True for gw in GATEWAYS}
    updates = [e for e in events(fleet) if e["action"] == "update"]
    assert [(e["target"].split("/")[1], e["result"]) for e in updates] == [
        ("gw-a", "ok"), ("gw-b", "ok"), ("gw-c", "ok")]
    again = play(fleet, "playbooks/update.yml", "-e", "clawops_update_image=%s" % relabeled)
    assert again.returncode == 0 and set(changed(again).values()) == {0}, changed(again)
    fleet["image"] = relabeled


def test_a_config_validate_rejects_blocks_before_any_gateway_is_touched(fleet):
    before = {gw: (started_at(fleet, gw), revisions(fleet, gw)[0]) for gw in GATEWAYS}
    path, text = edit(fleet, "gateways/gw-b.yml", "config:\n  overrides:\n    logging: {level: loud}\n")
    try:
        proc = play(fleet, "playbooks/update.yml", "-e", "clawops_update_image=%s" % fleet["image"])
    finally:
        restore_file(path, text)
    assert proc.returncode != 0
    assert "openclaw config validate rejected the candidate config of gw-b" in proc.stdout
    assert "PLAY [Update in waves]" not in proc.stdout
    assert {gw: (started_at(fleet, gw), revisions(fleet, gw)[0]) for gw in GATEWAYS} == before


def test_an_image_whose_gateway_exits_78_rolls_the_canary_back(fleet):
    broken = build_image("localhost/clawops/openclaw:it-exits-78", (
        "FROM %s\nUSER root\n"
        "RUN printf '#!/bin/sh\\nif [ \"$1\" = gateway ]; then echo \"state migration unsafe\" >&2;"
        " exit 78; fi\\nexec /usr/local/bin/openclaw \"$@\"\\n' > /usr/local/bin/oc-78"
        " && chmod 755 /usr/local/bin/oc-78\nUSER 65532\n"
        # a new ENTRYPOINT resets the base image's CMD: give it back
        "ENTRYPOINT [\"/usr/bin/tini\", \"--\", \"/usr/local/bin/oc-78\"]\n"
        "CMD [\"gateway\", \"run\"]\n") % GOOD)
    others = {gw: (started_at(fleet, gw), revisions(fleet, gw)[0]) for gw in ("gw-b", "gw-c")}
    sums = state_sums(fleet, "gw-a")
    proc = play(fleet, "playbooks/update.yml", "-e", "clawops_update_image=%s" % broken,
                "-e", "gateway_rollout_gate_deadline=45")
    assert proc.returncode == 2, proc.stdout[-4000:]
    message = [l for l in proc.stdout.splitlines() if "update of %s-gw-a failed" % fleet["slug"] in l]
    assert message, proc.stdout[-4000:]
    # one line that names the probe, the gateway's own last words and the rollback
    assert "health gate failed" in message[0] and "rolled back to r0002" in message[0], message
    assert "state migration unsafe" in message[0], message
    ids, found = revisions(fleet, "gw-a")
    assert ids == [("r0001", "superseded"), ("r0002", "active"), ("r0003", "failed")]
    assert found[2]["rolled_back_to"] == "r0002" and found[2]["image"]["ref"] == broken
    assert readyz(fleet["ports"]["gw-a"], fleet["tokens"]["gw-a"])["ready"] is True
    assert docker("inspect", "-f", "{{.Config.Image}}", "%s-gw-a" % fleet["slug"]).stdout.strip() \
        == fleet["image"]
    assert state_sums(fleet, "gw-a") == sums
    assert {gw: (started_at(fleet, gw), revisions(fleet, gw)[0]) for gw in others} == others
    last = events(fleet)[-1]
    assert (last["action"], last["result"], last["target"].endswith("gw-a")) == (
        "update", "rolled_back", True)


def test_a_gate_timeout_rolls_the_canary_back(fleet):
    others = {gw: (started_at(fleet, gw), revisions(fleet, gw)[0]) for gw in ("gw-b", "gw-c")}
    sums = state_sums(fleet, "gw-a")
    restore_file(os.path.join(fleet["dir"], "templates/org.json5"),
                 '{ agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },'
                 ' logging: { level: "error" } }')
    try:
        proc = play(fleet, "playbooks/update.yml", "-e", "clawops_update_image=%s" % fleet["image"],
                    "-e", "gateway_rollout_gate_deadline=1")
    finally:
        restore_file(os.path.join(fleet["dir"], "templates/org.json5"),
                     '{ agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" }'
                     ' } }, logging: { level: "warn" } }')
    assert proc.returncode == 2, proc.stdout[-4000:]
    assert re.search(r"update of \S+-gw-a failed at .*Wait for /(startupz|readyz)", proc.stdout)
    assert revisions(fleet, "gw-a")[0][-1] == ("r0004", "failed")
    assert readyz(fleet["ports"]["gw-a"], fleet["tokens"]["gw-a"])["ready"] is True
    with open(os.path.join(gw_root(fleet, "gw-a"), "config", "openclaw.json"),
              encoding="utf-8") as handle:
        assert json.load(handle)["logging"]["level"] == "warn"
    assert state_sums(fleet, "gw-a") == sums
    assert {gw: (started_at(fleet, gw), revisions(fleet, gw)[0]) for gw in others} == others


def test_sigkill_mid_update_then_rerun_converges(fleet):
    marker = os.path.join(gw_root(fleet, "gw-a"), "state", "clawops-marker.txt")
    with open(marker, "w", encoding="utf-8") as handle:
        handle.write("keep me\n")
    os.chown(marker, 65532, 65532)
    restore_file(os.path.join(fleet["dir"], "templates/org.json5"),
                 '{ agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },'
                 ' logging: { level: "info" } }')
    cmd = [os.path.join(BIN, "ansible-playbook"), "-i", fleet["inventory"],
           "playbooks/update.yml", "-e", "clawops_update_image=%s" % fleet["image"]]
    from conftest import ROOT
    proc = subprocess.Popen(cmd, cwd=ROOT, env=ansible_env(PYTHONUNBUFFERED="1"),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    seen = []
    deadline = time.time() + 600
    for line in proc.stdout:
        seen.append(line)
        if "Gate the candidate" in line or time.time() > deadline:
            break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert any("Gate the candidate" in l for l in seen), "".join(seen[-40:])
    assert revisions(fleet, "gw-a")[0][-1][1] == "candidate"

    rerun = play(fleet, "playbooks/update.yml", "-e", "clawops_update_image=%s" % fleet["image"])
    assert rerun.returncode == 0, rerun.stdout[-4000:]
    ids = revisions(fleet, "gw-a")[0]
    assert ("interrupted" in [status for dummy, status in ids]) and ids[-1][1] == "active", ids
    assert all_ready(fleet) == {gw: True for gw in GATEWAYS}
    with open(marker, encoding="utf-8") as handle:
        assert handle.read() == "keep me\n"
    # no orphans: one container per gateway project, no one-off validate/plugin containers
    names = docker("ps", "-a", "--format", "{{.Names}}").stdout.split()
    mine = sorted(n for n in names if n.startswith(fleet["slug"] + "-"))
    assert mine == ["%s-%s" % (fleet["slug"], gw) for gw in GATEWAYS], mine


def test_backup_restore_reproduces_state_and_a_tampered_archive_is_refused(fleet):
    gw = "gw-c"
    marker = os.path.join(gw_root(fleet, gw), "state", "clawops-marker.txt")
    with open(marker, "w", encoding="utf-8") as handle:
        handle.write("before backup\n")
    os.chown(marker, 65532, 65532)
    made = play(fleet, "playbooks/backup.yml", "--limit", gw)
    assert made.returncode == 0, made.stdout[-3000:]
    backups_dir = os.path.join(gw_root(fleet, gw), "backups")
    latest = sorted(n for n in os.listdir(backups_dir) if n.endswith("-manual.tar.gz"))[-1]
    with tarfile.open(os.path.join(backups_dir, latest)) as tar:
        manifest = json.load(tar.extractfile("MANIFEST.json"))
    backed_up = {k[len("state/"):]: v["sha256"] for k, v in manifest["entries"].items()
                 if k.startswith("state/") and v["type"] == "file"
                 and not RUNTIME_WRITTEN.match(k[len("state/"):])}
    with open(marker, "w", encoding="utf-8") as handle:
        handle.write("after backup\n")

    restored = play(fleet, "playbooks/restore.yml", "--limit", gw, "-e",
                    "restore_archive=%s" % latest)
    assert restored.returncode == 0, restored.stdout[-3000:]
    with open(marker, encoding="utf-8") as handle:
        assert handle.read() == "before backup\n"
    assert state_sums(fleet, gw) == backed_up
    assert readyz(fleet["ports"][gw], fleet["tokens"][gw])["ready"] is True

    # a changed archive (its checksum file rewritten to match) is refused before a stop
    tampered = os.path.join(backups_dir, "tampered.tar.gz")
    import gzip
    import io
    with tarfile.open(os.path.join(backups_dir, latest)) as tar:
        members = [(i, tar.extractfile(i).read() if i.isfile() else None) for i in tar]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for info, data in members:
            if info.name == "state/clawops-marker.txt":
                data = b"evil\n"
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    with open(tampered, "wb") as handle:
        handle.write(gzip.compress(buffer.getvalue()))
    from ansible_collections.clawops.orchestrator.plugins.module_utils._backup import sha256_file
    with open(tampered + ".sha256", "w", encoding="utf-8") as handle:
        handle.write("%s  tampered.tar.gz\n" % sha256_file(tampered))
    running_since = started_at(fleet, gw)
    refused = play(fleet, "playbooks/restore.yml", "--limit", gw, "-e",
                   "restore_archive=tampered.tar.gz")
    assert refused.returncode == 2
    assert "state/clawops-marker.txt has sha256" in refused.stdout
    assert started_at(fleet, gw) == running_since
    with open(marker, encoding="utf-8") as handle:
        assert handle.read() == "before backup\n"
    kinds = [(e["action"], e["result"]) for e in events(fleet) if e["target"].endswith(gw)]
    assert ("backup", "ok") in kinds and ("restore", "ok") in kinds and \
        ("restore", "failed") in kinds


def test_rollback_playbook_to_the_previous_revision(fleet):
    before, found = revisions(fleet, "gw-b")
    active = [rid for rid, status in before if status == "active"]
    assert len(active) == 1, before
    previous = [r for r in found if r["id"] < active[0] and r["status"] == "superseded"][-1]
    proc = play(fleet, "playbooks/rollback.yml", "--limit", "gw-b")
    assert proc.returncode == 0, proc.stdout[-3000:]
    after = dict(revisions(fleet, "gw-b")[0])
    assert (after[previous["id"]], after[active[0]]) == ("active", "rolled_back"), after
    assert docker("inspect", "-f", "{{.Config.Image}}", "%s-gw-b" % fleet["slug"]).stdout.strip() \
        == previous["image"]["ref"]
    with open(os.path.join(gw_root(fleet, "gw-b"), "config", "openclaw.json"),
              encoding="utf-8") as handle, \
            open(os.path.join(gw_root(fleet, "gw-b"), "revisions", previous["id"], "openclaw.json"),
                 encoding="utf-8") as recorded:
        assert handle.read() == recorded.read()
    assert readyz(fleet["ports"]["gw-b"], fleet["tokens"]["gw-b"])["ready"] is True
    again = play(fleet, "playbooks/rollback.yml", "--limit", "gw-b", "-e",
                 "rollback_to=%s" % previous["id"])
    assert again.returncode == 0 and set(changed(again).values()) == {0}, changed(again)


def test_a_point_in_time_restore_takes_the_backup_and_the_revision_of_that_moment(fleet):
    """restore_at: state from the newest backup at or before the time, config from the
    revision active then (rolled back to, gated); a time before any backup changes nothing."""
    gw = "gw-c"
    config = os.path.join(gw_root(fleet, gw), "config", "openclaw.json")
    marker = os.path.join(gw_root(fleet, gw), "state", "clawops-marker.txt")

    def mark(text):
        with open(marker, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chown(marker, 65532, 65532)

    backups_dir = os.path.join(gw_root(fleet, gw), "backups")
    mark("state at the moment\n")
    made = play(fleet, "playbooks/backup.yml", "--limit", gw)
    assert made.returncode == 0, made.stdout[-3000:]
    archive_then = sorted(n for n in os.listdir(backups_dir) if n.endswith(".tar.gz")
                          and n.startswith("%s-%s-" % (fleet["slug"], gw)))[-1]
    (active_then,) = [rid for rid, status in revisions(fleet, gw)[0] if status == "active"]
    with open(config, encoding="utf-8") as handle:
        config_then = handle.read()
    time.sleep(1.5)
    moment = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    time.sleep(1.5)
    # afterwards: a config change (a new revision) and new state, backed up again
    path, before = edit(fleet, "gateways/%s.yml" % gw,
                        "config:\n  overrides:\n    logging: {level: debug}\n")
    try:
        changed_config = play(fleet, "playbooks/site.yml", "--limit", gw)
        assert changed_config.returncode == 0, changed_config.stdout[-3000:]
    finally:
        restore_file(path, before)
    (active_now,) = [rid for rid, status in revisions(fleet, gw)[0] if status == "active"]
    assert active_now != active_then
    mark("state later\n")
    assert play(fleet, "playbooks/backup.yml", "--limit", gw).returncode == 0

    running_since = started_at(fleet, gw)
    early = play(fleet, "playbooks/restore.yml", "--limit", gw, "-e",
                 "restore_at=2000-01-01T00:00Z")
    assert early.returncode != 0
    assert "no revision was active at 2000-01-01T00:00:00Z" in early.stdout, early.stdout[-3000:]
    assert started_at(fleet, gw) == running_since  # refused before anything changed

    restored = play(fleet, "playbooks/restore.yml", "--limit", gw, "-e",
                    "restore_at=%s" % moment)
    assert restored.returncode == 0, restored.stdout[-4000:]
    with open(marker, encoding="utf-8") as handle:
        assert handle.read() == "state at the moment\n"
    with open(config, encoding="utf-8") as handle:
        assert handle.read() == config_then  # the revision's, active at the moment
    status = dict(revisions(fleet, gw)[0])
    assert (status[active_then], status[active_now]) == ("active", "rolled_back"), status
    assert readyz(fleet["ports"][gw], fleet["tokens"][gw])["ready"] is True
    last = [e for e in events(fleet) if e["action"] == "restore"][-1]
    assert last["result"] == "ok" and last["details"]["requested"] == "at:%s" % moment
    assert last["details"]["config"] == "revision"
    assert last["details"]["archive"] == archive_then  # not the later one


def test_a_backup_with_retention_and_a_checked_second_copy(fleet):
    """Issue 18, item 5: what stays after a backup (retention) and a copy on a second target,
    pruned the same way; the copy verifies like the original."""
    gw = "gw-c"
    second = os.path.join(fleet["base"], "second-target")
    made = play(fleet, "playbooks/backup.yml", "--limit", gw, "-e",
                json.dumps({"backup_retention": {"last": 2}, "backup_copy_to": second}))
    assert made.returncode == 0, made.stdout[-3000:]
    prefix = "%s-%s-" % (fleet["slug"], gw)
    here = sorted(n for n in os.listdir(os.path.join(gw_root(fleet, gw), "backups"))
                  if n.startswith(prefix) and n.endswith(".tar.gz"))
    assert len(here) == 2, here  # the earlier ones of this module are pruned
    copies = sorted(os.listdir(second))
    assert copies == [here[-1], here[-1] + ".hmac", here[-1] + ".sha256"], copies
    checked = play(fleet, "playbooks/backup.yml", "--limit", gw, "-e", "backup_action=verify",
                   "-e", "backup_archive=%s" % os.path.join(second, here[-1]))
    assert checked.returncode == 0, checked.stdout[-3000:]
    last = [e for e in events(fleet) if e["action"] == "backup"][-1]
    assert last["details"]["copy"] == os.path.join(second, here[-1])
    assert int(last["details"]["removed"]) >= 1


def test_event_log_chain_is_intact(fleet):
    from ansible_collections.clawops.orchestrator.plugins.module_utils._events import (
        trail_key, verify)
    key, heads = trail_key(create=False)  # the controller's audit key: every line has a MAC
    intact, line, message = verify(fleet["events"], key=key, heads=heads)
    assert intact and "anchored" in message, (line, message)
    text = open(fleet["events"], encoding="utf-8").read()
    for token in fleet["tokens"].values():
        assert token not in text
