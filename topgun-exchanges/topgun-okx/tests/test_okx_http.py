"""OKX v5 HTTP signing, live and demo: vectors from the documented example inputs, and a local
server reached as www.okx.com that verifies signatures, passphrases and the demo header itself.

Docs: https://www.okx.com/docs-v5/en/#overview-rest-authentication ("Signature") and
https://www.okx.com/docs-v5/en/#overview-demo-trading-services.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
import pytest
from multidict import CIMultiDict
from yarl import URL

import topgun
from topgun.plugin import Credential, CredentialError, SigningRequest
from topgun.testing import Registry
from topgun_okx.auth import choose_api, iso_timestamp, sign_request

# The docs' example SecretKey (WebSocket "Login" section) and timestamp (REST "Signature" section).
DOC_SECRET = "22582BD0CFF14C41EDBF1AB98506286D"
DOC_TIME = 1607418537.715  # 2020-12-08T09:08:57.715Z


def _sign(method: str, url: str, body: bytes = b"") -> dict[str, str]:
    request = SigningRequest(
        method,
        URL(url),
        CIMultiDict(),
        body,
        None,
        Credential("okx", ["okx-key", DOC_SECRET, "okx-pass"]),
        topgun.FixedClock(DOC_TIME),
    )
    return dict(sign_request(request).headers)


# OKX publishes the recipe and example inputs (the timestamp 2020-12-08T09:08:57.715Z, the path
# '/api/v5/account/balance?ccy=BTC', the body '{"instId":"BTC-USDT","lever":"5","mgnMode":"isolated"}'
# and the SecretKey 22582BD0CFF14C41EDBF1AB98506286D) but no resulting signature. The values below
# were computed independently:
#   printf '%s' '<text>' | openssl dgst -sha256 -hmac <secret> -binary | base64
def test_get_vector_with_query_from_the_documented_example() -> None:
    headers = _sign("GET", "https://www.okx.com/api/v5/account/balance?ccy=BTC")
    assert headers == {
        "OK-ACCESS-KEY": "okx-key",
        "OK-ACCESS-SIGN": "HiZhvSfMtWJA3uUIVXV3a/bSXNPCWvYFXoGCVS8V4zY=",
        "OK-ACCESS-TIMESTAMP": "2020-12-08T09:08:57.715Z",
        "OK-ACCESS-PASSPHRASE": "okx-pass",
    }


def test_post_vector_signs_the_body() -> None:
    body = b'{"instId":"BTC-USDT","lever":"5","mgnMode":"isolated"}'
    headers = _sign("POST", "https://www.okx.com/api/v5/account/set-leverage", body)
    assert headers["OK-ACCESS-SIGN"] == "eCnnCgWLjlQ9XnpUkrcny3qNq3WW/81KNrDr/XR6Xv8="


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (1607418537715, "2020-12-08T09:08:57.715Z"),
        (1607418537000, "2020-12-08T09:08:57.000Z"),
        (1607418537005, "2020-12-08T09:08:57.005Z"),
        (0, "1970-01-01T00:00:00.000Z"),
    ],
)
def test_iso_timestamp_always_has_three_decimals(ms: int, text: str) -> None:
    assert iso_timestamp(ms) == text


@pytest.mark.parametrize(
    ("headers", "api"),
    [
        ({}, "okx"),
        ({"x-simulated-trading": "1"}, "okx_demo"),
        ({"X-Simulated-Trading": "1"}, "okx_demo"),
        (CIMultiDict({"X-SIMULATED-TRADING": "1"}), "okx_demo"),
        ({"x-simulated-trading": "0"}, "okx"),
    ],
)
def test_demo_is_chosen_by_the_simulated_trading_header(headers: Any, api: str) -> None:
    assert choose_api(headers) == api


@pytest.fixture
def client_for(exchange: Any, registry: Registry, okx_accounts: dict[str, Any]) -> Any:
    def make(**kwargs: Any) -> topgun.Client:
        apis = {name: list(account) for name, account in okx_accounts.items()}
        return topgun.Client(apis=apis, registry=registry, **exchange.client_kwargs(), **kwargs)

    return make


async def test_live_get_with_params_is_signed(exchange: Any, client_for: Any) -> None:
    async with client_for() as client:
        result = await client.fetch(
            "GET", "https://www.okx.com/api/v5/account/balance", params={"ccy": "BTC,ETH"}
        )
    assert result.data["code"] == "0", result.data
    assert exchange.seen[-1]["verified"] == "okx"
    assert exchange.seen[-1]["path_qs"] == "/api/v5/account/balance?ccy=BTC,ETH"


async def test_demo_header_selects_demo_credentials_and_reaches_okx(
    exchange: Any, client_for: Any
) -> None:
    order = {"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "market", "sz": "1"}
    async with client_for() as client:
        result = await client.fetch(
            "POST",
            "https://www.okx.com/api/v5/trade/order",
            data=order,
            headers={"x-simulated-trading": "1"},
        )
    assert result.data["code"] == "0", result.data
    record = exchange.seen[-1]
    assert record["verified"] == "okx_demo"
    assert record["headers"]["x-simulated-trading"] == "1"
    assert record["headers"]["Content-Type"] == "application/json"
    assert orjson.loads(record["body"]) == order


async def test_demo_request_without_demo_credentials_goes_unsigned(
    exchange: Any, registry: Registry, okx_accounts: dict[str, Any]
) -> None:
    async with topgun.Client(
        apis={"okx": list(okx_accounts["okx"])}, registry=registry, **exchange.client_kwargs()
    ) as client:
        result = await client.fetch(
            "GET",
            "https://www.okx.com/api/v5/account/balance",
            headers={"x-simulated-trading": "1"},
        )
    assert result.data["code"] == "50113"
    assert "OK-ACCESS-KEY" not in exchange.seen[-1]["headers"]  # live keys never go to demo


async def test_a_skewed_clock_is_rejected_until_synced(exchange: Any, client_for: Any) -> None:
    # docs/advanced.rst ("Clock offset"): client.clock.sync_to(server_time) or client.clock.offset.
    import time

    async with client_for(clock=topgun.Clock(offset=120.0)) as client:
        skewed = await client.fetch("GET", "https://www.okx.com/api/v5/account/balance")
        client.clock.sync_to(time.time())
        synced = await client.fetch("GET", "https://www.okx.com/api/v5/account/balance")
    assert skewed.data["code"] == "50102"
    assert synced.data["code"] == "0"


async def test_auth_none_and_missing_credentials_send_nothing(
    exchange: Any, client_for: Any, registry: Registry
) -> None:
    async with client_for() as client:
        opted_out = await client.fetch(
            "GET", "https://www.okx.com/api/v5/account/balance", auth=None
        )
    async with topgun.Client(apis={}, registry=registry, **exchange.client_kwargs()) as client:
        public = await client.fetch("GET", "https://www.okx.com/api/v5/public/time")
        private = await client.fetch("GET", "https://www.okx.com/api/v5/account/balance")
    assert opted_out.data["code"] == "50113"
    assert public.data["code"] == "0"
    assert private.data["code"] == "50113"
    for record in exchange.seen:
        assert not any(name.upper().startswith("OK-ACCESS-") for name in record["headers"])


async def test_wrong_passphrase_is_rejected_and_secrets_stay_out_of_logs(
    exchange: Any, registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret, passphrase = "okx-live-secret-DO-NOT-LEAK", "okx-wrong-pass-DO-NOT-LEAK"
    async with topgun.Client(
        apis={"okx": ["okx-live-key", secret, passphrase]},
        registry=registry,
        **exchange.client_kwargs(),
    ) as client:
        result = await client.fetch("GET", "https://www.okx.com/api/v5/account/balance")
        text = repr(client)
    assert result.data["code"] == "50105"
    for value in (secret, passphrase):
        assert value not in caplog.text and value not in text


@pytest.mark.parametrize("api", ["okx", "okx_demo"])
def test_two_element_credentials_are_rejected_clearly(registry: Registry, api: str) -> None:
    with pytest.raises(CredentialError) as info:
        topgun.Client(apis={api: ["key", "secret-DO-NOT-LEAK"]}, registry=registry)
    message = str(info.value)
    assert f"apis[{api!r}]" in message and "needs 3 strings" in message
    assert "PASSPHRASE" in message and "secret-DO-NOT-LEAK" not in message


@pytest.mark.parametrize(
    "host", ["aws.okx.com", "eea.okx.com", "my.okx.com", "us.okx.com", "app.okx.com"]
)
@pytest.mark.parametrize(
    ("headers", "api"), [({}, "okx"), ({"x-simulated-trading": "1"}, "okx_demo")]
)
async def test_aws_and_regional_rest_hosts_are_signed(
    exchange: Any, client_for: Any, host: str, headers: dict[str, str], api: str
) -> None:
    # The local server, reached under each hostname, checks the signature, passphrase and demo
    # header itself, as OKX documents them for every site.
    async with client_for() as client:
        result = await client.fetch(
            "GET", f"https://{host}/api/v5/account/balance", params={"ccy": "BTC"}, headers=headers
        )
    assert result.data["code"] == "0", result.data
    record = exchange.seen[-1]
    assert record["host"] == host
    assert record["verified"] == api


@pytest.mark.parametrize("path", ["/api/v5/public/time", "/api/v5/market/ticker?instId=BTC-USDT"])
async def test_public_endpoints_go_without_credentials(
    exchange: Any, client_for: Any, path: str
) -> None:
    async with client_for() as client:
        await client.fetch("GET", f"https://www.okx.com{path}")
    assert not any(name.upper().startswith("OK-ACCESS-") for name in exchange.seen[-1]["headers"])
