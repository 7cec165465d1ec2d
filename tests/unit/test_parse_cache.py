# -*- coding: utf-8 -*-
"""The content-addressed parse cache and the parallel parse of gateway files."""

from __future__ import annotations

import os

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils import _loader
from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import FleetErrors
from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
from ansible_collections.clawops.orchestrator.plugins.module_utils._parsecache import (
    ParseCache, default_dir)
from ansible_collections.clawops.orchestrator.plugins.module_utils._render import render_fleet

from conftest import MINIMAL, write_fleet

GATEWAY = """
id: gw-%(n)03d
groups: [team]
provider: {type: compose, host: local}
port: %(port)d
agents:
  - id: helper
    kind: usecase
    model: anthropic/claude-sonnet-4-5
"""


def _load(root, cache_dir):
    fleet = load_fleet(root, parse_cache=str(cache_dir))
    return fleet, fleet.files.parse_cache


def test_a_second_load_parses_nothing_and_renders_the_same(tmp_path):
    root = write_fleet(tmp_path / "fleet", MINIMAL)
    first, cache = _load(root, tmp_path / "cache")
    assert (cache.hits, cache.misses) == (0, 3)  # fleet.yml, the group, the gateway
    second, cache = _load(root, tmp_path / "cache")
    assert (cache.hits, cache.misses) == (3, 0)
    assert second.gateways["gw-one"].data == first.gateways["gw-one"].data
    assert render_fleet(second)["gw-one"].config_text == render_fleet(first)["gw-one"].config_text


def test_an_edited_file_is_parsed_again_and_its_error_is_reported_every_time(tmp_path):
    root = write_fleet(tmp_path / "fleet", MINIMAL)
    _load(root, tmp_path / "cache")
    write_fleet(root, {"gateways/gw-one.yml": MINIMAL["gateways/gw-one.yml"].replace(
        "port: 19100", "port: not-a-port")})
    for dummy in range(2):
        with pytest.raises(FleetErrors) as caught:
            _load(root, tmp_path / "cache")
        assert "gateways/gw-one.yml" in caught.value.render()
        assert "port" in caught.value.render()


def test_an_entry_is_valid_for_its_kind_only(tmp_path):
    cache = ParseCache(str(tmp_path / "cache"), "salt")
    assert cache.key("group", b"id: x\n") != cache.key("gateway", b"id: x\n")
    assert ParseCache(str(tmp_path / "cache"), "other schema").key("group", b"id: x\n") \
        != cache.key("group", b"id: x\n")


def test_data_that_json_would_change_is_not_stored(tmp_path):
    cache = ParseCache(str(tmp_path / "cache"), "salt")
    cache.put("a" * 64, {1: "int key"})
    cache.put("b" * 64, {"ok": [1, 2.5, None, True, "x"]})
    assert cache.get("a" * 64) is None
    assert cache.get("b" * 64) == {"ok": [1, 2.5, None, True, "x"]}


def test_a_directory_others_can_write_is_not_used(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    cache = ParseCache(str(shared), "salt")
    assert not cache.usable
    cache.put("c" * 64, {"x": 1})
    assert cache.get("c" * 64) is None
    assert not os.listdir(shared)


def test_where_the_cache_lives():
    assert default_dir({"CLAWOPS_PARSE_CACHE": "off"}) is None
    assert default_dir({"CLAWOPS_PARSE_CACHE": "/c"}) == "/c"
    assert default_dir({"XDG_CACHE_HOME": "/x"}) == "/x/clawops/parse"
    assert default_dir({}).endswith("/.cache/clawops/parse")


def test_gateway_files_are_parsed_in_parallel_with_the_same_result(tmp_path, monkeypatch):
    files = dict(MINIMAL)
    for n in range(12):
        files["gateways/gw-%03d.yml" % n] = GATEWAY % {"n": n, "port": 19200 + 10 * n}
    root = write_fleet(tmp_path / "fleet", files)
    serial = load_fleet(root, parse_cache=None)
    monkeypatch.setattr(_loader, "PARALLEL_FROM", 4)
    seen = []
    real = _loader.FleetFiles.prefetch

    def spy(self, rels, kind, cache=None, workers=None):
        real(self, rels, kind, cache, workers=2)
        seen.append(len(self.__dict__.get("_prefetched", {})))
    monkeypatch.setattr(_loader.FleetFiles, "prefetch", spy)
    parallel = load_fleet(root, parse_cache=None)
    assert seen == [13]  # every gateway file came from the pool (read_checked takes them)
    assert {k: g.data for k, g in parallel.gateways.items()} == \
        {k: g.data for k, g in serial.gateways.items()}


def test_a_broken_file_in_a_parallel_parse_is_reported_with_its_line(tmp_path, monkeypatch):
    files = dict(MINIMAL)
    for n in range(6):
        files["gateways/gw-%03d.yml" % n] = GATEWAY % {"n": n, "port": 19200 + 10 * n}
    files["gateways/gw-003.yml"] += "agents: [\n"
    root = write_fleet(tmp_path / "fleet", files)
    monkeypatch.setattr(_loader, "PARALLEL_FROM", 2)
    monkeypatch.setattr(_loader.os, "cpu_count", lambda: 2)
    with pytest.raises(FleetErrors) as caught:
        load_fleet(root, parse_cache=str(tmp_path / "cache"))
    text = caught.value.render()
    assert "gateways/gw-003.yml" in text and "YAML does not parse at line" in text
