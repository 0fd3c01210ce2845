"""Fixtures: a local api-cloud.bittrade.co.jp that verifies signature-version-2 query signatures
as BitTrade documents them, and an in-memory WebSocket login double for its streams.

BitTrade API documentation (https://api-doc.bittrade.co.jp/; github.com/BitTrade-Inc/
BitTrade-api-docs "rest api.md" > "署名処理", "websocket-api.md"): the signature is base64
HMAC-SHA256 over METHOD, host, path and the sorted URL-encoded query joined by newlines; the
private stream's auth uses the same over GET, host, /ws/v2 and its four params. The server side
below decodes what arrives and recomputes everything with urllib/hashlib/hmac, not with the
plugin's code.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import re
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import orjson
import pytest
from aiohttp import web

from topgun.testing import FakeLogin, HttpExchange, Registry, build_registry
from topgun_bittrade import plugin

HOST = "api-cloud.bittrade.co.jp"
KEY = "bittrade-test-key"
SECRET = "bittrade-test-secret"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")


def b64_hmac(secret: str, text: str) -> str:
    return base64.b64encode(
        hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()
    ).decode()


def server_signature(
    secret: str, method: str, host: str, path: str, params: list[tuple[str, str]]
) -> str:
    query = urlencode(sorted(params), quote_via=quote)
    return b64_hmac(secret, f"{method}\n{host}\n{path}\n{query}")


async def handle(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
    params = parse_qsl(request.query_string, keep_blank_values=True)
    record["params"] = params
    if request.path.startswith(("/market/", "/v1/common/")):
        return web.json_response({"status": "ok", "tick": {"ask": [6000000, 1]}})
    given = dict(params)
    signature = given.get("Signature", "")
    unsigned = [(k, v) for k, v in params if k != "Signature"]
    if (
        given.get("AccessKeyId") != KEY
        or given.get("SignatureMethod") != "HmacSHA256"
        or given.get("SignatureVersion") != "2"
        or not STAMP.match(given.get("Timestamp", ""))
    ):
        return web.json_response(
            {"status": "error", "err-code": "api-signature-not-valid", "err-msg": "missing"}
        )
    want = server_signature(SECRET, request.method, request.host, request.path, unsigned)
    if not hmac.compare_digest(signature, want):
        return web.json_response(
            {
                "status": "error",
                "err-code": "api-signature-not-valid",
                "err-msg": "Signature not valid",
            }
        )
    record["verified"] = True
    return web.json_response({"status": "ok", "data": body.decode() or None})


@pytest.fixture
async def exchange() -> AsyncIterator[HttpExchange]:
    """api-cloud.bittrade.co.jp on 127.0.0.1 over TLS; ``exchange.seen`` records every request."""
    async with HttpExchange([HOST], handle) as server:
        yield server


@pytest.fixture
def registry() -> Registry:
    return build_registry([plugin], strict=True)


Frame = tuple[str, Any]


@pytest.fixture
def private_stream() -> Callable[[Any], list[Frame]]:
    """/ws/v2: a server ping first, then the auth verdict, all text frames."""

    def answer(message: Any) -> list[Frame]:
        ping = ("text", '{"action":"ping","data":{"ts":1700000000456}}')
        params = message.get("params", {}) if isinstance(message, dict) else {}
        signed = [
            (name, params.get(name, ""))
            for name in ("accessKey", "signatureMethod", "signatureVersion", "timestamp")
        ]
        ok = (
            message.get("action") == "req"
            and message.get("ch") == "auth"
            and params.get("authType") == "api"
            and params.get("accessKey") == KEY
            and params.get("signatureVersion") == "2.1"
            and STAMP.match(params.get("timestamp", "")) is not None
            and hmac.compare_digest(
                params.get("signature", ""), server_signature(SECRET, "GET", HOST, "/ws/v2", signed)
            )
        )
        verdict = (
            {"action": "req", "code": 200, "ch": "auth", "data": {}}
            if ok
            else {"action": "req", "code": 2002, "ch": "auth", "message": "auth.fail"}
        )
        return [ping, ("text", orjson.dumps(verdict).decode())]

    return answer


def gzipped(message: Any) -> bytes:
    return gzip.compress(orjson.dumps(message))


@pytest.fixture
def make_login() -> Callable[..., FakeLogin]:
    """``make_login(url, credential, clock, stream, decoder=None)``: a login double whose stream
    answers with ("text", str) / ("binary", bytes) frames."""
    return FakeLogin.framed
