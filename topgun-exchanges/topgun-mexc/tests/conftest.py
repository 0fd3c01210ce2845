"""Fixtures: local MEXC-like servers that check both signing schemes as MEXC documents them, and
``topgun.testing``'s login double for the futures login.

Spot v3 (https://mexcdevelop.github.io/apidocs/spot_v3_en/, "SIGNED"): hex HMAC-SHA256 of the
query string (without ``signature``) + body, key in ``X-MEXC-APIKEY``. Futures
(https://mexcdevelop.github.io/apidocs/contract_v1_en/, "Authentication method"): hex HMAC-SHA256 of
ApiKey + Request-Time + (sorted, URL-encoded query for GET/DELETE | JSON body for POST). The
encoding below is written from the docs' Java example, independently of the plugin.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from topgun.testing import HttpExchange, Registry, build_registry
from topgun.testing.fixtures import *  # noqa: F403 - the shared pytest fixtures
from topgun_mexc import plugin

KEY = "mx0aBYs33eIilxBWC5"  # the spot docs' example key pair ("SIGNED Endpoint Examples")
SECRET = "45d0b3c26f2644f19bfb98b07741b2f5"
_JAVA_SAFE = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-*_")


def java_encode(value: str) -> str:
    """Java's URLEncoder.encode(value, "UTF-8"), with "+" then replaced by "%20"."""
    return "".join(chr(b) if b in _JAVA_SAFE else f"%{b:02X}" for b in value.encode())


def _hex(text: bytes) -> str:
    return hmac.new(SECRET.encode(), text, hashlib.sha256).hexdigest()


def _spot(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
    if request.headers.get("X-MEXC-APIKEY") != KEY:
        return web.json_response({"code": 400, "msg": "api key required"}, status=400)
    raw = request.raw_path.partition("?")[2]
    kept = [p for p in raw.split("&") if not p.startswith("signature=")]
    given = [p.removeprefix("signature=") for p in raw.split("&") if p.startswith("signature=")]
    if not given or "timestamp" not in request.query:
        return web.json_response({"code": 700002, "msg": "no signature"}, status=400)
    if not hmac.compare_digest(given[0], _hex("&".join(kept).encode() + body)):
        return web.json_response(
            {"code": 700002, "msg": "Signature for this request is not valid"}, status=400
        )
    record["verified"] = True
    return web.json_response({"ok": True})


def _futures(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
    key, req_time = request.headers.get("ApiKey"), request.headers.get("Request-Time", "")
    if key != KEY:
        return web.json_response({"success": False, "code": 401, "message": "Unauthorized"})
    if request.method in ("GET", "DELETE"):
        params = sorted(request.query.items())
        text = "&".join(f"{k}={java_encode(v)}" for k, v in params).encode()
    else:
        text = body
    if not hmac.compare_digest(
        request.headers.get("Signature", ""), _hex(key.encode() + req_time.encode() + text)
    ):
        return web.json_response({"success": False, "code": 602, "message": "Verify failed"})
    record["verified"] = True
    return web.json_response({"success": True, "code": 0, "data": None})


async def handle(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
    if request.path.startswith("/api/v1/private/"):
        return _futures(request, body, record)
    if request.path.startswith(("/api/v1/contract/", "/api/v3/ping", "/api/v3/depth")):
        return web.json_response({"success": True, "data": 1700000000123})
    return _spot(request, body, record)


@pytest.fixture
async def mexc_exchange() -> AsyncIterator[HttpExchange]:
    """api.mexc.com and contract.mexc.com served from 127.0.0.1 over TLS; ``.seen`` records requests."""
    async with HttpExchange(["api.mexc.com", "contract.mexc.com"], handle) as server:
        yield server


@pytest.fixture
def mexc_doc_credentials() -> tuple[str, str]:
    return KEY, SECRET


@pytest.fixture
def registry() -> Registry:
    return build_registry([plugin], strict=True)
