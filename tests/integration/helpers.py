# -*- coding: utf-8 -*-
"""Run the real ansible CLIs and the real openclaw CLI from tests."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import COLLECTIONS, ROOT

BIN = os.path.dirname(sys.executable)
# The health gate's deadline for the test fleets' gateways (a host var: a playbook's or a
# test's own deadline still wins). CI runs gateways, tests and the K8s build on 2 cores: a
# gateway start measured 102 s there, and one that misses OpenClaw's own 5 s start-up lease
# is restarted by Docker after a back-off. The product default stays 180 s.
GATE_DEADLINE = int(os.environ.get("CLAWOPS_TEST_GATE_DEADLINE", "420"))


def ansible_env(**extra):
    env = dict(os.environ)
    env.update({
        "ANSIBLE_CONFIG": os.path.join(ROOT, "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_LOCAL_TEMP": os.path.join(ROOT, ".build", "ansible-tmp"),
        "PATH": BIN + os.pathsep + env.get("PATH", ""),
    })
    env.update(extra)
    return env


def run_cli(name, args, timeout=900, **env):
    return subprocess.run([os.path.join(BIN, name)] + list(args), cwd=ROOT,
                          env=ansible_env(**env), capture_output=True, text=True,
                          timeout=timeout, check=False)


def openclaw_bin():
    """The pinned openclaw CLI installed by scripts/bootstrap.sh; a missing one fails the test."""
    path = os.environ.get("CLAWOPS_OPENCLAW_BIN") or os.path.join(ROOT, ".tools", "bin",
                                                                  "openclaw")
    if not os.access(path, os.X_OK):
        pytest.fail("openclaw CLI not found at %s: run scripts/bootstrap.sh" % path)
    return path


def put(bao, path, data):
    bao["client"].secrets.kv.v2.create_or_update_secret(path=path, secret=data,
                                                        mount_point="secret")


def get(bao, path):
    return bao["client"].secrets.kv.v2.read_secret_version(
        path=path, mount_point="secret", raise_on_deleted_version=True)["data"]["data"]


def run_molecule(scenario, steps, **env):
    """`molecule test -s <scenario>` as a user runs it; asserts rc 0 and that every step in
    ``steps`` ran successfully; returns the output without colour codes."""
    full = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_NOCOLOR="1",
                ANSIBLE_FORCE_COLOR="0", NO_COLOR="1", PY_COLORS="0",
                PATH=BIN + os.pathsep + os.environ.get("PATH", ""), **env)
    full.pop("ANSIBLE_CONFIG", None)
    proc = subprocess.run([os.path.join(BIN, "molecule"), "test", "-s", scenario], cwd=ROOT,
                          env=full, capture_output=True, text=True, timeout=1800, check=False)
    out = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    assert proc.returncode == 0, out[-6000:]
    for step in steps:
        assert re.search(r"%s (?:➜|>) %s: Executed: Successful" % (scenario, step), out), (
            step, out[-4000:])
    return out


def free_base_ports(count, spacing=120):
    """Bases ``spacing`` apart whose whole range is free on 127.0.0.1 right now. The search
    starts at $CLAWOPS_TEST_PORT_BASE (scripts/test.sh gives each pytest stream its own)."""
    base = int(os.environ.get("CLAWOPS_TEST_PORT_BASE") or 36000 + (os.getpid() % 50) * 400)
    found = []
    while len(found) < count and base < 60000:
        try:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", base))
            found.append(base)
        except OSError:
            pass
        base += spacing
    return found


def docker(*args):
    return subprocess.run(["docker"] + list(args), capture_output=True, text=True, timeout=300,
                          check=False)


def build_image(tag, dockerfile):
    """``docker build`` of a Dockerfile given as text (no context); returns the tag."""
    proc = subprocess.run(["docker", "build", "-q", "-t", tag, "-"], input=dockerfile,
                          capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return tag


def readyz(port, token=None):
    request = urllib.request.Request("http://127.0.0.1:%d/readyz" % port)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as err:
        return json.loads(err.read())


DOCTOR = "Run openclaw doctor"


def gate_checks(proc):
    """{host: [stages]} the health gate passed ("Say what the gate checked")."""
    found, inside, host = {}, False, None
    for line in proc.stdout.splitlines():
        if line.startswith("TASK ["):
            inside = "Say what the gate checked" in line
        elif inside:
            match = re.match(r"^ok: \[([^\]]+)\]", line)
            if match:
                host = match.group(1)
            match = re.match(r'^\s+"msg": "\S+ passed: (.*)"$', line)
            if match and host:
                found[host] = match.group(1).split("; ")
    return found


def gate_ran(proc, what):
    """{host: whether a stage of the gate whose name holds ``what`` passed}."""
    return {host: any(what in stage for stage in stages)
            for host, stages in gate_checks(proc).items()}


def recap_changed(text):
    """{host: changed count} from the play recap in a run's output."""
    return {m.group(1): int(m.group(2)) for m in
            re.finditer(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)", text, re.M)}


def changed(proc):
    """{host: changed count} from the play recap of a finished ansible-playbook."""
    return recap_changed(proc.stdout)


CLUSTER = os.path.join(ROOT, "tests", "k8s", "cluster.sh")


def kubectl(cluster, *args, stdin=None, timeout=120):
    """The test cluster's kubectl (``cluster``: the fixture of tests/integration/conftest.py)."""
    return subprocess.run([cluster["kubectl"], "--kubeconfig", cluster["kubeconfig"]] + list(args),
                          input=stdin, capture_output=True, text=True, timeout=timeout,
                          check=False)


# --- a real Prometheus, a real Alertmanager and a webhook receiver -----------------------------

def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Webhook(object):
    """Alertmanager's webhook receiver: every POSTed notification, in order."""

    def __init__(self):
        import http.server  # pylint: disable=import-outside-toplevel
        import threading  # pylint: disable=import-outside-toplevel
        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.append(json.loads(body.decode("utf-8")))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                return

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/alerts" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def alerts(self, name, status, **labels):
        """The alerts of every notification so far named ``name`` with ``status`` and labels."""
        return [alert for note in self.received for alert in note.get("alerts", [])
                if alert["labels"].get("alertname") == name and alert["status"] == status
                and all(alert["labels"].get(k) == v for k, v in labels.items())]

    def close(self):
        self.server.shutdown()


def start_process(argv, log_path, ready_url, deadline=60, env=None):
    """Start a server, wait until ``ready_url`` answers 200; the process (killed on failure)."""
    log = open(log_path, "w", encoding="utf-8")  # pylint: disable=consider-using-with
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env)  # pylint: disable=consider-using-with
    end = time.time() + deadline
    while time.time() < end:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(ready_url, timeout=2) as answer:
                if answer.status == 200:
                    return proc
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    with open(log_path, encoding="utf-8") as handle:
        pytest.fail("%s did not start: %s" % (argv[0], handle.read()[-2000:]))
    return None


