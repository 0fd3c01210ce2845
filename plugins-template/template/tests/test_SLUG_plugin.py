"""{{LABEL}} runs topgun's conformance suite: signing against the vectors in vectors/{{SLUG}}.json
and a local server reached as {{HOST}}, public endpoints sent without credentials, secrets kept
out of reprs, logs and errors. Describe logins, WebSockets and DataStores here as you add them."""

from __future__ import annotations

import hmac

from topgun import Credential
from topgun.testing.conformance import ConformanceSuite, Exchange, HttpRecord
from topgun_{{SLUG}} import plugin


def verify(request: HttpRecord, credential: Credential) -> bool:
    """{{HOST}}'s check, written from its documentation (not with the plugin's code)."""
    text = (request.headers.get("X-API-TIMESTAMP", "") + request.method + request.path_qs).encode() + request.body
    expected = hmac.digest(credential.secret.encode(), text, "sha256").hex()
    return request.headers.get("X-API-KEY") == credential.key and hmac.compare_digest(request.headers.get("X-API-SIGN", ""), expected)


class TestConformance(ConformanceSuite):
    exchange = Exchange(
        plugin=plugin,
        apis={"{{SLUG}}": ["throwaway-key", "throwaway-secret"]},
        verify=verify,
    )
