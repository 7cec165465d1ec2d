# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The health gate: one waiter over a gateway client (``_gateway_client``), both providers.

A port that answers is not health (unknown paths answer 200 HTML), so the gate asserts the
JSON bodies, in order: the gateway container runs (for a pod: the pod of the Deployment's
current template; image pull errors, crash loops, failed init containers and a stopped
gateway fail at once), ``/startupz`` says started, ``/readyz`` says ready (with the
gateway's token it names the failing components), then - when the run changed the gateway
and it was not hot-applied - ``openclaw doctor --lint`` (errors only) and ``openclaw
health`` in the container. With model backends, the gateway must reach each one from its
container and the backend must serve the models the fleet declares. A failure names the
stage, the last answer, the platform's warnings and the failing container's last log lines.
Pure: the client does the I/O and the clock and sleep are given.
"""

from __future__ import annotations

import time

STAGES = {
    "running": "Wait for the gateway container to run",
    "startup": "Wait for /startupz to report started",
    "ready": "Wait for /readyz to report ready",
    "backends": "Wait for its model backends to serve their models to it",
    "doctor": "Run openclaw doctor (errors only) inside the instance",
    "health": "Run openclaw health inside the instance",
}
POLL = 3.0
# seconds for doctor and health in the container: each is a CLI start, which took over
# 120 s beside other gateway starts and compiles on 2 cores
CLI_TIMEOUT = 300


class GateFailed(Exception):
    """The gate failed at ``stage`` with ``answer``; ``events`` and ``log_lines`` say why."""

    def __init__(self, instance, stage, answer, events=(), log_lines=()):
        self.instance, self.stage, self.answer = instance, stage, answer
        self.events, self.log_lines = list(events), list(log_lines)
        super(GateFailed, self).__init__(self.message())

    def message(self):
        # one line: callers quote it
        answer = " ".join(str(self.answer).split())[:600]
        text = "health gate failed for %s at %s: %s" % (self.instance, STAGES[self.stage], answer)
        if self.events:
            text += " -- events: %s" % self.events
        return text + " -- last log lines: %s" % self.log_lines


def _until(check, deadline, sleep, clock):
    """Call ``check()`` -> (done, answer) until done or the deadline; (done, last answer)."""
    start = clock()
    while True:
        done, answer = check()
        if done or clock() - start >= deadline:
            return done, answer
        sleep(POLL)


def backend_problem(backend, answer):
    """Why the answer of a backend's /models is not good enough, or None (pure)."""
    where = "model backend %s (%s)" % (backend["id"], backend["url"])
    if not isinstance(answer, dict):
        return "%s: no answer from the gateway's container" % where
    if answer.get("error"):
        return "%s is not reachable from the gateway: %s" % (where, answer["error"])
    if answer.get("status") != 200:
        return "%s answered HTTP %s to /models" % (where, answer.get("status"))
    missing = sorted(set(backend.get("models") or []) - set(answer.get("models") or []))
    if missing:
        return "%s does not serve %s (it serves: %s)" % (
            where, ", ".join(missing), ", ".join(answer.get("models") or []) or "nothing")
    return None


def gate(client, token=None, deadline=180, pod_deadline=420, deep=True, changed=True,
         hot_applied=False, log_lines=40, backends=(), backend_deadline=None,
         sleep=time.sleep, clock=time.monotonic):
    """Gate the gateway ``client`` reaches; returns what each stage saw, raises GateFailed.

    ``pod_deadline``: seconds for the container to be up (a pod: image pull, volume, init
    containers); ``deadline``: for each probe. A container the engine restarts is up: its
    probes say whether it comes back. ``backend_deadline``: for each model backend to
    answer (default ``deadline``)."""
    seen = {"checked": []}
    try:
        state = {}

        def running():
            state.update(client.state())
            return state.get("up", state["running"]) or state["hopeless"], state

        _until(running, pod_deadline, sleep, clock)
        seen["container"] = dict(state)
        if not state.get("up", state["running"]) or state["hopeless"]:
            raise _Failed("running", state.get("reason") or "the gateway container does not run")
        seen["checked"].append(STAGES["running"])

        def probe(kind, key, want):
            def check():
                answer = client.probe(kind, token)
                if answer is None:
                    # no answer: a container that stopped for good will not give one
                    now = client.state()
                    if now.get("hopeless"):
                        raise _Failed(kind, now.get("reason") or "the gateway container stopped")
                return isinstance(answer, dict) and answer.get(key) == want, answer
            done, answer = _until(check, deadline, sleep, clock)
            if not done:
                raise _Failed(kind, answer if answer is not None else "no JSON answer")
            seen[kind] = answer
            seen["checked"].append(STAGES[kind])

        probe("startup", "status", "started")
        probe("ready", "ready", True)
        if backends:
            seen["backends"] = {}
            for backend in backends:
                def reach(backend=backend):
                    answer = client.backend(backend["url"], backend["key_env"])
                    return backend_problem(backend, answer) is None, answer
                done, answer = _until(reach, deadline if backend_deadline is None
                                      else backend_deadline, sleep, clock)
                if not done:
                    raise _Failed("backends", backend_problem(backend, answer))
                seen["backends"][backend["id"]] = answer
            seen["checked"].append(STAGES["backends"])
        if deep and not hot_applied:
            stages = (["doctor"] if changed else []) + ["health"]
            for stage in stages:
                args = (["doctor", "--lint", "--json", "--severity-min", "error"]
                        if stage == "doctor" else ["health", "--json", "--timeout", "10000"])
                rc, out, err = client.cli(args, timeout=CLI_TIMEOUT)
                seen[stage] = {"rc": rc}
                if rc != 0:
                    said = ((out or "") + (err or "")).strip()
                    raise _Failed(stage, "%s%s" % (
                        "no answer in %d s (a CLI start in a busy container)" % CLI_TIMEOUT
                        if rc is None else "rc %s" % rc, ": " + said if said else ""))
                seen["checked"].append(STAGES[stage])
    except _Failed as failed:
        # what the platform and the gateway say now
        try:
            client.state()
        except Exception:  # pylint: disable=broad-exception-caught
            pass  # the failure is reported anyway
        lines = client.logs(log_lines).splitlines()[-log_lines:]
        raise GateFailed(client.instance, failed.stage, failed.answer, client.events(), lines)
    return seen


class _Failed(Exception):
    def __init__(self, stage, answer):
        super(_Failed, self).__init__(stage)
        self.stage, self.answer = stage, answer
