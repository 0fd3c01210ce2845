"""bitbank runs topgun's conformance suite (topgun.testing.conformance).

Signing: https://github.com/bitbankinc/bitbank-api-docs/blob/master/rest-api.md#authorization —
ACCESS-SIGNATURE is the hex HMAC-SHA256 of ACCESS-REQUEST-TIME + ACCESS-TIME-WINDOW + (GET: the
path with its query; else the body), valid while the request time is inside the window;
``/v1/spot/status`` and ``/v1/spot/pairs`` are public. The public stream
(https://github.com/bitbankinc/bitbank-api-docs/blob/master/public-stream.md) is Socket.IO with
a 25-second ping interval; the private stream logs in over HTTP (PubNub), not by a message.
"""

from __future__ import annotations

import hmac
import time

from topgun import Credential
from topgun.testing.conformance import ConformanceSuite, Exchange, HttpRecord
from topgun_bitbank import plugin

from .conftest import bitbank_signature


def verify(request: HttpRecord, credential: Credential) -> bool:
    headers = request.headers
    request_time = headers.get("ACCESS-REQUEST-TIME", "")
    window = headers.get("ACCESS-TIME-WINDOW", "")
    if not request_time.isdigit() or not window.isdigit():
        return False
    now = time.time() * 1000
    if not (int(request_time) < now + 1000 and now - int(request_time) <= int(window)):
        return False
    want = bitbank_signature(
        credential.secret, request_time, window, request.method, request.path_qs, request.body
    )
    return headers.get("ACCESS-KEY") == credential.key and hmac.compare_digest(
        headers.get("ACCESS-SIGNATURE", ""), want
    )


class TestBitbankConformance(ConformanceSuite):
    exchange = Exchange(
        plugin=plugin,
        apis={"bitbank": ["bitbank-conformance-key", "bitbank-conformance-secret"]},
        verify=verify,
    )
