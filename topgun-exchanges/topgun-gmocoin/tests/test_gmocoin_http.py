"""GMO Coin HTTP signing: hand-computed vectors, and a local server reached as api.coin.z.com.

Recipe: https://api.coin.z.com/docs/ section 認証 / Authentication and the endpoint samples
(#ws-auth-post, #ws-auth-put, #ws-auth-delete). GMO Coin publishes no numeric worked example, so
the vectors below were computed independently with
``echo -n TEXT | openssl dgst -sha256 -hmac gmo-test-secret`` for the documented TEXT.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
import pytest
from yarl import URL

import topgun
from topgun.plugin import Credential, SigningRequest
from topgun_gmocoin.auth import sign_request

NOW = 1700000000.123
KEY = "gmo-test-key"
SECRET = "gmo-test-secret"


def _sign(method: str, url: str, body: bytes = b"") -> dict[str, str]:
    request = SigningRequest(
        method,
        URL(url),
        {},
        body,
        None,
        Credential("gmocoin", [KEY, SECRET]),
        topgun.FixedClock(NOW),
    )
    return dict(sign_request(request).headers)


# -- vectors (openssl, see the module docstring) ---------------------------------------------


def test_get_signs_path_without_private_prefix_and_without_query() -> None:
    # TEXT = "1700000000123GET/v1/account/margin": the query is not signed.
    headers = _sign("GET", "https://api.coin.z.com/private/v1/account/margin?symbol=BTC")
    assert headers == {
        "API-KEY": KEY,
        "API-TIMESTAMP": "1700000000123",
        "API-SIGN": "ca77fde02871ef32380522b36eae16f552013f6cdc2fc3b14ed0b26529254f66",
    }
    assert _sign("GET", "https://api.coin.z.com/private/v1/account/margin") == headers


def test_post_signs_the_body() -> None:
    body = b'{"symbol":"BTC","side":"BUY","executionType":"LIMIT","price":"4000000","size":"0.01"}'
    headers = _sign("POST", "https://api.coin.z.com/private/v1/order", body)
    assert headers["API-SIGN"] == "6146a3a8c734e6fe783463b717c147184cda3cd6160b026a2df5e45a99795fd0"


def test_post_ws_auth_signs_the_empty_object_like_the_docs_sample() -> None:
    # #ws-auth-post sample: reqBody = {} and text = timestamp + method + path + json.dumps(reqBody)
    headers = _sign("POST", "https://api.coin.z.com/private/v1/ws-auth", b"{}")
    assert headers["API-SIGN"] == "392bcb5135bb0e6493745ed9050d493f63d7a7cd6f20bbafd41ef81bdc2381b6"


@pytest.mark.parametrize(
    ("method", "signature"),
    [
        ("PUT", "50c8895faa4d8514093c1813521164a6ee4bad15f75fee0f0b4dd5d47f403ff6"),
        ("DELETE", "c1656a738c40a9860619d0d1f852192c972675fd3fca464c38494eb7bacf9e6c"),
    ],
)
def test_put_and_delete_do_not_sign_their_body(method: str, signature: str) -> None:
    # #ws-auth-put / #ws-auth-delete samples: a JSON body is sent, text = timestamp + method + path.
    headers = _sign(method, "https://api.coin.z.com/private/v1/ws-auth", b'{"token":"abc"}')
    assert headers["API-SIGN"] == signature


def test_lower_case_method_is_signed_upper_case() -> None:
    assert _sign("get", "https://api.coin.z.com/private/v1/activeOrders")["API-SIGN"] == (
        "47c49811d3c5289ef1fcccd26bea45b919213af48d2418843e5506f765f4ded8"
    )


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
    request = SigningRequest(
        "GET",
        URL("https://api.coin.z.com/private/v1/account/margin"),
        {},
        b"",
        None,
        Credential("gmocoin", [KEY, SECRET]),
        clock,
    )
    assert sign_request(request).headers["API-TIMESTAMP"] == "1700000002623"


# -- against the local exchange ----------------------------------------------------------------


async def test_signed_get_with_params(gmo: Any) -> None:
    async with gmo.client() as client:
        result = await client.fetch(
            "GET",
            "https://api.coin.z.com/private/v1/activeOrders",
            params={"symbol": "BTC", "page": 1},
        )
    assert result.data["status"] == 0, result.text
    record = gmo.state.seen[-1]
    assert record["verified"]
    assert record["path_qs"] == "/private/v1/activeOrders?symbol=BTC&page=1"


async def test_signed_post_sends_json_body(gmo: Any) -> None:
    order = {"symbol": "BTC", "side": "BUY", "executionType": "MARKET", "size": "0.01"}
    async with gmo.client() as client:
        result = await client.fetch("POST", "https://api.coin.z.com/private/v1/order", data=order)
    assert result.data["status"] == 0, result.text
    record = gmo.state.seen[-1]
    assert record["verified"]
    assert record["headers"]["Content-Type"] == "application/json"
    assert orjson.loads(record["body"]) == order


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_put_and_delete_with_body_verify(gmo: Any, method: str) -> None:
    async with gmo.client() as client:
        token = await client.fetch("POST", "https://api.coin.z.com/private/v1/ws-auth", data={})
        result = await client.fetch(
            method, "https://api.coin.z.com/private/v1/ws-auth", data={"token": token.data["data"]}
        )
    assert result.data["status"] == 0, result.text
    assert gmo.state.seen[-1]["verified"]
    assert orjson.loads(gmo.state.seen[-1]["body"]) == {"token": token.data["data"]}


async def test_base_url_and_relative_paths(gmo: Any) -> None:
    async with (
        gmo.client(base_url="https://api.coin.z.com") as client,
        client.get("/private/v1/account/margin") as resp,
    ):
        assert resp.status == 200
        assert (await resp.json())["status"] == 0
    assert gmo.state.seen[-1]["verified"]


async def test_public_endpoint_carries_no_credentials(gmo: Any) -> None:
    async with gmo.client() as client:
        result = await client.fetch("GET", "https://api.coin.z.com/public/v1/ticker?symbol=BTC")
    assert result.data["status"] == 0
    assert not any(h.upper().startswith("API-") for h in gmo.state.seen[-1]["headers"])


async def test_auth_none_sends_no_credentials(gmo: Any) -> None:
    async with gmo.client() as client:
        result = await client.fetch(
            "GET", "https://api.coin.z.com/private/v1/account/margin", auth=None
        )
    assert result.data["messages"][0]["message_code"] == "ERR-5010"
    assert not any(h.upper().startswith("API-") for h in gmo.state.seen[-1]["headers"])


async def test_without_credentials_requests_go_unsigned(gmo: Any) -> None:
    async with gmo.client(apis={}) as client:
        result = await client.fetch("GET", "https://api.coin.z.com/private/v1/account/margin")
    assert result.data["status"] == 1
    assert not gmo.state.seen[-1]["verified"]


async def test_wrong_secret_is_rejected_by_the_server(gmo: Any) -> None:
    async with gmo.client(apis={"gmocoin": [KEY, "wrong"]}) as client:
        result = await client.fetch("GET", "https://api.coin.z.com/private/v1/account/margin")
    assert result.data["messages"][0]["message_code"] == "ERR-5012"


async def test_secret_never_reaches_logs(
    gmo: Any, gmo_credentials: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = gmo_credentials[1]
    async with gmo.client() as client:
        await client.fetch("POST", "https://api.coin.z.com/private/v1/order", data={"a": 1})
        assert secret not in repr(client)
    assert gmo.state.seen[-1]["verified"]
    assert secret not in caplog.text


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
