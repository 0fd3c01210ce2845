"""CoincheckDataStore and CoincheckPrivateDataStore: messages, books, initialize(), end to end.

Shapes: https://coincheck.com/documents/exchange/api — #websocket-trades, #websocket-order-book
(``[pair, {"bids", "asks", "last_update_at"}]``), #order-book (``GET /api/order_books``),
#websocket-order-events, #websocket-execution-events, #order-opens
(``GET /api/exchange/orders/opens``), #order-new (the POST reply ``feed_response`` takes).
The limit-range payloads (``[pair]-limit-range-orderbook``, ``/api/order_books?version=1.0``)
are undocumented; their shape and the expectations of the ``*_reference_*`` tests come from the
reference library's public tests (pybotters PR #562, tests/test_datastore.py), redone here with
our own server and code.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

import pytest
from aiohttp import web

import topgun
from topgun.plugin import InitializeError
from topgun.testing import Connection, HttpExchange, WebSocketExchange, eventually
from topgun_coincheck.store import CoincheckDataStore, CoincheckPrivateDataStore

from .test_coincheck_samples import (
    EXECUTION_EVENT,
    LEGACY_SNAPSHOT,
    OPENS,
    ORDER_EVENT,
    ORDER_REPLY,
    ORDERBOOK_DIFF,
    RANGED_SNAPSHOTS,
    REST_BOOK,
    TRADES,
    ask,
    bid,
    ranged,
)

KEY = "coincheck-test-key"
SECRET = "coincheck-test-secret"
FAST = topgun.Backoff(0.02, 0.1, 2.0, 0.02, healthy_after=0.0)


def level(side: str, rate: str, amount: str) -> dict[str, str]:
    return {"pair": "btc_jpy", "side": side, "rate": rate, "amount": amount}


def order_books(request: web.Request) -> Any:
    """coincheck.com's /api/order_books: the legacy book, or (version=1.0) a sequenced one."""
    pair = request.query.get("pair", "btc_jpy")
    if request.query.get("version") == "1.0":
        seq = request.query.get("snapshot_sequence", "101")
        return {"pair": pair, **RANGED_SNAPSHOTS[seq], "sequence_number": seq}
    return copy.deepcopy(LEGACY_SNAPSHOT)


@pytest.fixture
async def coincheck(coincheck_api: Any) -> AsyncIterator[HttpExchange]:
    """coincheck.com on 127.0.0.1 (TLS), answering /api/order_books and the signed opens."""
    answers = {
        "/api/order_books": order_books,
        "/api/exchange/orders/opens": lambda request: copy.deepcopy(OPENS),
    }
    async with coincheck_api(answers) as server:
        yield server


def books_get(client: topgun.Client, **params: str) -> Any:
    return client.get("https://coincheck.com/api/order_books", params={"pair": "btc_jpy", **params})


# -- public: trades and the documented order book ---------------------------------------------


def test_trades_keep_the_documented_fields() -> None:
    store = CoincheckDataStore()
    store.onmessage(copy.deepcopy(TRADES))
    assert store.trades.find()[0] == {
        "timestamp": "1663318663",
        "id": "2357062",
        "pair": "btc_jpy",
        "rate": "2820896.0",
        "amount": "5.0",
        "side": "sell",
        "taker_id": "1193401",
        "maker_id": "2078767",
    }
    assert len(store.trades) == 2 and store.trades.maxlen == 99_999


