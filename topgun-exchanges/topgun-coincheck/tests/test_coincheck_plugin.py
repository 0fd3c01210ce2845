"""Coincheck runs topgun's conformance suite (topgun.testing.conformance).

Signing: https://coincheck.com/documents/exchange/api#auth — ACCESS-SIGNATURE is the hex
HMAC-SHA256 of ACCESS-NONCE + the full URL + body; the ticker and order books are public.
Private WebSocket: https://coincheck.com/documents/exchange/api#websocket-private — a ``login``
message answered ``success: true`` or ``success: false`` with an ``error``. Neither documents a
client ping nor a send rate.
"""

from __future__ import annotations

import hmac

from topgun import Credential
from topgun.testing.conformance import ConformanceSuite, Exchange, HttpRecord, Login
from topgun_coincheck import plugin

from .conftest import expected_signature

STREAM = "wss://stream.coincheck.com"


def verify(request: HttpRecord, credential: Credential) -> bool:
    nonce = request.headers.get("ACCESS-NONCE", "")
    url = f"https://{request.host}{request.path_qs}"
    want = expected_signature(credential.secret, nonce, url, request.body)
    return (
        nonce.isdigit()
        and request.headers.get("ACCESS-KEY") == credential.key
        and hmac.compare_digest(request.headers.get("ACCESS-SIGNATURE", ""), want)
    )


class TestCoincheckConformance(ConformanceSuite):
    exchange = Exchange(
        plugin=plugin,
        apis={"coincheck": ["coincheck-conformance-key", "coincheck-conformance-secret"]},
        verify=verify,
        logins=(
            Login(
                url=STREAM,
                subscribe={"type": "subscribe", "channels": ["order-events"]},
                login={"type": "login"},
                accepted=[
                    {"success": True, "available_channels": ["order-events", "execution-events"]}
                ],
                refused=[{"success": False, "error": "invalid signature"}],
                reason="invalid signature",
            ),
        ),
    )
