"""Coincheck HTTP signing: hand-computed vectors and a local coincheck.com that verifies them.

Recipe: https://coincheck.com/documents/exchange/api "Authentication" (nonce + URL + body, hex
HMAC-SHA256). The docs' own samples cannot be reproduced (their nonce is "now" and the printed
digests were made with other secrets), so the vectors below were computed independently with
``printf '%s' MESSAGE | openssl dgst -sha256 -hmac coincheck-test-secret`` at a frozen clock.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from yarl import URL

import topgun
from topgun.plugin import Credential, CredentialError, SigningRequest
from topgun_coincheck.auth import CoincheckSigner
from topgun_coincheck.nonce import NonceSource

NOW = 1700000000.123
KEY = "coincheck-test-key"
SECRET = "coincheck-test-secret"


def _sign(
    method: str, url: str, body: bytes = b"", signer: CoincheckSigner | None = None
) -> dict[str, str]:
    signer = signer or CoincheckSigner(NonceSource())
    request = SigningRequest(
        method,
        URL(url),
        {},
        body,
        None,
        Credential("coincheck", [KEY, SECRET]),
        topgun.FixedClock(NOW),
    )
    return dict(signer(request).headers)


def test_get_vector() -> None:
    # openssl over "1700000000123https://coincheck.com/api/accounts/balance"
    assert _sign("GET", "https://coincheck.com/api/accounts/balance") == {
        "ACCESS-KEY": KEY,
        "ACCESS-NONCE": "1700000000123",
        "ACCESS-SIGNATURE": "7e670bd8e48de0b475e73b127400be5835ea45b3b1d870a10a08c876c62474bb",
    }


def test_get_with_query_signs_the_full_url() -> None:
    headers = _sign(
        "GET",
        "https://coincheck.com/api/exchange/orders/transactions_pagination?limit=10&order=desc",
    )
    assert headers["ACCESS-SIGNATURE"] == (
        "18523bb36caaba36229f5834196d38d70e9d7fe19392a2d19a3924ee6f705a45"
    )


def test_post_signs_the_form_body() -> None:
    body = b"amount=0.01&order_type=buy&pair=btc_jpy&rate=30000"
    headers = _sign("POST", "https://coincheck.com/api/exchange/orders", body)
    assert headers["ACCESS-SIGNATURE"] == (
        "3960cdfe5b78d4534e20b7cd284e6061a72e5e315f9541b4b55d13d5e065b126"
    )


def test_same_millisecond_gets_a_larger_nonce() -> None:
    signer = CoincheckSigner(NonceSource())
    first = _sign("GET", "https://coincheck.com/api/accounts/balance", signer=signer)
    second = _sign("GET", "https://coincheck.com/api/accounts/balance", signer=signer)
    assert int(second["ACCESS-NONCE"]) == int(first["ACCESS-NONCE"]) + 1
    assert second["ACCESS-SIGNATURE"] != first["ACCESS-SIGNATURE"]


async def test_signed_get_with_params(exchange: Any, registry: Any) -> None:
    async with topgun.Client(
        apis={"coincheck": [KEY, SECRET]}, registry=registry, **exchange.client_kwargs()
    ) as client:
        result = await client.fetch(
            "GET",
            "https://coincheck.com/api/exchange/orders/transactions_pagination",
            params={"limit": 1, "order": "desc"},
        )
    assert result.response.status == 200, result.text
    record = exchange.seen[-1]
    assert record["verified"]
    assert record["path_qs"] == "/api/exchange/orders/transactions_pagination?limit=1&order=desc"


async def test_signed_post_sends_and_signs_a_form_body(exchange: Any, registry: Any) -> None:
    order = {"pair": "btc_jpy", "order_type": "buy", "rate": 30000, "amount": 0.01}
    async with topgun.Client(
        apis={"coincheck": [KEY, SECRET]}, registry=registry, **exchange.client_kwargs()
    ) as client:
        result = await client.fetch("POST", "https://coincheck.com/api/exchange/orders", data=order)
    assert result.response.status == 200, result.text
    record = exchange.seen[-1]
    assert record["verified"]
    assert record["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert record["body"] == b"pair=btc_jpy&order_type=buy&rate=30000&amount=0.01"


async def test_many_requests_in_a_burst_all_verify(exchange: Any, registry: Any) -> None:
    """The server refuses a nonce that does not increase; a burst in one millisecond still passes."""
    clock = topgun.FixedClock(NOW)  # every request in the same millisecond
    async with topgun.Client(
        apis={"coincheck": [KEY, SECRET]},
        registry=registry,
        clock=clock,
        **exchange.client_kwargs(),
    ) as client:
        for _ in range(5):
            result = await client.fetch("DELETE", "https://coincheck.com/api/exchange/orders/12345")
            assert result.response.status == 200, result.text
    assert all(r["verified"] for r in exchange.seen)


async def test_clock_offset_moving_back_keeps_nonces_increasing(
    exchange: Any, registry: Any
) -> None:
    async with topgun.Client(
        apis={"coincheck": [KEY, SECRET]}, registry=registry, **exchange.client_kwargs()
    ) as client:
        first = await client.fetch("GET", "https://coincheck.com/api/accounts/balance")
        client.clock.offset = -3600.0  # e.g. sync_to() after a fast local clock
        second = await client.fetch("GET", "https://coincheck.com/api/accounts/balance")
    assert first.response.status == second.response.status == 200, second.text


async def test_auth_none_sends_no_credentials(exchange: Any, registry: Any) -> None:
    async with topgun.Client(
        apis={"coincheck": [KEY, SECRET]}, registry=registry, **exchange.client_kwargs()
    ) as client:
        result = await client.fetch("GET", "https://coincheck.com/api/accounts/balance", auth=None)
    assert result.response.status == 401
    assert not any(h.upper().startswith("ACCESS-") for h in exchange.seen[-1]["headers"])


async def test_without_credentials_requests_go_unsigned(exchange: Any, registry: Any) -> None:
    async with topgun.Client(apis={}, registry=registry, **exchange.client_kwargs()) as client:
        public = await client.fetch(
            "GET", "https://coincheck.com/api/ticker", params={"pair": "btc_jpy"}
        )
        private = await client.fetch("GET", "https://coincheck.com/api/accounts/balance")
    assert public.data["last"] == 27390
    assert private.response.status == 401
    assert all(
        not any(h.upper().startswith("ACCESS-") for h in r["headers"]) for r in exchange.seen
    )


async def test_wrong_secret_is_rejected_and_never_logged(
    exchange: Any, registry: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "wrong-secret-MUST-NOT-LEAK"
    async with topgun.Client(
        apis={"coincheck": [KEY, secret]}, registry=registry, **exchange.client_kwargs()
    ) as client:
        result = await client.fetch("GET", "https://coincheck.com/api/accounts/balance")
        shown = repr(client)
    assert result.response.status == 401
    assert result.data["error"] == "invalid signature"
    assert secret not in caplog.text and secret not in shown


def test_malformed_credentials_fail_at_client_without_the_secret(registry: Any) -> None:
    with pytest.raises(CredentialError) as info:
        topgun.Client(apis={"coincheck": [KEY, "s3cret-value", "extra"]}, registry=registry)
    assert "coincheck" in str(info.value) and "s3cret-value" not in str(info.value)
    with pytest.raises(CredentialError, match="ACCESS_KEY, SECRET_ACCESS_KEY"):
        topgun.Client(apis={"coincheck": [KEY]}, registry=registry)