async def test_documented_diffs_apply_from_the_rest_snapshot_on(coincheck: HttpExchange) -> None:
    store = CoincheckDataStore()
    store.onmessage(copy.deepcopy(ORDERBOOK_DIFF))  # before any snapshot: not served, dropped
    assert store.orderbook.out_of_sync == {"btc_jpy"}
    assert store.orderbook.sorted({"pair": "btc_jpy"}) == {"asks": [], "bids": []}
    async with coincheck.client() as client:
        await store.initialize(books_get(client))
    # the reference's legacy test: the snapshot, then a diff removing 100.0 and adding 98.0
    assert store.orderbook.sorted({"pair": "btc_jpy"}) == {
        "asks": [level("asks", "100.0", "0.5")],
        "bids": [level("bids", "99.0", "1.5")],
    }
    store.onmessage(
        ["btc_jpy", {"asks": [["100.0", "0"]], "bids": [["98.0", "2.0"]], "last_update_at": "2000"}]
    )
    assert store.orderbook.sorted({"pair": "btc_jpy"}) == {
        "asks": [],
        "bids": [level("bids", "99.0", "1.5"), level("bids", "98.0", "2.0")],
    }
    assert store.orderbook.last_update_at == "2000"
    assert store.orderbook.initialized["btc_jpy"]
    assert not store.orderbook.initialized["eth_jpy"]
    # a reconnect: nothing tells what was missed, so the book waits for a new snapshot
    store.on_ws_reconnect(object())
    assert store.orderbook.out_of_sync == {"btc_jpy"}
    assert not store.orderbook.initialized["btc_jpy"]


async def test_the_documented_rest_book_with_numeric_rates(coincheck_api: Any) -> None:
    """#order-book's example has numbers for rates: they are kept as sent."""
    store = CoincheckDataStore()
    answers = {"/api/order_books": lambda request: copy.deepcopy(REST_BOOK)}
    async with coincheck_api(answers) as server, server.client() as client:
        await store.initialize(books_get(client))
    assert store.orderbook.sorted({"pair": "btc_jpy"}, limit=1) == {
        "asks": [{"pair": "btc_jpy", "side": "asks", "rate": 27330, "amount": "2.25"}],
        "bids": [{"pair": "btc_jpy", "side": "bids", "rate": 27240, "amount": "1.1543"}],
    }


# -- public: the limit-range book with sequence numbers (the reference's tests) -----------------


async def test_reference_initialize_replays_buffered_messages(coincheck: HttpExchange) -> None:
    store = CoincheckDataStore()
    store.onmessage(ranged("100", upper=[ask("101.0", "9.0")], at="1000"))
    store.onmessage(
        ranged("102", upper=[ask("100.0", "0.0")], lower=[bid("98.0", "4.0")], at="1020")
    )
    assert store.orderbook.out_of_sync == {"btc_jpy"}
    async with coincheck.client() as client:
        await store.initialize(books_get(client, version="1.0"))
    assert store.orderbook.sorted({"pair": "btc_jpy"}) == {
        "asks": [level("asks", "101.0", "2.0")],
        "bids": [level("bids", "99.0", "3.0"), level("bids", "98.0", "4.0")],
    }
    assert store.orderbook.stats.stale_dropped == 1  # 100, behind the snapshot's 101


async def test_reference_ignores_stale_messages_after_initialize(coincheck: HttpExchange) -> None:
    store = CoincheckDataStore()
    async with coincheck.client() as client:
        await store.initialize(books_get(client, version="1.0"))
    store.onmessage(ranged("102", upper=[ask("100.0", "0.0")], at="1020"))
    store.onmessage(ranged("101", upper=[ask("100.0", "5.0")], at="1015"))
    assert store.orderbook.sorted({"pair": "btc_jpy"}) == {
        "asks": [level("asks", "101.0", "2.0")],
        "bids": [level("bids", "99.0", "3.0")],
    }


async def test_reference_reinitialize_keeps_post_init_messages(coincheck: HttpExchange) -> None:
    store = CoincheckDataStore()
    store.onmessage(ranged("100", upper=[ask("102.0", "9.0")], at="1000"))
    store.onmessage(
        ranged("101", upper=[ask("100.0", "1.0"), ask("101.0", "2.0")], lower=[bid("99.0", "3.0")])
    )
    store.onmessage(ranged("102", lower=[bid("98.0", "4.0")], at="1020"))
    async with coincheck.client() as client:
        await store.initialize(books_get(client, version="1.0", snapshot_sequence="101"))
        store.onmessage(ranged("103", upper=[ask("100.0", "0.0")], at="1030"))
        store.onmessage(ranged("104", upper=[ask("102.0", "5.0")], at="1040"))
        store.onmessage(ranged("105", lower=[bid("97.0", "7.0")], at="1050"))
        # a snapshot at 104 is behind the book (105): the book is kept, 97.0 is not lost
        await store.initialize(books_get(client, version="1.0", snapshot_sequence="104"))
    store.onmessage(ranged("106", upper=[ask("103.0", "8.0")], at="1060"))
    assert store.orderbook.sorted({"pair": "btc_jpy"}) == {
        "asks": [
            level("asks", "101.0", "2.0"),
            level("asks", "102.0", "5.0"),
            level("asks", "103.0", "8.0"),
        ],
        "bids": [
            level("bids", "99.0", "3.0"),
            level("bids", "98.0", "4.0"),
            level("bids", "97.0", "7.0"),
        ],
    }
    assert store.orderbook.last_update_at == "1060"


