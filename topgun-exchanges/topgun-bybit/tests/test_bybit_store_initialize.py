"""BybitDataStore.initialize(): the reference's three endpoints, served from 127.0.0.1 as
api.bybit.com with V5 signatures checked (conftest), in the shape of the docs' examples:
https://bybit-exchange.github.io/docs/v5/position, https://bybit-exchange.github.io/docs/v5/order/open-order,
https://bybit-exchange.github.io/docs/v5/account/wallet-balance."""

from __future__ import annotations

from typing import Any

import pytest

import topgun
from topgun.testing import Registry
from topgun_bybit import BybitDataStore


def ok(items: list[dict[str, Any]], **result: Any) -> dict[str, Any]:
    return {
        "retCode": 0,
        "retMsg": "OK",
        "result": {"list": items, "nextPageCursor": "", **result},
        "retExtInfo": {},
        "time": 1672280219169,
    }


POSITIONS = [
    {
        "positionIdx": 0,
        "riskId": 1,
        "riskLimitValue": "150",
        "symbol": "BTCUSD",
        "side": "Sell",
        "size": "300",
        "avgPrice": "27464.50441675",
        "positionValue": "0.01092319",
        "tradeMode": 0,
        "autoAddMargin": 0,
        "positionStatus": "Normal",
        "leverage": "10",
        "markPrice": "28224.50",
        "liqPrice": "",
        "bustPrice": "",
        "unrealisedPnl": "-0.00029479",
        "cumRealisedPnl": "-0.00042908",
        "createdTime": "1676538056258",
        "updatedTime": "1697673600012",
        "seq": 1234,
    }
]


def open_order(order_id: str, symbol: str, status: str = "New", link: str = "") -> dict[str, Any]:
    return {
        "orderId": order_id,
        "orderLinkId": link,
        "symbol": symbol,
        "price": "1600.00",
        "qty": "0.10",
        "side": "Buy",
        "positionIdx": 1,
        "orderStatus": status,
        "orderType": "Limit",
        "timeInForce": "GTC",
        "createdTime": "1684738540559",
        "updatedTime": "1684738540561",
    }


def wallet(coins: list[str]) -> dict[str, Any]:
    return {
        "totalEquity": "3.31216591",
        "accountIMRate": "0",
        "totalMarginBalance": "3.00326056",
        "accountType": "UNIFIED",
        "totalAvailableBalance": "3.00326056",
        "coin": [{"coin": c, "equity": "1", "walletBalance": "1", "locked": "0"} for c in coins],
    }


@pytest.fixture
async def client(exchange: Any, registry: Registry, bybit_keys: dict[str, tuple[str, str]]) -> Any:
    apis = {name: list(pair) for name, pair in bybit_keys.items()}
    return topgun.Client(
        apis=apis, registry=registry, base_url="https://api.bybit.com", **exchange.client_kwargs()
    )


async def test_positions_orders_and_wallet(exchange: Any, client: Any) -> None:
    exchange.bodies["/v5/position/list"] = ok(POSITIONS, category="inverse")

    def orders(query: Any) -> dict[str, Any]:
        if query.get("symbol") == "ETHUSDT":
            return ok([open_order("e-1", "ETHUSDT"), open_order("e-2", "ETHUSDT", "Filled")])
        # settleCoin=USDT covers every USDT contract, ETHUSDT included.
        return ok([open_order("b-1", "BTCUSDT", "PartiallyFilled"), open_order("e-1", "ETHUSDT")])

    exchange.bodies["/v5/order/realtime"] = orders
    exchange.bodies["/v5/account/wallet-balance"] = ok([wallet(["BTC"])])
    store = BybitDataStore()
    # Cached state the responses supersede: an order of the same category and symbol that is no
    # longer open, and one of another category that the query does not cover.
    store.order._insert(
        [
            {"orderId": "gone", "symbol": "ETHUSDT", "category": "linear", "orderLinkId": ""},
            {"orderId": "spot", "symbol": "ETHUSDT", "category": "spot", "orderLinkId": ""},
        ]
    )
    store.wallet._insert([wallet(["BTC", "USDT"])])
    async with client:
        await store.initialize(
            client.get("/v5/position/list", params={"category": "inverse", "symbol": "BTCUSD"}),
            client.get("/v5/order/realtime", params={"category": "linear", "symbol": "ETHUSDT"}),
            client.get("/v5/order/realtime", params={"category": "linear", "settleCoin": "USDT"}),
            client.get("/v5/account/wallet-balance", params={"accountType": "UNIFIED"}),
        )
    assert all(record["verified"] for record in exchange.seen)
    assert store.position.find() == POSITIONS
    assert {o["orderId"]: o["category"] for o in store.order} == {
        "spot": "spot",
        "e-1": "linear",
        "b-1": "linear",
    }
    assert store.order.get({"orderId": "e-1"}) == {
        **open_order("e-1", "ETHUSDT"),
        "category": "linear",
    }
    account = store.wallet.get({"accountType": "UNIFIED"})
    assert account is not None and [c["coin"] for c in account["coin"]] == ["BTC", "USDT"]


