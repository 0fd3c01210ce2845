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
import contextlib
import datetime
import hashlib
import hmac
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

from topgun.testing import HttpExchange, Registry, build_registry
from topgun.testing.fixtures import *  # noqa: F403 - the shared pytest fixtures
from topgun_okx import plugin

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


Answer = Callable[[web.Request], Any]


@pytest.fixture
async def okx_api() -> AsyncIterator[Callable[[dict[str, Answer]], Awaitable[HttpExchange]]]:
    """``server = await okx_api({path: answer})``: www.okx.com answering ``answer(request)`` (the
    JSON body) on each path, once the request's signature checks out (public paths: always)."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(answers: dict[str, Answer]) -> HttpExchange:
            async def respond(request: web.Request, body: bytes, record: dict[str, Any]) -> Any:
                checked = await handle(request, body, record)
                public = request.path.startswith(("/api/v5/public/", "/api/v5/market/"))
                if (not public and not record["verified"]) or request.path not in answers:
                    return checked
                return web.json_response(answers[request.path](request))

            return await stack.enter_async_context(HttpExchange(["www.okx.com"], respond))

        yield start


Push = Callable[[Any, dict[str, Any]], list[Any]]


def okx_ws_responder(push: Push) -> Any:
    """OKX's WebSocket side: logins verified as documented, ``ping`` answered, and each subscribe
    acknowledged per arg then answered with ``push(conn, arg)``; unsubscribes acknowledged."""
    accounts = {key: (secret, passphrase) for key, secret, passphrase in ACCOUNTS.values()}

    def respond(conn: Any, message: Any) -> list[Any]:
        if message == "ping":
            return ["pong"]
        if not isinstance(message, dict):
            return []
        op = message.get("op")
        if op == "login":
            (args,) = message["args"]
            secret, passphrase = accounts.get(args["apiKey"], ("", ""))
            want = okx_signature(secret, args["timestamp"], "GET", "/users/self/verify", b"")
            ok = passphrase == args["passphrase"] and hmac.compare_digest(args["sign"], want)
            conn.state["authed"] = ok
            if ok:
                return [{"event": "login", "code": "0", "msg": "", "connId": "a1"}]
            return [{"event": "error", "code": "60009", "msg": "Login failed.", "connId": "a1"}]
        replies: list[Any] = []
        for arg in message.get("args", ()):
            if op == "subscribe":
                if conn.path != "/ws/v5/public" and not conn.state.get("authed"):
                    replies.append({"event": "error", "code": "60011", "msg": "Please log in"})
                    continue
                replies.append({"event": "subscribe", "arg": arg, "connId": "a1"})
                replies.extend(push(conn, arg))
            elif op == "unsubscribe":
                replies.append({"event": "unsubscribe", "arg": arg, "connId": "a1"})
        return replies

    return respond


@pytest.fixture
def okx_ws() -> Callable[[Push], Any]:
    """``okx_ws_responder``, for ``ws_exchange(hosts, okx_ws(push))``."""
    return okx_ws_responder


@pytest.fixture
def registry() -> Registry:
    return build_registry([plugin], strict=True)
