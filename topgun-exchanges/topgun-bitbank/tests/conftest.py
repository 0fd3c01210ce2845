"""Fixtures: one local server playing api.bitbank.cc and PubNub's ps.pndsn.com, over real TLS.

api.bitbank.cc checks the ACCESS-TIME-WINDOW signature the way
https://github.com/bitbankinc/bitbank-api-docs/blob/master/rest-api.md#authorization documents it,
recomputed here independently of the plugin: hex HMAC-SHA256(secret, ACCESS-REQUEST-TIME +
ACCESS-TIME-WINDOW + (GET: path with query | POST: body)), and the documented time rule
``request_time < now + 1000 and now - request_time <= window``. ``GET /v1/user/subscribe`` hands
out PubNub tokens.

ps.pndsn.com implements PubNub's Subscribe V2 long-poll
(https://www.pubnub.com/docs/sdks/rest-api/subscribe-v-2): ``tt=0`` returns the cursor, later
calls return the messages published after ``tt`` or hold the request open; an expired token gets
HTTP 403 "Token is expired." (https://www.pubnub.com/docs/security/access-control/update-expired-token).
Tests can expire tokens, drop connections and inject HTTP errors and bitbank error codes.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

import topgun
from topgun.testing import HttpExchange, Registry, build_registry, eventually
from topgun_bitbank import PUBNUB_SUBSCRIBE_KEY, plugin

KEY = "bitbank-test-key"
SECRET = "bitbank-test-secret-DO-NOT-LEAK"
CHANNEL = "private-channel-0001"
HOSTS = ("api.bitbank.cc", "ps.pndsn.com")


@pytest.fixture
def bitbank_credentials() -> tuple[str, str]:
    return KEY, SECRET


@pytest.fixture
def bitbank_registry() -> Registry:
    return build_registry([plugin], strict=True)


def bitbank_signature(
    secret: str, request_time: str, window: str, method: str, path_qs: str, body: bytes
) -> str:
    tail = path_qs.encode() if method == "GET" else body
    return hmac.new(
        secret.encode(), (request_time + window).encode() + tail, hashlib.sha256
    ).hexdigest()


def _fail(code: int, status: int = 200) -> web.Response:
    return web.json_response({"success": 0, "data": {"code": code}}, status=status)


@dataclass
class BitbankState:
    seen: list[dict[str, Any]] = field(default_factory=list)
    polls: list[dict[str, str]] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    live_tokens: set[str] = field(default_factory=set)
    published: list[tuple[int, Any]] = field(default_factory=list)
    deny_all: bool = False
    drop_next: int = 0
    pubnub_errors: list[int] = field(default_factory=list)
    subscribe_errors: list[int] = field(default_factory=list)
    hold: float = 0.2
    replies: dict[str, Any] = field(default_factory=dict)
    """Signed GET path -> the JSON body api.bitbank.cc answers (the initialize() endpoints)."""
    held: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    _timetokens: Any = field(default_factory=lambda: itertools.count(17000000000000001))
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def publish(self, *payloads: Any) -> None:
        for payload in payloads:
            self.published.append((next(self._timetokens), payload))
        self.changed.set()

    def expire(self, token: str) -> None:
        self.live_tokens.discard(token)

    def subscribe_calls(self) -> int:
        return sum(1 for r in self.seen if r["path"] == "/v1/user/subscribe" and r["verified"])


def serve(state: BitbankState) -> HttpExchange:
    """api.bitbank.cc and ps.pndsn.com as ``state`` has them."""

    async def handle(
        request: web.Request, body: bytes, record: dict[str, Any]
    ) -> web.StreamResponse:
        try:
            if record["host"] == "ps.pndsn.com":
                return await pubnub(request)
            return bitbank(request, body, record)
        finally:
            state.changed.set()

    def bitbank(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
        if request.path in ("/v1/spot/status", "/v1/spot/pairs"):
            return web.json_response({"success": 1, "data": {"statuses": []}})
        headers = request.headers
        if headers.get("ACCESS-KEY") != KEY:
            return _fail(20003)
        request_time = headers.get("ACCESS-REQUEST-TIME", "")
        window = headers.get("ACCESS-TIME-WINDOW", "")
        if not request_time.isdigit():
            return _fail(20033)
        if not window.isdigit() or not 0 < int(window) <= 60000:
            return _fail(20038)
        now = time.time() * 1000
        if not (int(request_time) < now + 1000 and now - int(request_time) <= int(window)):
            return _fail(20035)
        want = bitbank_signature(
            SECRET, request_time, window, request.method, request.raw_path, body
        )
        if not hmac.compare_digest(headers.get("ACCESS-SIGNATURE", ""), want):
            return _fail(20005)
        record["verified"] = True
        if request.path in state.replies:
            return web.json_response(state.replies[request.path])
        if request.path == "/v1/user/subscribe":
            if state.subscribe_errors:
                return _fail(state.subscribe_errors.pop(0))
            token = f"pn-token-{next(state._ids):03d}-qwertyuiopasdfghjkl"
            state.issued.append(token)
            state.live_tokens.add(token)
            return web.json_response(
                {"success": 1, "data": {"pubnub_channel": CHANNEL, "pubnub_token": token}}
            )
        return web.json_response({"success": 1, "data": {"echo": body.decode() or None}})

    async def pubnub(request: web.Request) -> web.StreamResponse:
        query = dict(request.query)
        state.polls.append(query)
        if state.drop_next > 0:
            state.drop_next -= 1
            assert request.transport is not None
            request.transport.close()  # a network failure: the connection dies, no reply
            return web.Response()
        if state.pubnub_errors:
            return web.json_response(
                {"message": "boom", "error": True}, status=state.pubnub_errors.pop(0)
            )
        parts = request.path.split("/")  # /v2/subscribe/{sub_key}/{channel}/0
        if parts[3] != PUBNUB_SUBSCRIBE_KEY or parts[4] != CHANNEL or query.get("uuid") != CHANNEL:
            return web.json_response({"message": "Invalid Arguments", "error": True}, status=400)
        token = query.get("auth")
        if state.deny_all or token not in state.live_tokens:
            reason = "Token is expired." if token in state.issued else "Forbidden"
            return web.json_response(
                {"message": reason, "error": True, "service": "Access Manager", "status": 403},
                status=403,
            )
        tt = int(query.get("tt", "0"))
        if tt == 0:
            latest = state.published[-1][0] if state.published else 17000000000000000
            return web.json_response({"t": {"t": str(latest), "r": 4}, "m": []})
        if query.get("tr") != "4":
            return web.json_response({"message": "Invalid region", "error": True}, status=400)
        deadline = asyncio.get_running_loop().time() + state.hold
        while not (fresh := [p for p in state.published if p[0] > tt]):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return web.json_response({"t": {"t": str(tt), "r": 4}, "m": []})
            if request.transport is None or request.transport.is_closing():
                return web.Response(status=499)  # the subscriber went away (closed, cancelled)
            state.held += 1
            state.changed.clear()
            try:
                async with asyncio.timeout(min(remaining, 0.05)):
                    await state.changed.wait()
            except TimeoutError:
                pass
        envelopes = [
            {
                "a": "1",
                "f": 0,
                "p": {"t": str(t), "r": 4},
                "k": PUBNUB_SUBSCRIBE_KEY,
                "c": CHANNEL,
                "d": d,
            }
            for t, d in fresh
        ]
        return web.json_response({"t": {"t": str(fresh[-1][0]), "r": 4}, "m": envelopes})

    return HttpExchange(HOSTS, handle, seen=state.seen)


@dataclass
class BitbankServer:
    server: HttpExchange
    state: BitbankState
    registry: Registry

    def client(self, apis: Any = None, **kwargs: Any) -> topgun.Client:
        return self.server.client(
            apis={"bitbank": [KEY, SECRET]} if apis is None else apis,
            registry=self.registry,
            **kwargs,
        )

    async def wait_for(self, condition: Callable[[], bool], within: float = 5.0) -> None:
        """Wait until ``condition()`` holds, re-checking whenever the server state changes (and
        every 10 ms: the client side may have changed instead)."""
        await eventually(condition, within, changed=self.state.changed)


@pytest.fixture
async def bitbank(bitbank_registry: Registry) -> AsyncIterator[BitbankServer]:
    state = BitbankState()
    async with serve(state) as server:
        yield BitbankServer(server, state, bitbank_registry)
