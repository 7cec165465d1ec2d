# -*- coding: utf-8 -*-
"""The health gate's waiter (module_utils/_gate.py) over a scripted client: the stages, their
order, the deadlines, what a failure says. The real gateways are gated in the integration
tests of both providers (deploys, updates, rollbacks)."""

from __future__ import annotations

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._gate import (
    STAGES, GateFailed, gate)


class Clock(object):
    def __init__(self):
        self.now = 0.0

    def sleep(self, seconds):
        self.now += seconds

    def __call__(self):
        return self.now


class Client(object):
    """Answers from scripts: each call takes the next answer (the last one repeats)."""

    instance = "acme-gw-a"

    def __init__(self, states, startup, ready, cli_rc=0, logs="line 1\nline 2\n", events=()):
        self.states, self.startup, self.ready = list(states), list(startup), list(ready)
        self.cli_rc, self._logs, self._events = cli_rc, logs, list(events)
        self.calls = []

    @staticmethod
    def _next(script):
        return script.pop(0) if len(script) > 1 else script[0]

    def state(self):
        self.calls.append("state")
        return self._next(self.states)

    def probe(self, kind, token=None, timeout=10):
        self.calls.append((kind, token))
        return self._next(self.startup if kind == "startup" else self.ready)

    def cli(self, args, timeout=60):
        self.calls.append(args[0])
        return self.cli_rc, "out", ""

    def logs(self, tail):
        return self._logs

    def events(self):
        return self._events


UP = {"running": True, "hopeless": False}
STARTED, READY = {"status": "started"}, {"ready": True, "failing": []}


def run(client, **kwargs):
    clock = Clock()
    return gate(client, sleep=clock.sleep, clock=clock, **kwargs), clock


def test_a_container_that_stops_for_good_while_starting_fails_at_once():
    gone = {"running": False, "hopeless": True, "reason": "exited with 1"}
    client = Client([UP, UP, gone], [None], [READY])
    with pytest.raises(GateFailed) as failed:
        run(client, token="t0k", deadline=600)
    assert "exited with 1" in str(failed.value)
    assert client.calls.count(("startup", "t0k")) == 2  # not 200 probes until the deadline


def test_the_stages_in_order_and_the_token_only_where_asked():
    client = Client([{"running": False, "hopeless": False}, UP],
                    [None, {"status": "starting"}, STARTED], [{"ready": False}, READY])
    seen, clock = run(client, token="t0k")
    assert seen["startup"] == STARTED and seen["ready"] == READY
    assert seen["doctor"] == {"rc": 0} and seen["health"] == {"rc": 0}
    assert seen["checked"] == [STAGES[s] for s in ("running", "startup", "ready", "doctor",
                                                   "health")]
    # no answer at all: the container's state is asked again (it may have stopped for good)
    assert client.calls == ["state", "state", ("startup", "t0k"), "state", ("startup", "t0k"),
                            ("startup", "t0k"), ("ready", "t0k"), ("ready", "t0k"),
                            "doctor", "health"]
    assert clock.now == 4 * 3  # 3 s waits: one for the container, two for /startupz, one for /readyz


def test_doctor_only_after_a_change_and_neither_after_a_hot_apply():
    client = Client([UP], [STARTED], [READY])
    run(client, changed=False)
    assert "doctor" not in client.calls and "health" in client.calls
    client = Client([UP], [STARTED], [READY])
    seen, dummy = run(client, hot_applied=True)
    assert "doctor" not in client.calls and "health" not in client.calls
    assert seen["checked"][-1] == STAGES["ready"]


def test_a_probe_that_never_passes_fails_at_its_stage_with_logs():
    client = Client([UP], [None, {"status": "starting"}], [READY],
                    logs="".join("[gateway] line %d\n" % n for n in range(100)))
    with pytest.raises(GateFailed) as failed:
        run(client, deadline=30, log_lines=3)
    text = failed.value.message()
    assert failed.value.stage == "startup"
    assert text.startswith("health gate failed for acme-gw-a at Wait for /startupz to report "
                           "started: {'status': 'starting'}")
    assert text.endswith("-- last log lines: ['[gateway] line 97', '[gateway] line 98', "
                         "'[gateway] line 99']")
    assert "\n" not in text


