"""Docker CLI calls run under a deadline (issue 17, low): a hung engine ends a play."""
import subprocess

from ansible_collections.clawops.orchestrator.plugins.module_utils._cli import (
    bounded, describe_rc)


def test_a_command_gets_a_deadline_where_timeout_exists():
    assert bounded(["docker", "ps"], 7, which=lambda n: "/usr/bin/timeout") == [
        "/usr/bin/timeout", "--kill-after=5", "7", "docker", "ps"]
    assert bounded(["docker", "ps"], 7, which=lambda n: None) == ["docker", "ps"]


def test_a_hung_command_ends_at_its_deadline():
    proc = subprocess.run(bounded(["sleep", "30"], 1), check=False, timeout=20)
    assert proc.returncode == 124 and describe_rc(proc.returncode, 1) == "no answer within 1 s"
