# -*- coding: utf-8 -*-
"""Hosted per-customer gateways on Compose, end to end (issue 21, item 4; docs/hosted.md).

The example fleet ``examples/hosted`` - one gateway per customer behind TLS on its own domain
- deployed with site.yml on the local Docker engine, with certificates from a local CA made
here with openssl. Real parts throughout: the gateways (OpenClaw from npm in the locally
built image), the proxy (Debian's nginx in an image built here), curl as the client.

What a customer's client sees: the gateway answers through its proxy over TLS on the
customer's domain (curl trusting the local CA), and not otherwise - no port of the gateway is
published on the host, an unknown name is refused in the handshake, a client that does not
trust the CA gets no answer. The gateway trusts the proxy's forwarded client address
(an authenticated /readyz through the proxy answers, which OpenClaw refuses from a proxy it
does not trust). The proxy's limits hold (413 for a large body, 429 beyond the rate). A
second run changes nothing; a renewed certificate reaches the proxy without restarting the
gateway; the key never shows in the run's output.

The same running gateways then serve issue 21's item 3 on Compose: drift, three ways, and its
repair; managed workspace seeds (here rather than in the day-2 stream, which is the longer).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess

import pytest
import yaml

from helpers import GATE_DEADLINE, changed, docker, free_base_ports, run_cli

pytestmark = pytest.mark.real
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, "examples", "hosted")
GATEWAYS = ("cust-acme", "cust-globex")


def _openssl(*args, cwd):
    proc = subprocess.run(["openssl"] + list(args), cwd=cwd, capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def make_ca(directory):
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
             "ca.crt", "-days", "2", "-subj", "/CN=clawops test CA", cwd=directory)
    return os.path.join(directory, "ca.crt")


def issue(directory, name, out_dir, serial, stem):
    """A server certificate for ``name`` signed by the CA in ``directory``, written as
    ``<out_dir>/<stem>.crt`` and ``.key``."""
    ext = os.path.join(directory, "%s.ext" % name)
    with open(ext, "w", encoding="utf-8") as handle:
        handle.write("subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\n" % name)
    key, csr = os.path.join(out_dir, stem + ".key"), os.path.join(directory, name + ".csr")
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj",
             "/CN=%s" % name, cwd=directory)
    _openssl("x509", "-req", "-in", csr, "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial",
             str(serial), "-days", "2", "-extfile", ext, "-out",
             os.path.join(out_dir, stem + ".crt"), cwd=directory)
    with open(key, encoding="utf-8") as handle:
        return handle.read()


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    base = tmp_path_factory.mktemp("hosted")
    os.chmod(str(base), 0o755)
    fleet_dir = str(base / "fleet")
    shutil.copytree(EXAMPLE, fleet_dir)
    secrets_dir = base / "secrets"
    (secrets_dir / "tls").mkdir(parents=True, mode=0o700)
    ca_dir = str(base / "ca")
    os.mkdir(ca_dir)
    state = {"dir": fleet_dir, "ca": make_ca(ca_dir), "ca_dir": ca_dir,
             "tls_dir": str(secrets_dir / "tls"), "tokens": {}, "keys": {}, "gateways": {}}

    def edit(rel, change):
        path = os.path.join(fleet_dir, rel)
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
        change(data)
        with open(path, "w", encoding="utf-8") as handle:
            yaml.safe_dump(data, handle, sort_keys=False)

    def fleet_yml(data):
        data["org"]["org_slug"] = "ho%d" % (os.getpid() % 1000)
        data["targets"]["compose_hosts"]["edge-1"]["root"] = str(base / "srv")
        data["targets"]["compose_hosts"]["edge-1"]["vars"]["health_gate_deadline"] = GATE_DEADLINE
        data["defaults"]["auth"]["token"]["path"] = str(secrets_dir) + "/@{gateway.id}.token"
        data["secrets"]["file_dirs"] = [str(secrets_dir)]
    edit("fleet.yml", fleet_yml)

    def group(data):
        tls = data["defaults"]["hosted"]["tls"]
        tls["cert"]["path"] = state["tls_dir"] + "/@{gateway.id}.crt"
        tls["key"]["path"] = state["tls_dir"] + "/@{gateway.id}.key"
    edit("groups/customers.yml", group)

    ports = free_base_ports(2 * len(GATEWAYS))
    for index, gw in enumerate(GATEWAYS):
        gw_port, public_port = ports[2 * index], ports[2 * index + 1]

        def gateway(data, gw_port=gw_port, public_port=public_port, gw=gw):
            data["port"] = gw_port
            data["hosted"] = {"address": "127.0.0.1", "port": public_port}
            if gw == "cust-globex":  # tight limits to see them hold
                data["hosted"].update(rate=1, burst=2, max_body="64k")
        edit("gateways/%s.yml" % gw, gateway)
        domain = "%s.assist.hostco.example" % gw
        state["gateways"][gw] = {"port": gw_port, "public": public_port, "domain": domain}
        state["tokens"][gw] = secrets.token_hex(24)
        (secrets_dir / ("%s.token" % gw)).write_text(state["tokens"][gw])
        state["keys"][gw] = [issue(ca_dir, domain, state["tls_dir"], 1000 + index, gw)]
    with open(os.path.join(fleet_dir, "fleet.yml"), encoding="utf-8") as handle:
        state["slug"] = yaml.safe_load(handle)["org"]["org_slug"]
    inventory = base / "fleet.clawops.yml"
    inventory.write_text("plugin: clawops.orchestrator.fleet\nfleet_dir: %s\n" % fleet_dir)
    state["inventory"] = str(inventory)
    yield state
    run_cli("ansible-playbook", ["-i", str(inventory), "playbooks/lifecycle.yml", "-e",
                                 "action=absent", "-e", "confirm_all=true"])


def play(fleet, playbook, *args, timeout=1500):
    return run_cli("ansible-playbook", ["-i", fleet["inventory"], playbook] + list(args),
                   timeout=timeout)


def curl(fleet, gw, path, *extra, name=None, ca=True):
    """curl through the proxy: the customer's domain resolved to the published address."""
    info = fleet["gateways"][gw]
    name = name or info["domain"]
    argv = ["curl", "-sS", "--max-time", "20", "-o", "-", "-w", "\n%{http_code}",
            "--resolve", "%s:%d:127.0.0.1" % (name, info["public"])]
    if ca:
        argv += ["--cacert", fleet["ca"]]
    argv += list(extra) + ["https://%s:%d%s" % (name, info["public"], path)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    body, dummy, code = proc.stdout.rpartition("\n")
    return proc.returncode, code, body, proc.stderr


def instance(fleet, gw):
    return "%s-%s" % (fleet["slug"], gw)


@pytest.fixture(scope="module")
def deployed(fleet):
    applied = play(fleet, "playbooks/site.yml")
    assert applied.returncode == 0, applied.stdout[-6000:] + applied.stderr[-2000:]
    return applied


def test_the_example_fleet_is_reachable_only_through_its_tls_proxy(fleet, deployed):
    for gw in GATEWAYS:
        info = fleet["gateways"][gw]
        # through the proxy, trusting the local CA: the gateway's own answer
        rc, code, body, err = curl(fleet, gw, "/healthz")
        assert (rc, code) == (0, "200"), (gw, rc, code, body, err)
        assert '"ok":true' in body.replace(" ", ""), body
        # the gateway publishes nothing on the host; its proxy publishes the one port
        ports = docker("inspect", "-f", "{{json .NetworkSettings.Ports}}", instance(fleet, gw))
        assert "HostPort" not in ports.stdout, ports.stdout
        refused = subprocess.run(["curl", "-sS", "--max-time", "5",
                                  "http://127.0.0.1:%d/healthz" % info["port"]],
                                 capture_output=True, text=True, timeout=30, check=False)
        assert refused.returncode == 7, refused  # 7: could not connect
        proxy = docker("port", instance(fleet, gw) + "-proxy")
        assert "127.0.0.1:%d" % info["public"] in proxy.stdout, proxy.stdout
        # a client that does not trust the CA gets no answer (curl 60: certificate problem)
        rc, code, body, err = curl(fleet, gw, "/healthz", ca=False)
        assert rc == 60, (rc, code, err)
        # another name on the same address is refused in the handshake
        rc, code, body, err = curl(fleet, gw, "/healthz", name="other.assist.hostco.example")
        assert rc == 35 and code == "000", (rc, code, err)  # 35: TLS handshake failed
        # plain HTTP to the TLS port is no way in either (nginx: 400)
        plain = subprocess.run(["curl", "-sS", "--max-time", "10", "-o", "/dev/null", "-w",
                                "%{http_code}", "http://127.0.0.1:%d/healthz" % info["public"]],
                               capture_output=True, text=True, timeout=30, check=False)
        assert plain.stdout == "400", (plain.stdout, plain.stderr)


def test_the_gateway_trusts_its_proxy_and_the_proxy_sets_the_limits(fleet, deployed):
    gw = "cust-globex"
    token = fleet["tokens"][gw]
    # authenticated through the proxy: OpenClaw answers only when the proxy is trusted
    # (from an untrusted proxy: 403 proxy_attribution_required)
    rc, code, body, err = curl(fleet, gw, "/readyz", "-H", "Authorization: Bearer " + token)
    assert (rc, code) == (0, "200"), (code, body, err)
    assert '"ready":true' in body.replace(" ", ""), body
    # the Control UI may be loaded from the customer's origin
    config = os.path.join(fleet["dir"], "..", "srv", fleet["slug"], gw, "config",
                          "openclaw.json")
    with open(config, encoding="utf-8") as handle:
        text = handle.read()
    assert "https://%s:%d" % (fleet["gateways"][gw]["domain"],
                              fleet["gateways"][gw]["public"]) in text
    # a body beyond max_body (64k here) is refused by the proxy
    large = os.path.join(fleet["ca_dir"], "large.bin")
    with open(large, "wb") as handle:
        handle.write(b"x" * (128 * 1024))
    rc, code, body, err = curl(fleet, gw, "/hooks/anything", "-X", "POST", "--data-binary",
                               "@" + large)
    assert code == "413", (code, body)
    # beyond rate 1/s with a burst of 2: 429 for a client sending ten at once (in parallel,
    # so that a slow machine cannot spread them over the refill)
    info = fleet["gateways"][gw]
    url = "https://%s:%d/healthz" % (info["domain"], info["public"])
    burst = subprocess.run(
        ["curl", "-sS", "--max-time", "30", "--parallel", "--parallel-max", "10", "--resolve",
         "%s:%d:127.0.0.1" % (info["domain"], info["public"]), "--cacert", fleet["ca"],
         "-w", "%{http_code}\n"] + sum([["-o", "/dev/null", url] for dummy in range(10)], []),
        capture_output=True, text=True, timeout=120, check=False)
    codes = burst.stdout.split()
    assert len(codes) == 10 and "429" in codes and "200" in codes, (codes, burst.stderr)


def test_a_second_run_changes_nothing_and_a_new_certificate_keeps_the_gateway(fleet, deployed):
    again = play(fleet, "playbooks/site.yml")
    assert again.returncode == 0, again.stdout[-4000:]
    assert all(n == 0 for n in changed(again).values()), changed(again)
    gw = "cust-acme"
    name = instance(fleet, gw)
    started = docker("inspect", "-f", "{{.State.StartedAt}}", name).stdout
    # the customer's certificate is renewed (a new serial) - the proxy serves it, the gateway
    # keeps running
    fleet["keys"][gw].append(issue(fleet["ca_dir"], fleet["gateways"][gw]["domain"],
                                   fleet["tls_dir"], 4242, gw))
    renewed = play(fleet, "playbooks/site.yml", "--limit", gw)
    assert renewed.returncode == 0, renewed.stdout[-4000:]
    assert docker("inspect", "-f", "{{.State.StartedAt}}", name).stdout == started
    rc, code, body, err = curl(fleet, gw, "/healthz", "-v")
    assert code == "200", (code, err)
    served = subprocess.run(
        ["openssl", "s_client", "-connect", "127.0.0.1:%d" % fleet["gateways"][gw]["public"],
         "-servername", fleet["gateways"][gw]["domain"], "-CAfile", fleet["ca"]],
        input="", capture_output=True, text=True, timeout=30, check=False)
    cert = subprocess.run(["openssl", "x509", "-noout", "-serial"], input=served.stdout,
                          capture_output=True, text=True, timeout=30, check=False)
    assert cert.stdout.strip() == "serial=1092", cert.stdout + cert.stderr  # 4242 in hex
    # no private key in any run's output
    for run in (deployed, again, renewed):
        for key in sum(fleet["keys"].values(), []):
            for line in key.splitlines()[1:-1]:
                assert line not in run.stdout and line not in run.stderr


# -- the same gateways, taken over: drift and managed seeds (issue 21, item 3) ----------------
def gw_root(fleet, gw):
    return os.path.join(os.path.dirname(fleet["dir"]), "srv", fleet["slug"], gw)


def started_at(fleet, gw):
    return docker("inspect", "-f", "{{.State.StartedAt}}", instance(fleet, gw)).stdout


def test_drift_three_ways_then_remediate(fleet, deployed, tmp_path):
    """A change behind the collection's back shows in the three-way report (fleet, file on
    the host, running gateway) and remediate repairs it through the normal change path -
    here hot, without a restart."""
    gw = "cust-acme"
    path = os.path.join(gw_root(fleet, gw), "config", "openclaw.json")
    clean = play(fleet, "playbooks/drift.yml", "--limit", gw, "-e",
                 "drift_report_dir=%s" % tmp_path)
    assert clean.returncode == 0, clean.stdout[-4000:]
    assert "in sync: fleet, file and running gateway agree" in clean.stdout, clean.stdout[-3000:]
    # OpenClaw refuses an agent added through its CLI on a gateway the collection runs: the
    # config is read-only to it (OPENCLAW_CONFIG_READONLY), so that drift cannot happen
    refused = docker("exec", instance(fleet, gw), "/usr/local/bin/openclaw", "agents", "add",
                     "sneaky", "--workspace", "/home/node/workspaces/sneaky",
                     "--non-interactive", "--json")
    assert refused.returncode != 0 and "OPENCLAW_CONFIG_READONLY" in \
        refused.stdout + refused.stderr, refused
    # a person edits the file on the host; the running gateway takes it (a hot path)
    with open(path, encoding="utf-8") as handle:
        declared_text = handle.read()
    edited = json.loads(declared_text)
    edited["logging"]["level"] = "debug"
    with open(path + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(edited, handle, indent=2)
    os.chmod(path + ".tmp", os.stat(path).st_mode)
    os.replace(path + ".tmp", path)
    before = started_at(fleet, gw)
    seen = play(fleet, "playbooks/drift.yml", "--limit", gw, "-e",
                "drift_report_dir=%s" % tmp_path)
    assert seen.returncode == 0, seen.stdout[-4000:]  # a report does not fail
    with open(os.path.join(str(tmp_path), "%s.json" % gw), encoding="utf-8") as handle:
        report = json.load(handle)
    assert report["drift"] is True
    assert report["declared_vs_persisted"] == [
        {"path": "logging.level", "declared": "(absent)", "persisted": "debug"}], report
    assert report["runtime"]["valid"] is True, report["runtime"]
    assert "persisted file differs from the fleet at logging.level" in seen.stdout
    fixed = play(fleet, "playbooks/drift.yml", "--limit", gw, "-e", "drift_mode=remediate")
    assert fixed.returncode == 0, fixed.stdout[-5000:]
    with open(path, encoding="utf-8") as handle:
        assert handle.read() == declared_text  # the fleet's file again
    assert started_at(fleet, gw) == before  # taken hot
    again = play(fleet, "playbooks/drift.yml", "--limit", gw, "-e", "drift_mode=remediate")
    assert again.returncode == 0 and changed(again)[gw] == 0, again.stdout[-3000:]
    assert "in sync" in again.stdout


def test_managed_seeds_reach_an_existing_workspace(fleet, deployed):
    """An agent's seed_mode managed keeps its seed tree's files equal to the fleet's in a
    workspace that exists already - without a restart; files the tree does not have stay the
    agent's."""
    gw = "cust-acme"
    path = os.path.join(fleet["dir"], "gateways", "%s.yml" % gw)
    with open(path, encoding="utf-8") as handle:
        original = handle.read()
    data = yaml.safe_load(original)
    data["agents"][0].update(workspace_seed="../seeds/assistant", seed_mode="managed")
    seed = os.path.join(fleet["dir"], "seeds", "assistant")
    os.makedirs(seed)
    with open(os.path.join(seed, "RUNBOOK.md"), "w", encoding="utf-8") as handle:
        handle.write("# Runbook v1\n")
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(data, handle, sort_keys=False)
    workspace = os.path.join(gw_root(fleet, gw), "workspaces", "assistant")
    before = started_at(fleet, gw)
    try:
        first = play(fleet, "playbooks/site.yml", "--limit", gw)
        assert first.returncode == 0, first.stdout[-4000:]
        with open(os.path.join(workspace, "RUNBOOK.md"), encoding="utf-8") as handle:
            assert handle.read() == "# Runbook v1\n"
        with open(os.path.join(workspace, "RUNBOOK.md"), "a", encoding="utf-8") as handle:
            handle.write("an edit in the workspace\n")
        with open(os.path.join(workspace, "notes.md"), "w", encoding="utf-8") as handle:
            handle.write("the agent's own\n")
        with open(os.path.join(seed, "RUNBOOK.md"), "w", encoding="utf-8") as handle:
            handle.write("# Runbook v2\n")
        second = play(fleet, "playbooks/site.yml", "--limit", gw)
        assert second.returncode == 0, second.stdout[-4000:]
        with open(os.path.join(workspace, "RUNBOOK.md"), encoding="utf-8") as handle:
            assert handle.read() == "# Runbook v2\n"
        with open(os.path.join(workspace, "notes.md"), encoding="utf-8") as handle:
            assert handle.read() == "the agent's own\n"
        assert started_at(fleet, gw) == before
        third = play(fleet, "playbooks/site.yml", "--limit", gw)
        assert third.returncode == 0 and changed(third)[gw] == 0, third.stdout[-3000:]
    finally:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(original)


def test_config_paths_the_gateway_owns_survive_deploys_and_are_not_drift(fleet, deployed,
                                                                         tmp_path):
    """Config ownership per path (docs/day2.md, "Config ownership"): ui.prefs seed_only and
    ui.seamColor observed make the gateway's config writable to it; what it sets there
    through its own CLI stays through deploys and is reported as owned, not drift; a managed
    key it changes and an agent added through its CLI are drift, and remediate puts the
    fleet's config back (the agent gone) and keeps the rest."""
    gw = "cust-globex"
    path = os.path.join(fleet["dir"], "gateways", "%s.yml" % gw)
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    data["config"] = {"overrides": {"ui": {"prefs": {"theme": "claw"}}},
                      "ownership": {"ui.prefs": "seed_only", "ui.seamColor": "observed"}}
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(data, handle, sort_keys=False)
    config = os.path.join(gw_root(fleet, gw), "config", "openclaw.json")

    def on_file():
        with open(config, encoding="utf-8") as handle:
            return json.load(handle)

    def cli(*argv):
        proc = docker("exec", instance(fleet, gw), "/usr/local/bin/openclaw", *argv)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    first = play(fleet, "playbooks/site.yml", "--limit", gw)
    assert first.returncode == 0, first.stdout[-5000:]
    assert on_file()["ui"] == {"prefs": {"theme": "claw"}}  # seeded; observed: not written
    assert os.stat(config).st_uid == 65532  # the gateway's to write
    # the gateway's own writers (its Control UI and CLI) work on this gateway
    cli("config", "set", "ui.prefs.theme", "tide")
    cli("config", "set", "ui.seamColor", "#FF4500")
    assert on_file()["ui"] == {"prefs": {"theme": "tide"}, "seamColor": "#FF4500"}
    kept = play(fleet, "playbooks/site.yml", "--limit", gw)
    assert kept.returncode == 0 and changed(kept)[gw] == 0, kept.stdout[-4000:]
    assert on_file()["ui"] == {"prefs": {"theme": "tide"}, "seamColor": "#FF4500"}
    seen = play(fleet, "playbooks/drift.yml", "--limit", gw, "-e",
                "drift_report_dir=%s" % tmp_path)
    assert seen.returncode == 0, seen.stdout[-4000:]
    with open(os.path.join(str(tmp_path), "%s.json" % gw), encoding="utf-8") as handle:
        report = json.load(handle)
    assert report["drift"] is False, report
    assert {(d["path"], d["owner"]) for d in report["owned"]} == {
        ("ui.prefs.theme", "seed_only"), ("ui.seamColor", "observed")}, report["owned"]
    # behind the collection's back, through the gateway's own CLI: a managed key changed and
    # an agent added - drift, both repaired; what the gateway owns stays
    cli("config", "set", "update.checkOnStart", "true")
    cli("agents", "add", "sneaky", "--workspace", "/home/node/workspaces/sneaky",
        "--non-interactive", "--json")
    drifted = play(fleet, "playbooks/drift.yml", "--limit", gw, "-e",
                   "drift_report_dir=%s" % tmp_path)
    assert drifted.returncode == 0, drifted.stdout[-4000:]
    with open(os.path.join(str(tmp_path), "%s.json" % gw), encoding="utf-8") as handle:
        report = json.load(handle)
    assert report["drift"] is True
    paths = [d["path"] for d in report["declared_vs_persisted"]]
    assert "update.checkOnStart" in paths, paths
    assert any(p.startswith("agents.entries.sneaky") for p in paths), paths
    assert report["agents"]["extra"] == ["sneaky"], report["agents"]
    fixed = play(fleet, "playbooks/drift.yml", "--limit", gw, "-e", "drift_mode=remediate")
    assert fixed.returncode == 0, fixed.stdout[-5000:]
    after = on_file()
    assert after["update"]["checkOnStart"] is False
    assert "sneaky" not in after["agents"]["entries"]
    assert after["ui"] == {"prefs": {"theme": "tide"}, "seamColor": "#FF4500"}
    listed = docker("exec", instance(fleet, gw), "/usr/local/bin/openclaw", "agents", "list",
                    "--json")
    assert "sneaky" not in [a["id"] for a in json.loads(listed.stdout)]
    again = play(fleet, "playbooks/drift.yml", "--limit", gw, "-e", "drift_mode=remediate")
    assert again.returncode == 0 and changed(again)[gw] == 0, again.stdout[-3000:]
