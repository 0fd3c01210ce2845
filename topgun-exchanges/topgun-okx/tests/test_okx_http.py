"""OKX v5 HTTP beyond the conformance suite (test_okx_plugin.py: vectors, signing verified, no
credentials where none are needed): demo selection, regional hosts, clock skew, credential shape.

Docs: https://www.okx.com/docs-v5/en/#overview-rest-authentication ("Signature") and
https://www.okx.com/docs-v5/en/#overview-demo-trading-services.
"""

from __future__ import annotations

from typing import Any

import pytest
from multidict import CIMultiDict

import topgun
from topgun.plugin import CredentialError
from topgun.testing import Registry, assert_json_body
from topgun_okx.auth import choose_api, iso_timestamp, sign_request


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
        return exchange.client(apis=apis, registry=registry, **kwargs)

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
    assert_json_body(record, order)


async def test_demo_request_without_demo_credentials_goes_unsigned(
    exchange: Any, registry: Registry, okx_accounts: dict[str, Any]
) -> None:
    async with exchange.client(
        apis={"okx": list(okx_accounts["okx"])}, registry=registry
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


@pytest.mark.parametrize("api", ["okx", "okx_demo"])
def test_two_element_credentials_are_rejected_clearly(registry: Registry, api: str) -> None:
    with pytest.raises(CredentialError) as info:
        topgun.Client(apis={api: ["key", "secret-DO-NOT-LEAK"]}, registry=registry)
    message = str(info.value)
    assert f"apis[{api!r}]" in message and "needs 3 strings" in message
    assert "PASSPHRASE" in message and "secret-DO-NOT-LEAK" not in message


def test_registration(registry: Registry, okx_rest_hosts: list[str]) -> None:
    assert {name: spec.fields for name, spec in registry.apis.items()} == {
        "okx": ("API_KEY", "API_SECRET", "PASSPHRASE"),
        "okx_demo": ("API_KEY", "API_SECRET", "PASSPHRASE"),
    }
    for name in okx_rest_hosts:
        rest = registry.hosts[name].host
        assert rest.signer is sign_request and rest.body == "json"
        assert rest.api_names == ("okx", "okx_demo")
    live = {"ws.okx.com", "wsaws.okx.com", "wseea.okx.com", "wsus.okx.com"}
    demo = {"wspap.okx.com", "wseeapap.okx.com", "wsuspap.okx.com"}
    assert set(registry.hosts) == set(okx_rest_hosts) | live | demo
    assert {registry.hosts[name].host.api for name in live} == {"okx"}
    assert {registry.hosts[name].host.api for name in demo} == {"okx_demo"}


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