@pytest.mark.parametrize(
    "message",
    [
        ranged("x103", upper=[ask("100.0", "1.0")]),  # not a sequence number
        ranged("103", upper=[ask("100.0", "1.0"), ask("nan", "1.0")]),
        ranged("103", upper=[{"rate": "100.0", "ask_amount": True, "bid_amount": "0"}]),
        ranged("103", lower=[{"ask_amount": "0", "bid_amount": "1.0"}]),  # no rate
        ["btc_jpy", {"asks": [["100.0", "-1"]], "bids": []}],
        ["btc_jpy", {"asks": [["inf", "1"]], "bids": []}],
        ["btc_jpy", {"asks": "100.0", "bids": []}],
        ["btc_jpy", "not an object"],
        [["1663318663", "2357062"]],  # a trade with too few fields
        [3, 4],
        {"unexpected": "object"},
        [],
    ],
)
async def test_public_malformed_messages_change_nothing(
    message: Any, coincheck: HttpExchange, caplog: pytest.LogCaptureFixture
) -> None:
    store = CoincheckDataStore()
    async with coincheck.client() as client:
        await store.initialize(books_get(client, version="1.0"))
    store.onmessage(copy.deepcopy(TRADES))
    before = {name: copy.deepcopy(store[name].find()) for name in store}
    with caplog.at_level(logging.WARNING, logger="topgun.store.coincheck"):
        store.onmessage(message)
    assert {name: store[name].find() for name in store} == before
    assert store.orderbook.in_sync("btc_jpy")
    assert caplog.records


async def test_public_end_to_end_with_the_snapshot_fetched_by_the_store(
    coincheck_api: Any,
) -> None:
    """wss://ws-api.coincheck.com through ``client.ws_connect``: trades and limit-range updates
    from the local exchange; the store fetches ``/api/order_books?version=1.0`` itself (no
    initialize() call), replays the newer buffered update, and again after a reconnect."""

    def respond(conn: Connection, message: Any) -> Iterable[Any]:
        if message == {"type": "subscribe", "channel": "btc_jpy-trades"}:
            return [copy.deepcopy(TRADES)]
        if message == {"type": "subscribe", "channel": "btc_jpy-limit-range-orderbook"}:
            return [
                ranged("100", upper=[ask("102.0", "9.0")]),
                ranged("102", lower=[bid("98.0", "4.0")]),
            ]
        return []

    socket = WebSocketExchange(["ws-api.coincheck.com"], respond)
    routes = [web.get("/", socket.serve)]
    answers = {"/api/order_books": order_books}
    store = CoincheckDataStore()
    store.orderbook.recovery = dataclasses.replace(store.orderbook.recovery, grace=0.05)
    want = {
        "asks": [level("asks", "100.0", "1.0"), level("asks", "101.0", "2.0")],
        "bids": [level("bids", "99.0", "3.0"), level("bids", "98.0", "4.0")],
    }
    hosts = ("coincheck.com", "ws-api.coincheck.com")
    async with coincheck_api(answers, hosts, routes) as server, server.client() as client:
        app = client.ws_connect(
            "wss://ws-api.coincheck.com/",
            send_json=[
                {"type": "subscribe", "channel": "btc_jpy-trades"},
                {"type": "subscribe", "channel": "btc_jpy-limit-range-orderbook"},
            ],
            hdlr_json=store.onmessage,
            backoff=FAST,
        )
        await store.orderbook.wait_synced("btc_jpy", timeout=10)
        assert store.orderbook.sorted({"pair": "btc_jpy"}) == want
        assert len(store.trades) == 2
        fetched = [r for r in server.seen if r["path"] == "/api/order_books"]
        assert fetched[0]["query"] == "pair=btc_jpy&version=1.0"
        assert "ACCESS-KEY" not in fetched[0]["headers"]
        await socket.connections[-1].ws.close()
        await eventually(lambda: len(socket.connections) == 2, 10)
        await eventually(lambda: store.orderbook.stats.reconnects == 1, 10)
        await store.orderbook.wait_synced("btc_jpy", timeout=10)
        assert store.orderbook.sorted({"pair": "btc_jpy"}) == want
        assert len([r for r in server.seen if r["path"] == "/api/order_books"]) == 2
        await app.close()


