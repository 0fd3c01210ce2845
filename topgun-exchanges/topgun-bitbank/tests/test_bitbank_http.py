"""bitbank HTTP signing (ACCESS-TIME-WINDOW): the docs' worked examples, hand-computed vectors,
and a local server reached as api.bitbank.cc that verifies every signature.

https://github.com/bitbankinc/bitbank-api-docs/blob/master/rest-api.md#authorization, section
"Sample → ACCESS-TIME-WINDOW" (the same in rest-api_JP.md#サンプル) publishes two signatures for
API_SECRET="hoge", ACCESS_REQUEST_TIME=1721121776490, ACCESS_TIME_WINDOW=1000; they are
reproduced exactly below. The other vectors were computed independently with
``echo -n TEXT | openssl dgst -sha256 -hmac bitbank-test-secret``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import orjson
import pytest
from yarl import URL

import topgun
from topgun.plugin import Credential, SigningRequest
from topgun_bitbank.auth import sign_request


def _sign(
    method: str,
    url: str,
    body: bytes = b"",
    *,
    secret: str = "bitbank-test-secret",
    at: float = 1700000000.123,
    headers: Mapping[str, str] | None = None,
) -> dict[str, str]:
    request = SigningRequest(
        method,
        URL(url),
        headers or {},
        body,
        None,
        Credential("bitbank", ["bitbank-test-key", secret]),
        topgun.FixedClock(at),
    )
    return dict(sign_request(request).headers)


# -- the docs' worked examples -------------------------------------------------------------------

DOC_TIME = 1721121776.490
DOC_WINDOW = {"ACCESS-TIME-WINDOW": "1000"}


def test_doc_example_get_user_assets() -> None:
    headers = _sign(
        "GET",
        "https://api.bitbank.cc/v1/user/assets",
        secret="hoge",
        at=DOC_TIME,
        headers=DOC_WINDOW,
    )
    assert headers["ACCESS-REQUEST-TIME"] == "1721121776490"
    assert headers["ACCESS-TIME-WINDOW"] == "1000"
    assert headers["ACCESS-SIGNATURE"] == (
        "9ec5745960d05573c8fb047cdd9191bd0c6ede26f07700bb40ecf1a3920abae8"
    )


def test_doc_example_post_body() -> None:
    body = b'{"pair": "xrp_jpy", "price": "20", "amount": "1","side": "buy", "type": "limit"}'
    headers = _sign(
        "POST",
        "https://api.bitbank.cc/v1/user/spot/order",
        body,
        secret="hoge",
        at=DOC_TIME,
        headers=DOC_WINDOW,
    )
    assert headers["ACCESS-SIGNATURE"] == (
        "7868665738ae3f8a796224e0413c1351ddd7ec2af121db12815c0a5b74b8764c"
    )


# -- hand-computed vectors (default window 5000, always sent) -------------------------------------


def test_get_with_query_and_default_window() -> None:
    headers = _sign("GET", "https://api.bitbank.cc/v1/user/spot/order?pair=btc_jpy&order_id=1")
    assert headers == {
        "ACCESS-KEY": "bitbank-test-key",
        "ACCESS-REQUEST-TIME": "1700000000123",
        "ACCESS-TIME-WINDOW": "5000",
        "ACCESS-SIGNATURE": "dd7b3c023d1636a57f772a19d265741d052cbc6f1968035e7c86cf4e94fad42a",
    }


def test_post_signs_the_exact_body() -> None:
    body = b'{"pair":"btc_jpy","amount":"0.01","side":"buy","type":"market"}'
    headers = _sign("POST", "https://api.bitbank.cc/v1/user/spot/order", body)
    assert headers["ACCESS-SIGNATURE"] == (
        "4be8c44c2f7d7aaa1ae1aeb57be26a731479818ffc8b6eafd7d9703608f11e13"
    )


def test_subscribe_endpoint_vector() -> None:
    headers = _sign("GET", "https://api.bitbank.cc/v1/user/subscribe")
    assert headers["ACCESS-SIGNATURE"] == (
        "62f2cdbd80df81a417c9fca6196a29824478912345b15a03151d47e7437a63d8"
    )


@pytest.mark.parametrize("value", ["0", "60001", "-5", "5s", "", "１０００"])
def test_a_bad_window_header_is_refused_clearly(value: str) -> None:
    with pytest.raises(topgun.SigningError, match="ACCESS-TIME-WINDOW"):
        _sign("GET", "https://api.bitbank.cc/v1/user/assets", headers={"ACCESS-TIME-WINDOW": value})


def test_window_header_is_normalised_and_signed_as_sent() -> None:
    headers = _sign(
        "GET",
        "https://api.bitbank.cc/v1/user/assets",
        secret="hoge",
        at=DOC_TIME,
        headers={"ACCESS-TIME-WINDOW": " 01000"},
    )
    assert headers["ACCESS-TIME-WINDOW"] == "1000"
    assert headers["ACCESS-SIGNATURE"] == (
        "9ec5745960d05573c8fb047cdd9191bd0c6ede26f07700bb40ecf1a3920abae8"
    )


@pytest.mark.parametrize(
    "url", ["https://api.bitbank.cc/v1/spot/status", "https://api.bitbank.cc/v1/spot/pairs"]
)
def test_documented_public_endpoints_get_no_credentials(url: str) -> None:
    assert _sign("GET", url) == {}


# -- against the local exchange -----------------------------------------------------------------


async def test_signed_get_with_params(bitbank: Any) -> None:
    async with bitbank.client() as client:
        result = await client.fetch(
            "GET",
            "https://api.bitbank.cc/v1/user/spot/active_orders",
            params={"pair": "btc_jpy", "count": 2},
        )
    assert result.data["success"] == 1, result.text
    record = bitbank.state.seen[-1]
    assert record["verified"]
    assert record["path_qs"] == "/v1/user/spot/active_orders?pair=btc_jpy&count=2"
    assert record["headers"]["ACCESS-TIME-WINDOW"] == "5000"


async def test_signed_post_sends_json_body(bitbank: Any) -> None:
    order = {"pair": "xrp_jpy", "price": "20", "amount": "1", "side": "buy", "type": "limit"}
    async with bitbank.client() as client:
        result = await client.fetch("POST", "https://api.bitbank.cc/v1/user/spot/order", data=order)
    assert result.data["success"] == 1, result.text
    record = bitbank.state.seen[-1]
    assert record["verified"]
    assert record["headers"]["Content-Type"] == "application/json"
    assert orjson.loads(record["body"]) == order


async def test_a_request_may_choose_its_window(bitbank: Any) -> None:
    async with bitbank.client() as client:
        result = await client.fetch(
            "GET", "https://api.bitbank.cc/v1/user/assets", headers={"ACCESS-TIME-WINDOW": "2000"}
        )
    assert result.data["success"] == 1, result.text
    assert bitbank.state.seen[-1]["headers"]["ACCESS-TIME-WINDOW"] == "2000"


async def test_a_skewed_clock_is_rejected_then_fixed_by_the_offset(bitbank: Any) -> None:
    async with bitbank.client(clock=topgun.Clock(offset=-30.0)) as client:
        late = await client.fetch("GET", "https://api.bitbank.cc/v1/user/assets")
        assert late.data == {"success": 0, "data": {"code": 20035}}
        client.clock.sync_to(time.time())  # in a bot: the exchange's time, e.g. from a Date header
        fixed = await client.fetch("GET", "https://api.bitbank.cc/v1/user/assets")
    assert fixed.data["success"] == 1, fixed.text


async def test_base_url_and_relative_paths(bitbank: Any) -> None:
    async with (
        bitbank.client(base_url="https://api.bitbank.cc") as client,
        client.get("/v1/user/assets") as resp,
    ):
        assert (await resp.json())["success"] == 1
    assert bitbank.state.seen[-1]["verified"]


async def test_public_endpoints_carry_no_credentials(bitbank: Any) -> None:
    async with bitbank.client() as client:
        result = await client.fetch("GET", "https://api.bitbank.cc/v1/spot/status")
    assert result.data["success"] == 1
    assert not any(h.upper().startswith("ACCESS-") for h in bitbank.state.seen[-1]["headers"])


async def test_auth_none_sends_no_credentials(bitbank: Any) -> None:
    async with bitbank.client() as client:
        result = await client.fetch("GET", "https://api.bitbank.cc/v1/user/assets", auth=None)
    assert result.data == {"success": 0, "data": {"code": 20003}}
    assert not any(h.upper().startswith("ACCESS-") for h in bitbank.state.seen[-1]["headers"])


async def test_without_credentials_requests_go_unsigned(bitbank: Any) -> None:
    async with bitbank.client(apis={}) as client:
        result = await client.fetch("GET", "https://api.bitbank.cc/v1/user/assets")
    assert result.data["data"]["code"] == 20003


async def test_wrong_secret_is_rejected_by_the_server(bitbank: Any) -> None:
    async with bitbank.client(apis={"bitbank": ["bitbank-test-key", "nope"]}) as client:
        result = await client.fetch("GET", "https://api.bitbank.cc/v1/user/assets")
    assert result.data["data"]["code"] == 20005


async def test_secret_never_reaches_logs(
    bitbank: Any, bitbank_credentials: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with bitbank.client() as client:
        await client.fetch("POST", "https://api.bitbank.cc/v1/user/spot/order", data={"a": 1})
        assert bitbank_credentials[1] not in repr(client)
    assert bitbank.state.seen[-1]["verified"]
    assert bitbank_credentials[1] not in caplog.text


def test_malformed_credentials_fail_at_client(bitbank_registry: Any) -> None:
    with pytest.raises(topgun.CredentialError, match="no passphrase"):
        topgun.Client(apis={"bitbank": ["key"]}, registry=bitbank_registry)
    with pytest.raises(topgun.CredentialError, match="empty string"):
        topgun.Client(apis={"bitbank": ["", "secret"]}, registry=bitbank_registry)
