"""GMOCoinDataStore: the docs' messages, the derived order rules, initialize(), end to end.

Message shapes are the examples of https://api.coin.z.com/docs/ (read through the copy at
https://gmo-docs.shion1305.com/docs/websocket/): #ws-ticker, #ws-orderbooks, #ws-trades,
#ws-execution-events, #ws-order-events, #ws-position-events, #ws-position-summary-events, and
the REST replies of #latest-executions, #active-orders, #open-positions, #position-summary.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import pytest

import topgun
from topgun.plugin import InitializeError
from topgun.testing import eventually
from topgun_gmocoin import PUBLIC_WS_URL, Retry, private_ws
from topgun_gmocoin.store import GMOCoinDataStore

from .test_gmocoin_samples import (
    ACTIVE_ORDERS,
    EXECUTION_EVENT,
    LATEST_EXECUTIONS,
    MAINTENANCE,
    OPEN_POSITIONS,
    ORDER_EVENT,
    ORDERBOOKS,
    POSITION_EVENT,
    POSITION_SUMMARY,
    POSITION_SUMMARY_EVENT,
    TICKER,
    TRADES,
    fresh,
)

# -- the WebSocket channels ------------------------------------------------------------------


def test_public_channels_keep_the_docs_messages() -> None:
    store = GMOCoinDataStore()
    store.onmessage(fresh(TICKER))
    store.onmessage(fresh(TRADES))
    store.onmessage(fresh(ORDERBOOKS))
    assert store.ticker.find() == [TICKER]
    assert store.trades.find() == [TRADES]
    assert store.orderbooks.sorted({"symbol": "BTC"}) == {
        "asks": [
            {"symbol": "BTC", "side": "asks", "price": "455658", "size": "0.2"},
            {"symbol": "BTC", "side": "asks", "price": "455659", "size": "0.1"},
        ],
        "bids": [
            {"symbol": "BTC", "side": "bids", "price": "455665", "size": "0.1"},
            {"symbol": "BTC", "side": "bids", "price": "455655", "size": "0.3"},
        ],
    }
    assert store.orderbooks.timestamp == "2018-03-30T12:34:56.789Z"
    # a newer ticker replaces the symbol's
    store.onmessage(fresh(TICKER, last="757000"))
    assert [t["last"] for t in store.ticker] == ["757000"]


def test_each_orderbooks_message_replaces_the_book() -> None:
    store = GMOCoinDataStore()
    assert "BTC" not in store.orderbooks.out_of_sync
    assert not store.orderbooks.in_sync("BTC")
    store.onmessage(fresh(ORDERBOOKS))
    store.onmessage(fresh(ORDERBOOKS, symbol="ETH"))
    stream = store.orderbooks.watch()
    store.onmessage(
        fresh(ORDERBOOKS, asks=[{"price": "455658", "size": "0.2"}], bids=[], timestamp="T2")
    )
    book = store.orderbooks.sorted({"symbol": "BTC"})
    assert book == {
        "asks": [{"symbol": "BTC", "side": "asks", "price": "455658", "size": "0.2"}],
        "bids": [],
    }
    assert len(store.orderbooks.find({"symbol": "ETH"})) == 4  # other books untouched
    # only the three levels that left reach watch(); the unchanged one is not reported
    changes = [stream.get_nowait() for _ in range(len(stream))]
    assert sorted((c.operation, c.data["price"]) for c in changes) == [
        ("delete", "455655"),
        ("delete", "455659"),
        ("delete", "455665"),
    ]
    stream.close()


def test_order_execution_and_position_events_follow_the_reference_rules() -> None:
    store = GMOCoinDataStore()
    store.onmessage(fresh(ORDER_EVENT))
    assert store.orders.find() == [ORDER_EVENT]
    # a partial execution: the order's executed size moves, the execution is kept
    store.onmessage(fresh(EXECUTION_EVENT))
    assert store.executions.find() == [EXECUTION_EVENT]
    assert store.orders.get({"orderId": 123456789})["orderExecutedSize"] == "0.5"
    # the rest executes ("0.80" is "0.8" as a decimal): the order is gone
    store.onmessage(
        fresh(EXECUTION_EVENT, executionId=72123912, executionSize="0.3", orderExecutedSize="0.80")
    )
    assert store.orders.find() == []
    assert len(store.executions) == 2
    # an execution of an order the store never saw adds no stub order
    store.onmessage(fresh(EXECUTION_EVENT, executionId=72123913, orderId=5))
    assert store.orders.find() == []
    # ROR updates, COR (cancel) removes
    store.onmessage(fresh(ORDER_EVENT, orderId=7))
    store.onmessage(fresh(ORDER_EVENT, orderId=7, orderPrice="877100", msgType="ROR"))
    assert store.orders.get({"orderId": 7})["orderPrice"] == "877100"
    store.onmessage(
        fresh(ORDER_EVENT, orderId=7, orderStatus="CANCELED", cancelType="USER", msgType="COR")
    )
    assert store.orders.find() == []
    # positions: OPR opens, UPR updates, CPR closes
    store.onmessage(fresh(POSITION_EVENT))
    assert store.positions.find() == [POSITION_EVENT]
    store.onmessage(fresh(POSITION_EVENT, size="0.1", msgType="UPR"))
    assert store.positions.get({"positionId": 1234567})["size"] == "0.1"
    store.onmessage(fresh(POSITION_EVENT, msgType="CPR"))
    assert store.positions.find() == []
    store.onmessage(fresh(POSITION_SUMMARY_EVENT))
    store.onmessage(fresh(POSITION_SUMMARY_EVENT, positionLossGain="300"))
    assert store.position_summary.find() == [fresh(POSITION_SUMMARY_EVENT, positionLossGain="300")]


@pytest.mark.parametrize(
    "message",
    [
        fresh(EXECUTION_EVENT, orderSize=None),  # not an amount
        fresh(EXECUTION_EVENT, orderExecutedSize=True),  # a boolean is not an amount
        fresh(EXECUTION_EVENT, orderExecutedSize="NaN"),
        fresh(EXECUTION_EVENT, executionId=None),
        fresh(ORDERBOOKS, asks=[{"price": "455659", "size": "0.1"}, {"price": "inf", "size": "1"}]),
        fresh(ORDERBOOKS, bids=[{"price": "455665", "size": "nan"}]),
        fresh(ORDERBOOKS, bids=[{"price": True, "size": "1"}]),
        fresh(ORDERBOOKS, asks=[{"price": "455659"}]),
        fresh(ORDERBOOKS, asks="455659"),
        fresh(ORDERBOOKS, symbol=None),
        fresh(ORDER_EVENT, msgType=None),
        fresh(POSITION_EVENT, positionId=[1]),
        fresh(TICKER, symbol=3),
        {"channel": "positionSummaryEvents", "symbol": "BTC_JPY"},
        {"channel": "somethingNew", "data": 1},
        {"error": "ERR-5003 Request too many."},
        ["not", "an", "object"],
        "text",
    ],
)
def test_malformed_and_unknown_messages_change_nothing(
    message: Any, caplog: pytest.LogCaptureFixture
) -> None:
    store = GMOCoinDataStore()
    store.onmessage(fresh(ORDER_EVENT))
    store.onmessage(fresh(ORDERBOOKS))
    before = {name: copy.deepcopy(store[name].find()) for name in store}
    with caplog.at_level(logging.WARNING, logger="topgun.store.gmocoin"):
        store.onmessage(message)  # never raises
    assert {name: store[name].find() for name in store} == before
    assert caplog.records, "a skipped message is logged"


def test_a_reconnect_hides_books_until_their_next_message(caplog: pytest.LogCaptureFixture) -> None:
    store = GMOCoinDataStore()
    store.onmessage(fresh(ORDERBOOKS))
    store.onmessage(fresh(ORDER_EVENT))
    with caplog.at_level(logging.INFO):
        store.on_ws_reconnect(object())
    assert store.orderbooks.out_of_sync == {"BTC"}
    assert store.orderbooks.sorted({"symbol": "BTC"}) == {"asks": [], "bids": []}
    assert store.orders.find() == [ORDER_EVENT]  # kept, with a hint to re-initialize
    assert any("initialize() again" in r.getMessage() for r in caplog.records)
    store.onmessage(fresh(ORDERBOOKS))
    assert store.orderbooks.in_sync("BTC")
    assert len(store.orderbooks.find({"symbol": "BTC"})) == 4


# -- initialize() -----------------------------------------------------------------------------

ENDPOINTS = {
    "/private/v1/latestExecutions": LATEST_EXECUTIONS,
    "/private/v1/activeOrders": ACTIVE_ORDERS,
    "/private/v1/openPositions": OPEN_POSITIONS,
    "/private/v1/positionSummary": POSITION_SUMMARY,
}


async def test_initialize_takes_every_endpoint(gmo: Any) -> None:
    gmo.state.replies.update(ENDPOINTS)
    store = GMOCoinDataStore()
    async with gmo.client() as client:
        await store.initialize(
            client.get(
                "https://api.coin.z.com/private/v1/latestExecutions", params={"symbol": "BTC"}
            ),
            client.get("https://api.coin.z.com/private/v1/activeOrders", params={"symbol": "BTC"}),
            client.get(
                "https://api.coin.z.com/private/v1/openPositions", params={"symbol": "BTC_JPY"}
            ),
            client.get("https://api.coin.z.com/private/v1/positionSummary"),
        )
    assert store.executions.find() == LATEST_EXECUTIONS["data"]["list"]
    assert store.orders.find() == ACTIVE_ORDERS["data"]["list"]
    assert store.positions.find() == OPEN_POSITIONS["data"]["list"]
    assert store.position_summary.find() == POSITION_SUMMARY["data"]["list"]
    assert sorted(r["path"] for r in gmo.state.seen) == sorted(ENDPOINTS)
    assert all(r["verified"] for r in gmo.state.seen)  # signed the way GMO Coin checks
    # a later execution event finishes the REST order: "1" executed of "1"
    store.onmessage(fresh(EXECUTION_EVENT, orderSize="1", orderExecutedSize="1.0"))
    assert store.orders.find() == []


async def test_initialize_with_nothing_to_list(gmo: Any) -> None:
    gmo.state.replies["/private/v1/activeOrders"] = {
        "status": 0,
        "data": {},
        "responsetime": "2019-03-19T01:07:24.217Z",
    }
    store = GMOCoinDataStore()
    async with gmo.client() as client:
        await store.initialize(client.get("https://api.coin.z.com/private/v1/activeOrders"))
    assert store.orders.find() == []


async def test_a_status_error_names_the_endpoint_and_applies_nothing(gmo: Any) -> None:
    gmo.state.replies["/private/v1/latestExecutions"] = LATEST_EXECUTIONS
    gmo.state.replies["/private/v1/openPositions"] = MAINTENANCE
    store = GMOCoinDataStore()
    async with gmo.client() as client:
        with pytest.raises(InitializeError) as caught:
            await store.initialize(
                client.get("https://api.coin.z.com/private/v1/latestExecutions"),
                client.get("https://api.coin.z.com/private/v1/openPositions"),
            )
    text = str(caught.value)
    assert "/private/v1/openPositions" in text
    assert "status 5" in text and "ERR-5201 MAINTENANCE" in text
    assert store.executions.find() == []  # the good reply was not applied either


async def test_the_ws_auth_path_points_at_the_token_manager(gmo: Any) -> None:
    store = GMOCoinDataStore()
    async with gmo.client() as client:
        with pytest.raises(InitializeError, match="private_ws"):
            await store.initialize(client.post("https://api.coin.z.com/private/v1/ws-auth"))


# -- end to end -----------------------------------------------------------------------------


async def test_public_and_private_websockets_end_to_end(gmo: Any) -> None:
    """Both WebSockets under wss://api.coin.z.com: the public one by ``client.ws_connect``, the
    private one by ``private_ws`` (its token from ws-auth); the local exchange sends the docs'
    messages when a channel is subscribed, and again after the connection is dropped."""
    gmo.state.feeds.update(
        {
            "orderbooks": [fresh(ORDERBOOKS)],
            "orderEvents": [fresh(ORDER_EVENT)],
            "executionEvents": [fresh(EXECUTION_EVENT)],
        }
    )
    store = GMOCoinDataStore()
    fast = topgun.Backoff(0.02, 0.1, 2.0, 0.02, healthy_after=0.0)
    async with gmo.client() as client:
        public = client.ws_connect(
            str(PUBLIC_WS_URL),
            send_json={"command": "subscribe", "channel": "orderbooks", "symbol": "BTC"},
            hdlr_json=store.onmessage,
            backoff=fast,
        )
        stream = await private_ws(
            client,
            send_json=[
                {"command": "subscribe", "channel": "orderEvents"},
                {"command": "subscribe", "channel": "executionEvents"},
            ],
            hdlr_json=store.onmessage,
            retry=Retry(first=0.01, cap=0.02),
        )
        async with stream:
            await store.orderbooks.wait_synced("BTC", timeout=10)
            await eventually(lambda: len(store.executions) == 1, 10)
            assert store.orders.get({"orderId": 123456789})["orderExecutedSize"] == "0.5"
            assert len(store.orderbooks.find({"symbol": "BTC"})) == 4
            private_path = f"/ws/private/v1/{stream.tokens.token}"
            assert any(c["path"] == private_path for c in gmo.state.ws_connections)
            # the exchange drops every connection: the book waits for the next full message
            connected = len(gmo.state.ws_connections)
            await gmo.state.drop_websockets()
            await gmo.state.wait_for(lambda: len(gmo.state.ws_connections) >= connected + 2, 10)
            await store.orderbooks.wait_synced("BTC", timeout=10)
            assert store.orderbooks.stats.reconnects >= 1
            assert len(store.orderbooks.find({"symbol": "BTC"})) == 4
        await public.close()
