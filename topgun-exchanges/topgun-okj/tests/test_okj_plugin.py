"""OKJ runs topgun's conformance suite (topgun.testing.conformance).

Signing: https://dev.okj.com/apidoc/v3/en/ and https://dev.okj.com/apidoc/v5/en/ ("REST
Authentication") — OK-ACCESS-SIGN is the Base64 HMAC-SHA256 of an ISO-8601 timestamp + method +
path (with query) + body, with the key's passphrase; instruments are public. WebSocket: V3 sends
every reply raw-deflated, ``op: login`` answered ``event: login`` or ``event: error`` with an
``errorCode``; V5 answers ``code: "0"`` or an error code; both drop a connection quiet for 30 s.
"""

from __future__ import annotations

import hmac

from topgun import Credential
from topgun.testing.conformance import ConformanceSuite, Exchange, HttpRecord, Login
from topgun_okj import plugin

from .conftest import ISO, b64_hmac, deflate

V3_HOSTS = ("connect.okcoin.jp", "connect.okj.com")
V5 = "wss://ws.okj.com:443/ws/v5/private"


def verify(request: HttpRecord, credential: Credential) -> bool:
    headers = request.headers
    timestamp = headers.get("OK-ACCESS-TIMESTAMP", "")
    text = (timestamp + request.method + request.path_qs).encode() + request.body
    return (
        ISO.match(timestamp) is not None
        and headers.get("OK-ACCESS-KEY") == credential.key
        and headers.get("OK-ACCESS-PASSPHRASE") == credential.passphrase
        and hmac.compare_digest(
            headers.get("OK-ACCESS-SIGN", ""), b64_hmac(credential.secret, text)
        )
    )


class TestOKJConformance(ConformanceSuite):
    exchange = Exchange(
        plugin=plugin,
        apis={"okj": ["okj-conformance-key", "okj-conformance-secret", "okj-conformance-pass"]},
        verify=verify,
        logins=(
            *(
                Login(
                    url=f"wss://{host}:443/ws/v3",
                    subscribe={"op": "subscribe", "args": ["spot/order:BTC-JPY"]},
                    login={"op": "login"},
                    accepted=[{"event": "login", "success": True}],
                    refused=[{"event": "error", "message": "Invalid sign", "errorCode": 30013}],
                    compress=deflate,
                    reason="'errorCode': 30013, 'message': 'Invalid sign'",
                )
                for host in V3_HOSTS
            ),
            Login(
                url=V5,
                subscribe={"op": "subscribe", "args": [{"channel": "orders", "instType": "SPOT"}]},
                login={"op": "login"},
                accepted=[{"event": "login", "code": "0", "msg": "", "connId": "a4d3ae55"}],
                refused=[
                    {
                        "event": "error",
                        "code": "60009",
                        "msg": "Login failed.",
                        "connId": "a4d3ae55",
                    }
                ],
                reason="'code': '60009', 'msg': 'Login failed.'",
            ),
        ),
    )
