"""Coincheck private WebSocket login, against an in-memory stream.coincheck.com.

https://coincheck.com/documents/exchange/api "Private WebSocket API" > "login Command": the
request example's fields, the signature over nonce + "wss://stream.coincheck.com/private", and
the reply {"success": true, "available_channels": [...]}. The docs' Ruby example (nonce
1756746080103, digest 577ea3f3...) was made with an unpublished secret and cannot be reproduced;
the vector below is ``printf '%s' 1700000000123wss://stream.coincheck.com/private | openssl dgst
-sha256 -hmac coincheck-test-secret``.
"""

from __future__ import annotations

from typing import Any

import pytest
from yarl import URL

import topgun
from topgun.plugin import Credential, SigningRequest
from topgun_coincheck.auth import CoincheckSigner
from topgun_coincheck.nonce import NonceSource
from topgun_coincheck.ws import CoincheckLogin

KEY = "coincheck-test-key"
SECRET = "coincheck-test-secret"
NOW = 1700000000.123


def _login(
    make_login: Any, stream: Any, secret: str = SECRET, url: str = "wss://stream.coincheck.com"
) -> Any:
    return make_login(url, Credential("coincheck", [KEY, secret]), topgun.FixedClock(NOW), stream)


async def test_login_message_and_success(make_login: Any, stream: Any) -> None:
    login = _login(make_login, stream)
    await CoincheckLogin(NonceSource())(login)
    assert login.sent == [
        {
            "type": "login",
            "access_key": KEY,
            "access_nonce": "1700000000123",
            "access_signature": "ebc23796f2109688944a060acbcaa82678107c0ef1953a06f2170a504aef1ed0",
        }
    ]
    assert login.kept == [("text", "not json at all")]  # replayed to the handlers later


async def test_signed_uri_is_fixed_whatever_the_connect_url(make_login: Any, stream: Any) -> None:
    login = _login(make_login, stream, url="wss://stream.coincheck.com/some/other/path?x=1")
    await CoincheckLogin(NonceSource())(login)
    assert login.sent[0]["access_signature"] == (
        "ebc23796f2109688944a060acbcaa82678107c0ef1953a06f2170a504aef1ed0"
    )


async def test_no_reply_is_a_timeout_not_a_success(make_login: Any) -> None:
    login = _login(make_login, lambda message: [("text", '{"channel": "order-events"}')])
    with pytest.raises(TimeoutError):
        await CoincheckLogin(NonceSource())(login)
    assert login.kept == [("text", '{"channel": "order-events"}')]


async def test_login_shares_the_http_nonce_sequence(make_login: Any, stream: Any) -> None:
    """One counter per API key at the exchange, so HTTP and the login must not reuse a nonce."""
    nonces = NonceSource()
    signed = CoincheckSigner(nonces)(
        SigningRequest(
            "GET",
            URL("https://coincheck.com/api/accounts/balance"),
            {},
            b"",
            None,
            Credential("coincheck", [KEY, SECRET]),
            topgun.FixedClock(NOW),
        )
    )
    login = _login(make_login, stream)
    await CoincheckLogin(nonces)(login)
    assert int(login.sent[0]["access_nonce"]) == int(signed.headers["ACCESS-NONCE"]) + 1
