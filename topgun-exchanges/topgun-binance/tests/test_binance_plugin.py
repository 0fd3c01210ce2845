"""Binance runs topgun's conformance suite (topgun.testing.conformance).

Signing: https://developers.binance.com/docs/binance-spot-api-docs/rest-api/request-security —
X-MBX-APIKEY, and a ``signature`` query parameter: the hex HMAC-SHA256 of the query string (without
it) + the form body; market data takes nothing. WebSocket API: ``session.logon`` with an Ed25519
key, answered ``status: 200`` or an error (https://developers.binance.com/docs/binance-spot-api-docs/
websocket-api/authentication-requests); the COIN-M WebSocket API takes no logon. Servers ping and
the WebSocket layer answers, so no client heartbeat; streams take at most 5 (spot) or 10 (futures)
messages a second (https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams).
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qsl

from topgun import Credential
from topgun.testing.conformance import ConformanceSuite, Exchange, HttpRecord, Login
from topgun_binance import plugin

from .conftest import ED25519_KEY, ED25519_PEM, split_signature

LOGONS = {
    "wss://ws-api.binance.com/ws-api/v3": "binance",
    "wss://ws-fapi.binance.com/ws-fapi/v1": "binance",
    "wss://testnet.binance.vision/ws-api/v3": "binancespot_testnet",
    "wss://testnet.binancefuture.com/ws-fapi/v1": "binancefuture_testnet",
}
COIN_M_API = "wss://ws-dapi.binance.com/ws-dapi/v1"


def verify(request: HttpRecord, credential: Credential) -> bool:
    unsigned, signature = split_signature(request.path_qs.partition("?")[2])
    fields = dict(parse_qsl(unsigned)) | dict(parse_qsl(request.body.decode()))
    want = hmac.new(credential.secret.encode(), unsigned.encode() + request.body, hashlib.sha256)
    return (
        request.headers.get("X-MBX-APIKEY") == credential.key
        and signature is not None
        and "timestamp" in fields
        and hmac.compare_digest(signature.lower(), want.hexdigest())
    )


# An Ed25519 key (tests/keys), so that the WebSocket API logs on; the vectors bring HMAC keys.
THROWAWAY = [ED25519_KEY, ED25519_PEM]


class TestBinanceConformance(ConformanceSuite):
    exchange = Exchange(
        plugin=plugin,
        apis={
            name: THROWAWAY for name in ("binance", "binancespot_testnet", "binancefuture_testnet")
        },
        verify=verify,
        refused_status=400,
        logins=tuple(
            Login(
                url=url,
                api=api,
                subscribe={"id": "sub", "method": "userDataStream.subscribe"},
                login={"method": "session.logon"},
                accepted=lambda m: [
                    {
                        "id": m["id"],
                        "status": 200,
                        "result": {
                            "apiKey": ED25519_KEY,
                            "authorizedSince": 1,
                            "connectedSince": 1,
                        },
                    }
                ],
                refused=lambda m: [
                    {
                        "id": m["id"],
                        "status": 401,
                        "error": {"code": -1022, "msg": "Signature for this request is not valid."},
                    }
                ],
                reason="Signature for this request is not valid. (status 401, code -1022)",
            )
            for url, api in LOGONS.items()
        ),
        quiet_sockets=(COIN_M_API,),
    )
