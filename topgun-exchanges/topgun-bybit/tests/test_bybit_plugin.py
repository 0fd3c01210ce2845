"""Bybit runs topgun's conformance suite (topgun.testing.conformance).

Signing: https://bybit-exchange.github.io/docs/v5/guide ("Authentication") — X-BAPI-SIGN is the
hex HMAC-SHA256 of timestamp + api_key + recv_window + (GET: the query string, else the raw body);
market data (``/v5/market/``) is public. WebSocket: https://bybit-exchange.github.io/docs/v5/ws/connect
— ``op: auth`` on the private and trade streams (answered ``success``/``ret_msg`` on private,
``retCode``/``retMsg`` on trade), and a ``{"op":"ping"}`` every 20 seconds is asked for.
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

from topgun import Credential
from topgun.testing.conformance import ConformanceSuite, Exchange, HttpRecord, Login, Socket
from topgun_bybit import plugin
from topgun_bybit.plugin import WS_HOSTS

from .conftest import bybit_signature

CONNECT = "https://bybit-exchange.github.io/docs/v5/ws/connect"
ORDERS = {"op": "subscribe", "args": ["order"]}


def verify(request: HttpRecord, credential: Credential) -> bool:
    headers = request.headers
    query = request.path_qs.partition("?")[2].encode()
    want = bybit_signature(
        credential.secret,
        headers.get("X-BAPI-TIMESTAMP", ""),
        credential.key,
        headers.get("X-BAPI-RECV-WINDOW", ""),
        query if request.method == "GET" else request.body,
    )
    return headers.get("X-BAPI-API-KEY") == credential.key and hmac.compare_digest(
        headers.get("X-BAPI-SIGN", ""), want
    )


def answer_private(message: Any, accepted: bool) -> list[Any] | None:
    if not isinstance(message, dict) or message.get("op") != "auth":
        return None
    reply = "" if accepted else "error sign"
    return [{"success": accepted, "ret_msg": reply, "op": "auth", "conn_id": "c"}]


def answer_trade(message: Any, accepted: bool) -> list[Any] | None:
    if not isinstance(message, dict) or message.get("op") != "auth":
        return None
    if accepted:
        return [{"retCode": 0, "retMsg": "OK", "op": "auth"}]
    return [{"retCode": 10004, "retMsg": "invalid sign", "op": "auth"}]


STREAMS = sorted(host for hosts in WS_HOSTS.values() for host in hosts)


class TestBybitConformance(ConformanceSuite):
    exchange = Exchange(
        plugin=plugin,
        apis={
            "bybit": ["bybit-conformance-key", "bybit-conformance-secret"],
            "bybit_demo": ["bybit-demo-conf-key", "bybit-demo-conf-secret"],
            "bybit_testnet": ["bybit-test-conf-key", "bybit-test-conf-secret"],
        },
        vectors=Path(__file__).parent / "vectors" / "bybit.json",
        verify=verify,
        public=(
            "GET https://api.bybit.com/v5/market/time",
            "GET https://api.bybit.com/v5/market/tickers?category=spot",
        ),
        logins=(
            *(
                Login(
                    url=f"wss://{host}/v5/private",
                    subscribe=ORDERS,
                    answer=answer_private,
                    reason="error sign",
                )
                for host in STREAMS
            ),
            Login(
                url="wss://stream.bybit.com/v5/trade",
                subscribe={"op": "order.create", "args": [{"symbol": "BTCUSDT"}]},
                answer=answer_trade,
                reason="invalid sign (retCode 10004)",
            ),
        ),
        sockets=tuple(
            Socket(url=f"wss://{host}/v5/public/linear", heartbeat_every=20, doc=CONNECT)
            for host in STREAMS
        ),
    )
