"""The user guide's bitFlyerDataStore examples (attributes, onmessage, initialize, sorted, wait,
watch), each run against local servers standing in for api.bitflyer.com and
ws.lightstream.bitflyer.com (127.0.0.1, TLS, the real hostnames and paths).

The examples call ``client.ws_connect`` exactly as the guide shows. The server answers ``auth``
after checking it as bitFlyer documents it (https://bf-lightning-api.readme.io/docs/realtime-api-auth:
hex HMAC-SHA256 of timestamp + nonce), answers each ``subscribe`` as bitFlyer does
(https://bf-lightning-api.readme.io/docs/json-rpc-20-over-websocket) and then pushes that
channel's messages as ``channelMessage`` frames.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from aiohttp import web

import topgun
from topgun.testing import LocalExchange

WS_URL = "wss://ws.lightstream.bitflyer.com/json-rpc"
KEY, SECRET = "guide-key", "guide-secret"


def ticker(product_code: str, tick_id: int, ltp: float) -> dict[str, Any]:
    return {
        "product_code": product_code,
        "state": "RUNNING",
        "timestamp": "2024-06-07T01:23:45.6789012Z",
        "tick_id": tick_id,
        "best_bid": ltp - 5,
        "best_ask": ltp + 5,
        "best_bid_size": 0.1,
        "best_ask_size": 0.2,
        "total_bid_depth": 1500.5,
        "total_ask_depth": 1400.25,
        "market_bid_size": 0,
        "market_ask_size": 0,
        "ltp": ltp,
        "volume": 20000.1,
        "volume_by_product": 5000.2,
    }


def executions(first_id: int, count: int) -> list[dict[str, Any]]:
    return [
        {
            "id": first_id + i,
            "side": "BUY" if i % 2 else "SELL",
            "price": 5000000 + i,
            "size": 0.01,
            "exec_date": "2024-06-07T01:23:45.6789012Z",
            "buy_child_order_acceptance_id": f"JRF20240607-012345-{i:06d}",
            "sell_child_order_acceptance_id": f"JRF20240607-012345-{i + 500:06d}",
        }
        for i in range(count)
    ]


SCRIPT: dict[str, list[Any]] = {
    "lightning_ticker_BTC_JPY": [ticker("BTC_JPY", n, 5000000 + n) for n in (1, 2, 3)],
    "lightning_ticker_ETH_JPY": [ticker("ETH_JPY", 1, 400000)],
    "lightning_board_snapshot_BTC_JPY": [
        {
            "mid_price": 5000000,
            "bids": [
                {"price": 4999990, "size": 0.5},
                {"price": 4999980, "size": 1},
                {"price": 4999970, "size": 2},
            ],
            "asks": [
                {"price": 5000010, "size": 0.3},
                {"price": 5000020, "size": 1},
                {"price": 5000030, "size": 3},
            ],
        }
    ],
    "lightning_board_BTC_JPY": [
        {"mid_price": 5000000, "bids": [{"price": 4999995, "size": 0.1}], "asks": []},
        {"mid_price": 5000002, "bids": [], "asks": [{"price": 5000010, "size": 0}]},
    ],
    "lightning_executions_BTC_JPY": [executions(100, 2), executions(102, 1)],
    "child_order_events": [
        [
            {
                "product_code": "FX_BTC_JPY",
                "child_order_id": "JOR20240607-012345-000001",
                "child_order_acceptance_id": "JRF20240607-012345-000001",
                "event_date": "2024-06-07T01:23:45.6789012Z",
                "event_type": "EXECUTION",
                "exec_id": 7,
                "side": "BUY",
                "price": 5000000,
                "size": 0.01,
                "commission": 0,
                "sfd": 0,
                "outstanding_size": 0,
            }
        ]
    ],
}

POSITIONS = [
    {
        "product_code": "FX_BTC_JPY",
        "side": "BUY",
        "price": 4990000,
        "size": 0.02,
        "commission": 0,
        "swap_point_accumulate": 0,
        "require_collateral": 49900,
        "open_date": "2024-06-07T00:00:00.000",
        "leverage": 2,
        "pnl": 200,
        "sfd": 0,
    }
]


def realtime_app(seen: list[Any]) -> web.Application:
    async def json_rpc(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            call = orjson.loads(msg.data)
            seen.append(call)
            if call.get("method") == "auth":
                params = call["params"]
                signed = f"{params['timestamp']}{params['nonce']}".encode()
                want = hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
                ok = params["api_key"] == KEY and hmac.compare_digest(params["signature"], want)
                reply = {"result": True} if ok else {"error": {"code": -1, "message": "denied"}}
                await ws.send_json({"jsonrpc": "2.0", "id": call.get("id"), **reply})
            elif call.get("method") == "subscribe":
                channel = call["params"]["channel"]
                await ws.send_bytes(
                    orjson.dumps({"jsonrpc": "2.0", "id": call.get("id"), "result": True})
                )
                for message in SCRIPT.get(channel, []):
                    frame = {
                        "jsonrpc": "2.0",
                        "method": "channelMessage",
                        "params": {"channel": channel, "message": message},
                    }
                    await ws.send_str(orjson.dumps(frame).decode())
        return ws

    async def private(request: web.Request) -> web.Response:
        body = await request.read()
        text = (
            request.headers.get("ACCESS-TIMESTAMP", "") + request.method + request.raw_path
        ).encode() + body
        want = hmac.new(SECRET.encode(), text, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(request.headers.get("ACCESS-SIGN", ""), want):
            return web.json_response(
                {"status": -500, "error_message": "Invalid signature"}, status=401
            )
        assert request.query["product_code"] == "FX_BTC_JPY"
        return web.json_response(POSITIONS)

    app = web.Application()
    app.router.add_get("/json-rpc", json_rpc)
    app.router.add_get("/v1/me/getpositions", private)
    return app


@pytest.fixture
async def bitflyer() -> AsyncIterator[LocalExchange]:
    seen: list[Any] = []
    async with LocalExchange(
        realtime_app(seen), ["ws.lightstream.bitflyer.com", "api.bitflyer.com"]
    ) as server:
        server.seen = seen  # type: ignore[attr-defined]
        yield server


def test_attributes() -> None:
    store = topgun.bitFlyerDataStore()
    for name in ("ticker", "executions", "board"):
        text = repr(getattr(store, name))
        assert re.fullmatch(rf"<[\w.]+\.{name.capitalize()} object at 0x[0-9a-f]+>", text), text


async def test_onmessage_ticker(bitflyer: LocalExchange) -> None:
    printed = []
    async with topgun.Client(connector=bitflyer.connector()) as client:
        store = topgun.bitFlyerDataStore()

        await client.ws_connect(
            WS_URL,
            send_json={
                "method": "subscribe",
                "params": {"channel": "lightning_ticker_BTC_JPY"},
                "id": 1,
            },
            hdlr_json=store.onmessage,
        )

        while True:  # the guide's loop, until the last scripted tick
            ticker = store.ticker.get({"product_code": "BTC_JPY"})
            printed.append(ticker)
            if ticker is not None and ticker["tick_id"] == 3:
                break
            await store.ticker.wait()
    assert printed[0] is None  # as the guide says: the loop starts before data arrives
    assert printed[-1] == ticker_of(3)


def ticker_of(tick_id: int) -> dict[str, Any]:
    return ticker("BTC_JPY", tick_id, 5000000 + tick_id)


async def test_initialize_then_child_order_events(
    bitflyer: LocalExchange,
) -> None:
    apis = {"bitflyer": [KEY, SECRET]}
    seen_positions = []
    async with topgun.Client(
        apis=apis, base_url="https://api.bitflyer.com", connector=bitflyer.connector()
    ) as client:
        store = topgun.bitFlyerDataStore()

        await store.initialize(
            client.get("/v1/me/getpositions", params={"product_code": "FX_BTC_JPY"})
        )
        assert store.positions.find() == [
            {
                "product_code": "FX_BTC_JPY",
                "side": "BUY",
                "price": 4990000,
                "size": 0.02,
                "commission": 0,
                "sfd": 0,
            }
        ]

        await client.ws_connect(
            WS_URL,
            send_json=[
                {"method": "subscribe", "params": {"channel": "child_order_events"}, "id": 1}
            ],
            hdlr_json=store.onmessage,
        )

        while True:
            positions = store.positions.find()
            seen_positions.append(positions)
            if len(positions) == 2:
                break
            await store.positions.wait()
    # ws_connect logged in (bitFlyer's private channel needs it) before it subscribed.
    assert [call["method"] for call in bitflyer.seen] == ["auth", "subscribe"]  # type: ignore[attr-defined]
    assert seen_positions[-1][1] == {
        "product_code": "FX_BTC_JPY",
        "side": "BUY",
        "price": 5000000,
        "size": 0.01,
        "commission": 0,
        "sfd": 0,
    }


async def test_sorted_board(bitflyer: LocalExchange) -> None:
    boards = []
    async with topgun.Client(connector=bitflyer.connector()) as client:
        store = topgun.bitFlyerDataStore()

        await client.ws_connect(
            WS_URL,
            send_json=[
                {
                    "method": "subscribe",
                    "params": {"channel": "lightning_board_snapshot_BTC_JPY"},
                    "id": 1,
                },
                {"method": "subscribe", "params": {"channel": "lightning_board_BTC_JPY"}, "id": 2},
            ],
            hdlr_json=store.onmessage,
        )

        while True:
            board = store.board.sorted(limit=2)
            boards.append(board)
            if store.board.mid_price.get("BTC_JPY") == 5000002:
                break
            await store.board.wait()
    assert boards[0] == {"asks": [], "bids": []}
    assert boards[-1] == {
        "asks": [
            {"product_code": "BTC_JPY", "side": "asks", "price": 5000020, "size": 1},
            {"product_code": "BTC_JPY", "side": "asks", "price": 5000030, "size": 3},
        ],
        "bids": [
            {"product_code": "BTC_JPY", "side": "bids", "price": 4999995, "size": 0.1},
            {"product_code": "BTC_JPY", "side": "bids", "price": 4999990, "size": 0.5},
        ],
    }


async def test_wait_for_two_tickers(bitflyer: LocalExchange) -> None:
    async with topgun.Client(connector=bitflyer.connector()) as client:
        store = topgun.bitFlyerDataStore()

        await client.ws_connect(
            WS_URL,
            send_json=[
                {"method": "subscribe", "params": {"channel": "lightning_ticker_BTC_JPY"}, "id": 1},
                {"method": "subscribe", "params": {"channel": "lightning_ticker_ETH_JPY"}, "id": 2},
            ],
            hdlr_json=store.onmessage,
        )

        while not len(store.ticker):
            await store.ticker.wait()

        found = store.ticker.find()
        assert found and {t["product_code"] for t in found} <= {"BTC_JPY", "ETH_JPY"}
        while len(store.ticker) < 2:
            await store.ticker.wait()
        assert {t["product_code"] for t in store.ticker.find()} == {"BTC_JPY", "ETH_JPY"}


async def test_watch_executions(bitflyer: LocalExchange) -> None:
    printed = []
    async with topgun.Client(connector=bitflyer.connector()) as client:
        store = topgun.bitFlyerDataStore()

        await client.ws_connect(
            WS_URL,
            send_json={
                "method": "subscribe",
                "params": {"channel": "lightning_executions_BTC_JPY"},
                "id": 1,
            },
            hdlr_json=store.onmessage,
        )

        with store.executions.watch() as stream:
            async for change in stream:
                printed.append(change.data)
                if len(printed) == 3:
                    break
    assert [row["id"] for row in printed] == [100, 101, 102]
    assert all(row["product_code"] == "BTC_JPY" for row in printed)
    assert printed[0] is not store.executions.find()[0]  # a copy, not the live item
    assert bitflyer.seen[0] == {  # type: ignore[attr-defined]
        "method": "subscribe",
        "params": {"channel": "lightning_executions_BTC_JPY"},
        "id": 1,
    }
