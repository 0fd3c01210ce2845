"""Fixtures: a local Bybit-like server that checks V5 signatures the way Bybit documents them, plus
``topgun.testing``'s login double, WebSocket exchange and quicker timers.

https://bybit-exchange.github.io/docs/v5/guide ("Authentication"): X-BAPI-SIGN = hex
HMAC-SHA256(secret, timestamp + api_key + recv_window + (GET: query string | POST: raw body)),
and the request is valid while server_time - recv_window <= timestamp < server_time + 1000.
The server recomputes everything itself; it never calls the plugin's signer.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from topgun.testing import Handler, HttpExchange, rsa_verifies
from topgun.testing.fixtures import *  # noqa: F403 - the shared pytest fixtures

# One key pair per API name, so a request signed with the wrong environment's key fails.
KEYS = {
    "bybit": ("bybit-main-key", "bybit-main-secret-DO-NOT-LEAK"),
    "bybit_demo": ("bybit-demo-key", "bybit-demo-secret-DO-NOT-LEAK"),
    "bybit_testnet": ("bybit-test-key", "bybit-test-secret-DO-NOT-LEAK"),
}
HOST_API = {
    "api.bybit.com": "bybit",
    "api.bytick.com": "bybit",
    "api-demo.bybit.com": "bybit_demo",
    "api-testnet.bybit.com": "bybit_testnet",
}


def bybit_signature(secret: str, timestamp: str, key: str, recv_window: str, payload: bytes) -> str:
    text = (timestamp + key + recv_window).encode() + payload
    return hmac.new(secret.encode(), text, hashlib.sha256).hexdigest()


def make_handler(rsa_keys: dict[str, Any]) -> Handler:
    async def handle(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
        if request.path.startswith("/v5/market/"):
            return web.json_response({"retCode": 0, "retMsg": "OK", "result": {}})
        key, secret = KEYS[HOST_API[record["host"]]]
        headers = request.headers
        rsa_public = rsa_keys.get(headers.get("X-BAPI-API-KEY", ""))
        if rsa_public is not None:
            key = headers["X-BAPI-API-KEY"]
        if headers.get("X-BAPI-API-KEY") != key:
            return web.json_response({"retCode": 10003, "retMsg": "API key is invalid."})
        timestamp = headers.get("X-BAPI-TIMESTAMP", "")
        recv_window = headers.get("X-BAPI-RECV-WINDOW", "")
        now_ms = int(time.time() * 1000)
        window = int(recv_window or "5000")
        if not timestamp.isdigit() or not now_ms - window <= int(timestamp) < now_ms + 1000:
            return web.json_response(
                {"retCode": 10002, "retMsg": "invalid request, please check your server timestamp"}
            )
        payload = request.rel_url.raw_query_string.encode() if request.method == "GET" else body
        if rsa_public is not None:
            text = (timestamp + key + recv_window).encode() + payload
            valid = rsa_verifies(rsa_public, headers.get("X-BAPI-SIGN", ""), text)
        else:
            want = bybit_signature(secret, timestamp, key, recv_window, payload)
            valid = hmac.compare_digest(headers.get("X-BAPI-SIGN", ""), want)
        if not valid:
            return web.json_response({"retCode": 10004, "retMsg": "error sign!"})
        record["verified"] = True
        return web.json_response({"retCode": 0, "retMsg": "OK", "result": {}})

    return handle


@pytest.fixture
async def exchange() -> AsyncIterator[HttpExchange]:
    """The Bybit REST hosts served from 127.0.0.1 over TLS; ``exchange.seen`` records requests."""
    rsa_keys: dict[str, Any] = {}
    async with HttpExchange(HOST_API, make_handler(rsa_keys)) as server:
        server.rsa_keys = rsa_keys  # type: ignore[attr-defined]  # API key -> RSA public key
        yield server


@pytest.fixture
def bybit_keys() -> dict[str, tuple[str, str]]:
    """The key pair the local server accepts for each API name."""
    return dict(KEYS)
