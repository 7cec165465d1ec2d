# -*- coding: utf-8 -*-
"""Hosted gateways (docs/hosted.md): the example fleet passes preflight; its Compose project
(golden), the proxy's nginx.conf and the managed config keys the proxy needs."""

from __future__ import annotations

import os

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils import _hosted
from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import FleetErrors
from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
from ansible_collections.clawops.orchestrator.plugins.module_utils._preflight import run_preflight
from ansible_collections.clawops.orchestrator.plugins.module_utils._render import render_fleet
from ansible_collections.clawops.orchestrator.plugins.module_utils._workload import (
    WorkloadError, compose_project, workload)
from ansible_collections.clawops.orchestrator.plugins.module_utils._drill import drill_runtime

from conftest import ROOT, assert_golden

FLEET = os.path.join(ROOT, "examples", "hosted")
GOLDEN = os.path.join(ROOT, "tests", "golden", "compose", "hosted-cust-acme.json")


@pytest.fixture(scope="module")
def plans():
    return render_fleet(load_fleet(FLEET))


def project(plan, proxy_image="localhost/clawops/proxy:test"):
    spec = workload(plan.runtime, "localhost/clawops/openclaw:2026.9.6")
    return compose_project(spec, plan.runtime, {}, 60, "", "", proxy_image)


def test_the_example_passes_preflight():
    report = run_preflight(FLEET)
    assert report.ok and not report.findings, report.text()


def test_the_golden_project(plans):
    assert_golden(GOLDEN, project(plans["cust-acme"]))


def test_only_the_proxy_publishes_a_port(plans):
    found = project(plans["cust-globex"])
    assert "ports" not in found["services"]["gateway"]
    assert found["services"]["proxy"]["ports"] == ["0.0.0.0:8443:8443"]
    assert found["services"]["proxy"]["networks"]["edge"]["ipv4_address"] == \
        plans["cust-globex"].runtime["hosted"]["proxy_address"]
    assert plans["cust-globex"].runtime["endpoint"]["address"] is None  # probes run inside
    assert plans["cust-globex"].runtime["endpoint"]["url"] == \
        "https://cust-globex.assist.hostco.example:8443/"


def test_the_config_trusts_the_proxy_and_allows_the_origin(plans):
    gateway = plans["cust-acme"].config["gateway"]
    hosted = plans["cust-acme"].runtime["hosted"]
    assert gateway["trustedProxies"] == [hosted["proxy_address"]]
    assert gateway["controlUi"]["allowedOrigins"] == ["https://cust-acme.assist.hostco.example"]
    assert gateway["nodes"]["pairing"]["autoApproveLocal"] is False
    prov = plans["cust-acme"].prov
    assert prov  # provenance names the hosted setting
    assert hosted["tls"]["key"]["path"].endswith("/hostco/tls/cust-acme.key")


def test_the_nginx_conf(plans):
    conf = plans["cust-globex"].runtime["hosted"]["conf"]
    assert "server_name cust-globex.assist.hostco.example;" in conf
    assert "proxy_pass http://gateway:20200;" in conf
    assert "ssl_reject_handshake on;" in conf  # other names: no handshake
    assert "client_max_body_size 1m;" in conf
    assert "rate=20r/s" in conf and "burst=40 nodelay" in conf
    # forwarded headers overwritten, never appended (OpenClaw's reverse-proxy guidance)
    assert "X-Forwarded-For $remote_addr;" in conf and "proxy_add_x_forwarded_for" not in conf
    assert "$request_uri" not in conf and "$args" not in conf  # no query strings in logs


def test_the_proxy_needs_its_image(plans):
    with pytest.raises(WorkloadError, match="no proxy image"):
        project(plans["cust-acme"], proxy_image="")


def test_a_drill_runs_without_the_proxy(plans):
    runtime = drill_runtime(plans["cust-acme"].runtime, "/srv/x/drill")
    assert runtime["hosted"] is None
    spec = workload(runtime, "img")
    assert set(compose_project(spec, runtime)["services"]) == {"gateway"}


def test_derived_subnets_are_slash_28s_in_the_reserved_range():
    assert _hosted.derived_subnet(20000) == "10.217.226.0/28"
    assert _hosted.derived_subnet(20000 + 4096) == _hosted.derived_subnet(20000)
    assert _hosted.derived_subnet(20120) != _hosted.derived_subnet(20000)


