"""BitTrade runs topgun's conformance suite (topgun.testing.conformance).

Signing: https://api-doc.bittrade.co.jp/ ("署名処理") — AccessKeyId, SignatureMethod,
SignatureVersion, Timestamp and Signature (Base64 HMAC-SHA256 of method, host, path and the
sorted, encoded query, one per line) go in the query; the Public API (``/market/``,
``/v1/common/``) takes none. Private WebSocket ``/ws/v2``: an ``auth`` request answered
``code: 200`` or an error code; the exchange pings (answered with its own value) and allows 50
requests a second ("制限").
"""

from __future__ import annotations

import hmac
from urllib.parse import parse_qsl

from topgun import Credential
from topgun.testing.conformance import ConformanceSuite, Exchange, HttpRecord, Login
from topgun_bittrade import plugin

from .conftest import HOST, STAMP, server_signature


def verify(request: HttpRecord, credential: Credential) -> bool:
    path, _, query = request.path_qs.partition("?")
    params = parse_qsl(query, keep_blank_values=True)
    given = dict(params)
    unsigned = [(name, value) for name, value in params if name != "Signature"]
    want = server_signature(credential.secret, request.method, request.host, path, unsigned)
    return (
        given.get("AccessKeyId") == credential.key
        and given.get("SignatureMethod") == "HmacSHA256"
        and given.get("SignatureVersion") == "2"
        and STAMP.match(given.get("Timestamp", "")) is not None
        and hmac.compare_digest(given.get("Signature", ""), want)
    )


class TestBitTradeConformance(ConformanceSuite):
    exchange = Exchange(
        plugin=plugin,
        apis={"bittrade": ["bittrade-conformance-key", "bittrade-conformance-secret"]},
        verify=verify,
        logins=(
            Login(
                url=f"wss://{HOST}/ws/v2",
                subscribe={"action": "sub", "ch": "orders#btcjpy"},
                login={"ch": "auth"},
                accepted=[{"action": "req", "code": 200, "ch": "auth", "data": {}}],
                refused=[{"action": "req", "code": 2002, "ch": "auth", "message": "auth.fail"}],
                reason="'code': 2002, 'message': 'auth.fail'",
            ),
        ),
    )
