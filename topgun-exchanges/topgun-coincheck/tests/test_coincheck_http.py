"""Coincheck HTTP beyond the conformance suite (test_coincheck_plugin.py holds the vectors and the
local-server checks): nonces that keep growing, form bodies sent as signed, the credential shape.

Recipe: https://coincheck.com/documents/exchange/api "Authentication" (nonce + URL + body, hex
HMAC-SHA256)."""

from __future__ import annotations

from typing import Any

import pytest

import topgun
from topgun.plugin import Credential, CredentialError
from topgun.testing import signing_request
from topgun_coincheck.auth import CoincheckSigner, sign_request
from topgun_coincheck.nonce import NonceSource

NOW = 1700000000.123
KEY = "coincheck-test-key"
SECRET = "coincheck-test-secret"


def _sign(
    method: str, url: str, body: bytes = b"", signer: CoincheckSigner | None = None
) -> dict[str, str]:
    signer = signer or CoincheckSigner(NonceSource())
    request = signing_request(
        method, url, Credential("coincheck", [KEY, SECRET]), body=body, clock=NOW
    )
    return dict(signer(request).headers)


def test_same_millisecond_gets_a_larger_nonce() -> None:
    signer = CoincheckSigner(NonceSource())
    first = _sign("GET", "https://coincheck.com/api/accounts/balance", signer=signer)
    second = _sign("GET", "https://coincheck.com/api/accounts/balance", signer=signer)
    assert int(second["ACCESS-NONCE"]) == int(first["ACCESS-NONCE"]) + 1
    assert second["ACCESS-SIGNATURE"] != first["ACCESS-SIGNATURE"]


async def test_signed_post_sends_and_signs_a_form_body(exchange: Any, registry: Any) -> None:
    order = {"pair": "btc_jpy", "order_type": "buy", "rate": 30000, "amount": 0.01}
    async with exchange.client(apis={"coincheck": [KEY, SECRET]}, registry=registry) as client:
        result = await client.fetch("POST", "https://coincheck.com/api/exchange/orders", data=order)
    assert result.response.status == 200, result.text
    record = exchange.seen[-1]
    assert record["verified"]
    assert record["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert record["body"] == b"pair=btc_jpy&order_type=buy&rate=30000&amount=0.01"


async def test_many_requests_in_a_burst_all_verify(exchange: Any, registry: Any) -> None:
    """The server refuses a nonce that does not increase; a burst in one millisecond still passes."""
    clock = topgun.FixedClock(NOW)  # every request in the same millisecond
    async with exchange.client(
        apis={"coincheck": [KEY, SECRET]}, registry=registry, clock=clock
    ) as client:
        for _ in range(5):
            result = await client.fetch("DELETE", "https://coincheck.com/api/exchange/orders/12345")
            assert result.response.status == 200, result.text
    assert all(r["verified"] for r in exchange.seen)


async def test_clock_offset_moving_back_keeps_nonces_increasing(
    exchange: Any, registry: Any
) -> None:
    async with exchange.client(apis={"coincheck": [KEY, SECRET]}, registry=registry) as client:
        first = await client.fetch("GET", "https://coincheck.com/api/accounts/balance")
        client.clock.offset = -3600.0  # e.g. sync_to() after a fast local clock
        second = await client.fetch("GET", "https://coincheck.com/api/accounts/balance")
    assert first.response.status == second.response.status == 200, second.text


def test_malformed_credentials_fail_at_client_without_the_secret(registry: Any) -> None:
    with pytest.raises(CredentialError) as info:
        topgun.Client(apis={"coincheck": [KEY, "s3cret-value", "extra"]}, registry=registry)
    assert "coincheck" in str(info.value) and "s3cret-value" not in str(info.value)
    with pytest.raises(CredentialError, match="ACCESS_KEY, SECRET_ACCESS_KEY"):
        topgun.Client(apis={"coincheck": [KEY]}, registry=registry)


def test_plugin_registers_hosts_and_api(registry: Any) -> None:
    assert registry.apis["coincheck"].fields == ("ACCESS_KEY", "SECRET_ACCESS_KEY")
    http = registry.hosts["coincheck.com"].host
    assert http.signer is sign_request and http.body == "form"
    stream = registry.hosts["stream.coincheck.com"].host
    assert stream.ws_authenticator is not None and stream.signer is None
