# -*- coding: utf-8 -*-
"""The one secret adapter (module_utils/_secrets.py): env, file, Vault through a callable."""

from __future__ import annotations

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._secrets import (
    SecretProblem, check, describe, resolve)

VALUE = "s3cr3t-canary-value"


def test_env_file_and_vault(tmp_path):
    token = tmp_path / "gw.token"
    token.write_text(VALUE + "\n")
    calls = []

    def vault_get(path, mount):
        calls.append((path, mount))
        return {"token": VALUE, "other": "x"}

    assert resolve({"source": "env", "var": "GW_TOKEN"}, environ={"GW_TOKEN": VALUE}) == VALUE
    assert resolve({"source": "file", "path": str(token)}) == VALUE
    assert resolve({"source": "vault", "path": "clawops/gw", "key": "token"},
                   vault_get=vault_get) == VALUE
    assert resolve({"source": "vault", "path": "p", "key": "token", "mount": "kv"},
                   vault_get=vault_get) == VALUE
    assert calls == [("clawops/gw", "secret"), ("p", "kv")]


def test_missing_values_are_empty_and_check_names_reference_and_fix(tmp_path):
    refs = [({"source": "env", "var": "NOPE"}, "env NOPE", "environment variable"),
            ({"source": "file", "path": str(tmp_path / "nope")}, "file ", "file"),
            ({"source": "vault", "path": "p", "key": "k"}, "vault secret/p key k", "Vault secret")]
    for ref, where, what in refs:
        value = resolve(ref, vault_get=lambda p, m: {}, environ={})
        assert value == ""
        with pytest.raises(SecretProblem) as err:
            check("OPENCLAW_GATEWAY_TOKEN of gateway gw-a", ref, value)
        text = str(err.value)
        assert where in text and ("Set that %s" % what) in text
        assert text.startswith("OPENCLAW_GATEWAY_TOKEN of gateway gw-a is empty")


def test_a_multi_line_value_is_refused_without_showing_it():
    ref = {"source": "env", "var": "X"}
    with pytest.raises(SecretProblem) as err:
        check("X", ref, VALUE + "\n" + VALUE)
    assert VALUE not in str(err.value) and "single line" in str(err.value)


def test_malformed_reference_and_no_vault_client():
    with pytest.raises(SecretProblem):
        resolve({"source": "ssm", "path": "x"})
    with pytest.raises(SecretProblem):
        resolve("plain-value")
    with pytest.raises(SecretProblem) as err:
        resolve({"source": "vault", "path": "p", "key": "k"})
    assert "no Vault client" in str(err.value)
    assert describe({"source": "vault", "path": "p", "key": "k", "mount": "kv"}) == \
        "vault kv/p key k"


def test_the_secrets_digest_is_keyed_by_the_gateway_auth_secret():
    """Revisions and the pod template record a digest of the secrets (issue 17): keyed with
    the gateway's own auth secret, so a weak value cannot be guessed from it."""
    import hashlib

    from ansible_collections.clawops.orchestrator.plugins.module_utils._secrets import (
        env_file_values, secrets_digest)
    values = {"OPENCLAW_GATEWAY_TOKEN": "t" * 64, "SLACK_APP_PASSWORD": "hunter2"}
    digest = secrets_digest(values)
    assert digest == secrets_digest(dict(values))
    plain = hashlib.sha256("".join("%s=%s\n" % (k, values[k]) for k in sorted(values))
                           .encode()).hexdigest()
    assert digest != plain
    # a guess of the weak value alone cannot be checked without the token
    assert secrets_digest(dict(values, OPENCLAW_GATEWAY_TOKEN="u" * 64)) != digest
    assert secrets_digest(dict(values, SLACK_APP_PASSWORD="hunter3")) != digest
    text = "# generated\nOPENCLAW_GATEWAY_TOKEN=%s\nSLACK_APP_PASSWORD=hunter2\nX=a=b\n" % ("t" * 64)
    assert env_file_values(text) == dict(values, X="a=b")
