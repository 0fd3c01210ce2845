"""Requests of hosts declaring ``ordered_nonces`` leave in signing order per (API name, key), and
only per key: another key, or another exchange, never waits for them.

A request is held up on purpose between signing and sending by a resolver that does not answer
for one hostname until released (DNS lookups happen after signing, when aiohttp connects). The
toy server records every request in arrival order.
"""

from __future__ import annotations

import asyncio
import socket
import types
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.abc import ResolveResult

import topgun
from topgun.plugin import ApiSpec, Host, SignedRequest, SigningRequest
from topgun.registry import Registry, build_registry
from topgun.testing import HttpExchange, LoopbackResolver, eventually


class GatedResolver(LoopbackResolver):
    """A ``LoopbackResolver`` that holds lookups of ``gated`` until ``gate`` is set."""

    def __init__(self, ports: dict[str, int], gated: str) -> None:
        super().__init__(ports)
        self.gated = gated
        self.gate = asyncio.Event()
        self.waiting = 0

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host == self.gated:
            self.waiting += 1
            await self.gate.wait()
        return await super().resolve(host, port, family)


class CountingSigner:
    """Signs with a counter per (API name, key), like an exchange nonce; records what it signed."""

    def __init__(self) -> None:
        self.signed: list[tuple[str, str, int]] = []
        self._next: dict[tuple[str, str], int] = {}

    def __call__(self, request: SigningRequest) -> SignedRequest:
        api, key = request.credential.api, request.credential.key
        nonce = self._next.get((api, key), 0) + 1
        self._next[api, key] = nonce
        self.signed.append((api, key, nonce))
        return SignedRequest(headers={"X-KEY": key, "X-NONCE": str(nonce)})


def _registry(plugin_factory: Callable[..., types.ModuleType], signer: CountingSigner) -> Registry:
    one = plugin_factory(
        "noncex",
        apis=[ApiSpec("noncex")],
        hosts=[
            Host("api.noncex.test", api="noncex", signer=signer, body="json", ordered_nonces=True)
        ],
    )
    two = plugin_factory(
        "othex",
        apis=[ApiSpec("othex")],
        hosts=[
            Host("api.othex.test", api="othex", signer=signer, body="json", ordered_nonces=True)
        ],
    )
    return build_registry([one, two], strict=True)


async def _ok(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
    return web.json_response({"nonce": request.headers.get("X-NONCE")})


@pytest.fixture
async def server() -> AsyncIterator[HttpExchange]:
    async with HttpExchange(["api.noncex.test", "api.othex.test"], _ok) as exchange:
        yield exchange


def _client(
    server: HttpExchange, registry: Registry, resolver: LoopbackResolver, apis: dict[str, Any]
) -> topgun.Client:
    return topgun.Client(apis, registry=registry, connector=server.connector(resolver))


async def test_other_exchanges_and_other_keys_do_not_wait(
    server: HttpExchange, plugin_factory: Any
) -> None:
    signer = CountingSigner()
    registry = _registry(plugin_factory, signer)
    ports = dict.fromkeys(["api.noncex.test", "api.othex.test"], server.port)
    stalled = GatedResolver(ports, gated="api.noncex.test")
    apis_a = {"noncex": ["key-A", "s"], "othex": ["key-A", "s"]}
    async with (
        _client(server, registry, stalled, apis_a) as client_a,
        _client(server, registry, LoopbackResolver(ports), {"noncex": ["key-B", "s"]}) as client_b,
        _client(server, registry, LoopbackResolver(ports), {"noncex": ["key-A", "s"]}) as client_c,
    ):
        first = asyncio.create_task(client_a.fetch("GET", "https://api.noncex.test/1"))
        await eventually(lambda: stalled.waiting == 1)  # signed, holding key-A's order
        # The same key, from another Client (the exchange counts nonces per key): it waits.
        same_key = asyncio.create_task(client_c.fetch("GET", "https://api.noncex.test/2"))
        # Another exchange, same Client; and another key on the same exchange: they go through.
        other_exchange = await client_a.fetch("GET", "https://api.othex.test/3")
        other_key = await client_b.fetch("GET", "https://api.noncex.test/4")
        assert other_exchange.response.status == other_key.response.status == 200
        assert [r["path"] for r in server.seen] == ["/3", "/4"]
        assert ("noncex", "key-A", 2) not in signer.signed  # the waiting one is not even signed
        stalled.gate.set()
        await asyncio.gather(first, same_key)
    arrived = [(r["path"], r["headers"]["X-KEY"], r["headers"]["X-NONCE"]) for r in server.seen]
    assert arrived == [
        ("/3", "key-A", "1"),
        ("/4", "key-B", "1"),
        ("/1", "key-A", "1"),
        ("/2", "key-A", "2"),
    ]


async def test_a_request_failing_before_it_is_sent_releases_its_key(
    server: HttpExchange, plugin_factory: Any
) -> None:
    signer = CountingSigner()
    registry = _registry(plugin_factory, signer)
    resolver = LoopbackResolver({"api.othex.test": server.port})  # api.noncex.test: unresolvable
    async with _client(server, registry, resolver, {"noncex": ["key-A", "s"]}) as client:
        with pytest.raises(aiohttp.ClientConnectorError):
            await client.fetch("GET", "https://api.noncex.test/1")
        with pytest.raises(aiohttp.ClientConnectorError):
            await client.fetch("GET", "https://api.noncex.test/2")  # not stuck behind the first
    assert signer.signed == [("noncex", "key-A", 1), ("noncex", "key-A", 2)]


async def test_only_clients_holding_such_a_key_trace_their_requests(plugin_factory: Any) -> None:
    """The hook that learns when headers are written costs every request of its session a
    little, so a Client gets it only when it has a key for a nonce-ordered host."""
    registry = _registry(plugin_factory, CountingSigner())
    user_trace = aiohttp.TraceConfig()
    async with (
        topgun.Client({}, registry=registry, trace_configs=[user_trace]) as without_keys,
        topgun.Client(
            {"noncex": ["k", "s"]}, registry=registry, trace_configs=[user_trace]
        ) as with_key,
    ):
        assert without_keys.session.trace_configs == [user_trace]
        assert len(with_key.session.trace_configs) == 2
        assert with_key.session.trace_configs[0] is user_trace  # the caller's are kept
