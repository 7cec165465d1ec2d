"""Redaction by key and by value (issue 17): audit events, revision notes and failure text
never keep a credential, wherever in the text it is."""
import json

from ansible_collections.clawops.orchestrator.plugins.filter.scrub import scrub
from ansible_collections.clawops.orchestrator.plugins.module_utils._events import append
from ansible_collections.clawops.orchestrator.plugins.module_utils._redact import (
    REDACTED, redact, scrub_text)

SLACK = "xoxb-" + "1234567890-abcdefghijKLMN"
ANTHROPIC = "sk-ant-" + "api03-" + "A" * 40
TOKEN = "9f" * 24  # a gateway token: no known shape, only known to the caller
KEY = "-----BEGIN PRIVATE KEY-----\nMIIEv" + "Q" * 60 + "\n-----END PRIVATE KEY-----"


def test_credentials_are_found_anywhere_in_a_text():
    text = ("task failed: POST https://slack.com/api/chat.postMessage with %s refused; "
            "fallback key %s; pem %s; token %s" % (SLACK, ANTHROPIC, KEY, TOKEN))
    out = scrub_text(text, [TOKEN])
    for secret in (SLACK, ANTHROPIC, "MIIEv", TOKEN):
        assert secret not in out
    assert out.count(REDACTED) == 4 and out.startswith("task failed: POST https://slack.com")


def test_short_known_values_do_not_redact_ordinary_words():
    assert scrub_text("the gateway is true to its config", ["true"]) == \
        "the gateway is true to its config"


def test_by_key_and_by_value_in_data():
    data = {"details": {"api_key": "plain", "note": "saw " + SLACK, "items": [ANTHROPIC, 3]}}
    out = redact(data)
    assert out == {"details": {"api_key": REDACTED, "note": "saw " + REDACTED,
                               "items": [REDACTED, 3]}}


def test_the_filter_takes_a_mapping_of_known_secrets():
    known = {"OPENCLAW_GATEWAY_TOKEN": TOKEN, "EMPTY": None}
    assert TOKEN not in scrub("health gate said: bad token %s" % TOKEN, known)
    assert scrub(42) == "42"


def test_an_event_keeps_no_credential_from_a_failure_message(tmp_path):
    log = tmp_path / "events.jsonl"
    append(str(log), "alice", "update", "acme/gw-a", "failed",
           {"failure": "Write openclaw.json: provider said 401 for %s" % ANTHROPIC},
           diff={"before": "botToken: %s" % SLACK, "after": ""})
    text = log.read_text()
    assert ANTHROPIC not in text and SLACK not in text
    assert json.loads(text)["details"]["failure"].endswith(REDACTED)
