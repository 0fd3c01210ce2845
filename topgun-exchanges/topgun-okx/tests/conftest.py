"""Fixtures: a local OKX-like server that checks v5 signatures the way OKX documents them, plus
``topgun.testing``'s login double, WebSocket exchange and quicker timers.

https://www.okx.com/docs-v5/en/#overview-rest-authentication: OK-ACCESS-SIGN = Base64
HMAC-SHA256(secret, timestamp + METHOD + requestPath-with-query + body), OK-ACCESS-TIMESTAMP is
ISO-8601 UTC with milliseconds and must be within 30 s of server time, OK-ACCESS-PASSPHRASE must
match the key's. Demo keys only work with ``x-simulated-trading: 1`` and live keys only without it
(https://www.okx.com/docs-v5/en/#overview-demo-trading-services). The server recomputes all of
it itself; it never calls the plugin's signer.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from topgun.testing import HttpExchange
from topgun.testing.fixtures import *  # noqa: F403 - the shared pytest fixtures

# (key, secret, passphrase, demo?)
ACCOUNTS = {
    "okx": ("okx-live-key", "okx-live-secret-DO-NOT-LEAK", "okx-live-pass-DO-NOT-LEAK"),
    "okx_demo": ("okx-demo-key", "okx-demo-secret-DO-NOT-LEAK", "okx-demo-pass-DO-NOT-LEAK"),
}


def okx_signature(secret: str, timestamp: str, method: str, path_qs: str, body: bytes) -> str:
    digest = hmac.new(
        secret.encode(), (timestamp + method + path_qs).encode() + body, hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def _error(code: str, msg: str) -> web.Response:
    return web.json_response({"code": code, "msg": msg, "data": []}, status=401)


BY_KEY = {key: (api, secret, passphrase) for api, (key, secret, passphrase) in ACCOUNTS.items()}


async def handle(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
    if request.path.startswith("/api/v5/public/"):
        return web.json_response({"code": "0", "msg": "", "data": []})
    headers = request.headers
    account = BY_KEY.get(headers.get("OK-ACCESS-KEY", ""))
    if account is None:
        return _error("50113", "Invalid Sign")  # OKX answers a missing/unknown key like this
    api, secret, passphrase = account
    demo = headers.get("x-simulated-trading") == "1"
    if demo != (api == "okx_demo"):
        return _error("50101", "APIKey does not match current environment.")
    if headers.get("OK-ACCESS-PASSPHRASE") != passphrase:
        return _error("50105", "Your OK-ACCESS-PASSPHRASE is incorrect.")
    timestamp = headers.get("OK-ACCESS-TIMESTAMP", "")
    try:
        sent_at = datetime.datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=datetime.UTC
        )
    except ValueError:
        return _error("50112", "Invalid OK-ACCESS-TIMESTAMP")
    if len(timestamp) != 24 or abs(sent_at.timestamp() - time.time()) > 30:
        return _error("50102", "Timestamp request expired")
    want = okx_signature(secret, timestamp, request.method, request.raw_path, body)
    if not hmac.compare_digest(headers.get("OK-ACCESS-SIGN", ""), want):
        return _error("50113", "Invalid Sign")
    record["verified"] = api
    return web.json_response({"code": "0", "msg": "", "data": [{"api": api}]})


@pytest.fixture
def okx_accounts() -> dict[str, tuple[str, str, str]]:
    """The (key, secret, passphrase) the local server accepts for each API name."""
    return dict(ACCOUNTS)


# Global, AWS, EEA (my.okx.com accounts) and US (app.okx.com accounts) REST hosts, from each site's
# "Production Trading Services": https://www.okx.com/docs-v5/en/#overview-production-trading-services,
# https://my.okx.com/docs-v5/en/#overview-production-trading-services and
# https://app.okx.com/docs-v5/en/#overview-production-trading-services .
REST_HOSTS = [
    "www.okx.com",
    "aws.okx.com",
    "eea.okx.com",
    "my.okx.com",
    "us.okx.com",
    "app.okx.com",
]


@pytest.fixture
def okx_rest_hosts() -> list[str]:
    """OKX's documented REST hosts, as listed above (independently of the plugin)."""
    return list(REST_HOSTS)


@pytest.fixture
async def exchange() -> AsyncIterator[HttpExchange]:
    """OKX's REST hosts served from 127.0.0.1 over TLS; ``exchange.seen`` records every request."""
    async with HttpExchange(REST_HOSTS, handle) as server:
        yield server