@pytest.mark.parametrize("change, message", [
    ({"domain": "{customer}.example.com"}, "hosted.domain: value"),
    ({"subnet": "10.9.0.0/30"}, "smaller than a /28"),
])
def test_bad_hosted_settings_name_the_file(tmp_path, change, message):
    import shutil
    import yaml
    fleet = str(tmp_path / "fleet")
    shutil.copytree(FLEET, fleet)
    path = os.path.join(fleet, "gateways", "cust-acme.yml")
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    data["hosted"].update(change)
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(data, handle)
    with pytest.raises(FleetErrors) as caught:
        render_fleet(load_fleet(fleet))
    text = str(caught.value)
    assert "gateways/cust-acme.yml" in text and message in text, text


def test_a_hosted_setting_without_a_domain_is_refused(tmp_path):
    import shutil
    fleet = str(tmp_path / "fleet")
    shutil.copytree(FLEET, fleet)
    path = os.path.join(fleet, "groups", "customers.yml")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text.replace('    domain: "{gateway}.assist.hostco.example"\n', ""))
    with pytest.raises(FleetErrors, match="hosted has no domain"):
        render_fleet(load_fleet(fleet))


K8S_GOLDEN = os.path.join(ROOT, "tests", "golden", "k8s", "hosted-ingress.json")


@pytest.fixture(scope="module")
def k8s_plan(tmp_path_factory):
    """The example fleet with one more customer, in a cluster behind its Ingress controller."""
    import shutil
    import yaml
    fleet = str(tmp_path_factory.mktemp("hosted-k8s") / "fleet")
    shutil.copytree(FLEET, fleet)
    path = os.path.join(fleet, "fleet.yml")
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    data["targets"]["k8s_clusters"] = {"prod": {"namespace_mode": "per_gateway"}}
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(data, handle)
    with open(os.path.join(fleet, "gateways", "cust-initech.yml"), "w", encoding="utf-8") as out:
        out.write("id: cust-initech\ngroups: [customers]\n"
                  "provider: {type: k8s, cluster: prod, network: {ingress_namespaces: "
                  "[ingress-nginx]}}\nport: 18789\nhosted: {ingress_class: nginx}\n"
                  "agents:\n  - {id: assistant, kind: usecase, model: "
                  "anthropic/claude-sonnet-4-5}\n")
    assert run_preflight(fleet).ok
    return render_fleet(load_fleet(fleet))["cust-initech"]


def test_a_k8s_hosted_gateway_gets_an_ingress_and_a_tls_secret(k8s_plan):
    from ansible_collections.clawops.orchestrator.plugins.module_utils import _k8s_manifests as km
    from ansible_collections.clawops.orchestrator.plugins.module_utils._render import dump_config
    objects = km.manifests({"id": "cust-initech"}, k8s_plan.runtime,
                           dump_config(k8s_plan.config), "img:1", "e" * 64)
    ingress = [o for o in objects if o["kind"] == "Ingress"]
    tls = km.tls_secret(k8s_plan.runtime, "-----BEGIN CERTIFICATE-----\nc\n", "k")
    tls["stringData"] = {key: "(placeholder)" for key in tls["stringData"]}
    assert_golden(K8S_GOLDEN, ingress + [tls])
    rule = ingress[0]["spec"]["rules"][0]
    assert rule["host"] == "cust-initech.assist.hostco.example"
    assert rule["http"]["paths"][0]["backend"]["service"] == {
        "name": "hostco-cust-initech", "port": {"number": 18789}}
    assert ingress[0]["spec"]["tls"] == [{"hosts": [rule["host"]],
                                          "secretName": "hostco-cust-initech-tls"}]
    assert ingress[0]["spec"]["ingressClassName"] == "nginx"
    # the Ingress controller's namespace may reach the gateway; the origin is allowed
    policy = [o for o in objects if o["kind"] == "NetworkPolicy" and
              o["metadata"]["name"] == "hostco-cust-initech"][0]
    assert "ingress-nginx" in str(policy["spec"]["ingress"])
    assert k8s_plan.config["gateway"]["controlUi"]["allowedOrigins"] == [
        "https://cust-initech.assist.hostco.example"]
    assert "trustedProxies" not in k8s_plan.config["gateway"]  # the controller's pods vary
    assert ("networking.k8s.io/v1", "Ingress") in km.OWNED_KINDS  # removed with the gateway
