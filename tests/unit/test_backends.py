# -*- coding: utf-8 -*-
"""Model backends of fleet.yml (issue 19): declared once, a gateway lists them, the core
injects models.providers.<id> and the catalog sees their models."""

from __future__ import annotations

import os

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._errors import FleetErrors
from ansible_collections.clawops.orchestrator.plugins.module_utils._fleet import load_fleet
from ansible_collections.clawops.orchestrator.plugins.module_utils._preflight import run_preflight
from ansible_collections.clawops.orchestrator.plugins.module_utils._render import render_fleet

from conftest import MINIMAL, ROOT, assert_golden
from fleet_error_cases import GW, gateway

FLEET = MINIMAL["fleet.yml"] + """
        backends:
          lab-llm:
            url: http://llm.lab.internal:8000/v1
            models: [tiny-1, tiny-2]
            context_window: 4096
          keyed-llm:
            url: https://llm.example/v1
            api: openai-responses
            models: [big]
            api_key: {source: env, var: TEST_LLM_KEY}
            tier: high-trust
        """
AGENTS = "[{id: helper, kind: usecase, model: {primary: lab-llm/tiny-1, fallbacks: [keyed-llm/big]}}]"


def _plan(make_fleet, backends="[lab-llm, keyed-llm]", agents=AGENTS):
    root = make_fleet({"fleet.yml": FLEET, GW: gateway(backends=backends, agents=agents)})
    return root, render_fleet(load_fleet(root))["gw-one"]


def test_a_listed_backend_is_a_provider_of_the_gateway(make_fleet):
    root, plan = _plan(make_fleet)
    providers = plan.config["models"]["providers"]
    assert providers["lab-llm"] == {
        "baseUrl": "http://llm.lab.internal:8000/v1", "api": "openai-completions",
        "apiKey": {"source": "env", "provider": "default", "id": "CLAWOPS_BACKEND_LAB_LLM_KEY"},
        "models": [{"id": "tiny-1", "name": "tiny-1", "contextWindow": 4096, "maxTokens": 2048},
                   {"id": "tiny-2", "name": "tiny-2", "contextWindow": 4096, "maxTokens": 2048}]}
    assert providers["keyed-llm"]["api"] == "openai-responses"
    # no key: a placeholder the server ignores, as plain env; a key: a secret reference
    assert plan.runtime["env"]["CLAWOPS_BACKEND_LAB_LLM_KEY"] == "clawops-no-key"
    assert "CLAWOPS_BACKEND_LAB_LLM_KEY" not in plan.runtime["secret_env"]
    assert plan.runtime["secret_env"]["CLAWOPS_BACKEND_KEYED_LLM_KEY"] == {
        "source": "env", "var": "TEST_LLM_KEY"}
    assert "CLAWOPS_BACKEND_KEYED_LLM_KEY" not in plan.runtime["env"]
    assert [b["id"] for b in plan.runtime["backends"]] == ["lab-llm", "keyed-llm"]
    # provenance: fleet.yml's backends
    rows = {row["path"]: row for row in plan.provenance(("models", "providers", "lab-llm"))}
    assert rows["models.providers.lab-llm.baseUrl"]["file"] == "fleet.yml"
    assert rows["models.providers.lab-llm.baseUrl"]["file_path"].startswith("backends.lab-llm")
    report = run_preflight(root)
    assert report.ok, report.text()


def test_a_gateway_without_the_backend_gets_nothing_of_it(make_fleet):
    root, plan = _plan(make_fleet, backends=None,
                       agents="[{id: helper, kind: usecase, model: anthropic/claude-sonnet-4-5}]")
    assert "lab-llm" not in ((plan.config.get("models") or {}).get("providers") or {})
    assert plan.runtime["backends"] == []


