"""KuCoin runs topgun's conformance suite (topgun.testing.conformance).

Signing: https://www.kucoin.com/docs-new/authentication — KC-API-SIGN is the Base64 HMAC-SHA256
of timestamp + method + the decoded endpoint + body, KC-API-PASSPHRASE the Base64 HMAC-SHA256 of
the passphrase (key versions 2 and 3); market data and the public bullet are public. WebSocket:
https://www.kucoin.com/docs-new/websocket-api/base-info/introduction — the token in the URL is
the login, answered by a ``welcome`` or an ``error``; a ``ping`` at the token's ``pingInterval``
(18 s); at most 100 messages per 10 seconds.
"""

from __future__ import annotations

import hmac
import time

from topgun import Credential
from topgun.testing.conformance import ConformanceSuite, Exchange, HttpRecord, Login
from topgun_kucoin import plugin

from .conftest import b64_hmac, decoded_endpoint

STREAMS = ("ws-api-spot.kucoin.com", "ws-api-futures.kucoin.com")


def verify(request: HttpRecord, credential: Credential) -> bool:
    headers = request.headers
    timestamp = headers.get("KC-API-TIMESTAMP", "")
    if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 5000:
        return False
    text = (timestamp + request.method + decoded_endpoint(request.path_qs)).encode() + request.body
    return (
        headers.get("KC-API-KEY") == credential.key
        and headers.get("KC-API-KEY-VERSION") in {"2", "3"}
        and headers.get("KC-API-PASSPHRASE")
        == b64_hmac(credential.secret, credential.passphrase.encode())
        and hmac.compare_digest(headers.get("KC-API-SIGN", ""), b64_hmac(credential.secret, text))
    )


class TestKuCoinConformance(ConformanceSuite):
    exchange = Exchange(
        plugin=plugin,
        apis={
            "kucoin": ["kucoin-conformance-key", "kucoin-conformance-secret", "kucoin-conf-pass"]
        },
        verify=verify,
        logins=tuple(
            Login(
                url=f"wss://{host}/?token=conformance-token&connectId=c",
                subscribe={
                    "id": 1,
                    "type": "subscribe",
                    "topic": "/spotMarket/tradeOrders",
                    "privateChannel": True,
                },
                on_open=True,
                accepted=[{"id": "c", "type": "welcome"}],
                refused=[{"id": "c", "type": "error", "code": 401, "data": "token is invalid"}],
                reason="code 401, 'token is invalid'",
            )
            for host in STREAMS
        ),
    )
