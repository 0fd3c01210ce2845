"""bitFlyer runs topgun's conformance suite (topgun.testing.conformance).

Signing: https://lightning.bitflyer.com/docs?lang=en#authentication — ACCESS-SIGN is the hex
HMAC-SHA256, keyed by the secret, of ACCESS-TIMESTAMP + method + path (with query) + body; the
vectors are in ``vectors/bitflyer.json``. Realtime login:
https://bf-lightning-api.readme.io/docs/realtime-api-auth — JSON-RPC ``auth``, answered ``true``
or with a JSON-RPC error (https://bf-lightning-api.readme.io/docs/endpoint-json-rpc).
"""

from __future__ import annotations

import hashlib
import hmac

from topgun import Credential
from topgun.testing.conformance import ConformanceSuite, Exchange, HttpRecord, Login
from topgun_bitflyer import plugin

REALTIME = "wss://ws.lightstream.bitflyer.com/json-rpc"


def verify(request: HttpRecord, credential: Credential) -> bool:
    """bitFlyer's check of ACCESS-KEY / ACCESS-TIMESTAMP / ACCESS-SIGN."""
    text = (
        request.headers.get("ACCESS-TIMESTAMP", "") + request.method + request.path_qs
    ).encode() + request.body
    want = hmac.new(credential.secret.encode(), text, hashlib.sha256).hexdigest()
    return request.headers.get("ACCESS-KEY") == credential.key and hmac.compare_digest(
        request.headers.get("ACCESS-SIGN", ""), want
    )


class TestBitflyerConformance(ConformanceSuite):
    exchange = Exchange(
        plugin=plugin,
        apis={"bitflyer": ["bitflyer-conformance-key", "bitflyer-conformance-secret"]},
        verify=verify,
        logins=(
            Login(
                url=REALTIME,
                subscribe={"method": "subscribe", "params": {"channel": "child_order_events"}},
                login={"method": "auth"},
                accepted=lambda m: [{"jsonrpc": "2.0", "id": m["id"], "result": True}],
                refused=lambda m: [
                    {
                        "jsonrpc": "2.0",
                        "id": m["id"],
                        "error": {"code": -32000, "message": "Invalid signature"},
                    }
                ],
                reason="code -32000, Invalid signature",
            ),
        ),
    )
