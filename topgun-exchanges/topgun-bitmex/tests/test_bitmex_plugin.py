"""BitMEX runs topgun's conformance suite (topgun.testing.conformance).

Signing: https://www.bitmex.com/app/apiKeysUsage — api-signature is the hex HMAC-SHA256 of verb +
path (with the query exactly as sent) + api-expires (Unix seconds, in the near future) + body.
Realtime: https://www.bitmex.com/app/wsAPI — a welcome on connect, ``authKeyExpires`` answered
``success: true`` or with ``status``/``error``, and a ``ping`` after 5 seconds without a message.
"""

from __future__ import annotations

import hmac
import time

from topgun import Credential
from topgun.testing.conformance import ConformanceSuite, Exchange, HttpRecord, Login
from topgun_bitmex import plugin

from .conftest import WELCOME, WS_HOSTS, recompute


def verify(request: HttpRecord, credential: Credential) -> bool:
    expires = request.headers.get("api-expires", "")
    if not expires.isdigit() or not 0 < int(expires) - time.time() <= 60:
        return False
    want = recompute(credential.secret, request.method, request.path_qs, expires, request.body)
    return request.headers.get("api-key") == credential.key and hmac.compare_digest(
        request.headers.get("api-signature", ""), want
    )


class TestBitMEXConformance(ConformanceSuite):
    exchange = Exchange(
        plugin=plugin,
        apis={
            "bitmex": ["bitmex-conformance-key", "bitmex-conformance-secret"],
            "bitmex_testnet": ["bitmex-testnet-conf-key", "bitmex-testnet-conf-secret"],
        },
        verify=verify,
        # No public endpoint to list: BitMEX allows signed requests four times the rate of
        # anonymous ones (120 against 30 a minute,
        # https://blog.bitmex.com/api_announcement/updates-to-rate-limits/), so the plugin signs
        # every request it holds a key for; auth=None and a keyless Client still send none.
        logins=tuple(
            Login(
                url=f"wss://{host}/realtime",
                subscribe={"op": "subscribe", "args": ["order"]},
                login={"op": "authKeyExpires"},
                accepted=lambda m: [{"success": True, "request": m}],
                refused=lambda m: [
                    {"status": 401, "error": "Signature not valid.", "meta": {}, "request": m}
                ],
                greeting=(WELCOME,),
                reason="status 401, error 'Signature not valid.'",
            )
            for host in WS_HOSTS
        ),
    )
