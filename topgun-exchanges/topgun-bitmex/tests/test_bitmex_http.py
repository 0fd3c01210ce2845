"""BitMEX REST signing: the worked examples of https://www.bitmex.com/app/apiKeysUsage ("Full
sample calculation"), and a local server reached as www.bitmex.com / testnet.bitmex.com that
recomputes every signature itself."""

from __future__ import annotations

import logging
from typing import Any

import orjson
import pytest
from yarl import URL

import topgun
from topgun.plugin import Credential, CredentialError, SigningRequest
from topgun.testing import Registry
from topgun_bitmex.auth import EXPIRES_IN, sign_request

# The key, secret and expected signatures published on https://www.bitmex.com/app/apiKeysUsage.
DOC_KEY = "LAqUlngMIQkIUjXMUreyu3qn"
DOC_SECRET = "chNOOS4KvNXR_Xq4k4c9qsfoKWvnDecLATCRlcBwyKDYnWgO"
KEY = "bitmex-test-key"
SECRET = "bitmex-test-secret"


def _sign_at(expires: int, method: str, url: URL, body: bytes = b"") -> dict[str, str]:
    clock = topgun.FixedClock(expires - EXPIRES_IN + 0.25)  # expires = whole seconds from now
    request = SigningRequest(
        method, url, {}, body, None, Credential("bitmex", [DOC_KEY, DOC_SECRET]), clock
    )
    return dict(sign_request(request).headers)


def test_doc_example_simple_get() -> None:
    headers = _sign_at(1518064236, "GET", URL("https://www.bitmex.com/api/v1/instrument"))
    assert headers == {
        "api-expires": "1518064236",
        "api-key": DOC_KEY,
        "api-signature": "c7682d435d0cfe87c16098df34ef2eb5a549d4c5a3c2b1f0f77b8af73423bf00",
    }


def test_doc_example_get_with_url_encoded_query() -> None:
    # "Be sure to HMAC *exactly* what is sent on the wire": the query stays as encoded.
    url = URL(
        "https://www.bitmex.com/api/v1/instrument?filter=%7B%22symbol%22%3A+%22XBTM15%22%7D",
        encoded=True,
    )
    headers = _sign_at(1518064237, "GET", url)
    assert (
        headers["api-signature"]
        == "e2f422547eecb5b3cb29ade2127e21b858b235b386bfa45e1c1756eb3383919f"
    )


def test_doc_example_post_with_json_body() -> None:
    body = b'{"symbol":"XBTM15","price":219.0,"clOrdID":"mm_bitmex_1a/oemUeQ4CAJZgP3fjHsA","orderQty":98}'
    headers = _sign_at(1518064238, "POST", URL("https://www.bitmex.com/api/v1/order"), body)
    assert headers["api-expires"] == "1518064238"
    assert (
        headers["api-signature"]
        == "1749cd2ccae4aa49048ae09f0b95110cee706e0944e6a14ad0b3a8cb45bd336b"
    )


def test_expires_is_in_seconds_and_follows_the_clock_offset() -> None:
    clock = topgun.FixedClock(1700000000.9)
    clock.offset = 30.0  # e.g. after clock.sync_to(server_time)
    request = SigningRequest(
        "GET",
        URL("https://www.bitmex.com/api/v1/user"),
        {},
        b"",
        None,
        Credential("bitmex", [KEY, SECRET]),
        clock,
    )
    assert sign_request(request).headers["api-expires"] == str(1700000030 + EXPIRES_IN)


@pytest.mark.parametrize(
    ("host", "api"), [("www.bitmex.com", "bitmex"), ("testnet.bitmex.com", "bitmex_testnet")]
)
async def test_signed_get_with_params(
    exchange: Any, registry: Registry, host: str, api: str
) -> None:
    async with topgun.Client(
        apis={api: [KEY, SECRET]}, registry=registry, **exchange.client_kwargs()
    ) as client:
        result = await client.fetch(
            "GET", f"https://{host}/api/v1/order", params={"filter": '{"open": true}', "count": 5}
        )
    assert result.response.status == 200, result.text
    record = exchange.seen[-1]
    assert record["verified"] and record["host"] == host
    assert record["path_qs"].startswith("/api/v1/order?filter=")


