"""Fixtures: a local coincheck.com that checks signatures the way Coincheck documents them, and an
in-memory WebSocket login double that plays stream.coincheck.com.

https://coincheck.com/documents/exchange/api "Authentication": ACCESS-SIGNATURE = hex HMAC-SHA256
over ACCESS-NONCE + request URL + request body; ACCESS-NONCE increases with every request per key.
"Private WebSocket API": login with the same recipe over the fixed URI
"wss://stream.coincheck.com/private", reply {"success": true, "available_channels": [...]}.
The server side below recomputes everything with hashlib/hmac, not with the plugin's code.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
import pytest
from aiohttp import web

from topgun.testing import FakeLogin, Handler, HttpExchange, Registry, build_registry
from topgun_coincheck import plugin

KEY = "coincheck-test-key"
SECRET = "coincheck-test-secret"


def expected_signature(secret: str, nonce: str, url: str, body: bytes) -> str:
    return hmac.new(
        secret.encode(), nonce.encode() + url.encode() + body, hashlib.sha256
    ).hexdigest()


PUBLIC_PATHS = frozenset({"/api/ticker", "/api/order_books"})


def make_handler(answers: dict[str, Callable[[web.Request], Any]] | None = None) -> Handler:
    """A fresh coincheck.com: nonces are checked per key from the first request on.

    ``answers`` maps a path to what it answers (the JSON body, from the request): public paths
    at once, private ones once the signature and nonce check out.
    """
    last_nonce: dict[str, int] = {}
    answers = {} if answers is None else answers

    async def handle(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
        if request.path in PUBLIC_PATHS:
            if request.path in answers:
                return web.json_response(answers[request.path](request))
            return web.json_response({"last": 27390, "bid": 26900, "ask": 27390})
        key = request.headers.get("ACCESS-KEY")
        nonce = request.headers.get("ACCESS-NONCE", "")
        signature = request.headers.get("ACCESS-SIGNATURE", "")
        if key != KEY or not nonce.isdigit():
            return web.json_response(
                {"success": False, "error": "invalid authentication"}, status=401
            )
        url = f"https://{request.host}{request.raw_path}"
        if not hmac.compare_digest(signature, expected_signature(SECRET, nonce, url, body)):
            return web.json_response({"success": False, "error": "invalid signature"}, status=401)
        if int(nonce) <= last_nonce.get(key, 0):
            return web.json_response(
                {"success": False, "error": "Nonce must be incremented"}, status=401
            )
        last_nonce[key] = int(nonce)
        record["verified"] = True
        if request.path in answers:
            return web.json_response(answers[request.path](request))
        return web.json_response({"success": True, "echo": body.decode()})

    return handle


@pytest.fixture
async def exchange() -> AsyncIterator[HttpExchange]:
    """coincheck.com on 127.0.0.1 over TLS; ``exchange.seen`` records every request."""
    async with HttpExchange(["coincheck.com"], make_handler()) as server:
        yield server


@pytest.fixture
def registry() -> Registry:
    return build_registry([plugin], strict=True)


def verify_login(message: Any, secret: str = SECRET) -> bool:
    """The stream server's check of a login message, as the docs describe it."""
    if not isinstance(message, dict) or message.get("type") != "login":
        return False
    want = hmac.new(
        secret.encode(),
        (message["access_nonce"] + "wss://stream.coincheck.com/private").encode(),
        hashlib.sha256,
    ).hexdigest()
    return message.get("access_key") == KEY and hmac.compare_digest(
        message.get("access_signature", ""), want
    )


@pytest.fixture
def stream() -> Callable[[Any], list[tuple[str, Any]]]:
    """stream.coincheck.com: a welcome-ish unrelated frame, then the login verdict."""

    def answer(message: Any) -> list[tuple[str, Any]]:
        if verify_login(message):
            reply = {"success": True, "available_channels": ["order-events", "execution-events"]}
        else:
            reply = {"success": False, "error": "authentication failed"}
        return [("text", "not json at all"), ("text", orjson.dumps(reply).decode())]

    return answer


@pytest.fixture
def make_login() -> Callable[..., FakeLogin]:
    """``make_login(url, credential, clock, stream, decoder=None)``: a login double whose stream
    answers with ("text", str) / ("binary", bytes) frames."""
    return FakeLogin.framed


@pytest.fixture
def coincheck_api() -> Callable[..., HttpExchange]:
    """``coincheck_api(answers, hosts=("coincheck.com",), routes=())``: an unstarted local
    coincheck.com (``async with`` it) answering ``answers`` as ``make_handler`` does."""

    def make(
        answers: dict[str, Callable[[web.Request], Any]],
        hosts: tuple[str, ...] = ("coincheck.com",),
        routes: tuple[web.AbstractRouteDef, ...] = (),
    ) -> HttpExchange:
        return HttpExchange(list(hosts), make_handler(answers), routes=routes)

    return make


@pytest.fixture
def login_check() -> Callable[[Any], bool]:
    """``login_check(message)``: stream.coincheck.com's verdict on a login message."""
    return verify_login