def test_an_unknown_backend_is_a_clear_error(make_fleet):
    root = make_fleet({"fleet.yml": FLEET, GW: gateway(backends="[nope]")})
    with pytest.raises(FleetErrors) as caught:
        load_fleet(root)
    assert caught.value.errors[0].render().startswith(
        "gateways/gw-one.yml: backends[0]: unknown backend 'nope'. Fix: declare it under "
        "backends in fleet.yml or use one of: keyed-llm, lab-llm")


def test_a_backend_named_like_a_catalog_provider_is_refused(make_fleet):
    root = make_fleet({"fleet.yml": FLEET.replace("lab-llm:", "openai:"),
                       GW: gateway(agents="[{id: helper, kind: usecase}]")})
    report = run_preflight(root)
    assert [f.code for f in report.errors] == ["reference"], report.text()
    assert "backend 'openai' has the id of a catalog provider" in report.text()


def test_a_k8s_gateway_may_reach_its_backends_and_nothing_more(make_fleet):
    fleet = FLEET.replace("url: http://llm.lab.internal:8000/v1",
                          "url: http://llm.lab.internal:8000/v1\n"
                          "            k8s: {namespace: llm, pod_labels: {app: vllm}}")
    fleet = fleet.replace("url: https://llm.example/v1", "url: https://10.20.0.7/v1")
    root = make_fleet({"fleet.yml": fleet, GW: gateway(
        backends="[lab-llm, keyed-llm]", agents=AGENTS,
        provider="{type: k8s, cluster: lab, network: {public_https: false}}")})
    plan = render_fleet(load_fleet(root))["gw-one"]
    from ansible_collections.clawops.orchestrator.plugins.module_utils import (
        _k8s_manifests as km)
    policy = [o for o in km.manifests(plan.summary, plan.runtime, plan.config_text, "img:1",
                                      "") if o["kind"] == "NetworkPolicy"][-1]
    egress = policy["spec"]["egress"]
    assert egress[1:] == [
        {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "llm"}},
                 "podSelector": {"matchLabels": {"app": "vllm"}}}],
         "ports": [{"protocol": "TCP", "port": 8000}]},
        {"to": [{"ipBlock": {"cidr": "10.20.0.7/32"}}],
         "ports": [{"protocol": "TCP", "port": 443}]}]
    assert "0.0.0.0/0" not in str(egress)  # a private backend needs no public egress


RUN_FLEET = MINIMAL["fleet.yml"] + """
        backends:
          local:
            models: [smoke]
            context_window: 65536
            max_tokens: 8
            run: {model_file: /srv/models/smoke.gguf, memory: 1g}
        """


def test_a_backend_the_collection_runs_gets_a_derived_url_and_its_own_network(make_fleet):
    root = make_fleet({"fleet.yml": RUN_FLEET, GW: gateway(
        backends="[local]", agents="[{id: helper, kind: usecase, model: local/smoke}]")})
    plan = render_fleet(load_fleet(root))["gw-one"]
    backend = plan.runtime["backends"][0]
    slug = plan.summary["org_slug"]
    assert backend["url"] == "http://%s-backend-local:8000/v1" % slug
    assert plan.config["models"]["providers"]["local"]["baseUrl"] == backend["url"]
    run = backend["run"]
    assert run["network"] == run["name"] == "%s-backend-local" % slug
    assert run["command"] == [
        "python3", "-m", "llama_cpp.server", "--model", "/models/smoke.gguf",
        "--model_alias", "smoke", "--host", "0.0.0.0", "--port", "8000", "--n_ctx", "65536",
        "--n_threads", "2"]
    assert run["image"] is None  # the collection's server image, filled in by the role
    from ansible_collections.clawops.orchestrator.plugins.module_utils._workload import (
        compose_backend_project, compose_project, workload)
    project = compose_backend_project(run, "local/clawops-llama-server:x")
    service = project["services"]["backend"]
    assert "ports" not in service  # reachable on its network only
    assert service["networks"] == ["backend"]
    assert project["networks"] == {"backend": {"name": run["network"], "external": True}}
    assert service["volumes"] == ["/srv/models/smoke.gguf:/models/smoke.gguf:ro"]
    assert service["read_only"] and service["cap_drop"] == ["ALL"]
    assert service["labels"] == {"dev.clawops.backend": "local", "dev.clawops.managed-by": "clawops"}
    assert service["mem_limit"] == "1g"
    assert service["healthcheck"]["test"][:2] == ["CMD", "python3"]
    # the gateway joins the backend's network besides its own
    gateway_project = compose_project(workload(plan.runtime, "img:1"), plan.runtime)
    assert gateway_project["services"]["gateway"]["networks"] == ["default", run["network"]]
    assert gateway_project["networks"][run["network"]] == {"name": run["network"],
                                                           "external": True}
    report = run_preflight(root)
    assert report.ok, report.text()
    # the inventory groups a backend's gateways: removing it is refused while any does
    from ansible_collections.clawops.orchestrator.plugins.module_utils._hostvars import (
        build_hosts)
    assert "backend_local" in build_hosts(root)["hosts"]["gw-one"]["groups"]