def test_a_hopeless_container_fails_at_once_with_the_platform_s_words():
    crash = {"running": False, "hopeless": True,
             "reason": "container gateway: CrashLoopBackOff exit code 78 (Error)"}
    client = Client([crash], [STARTED], [READY], events=["Back-off restarting failed container"])
    with pytest.raises(GateFailed) as failed:
        run(client)
    message = failed.value.message()
    assert failed.value.stage == "running" and "exit code 78" in message
    assert "-- events: ['Back-off restarting failed container']" in message
    assert ("startup", None) not in client.calls


def test_a_container_the_engine_restarts_is_up_and_its_probes_decide():
    restarting = {"running": False, "up": True, "hopeless": False}
    client = Client([restarting], [None], [READY])
    with pytest.raises(GateFailed) as failed:
        run(client, deadline=9)
    assert failed.value.stage == "startup" and failed.value.answer == "no JSON answer"


def test_a_failing_cli_check_names_its_output():
    client = Client([UP], [STARTED], [READY], cli_rc=1)
    with pytest.raises(GateFailed) as failed:
        run(client)
    assert failed.value.stage == "doctor" and "Run openclaw doctor" in failed.value.message()
    assert failed.value.answer == "rc 1: out"


def test_a_cli_check_that_does_not_answer_says_so():
    client = Client([UP], [STARTED], [READY], cli_rc=None)
    with pytest.raises(GateFailed) as failed:
        run(client)
    assert failed.value.answer == ("no answer in 300 s (a CLI start in a busy container): out")


class BackendClient(Client):
    def __init__(self, answers, **kwargs):
        super(BackendClient, self).__init__([UP], [STARTED], [READY], **kwargs)
        self.answers = list(answers)

    def backend(self, url, key_env, timeout=15):
        self.calls.append(("backend", url, key_env))
        return self._next(self.answers)


BACKEND = {"id": "local", "url": "http://acme-backend-local:8000/v1", "models": ["smoke"],
           "key_env": "CLAWOPS_BACKEND_LOCAL_KEY"}


def test_the_gate_waits_for_a_backend_that_is_still_loading():
    clock = Clock()
    client = BackendClient([{"error": "ECONNREFUSED"}, {"error": "ECONNREFUSED"},
                            {"status": 200, "models": ["smoke"], "ms": 4}])
    seen = gate(client, "t", backends=[BACKEND], deep=False, sleep=clock.sleep, clock=clock)
    assert STAGES["backends"] in seen["checked"]
    assert seen["checked"].index(STAGES["backends"]) == seen["checked"].index(STAGES["ready"]) + 1
    assert seen["backends"]["local"]["models"] == ["smoke"]
    assert client.calls.count(("backend", BACKEND["url"], BACKEND["key_env"])) == 3


def test_a_gateway_whose_backend_is_down_fails_its_gate_naming_the_backend():
    clock = Clock()
    client = BackendClient([{"error": "ENOTFOUND"}])
    with pytest.raises(GateFailed) as caught:
        gate(client, "t", deadline=30, backends=[BACKEND], sleep=clock.sleep, clock=clock)
    assert caught.value.stage == "backends"
    assert ("health gate failed for acme-gw-a at Wait for its model backends to serve their "
            "models to it: model backend local (http://acme-backend-local:8000/v1) is not "
            "reachable from the gateway: ENOTFOUND") in str(caught.value)
    assert 30 <= clock.now < 40


def test_the_backend_stage_has_its_own_deadline():
    clock = Clock()
    client = BackendClient([{"error": "ECONNREFUSED"}])
    with pytest.raises(GateFailed):
        gate(client, "t", deadline=300, backends=[BACKEND], backend_deadline=12,
             sleep=clock.sleep, clock=clock)
    assert 12 <= clock.now < 20
