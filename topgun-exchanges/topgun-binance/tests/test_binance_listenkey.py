"""Listen keys: ``initialize()`` of the listen-key POST keeps the key alive with an owned task.

Endpoints (https://developers.binance.com/docs/binance-spot-api-docs/user-data-stream, and
"User Data Streams" of USDⓈ-M and COIN-M): ``POST`` creates a key, ``PUT`` keeps it alive (spot
with the ``listenKey`` parameter, futures without), both with the API-key header only; an unknown
key is refused with code -1125 ("This listenKey does not exist."). The exchange here is a local
``HttpExchange`` under the real hostnames that counts the keep-alives and fails on demand.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from yarl import URL

import topgun
from topgun.plugin import Retry
from topgun.testing import HttpExchange, build_registry, eventually
from topgun_binance import plugin
from topgun_binance.listenkey import ListenKeyKeeper
from topgun_binance.store import BinanceSpotDataStore, BinanceUSDSMDataStore

from .conftest import DOC_KEY, DOC_SECRET

KEY_1 = "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"
KEY_2 = "T3ee22BIYuWqmvne0HNq2A2WsFlEtLhvWCtItw6ffhhdmjifQ2tRbuKkTHhr"
FAST = Retry(first=0.01, cap=0.02)


class ListenKeys:
    """The exchange's listen keys: which exist, and what was asked of them."""

    def __init__(self) -> None:
        self.keys = [KEY_1, KEY_2]
        self.alive: set[str] = set()
        self.fail_next = 0
        self.puts: list[dict[str, Any]] = []

    async def handle(self, request: web.Request, body: bytes, record: dict[str, Any]) -> Any:
        record["verified"] = (
            request.headers.get("X-MBX-APIKEY") == DOC_KEY and "signature" not in request.query
        )
        if request.method == "POST":
            key = self.keys.pop(0)
            self.alive.add(key)
            return web.json_response({"listenKey": key})
        if request.method == "PUT":
            self.puts.append(record)
            if self.fail_next:
                self.fail_next -= 1
                return web.json_response({"code": -1001, "msg": "Internal error"}, status=503)
            key = request.query.get("listenKey", KEY_1)
            if key not in self.alive:
                return web.json_response(
                    {"code": -1125, "msg": "This listenKey does not exist."}, status=400
                )
            return web.json_response({} if "listenKey" in request.query else {"listenKey": key})
        return web.json_response({}, status=405)


@pytest.fixture
def keys() -> ListenKeys:
    return ListenKeys()


@pytest.fixture
async def exchange(keys: ListenKeys) -> AsyncIterator[HttpExchange]:
    async with HttpExchange(["api.binance.com", "fapi.binance.com"], keys.handle) as server:
        yield server


def client_for(exchange: HttpExchange) -> topgun.Client:
    return exchange.client(
        apis={"binance": [DOC_KEY, DOC_SECRET]}, registry=build_registry([plugin])
    )


def fast(store: Any) -> Any:
    store.listenkey_interval = 0.02
    store.listenkey_retry = FAST
    return store


async def test_spot_key_is_put_with_its_parameter_until_aclose(
    exchange: HttpExchange, keys: ListenKeys
) -> None:
    async with client_for(exchange) as client:
        store = fast(BinanceSpotDataStore())
        await store.initialize(client.post("https://api.binance.com/api/v3/userDataStream"))
        keeper = store.listenkey_keeper
        assert store.listenkey == KEY_1 and keeper is not None and keeper.running
        await eventually(lambda: keeper.keepalives >= 3)
        await store.aclose()
        assert not keeper.running and store.listenkey_keeper is None
        assert not client._tasks  # nothing left that could send another keep-alive
    assert all(r["verified"] for r in exchange.seen)
    assert {r["path_qs"] for r in keys.puts} == {f"/api/v3/userDataStream?listenKey={KEY_1}"}


