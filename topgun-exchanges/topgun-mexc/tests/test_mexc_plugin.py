"""MEXC runs topgun's conformance suite (topgun.testing.conformance).

Signing, spot (https://mexcdevelop.github.io/apidocs/spot_v3_en/#signed): X-MEXC-APIKEY, and a
``signature`` query parameter, the hex HMAC-SHA256 of the query string (+ a raw body); futures
(https://mexcdevelop.github.io/apidocs/contract_v1_en/#authentication-method): ApiKey,
Request-Time and Signature, the hex HMAC-SHA256 of key + time + (GET: the sorted, encoded query;
POST: the body). Market data is public. WebSocket: the futures login answered ``rs.login`` or
``rs.error``, a ``ping`` every 10 to 20 seconds; spot streams close after 60 idle seconds and
take at most 100 messages a second.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qsl

from topgun import Credential
from topgun.testing.conformance import ConformanceSuite, Exchange, HttpRecord, Login
from topgun_mexc import plugin

from .conftest import java_encode

CONTRACT = "wss://contract.mexc.com/edge"


def _hex(secret: str, text: bytes) -> str:
    return hmac.new(secret.encode(), text, hashlib.sha256).hexdigest()


def verify(request: HttpRecord, credential: Credential) -> bool:
    headers = request.headers
    path, _, raw = request.path_qs.partition("?")
    if path.startswith("/api/v1/private/"):
        req_time = headers.get("Request-Time", "")
        if request.method in ("GET", "DELETE"):
            params = sorted(parse_qsl(raw, keep_blank_values=True))
            text = "&".join(f"{k}={java_encode(v)}" for k, v in params).encode()
        else:
            text = request.body
        want = _hex(credential.secret, (credential.key + req_time).encode() + text)
        return headers.get("ApiKey") == credential.key and hmac.compare_digest(
            headers.get("Signature", ""), want
        )
    kept = [p for p in raw.split("&") if not p.startswith("signature=")]
    given = [p.removeprefix("signature=") for p in raw.split("&") if p.startswith("signature=")]
    return (
        headers.get("X-MEXC-APIKEY") == credential.key
        and len(given) == 1
        and any(p.startswith("timestamp=") for p in kept)
        and hmac.compare_digest(
            given[0], _hex(credential.secret, "&".join(kept).encode() + request.body)
        )
    )


class TestMEXCConformance(ConformanceSuite):
    exchange = Exchange(
        plugin=plugin,
        apis={"mexc": ["mexc-conformance-key", "mexc-conformance-secret"]},
        verify=verify,
        logins=(
            Login(
                url=CONTRACT,
                subscribe={
                    "method": "personal.filter",
                    "param": {"filters": [{"filter": "order"}]},
                },
                login={"method": "login"},
                accepted=[{"channel": "rs.login", "data": "success", "ts": 1}],
                refused=[{"channel": "rs.error", "data": "signature invalid", "ts": 1}],
                reason="signature invalid",
            ),
        ),
    )
