"""Fixtures: a local Bybit-like server that checks V5 signatures the way Bybit documents them, plus
``topgun.testing``'s login double, WebSocket exchange and quicker timers.

https://bybit-exchange.github.io/docs/v5/guide ("Authentication"): X-BAPI-SIGN = hex
HMAC-SHA256(secret, timestamp + api_key + recv_window + (GET: query string | POST: raw body)),
and the request is valid while server_time - recv_window <= timestamp < server_time + 1000.
The server recomputes everything itself; it never calls the plugin's signer.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
import pytest
from aiohttp import web

from topgun.testing import Handler, HttpExchange, Registry, build_registry, rsa_verifies
from topgun.testing.fixtures import *  # noqa: F403 - the shared pytest fixtures
from topgun_bybit import plugin

# One key pair per API name, so a request signed with the wrong environment's key fails.
KEYS = {
    "bybit": ("bybit-main-key", "bybit-main-secret-DO-NOT-LEAK"),
    "bybit_demo": ("bybit-demo-key", "bybit-demo-secret-DO-NOT-LEAK"),
    "bybit_testnet": ("bybit-test-key", "bybit-test-secret-DO-NOT-LEAK"),
}
HOST_API = {
    "api.bybit.com": "bybit",
    "api.bytick.com": "bybit",
    "api-demo.bybit.com": "bybit_demo",
    "api-testnet.bybit.com": "bybit_testnet",
}


def bybit_signature(secret: str, timestamp: str, key: str, recv_window: str, payload: bytes) -> str:
    text = (timestamp + key + recv_window).encode() + payload
    return hmac.new(secret.encode(), text, hashlib.sha256).hexdigest()


def make_handler(rsa_keys: dict[str, Any], bodies: dict[str, Any] | None = None) -> Handler:
    """The exchange: checks the signature, then answers ``bodies[path]`` (a callable gets the
    request's query) or an empty OK result."""
    bodies = {} if bodies is None else bodies

    async def handle(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
        if request.path.startswith("/v5/market/"):
            return web.json_response({"retCode": 0, "retMsg": "OK", "result": {}})
        key, secret = KEYS[HOST_API[record["host"]]]
        headers = request.headers
        rsa_public = rsa_keys.get(headers.get("X-BAPI-API-KEY", ""))
        if rsa_public is not None:
            key = headers["X-BAPI-API-KEY"]
        if headers.get("X-BAPI-API-KEY") != key:
            return web.json_response({"retCode": 10003, "retMsg": "API key is invalid."})
        timestamp = headers.get("X-BAPI-TIMESTAMP", "")
        recv_window = headers.get("X-BAPI-RECV-WINDOW", "")
        now_ms = int(time.time() * 1000)
        window = int(recv_window or "5000")
        if not timestamp.isdigit() or not now_ms - window <= int(timestamp) < now_ms + 1000:
            return web.json_response(
                {"retCode": 10002, "retMsg": "invalid request, please check your server timestamp"}
            )
        payload = request.rel_url.raw_query_string.encode() if request.method == "GET" else body
        if rsa_public is not None:
            text = (timestamp + key + recv_window).encode() + payload
            valid = rsa_verifies(rsa_public, headers.get("X-BAPI-SIGN", ""), text)
        else:
            want = bybit_signature(secret, timestamp, key, recv_window, payload)
            valid = hmac.compare_digest(headers.get("X-BAPI-SIGN", ""), want)
        if not valid:
            return web.json_response({"retCode": 10004, "retMsg": "error sign!"})
        record["verified"] = True
        body = bodies.get(request.path, {"retCode": 0, "retMsg": "OK", "result": {}})
        if callable(body):
            body = body(request.query)
        return web.json_response(body)

    return handle


@pytest.fixture
async def exchange() -> AsyncIterator[HttpExchange]:
    """The Bybit REST hosts served from 127.0.0.1 over TLS; ``exchange.seen`` records requests,
    ``exchange.bodies`` maps a path to the JSON body signed requests to it get."""
    rsa_keys: dict[str, Any] = {}
    bodies: dict[str, Any] = {}
    async with HttpExchange(HOST_API, make_handler(rsa_keys, bodies)) as server:
        server.rsa_keys = rsa_keys  # type: ignore[attr-defined]  # API key -> RSA public key
        server.bodies = bodies  # type: ignore[attr-defined]
        yield server


@pytest.fixture
def bybit_keys() -> dict[str, tuple[str, str]]:
    """The key pair the local server accepts for each API name."""
    return dict(KEYS)


# -- DataStore messages, in the shape of the official docs' examples ---------------------------
# Public: https://bybit-exchange.github.io/docs/v5/websocket/public/{trade,ticker,kline,
# all-liquidation,liquidation,etp-kline,etp-ticker,etp-nav}; private:
# https://bybit-exchange.github.io/docs/v5/websocket/private/{position,execution,order,wallet,
# greek}; REST: https://bybit-exchange.github.io/docs/v5/position,
# .../v5/order/open-order, .../v5/account/wallet-balance.

SAMPLES: dict[str, Any] = {
    "trade": {
        "topic": "publicTrade.BTCUSDT",
        "type": "snapshot",
        "ts": 1672304486868,
        "data": [
            {
                "T": 1672304486865,
                "s": "BTCUSDT",
                "S": "Buy",
                "v": "0.001",
                "p": "16578.50",
                "L": "PlusTick",
                "i": "20f43950-d8dd-5b31-9112-a178eb6023af",
                "BT": False,
            }
        ],
    },
    "ticker_snapshot": {
        "topic": "tickers.BTCUSDT",
        "type": "snapshot",
        "data": {
            "symbol": "BTCUSDT",
            "tickDirection": "PlusTick",
            "price24hPcnt": "0.017103",
            "lastPrice": "17216.00",
            "markPrice": "17217.33",
            "indexPrice": "17227.36",
            "openInterest": "68744.761",
            "fundingRate": "-0.000212",
            "bid1Price": "17215.50",
            "bid1Size": "84.489",
            "ask1Price": "17216.00",
            "ask1Size": "83.020",
        },
        "cs": 24987956059,
        "ts": 1673272861686,
    },
    "ticker_delta": {
        "topic": "tickers.BTCUSDT",
        "type": "delta",
        "data": {"symbol": "BTCUSDT", "markPrice": "17218.01", "bid1Size": "80.001"},
        "cs": 24987956060,
        "ts": 1673272861786,
    },
    "kline": {
        "topic": "kline.5.BTCUSDT",
        "data": [
            {
                "start": 1672324800000,
                "end": 1672325099999,
                "interval": "5",
                "open": "16649.5",
                "close": "16677",
                "high": "16677",
                "low": "16608",
                "volume": "2.081",
                "turnover": "34666.4005",
                "confirm": False,
                "timestamp": 1672324988882,
            }
        ],
        "ts": 1672324988882,
        "type": "snapshot",
    },
    "all_liquidation": {
        "topic": "allLiquidation.ROSEUSDT",
        "type": "snapshot",
        "ts": 1739502303204,
        "data": [{"T": 1739502302929, "s": "ROSEUSDT", "S": "Sell", "v": "20000", "p": "0.04499"}],
    },
    "liquidation": {
        "data": {
            "price": "0.03803",
            "side": "Buy",
            "size": "1637",
            "symbol": "GALAUSDT",
            "updatedTime": 1673251091822,
        },
        "topic": "liquidation.GALAUSDT",
        "ts": 1673251091822,
        "type": "snapshot",
    },
    "lt_kline": {
        "type": "snapshot",
        "topic": "kline_lt.5.EOS3LUSDT",
        "data": [
            {
                "start": 1672325100000,
                "end": 1672325399999,
                "interval": "5",
                "open": "0.416039541212402799",
                "close": "0.41477848043290448",
                "high": "0.416039541212402799",
                "low": "0.409734237314911206",
                "confirm": False,
                "timestamp": 1672325322393,
            }
        ],
        "ts": 1672325322393,
    },
    "lt_ticker": {
        "topic": "tickers_lt.EOS3LUSDT",
        "ts": 1672325446847,
        "type": "snapshot",
        "data": {
            "symbol": "EOS3LUSDT",
            "lastPrice": "0.41477848043290448",
            "highPrice24h": "0.435285472510871305",
            "lowPrice24h": "0.394601507960931382",
            "prevPrice24h": "0.431502290172376349",
            "price24hPcnt": "-0.0388",
        },
    },
    "lt_nav": {
        "topic": "lt.EOS3LUSDT",
        "ts": 1672325564669,
        "type": "snapshot",
        "data": {
            "symbol": "EOS3LUSDT",
            "time": 1672325564554,
            "nav": "0.413517419653406162",
            "basketPosition": "1.261060779498318641",
            "leverage": "2.656197506416192150",
            "basketLoan": "-0.684866519289629374",
            "circulation": "72767.309468460367138199",
            "basket": "91764.000000292013277472",
        },
    },
    "position": {
        "id": "1003076014fb7eedb-c7e6-45d6-a8c1-270f0169171a",
        "topic": "position",
        "creationTime": 1697682317044,
        "data": [
            {
                "positionIdx": 2,
                "tradeMode": 0,
                "riskId": 1,
                "riskLimitValue": "2000000",
                "symbol": "BTCUSDT",
                "side": "",
                "size": "0",
                "entryPrice": "0",
                "leverage": "10",
                "positionValue": "0",
                "markPrice": "28184.5",
                "unrealisedPnl": "0",
                "cumRealisedPnl": "-25.06579337",
                "createdTime": "1694402496913",
                "updatedTime": "1697682317038",
                "liqPrice": "0",
                "bustPrice": "",
                "category": "linear",
                "positionStatus": "Normal",
                "seq": 8327597863,
            }
        ],
    },
    "execution": {
        "topic": "execution",
        "id": "386825804_BTCUSDT_140612148849382",
        "creationTime": 1746270400355,
        "data": [
            {
                "category": "linear",
                "symbol": "BTCUSDT",
                "closedSize": "0.5",
                "execFee": "26.3725275",
                "execId": "0ab1bdf7-4219-438b-b30a-32ec863018f7",
                "execPrice": "95900.1",
                "execQty": "0.5",
                "execType": "Trade",
                "execValue": "47950.05",
                "feeRate": "0.00055",
                "leavesQty": "0",
                "orderId": "9aac161b-8ed6-450d-9cab-c5cc67c21784",
                "orderLinkId": "",
                "orderPrice": "94942.5",
                "orderQty": "0.5",
                "orderType": "Market",
                "side": "Sell",
                "execTime": "1746270400353",
                "isMaker": False,
                "seq": 140612148849382,
            }
        ],
    },
    "order": {
        "id": "5923240c6880ab-c59f-420b-9adb-3639adc9dd90",
        "topic": "order",
        "creationTime": 1672364262474,
        "data": [
            {
                "symbol": "ETH-30DEC22-1400-C",
                "orderId": "5cf98598-39a7-459e-97bf-76ca765ee020",
                "side": "Sell",
                "orderType": "Market",
                "cancelType": "UNKNOWN",
                "price": "72.5",
                "qty": "1",
                "timeInForce": "IOC",
                "orderStatus": "Filled",
                "orderLinkId": "",
                "leavesQty": "",
                "cumExecQty": "1",
                "avgPrice": "75",
                "positionIdx": 0,
                "createdTime": "1672364262444",
                "updatedTime": "1672364262457",
                "rejectReason": "EC_NoError",
                "category": "option",
            }
        ],
    },
    "wallet": {
        "id": "592324d2bce751-ad38-48eb-8f42-4671d1fb4d4e",
        "topic": "wallet",
        "creationTime": 1700034722104,
        "data": [
            {
                "accountIMRate": "0",
                "accountMMRate": "0",
                "totalEquity": "10262.91335023",
                "totalWalletBalance": "9684.46297164",
                "totalAvailableBalance": "9556.6056555",
                "coin": [
                    {
                        "coin": "BTC",
                        "equity": "0.00102964",
                        "usdValue": "36.70759517",
                        "walletBalance": "0.00102964",
                        "locked": "0",
                    }
                ],
                "accountLTV": "0",
                "accountType": "UNIFIED",
            }
        ],
    },
    "greeks": {
        "id": "592324fa945a30-2603-49a5-b865-21668c29f2a6",
        "topic": "greeks",
        "creationTime": 1672364262482,
        "data": [
            {
                "baseCoin": "ETH",
                "totalDelta": "0.06999986",
                "totalGamma": "-0.00000001",
                "totalVega": "-0.00000024",
                "totalTheta": "0.00001314",
            }
        ],
    },
}


def wire(message: Any) -> Any:
    """``message`` serialized and parsed back, as a handler receives it off the wire."""
    return orjson.loads(orjson.dumps(message))


@pytest.fixture
def sample() -> Callable[..., Any]:
    """``sample(name, **data_fields)``: a fresh docs-shaped message; keyword arguments replace
    fields of its (first) data item."""

    def make(name: str, **fields: Any) -> Any:
        message = wire(SAMPLES[name])
        data = message["data"]
        target = data[0] if isinstance(data, list) else data
        target.update(fields)
        return message

    return make


class StreamExchange:
    """Bybit's side of the V5 streams (https://bybit-exchange.github.io/docs/v5/ws/connect), as a
    ``WebSocketExchange`` responder: checks the ``auth`` login independently of the plugin, acks
    ``subscribe``/``unsubscribe``/``ping``, and after a subscribe sends ``pushes[topic]`` (a list
    of messages, or a callable ``(conn) -> list``). Private paths refuse subscribing before login.
    """

    def __init__(self, pushes: dict[str, Any] | None = None) -> None:
        self.pushes: dict[str, Any] = {} if pushes is None else pushes
        self.key, self.secret = KEYS["bybit"]

    def __call__(self, conn: Any, message: Any) -> list[Any]:
        if not isinstance(message, dict):
            return []
        op = message.get("op")
        if op == "auth":
            key, expires, signature = message["args"]
            want = hmac.new(
                self.secret.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256
            ).hexdigest()
            ok = key == self.key and expires > time.time() * 1000
            conn.state["authed"] = ok and hmac.compare_digest(signature, want)
            return [{"success": conn.state["authed"], "ret_msg": "", "op": "auth", "conn_id": "c"}]
        if op == "ping":
            return [{"success": True, "ret_msg": "pong", "op": "ping", "conn_id": "c"}]
        if op not in ("subscribe", "unsubscribe"):
            return []
        if conn.path.startswith("/v5/private") and not conn.state.get("authed"):
            return [{"success": False, "ret_msg": "request not authorized", "op": op}]
        replies: list[Any] = [{"success": True, "ret_msg": "", "conn_id": "c", "op": op}]
        if op == "subscribe":
            for topic in message.get("args", []):
                pushes = self.pushes.get(topic, [])
                replies.extend(pushes(conn) if callable(pushes) else pushes)
        return replies


@pytest.fixture
def stream_exchange() -> type[StreamExchange]:
    return StreamExchange


BOOK_SAMPLES: list[Any] = [
    {
        "topic": "orderbook.50.BTCUSDT",
        "type": "snapshot",
        "ts": 1672304484978,
        "data": {
            "s": "BTCUSDT",
            "b": [["16493.50", "0.006"], ["16493.00", "0.100"]],
            "a": [["16611.00", "0.029"], ["16612.00", "0.213"]],
            "u": 18521288,
            "seq": 7961638724,
        },
        "cts": 1672304484976,
    },
    {
        "topic": "orderbook.50.BTCUSDT",
        "type": "delta",
        "ts": 1687940967466,
        "data": {
            "s": "BTCUSDT",
            "b": [["16493.50", "0"], ["16490.00", "1.203"]],
            "a": [["16611.00", "0.050"]],
            "u": 18521289,
            "seq": 7961638783,
        },
        "cts": 1687940967464,
    },
]
"""An ``orderbook`` snapshot and its next delta, shaped as
https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook shows them."""


@pytest.fixture
def all_samples() -> list[Any]:
    """One docs-shaped message of every topic, the book's snapshot and delta first."""
    return [wire(message) for message in (*BOOK_SAMPLES, *SAMPLES.values())]


@pytest.fixture
def registry() -> Registry:
    return build_registry([plugin], strict=True)
