"""GMO Coin runs topgun's conformance suite (topgun.testing.conformance).

Signing: https://api.coin.z.com/docs/#authentication — API-SIGN is the hex HMAC-SHA256 of
API-TIMESTAMP + method + path (without ``/private`` and without the query) + the body of a POST;
``/public/`` takes none. WebSocket: https://api.coin.z.com/docs/#restrictions — subscriptions are
limited to one a second; the private WebSocket logs in by a token in its URL (made over HTTP),
not by a message, and the server pings (answered by the WebSocket layer), so no client ping.
"""

from __future__ import annotations

import hmac

from topgun import Credential
from topgun.testing.conformance import ConformanceSuite, Exchange, HttpRecord
from topgun_gmocoin import plugin

from .conftest import gmo_signature


def verify(request: HttpRecord, credential: Credential) -> bool:
    want = gmo_signature(
        credential.secret,
        request.headers.get("API-TIMESTAMP", ""),
        request.method,
        request.path_qs.partition("?")[0],
        request.body,
    )
    return request.headers.get("API-KEY") == credential.key and hmac.compare_digest(
        request.headers.get("API-SIGN", ""), want
    )


class TestGMOCoinConformance(ConformanceSuite):
    exchange = Exchange(
        plugin=plugin,
        apis={"gmocoin": ["gmo-conformance-key", "gmo-conformance-secret"]},
        verify=verify,
    )