async def test_futures_key_is_put_without_parameters(
    exchange: HttpExchange, keys: ListenKeys
) -> None:
    async with client_for(exchange) as client:
        async with fast(BinanceUSDSMDataStore()) as store:
            await store.initialize(client.post("https://fapi.binance.com/fapi/v1/listenKey"))
            await eventually(lambda: len(keys.puts) >= 2)
        assert {r["path_qs"] for r in keys.puts} == {"/fapi/v1/listenKey"}


async def test_failures_are_logged_and_retried(
    exchange: HttpExchange, keys: ListenKeys, caplog: pytest.LogCaptureFixture
) -> None:
    keys.fail_next = 2
    async with client_for(exchange) as client, fast(BinanceSpotDataStore()) as store:
        with caplog.at_level(logging.WARNING, "topgun.binance"):
            await store.initialize(client.post("https://api.binance.com/api/v3/userDataStream"))
            keeper = store.listenkey_keeper
            assert keeper is not None
            await eventually(lambda: keeper.keepalives >= 1)
        assert keeper.failures == 2 and keeper.running
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 2
    assert "HTTP 503, code -1001: Internal error; retrying in" in warnings[0]
    assert "failure 2 in a row" in warnings[1]
    assert KEY_1 not in caplog.text


async def test_closing_the_client_ends_the_keep_alive(exchange: HttpExchange) -> None:
    client = client_for(exchange)
    store = fast(BinanceSpotDataStore())
    await store.initialize(client.post("https://api.binance.com/api/v3/userDataStream"))
    keeper = store.listenkey_keeper
    assert keeper is not None and keeper.running
    await client.close()
    assert not keeper.running
    await store.aclose()  # nothing left to stop; still fine


async def test_an_expired_key_is_replaced(
    exchange: HttpExchange, keys: ListenKeys, caplog: pytest.LogCaptureFixture
) -> None:
    async with client_for(exchange) as client, fast(BinanceSpotDataStore()) as store:
        await store.initialize(client.post("https://api.binance.com/api/v3/userDataStream"))
        keys.alive.discard(KEY_1)  # expired at the exchange
        with caplog.at_level(logging.WARNING, "topgun.binance"):
            await eventually(lambda: store.listenkey == KEY_2)
            keeper = store.listenkey_keeper
            assert keeper is not None and keeper.renewals == 1 and keeper.key == KEY_2
            await eventually(lambda: keeper.keepalives >= 1)
    assert "had expired; a new one was created" in caplog.text
    assert KEY_1 not in caplog.text and KEY_2 not in caplog.text


async def test_a_new_key_replaces_the_keeper_and_the_same_key_keeps_it(
    exchange: HttpExchange, keys: ListenKeys
) -> None:
    keys.keys = [KEY_1, KEY_1, KEY_2]
    async with client_for(exchange) as client, fast(BinanceUSDSMDataStore()) as store:
        url = "https://fapi.binance.com/fapi/v1/listenKey"
        await store.initialize(client.post(url))
        first = store.listenkey_keeper
        await store.initialize(client.post(url))
        assert store.listenkey_keeper is first
        await store.initialize(client.post(url))
        assert store.listenkey == KEY_2 and store.listenkey_keeper is not first
        assert first is not None and not first.running
        assert store.listenkey_keeper is not None and store.listenkey_keeper.running


async def test_keeper_repr_and_bad_settings(exchange: HttpExchange) -> None:
    async with client_for(exchange) as client:
        keeper = ListenKeyKeeper(client, URL("https://fapi.binance.com/fapi/v1/listenKey"), KEY_1)
        assert KEY_1 not in repr(keeper) and "stopped" in repr(keeper)
        with pytest.raises(ValueError, match="every > 0"):
            ListenKeyKeeper(client, keeper.url, KEY_1, every=0)


async def test_a_fetch_result_works_too(exchange: HttpExchange, keys: ListenKeys) -> None:
    async with client_for(exchange) as client, fast(BinanceUSDSMDataStore()) as store:
        await store.initialize(client.fetch("POST", "https://fapi.binance.com/fapi/v1/listenKey"))
        keeper = store.listenkey_keeper
        assert store.listenkey == KEY_1 and keeper is not None and keeper.running
        await eventually(lambda: keeper.keepalives >= 1)
