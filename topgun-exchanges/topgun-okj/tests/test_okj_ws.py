"""OKJ WebSocket logins against in-memory streams, the V3 frame decoder and the heartbeat.

V3 (OKJ API guide V3 "WebSocket API", https://dev.okj.com/apidoc/v3/en/; OKJ's SDK
okcoinjapan/V3-Open-API-SDK okcoin/websocket.py): replies are BINARY raw-deflate frames; login
args [key, passphrase, timestamp (seconds.millis), sign]. V5 (https://dev.okj.com/apidoc/v5/en/;
okcoinjapan/V5-Open-API-SDK okj/websocket/ws_utils.py): text frames, login only on private and
business paths, args [{apiKey, passphrase, timestamp (seconds), sign}]. Sign vectors:
``printf '%s' '1700000000.123GET/users/self/verify' | openssl dgst -sha256 -hmac okj-test-secret
-binary | base64`` (and ``1700000000GET/users/self/verify`` for V5).
"""

from __future__ import annotations

import zlib
from typing import Any

import pytest

import topgun
from topgun.plugin import DEFAULT_MAX_MSG_SIZE as MAX_SIZE
from topgun.plugin import Credential, FrameTooLargeError
from topgun.testing import compression_bomb
from topgun_okj.ws import HEARTBEAT, authenticate_v3, authenticate_v5, inflate

KEY = "okj-test-key"
SECRET = "okj-test-secret"
PASSPHRASE = "okj-test-passphrase"
NOW = 1700000000.123


def _deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-15)
    return packer.compress(data) + packer.flush()


def _login(
    make_login: Any, url: str, stream: Any, secret: str = SECRET, decoder: Any = None
) -> Any:
    credential = Credential("okj", [KEY, secret, PASSPHRASE])
    return make_login(url, credential, topgun.FixedClock(NOW), stream, decoder)


def test_inflate_undoes_raw_deflate() -> None:
    assert inflate(_deflate(b"pong"), MAX_SIZE) == b"pong"
    assert (
        inflate(_deflate(b'{"event":"login","success":true}'), MAX_SIZE)
        == b'{"event":"login","success":true}'
    )
    with pytest.raises(zlib.error):
        inflate(b'{"not": "compressed"}', MAX_SIZE)


def test_inflate_is_bounded_by_the_connections_maximum_message_size() -> None:
    with pytest.raises(FrameTooLargeError):
        inflate(compression_bomb("deflate", MAX_SIZE + 1), MAX_SIZE)


async def test_v3_login_reads_the_deflated_reply(make_login: Any, v3_stream: Any) -> None:
    login = _login(make_login, "wss://connect.okcoin.jp:443/ws/v3", v3_stream, decoder=inflate)
    await authenticate_v3(login)
    assert login.sent == [
        {
            "op": "login",
            "args": [
                KEY,
                PASSPHRASE,
                "1700000000.123",
                "3/VnW+ACk2XQvzDeAMVFyo/rwhHkTTJFcP5PdHoMdic=",
            ],
        }
    ]
    assert len(login.kept) == 1  # the early ticker frame, replayed to the handlers afterwards


async def test_v3_login_without_the_decoder_never_sees_the_reply(
    make_login: Any, v3_stream: Any
) -> None:
    """The reason ws_decoder exists: undecoded, the deflated reply is not JSON at all."""
    login = _login(make_login, "wss://connect.okcoin.jp:443/ws/v3", v3_stream, decoder=None)
    with pytest.raises(TimeoutError):
        await authenticate_v3(login)


async def test_v5_private_login(make_login: Any, v5_stream: Any) -> None:
    login = _login(make_login, "wss://ws.okj.com:443/ws/v5/private", v5_stream)
    await authenticate_v5(login)
    assert login.sent == [
        {
            "op": "login",
            "args": [
                {
                    "apiKey": KEY,
                    "passphrase": PASSPHRASE,
                    "timestamp": "1700000000",
                    "sign": "xwEJ4eYK1L97IdC8V4ONLh2+I/UUMRA71FYx34g1+NY=",
                }
            ],
        }
    ]


async def test_v5_public_path_takes_no_login(make_login: Any, v5_stream: Any) -> None:
    login = _login(make_login, "wss://ws.okj.com:443/ws/v5/public", v5_stream)
    await authenticate_v5(login)
    assert login.sent == []


async def test_no_reply_is_a_timeout(make_login: Any) -> None:
    login = _login(make_login, "wss://ws.okj.com/ws/v5/private", lambda message: [])
    with pytest.raises(TimeoutError):
        await authenticate_v5(login)


def test_heartbeat_pings_well_inside_thirty_seconds() -> None:
    assert HEARTBEAT.message == "ping" and HEARTBEAT.frame == "text"
    assert HEARTBEAT.interval < 30 and HEARTBEAT.replies == ("pong",)
