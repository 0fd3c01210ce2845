"""``HyperliquidDataStore.initialize()`` with every ``/info`` request it takes, served locally
under https://api.hyperliquid.xyz, and how it refuses what it cannot route or read.

Reply shapes are the docs' examples:
https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/info-endpoint (allMids,
openOrders, frontendOpenOrders, userFills, userFillsByTime, userTwapSliceFills, l2Book,
candleSnapshot) and .../info-endpoint/perpetuals (clearinghouseState, activeAssetData).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from aiohttp import web

from topgun.plugin import InitializeError
from topgun.testing import HttpExchange
from topgun_hyperliquid import INFO_URL, info
from topgun_hyperliquid.store import INFO_REQUESTS, HyperliquidDataStore

USER = "0x0000000000000000000000000000000000000001"
FILL = {
    "closedPnl": "0.0",
    "coin": "AVAX",
    "crossed": False,
    "dir": "Open Long",
    "hash": "0xa166e3fa63c25663024b03f2e0da011a00307e4017465df020210d3d432e7cb8",
    "oid": 90542681,
    "px": "18.435",
    "side": "B",
    "startPosition": "26.86",
    "sz": "93.53",
    "time": 1681222254710,
    "fee": "0.01",
    "feeToken": "USDC",
    "tid": 118906512037719,
}
STATE = {
    "assetPositions": [
        {
            "position": {
                "coin": "ETH",
                "cumFunding": {"allTime": "514.085417", "sinceChange": "0.0", "sinceOpen": "0.0"},
                "entryPx": "2986.3",
                "leverage": {"rawUsd": "-95.059824", "type": "isolated", "value": 20},
                "liquidationPx": "2866.26936529",
                "marginUsed": "4.967826",
                "maxLeverage": 50,
                "positionValue": "100.02765",
                "returnOnEquity": "-0.0026789",
                "szi": "0.0335",
                "unrealizedPnl": "-0.0134",
            },
            "type": "oneWay",
        }
    ],
    "crossMaintenanceMarginUsed": "0.0",
    "crossMarginSummary": {
        "accountValue": "13104.514502",
        "totalMarginUsed": "0.0",
        "totalNtlPos": "0.0",
        "totalRawUsd": "13104.514502",
    },
    "marginSummary": {
        "accountValue": "13109.482328",
        "totalMarginUsed": "4.967826",
        "totalNtlPos": "100.02765",
        "totalRawUsd": "13009.454678",
    },
    "time": 1708622398623,
    "withdrawable": "13104.514502",
}
OPEN_ORDER = {
    "coin": "BTC",
    "limitPx": "29792.0",
    "oid": 91490942,
    "side": "A",
    "sz": "0.0",
    "timestamp": 1681247412573,
}
FRONTEND_ORDER = {
    "coin": "BTC",
    "isPositionTpsl": False,
    "isTrigger": False,
    "limitPx": "29792.0",
    "oid": 91490943,
    "orderType": "Limit",
    "origSz": "5.0",
    "reduceOnly": False,
    "side": "A",
    "sz": "5.0",
    "timestamp": 1681247412573,
    "triggerCondition": "N/A",
    "triggerPx": "0.0",
}
BOOK: dict[str, Any] = {
    "coin": "BTC",
    "time": 1708622398623,
    "levels": [
        [{"px": "19900", "sz": "1", "n": 1}, {"px": "19800", "sz": "2", "n": 2}],
        [{"px": "20100", "sz": "1", "n": 1}, {"px": "20200", "sz": "2", "n": 2}],
    ],
}
CANDLE = {
    "T": 1681924499999,
    "c": "29258.0",
    "h": "29309.0",
    "i": "15m",
    "l": "29250.0",
    "n": 189,
    "o": "29295.0",
    "s": "BTC",
    "t": 1681923600000,
    "v": "0.98639",
}
ASSET_DATA = {
    "user": USER,
    "coin": "APT",
    "leverage": {"type": "cross", "value": 3},
    "maxTradeSzs": ["24836370.4400000013", "24836370.4400000013"],
    "availableToTrade": ["37019438.0284740031", "37019438.0284740031"],
    "markPx": "4.4716",
}
REPLIES: dict[str, Any] = {
    "l2Book": BOOK,
    "openOrders": [OPEN_ORDER],
    "frontendOpenOrders": [FRONTEND_ORDER],
    "clearinghouseState": STATE,
    "allMids": {"APE": "4.33245", "ARB": "1.21695"},
    "candleSnapshot": [CANDLE],
    "activeAssetData": ASSET_DATA,
    "userFills": [FILL],
    "userFillsByTime": [FILL],
    "userTwapSliceFills": [{"fill": FILL, "twapId": 3156}],
}
REQUESTS: dict[str, dict[str, Any]] = {
    "l2Book": {"type": "l2Book", "coin": "BTC"},
    "openOrders": {"type": "openOrders", "user": USER},
    "frontendOpenOrders": {"type": "frontendOpenOrders", "user": USER},
    "clearinghouseState": {"type": "clearinghouseState", "user": USER.upper().replace("X", "x")},
    "allMids": {"type": "allMids"},
    "candleSnapshot": {
        "type": "candleSnapshot",
        "req": {"coin": "BTC", "interval": "15m", "startTime": 1681923600000},
    },
    "activeAssetData": {"type": "activeAssetData", "user": USER, "coin": "APT"},
    "userFills": {"type": "userFills", "user": USER},
    "userFillsByTime": {"type": "userFillsByTime", "user": USER, "startTime": 0},
    "userTwapSliceFills": {"type": "userTwapSliceFills", "user": USER},
}


class Info:
    """The /info endpoint: answers each request type with its docs example (or an override)."""

    def __init__(self) -> None:
        self.replies = dict(REPLIES)

    async def __call__(
        self, request: web.Request, body: bytes, record: dict[str, Any]
    ) -> web.Response:
        if request.method != "POST" or request.path != "/info":
            return web.json_response({"error": "not found"}, status=404)
        asked = orjson.loads(body)
        record["json"] = asked
        reply = self.replies.get(asked.get("type"))
        if reply is None:
            return web.Response(status=422, text="Failed to deserialize the JSON body")
        return web.json_response(reply)


@pytest.fixture
async def served() -> AsyncIterator[tuple[HttpExchange, Info]]:
    answer = Info()
    async with HttpExchange(["api.hyperliquid.xyz"], answer) as exchange:
        yield exchange, answer


def test_every_request_type_is_covered_here() -> None:
    assert set(REQUESTS) == set(INFO_REQUESTS) == set(REPLIES)


async def test_initialize_takes_every_request_type(served: Any) -> None:
    exchange, _ = served
    store = HyperliquidDataStore()
    async with exchange.client(apis={}) as client:
        await store.initialize(*(info(client, request) for request in REQUESTS.values()))
    sent = sorted((record["json"] for record in exchange.seen), key=orjson.dumps)
    assert sent == sorted(REQUESTS.values(), key=orjson.dumps)  # sent concurrently
    assert all(record["host"] == "api.hyperliquid.xyz" for record in exchange.seen)
    assert all("signature" not in record["json"] for record in exchange.seen)  # unsigned
    assert store.l2_book.in_sync("BTC")
    assert store.l2_book.sorted({"coin": "BTC"}, limit=1) == {
        "A": [{"coin": "BTC", "side": "A", "px": "20100", "sz": "1", "n": 1}],
        "B": [{"coin": "BTC", "side": "B", "px": "19900", "sz": "1", "n": 1}],
    }
    assert store.l2_book.time == BOOK["time"]
    # openOrders, then frontendOpenOrders: each is the whole list of open orders now
    assert store.order_updates.find() == [FRONTEND_ORDER]
    assert store.web_data2.get({"user": USER}) == {"user": USER, "clearinghouseState": STATE}
    assert store.all_mids.find() == [
        {"coin": "APE", "px": "4.33245"},
        {"coin": "ARB", "px": "1.21695"},
    ]
    assert store.candle.find() == [CANDLE]
    assert store.active_asset_data.get({"user": USER, "coin": "APT"}) == ASSET_DATA
    assert store.user_fills.find() == [FILL, FILL]
    assert store.user_twap_slice_fills.find() == [{"fill": FILL, "twapId": 3156}]


async def test_open_orders_replace_the_store_and_state_merges_into_web_data2(served: Any) -> None:
    exchange, _ = served
    store = HyperliquidDataStore()
    store.onmessage(
        {
            "channel": "orderUpdates",
            "data": [
                {
                    "order": {**OPEN_ORDER, "oid": 1, "origSz": "1.0", "cloid": None},
                    "status": "open",
                    "statusTimestamp": 1,
                }
            ],
        }
    )
    store.onmessage({"channel": "webData2", "data": {"user": USER, "openOrders": []}})
    async with exchange.client(apis={}) as client:
        await store.initialize(
            info(client, REQUESTS["openOrders"]), info(client, REQUESTS["clearinghouseState"])
        )
    assert store.order_updates.find() == [OPEN_ORDER]  # oid 1 closed while we were away
    assert store.web_data2.find() == [{"user": USER, "openOrders": [], "clearinghouseState": STATE}]


async def test_an_older_l2book_reply_does_not_replace_a_newer_book(served: Any) -> None:
    exchange, _ = served
    store = HyperliquidDataStore()
    store.onmessage({"channel": "l2Book", "data": {**BOOK, "time": BOOK["time"] + 1}})
    async with exchange.client(apis={}) as client:
        await store.initialize(info(client, REQUESTS["l2Book"]))
    assert store.l2_book.stats.stale_dropped == 1
    assert store.l2_book.time == BOOK["time"] + 1


async def test_a_plain_info_response_is_refused_with_what_to_do(served: Any) -> None:
    exchange, _ = served
    store = HyperliquidDataStore()
    async with exchange.client(apis={}) as client:
        with pytest.raises(InitializeError, match=r"topgun_hyperliquid\.info\(client"):
            await store.initialize(
                info(client, REQUESTS["allMids"]),
                client.post(INFO_URL, data=REQUESTS["openOrders"]),
            )
    assert len(store.all_mids) == 0  # nothing applied


async def test_unknown_types_errors_and_malformed_replies_apply_nothing(served: Any) -> None:
    exchange, answer = served
    answer.replies["meta"] = {"universe": []}
    store = HyperliquidDataStore()
    async with exchange.client(apis={}) as client:
        with pytest.raises(InitializeError, match="does not take /info 'meta'"):
            await store.initialize(
                info(client, {"type": "meta"}), info(client, REQUESTS["allMids"])
            )
        with pytest.raises(InitializeError, match="HTTP 422"):
            await store.initialize(info(client, {"type": "nope"}))
        answer.replies["l2Book"] = {**BOOK, "levels": [[{"px": "NaN", "sz": "1", "n": 1}], []]}
        with pytest.raises(InitializeError, match=r"l2Book: .*not a finite price"):
            await store.initialize(
                info(client, REQUESTS["l2Book"]), info(client, REQUESTS["allMids"])
            )
        with pytest.raises(InitializeError, match="no 'user'"):
            await store.initialize(info(client, {"type": "clearinghouseState"}))
        with pytest.raises(TypeError, match="mapping with a 'type'"):
            await info(client, {"coin": "BTC"})
    assert all(len(store[name]) == 0 for name in store)
    assert not store.l2_book.in_sync("BTC")
