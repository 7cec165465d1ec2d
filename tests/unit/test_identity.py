"""Identity from the runner, not from variables (issue 17)."""
import os
import stat

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._identity import (
    IdentityProblem, check_owner, parse_settings, resolve)

LOGIN = parse_settings({}, "/etc/clawops/identity.yml")
AWX = parse_settings({"source": "awx"}, "/etc/clawops/identity.yml")
LAB = parse_settings({"source": "lab", "events_dir": "/var/log/clawops"}, "x")


def test_the_login_is_the_actor_and_cannot_be_overridden():
    assert resolve(LOGIN, {}, "bob").actor == "bob"
    for name in ("awx_user_name", "clawops_actor", "authorize_actor", "clawops_events_log",
                 "gateway_rollout_events_log"):
        with pytest.raises(IdentityProblem, match=name):
            resolve(LOGIN, {name: "boss", "other": 1}, "bob")


def test_awx_takes_the_jobs_user_and_refuses_trail_and_actor_vars():
    assert resolve(AWX, {"awx_user_name": "alice", "awx_job_id": 7}, "runner").actor == "alice"
    with pytest.raises(IdentityProblem, match="not started by AWX"):
        resolve(AWX, {}, "runner")
    with pytest.raises(IdentityProblem, match="clawops_events_log"):
        resolve(AWX, {"awx_user_name": "alice", "clawops_events_log": "/tmp/x"}, "runner")


def test_lab_mode_says_so_and_the_admins_events_dir_wins():
    who = resolve(LAB, {"clawops_actor": "ci-operator", "clawops_events_log": "/tmp/e"}, "root")
    assert who.actor == "ci-operator" and "self-asserted" in who.note
    assert who.events_log("/tmp/e", "acme") == "/var/log/clawops/acme.jsonl"
    assert resolve(LOGIN, {}, "bob").events_log("/home/bob/e.jsonl", "acme") == \
        "/home/bob/e.jsonl"


@pytest.mark.parametrize("data, match", [
    ("login", "expected a mapping"), ({"source": "sso"}, "not one of"),
    ({"source": "awx", "admins": []}, "unknown key"), ({"events_dir": "logs"}, "absolute")])
def test_bad_settings_name_the_problem(data, match):
    with pytest.raises(IdentityProblem, match=match):
        parse_settings(data, "/etc/clawops/identity.yml")


def test_settings_a_user_could_write_are_refused(tmp_path):
    path = tmp_path / "identity.yml"
    path.write_text("source: lab\n")
    os.chmod(path, 0o664)
    with pytest.raises(IdentityProblem, match="writable by no one else"):
        check_owner(os.stat(path), str(path))
    os.chmod(path, 0o644)
    info = os.stat(path)
    if info.st_uid == 0:
        check_owner(info, str(path))
    fake = os.stat_result((stat.S_IFREG | 0o644, 0, 0, 1, 1000, 1000, 0, 0, 0, 0))
    with pytest.raises(IdentityProblem, match="belong to root"):
        check_owner(fake, str(path))
