"""Compose host paths stay below the host's roots (issue 17): the deploy creates, chowns and
deletes them as root."""
import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import FleetErrors
from ansible_collections.clawops.orchestrator.plugins.module_utils._hostpaths import (
    host_paths, system_root)


def paths(host=None, root=None, overrides=None):
    return host_paths("h1", host or {"root": "/srv/clawops"}, "acme", "gw-a",
                      "gateways/gw-a.yml", root, overrides)


def codes(exc):
    return [(e.code, e.file, e.key_path) for e in exc.value.errors]


def test_defaults_live_below_the_host_root():
    got = paths()
    assert got["root"] == "/srv/clawops/acme/gw-a"
    assert got["state_dir"] == "/srv/clawops/acme/gw-a/state"
    assert got["config_path"] == "/srv/clawops/acme/gw-a/config/openclaw.json"


@pytest.mark.parametrize("name", ["state_dir", "workspace_root", "config_dir"])
@pytest.mark.parametrize("path", ["/etc", "/srv/clawops", "/srv/clawops-other/x", "/srv"])
def test_an_override_outside_the_roots_is_refused(name, path):
    with pytest.raises(FleetErrors) as exc:
        paths(overrides={name: path})
    assert codes(exc) == [("path.outside-root", "gateways/gw-a.yml",
                           ("provider", "paths", name))]
    assert "extra_roots" in exc.value.errors[0].fix


def test_a_root_outside_is_refused_and_extra_roots_admit_a_second_disk():
    with pytest.raises(FleetErrors) as exc:
        paths(root="/data/gw-a")
    assert codes(exc) == [("path.outside-root", "gateways/gw-a.yml", ("provider", "root"))]
    got = paths({"root": "/srv/clawops", "extra_roots": ["/data"]}, root="/data/gw-a",
                overrides={"state_dir": "/data/fast/gw-a"})
    assert got["root"] == "/data/gw-a" and got["state_dir"] == "/data/fast/gw-a"


@pytest.mark.parametrize("root", ["/var", "/etc/clawops", "/usr/lib/x", "/proc/1", "/home"])
def test_a_system_directory_is_no_root(root):
    with pytest.raises(FleetErrors) as exc:
        paths({"root": root})
    assert codes(exc)[0] == ("path.system-root", "fleet.yml",
                             ("targets", "compose_hosts", "h1", "root"))


def test_extra_roots_are_checked_too():
    with pytest.raises(FleetErrors) as exc:
        paths({"root": "/srv/clawops", "extra_roots": ["/opt/x", "/boot/x"]})
    assert codes(exc) == [("path.system-root", "fleet.yml",
                           ("targets", "compose_hosts", "h1", "extra_roots", 1))]


@pytest.mark.parametrize("path", ["/srv/clawops", "/var/lib/clawops", "/usr/local/clawops",
                                  "/home/ops/clawops", "/data"])
def test_ordinary_roots_pass(path):
    assert system_root(path) is None
