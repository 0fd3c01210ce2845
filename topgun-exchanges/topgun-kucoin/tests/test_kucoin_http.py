"""KuCoin REST signing beyond the conformance suite (test_kucoin_plugin.py holds the vectors and
the local-server checks): the decoded-endpoint rule on the docs' own example, key versions,
special characters, bodies, clock skew and the registration.

Recipe: https://www.kucoin.com/docs-new/authentication
"""

from __future__ import annotations

from typing import Any

import pytest
from yarl import URL

import topgun
from topgun.plugin import Credential, CredentialError, SigningError
from topgun.testing import Registry, assert_json_body, signing_request
from topgun_kucoin.auth import passphrase_header, sign_request, signed_endpoint

KEY = "kucoin-test-key"
SECRET = "kucoin-test-secret"
PASSPHRASE = "kucoin-test-passphrase"
NOW = 1700000000.123


def _sign(method: str, url: URL, body: bytes = b"", extra: tuple[str, ...] = ()) -> dict[str, str]:
    credential = Credential("kucoin", [KEY, SECRET, PASSPHRASE, *extra])
    return dict(
        sign_request(signing_request(method, url, credential, body=body, clock=NOW)).headers
    )


def test_docs_example_signs_the_decoded_url() -> None:
    # docs-new/authentication: "When the url is /api/v1/sub/api-key?apiKey=67b3&subName=test&
    # passphrase=abc%21%40%2311, the url content participating in the signature should be the
    # original information /api/v1/sub/api-key?apiKey=67b3&subName=test&passphrase=abc!@#11".
    url = URL(
        "https://api.kucoin.com/api/v1/sub/api-key?apiKey=67b3&subName=test&passphrase=abc%21%40%2311",
        encoded=True,
    )
    assert (
        signed_endpoint(url) == "/api/v1/sub/api-key?apiKey=67b3&subName=test&passphrase=abc!@#11"
    )  # its signature is a vector in vectors/kucoin.json


def test_decoding_is_complete() -> None:
    url = URL("https://api.kucoin.com/api/v1/x").extend_query({"a": "b c+d&e=f%", "z": "あ"})
    assert signed_endpoint(url) == "/api/v1/x?a=b c+d&e=f%&z=あ"


def test_key_version_2_passphrase_special_case() -> None:
    # Key version 2 (the default) and 3 send base64(HMAC_SHA256(secret, passphrase)), never the
    # passphrase itself.
    assert (
        passphrase_header(SECRET.encode(), PASSPHRASE)
        == "WX/MCPps2NpCAWajYjOod/NfgMDWvFoHPQ15hoWy+fE="
    )
    v3 = _sign("GET", URL("https://api.kucoin.com/api/v1/accounts"), extra=("3",))
    assert v3["KC-API-KEY-VERSION"] == "3"
    assert v3["KC-API-PASSPHRASE"] == "WX/MCPps2NpCAWajYjOod/NfgMDWvFoHPQ15hoWy+fE="
    assert PASSPHRASE not in v3.values()


def test_unknown_key_version_is_a_clear_error() -> None:
    with pytest.raises(SigningError, match="key version") as error:
        _sign("GET", URL("https://api.kucoin.com/api/v1/accounts"), extra=("1",))
    assert SECRET not in str(error.value) and PASSPHRASE not in str(error.value)


def test_two_element_credentials_are_rejected_at_client(registry: Registry) -> None:
    with pytest.raises(CredentialError, match=r"PASSPHRASE.*passphrase chosen") as error:
        topgun.Client(apis={"kucoin": [KEY, SECRET]}, registry=registry)
    assert SECRET not in str(error.value)


@pytest.mark.parametrize("host", ["api.kucoin.com", "api-futures.kucoin.com"])
async def test_signed_get_with_special_characters(
    exchange: Any, registry: Registry, host: str
) -> None:
    params = {"currency": "BTC", "remark": "50% off & more = fun!"}
    async with exchange.client(
        apis={"kucoin": [KEY, SECRET, PASSPHRASE]}, registry=registry
    ) as client:
        result = await client.fetch(
            "GET", f"https://{host}/api/v1/deposit-addresses", params=params
        )
    assert result.response.status == 200, result.text
    record = exchange.seen[-1]
    assert record["verified"] and record["host"] == host
    assert "%25" in record["path_qs"] and "%26" in record["path_qs"]  # sent encoded, signed decoded


async def test_signed_post_and_delete(exchange: Any, registry: Registry) -> None:
    order = {
        "clientOid": "a1",
        "side": "buy",
        "symbol": "BTC-USDT",
        "type": "limit",
        "price": "1",
        "size": "1",
    }
    async with exchange.client(
        apis={"kucoin": [KEY, SECRET, PASSPHRASE]}, registry=registry
    ) as client:
        posted = await client.fetch("POST", "https://api.kucoin.com/api/v1/orders", data=order)
        deleted = await client.fetch(
            "DELETE", "https://api-futures.kucoin.com/api/v1/orders", params={"symbol": "XBTUSDTM"}
        )
    assert posted.response.status == 200, posted.text
    assert deleted.response.status == 200, deleted.text
    assert_json_body(exchange.seen[-2], order)


async def test_skewed_clock_is_fixed_by_syncing_to_server_time(
    exchange: Any, registry: Registry
) -> None:
    clock = topgun.Clock(offset=60.0)  # as if the local clock ran a minute fast
    async with exchange.client(
        apis={"kucoin": [KEY, SECRET, PASSPHRASE]}, clock=clock, registry=registry
    ) as client:
        rejected = await client.fetch("GET", "https://api.kucoin.com/api/v1/accounts")
        server = await client.fetch("GET", "https://api.kucoin.com/api/v1/timestamp")
        client.clock.sync_to(server.data["data"] / 1000)  # the documented fix for a skewed clock
        accepted = await client.fetch("GET", "https://api.kucoin.com/api/v1/accounts")
    assert rejected.data["msg"] == "Invalid KC-API-TIMESTAMP"
    assert accepted.response.status == 200, accepted.text
