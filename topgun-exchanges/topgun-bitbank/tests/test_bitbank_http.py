"""bitbank HTTP beyond the conformance suite (test_bitbank_plugin.py holds the docs' worked
examples, the other vectors and the local-server checks): the ACCESS-TIME-WINDOW header, the
clock offset, base_url, credential shapes and the registration.

https://github.com/bitbankinc/bitbank-api-docs/blob/master/rest-api.md#authorization
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import pytest

import topgun
from topgun.plugin import Credential
from topgun.testing import exchanges_listing, signing_request
from topgun_bitbank import plugin, socketio_heartbeat
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
    credential = Credential("bitbank", ["bitbank-test-key", secret])
    request = signing_request(method, url, credential, body=body, headers=headers, clock=at)
    return dict(sign_request(request).headers)


# The docs' worked example: secret "hoge" at 1721121776490 with a 1000 ms window.
DOC_TIME = 1721121776.490
DOC_WINDOW = {"ACCESS-TIME-WINDOW": "1000"}


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


# -- against the local exchange -----------------------------------------------------------------


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


def test_malformed_credentials_fail_at_client(bitbank_registry: Any) -> None:
    with pytest.raises(topgun.CredentialError, match="no passphrase"):
        topgun.Client(apis={"bitbank": ["key"]}, registry=bitbank_registry)
    with pytest.raises(topgun.CredentialError, match="empty string"):
        topgun.Client(apis={"bitbank": ["", "secret"]}, registry=bitbank_registry)


def test_plugin_registers_hosts_and_api(bitbank_registry: Any) -> None:
    assert bitbank_registry.apis["bitbank"].fields == ("API_KEY", "API_SECRET")
    rest = bitbank_registry.hosts["api.bitbank.cc"].host
    assert rest.signer is sign_request
    assert rest.body == "json"
    assert rest.api == plugin.API
    stream = bitbank_registry.hosts["stream.bitbank.cc"].host
    assert stream.api is None and stream.signer is None
    assert stream.ws_heartbeat is socketio_heartbeat


def test_topgun_exchanges_lists_api_and_hosts(bitbank_registry: Any) -> None:
    text = exchanges_listing(bitbank_registry)
    assert "bitbank" in text and "[API_KEY, API_SECRET]" in text
    assert "api.bitbank.cc" in text and "stream.bitbank.cc" in text and "heartbeat" in text
