"""Bitget RSA API keys: HTTP and WebSocket signatures made with the PEM private key.

Docs: https://www.bitget.com/api-doc/common/signature ("RSA": SHA256withRSA over the same text,
Base64). RSA signatures use a fresh key, so they are checked by verifying them with its public
key over the documented pre-sign string, not against fixed bytes.
"""

from __future__ import annotations

from typing import Any

import pytest
from multidict import CIMultiDict

from topgun.plugin import Credential, SigningError
from topgun.testing import build_registry, signing_request, without_cryptography
from topgun_bitget import plugin
from topgun_bitget.auth import signed_headers
from topgun_bitget.ws import login_message


def _sign(pem: str, method: str, url: str, body: bytes = b"") -> dict[str, str]:
    credential = Credential("bitget", ["bitget-rsa-key", pem, "pass"])
    headers = CIMultiDict({"Content-Type": "application/json"} if body else {})
    request = signing_request(
        method, url, credential, body=body, headers=headers, clock=1591089508.404
    )
    return dict(signed_headers(request).headers)


def test_http_signature_is_rsa_over_the_documented_pre_sign_string(
    rsa_pem: str, rsa_private_key: Any, rsa_check: Any
) -> None:
    headers = _sign(
        rsa_pem, "GET", "https://api.bitget.com/api/v2/mix/market/depth?symbol=BTCUSDT&limit=20"
    )
    plain = b"1591089508404GET/api/v2/mix/market/depth?symbol=BTCUSDT&limit=20"
    assert rsa_check(rsa_private_key.public_key(), headers["ACCESS-SIGN"], plain)


def test_ws_login_signature_is_rsa(rsa_pem: str, rsa_private_key: Any, rsa_check: Any) -> None:
    (args,) = login_message("bitget-rsa-key", rsa_pem, "pass", 1538054050)["args"]
    assert args["timestamp"] == "1538054050"
    assert rsa_check(rsa_private_key.public_key(), args["sign"], b"1538054050GET/user/verify")


async def test_rsa_signed_request_is_accepted_by_the_server(
    exchange: Any, rsa_pem: str, rsa_private_key: Any
) -> None:
    exchange.rsa_keys["bitget-rsa-key"] = rsa_private_key.public_key()
    registry = build_registry([plugin], strict=True)
    async with exchange.client(
        apis={"bitget": ["bitget-rsa-key", rsa_pem, "bitget-pass-DO-NOT-LEAK"]}, registry=registry
    ) as client:
        result = await client.fetch(
            "GET", "https://api.bitget.com/api/v2/spot/account/assets", params={"coin": "USDT"}
        )
    assert result.data["code"] == "00000", result.data
    assert exchange.seen[-1]["verified"]


def test_unreadable_pem_is_a_clear_error_without_its_content() -> None:
    pem = "-----BEGIN RSA PRIVATE KEY-----\nnot-a-key-DO-NOT-LEAK\n-----END RSA PRIVATE KEY-----\n"
    with pytest.raises(SigningError, match="cannot be read") as info:
        _sign(pem, "GET", "https://api.bitget.com/api/v2/spot/account/assets")
    assert "DO-NOT-LEAK" not in str(info.value)


def test_missing_cryptography_names_the_extra(rsa_pem: str) -> None:
    with without_cryptography(), pytest.raises(SigningError, match=r"topgun-bitget\[rsa\]"):
        _sign(rsa_pem, "GET", "https://api.bitget.com/api/v2/spot/account/assets")
