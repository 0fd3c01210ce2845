"""OKXDataStore's non-book stores: routing, item shapes, private stores, initialize(), bad input.

Push shapes are those of the docs' examples: https://www.okx.com/docs-v5/en/#overview-websocket-push-data
(envelope), #order-book-trading-market-data-ws-tickers-channel, #order-book-trading-market-data-ws-candlesticks-channel,
#order-book-trading-market-data-ws-trades-channel, #public-data-websocket-mark-price-candlesticks-channel,
#trading-account-websocket-account-channel, #trading-account-websocket-positions-channel,
#trading-account-websocket-balance-and-position-channel, #order-book-trading-trade-ws-order-channel,
#order-book-trading-algo-trading-ws-algo-orders-channel and
#order-book-trading-algo-trading-ws-advance-algo-orders-channel; REST shapes those of
#order-book-trading-trade-get-order-list and #order-book-trading-algo-trading-get-algo-order-list.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson
import pytest

import topgun
from topgun.plugin import InitializeError
from topgun.testing import build_registry
from topgun_okx import plugin
from topgun_okx.store import OKXDataStore

UID = "614488474791936"


def wire(message: Any) -> Any:
    """The message as the WebSocket hands it to handlers (JSON round trip)."""
    return orjson.loads(orjson.dumps(message))


def push(channel: str, data: list[Any], **arg: Any) -> Any:
    return wire({"arg": {"channel": channel, **arg}, "data": data})


TICKER = {
    "instType": "SPOT",
    "instId": "BTC-USDT",
    "last": "9999.99",
    "lastSz": "0.1",
    "askPx": "9999.99",
    "askSz": "11",
    "bidPx": "8888.88",
    "bidSz": "5",
    "open24h": "9000",
    "high24h": "10000",
    "low24h": "8888.88",
    "volCcy24h": "2222",
    "vol24h": "2222",
    "sodUtc0": "2222",
    "sodUtc8": "2222",
    "ts": "1597026383085",
}


POSITION = {
    "instId": "BTC-USD-210430",
    "instType": "FUTURES",
    "mgnMode": "cross",
    "posSide": "long",
    "pos": "1",
    "avgPx": "3320",
}
ACCOUNT = {"uTime": "1597026383085", "totalEq": "41624.32", "details": [{"ccy": "BTC"}]}


def order(ord_id: str, state: str, **fields: Any) -> dict[str, Any]:
    return {
        "instType": "SPOT",
        "instId": "BTC-USDT",
        "ordId": ord_id,
        "clOrdId": "",
        "px": "30000",
        "sz": "0.01",
        "ordType": "limit",
        "side": "buy",
        "accFillSz": "0",
        "state": state,
        "uTime": "1597026383085",
        **fields,
    }


def test_registered_as_topgun_okx_datastore() -> None:
    assert topgun.OKXDataStore is OKXDataStore
    store = topgun.OKXDataStore()
    for name in (
        "instruments",
        "tickers",
        "open-interest",
        "candle",
        "trades",
        "estimated-price",
        "mark-price",
        "mark-price-candle",
        "price-limit",
        "books",
        "opt-summary",
        "funding-rate",
        "index-candle",
        "index-tickers",
        "status",
        "account",
        "positions",
        "balance_and_position",
        "orders",
        "orders-algo",
        "algo-advance",
        "liquidation-warning",
        "account-greeks",
    ):
        assert name in store
    assert store.openinterest is store["open-interest"]
    assert store.ordersalgo is store["orders-algo"] and store.algoadvance is store["algo-advance"]


def test_keyed_market_tables_merge_by_inst_id() -> None:
    store = OKXDataStore()
    store.onmessage(push("tickers", [TICKER], instId="BTC-USDT"))
    store.onmessage(push("tickers", [{**TICKER, "last": "10000"}], instId="BTC-USDT"))
    assert len(store.tickers) == 1
    assert store.tickers.get({"instId": "BTC-USDT"}) == {**TICKER, "last": "10000"}
    mark = {"instType": "SWAP", "instId": "BTC-USDT-SWAP", "markPx": "42310.6", "ts": "1"}
    store.onmessage(push("mark-price", [mark], instId="BTC-USDT-SWAP"))
    assert store.markprice.find() == [mark]
    funding = {"fundingRate": "0.0001", "instId": "BTC-USD-SWAP", "instType": "SWAP"}
    store.onmessage(push("funding-rate", [funding], instId="BTC-USD-SWAP"))
    assert store.fundingrate.get({"instId": "BTC-USD-SWAP"}) == funding
    greeks = {"ccy": "BTC", "deltaBS": "1.1", "ts": "1620282889345"}
    store.onmessage(push("account-greeks", [greeks], uid=UID))
    assert store.accountgreeks.get({"ccy": "BTC"}) == greeks


def test_candles_are_keyed_by_channel_and_keep_confirm() -> None:
    store = OKXDataStore()
    row = ["1597026383085", "8533.02", "8553.74", "8527.17", "8548.26", "45247", "529.5", "5.2"]
    store.onmessage(push("candle1D", [[*row, "0"]], instId="BTC-USDT"))
    store.onmessage(push("candle1m", [[*row, "1"]], instId="BTC-USDT"))
    store.onmessage(push("candle1D", [[*row[:4], "8600", *row[5:], "1"]], instId="BTC-USDT"))
    assert store.candle.find({"channel": "candle1D"}) == [
        {
            "channel": "candle1D",
            "instId": "BTC-USDT",
            "ts": "1597026383085",
            "o": "8533.02",
            "h": "8553.74",
            "l": "8527.17",
            "c": "8600",
            "vol": "45247",
            "volCcy": "529.5",
            "confirm": "1",
        }
    ]
    assert len(store.candle) == 2
    mark = ["1597026383085", "3.721", "3.743", "3.677", "3.708", "0"]
    store.onmessage(push("mark-price-candle1D", [mark], instId="BTC-USD-190628"))
    store.onmessage(push("index-candle30m", [mark], instId="BTC-USD"))
    assert store.markpricecandle.find() == [
        {
            "channel": "mark-price-candle1D",
            "instId": "BTC-USD-190628",
            "ts": "1597026383085",
            "o": "3.721",
            "h": "3.743",
            "l": "3.677",
            "c": "3.708",
            "confirm": "0",
        }
    ]
    assert store.indexcandle.find()[0]["channel"] == "index-candle30m"


def test_trades_and_status_are_logs() -> None:
    store = OKXDataStore()
    trade = {
        "instId": "BTC-USDT",
        "tradeId": "130639474",
        "px": "42219.9",
        "sz": "0.12060306",
        "side": "buy",
        "ts": "1630048897897",
        "count": "3",
    }
    store.onmessage(push("trades", [trade, {**trade, "tradeId": "130639475"}], instId="BTC-USDT"))
    assert [t["tradeId"] for t in store.trades] == ["130639474", "130639475"]
    assert store.trades.maxlen == 99_999
    notice = {"title": "Spot System Upgrade", "state": "scheduled", "begin": "1672823400000"}
    store.onmessage(push("status", [notice]))
    assert store["status"].find() == [notice]


def test_orders_keep_only_open_ones() -> None:
    store = OKXDataStore()
    store.onmessage(
        push("orders", [order("1", "live"), order("2", "live")], instType="ANY", uid=UID)
    )
    store.onmessage(
        push("orders", [order("1", "partially_filled", accFillSz="0.004")], instType="ANY", uid=UID)
    )
    assert store.orders.get({"ordId": "1"})["accFillSz"] == "0.004"  # type: ignore[index]
    store.onmessage(push("orders", [order("1", "filled"), order("2", "canceled")], instType="ANY"))
    assert len(store.orders) == 0
    store.onmessage(
        push("orders", [order("3", "live"), order("3", "mmp_canceled")], instType="ANY")
    )
    assert len(store.orders) == 0


def test_algo_orders_follow_the_reference_states() -> None:
    store = OKXDataStore()
    algo = {"algoId": "7", "instId": "BTC-USDT", "ordType": "conditional", "state": "live"}
    store.onmessage(push("orders-algo", [algo], instType="ANY", uid=UID))
    store.onmessage(push("orders-algo", [{**algo, "algoId": "8", "state": "order_failed"}]))
    assert {o["algoId"] for o in store.ordersalgo} == {"7", "8"}
    store.onmessage(push("orders-algo", [{**algo, "state": "effective"}]))
    assert [o["algoId"] for o in store.ordersalgo] == ["8"]
    advance = {"algoId": "9", "instId": "BTC-USDT", "ordType": "iceberg", "state": "live"}
    store.onmessage(push("algo-advance", [advance], instType="ANY", uid=UID))
    store.onmessage(push("algo-advance", [{**advance, "state": "partially_filled"}]))
    assert store.algoadvance.get({"algoId": "9"})["state"] == "partially_filled"  # type: ignore[index]
    store.onmessage(push("algo-advance", [{**advance, "state": "canceled"}]))
    assert len(store.algoadvance) == 0


def test_account_positions_and_balance_and_position() -> None:
    store = OKXDataStore()
    account = {"uTime": "1597026383085", "totalEq": "41624.32", "details": [{"ccy": "BTC"}]}
    store.onmessage(push("account", [account], uid=UID))
    store.onmessage(push("account", [{**account, "totalEq": "41000"}], uid=UID))
    assert store.account.find() == [{**account, "totalEq": "41000"}]
    position = {
        "instId": "BTC-USD-210430",
        "instType": "FUTURES",
        "mgnMode": "cross",
        "posSide": "long",
        "pos": "1",
        "avgPx": "3320",
    }
    short = {**position, "posSide": "short", "pos": "2"}
    store.onmessage(push("positions", [position, short], instType="FUTURES", uid=UID))
    store.onmessage(push("positions", [{**position, "pos": "0"}], instType="FUTURES", uid=UID))
    assert len(store.positions) == 2  # hedge-mode sides are separate; a closed one stays at "0"
    assert store.positions.get(position)["pos"] == "0"  # type: ignore[index]
    message = {
        "pTime": "1597026383085",
        "eventType": "snapshot",
        "balData": [{"ccy": "BTC", "cashBal": "1", "uTime": "1597026383085"}],
        "posData": [{**position, "pos": "10", "posId": "1111111111"}],
    }
    store.onmessage(push("balance_and_position", [message], uid=UID))
    update = {**message, "eventType": "filled", "balData": [{"ccy": "BTC", "cashBal": "2"}]}
    store.onmessage(push("balance_and_position", [update], uid=UID))
    bp = store.balance_and_position
    assert len(bp) == 2
    assert bp.balance.find() == [{"ccy": "BTC", "cashBal": "2", "uTime": "1597026383085"}]
    assert bp.position.get(position)["pos"] == "10"  # type: ignore[index]


@pytest.mark.parametrize(
    "message",
    [
        {"arg": {"channel": "tickers", "instId": "BTC-USDT"}, "data": {"instId": "BTC-USDT"}},
        {"arg": {"channel": "tickers"}, "data": [TICKER, {"last": "1"}]},  # the 2nd has no key
        {"arg": {"channel": "tickers"}, "data": [TICKER, "x"]},
        {"arg": {"channel": "orders"}, "data": [order("1", "live"), {"ordId": "2"}]},
        {
            "arg": {"channel": "candle1m", "instId": "BTC-USDT"},
            "data": [["1", "2", "3", "4", "5"], ["1"]],
        },
        {"arg": {"channel": "candle1m"}, "data": [["1", "2", "3", "4", "5"]]},
        {
            "arg": {"channel": "balance_and_position"},
            "data": [{"balData": [{"ccy": "BTC"}], "posData": [{"instId": "X"}]}],
        },
        {"arg": {"channel": 5}, "data": []},
        {"arg": "tickers", "data": []},
        ["not", "an", "object"],
        "text",
        {"neither": "arg nor event"},
    ],
)
def test_malformed_messages_never_raise_nor_half_apply(
    message: Any, caplog: pytest.LogCaptureFixture
) -> None:
    store = OKXDataStore()
    store.onmessage(push("tickers", [TICKER], instId="BTC-USDT"))
    store.onmessage(push("orders", [order("0", "live")], instType="ANY"))
    before = {name: [dict(item) for item in store[name]] for name in store}
    with caplog.at_level(logging.WARNING, logger="topgun.store.okx"):
        store.onmessage(wire(message))
    assert {name: list(store[name]) for name in store} == before
    assert caplog.records, "a skipped message is logged"


def test_unknown_channels_and_events(caplog: pytest.LogCaptureFixture) -> None:
    store = OKXDataStore()
    with caplog.at_level(logging.WARNING, logger="topgun.store.okx"):
        store.onmessage(push("economic-calendar", [{"calendarId": "1"}]))
        store.onmessage(wire({"event": "subscribe", "arg": {"channel": "tickers"}, "connId": "1"}))
        store.onmessage(wire({"event": "error", "code": "60012", "msg": "Invalid request"}))
        store.onmessage(
            wire({"event": "channel-conn-count", "channel": "orders", "connCount": "2"})
        )
    text = caplog.text
    assert "economic-calendar" in text and "60012" in text
    assert all(len(store[name]) == 0 for name in store)


async def test_initialize_orders_and_algo_orders(okx_api: Any, okx_accounts: Any) -> None:
    pending = [order("11", "live"), order("12", "partially_filled")]
    algos = [
        {"algoId": "21", "ordType": "conditional", "state": "live", "instId": "BTC-USDT"},
        {"algoId": "22", "ordType": "trigger", "state": "live", "instId": "BTC-USDT"},
        {"algoId": "23", "ordType": "twap", "state": "live", "instId": "BTC-USDT"},
        {"algoId": "24", "ordType": "move_order_stop", "state": "live", "instId": "BTC-USDT"},
    ]
    server = await okx_api(
        {
            "/api/v5/trade/orders-pending": lambda r: {"code": "0", "msg": "", "data": pending},
            "/api/v5/trade/orders-algo-pending": lambda r: {"code": "0", "msg": "", "data": algos},
        }
    )
    store = OKXDataStore()
    apis = {name: list(account) for name, account in okx_accounts.items()}
    registry = build_registry([plugin], strict=True)
    async with topgun.Client(apis=apis, registry=registry, **server.client_kwargs()) as client:
        await store.initialize(
            client.get("https://www.okx.com/api/v5/trade/orders-pending"),
            client.get(
                "https://www.okx.com/api/v5/trade/orders-algo-pending",
                params={"ordType": "conditional,trigger,twap,move_order_stop"},
            ),
        )
    assert all(record["verified"] for record in server.seen)
    assert [o["ordId"] for o in store.orders] == ["11", "12"]
    assert [o["algoId"] for o in store.ordersalgo] == ["21", "22"]
    assert [o["algoId"] for o in store.algoadvance] == ["23", "24"]


async def test_initialize_refuses_an_okx_error_code(okx_api: Any, okx_accounts: Any) -> None:
    server = await okx_api(
        {"/api/v5/trade/orders-pending": lambda r: {"code": "50001", "msg": "busy", "data": []}}
    )
    store = OKXDataStore()
    apis = {name: list(account) for name, account in okx_accounts.items()}
    registry = build_registry([plugin], strict=True)
    async with topgun.Client(apis=apis, registry=registry, **server.client_kwargs()) as client:
        with pytest.raises(InitializeError, match="50001"):
            await store.initialize(client.get("https://www.okx.com/api/v5/trade/orders-pending"))
        with pytest.raises(InitializeError, match="does not know"):
            await store.initialize(client.get("https://www.okx.com/api/v5/account/balance"))
    assert len(store.orders) == 0


async def test_public_and_private_channels_end_to_end(
    ws_exchange: Any,
    okx_ws: Any,
    okx_accounts: Any,
    eventually: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Through ``client.ws_connect``: tickers and candles on /ws/v5/public, orders after the
    login on /ws/v5/private; a reconnect tells the user to initialize() again."""

    def pushes(conn: Any, arg: dict[str, Any]) -> list[Any]:
        channel = arg["channel"]
        if channel == "tickers":
            return [{"arg": arg, "data": [TICKER]}]
        if channel.startswith("candle"):
            return [
                {
                    "arg": arg,
                    "data": [["1597026383085", "1", "2", "0.5", "1.5", "9", "9", "9", "0"]],
                }
            ]
        if channel == "orders":
            return [{"arg": {**arg, "uid": UID}, "data": [order("31", "live")]}]
        if channel == "positions":
            return [{"arg": {**arg, "uid": UID}, "data": [POSITION]}]
        if channel == "account":
            return [{"arg": {**arg, "uid": UID}, "data": [ACCOUNT]}]
        return []

    server = await ws_exchange(["ws.okx.com"], okx_ws(pushes))
    store = OKXDataStore()
    apis = {name: list(account) for name, account in okx_accounts.items()}
    registry = build_registry([plugin], strict=True)
    async with topgun.Client(apis=apis, registry=registry, **server.client_kwargs()) as client:
        public = client.ws_connect(
            "wss://ws.okx.com:8443/ws/v5/public",
            send_json={
                "op": "subscribe",
                "args": [
                    {"channel": "tickers", "instId": "BTC-USDT"},
                    {"channel": "candle1m", "instId": "BTC-USDT"},
                ],
            },
            hdlr_json=store.onmessage,
        )
        private = client.ws_connect(
            "wss://ws.okx.com:8443/ws/v5/private",
            send_json={
                "op": "subscribe",
                "args": [
                    {"channel": "orders", "instType": "ANY"},
                    {"channel": "positions", "instType": "ANY"},
                    {"channel": "account"},
                ],
            },
            hdlr_json=store.onmessage,
        )
        async with asyncio.timeout(5):
            await public.ready()
            await private.ready()
        await eventually(
            lambda: (
                all(len(s) for s in (store.tickers, store.candle, store.orders, store.account))
                and len(store.positions)
            )
        )
        with caplog.at_level(logging.INFO, logger="topgun.store.okx"):
            store.on_ws_reconnect(private)
        assert "initialize() again" in caplog.text
    assert store.tickers.get({"instId": "BTC-USDT"}) == TICKER
    assert store.candle.find()[0]["channel"] == "candle1m"
    assert store.orders.get({"ordId": "31"})["state"] == "live"  # type: ignore[index]
    assert store.positions.find() == [POSITION] and store.account.find() == [ACCOUNT]


async def test_collection_wait_wakes_after_every_message() -> None:
    """As pybotters' does: ``wait()`` returns after each handled message, changed or not."""
    store = OKXDataStore()
    waiting = asyncio.ensure_future(store.wait())
    await asyncio.sleep(0)
    store.onmessage(wire({"event": "subscribe", "arg": {"channel": "tickers"}}))
    await asyncio.wait_for(waiting, 5)