# -- private ------------------------------------------------------------------------------------


def test_reference_order_lifecycle_limit() -> None:
    store = CoincheckPrivateDataStore()
    store.order.feed_response(copy.deepcopy(ORDER_REPLY))
    assert store.order.find() == [
        {**ORDER_REPLY, "pending_amount": "0.0064", "pending_market_buy_amount": None}
    ]
    store.onmessage(copy.deepcopy(ORDER_EVENT))
    assert store.order.find() == [
        {
            **ORDER_REPLY,
            **ORDER_EVENT,
            "created_at": "2025-09-29T14:50:21.000Z",
            "pending_amount": "0.0054",  # Decimal: "0.0064" - "0.001"
            "pending_market_buy_amount": None,
        }
    ]
    store.onmessage({**ORDER_EVENT, "order_event": "FILL", "latest_executed_amount": "0.0054"})
    assert store.order.find() == []


def test_reference_order_lifecycle_market_buy() -> None:
    store = CoincheckPrivateDataStore()
    reply = {
        **ORDER_REPLY,
        "amount": None,
        "rate": None,
        "order_type": "market_buy",
        "market_buy_amount": "108792.0",
    }
    store.order.feed_response(reply)
    assert (
        store.order.get({"id": 8173686428, "pair": "btc_jpy"})["pending_market_buy_amount"]
        == "108792.0"
    )
    event = {
        **ORDER_EVENT,
        "order_type": "market_buy",
        "rate": None,
        "amount": None,
        "market_buy_amount": "108792.0",
        "latest_executed_amount": None,
        "latest_executed_market_buy_amount": "16999.0",
    }
    store.onmessage(event)
    order = store.order.get({"id": 8173686428, "pair": "btc_jpy"})
    assert (order["pending_amount"], order["pending_market_buy_amount"]) == (None, "91793.0")
    store.onmessage({**event, "order_event": "CANCEL"})
    assert store.order.find() == []


def test_order_events_change_only_known_orders_and_unknown_events_nothing() -> None:
    store = CoincheckPrivateDataStore()
    store.onmessage(copy.deepcopy(ORDER_EVENT))  # never fed: nothing is made up
    assert store.order.find() == []
    store.order.feed_response(copy.deepcopy(ORDER_REPLY))
    store.onmessage({**ORDER_EVENT, "order_event": "TRIGGERED", "latest_executed_amount": None})
    order = store.order.get({"id": 8173686428, "pair": "btc_jpy"})
    assert order["order_event"] == "TRIGGERED" and order["pending_amount"] == "0.0064"
    store.onmessage({**ORDER_EVENT, "order_event": "SOMETHING_NEW", "rate": "1.0"})
    assert store.order.get({"id": 8173686428, "pair": "btc_jpy"})["rate"] == "16998705.0"
    store.onmessage({**ORDER_EVENT, "order_event": "EXPIRY"})
    assert store.order.find() == []


def test_executions_are_kept_as_sent() -> None:
    store = CoincheckPrivateDataStore()
    store.onmessage(copy.deepcopy(EXECUTION_EVENT))
    assert store["execution-events"].find() == [EXECUTION_EVENT]
    assert store.execution.maxlen == 99_999


