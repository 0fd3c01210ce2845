"""Bybit V5 HTTP beyond the conformance suite (test_bybit_plugin.py: vectors, signing verified, no
credentials where none are needed): the recv window, per-host credentials, clock skew, listing.

Docs: https://bybit-exchange.github.io/docs/v5/guide ("Authentication" > "Create A Request").
"""

from __future__ import annotations

from typing import Any

import pytest
from multidict import CIMultiDict

import topgun
from topgun.plugin import Credential, CredentialError
from topgun.testing import Registry, assert_json_body, exchanges_listing, signing_request
from topgun_bybit.auth import sign_request

DOC_KEY = "XXXXXXXXXX"
VECTOR_SECRET = "bybit-test-secret"


def _sign(
    method: str,
    url: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    at: float = 1658384314.791,
) -> dict[str, str]:
    credential = Credential("bybit", [DOC_KEY, VECTOR_SECRET])
    request = signing_request(
        method, url, credential, body=body, headers=CIMultiDict(headers or {}), clock=at
    )
    return dict(sign_request(request).headers)


@pytest.mark.parametrize("name", ["X-BAPI-RECV-WINDOW", "x-bapi-recv-window"])
def test_callers_recv_window_is_signed_and_not_overridden(name: str) -> None:
    # Special case: the caller's recv window takes part in the signature. Hand-computed from
    # '1658385579423XXXXXXXXXX20000{"category":"option"}'.
    request_headers = {name: "20000"}
    headers = _sign(
        "POST",
        "https://api.bybit.com/v5/order/create",
        b'{"category":"option"}',
        headers=request_headers,
        at=1658385579.423,
    )
    assert (
        headers["X-BAPI-SIGN"] == "61f5c6655d523b8c1ce6a479b4576fcdc1d1ea244a565a22bdd2da55a34c9908"
    )
    assert "X-BAPI-RECV-WINDOW" not in headers  # the caller's header goes out as the caller set it
    assert request_headers == {name: "20000"}


def test_plain_dict_headers_are_read_case_insensitively() -> None:
    request = signing_request(
        "GET",
        "https://api.bybit.com/v5/account/wallet-balance",
        Credential("bybit", [DOC_KEY, VECTOR_SECRET]),
        headers={"x-bapi-recv-window": "3000"},
        clock=1658384314.791,
    )
    assert "X-BAPI-RECV-WINDOW" not in sign_request(request).headers


@pytest.fixture
def client_for(exchange: Any, registry: Registry, bybit_keys: dict[str, tuple[str, str]]) -> Any:
    """A Client factory holding every environment's credentials, connected to the local server."""

    def make(**kwargs: Any) -> topgun.Client:
        apis = {name: list(pair) for name, pair in bybit_keys.items()}
        return exchange.client(apis=apis, registry=registry, **kwargs)

    return make


@pytest.fixture
def accepted(exchange: Any, client_for: Any) -> Any:
    """Send one request through ``client_for()``; Bybit must answer retCode 0 and the signature
    must verify. Returns what the exchange recorded of it."""

    async def send(method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        async with client_for() as client:
            result = await client.fetch(method, url, **kwargs)
        assert result.data["retCode"] == 0, result.data
        record: dict[str, Any] = exchange.seen[-1]
        assert record["verified"]
        return record

    return send


@pytest.mark.parametrize(
    "host", ["api.bybit.com", "api.bytick.com", "api-demo.bybit.com", "api-testnet.bybit.com"]
)
async def test_each_host_is_signed_with_its_own_credentials(accepted: Any, host: str) -> None:
    params = {"category": "linear", "symbol": "BTCUSDT"}
    record = await accepted("GET", f"https://{host}/v5/position/list", params=params)
    assert record["path_qs"] == "/v5/position/list?category=linear&symbol=BTCUSDT"
    assert record["headers"]["X-BAPI-RECV-WINDOW"] == "5000"


async def test_post_sends_and_signs_a_json_body(accepted: Any) -> None:
    order = {"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "qty": "0.01"}
    record = await accepted("POST", "https://api.bybit.com/v5/order/create", data=order)
    assert_json_body(record, order)


async def test_callers_recv_window_reaches_the_server_signed(accepted: Any) -> None:
    record = await accepted(
        "POST",
        "https://api.bybit.com/v5/order/create",
        data={"category": "spot"},
        headers={"X-BAPI-RECV-WINDOW": "15000"},
    )
    assert record["headers"]["X-BAPI-RECV-WINDOW"] == "15000"


async def test_a_skewed_clock_is_rejected_until_offset(
    exchange: Any, client_for: Any, registry: Registry
) -> None:
    # Documented in docs/advanced.rst ("Clock offset"): client.clock.offset / sync_to.
    async with client_for(clock=topgun.Clock(offset=-30.0)) as client:
        skewed = await client.fetch("GET", "https://api.bybit.com/v5/account/wallet-balance")
        client.clock.offset = 0.0
        fixed = await client.fetch("GET", "https://api.bybit.com/v5/account/wallet-balance")
    assert skewed.data["retCode"] == 10002
    assert fixed.data["retCode"] == 0


def test_credential_shape_is_checked_at_client_creation(registry: Registry) -> None:
    with pytest.raises(CredentialError, match=r"apis\['bybit_demo'\].*needs 2 strings") as info:
        topgun.Client(apis={"bybit_demo": ["only-a-key"]}, registry=registry)
    assert "demo trading" in str(info.value)


def test_registration_and_topgun_exchanges_listing(registry: Registry) -> None:
    assert set(registry.apis) == {"bybit", "bybit_demo", "bybit_testnet"}
    for name, route in registry.hosts.items():
        if name.startswith("api"):
            assert route.host.signer is sign_request and route.host.body == "json"
        else:
            assert route.host.ws_authenticator is not None and route.host.ws_heartbeat is not None
    assert registry.hosts["stream-demo.bybit.com"].host.ws_message_signer is None
    assert registry.hosts["stream.bybit.com"].host.ws_message_signer is not None
    listing = exchanges_listing(registry)
    for name in (
        "bybit",
        "bybit_demo",
        "bybit_testnet",
        "api.bybit.com",
        "stream-testnet.bybit.com",
    ):
        assert name in listing
