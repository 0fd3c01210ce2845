"""Fixtures: a local Bitget-like server that checks v2 signatures the way Bitget documents them,
and an in-memory WebSocket login double.

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
from collections import deque
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from yarl import URL

from topgun.clock import Clock
from topgun.credentials import Credential
from topgun.testing import LocalExchange

ACCOUNT = ("bitget-key", "bitget-secret-DO-NOT-LEAK", "bitget-pass-DO-NOT-LEAK")


def bitget_signature(
    secret: str, timestamp: str, method: str, path: str, query: str, body: bytes
) -> str:
    text = (timestamp + method + path + (f"?{query}" if query else "")).encode() + body
    return base64.b64encode(hmac.new(secret.encode(), text, hashlib.sha256).digest()).decode()


def _error(code: str, msg: str) -> web.Response:
    return web.json_response({"code": code, "msg": msg, "data": None}, status=400)


def make_app(seen: list[dict[str, Any]]) -> web.Application:
    key, secret, passphrase = ACCOUNT

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        record: dict[str, Any] = {
            "method": request.method,
            "path_qs": request.raw_path,
            "headers": dict(request.headers),
            "body": body,
        }
        seen.append(record)
        if request.path.startswith("/api/v2/public/"):
            return web.json_response({"code": "00000", "msg": "success", "data": {}})
        headers = request.headers
        if headers.get("ACCESS-KEY") != key:
            return _error("40006", "Invalid ACCESS_KEY")
        if headers.get("ACCESS-PASSPHRASE") != passphrase:
            return _error("40012", "apikey/password is incorrect")
        timestamp = headers.get("ACCESS-TIMESTAMP", "")
        if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 30_000:
            return _error("40008", "Request timestamp expired")
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
        return web.json_response({"code": "00000", "msg": "success", "data": {}})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


@pytest.fixture
def bitget_account() -> tuple[str, str, str]:
    """The (key, secret, passphrase) the local server accepts."""
    return ACCOUNT


@pytest.fixture
async def exchange() -> Any:
    """api.bitget.com served from 127.0.0.1 over TLS; ``exchange.seen`` records every request."""
    seen: list[dict[str, Any]] = []
    async with LocalExchange(make_app(seen), ["api.bitget.com"]) as server:
        server.seen = seen  # type: ignore[attr-defined]
        yield server


class FakeLogin:
    """An in-memory ``topgun.plugin.WebSocketLogin``: what the authenticator sends is recorded and
    answered by ``respond``; ``receive_json`` returns the first answer ``match`` accepts and keeps
    the others, like core's login session. An empty inbox is a timeout (no real waiting)."""

    def __init__(
        self,
        url: str,
        credential: Credential,
        clock: Clock,
        respond: Callable[[Any], list[Any]],
        early: tuple[Any, ...] = (),
    ) -> None:
        self.url = URL(url)
        self.credential = credential
        self.clock = clock
        self.sent: list[Any] = []
        self.kept: list[Any] = []
        self.timeouts: list[float] = []
        self._respond = respond
        self._inbox: deque[Any] = deque(early)

    async def send_json(self, message: Any) -> None:
        self.sent.append(message)
        self._inbox.extend(self._respond(message))

    async def send_str(self, message: str) -> None:
        self.sent.append(message)
        self._inbox.extend(self._respond(message))

    async def receive_json(
        self,
        timeout: float,  # noqa: ASYNC109 - the WebSocketLogin protocol's shape
        match: Callable[[Any], bool] | None = None,
    ) -> Any:
        self.timeouts.append(timeout)
        while self._inbox:
            message = self._inbox.popleft()
            if match is None or match(message):
                return message
            self.kept.append(message)
        raise TimeoutError(f"no login reply within {timeout:g} s")


@pytest.fixture
def fake_login() -> type[FakeLogin]:
    return FakeLogin
