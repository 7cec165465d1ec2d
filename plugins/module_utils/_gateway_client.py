# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One client for a running gateway, wherever it runs.

A gateway is a container on a Docker host (reached with the docker CLI) or the gateway
container of its pod (reached with the kubernetes client, ``_k8s_api``). Modules that talk
to a gateway - ``gateway_gate``, ``gateway_status``, ``gateway_devices`` - take one
``endpoint`` option (doc fragment ``gateway_endpoint``: what ``clawops_runtime.endpoint``
holds) and ``connect`` gives them a client with the same methods for both:

- ``state()``: is the gateway container there and running, can waiting still help, its
  image, start time, restarts, and the reason when it is not running;
- ``exec(argv, timeout)``: (rc, stdout, stderr) of a command in the gateway container (rc
  None when it timed out); ``cli(args, timeout)`` runs ``openclaw`` there;
- ``probe(kind, token)``: the JSON body of ``/startupz``, ``/readyz`` or ``/healthz``
  (None when there is no JSON answer: unknown paths answer 200 HTML);
- ``backend(url, key_env)``: what a model backend's ``/models`` answers from the gateway's
  container (its network, its key);
- ``logs(tail)``, ``events()``, ``memory()``;
- ``container_view(state)``: what a report shows of the container (provider-shaped keys);
  ``classify(ready)``: the gateway's state word (running, crash-looping, ...) from what
  ``state()`` saw and the ``/readyz`` answer.

