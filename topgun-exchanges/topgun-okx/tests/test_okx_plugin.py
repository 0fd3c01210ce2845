"""OKX runs topgun's conformance suite (topgun.testing.conformance).

Signing: https://www.okx.com/docs-v5/en/#overview-rest-authentication — OK-ACCESS-SIGN is the
Base64 HMAC-SHA256 of timestamp + method + path (with query) + body, with the key's passphrase
in OK-ACCESS-PASSPHRASE; demo keys only with ``x-simulated-trading: 1``
(https://www.okx.com/docs-v5/en/#overview-demo-trading-services). Public endpoints
(``/api/v5/public/``, ``/api/v5/market/``) take none. WebSocket:
https://www.okx.com/docs-v5/en/#overview-websocket-login (``op: login``, answered
``event: login`` or ``event: error`` with code 60009) and
https://www.okx.com/docs-v5/en/#overview-websocket-connect (a connection with nothing pushed for
30 seconds is cut, so clients send ``ping``).
"""

from __future__ import annotations

import hmac

from topgun import Credential
from topgun.testing.conformance import ConformanceSuite, Exchange, HttpRecord, Login
from topgun_okx import plugin

from .conftest import okx_signature

WS_HOSTS = (
    "ws.okx.com",
    "wsaws.okx.com",
    "wspap.okx.com",
    "wseea.okx.com",
    "wseeapap.okx.com",
    "wsus.okx.com",
    "wsuspap.okx.com",
)


def verify(request: HttpRecord, credential: Credential) -> bool:
    headers = request.headers
    demo = headers.get("x-simulated-trading") == "1"
    want = okx_signature(
        credential.secret,
        headers.get("OK-ACCESS-TIMESTAMP", ""),
        request.method,
        request.path_qs,
        request.body,
    )
    return (
        demo == (credential.api == "okx_demo")
        and headers.get("OK-ACCESS-KEY") == credential.key
        and headers.get("OK-ACCESS-PASSPHRASE") == credential.passphrase
        and hmac.compare_digest(headers.get("OK-ACCESS-SIGN", ""), want)
    )


class TestOKXConformance(ConformanceSuite):
    exchange = Exchange(
        plugin=plugin,
        apis={
            "okx": ["okx-conformance-key", "okx-conformance-secret", "okx-conformance-pass"],
            "okx_demo": ["okx-demo-conf-key", "okx-demo-conf-secret", "okx-demo-conf-pass"],
        },
        verify=verify,
        logins=tuple(
            Login(
                url=f"wss://{host}:8443/ws/v5/private",
                subscribe={"op": "subscribe", "args": [{"channel": "orders", "instType": "ANY"}]},
                login={"op": "login"},
                accepted=[{"event": "login", "code": "0", "msg": "", "connId": "a1"}],
                refused=[
                    {"event": "error", "code": "60009", "msg": "Login failed.", "connId": "a1"}
                ],
                reason="Login failed. (code 60009)",
            )
            for host in WS_HOSTS
        ),
    )