def test_feed_response_refuses_what_is_not_an_order_reply(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = CoincheckPrivateDataStore()
    with pytest.raises(ValueError, match="POST /api/exchange/orders"):
        store.order.feed_response({"success": True})
    with pytest.raises(TypeError, match="JSON object"):
        store.order.feed_response("{}")
    refused = {"success": False, "error": "Amount too small"}
    with caplog.at_level(logging.WARNING, logger="topgun.store.coincheck"):
        store.order.feed_response(refused)  # logged, as the reference does
    assert "Amount too small" in caplog.text
    assert store.order.find() == []


@pytest.mark.parametrize(
    "message",
    [
        {"success": False, "error": "invalid channel"},
        {**ORDER_EVENT, "latest_executed_amount": "NaN"},
        {**ORDER_EVENT, "latest_executed_amount": 0.5},  # a float is not Coincheck's decimal string
        {**ORDER_EVENT, "order_event": None},
        {**EXECUTION_EVENT, "pair": None},
        {"channel": "something-new"},
        ["not", "an", "object"],
    ],
)
def test_private_refusals_and_malformed_messages_change_nothing(
    message: Any, caplog: pytest.LogCaptureFixture
) -> None:
    store = CoincheckPrivateDataStore()
    store.order.feed_response(copy.deepcopy(ORDER_REPLY))
    before = copy.deepcopy(store.order.find())
    with caplog.at_level(logging.WARNING, logger="topgun.store.coincheck"):
        store.onmessage(message)
    assert store.order.find() == before and store.execution.find() == []
    assert caplog.records


async def test_private_initialize_from_opens(coincheck: HttpExchange) -> None:
    store = CoincheckPrivateDataStore()
    store.order.feed_response(copy.deepcopy(ORDER_REPLY))  # gone from the exchange: dropped
    async with coincheck.client(apis={"coincheck": [KEY, SECRET]}) as client:
        await store.initialize(client.get("https://coincheck.com/api/exchange/orders/opens"))
    assert store.order.find() == OPENS["orders"]
    assert [r["verified"] for r in coincheck.seen] == [True]


async def test_private_initialize_refused(coincheck_api: Any) -> None:
    refusal = {"success": False, "error": "invalid authentication"}
    refused = {"/api/exchange/orders/opens": lambda request: refusal}
    store = CoincheckPrivateDataStore()
    store.order.feed_response(copy.deepcopy(ORDER_REPLY))
    async with (
        coincheck_api(refused) as server,
        server.client(apis={"coincheck": [KEY, SECRET]}) as client,
    ):
        with pytest.raises(InitializeError, match=r"orders/opens.*invalid authentication"):
            await store.initialize(client.get("https://coincheck.com/api/exchange/orders/opens"))
    assert len(store.order) == 1  # nothing applied


async def test_private_end_to_end(
    caplog: pytest.LogCaptureFixture, login_check: Callable[[Any], bool]
) -> None:
    """wss://stream.coincheck.com through ``client.ws_connect``: the plugin logs in (checked as
    the docs describe), subscribes, and the store gets the events; a reconnect logs the hint."""

    def respond(conn: Connection, message: Any) -> Iterable[Any]:
        if message.get("type") == "login":
            conn.state["authed"] = login_check(message)
            if conn.state["authed"]:
                return [
                    {"success": True, "available_channels": ["order-events", "execution-events"]}
                ]
            return [{"success": False, "error": "invalid signature"}]
        if message.get("type") == "subscribe" and conn.state.get("authed"):
            return [copy.deepcopy(ORDER_EVENT), copy.deepcopy(EXECUTION_EVENT)]
        return [{"success": False, "error": "login first"}]

    store = CoincheckPrivateDataStore()
    store.order.feed_response(copy.deepcopy(ORDER_REPLY))
    async with (
        WebSocketExchange(["stream.coincheck.com"], respond) as server,
        server.client(apis={"coincheck": [KEY, SECRET]}) as client,
    ):
        app = client.ws_connect(
            "wss://stream.coincheck.com",
            send_json={"type": "subscribe", "channels": ["order-events", "execution-events"]},
            hdlr_json=store.onmessage,
            backoff=FAST,
        )
        await eventually(lambda: len(store.execution) == 1, 10)
        assert store.order.find()[0]["pending_amount"] == "0.0054"
        with caplog.at_level(logging.INFO, logger="topgun.store.coincheck"):
            await server.connections[-1].ws.close()
            await eventually(lambda: len(store.execution) == 2, 10)
        assert "initialize() with /api/exchange/orders/opens again" in caplog.text
        await app.close()