The parsers are pure (``parse_probe``); the I/O is the docker CLI (a ``run`` callable: the
module's ``run_command`` under a deadline) or the kubernetes client.
"""

from __future__ import annotations

import json
import re

from ._cli import bounded
from ._devices import DevicesProblem, parse_json
from ._k8s_status import classify as classify_deployment, gateway_pod
from ._status import classify as classify_container, parse_size
from ._workload import OPENCLAW, backend_probe_argv, probe_argv, PROBE_PATHS

_MEMORY_READ = ("cat /sys/fs/cgroup/memory.current 2>/dev/null || "
                "cat /sys/fs/cgroup/memory/memory.usage_in_bytes")


# The ``endpoint`` option of every module that talks to a gateway (doc fragment
# clawops.orchestrator.gateway_endpoint; the inventory's clawops_runtime.endpoint).
ENDPOINT_OPTION = dict(type="dict", required=True, options=dict(
    provider=dict(type="str", required=True, choices=["compose", "k8s"]),
    instance=dict(type="str", required=True),
    port=dict(type="int", required=True),
    address=dict(type="str"),
    url=dict(type="str"),
    namespace=dict(type="str"),
    deployment=dict(type="str"),
    kubeconfig=dict(type="path"),
    context=dict(type="str"),
))


class GatewayProblem(Exception):
    """The gateway cannot be reached (no cluster, no docker, no such container)."""


def parse_probe(text):
    """The probe's JSON object, or None (no answer, HTML, not an object)."""
    try:
        data = json.loads(text or "")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


class GatewayClient(object):
    """What every gateway client does (see the module docstring)."""

    provider = None

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.instance = endpoint["instance"]
        self.port = endpoint["port"]

    def state(self):
        raise NotImplementedError

    def exec(self, argv, timeout=20):
        raise NotImplementedError

    def cli(self, args, timeout=60):
        return self.exec([OPENCLAW] + list(args), timeout)

    def cli_json(self, args, timeout=60):
        """What ``openclaw <args>`` (a ``--json`` command) printed, parsed; None when it
        failed or printed no JSON - for reads that report what they could not learn."""
        rc, out, dummy = self.cli(args, timeout)
        if rc != 0:
            return None
        try:
            return parse_json(out, "openclaw " + " ".join(args[:3]))
        except DevicesProblem:
            return None

    def probe(self, kind, token=None, timeout=10):
        """In the container, with the gateway's own token for /readyz (never on a command line)."""
        rc, out, dummy = self.exec(probe_argv(self.port, kind, kind == "ready"), timeout)
        return parse_probe(out)

    def backend(self, url, key_env, timeout=15):
        """What a model backend's ``/models`` answers the gateway, from its container (its
        network, its key): {status, models, ms} or {error, ms}; None without an answer."""
        rc, out, dummy = self.exec(backend_probe_argv(url, key_env), timeout)
        return parse_probe(out)

    def logs(self, tail=200):
        raise NotImplementedError

    def events(self):
        """Warnings the platform recorded about the gateway (Kubernetes events)."""
        return []

    def memory(self):
        """{used_bytes, limit_bytes} or None."""
        raise NotImplementedError

    # what a report shows of the container, from state()
    view_keys = ()

    def container_view(self, state):
        return {key: state.get(key) for key in self.view_keys}

    def classify(self, ready):
        """The state word, after state(); ``ready``: the /readyz answer or None."""
        raise NotImplementedError


class DockerGateway(GatewayClient):
    """A gateway container on this Docker host, through the docker CLI."""

    provider = "compose"

    def __init__(self, endpoint, run, http=None, docker="docker"):
        """``run(argv) -> (rc, out, err)``: the module's run_command; ``http(url, headers,
        timeout) -> body or None``: its HTTP GET (any status)."""
        super(DockerGateway, self).__init__(endpoint)
        self._run, self._http, self.docker = run, http, docker
        self.raw_state = None  # the engine's State of the container, as inspect says

    def _docker(self, args, seconds=120):
        return self._run(bounded([self.docker] + list(args), seconds))

    def inspect(self):
        rc, out, dummy = self._docker(["inspect", self.instance])
        if rc != 0:
            return None
        try:
            return json.loads(out)[0]
        except (ValueError, IndexError):
            return None

    def state(self):
        info = self.inspect()
        self.raw_state = (info or {}).get("State") if info else None
        if info is None:
            return {"present": False, "running": False, "hopeless": True, "image": None,
                    "started_at": None, "restarts": 0, "version": None,
                    "reason": "container %s does not exist" % self.instance}
        state = info.get("State") or {}
        labels = (info.get("Config") or {}).get("Labels") or {}
        running = bool(state.get("Running")) and not state.get("Restarting")
        reason = ""
        if not running:
            reason = "container %s is %s (exit code %s)" % (
                self.instance, "restarting" if state.get("Restarting") else state.get("Status"),
                state.get("ExitCode"))
        return {"present": True, "running": running,
                # the engine keeps it running (restarting it when it exits): up for the gate
                "up": bool(state.get("Running") or state.get("Restarting")),
                "image": (info.get("Config") or {}).get("Image"),
                "started_at": state.get("StartedAt"), "restarts": info.get("RestartCount") or 0,
                "version": labels.get("org.opencontainers.image.version"),
                # a stopped container stays stopped; a restarting one may still come up
                "hopeless": state.get("Status") in ("exited", "dead", "created") and
                not state.get("Restarting") and not state.get("Running"),
                "reason": reason, "status": state.get("Status"),
                "restarting": state.get("Restarting"), "exit_code": state.get("ExitCode"),
                "health": (state.get("Health") or {}).get("Status")}

    def exec(self, argv, timeout=20):
        rc, out, err = self._docker(["exec", self.instance] + list(argv), timeout + 10)
        return (None if rc in (124, 137) else rc), out, err

    def probe(self, kind, token=None, timeout=10):
        """Over HTTP from this host when the gateway is published here (no process started
        in the container), else in the container."""
        address = self.endpoint.get("address")
        if not address or self._http is None:
            return super(DockerGateway, self).probe(kind, token, timeout)
        headers = {"Authorization": "Bearer " + token} if token and kind == "ready" else {}
        body = self._http("http://%s:%d%s" % (address, self.port, PROBE_PATHS[kind]), headers,
                          timeout)
        return parse_probe(body.decode("utf-8", "replace") if isinstance(body, bytes) else body)

    def logs(self, tail=200):
        rc, out, err = self._docker(["logs", "--tail", str(int(tail)), self.instance])
        return (out or "") + (err or "")

    view_keys = ("status", "running", "restarting", "exit_code", "started_at", "restarts",
                 "health", "image")

    def container_view(self, state):
        if not state.get("present"):  # no container: nothing to show
            return {}
        shown = super(DockerGateway, self).container_view(state)
        shown["restart_count"] = shown.pop("restarts")
        return shown

    def classify(self, ready):
        return classify_container(self.raw_state, ready)

    def memory(self):
        rc, out, dummy = self._docker(["stats", "--no-stream", "--format", "{{.MemUsage}}",
                                       self.instance])
        if rc != 0 or "/" not in out:
            return None
        used, limit = out.strip().split("/", 1)
        return {"used_bytes": parse_size(used), "limit_bytes": parse_size(limit)}


class PodGateway(GatewayClient):
    """The gateway container of the pod that runs its Deployment's current template."""

    provider = "k8s"

    def __init__(self, endpoint, cluster):
        super(PodGateway, self).__init__(endpoint)
        self.cluster = cluster
        self.namespace = endpoint["namespace"]
        self.deployment_name = endpoint.get("deployment") or self.instance
        self.deployment, self.pods, self.pod = None, [], {}

    def state(self):
        self.deployment = self.cluster.deployment(self.namespace, self.deployment_name)
        self.pods = self.cluster.pods(self.namespace,
                                      "app.kubernetes.io/instance=%s" % self.instance)
        self.pod = gateway_pod(self.deployment, self.pods)
        image, started_at = None, None
        if self.deployment:
            image = self.deployment["spec"]["template"]["spec"]["containers"][0].get("image")
        for item in self.pods:
            if item["metadata"]["name"] == self.pod["pod"]:
                started_at = (item.get("status") or {}).get("startTime")
        return dict(self.pod, present=self.deployment is not None, image=image,
                    started_at=started_at, version=None)

    def exec(self, argv, timeout=20):
        if not self.pod:
            self.state()
        if not self.pod.get("pod"):
            return 126, "", "no pod of %s runs its gateway (%s)" % (self.instance,
                                                                    self.pod.get("reason"))
        return self.cluster.exec(self.namespace, self.pod["pod"], "gateway", argv, timeout)

    def logs(self, tail=200):
        if not self.pod.get("pod"):
            return ""
        # the container that has the problem; the previous run of one that restarted and is
        # not running now (its last words explain the restart)
        previous = self.pod.get("restarts", 0) > 0 and not self.pod.get("running")
        return self.cluster.logs(self.namespace, self.pod["pod"],
                                 self.pod.get("container") or "gateway", tail, previous)

    def events(self):
        if not self.pod.get("pod"):
            return []
        return self.cluster.warnings(self.namespace, self.pod["pod"])

    view_keys = ("pod", "phase", "running", "started", "ready", "restarts", "hopeless",
                 "reason", "container", "pods", "replicas", "image", "started_at")

    def classify(self, ready):
        return classify_deployment(self.deployment, self.pod, ready)

    def memory(self):
        rc, out, dummy = self.exec(["/bin/sh", "-c", _MEMORY_READ])
        if rc != 0 or not out.strip().isdigit():
            return None
        template = (self.deployment or {}).get("spec", {}).get("template", {}).get(
            "spec", {}).get("containers", [{}])[0]
        limit = (template.get("resources") or {}).get("limits", {}).get("memory")
        return {"used_bytes": int(out.strip()),
                "limit_bytes": parse_size(re.sub(r"i$", "iB", limit or ""))}


def connect(endpoint, run=None, http=None, docker="docker"):
    """The client of the gateway ``endpoint`` names. ``run``, ``http``: the module's
    run_command and HTTP GET (a Docker host). Raises GatewayProblem with what to fix."""
    if endpoint.get("provider") == "k8s":
        from ._k8s_api import ClusterError, open_cluster  # pylint: disable=import-outside-toplevel
        if not endpoint.get("namespace"):
            raise GatewayProblem("a Kubernetes gateway's endpoint needs its namespace")
        try:
            return PodGateway(endpoint, open_cluster(endpoint.get("kubeconfig"),
                                                     endpoint.get("context")))
        except ClusterError as exc:
            raise GatewayProblem(str(exc))
    if run is None:
        raise GatewayProblem("a Compose gateway is reached with the docker CLI of its host")
    return DockerGateway(endpoint, run, http, docker)
