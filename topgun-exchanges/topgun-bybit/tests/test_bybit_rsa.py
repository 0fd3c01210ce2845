"""Bybit self-generated RSA API keys: HTTP and WebSocket signatures made with the PEM private key.

Docs: https://bybit-exchange.github.io/docs/v5/guide ("Select Your API Key Type", "Create A
Request": RSA_SHA256, Base64). RSA signatures use a fresh key, so they are checked by verifying
them with its public key over the documented plain text, not against fixed bytes.
"""

from __future__ import annotations

from typing import Any

import pytest
from multidict import CIMultiDict

from topgun.plugin import Credential, SigningError
from topgun.testing import build_registry, signing_request, without_cryptography
from topgun_bybit import plugin
from topgun_bybit.auth import sign_request
from topgun_bybit.ws import login_message


def _sign(pem: str, url: str) -> dict[str, str]:
    credential = Credential("bybit", ["XXXXXXXXXX", pem])
    request = signing_request("GET", url, credential, headers=CIMultiDict(), clock=1658384314.791)
    return dict(sign_request(request).headers)


def test_http_signature_is_rsa_over_the_documented_plain_text(
    rsa_pem: str, rsa_private_key: Any, rsa_check: Any
) -> None:
    headers = _sign(
        rsa_pem,
        "https://api-testnet.bybit.com/v5/order/realtime?category=option&symbol=BTC-29JUL22-25000-C",
    )
    plain = b"1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C"
    assert rsa_check(rsa_private_key.public_key(), headers["X-BAPI-SIGN"], plain)
    assert headers["X-BAPI-TIMESTAMP"] == "1658384314791"


def test_ws_auth_signature_is_rsa(rsa_pem: str, rsa_private_key: Any, rsa_check: Any) -> None:
    message = login_message("rsa-key", rsa_pem, 1662350400000)
    key, expires, signature = message["args"]
    assert (key, expires) == ("rsa-key", 1662350400000)
    assert rsa_check(rsa_private_key.public_key(), signature, b"GET/realtime1662350400000")


async def test_rsa_signed_request_is_accepted_by_the_server(
    exchange: Any, rsa_pem: str, rsa_private_key: Any
) -> None:
    exchange.rsa_keys["bybit-rsa-key"] = rsa_private_key.public_key()
    registry = build_registry([plugin], strict=True)
    async with exchange.client(
        apis={"bybit": ["bybit-rsa-key", rsa_pem]}, registry=registry
    ) as client:
        result = await client.fetch(
            "POST", "https://api.bybit.com/v5/order/create", data={"category": "linear"}
        )
    assert result.data["retCode"] == 0, result.data
    assert exchange.seen[-1]["verified"]


def test_unreadable_pem_is_a_clear_error_without_its_content() -> None:
    pem = "-----BEGIN PRIVATE KEY-----\nnot-a-key-DO-NOT-LEAK\n-----END PRIVATE KEY-----\n"
    with pytest.raises(SigningError, match="cannot be read") as info:
        _sign(pem, "https://api.bybit.com/v5/account/wallet-balance")
    assert "DO-NOT-LEAK" not in str(info.value)


def test_missing_cryptography_names_the_extra(rsa_pem: str) -> None:
    with without_cryptography(), pytest.raises(SigningError, match=r"topgun-bybit\[rsa\]"):
        _sign(rsa_pem, "https://api.bybit.com/v5/account/wallet-balance")
