"""Fixtures: a local bitFlyer-like HTTP server that checks signatures the way bitFlyer documents them.

https://lightning.bitflyer.com/docs?lang=en#authentication : ACCESS-SIGN = hex HMAC-SHA256 over
ACCESS-TIMESTAMP + method + path (with query) + body, keyed by the API secret.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from topgun.testing import HttpExchange

KEY = "bitflyer-test-key"
SECRET = "bitflyer-test-secret"


def expected_signature(secret: str, timestamp: str, method: str, path_qs: str, body: bytes) -> str:
    text = (timestamp + method + path_qs).encode() + body
    return hmac.new(secret.encode(), text, hashlib.sha256).hexdigest()


async def handle(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
    if not request.path.startswith("/v1/me/"):
        return web.json_response({"product_code": "BTC_JPY", "ltp": 5000000.0})
    key = request.headers.get("ACCESS-KEY")
    timestamp = request.headers.get("ACCESS-TIMESTAMP", "")
    sign = request.headers.get("ACCESS-SIGN", "")
    if key != KEY:
        return web.json_response({"status": -500, "error_message": "Invalid key"}, status=401)
    want = expected_signature(SECRET, timestamp, request.method, request.raw_path, body)
    if not hmac.compare_digest(sign, want):
        return web.json_response({"status": -500, "error_message": "Invalid signature"}, status=401)
    record["verified"] = True
    return web.json_response({"ok": True, "echo": body.decode() or None})


@pytest.fixture
async def exchange() -> AsyncIterator[HttpExchange]:
    """api.bitflyer.com served from 127.0.0.1 over TLS; ``exchange.seen`` records every request."""
    async with HttpExchange(["api.bitflyer.com"], handle) as server:
        yield server