def start_alertmanager(base, webhook_url):
    port = free_port()
    config = os.path.join(base, "alertmanager.yml")
    with open(config, "w", encoding="utf-8") as handle:
        handle.write(
            "route:\n  receiver: webhook\n  group_by: [alertname, gateway]\n"
            "  group_wait: 1s\n  group_interval: 5s\n  repeat_interval: 1h\n"
            "receivers:\n  - name: webhook\n    webhook_configs:\n"
            "      - {url: %s, send_resolved: true}\n" % json.dumps(webhook_url))
    proc = start_process(
        ["prometheus-alertmanager", "--config.file=" + config,
         "--storage.path=" + os.path.join(base, "am-data"),
         "--web.listen-address=127.0.0.1:%d" % port, "--cluster.listen-address="],
        os.path.join(base, "alertmanager.log"), "http://127.0.0.1:%d/-/ready" % port)
    return proc, port


def start_prometheus(base, config):
    port = free_port()
    proc = start_process(
        ["prometheus", "--config.file=" + config,
         "--storage.tsdb.path=" + os.path.join(base, "prom-data"),
         "--web.listen-address=127.0.0.1:%d" % port],
        os.path.join(base, "prometheus.log"), "http://127.0.0.1:%d/-/ready" % port)
    return proc, "http://127.0.0.1:%d" % port


def prom_query(url, query):
    """The result vector of an instant query (Prometheus' HTTP API)."""
    from urllib.parse import quote  # pylint: disable=import-outside-toplevel
    with urllib.request.urlopen("%s/api/v1/query?query=%s" % (url, quote(query)), timeout=10) as answer:
        data = json.loads(answer.read())
    assert data["status"] == "success", data
    return data["data"]["result"]


def wait_until(what, probe, deadline=240, every=2):
    """``probe()``'s first truthy answer within ``deadline`` seconds, else a failure naming
    ``what`` and the last answer."""
    end, last = time.time() + deadline, None
    while time.time() < end:
        last = probe()
        if last:
            return last
        time.sleep(every)
    pytest.fail("%s: not within %d s (last: %r)" % (what, deadline, last))
    return None


def import_fleet(base, fleet_yml):
    """A fleet to import into (no gateway yet): ``fleet_yml``, open operators, one model;
    with its inventory source and a lab identity. Returns (fleet dir, inventory, identity)."""
    from conftest import write_fleet  # pylint: disable=import-outside-toplevel
    fleet_dir = write_fleet(base / "fleet", {
        "fleet.yml": fleet_yml,
        "operators.yml": "open: true\n",
        "catalogs/models.yml": "models:\n  anthropic/claude-sonnet-4-5: {tier: default, owner: it}\n",
    })
    inventory = base / "fleet.clawops.yml"
    inventory.write_text("plugin: clawops.orchestrator.fleet\nfleet_dir: %s\n" % fleet_dir)
    identity = base / "identity.yml"
    identity.write_text("source: lab\n")
    os.chmod(identity, 0o644)
    return fleet_dir, str(inventory), str(identity)