def test_a_backend_with_an_image_of_its_own_fills_in_its_command(make_fleet):
    fleet = RUN_FLEET.replace(
        "run: {model_file: /srv/models/smoke.gguf, memory: 1g}",
        "run: {model_file: /srv/models/qwen, image: 'vllm/vllm-openai:v0.11.0', port: 8100,\n"
        "                  command: [vllm, serve, '{model}', --served-model-name, '{model_id}',"
        " --port, '{port}']}")
    root = make_fleet({"fleet.yml": fleet, GW: gateway(
        backends="[local]", agents="[{id: helper, kind: usecase, model: local/smoke}]")})
    run = render_fleet(load_fleet(root))["gw-one"].runtime["backends"][0]["run"]
    assert run["command"] == ["vllm", "serve", "/models/qwen", "--served-model-name", "smoke",
                              "--port", "8100"]
    assert run["image"] == "vllm/vllm-openai:v0.11.0"
    assert run["healthcheck"] is None  # its own image: the gate probes it from the gateway
    assert run["url"].endswith(":8100/v1")


@pytest.mark.parametrize("backend, message, key_path", [
    ("{models: [m]}", "backend 'bad' has neither url nor run", "backends.bad"),
    ("{models: [m], url: 'http://x:1/v1', run: {model_file: /m.gguf}}",
     "backend 'bad' has both url and run", "backends.bad"),
    ("{models: [m], run: {model_file: /m.gguf, image: 'vllm/vllm-openai:v1'}}",
     "backend 'bad' runs an image of your own without a command", "backends.bad.run.command"),
    ("{models: [a, b], run: {model_file: /m.gguf}}",
     "backend 'bad' runs one model file but lists 2 models", "backends.bad.models"),
])
def test_a_backend_is_either_run_or_reached_and_says_so(make_fleet, backend, message, key_path):
    fleet = MINIMAL["fleet.yml"] + "\n        backends:\n          bad: %s\n" % backend
    root = make_fleet({"fleet.yml": fleet, GW: gateway(agents="[{id: helper, kind: usecase}]")})
    with pytest.raises(FleetErrors) as caught:
        load_fleet(root)
    text = caught.value.errors[0].render()
    assert text.startswith("fleet.yml: %s: %s. Fix: " % (key_path, message)), text


def _k8s_run_plan(make_fleet, fleet=RUN_FLEET):
    root = make_fleet({"fleet.yml": fleet, GW: gateway(
        backends="[local]", agents="[{id: helper, kind: usecase, model: local/smoke}]",
        provider="{type: k8s, cluster: lab}")})
    return render_fleet(load_fleet(root))["gw-one"]