async def test_signed_get_keeps_the_callers_encoding(exchange: Any, registry: Registry) -> None:
    url = URL(
        "https://www.bitmex.com/api/v1/instrument?filter=%7B%22symbol%22%3A+%22XBTM15%22%7D",
        encoded=True,
    )
    async with topgun.Client(
        apis={"bitmex": [KEY, SECRET]}, registry=registry, **exchange.client_kwargs()
    ) as client:
        result = await client.fetch("GET", url)
    assert result.response.status == 200, result.text
    assert (
        exchange.seen[-1]["path_qs"]
        == "/api/v1/instrument?filter=%7B%22symbol%22%3A+%22XBTM15%22%7D"
    )


async def test_signed_post_sends_the_json_body_it_signed(exchange: Any, registry: Registry) -> None:
    order = {"symbol": "XBTUSD", "orderQty": 100, "price": 30000.5, "clOrdID": "a/b c"}
    async with topgun.Client(
        apis={"bitmex": [KEY, SECRET]}, registry=registry, **exchange.client_kwargs()
    ) as client:
        result = await client.fetch("POST", "https://www.bitmex.com/api/v1/order", data=order)
        deleted = await client.fetch(
            "DELETE", "https://www.bitmex.com/api/v1/order", data={"orderID": "x"}
        )
    assert result.response.status == 200, result.text
    assert deleted.response.status == 200, deleted.text
    record = exchange.seen[-2]
    assert record["verified"]
    assert record["headers"]["Content-Type"] == "application/json"
    assert orjson.loads(record["body"]) == order


async def test_auth_none_and_missing_credentials_send_nothing(
    exchange: Any, registry: Registry
) -> None:
    async with topgun.Client(
        apis={"bitmex": [KEY, SECRET]}, registry=registry, **exchange.client_kwargs()
    ) as client:
        unsigned = await client.fetch("GET", "https://www.bitmex.com/api/v1/user", auth=None)
    async with topgun.Client(apis={}, registry=registry, **exchange.client_kwargs()) as client:
        public = await client.fetch("GET", "https://www.bitmex.com/api/v1/instrument/active")
        private = await client.fetch("GET", "https://testnet.bitmex.com/api/v1/user")
    assert unsigned.response.status == 401
    assert public.data == [{"symbol": "XBTUSD"}]
    assert private.response.status == 401
    assert not any(
        name.lower().startswith("api-") for record in exchange.seen for name in record["headers"]
    )


async def test_live_key_is_not_sent_to_testnet(exchange: Any, registry: Registry) -> None:
    async with topgun.Client(
        apis={"bitmex": [KEY, SECRET]}, registry=registry, **exchange.client_kwargs()
    ) as client:
        result = await client.fetch("GET", "https://testnet.bitmex.com/api/v1/user")
    assert result.response.status == 401
    assert "api-key" not in {name.lower() for name in exchange.seen[-1]["headers"]}


async def test_wrong_secret_is_rejected_and_never_logged(
    exchange: Any, registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with topgun.Client(
        apis={"bitmex": [KEY, "not-the-secret"]}, registry=registry, **exchange.client_kwargs()
    ) as client:
        result = await client.fetch("GET", "https://www.bitmex.com/api/v1/user")
        shown = repr(client)
    assert result.data["error"]["message"] == "Signature not valid."
    assert "not-the-secret" not in caplog.text and "not-the-secret" not in shown


def test_credential_shape_is_checked_at_client(registry: Registry) -> None:
    with pytest.raises(CredentialError, match=r"bitmex_testnet.*API_KEY, API_SECRET") as error:
        topgun.Client(apis={"bitmex_testnet": ["only-a-key"]}, registry=registry)
    assert "only-a-key" not in str(error.value)
