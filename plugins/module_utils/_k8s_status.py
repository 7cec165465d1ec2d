# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a Kubernetes gateway's Deployment and pods say, as plain data.

Pure functions over the objects the API server returns (dicts, as kubernetes.core.k8s_info
gives them); the health gate and the gateway_status module do the I/O.
"""

from __future__ import annotations

TEMPLATE_KEYS = ("clawops.dev/restart-sha256", "clawops.dev/env-sha256")
# Container states that do not get better by waiting.
HOPELESS = ("CrashLoopBackOff", "ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull",
            "InvalidImageName", "CreateContainerConfigError", "CreateContainerError",
            "RunContainerError", "PreCreateHookError", "PostStartHookError")
GATEWAY = "gateway"


def _template(deployment):
    template = deployment.get("spec", {}).get("template", {})
    annotations = template.get("metadata", {}).get("annotations") or {}
    containers = template.get("spec", {}).get("containers") or [{}]
    image = next((c.get("image") for c in containers if c.get("name") == GATEWAY),
                 containers[0].get("image"))
    return {key: annotations.get(key) for key in TEMPLATE_KEYS}, image


def _of_template(pod, wanted, image):
    annotations = pod.get("metadata", {}).get("annotations") or {}
    containers = pod.get("spec", {}).get("containers") or []
    pod_image = next((c.get("image") for c in containers if c.get("name") == GATEWAY), None)
    return pod_image == image and all(annotations.get(k) == v for k, v in wanted.items())


def _container_problem(status):
    """(reason, detail) when a container status says it will not start, else None."""
    state = status.get("state") or {}
    waiting = state.get("waiting") or {}
    if waiting.get("reason") in HOPELESS:
        last = (status.get("lastState") or {}).get("terminated") or {}
        detail = waiting.get("message") or ""
        if last:
            detail = ("exit code %s (%s) %s" % (last.get("exitCode"), last.get("reason"),
                                                detail)).strip()
        return waiting["reason"], detail
    terminated = state.get("terminated") or {}
    if terminated and terminated.get("exitCode") not in (None, 0) and \
            status.get("name") != GATEWAY and (status.get("restartCount") or 0) >= 1:
        return "InitFailed", "exit code %s (%s)" % (terminated.get("exitCode"),
                                                    terminated.get("reason"))
    return None


def gateway_pod(deployment, pods):
    """The pod that runs the Deployment's current template, and how it is doing.

    Returns pod (name or None), phase, running (gateway container running), started
    (startup probe passed), ready, restarts, hopeless (waiting will not help), reason,
    container (the one with the problem), pods (names of every pod of the gateway).
    """
    result = {"pod": None, "phase": None, "running": False, "started": False, "ready": False,
              "restarts": 0, "hopeless": False, "reason": "", "container": GATEWAY,
              "pods": [], "replicas": None}
    if not deployment:
        result.update(hopeless=True, reason="the Deployment does not exist")
        return result
    replicas = deployment.get("spec", {}).get("replicas", 1)
    result["replicas"] = replicas
    live = [p for p in pods or [] if not p.get("metadata", {}).get("deletionTimestamp")]
    result["pods"] = sorted(p["metadata"]["name"] for p in pods or [])
    if replicas == 0:
        result.update(hopeless=True, reason="the gateway is stopped (replicas 0)")
        return result
    wanted, image = _template(deployment)
    current = sorted((p for p in live if _of_template(p, wanted, image)),
                     key=lambda p: p["metadata"].get("creationTimestamp") or "")
    if not current:
        result["reason"] = "no pod of the current template yet"
        return result
    pod = current[-1]
    status = pod.get("status") or {}
    result["pod"] = pod["metadata"]["name"]
    result["phase"] = status.get("phase")
    for cond in status.get("conditions") or []:
        if cond.get("type") == "Ready":
            result["ready"] = cond.get("status") == "True"
        if cond.get("type") == "PodScheduled" and cond.get("status") == "False":
            result["reason"] = "%s: %s" % (cond.get("reason"), cond.get("message"))
    for init in status.get("initContainerStatuses") or []:
        problem = _container_problem(init)
        if problem:
            result.update(hopeless=True, container=init.get("name"),
                          reason="init container %s: %s %s" % (init.get("name"), *problem))
            return result
        if not (init.get("state") or {}).get("terminated"):
            result["reason"] = "init container %s running" % init.get("name")
            result["container"] = init.get("name")
    for main in status.get("containerStatuses") or []:
        if main.get("name") != GATEWAY:
            continue
        result["restarts"] = main.get("restartCount") or 0
        result["running"] = bool((main.get("state") or {}).get("running"))
        result["started"] = bool(main.get("started"))
        problem = _container_problem(main)
        if problem:
            result.update(hopeless=True, container=GATEWAY,
                          reason="container gateway: %s %s" % problem)
        elif result["running"]:
            result["reason"] = ""
    if status.get("phase") == "Failed":
        why = status.get("message") or status.get("reason") or ""
        result.update(hopeless=True, reason="pod failed: %s" % why)
    return result


def classify(deployment, pod_state, ready_answer):
    """One of running / degraded / stopped / failed / absent for gateway_status."""
    if not deployment:
        return "absent"
    if pod_state.get("replicas") == 0:
        return "stopped"
    if pod_state.get("hopeless"):
        return "failed"
    if pod_state.get("running") and isinstance(ready_answer, dict) and \
            ready_answer.get("ready") is True:
        return "running"
    return "degraded"