def test_a_k8s_gateway_reaches_a_backend_the_collection_runs_by_its_service(make_fleet):
    plan = _k8s_run_plan(make_fleet)
    namespace = plan.runtime["k8s"]["namespace"]
    run = plan.runtime["backends"][0]["run"]
    name = run["name"]
    assert run["url"] == "http://%s.%s.svc:8000/v1" % (name, namespace)
    assert plan.config["models"]["providers"]["local"]["baseUrl"] == run["url"]
    # the cluster's shared gateway namespace by default; admitted like the gateways
    assert run["k8s"]["namespace"] == namespace
    assert run["k8s"]["pod_security"] == plan.runtime["k8s"]["pod_security"]
    assert run["k8s"]["storage"] == "2Gi"
    # the gateway's egress: to the backend's pods on its port, nothing broader
    rule = [r for r in plan.runtime["k8s"]["egress"] if r["name"] == "backend local"]
    assert rule == [{"name": "backend local", "namespace": namespace,
                     "pod_labels": {"app.kubernetes.io/instance": name},
                     "ports": [{"port": 8000}]}]


def test_a_run_backend_may_live_in_a_namespace_of_its_own(make_fleet):
    fleet = RUN_FLEET.replace(
        "run: {model_file: /srv/models/smoke.gguf, memory: 1g}",
        "run: {model_file: /srv/models/smoke.gguf, memory: 1g, storage: 8Gi}\n"
        "            k8s: {namespace: models}")
    plan = _k8s_run_plan(make_fleet, fleet)
    run = plan.runtime["backends"][0]["run"]
    assert run["url"] == "http://%s.models.svc:8000/v1" % run["name"]
    assert run["k8s"]["storage"] == "8Gi"
    assert [r["namespace"] for r in plan.runtime["k8s"]["egress"]
            if r["name"] == "backend local"] == ["models"]


def test_the_gate_names_a_backend_that_does_not_answer_or_lacks_a_model():
    from ansible_collections.clawops.orchestrator.plugins.module_utils._gate import (
        backend_problem)
    backend = {"id": "local", "url": "http://acme-backend-local:8000/v1", "models": ["smoke"]}
    assert backend_problem(backend, {"status": 200, "models": ["smoke"], "ms": 3}) is None
    assert backend_problem(backend, {"error": "ENOTFOUND", "ms": 1}) == (
        "model backend local (http://acme-backend-local:8000/v1) is not reachable from the "
        "gateway: ENOTFOUND")
    assert backend_problem(backend, {"status": 200, "models": ["other"]}) == (
        "model backend local (http://acme-backend-local:8000/v1) does not serve smoke "
        "(it serves: other)")
    assert "answered HTTP 401" in backend_problem(backend, {"status": 401, "models": None})
    assert "no answer" in backend_problem(backend, None)


BACKEND_GOLDEN = os.path.join(ROOT, "tests", "golden", "k8s", "backend-local.json")


