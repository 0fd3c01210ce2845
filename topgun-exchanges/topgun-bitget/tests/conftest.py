"""Fixtures: a local Bitget-like server that checks v2 signatures the way Bitget documents them,
plus ``topgun.testing``'s login double, WebSocket exchange and quicker timers.

https://www.bitget.com/api-doc/common/signature: ACCESS-SIGN = Base64 HMAC-SHA256(secret,
timestamp + METHOD + requestPath + ("?" + queryString when there is one) + body), ACCESS-TIMESTAMP
in milliseconds and within 30 s of server time, ACCESS-PASSPHRASE the key's passphrase. The server
recomputes it all itself; it never calls the plugin's signer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from topgun.testing import Handler, HttpExchange, Registry, build_registry, rsa_verifies
from topgun.testing.fixtures import *  # noqa: F403 - the shared pytest fixtures
from topgun_bitget import plugin

ACCOUNT = ("bitget-key", "bitget-secret-DO-NOT-LEAK", "bitget-pass-DO-NOT-LEAK")


def bitget_signature(
    secret: str, timestamp: str, method: str, path: str, query: str, body: bytes
) -> str:
    text = (timestamp + method + path + (f"?{query}" if query else "")).encode() + body
    return base64.b64encode(hmac.new(secret.encode(), text, hashlib.sha256).digest()).decode()


def _error(code: str, msg: str) -> web.Response:
    return web.json_response({"code": code, "msg": msg, "data": None}, status=400)


def make_handler(rsa_keys: dict[str, Any], answers: list[Any] | None = None) -> Handler:
    """The signature-checking handler; a verified request gets the next of ``answers`` (when
    given) as its JSON body, else an empty success."""
    key, secret, passphrase = ACCOUNT

    def success() -> web.Response:
        if answers:
            return web.json_response(answers.pop(0))
        return web.json_response({"code": "00000", "msg": "success", "data": {}})

    async def handle(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
        if request.path.startswith("/api/v2/public/"):
            return web.json_response({"code": "00000", "msg": "success", "data": {}})
        headers = request.headers
        rsa_public = rsa_keys.get(headers.get("ACCESS-KEY", ""))
        expected_key = key if rsa_public is None else headers["ACCESS-KEY"]
        if headers.get("ACCESS-KEY") != expected_key:
            return _error("40006", "Invalid ACCESS_KEY")
        if headers.get("ACCESS-PASSPHRASE") != passphrase:
            return _error("40012", "apikey/password is incorrect")
        timestamp = headers.get("ACCESS-TIMESTAMP", "")
        if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 30_000:
            return _error("40008", "Request timestamp expired")
        if rsa_public is not None:
            query = request.rel_url.raw_query_string
            text = (
                timestamp
                + request.method
                + request.rel_url.raw_path
                + (f"?{query}" if query else "")
            ).encode() + body
            if not rsa_verifies(rsa_public, headers.get("ACCESS-SIGN", ""), text):
                return _error("40009", "sign signature error")
            record["verified"] = True
            return success()
        want = bitget_signature(
            secret,
            timestamp,
            request.method,
            request.rel_url.raw_path,
            request.rel_url.raw_query_string,
            body,
        )
        if not hmac.compare_digest(headers.get("ACCESS-SIGN", ""), want):
            return _error("40009", "sign signature error")
        record["verified"] = True
        return success()

    return handle


@pytest.fixture
def bitget_account() -> tuple[str, str, str]:
    """The (key, secret, passphrase) the local server accepts."""
    return ACCOUNT


@pytest.fixture
async def exchange() -> AsyncIterator[HttpExchange]:
    """api.bitget.com served from 127.0.0.1 over TLS; ``exchange.seen`` records every request."""
    rsa_keys: dict[str, Any] = {}
    async with HttpExchange(["api.bitget.com"], make_handler(rsa_keys)) as server:
        server.rsa_keys = rsa_keys  # type: ignore[attr-defined]  # API key -> RSA public key
        yield server


@pytest.fixture
async def answering_exchange() -> AsyncIterator[tuple[HttpExchange, list[Any]]]:
    """api.bitget.com checking signatures like ``exchange``, answering each verified request
    with the next body the test appends to the list."""
    answers: list[Any] = []
    async with HttpExchange(["api.bitget.com"], make_handler({}, answers)) as server:
        yield server, answers


@pytest.fixture
def registry() -> Registry:
    return build_registry([plugin], strict=True)
