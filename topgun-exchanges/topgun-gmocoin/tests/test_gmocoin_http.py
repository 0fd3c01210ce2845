"""GMO Coin HTTP beyond the conformance suite (test_gmocoin_plugin.py holds the vectors and the
local-server checks): which URLs are signed, the clock offset, base_url, credential shapes.

Recipe: https://api.coin.z.com/docs/ section 認証 / Authentication."""

from __future__ import annotations

from typing import Any

import pytest

import topgun
from topgun.plugin import Credential
from topgun.testing import exchanges_listing, signing_request
from topgun_gmocoin import plugin
from topgun_gmocoin.auth import sign_request

NOW = 1700000000.123
KEY = "gmo-test-key"
SECRET = "gmo-test-secret"


def _sign(method: str, url: str, body: bytes = b"") -> dict[str, str]:
    request = signing_request(
        method, url, Credential("gmocoin", [KEY, SECRET]), body=body, clock=NOW
    )
    return dict(sign_request(request).headers)


@pytest.mark.parametrize(
    "url",
    [
        "https://api.coin.z.com/public/v1/ticker?symbol=BTC",
        "https://api.coin.z.com/public/v1/status",
        "wss://api.coin.z.com/ws/public/v1",
        "wss://api.coin.z.com/ws/private/v1/sometoken",
        "https://api.coin.z.com/privateish/v1/x",
    ],
)
def test_public_paths_and_websockets_get_no_credentials(url: str) -> None:
    assert _sign("GET", url) == {}


def test_signer_reads_time_only_from_the_clock() -> None:
    clock = topgun.FixedClock(NOW)
    clock.offset = 2.5
    url = "https://api.coin.z.com/private/v1/account/margin"
    request = signing_request("GET", url, Credential("gmocoin", [KEY, SECRET]), clock=clock)
    assert sign_request(request).headers["API-TIMESTAMP"] == "1700000002623"


# -- against the local exchange ----------------------------------------------------------------


async def test_base_url_and_relative_paths(gmo: Any) -> None:
    async with (
        gmo.client(base_url="https://api.coin.z.com") as client,
        client.get("/private/v1/account/margin") as resp,
    ):
        assert resp.status == 200
        assert (await resp.json())["status"] == 0
    assert gmo.state.seen[-1]["verified"]


@pytest.mark.parametrize(
    ("value", "complaint"),
    [(["only-key"], "needs 2 strings"), (["key", ""], "empty string"), (["k", "s", "x"], "got 3")],
)
def test_malformed_credentials_fail_at_client(
    gmo_registry: Any, value: list[str], complaint: str
) -> None:
    with pytest.raises(topgun.CredentialError, match=complaint):
        topgun.Client(apis={"gmocoin": value}, registry=gmo_registry)


def test_shape_error_carries_the_hint(gmo_registry: Any) -> None:
    with pytest.raises(topgun.CredentialError, match="no passphrase"):
        topgun.Client(apis={"gmocoin": ["k", "s", "passphrase?"]}, registry=gmo_registry)


def test_plugin_registers_host_and_api(gmo_registry: Any) -> None:
    assert gmo_registry.apis["gmocoin"].fields == ("API_KEY", "API_SECRET")
    route = gmo_registry.hosts["api.coin.z.com"]
    assert route.host.signer is sign_request
    assert route.host.body == "json"
    assert route.host.ws_rate_limit == plugin.SUBSCRIPTION_LIMIT
    assert set(gmo_registry.hosts) == {"api.coin.z.com"}


def test_topgun_exchanges_lists_api_and_host(gmo_registry: Any) -> None:
    text = exchanges_listing(gmo_registry)
    assert "gmocoin" in text and "[API_KEY, API_SECRET]" in text
    assert "api.coin.z.com" in text and "ws-rate-limit" in text and "body=json" in text
