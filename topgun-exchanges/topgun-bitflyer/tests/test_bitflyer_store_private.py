"""bitFlyerDataStore's private stores: order events, open orders, derived positions/collateral/balance.

Event fields are those of https://bf-lightning-api.readme.io/docs/realtime-child-order-events and
https://bf-lightning-api.readme.io/docs/realtime-parent-order-events; REST shapes those of
https://lightning.bitflyer.com/docs (getchildorders, getparentorders, getpositions, getcollateral,
getbalance), served from 127.0.0.1 behind api.bitflyer.com with signatures checked.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

import topgun
from topgun.testing import LocalExchange
from topgun_bitflyer.store import bitFlyerDataStore, is_margin_product

from .test_bitflyer_samples import child, execution, frame, order

KEY, SECRET = "store-test-key", "store-test-secret"


def test_margin_products() -> None:
    assert is_margin_product("FX_BTC_JPY") and is_margin_product("BTCJPY27JUN2025")
    assert not is_margin_product("BTC_JPY") and not is_margin_product("ETH_BTC")


def test_child_orders_follow_their_events() -> None:
    store = bitFlyerDataStore()
    store.onmessage(
        frame(
            "child_order_events",
            [order("JRF-1", "BUY", 30000, 0.1), order("JRF-2", "SELL", 31000, 0.2)],
        )
    )
    store.onmessage(frame("child_order_events", [execution("JRF-1", "BUY", 30000, 0.04, 0.06)]))
    assert store.childorders.get({"child_order_acceptance_id": "JRF-1"})["size"] == 0.06  # type: ignore[index]
    store.onmessage(frame("child_order_events", [execution("JRF-1", "BUY", 30000, 0.06, 0)]))
    assert store.childorders.get({"child_order_acceptance_id": "JRF-1"}) is None
    store.onmessage(
        frame("child_order_events", [order("JRF-3", "BUY", 29000, 1), child("CANCEL", "JRF-2")])
    )
    store.onmessage(
        frame(
            "child_order_events",
            [order("JRF-4", "BUY", 1, 1), child("ORDER_FAILED", "JRF-4", reason="x")],
        )
    )
    store.onmessage(
        frame("child_order_events", [order("JRF-5", "BUY", 1, 1), child("EXPIRE", "JRF-5")])
    )
    store.onmessage(frame("child_order_events", [child("CANCEL_FAILED", "JRF-3")]))
    assert [o["child_order_acceptance_id"] for o in store.childorders] == ["JRF-3"]
    assert len(store.childorderevents) == 11  # the raw log keeps every event as received
    # The raw log is not changed by the open-order bookkeeping.
    assert store.childorderevents.find({"event_type": "ORDER"})[0]["size"] == 0.1


def test_parent_orders_follow_their_events() -> None:
    def parent(event_type: str, acceptance_id: str, **fields: Any) -> dict[str, Any]:
        return {
            "product_code": "BTC_JPY",
            "parent_order_id": "JCP" + acceptance_id[3:],
            "parent_order_acceptance_id": acceptance_id,
            "event_date": "2024-06-07T01:23:45.6789012Z",
            "event_type": event_type,
            **fields,
        }

    store = bitFlyerDataStore()
    store.onmessage(
        frame(
            "parent_order_events",
            [
                parent(
                    "ORDER", "JRF-IFD", parent_order_type="IFD", expire_date="2024-07-07T00:00:00"
                ),
                parent(
                    "ORDER", "JRF-STOP", parent_order_type="STOP", expire_date="2024-07-07T00:00:00"
                ),
                parent(
                    "ORDER", "JRF-OCO", parent_order_type="OCO", expire_date="2024-07-07T00:00:00"
                ),
            ],
        )
    )
    store.onmessage(
        frame(
            "parent_order_events",
            [
                parent(
                    "TRIGGER",
                    "JRF-IFD",
                    parameter_index=1,
                    child_order_type="LIMIT",
                    side="BUY",
                    price=1,
                    size=1,
                    expire_date="x",
                    child_order_acceptance_id="JRF-c",
                )
            ],
        )
    )
    store.onmessage(
        frame(
            "parent_order_events",
            [parent("COMPLETE", "JRF-IFD", parameter_index=1, child_order_acceptance_id="JRF-c")],
        )
    )
    assert {o["parent_order_acceptance_id"] for o in store.parentorders} == {
        "JRF-IFD",
        "JRF-STOP",
        "JRF-OCO",
    }
    store.onmessage(
        frame(
            "parent_order_events",
            [parent("COMPLETE", "JRF-IFD", parameter_index=2, child_order_acceptance_id="JRF-d")],
        )
    )
    store.onmessage(
        frame(
            "parent_order_events",
            [parent("COMPLETE", "JRF-OCO", parameter_index=1, child_order_acceptance_id="JRF-e")],
        )
    )
    store.onmessage(frame("parent_order_events", [parent("CANCEL", "JRF-STOP")]))
    assert len(store.parentorders) == 0
    assert len(store.parentorderevents) == 8


def test_positions_net_oldest_first_and_realise_into_collateral() -> None:
    store = bitFlyerDataStore()
    store.collateral._insert(
        [{"collateral": 100000, "open_position_pnl": 0, "require_collateral": 0, "keep_rate": 0}]
    )
    feed = store.onmessage
    feed(
        frame(
            "child_order_events", [execution("JRF-1", "BUY", 5000000, 0.01, 0, commission=0, sfd=0)]
        )
    )
    feed(frame("child_order_events", [execution("JRF-2", "BUY", 5001000, 0.02, 0)]))
    assert [(p["side"], p["price"], p["size"]) for p in store.positions] == [
        ("BUY", 5000000, 0.01),
        ("BUY", 5001000, 0.02),
    ]
    # Selling 0.015 closes the first lot (0.01) and half of the second, oldest first.
    feed(frame("child_order_events", [execution("JRF-3", "SELL", 5002000, 0.015, 0)]))
    assert [(p["side"], p["price"], p["size"]) for p in store.positions] == [
        ("BUY", 5001000, 0.015)
    ]
    # P/L: 0.01 * (5002000 - 5000000) + 0.005 * (5002000 - 5001000) = 20 + 5 (each rounded down)
    assert store.collateral.find()[0]["collateral"] == 100025
    # Selling 0.025 closes the rest and opens a short of 0.01.
    feed(
        frame(
            "child_order_events",
            [execution("JRF-4", "SELL", 5000500, 0.025, 0, commission=0.00001)],
        )
    )
    assert [(p["side"], p["price"], p["size"], p["commission"]) for p in store.positions] == [
        ("SELL", 5000500, 0.01, 0.00001)
    ]
    assert store.collateral.find()[0]["collateral"] == 100025 + -8  # 0.015 * -500 = -7.5 -> -8
    # A spot execution does not touch positions.
    feed(
        frame(
            "child_order_events", [execution("JRF-5", "BUY", 5000000, 1, 0, product_code="BTC_JPY")]
        )
    )
    assert len(store.positions) == 1


def test_balance_moves_with_spot_executions() -> None:
    store = bitFlyerDataStore()
    store.balance._onresponse(
        [
            {"currency_code": "JPY", "amount": 1000000, "available": 1000000},
            {"currency_code": "BTC", "amount": 0.5, "available": 0.5},
        ],
        __import__("yarl").URL("https://api.bitflyer.com/v1/me/getbalance"),
    )
    store.onmessage(
        frame(
            "child_order_events",
            [
                execution(
                    "JRF-1", "BUY", 3000001, 0.0333, 0, product_code="BTC_JPY", commission=0.00005
                )
            ],
        )
    )
    assert store.balance.get({"currency_code": "BTC"}) == {
        "currency_code": "BTC",
        "amount": 0.53325,
        "available": None,
    }
    # 0.0333 * 3000001 = 99900.0333 yen, paid rounded up
    assert store.balance.get({"currency_code": "JPY"}) == {
        "currency_code": "JPY",
        "amount": 900099.0,
        "available": None,
    }
    store.onmessage(
        frame(
            "child_order_events",
            [execution("JRF-2", "SELL", 3000001, 0.0333, 0, product_code="BTC_JPY")],
        )
    )
    assert store.balance.get({"currency_code": "JPY"})["amount"] == 999999.0  # type: ignore[index]  # received rounded down
    store.onmessage(
        frame("child_order_events", [execution("JRF-3", "BUY", 0.05, 1, 0, product_code="ETH_BTC")])
    )
    assert store.balance.get({"currency_code": "BTC"})["amount"] == pytest.approx(0.44995)  # type: ignore[index]
    assert store.balance.get({"currency_code": "ETH"}) is None  # never loaded: not invented
    store.onmessage(
        frame("child_order_events", [execution("JRF-4", "BUY", 5000000, 1, 0)])
    )  # FX: not a balance
    assert store.balance.get({"currency_code": "BTC"})["amount"] == pytest.approx(0.44995)  # type: ignore[index]


@pytest.mark.parametrize(
    "events",
    [
        [order("JRF-9", "BUY", 1, 1), {"event_type": "ORDER"}],
        [order("JRF-9", "BUY", 1, 1), execution("JRF-1", "HOLD", 1, 1, 0)],
        [order("JRF-9", "BUY", 1, 1), execution("JRF-1", "BUY", "1", 1, 0)],
        [order("JRF-9", "BUY", 1, 1), execution("JRF-1", "BUY", 1, 1, 0, commission=None)],
        [order("JRF-9", "BUY", 1, 1), "not an event"],
        {"not": "a list"},
    ],
)
def test_malformed_order_events_change_nothing(
    events: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="topgun.store.bitflyer")
    store = bitFlyerDataStore()
    store.onmessage(frame("child_order_events", events))
    assert len(store.childorderevents) == len(store.childorders) == len(store.positions) == 0
    assert any("malformed" in r.getMessage() for r in caplog.records)


def test_replies_errors_and_unknown_frames(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="topgun.store")
    store = bitFlyerDataStore()
    store.onmessage({"jsonrpc": "2.0", "id": 1, "result": True})  # subscribe / auth replies
    store.onmessage({"jsonrpc": "2.0", "id": 2, "result": False})
    assert caplog.records == []
    store.onmessage(
        {"jsonrpc": "2.0", "id": 3, "error": {"code": -32600, "message": "Invalid Request"}}
    )
    store.onmessage(frame("lightning_unknown_BTC_JPY", {"x": 1}))
    store.onmessage(frame("lightning_unknown_BTC_JPY", {"x": 2}))
    store.onmessage(
        {"jsonrpc": "2.0", "method": "somethingElse", "params": {"channel": "c", "message": 1}}
    )
    store.onmessage(
        {"jsonrpc": "2.0", "method": "channelMessage", "params": {"channel": "lightning_ticker_X"}}
    )
    store.onmessage({"jsonrpc": "2.0", "method": "channelMessage", "params": "nope"})
    store.onmessage(
        {"jsonrpc": "2.0", "method": "channelMessage", "params": {"channel": ["x"], "message": 1}}
    )
    store.onmessage(["not", "an", "object"])
    store.onmessage(frame("lightning_ticker_X", ["not", "a", "ticker"]))
    store.onmessage(frame("lightning_executions_X", [{"id": 1}, 7]))
    messages = [r.getMessage() for r in caplog.records]
    assert any("-32600" in m and "Invalid Request" in m for m in messages)
    assert sum("no store for channel 'lightning_unknown_BTC_JPY'" in m for m in messages) == 1
    assert any("method 'somethingElse'" in m for m in messages)
    assert sum("malformed params" in m for m in messages) == 1  # rate-limited
    assert any("not a JSON object" in m for m in messages)
    assert not any("could not apply" in m for m in messages)  # no handler crashed
    assert len(store.ticker) == len(store.executions) == 0


def test_ticker_and_executions() -> None:
    store = bitFlyerDataStore()
    ticker = {
        "product_code": "BTC_JPY",
        "state": "RUNNING",
        "timestamp": "2024-06-07T01:23:45.6789012Z",
        "tick_id": 3579,
        "best_bid": 30000,
        "best_ask": 36640,
        "ltp": 31690,
    }
    store.onmessage(frame("lightning_ticker_BTC_JPY", ticker))
    store.onmessage(frame("lightning_ticker_BTC_JPY", {**ticker, "ltp": 31700, "tick_id": 3580}))
    assert store.ticker.find() == [{**ticker, "ltp": 31700, "tick_id": 3580}]
    rows = [
        {
            "id": 39361,
            "side": "SELL",
            "price": 35100,
            "size": 0.01,
            "exec_date": "2024-06-07T01:23:45.6789012Z",
            "buy_child_order_acceptance_id": "JRF-b",
            "sell_child_order_acceptance_id": "JRF-s",
        }
    ]
    store.onmessage(frame("lightning_executions_BTC_JPY", rows))
    assert store.executions.find() == [{"product_code": "BTC_JPY", **rows[0]}]
    assert store.executions.maxlen == 99_999


# -- initialize against a local, signature-checking api.bitflyer.com ------------------------

REST: dict[str, Any] = {
    "/v1/me/getchildorders": [
        {
            "product_code": "FX_BTC_JPY",
            "child_order_acceptance_id": "JRF-A",
            "child_order_state": "ACTIVE",
            "side": "BUY",
            "price": 1,
            "size": 1,
            "outstanding_size": 1,
        },
        {
            "product_code": "FX_BTC_JPY",
            "child_order_acceptance_id": "JRF-C",
            "child_order_state": "COMPLETED",
            "side": "BUY",
            "price": 1,
            "size": 1,
            "outstanding_size": 0,
        },
    ],
    "/v1/me/getparentorders": [
        {
            "product_code": "FX_BTC_JPY",
            "parent_order_acceptance_id": "JRF-P",
            "parent_order_state": "ACTIVE",
            "parent_order_type": "IFD",
        },
    ],
    "/v1/me/getpositions": [
        {
            "product_code": "FX_BTC_JPY",
            "side": "BUY",
            "price": 5000000,
            "size": 0.02,
            "commission": 0,
            "swap_point_accumulate": -3,
            "require_collateral": 50000,
            "open_date": "2024-06-07T01:00:00.000",
            "leverage": 2,
            "pnl": 10,
            "sfd": 0,
        },
    ],
    "/v1/me/getcollateral": {
        "collateral": 100000,
        "open_position_pnl": 10,
        "require_collateral": 50000,
        "keep_rate": 2.0,
    },
    "/v1/me/getbalance": [{"currency_code": "JPY", "amount": 1024078, "available": 508000}],
}


@pytest.fixture
async def private_api() -> AsyncIterator[LocalExchange]:
    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        text = (
            request.headers.get("ACCESS-TIMESTAMP", "") + request.method + request.raw_path
        ).encode() + body
        want = hmac.new(SECRET.encode(), text, hashlib.sha256).hexdigest()
        if request.headers.get("ACCESS-KEY") != KEY or not hmac.compare_digest(
            request.headers.get("ACCESS-SIGN", ""), want
        ):
            return web.json_response(
                {"status": -500, "error_message": "Invalid signature"}, status=401
            )
        if (
            request.path == "/v1/me/getchildorders"
            and request.query.get("product_code") == "ETH_JPY"
        ):
            return web.json_response([])
        return web.json_response(REST[request.path])

    app = web.Application()
    app.router.add_get("/v1/me/{name}", handle)
    async with LocalExchange(app, ["api.bitflyer.com"]) as server:
        yield server


async def test_initialize_private_stores(private_api: LocalExchange) -> None:
    store = bitFlyerDataStore()
    store.childorders._insert([{"product_code": "ETH_JPY", "child_order_acceptance_id": "JRF-OLD"}])
    async with topgun.Client(
        apis={"bitflyer": [KEY, SECRET]},
        base_url="https://api.bitflyer.com",
        connector=private_api.connector(),
    ) as client:
        await store.initialize(
            client.get(
                "/v1/me/getchildorders",
                params={"product_code": "FX_BTC_JPY", "child_order_state": "ACTIVE"},
            ),
            client.get(
                "/v1/me/getchildorders", params={"product_code": "ETH_JPY"}
            ),  # none open any more
            client.get("/v1/me/getparentorders", params={"product_code": "FX_BTC_JPY"}),
            client.get("/v1/me/getpositions", params={"product_code": "FX_BTC_JPY"}),
            client.fetch("GET", "/v1/me/getcollateral"),
            client.get("/v1/me/getbalance"),
        )
        assert [o["child_order_acceptance_id"] for o in store.childorders] == ["JRF-A"]
        assert [o["parent_order_acceptance_id"] for o in store.parentorders] == ["JRF-P"]
        assert store.positions.find() == [
            {
                "product_code": "FX_BTC_JPY",
                "side": "BUY",
                "price": 5000000,
                "size": 0.02,
                "commission": 0,
                "sfd": 0,
            }
        ]
        assert store.collateral.find() == [REST["/v1/me/getcollateral"]]
        assert store.balance.find() == REST["/v1/me/getbalance"]
        # The executions stream then moves the initialized state.
        store.onmessage(
            frame("child_order_events", [execution("JRF-A", "SELL", 5001000, 0.01, 0.99)])
        )
        assert store.positions.find()[0]["size"] == 0.01
        assert store.collateral.find()[0]["collateral"] == 100010
        assert (
            store.childorders.get({"child_order_acceptance_id": "JRF-A"})["outstanding_size"]
            == 0.99
        )  # type: ignore[index]
        # A refused signature is an error, and nothing is applied.
        async with topgun.Client(
            apis={"bitflyer": [KEY, "wrong"]},
            base_url="https://api.bitflyer.com",
            connector=private_api.connector(),
        ) as bad:
            with pytest.raises(topgun.InitializeError, match="HTTP 401"):
                await store.initialize(bad.get("/v1/me/getbalance"))
        assert store.balance.find() == REST["/v1/me/getbalance"]
        with pytest.raises(topgun.InitializeError, match="numeric 'collateral'"):
            store.collateral._onresponse(
                {"collateral": "lots"},
                __import__("yarl").URL("https://api.bitflyer.com/v1/me/getcollateral"),
            )
