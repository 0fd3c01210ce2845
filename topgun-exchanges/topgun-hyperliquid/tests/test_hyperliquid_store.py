"""HyperliquidDataStore: the docs' messages, item shapes as the reference, the derived rules,
malformed input, reconnects, the fuzz kit and one end-to-end run through ``client.ws_connect``.

Message shapes are the ``Ws*`` types of
https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket/subscriptions
(values from the reference library's documented examples where the docs give only types).
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import orjson

import topgun
from topgun.testing import WebSocketExchange, assert_store_fuzz, eventually
from topgun_hyperliquid.store import HyperliquidDataStore

USER = "0x0000000000000000000000000000000000000001"

ALL_MIDS = {"channel": "allMids", "data": {"mids": {"AVAX": "18.435", "@107": "18.62041381"}}}
NOTIFICATION = {"channel": "notification", "data": {"notification": "Order filled"}}
WEB_DATA2 = {
    "channel": "webData2",
    "data": {
        "clearinghouseState": {
            "marginSummary": {
                "accountValue": "29.78001",
                "totalNtlPos": "0.0",
                "totalRawUsd": "29.78001",
                "totalMarginUsed": "0.0",
            },
            "crossMarginSummary": {
                "accountValue": "29.78001",
                "totalNtlPos": "0.0",
                "totalRawUsd": "29.78001",
                "totalMarginUsed": "0.0",
            },
            "crossMaintenanceMarginUsed": "0.0",
            "withdrawable": "29.78001",
            "assetPositions": [],
            "time": 1733968369395,
        },
        "user": USER,
    },
}
CANDLE = {
    "channel": "candle",
    "data": {
        "t": 1681923600000,
        "T": 1681924499999,
        "s": "BTC",
        "i": "15m",
        "o": "29295.0",
        "c": "29258.0",
        "h": "29309.0",
        "l": "29250.0",
        "v": "0.98639",
        "n": 189,
    },
}
L2_BOOK = {
    "channel": "l2Book",
    "data": {
        "coin": "BTC",
        "time": 1708622398623,
        "levels": [
            [
                {"px": "19900", "sz": "1", "n": 1},
                {"px": "19800", "sz": "2", "n": 2},
                {"px": "19700", "sz": "3", "n": 3},
            ],
            [
                {"px": "20100", "sz": "1", "n": 1},
                {"px": "20200", "sz": "2", "n": 2},
                {"px": "20300", "sz": "3", "n": 3},
            ],
        ],
    },
}
TRADES: dict[str, Any] = {
    "channel": "trades",
    "data": [
        {
            "coin": "AVAX",
            "side": "B",
            "px": "18.435",
            "sz": "93.53",
            "time": 1681222254710,
            "hash": "0xa166e3fa63c25663024b03f2e0da011a00307e4017465df020210d3d432e7cb8",
            "tid": 118906512037719,
            "users": [USER, "0x0000000000000000000000000000000000000002"],
        }
    ],
}


def order_update(oid: int, status: str, sz: str = "0.0076") -> dict[str, Any]:
    """``orderUpdates`` with one ``WsOrder``."""
    return {
        "channel": "orderUpdates",
        "data": [
            {
                "order": {
                    "coin": "ETH",
                    "side": "A",
                    "limitPx": "2412.7",
                    "sz": sz,
                    "oid": oid,
                    "timestamp": 1724361546645,
                    "origSz": "0.0076",
                    "cloid": None,
                },
                "status": status,
                "statusTimestamp": 1724361546645,
            }
        ],
    }


FILL = {
    "coin": "AVAX",
    "px": "18.435",
    "sz": "93.53",
    "side": "B",
    "time": 1681222254710,
    "startPosition": "26.86",
    "dir": "Open Long",
    "closedPnl": "0.0",
    "hash": "0xa166e3fa63c25663024b03f2e0da011a00307e4017465df020210d3d432e7cb8",
    "oid": 90542681,
    "crossed": False,
    "fee": "0.01",
    "tid": 118906512037719,
    "feeToken": "USDC",
}
FUNDING = {
    "time": 1681222254710,
    "coin": "ETH",
    "usdc": "-3.625312",
    "szi": "49.1477",
    "fundingRate": "0.0000417",
}
USER_FILLS_EVENT = {"channel": "user", "data": {"fills": [FILL]}}
USER_FUNDING_EVENT = {"channel": "user", "data": {"funding": FUNDING}}
USER_CANCEL_EVENT = {"channel": "user", "data": {"nonUserCancel": [{"coin": "AVAX", "oid": 1}]}}
USER_FILLS = {"channel": "userFills", "data": {"isSnapshot": True, "user": USER, "fills": [FILL]}}
USER_FUNDINGS = {
    "channel": "userFundings",
    "data": {"isSnapshot": True, "user": USER, "fundings": [FUNDING]},
}
LEDGER = {
    "channel": "userNonFundingLedgerUpdates",
    "data": {
        "isSnapshot": True,
        "user": USER,
        "nonFundingLedgerUpdates": [
            {
                "time": 1681222254710,
                "hash": "0xa166e3fa63c25663024b03f2e0da011a00307e4017465df020210d3d432e7cb8",
                "delta": {"type": "deposit", "usdc": "10.0"},
            }
        ],
    },
}
ACTIVE_ASSET_CTX: dict[str, Any] = {
    "channel": "activeAssetCtx",
    "data": {
        "coin": "BTC",
        "ctx": {
            "dayNtlVlm": "1169046.29406",
            "prevDayPx": "15.322",
            "markPx": "14.3161",
            "midPx": "14.314",
            "funding": "0.0000125",
            "openInterest": "688.11",
            "oraclePx": "14.32",
        },
    },
}
ACTIVE_ASSET_DATA = {
    "channel": "activeAssetData",
    "data": {
        "user": USER,
        "coin": "ETH",
        "leverage": {"type": "cross", "value": 20},
        "maxTradeSzs": ["0.0", "0.0"],
        "availableToTrade": ["0.0", "0.0"],
    },
}
TWAP_SLICE_FILLS = {
    "channel": "userTwapSliceFills",
    "data": {
        "isSnapshot": True,
        "user": USER,
        "twapSliceFills": [{"fill": FILL, "twapId": 3156}],
    },
}
TWAP_HISTORY = {
    "channel": "userTwapHistory",
    "data": {
        "isSnapshot": True,
        "user": USER,
        "history": [
            {
                "state": {"coin": "AVAX", "sz": "10.0", "minutes": 30},
                "status": {"status": "finished", "description": ""},
                "time": 1681222254710,
            }
        ],
    },
}
BBO = {
    "channel": "bbo",
    "data": {
        "coin": "TEST",
        "time": 1708622398623,
        "bbo": [{"px": "19900", "sz": "1", "n": 1}, {"px": "20100", "sz": "1", "n": 1}],
    },
}

EVERY_CHANNEL = [
    ALL_MIDS,
    NOTIFICATION,
    WEB_DATA2,
    CANDLE,
    L2_BOOK,
    TRADES,
    order_update(1, "open"),
    USER_FILLS_EVENT,
    USER_FUNDING_EVENT,
    USER_CANCEL_EVENT,
    USER_FILLS,
    USER_FUNDINGS,
    LEDGER,
    ACTIVE_ASSET_CTX,
    ACTIVE_ASSET_DATA,
    TWAP_SLICE_FILLS,
    TWAP_HISTORY,
    BBO,
]


def fed(*messages: Any) -> HyperliquidDataStore:
    store = HyperliquidDataStore()
    for message in messages:
        store.onmessage(orjson.loads(orjson.dumps(message)))
    assert store.skipped == 0
    return store


def test_every_store_has_the_reference_name() -> None:
    store = HyperliquidDataStore()
    assert list(store) == [
        "allMids",
        "notification",
        "webData2",
        "candle",
        "l2Book",
        "trades",
        "orderUpdates",
        "userEvents",
        "userFills",
        "userFundings",
        "userNonFundingLedgerUpdates",
        "activeAssetCtx",
        "activeAssetData",
        "userTwapSliceFills",
        "userTwapHistory",
        "bbo",
    ]
    assert topgun.HyperliquidDataStore is HyperliquidDataStore


def test_public_channels_as_the_reference_stores_them() -> None:
    store = fed(ALL_MIDS, CANDLE, TRADES, ACTIVE_ASSET_CTX, BBO)
    assert store.all_mids.find() == [
        {"coin": "AVAX", "px": "18.435"},
        {"coin": "@107", "px": "18.62041381"},
    ]
    assert store.candle.find() == [CANDLE["data"]]
    assert store.trades.find() == TRADES["data"]
    ctx = ACTIVE_ASSET_CTX["data"]
    assert store.active_asset_ctx.get({"coin": "BTC"}) == {"coin": "BTC", **ctx["ctx"]}
    assert store.bbo.get({"coin": "TEST"}) == BBO["data"]
    # a new mid updates its coin in place; a candle of the same (t, T, s, i) replaces the old
    later = copy.deepcopy(CANDLE)
    later["data"]["c"] = "29300.0"  # type: ignore[index]
    store.onmessage(later)
    store.onmessage({"channel": "allMids", "data": {"mids": {"AVAX": "18.5"}}})
    assert store.candle.find() == [later["data"]]
    assert store.all_mids.get({"coin": "AVAX"}) == {"coin": "AVAX", "px": "18.5"}
    assert len(store.all_mids) == 2


def test_l2book_items_sorted_and_time() -> None:
    store = fed(L2_BOOK)
    book = store.l2_book.sorted({"coin": "BTC"})
    assert book == {
        "A": [
            {"coin": "BTC", "side": "A", "px": "20100", "sz": "1", "n": 1},
            {"coin": "BTC", "side": "A", "px": "20200", "sz": "2", "n": 2},
            {"coin": "BTC", "side": "A", "px": "20300", "sz": "3", "n": 3},
        ],
        "B": [
            {"coin": "BTC", "side": "B", "px": "19900", "sz": "1", "n": 1},
            {"coin": "BTC", "side": "B", "px": "19800", "sz": "2", "n": 2},
            {"coin": "BTC", "side": "B", "px": "19700", "sz": "3", "n": 3},
        ],
    }
    assert store.l2_book.time == 1708622398623
    assert store.l2_book.in_sync("BTC")
    assert store.l2_book.sorted({"coin": "BTC"}, limit=1)["B"][0]["px"] == "19900"


def book_at(time: int, bid: str, orders: int = 1) -> dict[str, Any]:
    return {
        "channel": "l2Book",
        "data": {
            "coin": "BTC",
            "time": time,
            "levels": [[{"px": bid, "sz": "1", "n": orders}], [{"px": "20100", "sz": "1", "n": 1}]],
        },
    }


def test_each_snapshot_replaces_the_book_and_an_older_time_is_stale() -> None:
    store = fed(L2_BOOK, book_at(1708622398700, "19950", orders=4))
    assert [i["px"] for i in store.l2_book.find({"coin": "BTC", "side": "B"})] == ["19950"]
    assert store.l2_book.get({"coin": "BTC", "side": "B", "px": "19950"})["n"] == 4  # type: ignore[index]
    store.onmessage(book_at(1708622398650, "19000"))  # older than the book: dropped
    assert store.l2_book.get({"coin": "BTC", "side": "B", "px": "19000"}) is None
    assert store.l2_book.stats.stale_dropped == 1
    assert store.l2_book.time == 1708622398700
    store.onmessage(book_at(1708622398700, "19960"))  # the same time is not older
    assert [i["px"] for i in store.l2_book.find({"coin": "BTC", "side": "B"})] == ["19960"]


def test_a_change_of_n_alone_reaches_watch() -> None:
    store = fed(book_at(1, "19900", orders=1))
    with store.l2_book.watch() as stream:
        store.onmessage(book_at(2, "19900", orders=5))
        changes = [stream.get_nowait() for _ in range(len(stream))]
    assert [(c.operation, c.data["n"]) for c in changes if c] == [("update", 5)]
    assert store.l2_book.get({"coin": "BTC", "side": "B", "px": "19900"})["n"] == 5  # type: ignore[index]


def test_the_book_is_out_of_sync_before_its_first_snapshot_and_after_a_reconnect(
    caplog: Any,
) -> None:
    store = HyperliquidDataStore()
    assert not store.l2_book.in_sync("BTC")
    assert store.l2_book.sorted({"coin": "BTC"}) == {"A": [], "B": []}
    store.onmessage(L2_BOOK)
    store.onmessage(order_update(1, "open"))
    with caplog.at_level(logging.INFO, logger="topgun.store.hyperliquid"):
        store.on_ws_reconnect(None)
    assert not store.l2_book.in_sync("BTC")
    assert store.l2_book.sorted({"coin": "BTC"}) == {"A": [], "B": []}
    assert store.l2_book.stats.reconnects == 1
    assert len(store.order_updates) == 1  # kept, with a hint to initialize() again
    assert any("initialize() again" in r.getMessage() for r in caplog.records)
    store.onmessage(book_at(1708622398700, "19950"))
    assert store.l2_book.in_sync("BTC")
    assert len(store.l2_book.find({"coin": "BTC"})) == 2


def test_order_updates_keep_open_orders_only() -> None:
    store = fed(order_update(1, "open"), order_update(2, "open"))
    assert store.order_updates.get({"coin": "ETH", "oid": 1}) == {
        "coin": "ETH",
        "side": "A",
        "limitPx": "2412.7",
        "sz": "0.0076",
        "oid": 1,
        "timestamp": 1724361546645,
        "origSz": "0.0076",
        "cloid": None,
        "status": "open",
        "statusTimestamp": 1724361546645,
    }
    store.onmessage(order_update(1, "open", sz="0.005"))  # partly filled: still open
    assert store.order_updates.get({"coin": "ETH", "oid": 1})["sz"] == "0.005"  # type: ignore[index]
    store.onmessage(order_update(1, "filled", sz="0.0"))
    store.onmessage(order_update(2, "canceled"))
    assert store.order_updates.find() == []


def test_private_channels_as_the_reference_stores_them() -> None:
    store = fed(
        NOTIFICATION,
        WEB_DATA2,
        USER_FILLS_EVENT,
        USER_FUNDING_EVENT,
        USER_CANCEL_EVENT,
        USER_FILLS,
        USER_FUNDINGS,
        LEDGER,
        ACTIVE_ASSET_DATA,
        TWAP_SLICE_FILLS,
        TWAP_HISTORY,
    )
    assert store.notification.find() == [NOTIFICATION["data"]]
    assert store.web_data2.get({"user": USER}) == WEB_DATA2["data"]
    assert store.user_events.find() == [
        {"type": "fills", **FILL},
        {"type": "funding", **FUNDING},
        {"type": "nonUserCancel", "coin": "AVAX", "oid": 1},
    ]
    assert store.user_fills.find() == [FILL]
    assert store.user_fundings.find() == [FUNDING]
    assert store.user_non_funding_ledger_updates.find() == LEDGER["data"]["nonFundingLedgerUpdates"]  # type: ignore[index]
    assert store.active_asset_data.get({"user": USER, "coin": "ETH"}) == ACTIVE_ASSET_DATA["data"]
    assert store.user_twap_slice_fills.find() == [{"fill": FILL, "twapId": 3156}]
    assert store.user_twap_history.find() == TWAP_HISTORY["data"]["history"]  # type: ignore[index]


def test_malformed_messages_are_skipped_whole() -> None:
    bad_book = copy.deepcopy(L2_BOOK)
    bad_book["data"]["levels"][1].append({"px": "NaN", "sz": "1", "n": 1})  # type: ignore[index]
    bool_size = copy.deepcopy(L2_BOOK)
    bool_size["data"]["levels"][0][0]["sz"] = True  # type: ignore[index]
    half_orders = order_update(1, "open")
    half_orders["data"].append({"order": {"coin": "ETH"}, "status": "open"})
    store = HyperliquidDataStore()
    for message in (
        bad_book,
        bool_size,
        half_orders,
        {"channel": "trades", "data": [TRADES["data"][0], "junk"]},
        {"channel": "allMids", "data": {"mids": {"BTC": 1.5}}},
        {"channel": "userFills", "data": {"user": USER}},
        "not an object",
    ):
        store.onmessage(message)
    assert store.skipped == 7
    assert store.handler_errors == 0
    assert all(len(store[name]) == 0 for name in store)


def test_errors_and_unknown_channels_are_logged_not_raised(caplog: Any) -> None:
    store = HyperliquidDataStore()
    with caplog.at_level(logging.WARNING, logger="topgun.store.hyperliquid"):
        store.onmessage({"channel": "error", "data": "Invalid subscription"})
        store.onmessage({"channel": "somethingNew", "data": {}})
        store.onmessage({"channel": "subscriptionResponse", "data": {"method": "subscribe"}})
        store.onmessage({"channel": "pong"})
    messages = [r.getMessage() for r in caplog.records]
    assert any("Invalid subscription" in m for m in messages)
    assert any("somethingNew" in m for m in messages)
    assert len(messages) == 2
    assert store.skipped == 0


def test_fuzz() -> None:
    assert_store_fuzz(HyperliquidDataStore, [*EVERY_CHANNEL, order_update(2, "open")])


async def test_end_to_end_through_ws_connect() -> None:
    """wss://api.hyperliquid.xyz/ws served locally: the greeting, then the docs' messages for
    each subscription; the server drops the connection and the book waits for a new snapshot."""
    times = iter(range(1708622398623, 1708622399623))

    def respond(conn: Any, message: Any) -> list[Any]:
        if not isinstance(message, dict) or message.get("method") != "subscribe":
            return []
        subscription = message["subscription"]
        replies: list[Any] = [{"channel": "subscriptionResponse", "data": message}]
        if subscription["type"] == "l2Book":
            replies.append(book_at(next(times), "19900"))
        elif subscription["type"] == "orderUpdates":
            replies.append(order_update(7, "open"))
        return replies

    async def greet(conn: Any) -> None:
        await conn.send("Websocket connection established.")

    store = HyperliquidDataStore()
    fast = topgun.Backoff(0.02, 0.1, 2.0, 0.02, healthy_after=0.0)
    async with (
        WebSocketExchange(["api.hyperliquid.xyz"], respond, on_open=greet) as exchange,
        exchange.client(apis={}) as client,
    ):
        app = client.ws_connect(
            "wss://api.hyperliquid.xyz/ws",
            send_json=[
                {"method": "subscribe", "subscription": {"type": "l2Book", "coin": "BTC"}},
                {"method": "subscribe", "subscription": {"type": "orderUpdates", "user": USER}},
            ],
            hdlr_json=store.onmessage,
            backoff=fast,
        )
        await store.l2_book.wait_synced("BTC", timeout=10)
        await eventually(lambda: len(store.order_updates) == 1, 10)
        first = store.l2_book.time
        await exchange.connections[-1].ws.close()
        await eventually(lambda: store.l2_book.stats.reconnects == 1, 10)
        await store.l2_book.wait_synced("BTC", timeout=10)
        assert store.l2_book.time is not None and first is not None
        assert store.l2_book.time > first  # the new connection's snapshot
        assert len(store.l2_book.find({"coin": "BTC"})) == 2
        assert store.skipped == 0
        await app.close()
