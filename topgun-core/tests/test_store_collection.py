"""topgun.DataStoreCollection: onmessage never raises, initialize routes HTTP responses, wait."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from yarl import URL

import topgun
from topgun.store import Item, MalformedMessage


class Orders(topgun.DataStore):
    _KEYS = ("id",)

    def _onresponse(self, data: Any, url: URL) -> None:
        if not isinstance(data, list):
            raise topgun.InitializeError(f"{url.path}: expected a list")
        self._insert([dict(item, source=url.query.get("tag", "")) for item in data])

    def _onmessage(self, message: Item) -> None:
        self._update([message])


class Toy(topgun.DataStoreCollection):
    _ENDPOINTS = {"/orders": "orders", "/v2/orders": "orders", "/missing-store": "nowhere"}  # noqa: RUF012

    def _init(self) -> None:
        self._create("orders", datastore_class=Orders)
        self._create("log")
        self.resets = 0

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        if msg["type"] == "order":
            self["orders"]._onmessage(msg["data"])  # type: ignore[attr-defined]
        elif msg["type"] == "log":
            self["log"]._insert([msg["data"]])


@pytest.fixture
async def server() -> AsyncIterator[TestServer]:
    async def orders(request: web.Request) -> web.Response:
        return web.json_response([{"id": 1, "qty": 2}, {"id": 2, "qty": 3}])

    async def broken(request: web.Request) -> web.Response:
        return web.json_response({"status": -500, "error_message": "nope"}, status=500)

    async def text(request: web.Request) -> web.Response:
        return web.Response(text="<html>maintenance</html>")

    app = web.Application()
    app.router.add_get("/orders", orders)
    app.router.add_get("/v2/orders", orders)
    app.router.add_get("/unknown", orders)
    app.router.add_get("/missing-store", orders)
    app.router.add_get("/broken", broken)
    app.router.add_get("/text", text)
    async with TestServer(app, host="127.0.0.1") as test_server:
        yield test_server


@pytest.fixture
async def client(server: TestServer) -> AsyncIterator[topgun.Client]:
    async with topgun.Client(apis={}, base_url=str(server.make_url(""))) as session:
        yield session


def test_stores_by_name() -> None:
    toy = Toy()
    assert isinstance(toy["orders"], Orders)
    assert "orders" in toy and "log" in toy and "nope" not in toy
    assert list(toy) == ["orders", "log"]
    with pytest.raises(KeyError):
        toy["nope"]
    assert toy._get("orders", Orders) is toy["orders"]
    assert toy._get("nope") is None


def test_onmessage_never_raises_and_logs_once_per_kind(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="topgun.store")
    toy = Toy()
    for bad in ({"type": "order"}, {"no": "type"}, None, [1, 2], "text"):
        toy.onmessage(bad)
    toy.onmessage({"type": "order", "data": {"id": 1, "qty": 1}})
    assert toy["orders"].find() == [{"id": 1, "qty": 1}]
    errors = [r for r in caplog.records if "could not apply a message" in r.getMessage()]
    assert 1 <= len(errors) <= 2  # one per exception kind (KeyError, TypeError), not per message
    assert all(r.exc_info for r in errors)


def test_base_collection_prints_each_message_like_pybotters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # pybotters' DataStoreCollection without routes prints what it is given (its test_store.py).
    bare = topgun.DataStoreCollection()
    bare.onmessage('{"foo":"bar"}')
    bare.onmessage({"anything": 2})
    assert capsys.readouterr().out == '{"foo":"bar"}\n{\'anything\': 2}\n'


async def test_initialize_takes_every_kind_of_response(client: topgun.Client) -> None:
    toy = Toy()
    await toy.initialize(
        client.get("/orders", params={"tag": "get"}),  # aiohttp's request context manager
        client.fetch("GET", "/v2/orders", params={"tag": "fetch"}),  # a coroutine of FetchResult
    )
    assert [o["source"] for o in toy["orders"].find()] == ["fetch", "fetch"]  # applied in order
    again = Toy()
    response = await client.request("GET", "/orders", params={"tag": "request"})
    fetched = await client.fetch("GET", "/orders", params={"tag": "done"})

    async def coroutine() -> Any:
        return await client.get("/orders", params={"tag": "coro"})

    await again.initialize(response)
    assert {o["source"] for o in again["orders"].find()} == {"request"}
    await again.initialize(fetched, coroutine())
    assert {o["source"] for o in again["orders"].find()} == {"coro"}


async def test_initialize_rejects_unknown_endpoints_and_applies_nothing(
    client: topgun.Client,
) -> None:
    toy = Toy()
    with pytest.raises(
        topgun.InitializeError,
        match=r"does not know GET /unknown; it takes: /missing-store, /orders, /v2/orders",
    ):
        await toy.initialize(client.get("/orders"), client.get("/unknown"))
    assert len(toy["orders"]) == 0
    with pytest.raises(topgun.InitializeError, match="does not know GET /missing-store"):
        await toy.initialize(client.get("/missing-store"))


async def test_initialize_reports_http_errors_and_non_json(client: topgun.Client) -> None:
    toy = Toy()
    toy._ENDPOINTS = {"/broken": "orders", "/text": "orders", "/orders": "orders"}  # type: ignore[misc]
    with pytest.raises(topgun.InitializeError, match="HTTP 500") as info:
        await toy.initialize(client.get("/broken"))
    assert "nope" in str(info.value)
    with pytest.raises(topgun.InitializeError, match="did not return JSON"):
        await toy.initialize(client.fetch("GET", "/text"))
    with pytest.raises(topgun.InitializeError, match="nothing applied") as group:
        await toy.initialize(client.get("/orders"), client.get("/broken"), client.get("/text"))
    assert len(group.value.errors) == 2
    assert len(toy["orders"]) == 0
    with pytest.raises(topgun.InitializeError, match="takes HTTP responses"):
        await toy.initialize({"not": "a response"})


async def _settles(aw: asyncio.Task[None]) -> bool:
    """Whether ``aw`` is done once the loop has run everything already scheduled."""
    for _ in range(3):
        await asyncio.sleep(0)
    return aw.done()


async def test_collection_wait_returns_after_every_message_handled() -> None:
    toy = Toy()
    # A message that changes nothing still ends the wait (pybotters' behaviour).
    waiter = asyncio.create_task(toy.wait())
    assert not await _settles(waiter)
    toy.onmessage({"type": "nothing"})
    await asyncio.wait_for(waiter, 1)
    # So does one the collection cannot apply (logged, skipped).
    waiter = asyncio.create_task(toy.wait())
    assert not await _settles(waiter)
    toy.onmessage({"type": "order", "data": {"no_id": 1}})
    await asyncio.wait_for(waiter, 1)


async def test_collection_wait_without_routes_and_state_kept_outside_stores(
    capsys: pytest.CaptureFixture[str],
) -> None:
    class Counter(topgun.DataStoreCollection):
        """Keeps its state in an attribute, not in a DataStore."""

        def _init(self) -> None:
            self.seen = 0

        def _onmessage(self, msg: Any, ws: Any = None) -> None:
            self.seen += 1

    counter = Counter()
    waiter = asyncio.create_task(counter.wait())
    asyncio.get_running_loop().call_soon(counter.onmessage, {"n": 1})
    await asyncio.wait_for(waiter, 1)
    assert counter.seen == 1
    bare = topgun.DataStoreCollection()  # pybotters' test_dsc_wait, on the base class
    waiter = asyncio.create_task(bare.wait())
    asyncio.get_running_loop().call_soon(bare.onmessage, {"foo": "bar"})
    await asyncio.wait_for(waiter, 1)
    assert capsys.readouterr().out == "{'foo': 'bar'}\n"


async def test_store_wait_still_ignores_messages_that_change_nothing() -> None:
    toy = Toy()
    orders = toy["orders"]
    waiter = asyncio.create_task(orders.wait())
    assert not await _settles(waiter)
    toy.onmessage({"type": "nothing"})
    toy.onmessage({"type": "log", "data": {"line": "x"}})  # another store changed
    assert not await _settles(waiter)
    toy.onmessage({"type": "order", "data": {"id": 7, "qty": 1}})
    await asyncio.wait_for(waiter, 1)


def test_on_ws_reconnect_calls_every_store_and_never_raises(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[str] = []

    class Resetting(topgun.DataStore):
        def _onreconnect(self) -> None:
            calls.append(self.name or "")
            if self.name == "bad":
                raise RuntimeError("boom")

    class Feed(topgun.DataStoreCollection):
        def _init(self) -> None:
            self._create("a", datastore_class=Resetting)
            self._create("b", datastore_class=Resetting)

    feed = Feed()
    feed.on_ws_reconnect(None)
    assert calls == ["a", "b"]
    feed._create("bad", datastore_class=Resetting)
    caplog.set_level(logging.ERROR, logger="topgun.store")
    feed.on_ws_reconnect(None)  # a failing hook is logged; the reconnect goes on
    assert any("failed to reset its stores" in r.getMessage() for r in caplog.records)


def test_a_reconnect_note_is_logged_after_the_stores_reset(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Private(Toy):
        _RECONNECT_NOTE = "Toy: reconnected; orders may be stale: call initialize() again."

    feed = Private()
    caplog.set_level(logging.INFO, logger="topgun.store")
    Toy().on_ws_reconnect(None)
    assert not caplog.records  # no note declared: nothing logged
    feed.on_ws_reconnect(None)
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.INFO, Private._RECONNECT_NOTE)
    ]


def test_a_reconnect_note_about_some_stores_waits_for_their_items(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Private(Toy):
        _RECONNECT_NOTE = "Toy: reconnected; orders may be stale."
        _RECONNECT_NOTE_IF = ("orders",)

    feed = Private()
    caplog.set_level(logging.INFO, logger="topgun.store")
    feed.onmessage({"type": "log", "data": {"line": 1}})
    feed.on_ws_reconnect(None)
    assert not caplog.records  # no order held: nothing to resync
    feed.onmessage({"type": "order", "data": {"id": 7, "qty": 1}})
    feed.on_ws_reconnect(None)
    assert [r.getMessage() for r in caplog.records] == [Private._RECONNECT_NOTE]


def test_frames_with_nowhere_to_go_are_logged_once_per_name_and_not_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Routed(topgun.DataStoreCollection):
        def _onmessage(self, msg: Any, ws: Any = None) -> None:
            if type(msg) is not dict:
                self._not_an_object(msg)
            else:
                self._no_store_for("channel", msg["channel"], key=msg["channel"].split(".")[0])

    feed = Routed()
    caplog.set_level(logging.WARNING, logger="topgun.store")
    for msg in ([1], {"channel": "news.BTC"}, {"channel": "news.ETH"}, {"channel": "odd"}):
        feed.onmessage(msg)
    assert [r.getMessage() for r in caplog.records] == [
        "Routed: ignored a frame that is not a JSON object (list)",
        "Routed: no store for channel 'news.BTC'; its messages are ignored",
        "Routed: no store for channel 'odd'; its messages are ignored",
    ]
    assert feed.skipped == 0


def test_query_param_names_what_a_response_needs() -> None:
    from topgun.store import query_param

    url = URL("https://api.example.test/depth?symbol=BTCUSDT&limit=")
    assert query_param(url, "symbol") == "BTCUSDT"
    for missing in ("limit", "interval"):
        with pytest.raises(topgun.InitializeError, match=f"no '{missing}' parameter"):
            query_param(url, missing)


def test_a_skipped_message_is_logged_under_its_channel(caplog: pytest.LogCaptureFixture) -> None:
    class Channels(topgun.DataStoreCollection):
        _CHANNEL_KEY = "channel"

        def _onmessage(self, msg: Any, ws: Any = None) -> None:
            raise MalformedMessage("'size' is not a number")

    feed = Channels()
    caplog.set_level(logging.WARNING, logger="topgun.store")
    feed.onmessage({"channel": "orders", "size": True})
    feed.onmessage(["not", "an", "object"])
    assert [r.getMessage() for r in caplog.records] == [
        "Channels skipped a malformed message: orders: 'size' is not a number",
        "Channels skipped a malformed message: 'size' is not a number",
    ]
    assert feed.skipped == 2