async def test_order_filters_by_base_coin_and_settle_coin(exchange: Any, client: Any) -> None:
    exchange.bodies["/v5/order/realtime"] = ok([])
    store = BybitDataStore()
    cached = [
        {"orderId": "a", "symbol": "BTCUSDT", "category": "linear", "orderLinkId": ""},
        {"orderId": "b", "symbol": "BTCPERP", "category": "linear", "orderLinkId": ""},
        {"orderId": "c", "symbol": "ETHPERP", "category": "linear", "orderLinkId": ""},
        {"orderId": "d", "symbol": "BTCUSDT", "category": "spot", "orderLinkId": ""},
    ]
    store.order._insert([dict(o) for o in cached])
    async with client:
        await store.initialize(
            client.get("/v5/order/realtime", params={"category": "linear", "baseCoin": "BTC"})
        )
        assert sorted(o["orderId"] for o in store.order) == ["c", "d"]
        await store.initialize(
            client.get("/v5/order/realtime", params={"category": "linear", "settleCoin": "PERP"})
        )
        assert sorted(o["orderId"] for o in store.order) == ["d"]
        # Only the category: nothing is known to be gone (the reference's rule).
        await store.initialize(client.get("/v5/order/realtime", params={"category": "spot"}))
        assert sorted(o["orderId"] for o in store.order) == ["d"]


async def test_an_error_response_applies_nothing(exchange: Any, client: Any) -> None:
    exchange.bodies["/v5/position/list"] = ok(POSITIONS)
    exchange.bodies["/v5/account/wallet-balance"] = {
        "retCode": 10001,
        "retMsg": "accountType only support UNIFIED.",
        "result": {},
        "retExtInfo": {},
        "time": 1,
    }
    store = BybitDataStore()
    async with client:
        with pytest.raises(topgun.InitializeError, match="retCode 10001: accountType only"):
            await store.initialize(
                client.get("/v5/position/list", params={"category": "inverse"}),
                client.get("/v5/account/wallet-balance", params={"accountType": "CONTRACT"}),
            )
        assert len(store.position) == 0 and len(store.wallet) == 0
        with pytest.raises(topgun.InitializeError, match="does not know GET /v5/market/tickers"):
            await store.initialize(client.get("/v5/market/tickers", params={"category": "spot"}))
        exchange.bodies["/v5/order/realtime"] = ok([open_order("x", "BTCUSDT")])
        with pytest.raises(topgun.InitializeError, match="no category"):
            await store.initialize(client.get("/v5/order/realtime", params={"symbol": "BTCUSDT"}))
        exchange.bodies["/v5/position/list"] = ok([{"symbol": "BTCUSD"}])
        with pytest.raises(topgun.InitializeError, match="positionIdx"):
            await store.initialize(client.get("/v5/position/list", params={"category": "inverse"}))
    assert all(len(store[name]) == 0 for name in store)
