"""The conformance suite's checks catch what they promise to (topgun.testing.conformance).

A toy exchange plays each part: a vector with the wrong signature, a verifier that must refuse a
wrong secret, a credential on a public request, a heartbeat slower than the exchange's idle
cut-off, a login that lets a refused connection go on. Each check passes on the good case and
fails on the bad one.
"""

from __future__ import annotations

import hmac
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from topgun import Credential
from topgun.plugin import ApiSpec, AuthenticationError, Heartbeat, Host, RateLimit, WebSocketLogin
from topgun.registry import Registry, build_registry
from topgun.testing.conformance import Exchange, HttpRecord, Login, Socket, load_vectors
from topgun.testing.conformance.logins import check_login, check_socket
from topgun.testing.conformance.signing import (
    check_unsigned,
    check_vector,
    local_exchange,
    replay,
)

from .conftest import make_plugin, toy_plugin, toy_signature

KEY, SECRET = "toy-conformance-key", "toy-conformance-secret"


def _vector_file(tmp_path: Path, **changes: Any) -> Path:
    case = {
        "name": "get-with-query",
        "api": "toy",
        "credential": [KEY, SECRET],
        "time": 1700000000.0,
        "request": {"method": "GET", "url": "https://api.toy.test/v1/orders?symbol=BTC"},
        "expected": {
            "headers": {
                "X-TOY-KEY": KEY,
                # The toy's recipe, computed here independently of its signer.
                "X-TOY-SIGN": hmac.digest(
                    SECRET.encode(), b"GET/v1/orders?symbol=BTC", "sha256"
                ).hex(),
            },
            "all_headers": True,
        },
        **changes,
    }
    path = tmp_path / "toy.json"
    path.write_text(json.dumps({"doc": "https://toy.test/docs#signing", "vectors": [case]}))
    return path


def verify(request: HttpRecord, credential: Credential) -> bool:
    want = toy_signature(credential.secret, request.method, request.path_qs, request.body)
    return request.headers.get("X-TOY-KEY") == credential.key and hmac.compare_digest(
        request.headers.get("X-TOY-SIGN", ""), want
    )


@pytest.fixture
def registry() -> Registry:
    return build_registry([toy_plugin()], strict=True)