def test_a_run_backend_s_k8s_objects_match_the_golden_file_and_keep_their_rules(make_fleet):
    from ansible_collections.clawops.orchestrator.plugins.module_utils._k8s_manifests import (
        BACKEND_MODEL_SHA256, backend_loader_pod, backend_manifests)
    plan = _k8s_run_plan(make_fleet)
    run = plan.runtime["backends"][0]["run"]
    objects = backend_manifests(run, "local/clawops-llama-server:0.3.36-abc", "f" * 64)
    loader = backend_loader_pod(run, "local/clawops-llama-server:0.3.36-abc")
    assert_golden(BACKEND_GOLDEN, {"objects": objects, "loader": loader})
    kinds = [o["kind"] for o in objects]
    assert kinds == ["Namespace", "NetworkPolicy", "NetworkPolicy", "PersistentVolumeClaim",
                     "Service", "Deployment"]
    namespace, policy, deployment = objects[0], objects[2], objects[-1]
    # admitted like the gateways of the cluster (same labels: no conflict between appliers)
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == \
        plan.runtime["k8s"]["pod_security"]
    # in: the org's gateway pods only, on the server's port; out: nothing
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert "egress" not in policy["spec"]
    peer = policy["spec"]["ingress"][0]["from"][0]
    assert peer["podSelector"]["matchLabels"] == {
        "app.kubernetes.io/name": "openclaw", "app.kubernetes.io/part-of": run["org"]}
    assert peer["namespaceSelector"]["matchLabels"] == {"clawops.org": run["k8s"]["org_id"]}
    assert policy["spec"]["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 8000}]
    pod = deployment["spec"]["template"]
    assert pod["metadata"]["annotations"][BACKEND_MODEL_SHA256] == "f" * 64
    server = pod["spec"]["containers"][0]
    assert server["securityContext"]["readOnlyRootFilesystem"] is True
    assert server["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    assert server["readinessProbe"]["httpGet"]["path"] == "/v1/models"
    assert server["command"][server["command"].index("--model") + 1] == "/models/smoke.gguf"
    assert {"name": "model", "mountPath": "/models", "readOnly": True} in server["volumeMounts"]
    assert pod["spec"]["volumes"][0]["persistentVolumeClaim"]["readOnly"] is True
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    assert "ports" not in deployment["spec"]  # a ClusterIP Service, nothing published
    # the loader writes the claim as the server's user (chown first where volumes need it)
    assert loader["spec"]["containers"][0]["securityContext"]["capabilities"] == {
        "drop": ["ALL"]}
    assert loader["spec"]["volumes"][0]["persistentVolumeClaim"] == {
        "claimName": run["name"] + "-model"}


SIDECAR_FLEET = RUN_FLEET.replace(
    "run: {model_file: /srv/models/smoke.gguf, memory: 1g}",
    "run: {model_file: /srv/models/smoke.gguf, memory: 1g, placement: sidecar}")


def test_a_sidecar_backend_is_a_service_of_its_gateways_own_project(make_fleet):
    from ansible_collections.clawops.orchestrator.plugins.module_utils._workload import (
        compose_project, workload)
    root = make_fleet({"fleet.yml": SIDECAR_FLEET, GW: gateway(
        backends="[local]", agents="[{id: helper, kind: usecase, model: local/smoke}]")})
    plan = render_fleet(load_fleet(root))["gw-one"]
    run = plan.runtime["backends"][0]["run"]
    instance = plan.runtime["instance"]
    assert run["sidecar"] is True and run["network"] is None
    assert run["name"] == "%s-backend-local" % instance  # one per gateway
    assert run["url"] == "http://backend-local:8000/v1"  # its service name in the project
    assert plan.config["models"]["providers"]["local"]["baseUrl"] == run["url"]
    project = compose_project(workload(plan.runtime, "img:1"), plan.runtime,
                              backend_image="local/clawops-llama-server:0.3.36-abc")
    sidecar = project["services"]["backend-local"]
    assert sidecar["image"] == "local/clawops-llama-server:0.3.36-abc"
    assert sidecar["container_name"] == run["name"]
    assert "ports" not in sidecar and "networks" not in sidecar  # the project's network only
    assert sidecar["read_only"] is True and sidecar["cap_drop"] == ["ALL"]
    assert sidecar["volumes"] == ["/srv/models/smoke.gguf:/models/smoke.gguf:ro"]
    gateway_service = project["services"]["gateway"]
    assert gateway_service["depends_on"] == {"backend-local": {"condition": "service_healthy"}}
    assert "networks" not in gateway_service and "networks" not in project


def test_a_sidecar_backend_is_refused_on_a_k8s_gateway(make_fleet):
    with pytest.raises(FleetErrors) as caught:
        _k8s_run_plan(make_fleet, SIDECAR_FLEET)
    text = caught.value.errors[0].render()
    assert text.startswith("fleet.yml: backends.local.run.placement: backend 'local' is a "
                           "sidecar, which only a Compose gateway's project runs. Fix: "), text
