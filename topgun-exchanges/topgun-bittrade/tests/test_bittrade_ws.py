"""BitTrade WebSocket: auth (v2.1) on /ws/v2 only, gzip frames, and replies to server pings.

BitTrade API documentation (https://api-doc.bittrade.co.jp/, "websocket(Public)" and
"websocket(Private)"; github.com/BitTrade-Inc/BitTrade-api-docs "websocket-api.md"): /ws frames
are GZIP-compressed, the server pings {"ping": ms} and expects {"pong": ms}; /ws/v2 takes the auth
request and answers {"action": "req", "ch": "auth", "code": 200}; its pings are
{"action": "ping", "data": {"ts": ms}} -> {"action": "pong", "data": {"ts": ms}}. Auth vector:
``printf 'GET\\napi-cloud.bittrade.co.jp\\n/ws/v2\\naccessKey=bittrade-test-key&signatureMethod=
HmacSHA256&signatureVersion=2.1&timestamp=2023-11-14T22%3A13%3A20' | openssl dgst -sha256 -hmac
bittrade-test-secret -binary | base64``.
"""

from __future__ import annotations

import gzip
from typing import Any

import pytest

import topgun
from topgun.plugin import DEFAULT_MAX_MSG_SIZE as MAX_SIZE
from topgun.plugin import Credential, FrameTooLargeError
from topgun.testing import compression_bomb
from topgun_bittrade.ws import auth_message, authenticate, gunzip, reply_to_ping

KEY = "bittrade-test-key"
SECRET = "bittrade-test-secret"
NOW = 1700000000.123


def _login(make_login: Any, url: str, stream: Any, secret: str = SECRET) -> Any:
    credential = Credential("bittrade", [KEY, secret])
    return make_login(url, credential, topgun.FixedClock(NOW), stream, gunzip)


def test_auth_message_matches_the_documented_request() -> None:
    """ "署名用リクエスト": the same fields, values and nesting as the docs' example."""
    message = auth_message(
        "e2xxxxxx-99xxxxxx-84xxxxxx-7xxxx",
        b"b0xxxxxx-c6xxxxxx-94xxxxxx-dxxxx",
        "api-cloud.bittrade.co.jp",
        "2019-09-01T18:16:16",
    )
    assert message == {
        "action": "req",
        "ch": "auth",
        "params": {
            "authType": "api",
            "accessKey": "e2xxxxxx-99xxxxxx-84xxxxxx-7xxxx",
            "signatureMethod": "HmacSHA256",
            "signatureVersion": "2.1",
            "timestamp": "2019-09-01T18:16:16",  # not URL-encoded in the JSON
            "signature": "3OPwFJ4yGZ14Ji17K0o8AYARb47hmGcgoP5KiVlMdzU=",
        },
    }


async def test_private_auth_succeeds_and_keeps_a_ping_for_the_handlers(
    make_login: Any, private_stream: Any
) -> None:
    login = _login(make_login, "wss://api-cloud.bittrade.co.jp/ws/v2", private_stream)
    await authenticate(login)
    assert login.sent[0]["params"]["signature"] == "lFCA0FIqDUs2OBdqjHeES2wj2Sf6ZfVnkylWZfRmyOY="
    assert login.sent[0]["params"]["timestamp"] == "2023-11-14T22:13:20"
    # kept, so the app replays it after the auth and its responder answers it then
    assert login.kept == [("text", '{"action":"ping","data":{"ts":1700000000456}}')]


async def test_no_auth_reply_is_a_timeout(make_login: Any) -> None:
    login = _login(make_login, "wss://api-cloud.bittrade.co.jp/ws/v2", lambda message: [])
    with pytest.raises(TimeoutError):
        await authenticate(login)


@pytest.mark.parametrize("path", ["/ws", "/retail/ws", "/ws/"])
async def test_public_paths_take_no_auth_with_credentials_loaded(
    make_login: Any, private_stream: Any, path: str
) -> None:
    login = _login(make_login, f"wss://api-cloud.bittrade.co.jp{path}", private_stream)
    await authenticate(login)
    assert login.sent == []


def test_market_frames_are_gunzipped() -> None:
    frame = gzip.compress(b'{"ping":1700000000000}')
    assert gunzip(frame, MAX_SIZE) == b'{"ping":1700000000000}'


def test_gunzip_is_bounded_by_the_connections_maximum_message_size() -> None:
    with pytest.raises(FrameTooLargeError):
        gunzip(compression_bomb("gzip", MAX_SIZE + 1), MAX_SIZE)


def test_market_ping_is_answered_with_its_own_value() -> None:
    assert reply_to_ping({"ping": 1492420473027}) == {"pong": 1492420473027}


def test_private_ping_is_answered_with_its_own_ts() -> None:
    assert reply_to_ping({"action": "ping", "data": {"ts": 1575537778295}}) == {
        "action": "pong",
        "data": {"ts": 1575537778295},
    }


@pytest.mark.parametrize(
    "message",
    [
        {"ch": "market.btcjpy.bbo", "ts": 1630994555540, "tick": {"ask": 52665.02}},
        {"action": "push", "ch": "orders#btcjpy", "data": {}},
        {"action": "ping"},
        {"pong": 1},
        [1, 2],
        "ping",
    ],
)
def test_other_messages_get_no_reply(message: Any) -> None:
    assert reply_to_ping(message) is None