def test_a_vector_passes_as_documented_and_fails_otherwise(
    tmp_path: Path, registry: Registry
) -> None:
    (vector,) = load_vectors(_vector_file(tmp_path))
    check_vector(vector, registry)
    wrong = {"headers": {"X-TOY-SIGN": "0" * 64}}
    (vector,) = load_vectors(_vector_file(tmp_path, expected=wrong))
    with pytest.raises(AssertionError, match="X-TOY-SIGN differs"):
        check_vector(vector, registry)


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"doc": "see the docs"}, "give the doc URL"),
        ({"expected": {"signature": "x"}}, "expected takes"),
        ({"time": "noon"}, "malformed field"),
    ],
)
def test_a_vector_file_says_what_is_wrong(
    tmp_path: Path, changes: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        load_vectors(_vector_file(tmp_path, **changes))


async def test_the_local_exchange_verifies_and_refuses_a_wrong_secret(
    tmp_path: Path, registry: Registry
) -> None:
    (vector,) = load_vectors(_vector_file(tmp_path))
    exchange = Exchange(plugin=toy_plugin(), apis={"toy": [KEY, SECRET]}, verify=verify)
    async with local_exchange(exchange, ["api.toy.test"]) as local:
        status, record = await replay(local, registry, vector, vector.credential)
        assert (status, record["verified"]) == (200, True)
        status, record = await replay(
            local, registry, vector, (KEY, "another-secret"), expect=vector.credential
        )
        assert (status, record["verified"]) == (401, False)


def test_a_credential_on_a_request_that_needs_none_is_caught() -> None:
    record = {
        "method": "GET",
        "host": "api.toy.test",
        "path_qs": "/v1/ticker?symbol=BTC",
        "headers": {"Host": "api.toy.test"},
        "body": b"",
    }
    check_unsigned(record, {"x-toy-sign"}, [KEY], {"signature"})
    with pytest.raises(AssertionError, match="credential headers"):
        check_unsigned({**record, "headers": {"X-TOY-SIGN": "abc"}}, {"x-toy-sign"}, [KEY])
    with pytest.raises(AssertionError, match="signing parameters"):
        check_unsigned({**record, "path_qs": "/v1/ticker?signature=1"}, set(), [], {"signature"})
    with pytest.raises(AssertionError, match="credential value"):
        check_unsigned({**record, "body": f'{{"key":"{KEY}"}}'.encode()}, set(), [KEY])


def _ws_registry(beat: Heartbeat | None, pace: RateLimit | None) -> Registry:
    host = Host("ws.toy.test", ws_heartbeat=beat, ws_rate_limit=pace)
    return build_registry([make_plugin("toyws", hosts=[host])], strict=True)


def test_keep_alive_and_pacing_are_held_to_the_docs() -> None:
    registry = _ws_registry(Heartbeat(20.0, "ping"), RateLimit(messages=5, per_seconds=1.1))
    url = "wss://ws.toy.test/stream"
    check_socket(registry, Socket(urls=[url], idle_timeout=30, rate_limit=RateLimit(5, 1.0)), url)
    check_socket(
        registry, Socket(urls=[url], heartbeat_every=20, rate_limit=RateLimit(5, 1.0)), url
    )
    bad = [
        (Socket(urls=[url], idle_timeout=20, rate_limit=RateLimit(5, 1.0)), "drops a connection"),
        (Socket(urls=[url], heartbeat_every=10, rate_limit=RateLimit(5, 1.0)), "asks for one"),
        (Socket(urls=[url], idle_timeout=30, rate_limit=RateLimit(4, 1.0)), "faster than"),
        (Socket(urls=[url], idle_timeout=30), "sets no limit"),
        (Socket(urls=[url], rate_limit=RateLimit(5, 1.0)), "documents no client heartbeat"),
    ]
    for socket, complaint in bad:
        with pytest.raises(AssertionError, match=complaint):
            check_socket(registry, socket, url)
    with pytest.raises(AssertionError, match="not paced"):
        check_socket(
            _ws_registry(None, None), Socket(urls=[url], rate_limit=RateLimit(5, 1.0)), url
        )


async def _careful(login: WebSocketLogin) -> None:
    await login.send_json({"op": "login", "key": login.credential.key})
    reply = await login.receive_json(5.0, match=lambda m: m.get("op") == "login")
    if not reply["ok"]:
        raise AuthenticationError(f"the toy refused the login: {reply['reason']}")


async def _careless(login: WebSocketLogin) -> None:
    """Sends the login and goes on without reading the verdict: a silently unauthenticated link."""
    await login.send_json({"op": "login", "key": login.credential.key})


def _login_setup(authenticator: Any) -> tuple[Exchange, Registry, Login]:
    plugin = make_plugin(
        "toylogin",
        apis=[ApiSpec("toylogin")],
        hosts=[Host("ws.toylogin.test", api="toylogin", ws_authenticator=authenticator)],
    )
    exchange = Exchange(plugin=plugin, apis={"toylogin": [KEY, SECRET]})
    login = Login(
        url="wss://ws.toylogin.test/private",
        subscribe={"op": "subscribe", "channel": "orders"},
        login={"op": "login"},
        accepted=[{"op": "login", "ok": True, "reason": ""}],
        refused=[{"op": "login", "ok": False, "reason": "bad signature"}],
        reason="bad signature",
    )
    return exchange, build_registry([plugin], strict=True), login


async def test_a_login_is_checked_both_ways(caplog: pytest.LogCaptureFixture) -> None:
    exchange, registry, login = _login_setup(_careful)
    await check_login(exchange, registry, login, accepted=True, caplog=caplog)
    await check_login(exchange, registry, login, accepted=False, caplog=caplog)


async def test_a_login_that_ignores_a_refusal_is_caught(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    exchange, registry, login = _login_setup(_careless)
    with pytest.raises((AssertionError, pytest.fail.Exception)):
        await check_login(exchange, registry, login, accepted=False, caplog=caplog)
