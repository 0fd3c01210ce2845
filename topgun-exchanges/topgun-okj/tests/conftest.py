"""Fixtures: local OKJ REST hosts that verify signatures as OKJ documents them, and an in-memory
WebSocket login double playing the V3 (deflated replies) and V5 streams.

OKJ API guide (V3 https://dev.okj.com/apidoc/v3/en/, V5 https://dev.okj.com/apidoc/v5/en/),
REST "Authentication": OK-ACCESS-SIGN = base64 HMAC-SHA256 over timestamp + METHOD + path with
query + body; OK-ACCESS-TIMESTAMP is ISO-8601 UTC with milliseconds. WebSocket login: the same
HMAC over timestamp + "GET/users/self/verify". The server side below recomputes everything with
hashlib/hmac/zlib, not with the plugin's code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import zlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
import pytest
from aiohttp import web

from topgun.testing import FakeLogin, HttpExchange, Registry, build_registry
from topgun_okj import plugin

KEY = "okj-test-key"
SECRET = "okj-test-secret"
PASSPHRASE = "okj-test-passphrase"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def b64_hmac(secret: str, text: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), text, hashlib.sha256).digest()).decode()


def deflate(data: bytes) -> bytes:
    """What the V3 server does to every message: a raw deflate stream (window bits -15)."""
    packer = zlib.compressobj(wbits=-15)
    return packer.compress(data) + packer.flush()


async def handle(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
    if "/instruments" in request.path:
        return web.json_response([{"instrument_id": "BTC-JPY"}])
    headers = request.headers
    timestamp = headers.get("OK-ACCESS-TIMESTAMP", "")
    if headers.get("OK-ACCESS-KEY") != KEY or headers.get("OK-ACCESS-PASSPHRASE") != PASSPHRASE:
        return web.json_response({"code": 30006, "message": "invalid key"}, status=401)
    if not ISO.match(timestamp):
        return web.json_response({"code": 30004, "message": "invalid timestamp"}, status=401)
    text = (timestamp + request.method + request.raw_path).encode() + body
    if not hmac.compare_digest(headers.get("OK-ACCESS-SIGN", ""), b64_hmac(SECRET, text)):
        return web.json_response({"code": 30013, "message": "Invalid Sign"}, status=401)
    record["verified"] = True
    return web.json_response({"ok": True})


@pytest.fixture
async def exchange() -> AsyncIterator[HttpExchange]:
    """www.okcoin.jp and api.okj.com on 127.0.0.1 over TLS; ``exchange.seen`` records requests."""
    async with HttpExchange(["www.okcoin.jp", "api.okj.com"], handle) as server:
        yield server


@pytest.fixture
def registry() -> Registry:
    return build_registry([plugin], strict=True)


Frame = tuple[str, Any]


def _v3_verdict(message: Any) -> dict[str, Any]:
    if not isinstance(message, dict) or message.get("op") != "login":
        return {"event": "error", "message": "Illegal request", "errorCode": 30039}
    key, passphrase, timestamp, sign = message["args"]
    want = b64_hmac(SECRET, (timestamp + "GET/users/self/verify").encode())
    if key == KEY and passphrase == PASSPHRASE and hmac.compare_digest(sign, want):
        return {"event": "login", "success": True}
    return {"event": "error", "message": "Invalid sign", "errorCode": 30013}


@pytest.fixture
def v3_stream() -> Callable[[Any], list[Frame]]:
    """connect.okcoin.jp /ws/v3: a deflated unrelated frame first, then the deflated verdict."""

    def answer(message: Any) -> list[Frame]:
        early = deflate(b'{"table":"spot/ticker","data":[]}')
        return [("binary", early), ("binary", deflate(orjson.dumps(_v3_verdict(message))))]

    return answer


@pytest.fixture
def v5_stream() -> Callable[[Any], list[Frame]]:
    """ws.okj.com /ws/v5/private: text frames, {"event": "login", "code": "0"} on success."""

    def answer(message: Any) -> list[Frame]:
        args = message["args"][0]
        want = b64_hmac(SECRET, (args["timestamp"] + "GET/users/self/verify").encode())
        ok = (
            args["apiKey"] == KEY
            and args["passphrase"] == PASSPHRASE
            and hmac.compare_digest(args["sign"], want)
        )
        reply = (
            {"event": "login", "code": "0", "msg": "", "connId": "a4d3ae55"}
            if ok
            else {"event": "error", "code": "60009", "msg": "Login failed.", "connId": "a4d3ae55"}
        )
        return [("text", orjson.dumps(reply).decode())]

    return answer


@pytest.fixture
def make_login() -> Callable[..., FakeLogin]:
    """``make_login(url, credential, clock, stream, decoder=None)``: a login double whose stream
    answers with ("text", str) / ("binary", bytes) frames."""
    return FakeLogin.framed
