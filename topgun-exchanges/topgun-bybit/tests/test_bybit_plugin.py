"""Bybit runs topgun's conformance suite (topgun.testing.conformance).

Signing: https://bybit-exchange.github.io/docs/v5/guide ("Authentication") — X-BAPI-SIGN is the
hex HMAC-SHA256 of timestamp + api_key + recv_window + (GET: the query string, else the raw body);
market data (``/v5/market/``) is public. WebSocket: https://bybit-exchange.github.io/docs/v5/ws/connect
— ``op: auth`` on the private and trade streams (answered ``success``/``ret_msg`` on private,
``retCode``/``retMsg`` on trade), and a ``{"op":"ping"}`` every 20 seconds is asked for.
"""

from __future__ import annotations

import hmac

from topgun import Credential
from topgun.testing.conformance import ConformanceSuite, Exchange, HttpRecord, Login
from topgun_bybit import plugin
from topgun_bybit.plugin import WS_HOSTS

from .conftest import bybit_signature

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


STREAMS = sorted(host for hosts in WS_HOSTS.values() for host in hosts)


class TestBybitConformance(ConformanceSuite):
    exchange = Exchange(
        plugin=plugin,
        apis={
            "bybit": ["bybit-conformance-key", "bybit-conformance-secret"],
            "bybit_demo": ["bybit-demo-conf-key", "bybit-demo-conf-secret"],
            "bybit_testnet": ["bybit-test-conf-key", "bybit-test-conf-secret"],
        },
        verify=verify,
        logins=(
            *(
                Login(
                    url=f"wss://{host}/v5/private",
                    subscribe=ORDERS,
                    login={"op": "auth"},
                    accepted=[{"success": True, "ret_msg": "", "op": "auth", "conn_id": "c"}],
                    refused=[
                        {"success": False, "ret_msg": "error sign", "op": "auth", "conn_id": "c"}
                    ],
                    reason="error sign",
                )
                for host in STREAMS
            ),
            Login(
                url="wss://stream.bybit.com/v5/trade",
                subscribe={"op": "order.create", "args": [{"symbol": "BTCUSDT"}]},
                login={"op": "auth"},
                accepted=[{"retCode": 0, "retMsg": "OK", "op": "auth"}],
                refused=[{"retCode": 10004, "retMsg": "invalid sign", "op": "auth"}],
                reason="invalid sign (retCode 10004)",
            ),
        ),
    )
