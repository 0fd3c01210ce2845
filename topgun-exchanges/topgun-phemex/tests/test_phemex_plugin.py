"""Phemex runs topgun's conformance suite (topgun.testing.conformance).

Signing: https://phemex-docs.github.io/#endpoint-security-type — x-phemex-request-signature is
the hex HMAC-SHA256 of path + query (as sent, no ``?``) + expiry (Unix seconds) + body; ``/public/``
and ``/md/`` are public. WebSocket: https://phemex-docs.github.io/#websocket-api-standards —
``user.auth`` answered ``result.status: success`` or an ``error`` with a code, a
``server.ping`` at an interval under 30 seconds, and at most 20 requests a second.
"""

from __future__ import annotations

import hmac
import time

from topgun import Credential
from topgun.testing.conformance import ConformanceSuite, Exchange, HttpRecord, Login
from topgun_phemex import plugin

from .conftest import WS_HOSTS, recompute


def verify(request: HttpRecord, credential: Credential) -> bool:
    expiry = request.headers.get("x-phemex-request-expiry", "")
    if not expiry.isdigit() or not 0 < int(expiry) - time.time() <= 120:
        return False
    want = recompute(credential.secret, request.path_qs, expiry, request.body)
    return request.headers.get("x-phemex-access-token") == credential.key and hmac.compare_digest(
        request.headers.get("x-phemex-request-signature", ""), want
    )


class TestPhemexConformance(ConformanceSuite):
    exchange = Exchange(
        plugin=plugin,
        apis={
            "phemex": ["phemex-conformance-key", "phemex-conformance-secret"],
            "phemex_testnet": ["phemex-testnet-conf-key", "phemex-testnet-conf-secret"],
        },
        verify=verify,
        logins=tuple(
            Login(
                url=f"wss://{host}/ws",
                subscribe={"id": 1, "method": "aop.subscribe", "params": []},
                login={"method": "user.auth"},
                accepted=lambda m: [
                    {"error": None, "id": m["id"], "result": {"status": "success"}}
                ],
                refused=lambda m: [
                    {
                        "error": {"code": 6012, "message": "invalid login token"},
                        "id": m["id"],
                        "result": None,
                    }
                ],
                reason="code 6012, message 'invalid login token'",
            )
            for host in WS_HOSTS
        ),
    )
