"""Bitget runs topgun's conformance suite (topgun.testing.conformance).

Signing: https://www.bitget.com/api-doc/common/signature — ACCESS-SIGN is the Base64 HMAC-SHA256
of timestamp + method + path (+ ``?`` query) + body, with the passphrase; demo keys take the
``paptrading: 1`` header. Public and market endpoints take none. WebSocket:
https://www.bitget.com/api-doc/common/websocket-intro — ``op: login`` on ``/v2/ws/private``,
answered ``event: login`` or ``event: error`` with a code; a ``ping`` every 30 seconds; at most
10 messages a second.
"""

from __future__ import annotations

import hmac
import time

from topgun import Credential
from topgun.testing.conformance import ConformanceSuite, Exchange, HttpRecord, Login
from topgun_bitget import plugin

from .conftest import bitget_signature

STREAMS = ("ws.bitget.com", "wspap.bitget.com")


def verify(request: HttpRecord, credential: Credential) -> bool:
    headers = request.headers
    timestamp = headers.get("ACCESS-TIMESTAMP", "")
    if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 30_000:
        return False
    path, _, query = request.path_qs.partition("?")
    want = bitget_signature(credential.secret, timestamp, request.method, path, query, request.body)
    demo = headers.get("paptrading") == "1"
    return (
        demo == (credential.api == "bitget_demo")
        and headers.get("ACCESS-KEY") == credential.key
        and headers.get("ACCESS-PASSPHRASE") == credential.passphrase
        and hmac.compare_digest(headers.get("ACCESS-SIGN", ""), want)
    )


class TestBitgetConformance(ConformanceSuite):
    exchange = Exchange(
        plugin=plugin,
        apis={
            "bitget": ["bitget-conformance-key", "bitget-conformance-secret", "bitget-conf-pass"],
            "bitget_demo": ["bitget-demo-conf-key", "bitget-demo-conf-secret", "bitget-demo-pass"],
        },
        verify=verify,
        logins=tuple(
            Login(
                url=f"wss://{host}/v2/ws/private",
                subscribe={"op": "subscribe", "args": [{"instType": "SPOT", "channel": "orders"}]},
                login={"op": "login"},
                accepted=[{"event": "login", "code": 0, "msg": ""}],
                refused=[{"event": "error", "code": 30005, "msg": "Invalid sign"}],
                reason="Invalid sign (code 30005)",
            )
            for host in STREAMS
        ),
    )
