"""Through topgun.Client to a local exchange reached as api.hyperliquid.xyz (and the testnet host).

The server (conftest.py) recovers the signer with the official SDK's recovery code and accepts
only the test wallet's address, as https://api.hyperliquid.xyz/exchange does; ``/info`` must
arrive as plain JSON without nonce or signature.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
import pytest
from eth_account import Account

import topgun
from topgun.plugin import Credential, CredentialError, SignedRequest, SigningError
from topgun.testing import Registry, signing_request
from topgun_hyperliquid import MAINNET as MAINNET_NETWORK
from topgun_hyperliquid import RequestSigner

KEY = "0x0123456789012345678901234567890123456789012345678901234567890123"
ADDRESS = Account.from_key(KEY).address
VAULT = "0x1719884eb866cb12b2287399b15f7db5e7d775ea"
OTHER = "0x5e9ee1089755c3435139848e47e6635505d5a13a"
NOW = 1700000000.123
NOW_MS = 1700000000123
MAINNET = "https://api.hyperliquid.xyz"
TESTNET = "https://api.hyperliquid-testnet.xyz"
ORDER = {
    "type": "order",
    "orders": [
        {
            "a": 4,
            "b": True,
            "p": "1670.1",
            "s": "0.0147",
            "r": False,
            "t": {"limit": {"tif": "Gtc"}},
        }
    ],
    "grouping": "na",
}


def client(exchange: Any, registry: Registry, apis: Any, **kwargs: Any) -> topgun.Client:
    return exchange.client(apis=apis, registry=registry, clock=topgun.FixedClock(NOW), **kwargs)


@pytest.mark.parametrize(
    ("base", "api"), [(MAINNET, "hyperliquid"), (TESTNET, "hyperliquid_testnet")]
)
async def test_order_is_signed_and_accepted(
    exchange: Any, registry: Registry, base: str, api: str
) -> None:
    async with client(exchange, registry, {api: [KEY]}) as c:
        result = await c.fetch("POST", f"{base}/exchange", data={"action": ORDER})
    assert result.data == {"status": "ok", "response": {"type": "order"}}, result.text
    record = exchange.seen[-1]
    assert record["signer"] == ADDRESS
    assert record["body"]["nonce"] == NOW_MS
    assert record["body"]["action"] == ORDER
    assert record["headers"]["Content-Type"] == "application/json"


async def test_mainnet_signature_is_not_a_testnet_signature(
    exchange: Any, registry: Registry
) -> None:
    """The source ("a"/"b") follows the host: a body signed for one network fails on the other."""
    async with client(exchange, registry, {"hyperliquid": [KEY]}) as c:
        await c.fetch("POST", f"{MAINNET}/exchange", data={"action": ORDER})
        signed = exchange.seen[-1]["body"]
        replayed = await c.fetch("POST", f"{TESTNET}/exchange", data=signed)
    assert replayed.data["status"] == "err"
    assert "does not exist" in replayed.data["response"]
    assert exchange.seen[-1]["signer"] != ADDRESS


async def test_credential_vault_and_expires_after(exchange: Any, registry: Registry) -> None:
    async with client(exchange, registry, {"hyperliquid": [KEY, VAULT]}) as c:
        trade = await c.fetch(
            "POST", f"{MAINNET}/exchange", data={"action": ORDER, "expiresAfter": NOW_MS + 5000}
        )
        assert trade.data["status"] == "ok", trade.text
        assert exchange.seen[-1]["body"]["vaultAddress"] == VAULT
        assert exchange.seen[-1]["body"]["expiresAfter"] == NOW_MS + 5000
        # The body's own vaultAddress wins, null included.
        own = await c.fetch(
            "POST", f"{MAINNET}/exchange", data={"action": ORDER, "vaultAddress": None}
        )
        assert own.data["status"] == "ok", own.text
        assert exchange.seen[-1]["body"]["vaultAddress"] is None
        other = "0x000000000000000000000000000000000000dead"
        theirs = await c.fetch(
            "POST", f"{MAINNET}/exchange", data={"action": ORDER, "vaultAddress": other}
        )
        assert theirs.data["status"] == "ok", theirs.text
        assert exchange.seen[-1]["body"]["vaultAddress"] == other


async def test_user_signed_actions_are_completed_and_accepted(
    exchange: Any, registry: Registry
) -> None:
    send = {"type": "usdSend", "destination": OTHER, "amount": "1"}
    agent = {"type": "approveAgent", "agentAddress": OTHER, "nonce": 1699999999000}
    async with client(exchange, registry, {"hyperliquid_testnet": [KEY]}) as c:
        first = await c.fetch("POST", f"{TESTNET}/exchange", data={"action": send})
        sent = exchange.seen[-1]["body"]
        second = await c.fetch("POST", f"{TESTNET}/exchange", data={"action": agent})
    assert first.data["status"] == "ok", first.text
    assert sent["action"] == {
        **send,
        "hyperliquidChain": "Testnet",
        "signatureChainId": "0x66eee",
        "time": NOW_MS,
    }
    assert sent["nonce"] == NOW_MS
    assert second.data["status"] == "ok", second.text
    assert exchange.seen[-1]["body"]["nonce"] == 1699999999000
    assert send == {"type": "usdSend", "destination": OTHER, "amount": "1"}  # not mutated


async def test_a_nonce_in_the_body_is_kept(exchange: Any, registry: Registry) -> None:
    async with client(exchange, registry, {"hyperliquid": [KEY]}) as c:
        result = await c.fetch("POST", f"{MAINNET}/exchange", data={"action": ORDER, "nonce": 123})
    assert result.data["status"] == "ok", result.text
    assert exchange.seen[-1]["body"]["nonce"] == 123


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/info"), ("POST", "/ws"), ("GET", "/exchange"), ("POST", "/")]
)
def test_only_post_exchange_is_ever_signed(method: str, path: str) -> None:
    body = orjson.dumps({"action": ORDER})
    credential = Credential("hyperliquid", [KEY])
    request = signing_request(
        method, f"{MAINNET}{path}", credential, body=body, data={"action": ORDER}, clock=NOW
    )
    assert RequestSigner(MAINNET_NETWORK)(request) == SignedRequest()


async def test_a_json_string_body_is_signed_too(exchange: Any, registry: Registry) -> None:
    async with client(exchange, registry, {"hyperliquid": [KEY]}) as c:
        result = await c.fetch(
            "POST", f"{MAINNET}/exchange", data=orjson.dumps({"action": ORDER}).decode()
        )
    assert result.data["status"] == "ok", result.text


async def test_info_is_json_and_never_signed(exchange: Any, registry: Registry) -> None:
    query = {"type": "allMids"}
    async with client(exchange, registry, {"hyperliquid": [KEY]}) as c:
        signed_client = await c.fetch("POST", f"{MAINNET}/info", data=query)
    async with client(exchange, registry, {}) as c:
        anonymous = await c.fetch("POST", f"{MAINNET}/info", data=query)
    assert signed_client.data == anonymous.data == {"BTC": "65000.5"}
    for record in exchange.seen[-2:]:
        assert record["path"] == "/info"
        assert record["raw"] == b'{"type":"allMids"}'
        assert record["headers"]["Content-Type"] == "application/json"


async def test_presigned_bodies_and_auth_none_are_sent_as_given(
    exchange: Any, registry: Registry
) -> None:
    own = {"action": ORDER, "nonce": 5, "signature": {"r": "0x1", "s": "0x2", "v": 27}}
    async with client(exchange, registry, {"hyperliquid": [KEY]}) as c:
        await c.fetch("POST", f"{MAINNET}/exchange", data=own)
        assert exchange.seen[-1]["body"] == own
        await c.fetch("POST", f"{MAINNET}/exchange", data={"action": ORDER}, auth=None)
        assert "signature" not in exchange.seen[-1]["body"]
    async with client(exchange, registry, {}) as c:
        unsigned = await c.fetch("POST", f"{MAINNET}/exchange", data={"action": ORDER})
    assert unsigned.data["response"] == "Missing signature or nonce"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"action": {"type": "multiSig", "signatureChainId": "0x66eee"}}, "does not know"),
        (
            {
                "action": {
                    "type": "usdSend",
                    "destination": OTHER,
                    "amount": "1",
                    "hyperliquidChain": "Mainnet",
                }
            },
            "goes to the Testnet API",
        ),
        (
            {
                "action": {"type": "usdSend", "destination": OTHER, "amount": "1", "time": 1},
                "nonce": 2,
            },
            "requires them to be equal",
        ),
        ({"action": {"type": "usdSend", "amount": "1"}}, "lacks 'destination'"),
        ({"action": {"type": "usdSend", "destination": OTHER, "amount": 1}}, "must be a string"),
        ({"action": {"type": "approveAgent", "agentAddress": "bob"}}, "20-byte hex address"),
        ({"action": ORDER, "nonce": "soon"}, "nonce must be an integer"),
        ({"action": ORDER, "vaultAddress": "0x12"}, "vaultAddress must be"),
        ({"orders": []}, "with an 'action' object"),
        ([1, 2], "must be a JSON object"),
    ],
)
async def test_what_cannot_be_signed_is_refused_before_sending(
    exchange: Any, registry: Registry, body: Any, fragment: str
) -> None:
    async with client(exchange, registry, {"hyperliquid_testnet": [KEY]}) as c:
        with pytest.raises(SigningError, match=fragment) as info:
            await c.fetch("POST", f"{TESTNET}/exchange", data=body)
    assert KEY[2:] not in str(info.value)
    assert exchange.seen == []


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ([KEY[:-2]], "64 hex digits"),
        (["0x" + "zz" * 32], "64 hex digits"),
        ([VAULT], "looks like an address"),
        (["0x" + "00" * 32], "out of the secp256k1 key range"),
        ([KEY, "0x1234"], "VAULT_ADDRESS must be"),
        ([KEY, VAULT, "extra"], "needs 1 to 2 strings"),
        ([], "needs 1 to 2 strings"),
    ],
)
def test_malformed_credentials_fail_at_client_without_the_key(
    registry: Registry, values: list[str], fragment: str
) -> None:
    with pytest.raises(CredentialError, match=fragment) as info:
        topgun.Client(apis={"hyperliquid": values}, registry=registry)
    message = str(info.value)
    assert "apis['hyperliquid']" in message
    assert KEY[2:] not in message and KEY[2:-2] not in message
    assert "PRIVATE_KEY" in message or "strings" in message


async def test_the_key_never_shows(
    exchange: Any, registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with client(exchange, registry, {"hyperliquid": [KEY, VAULT]}) as c:
        await c.fetch("POST", f"{MAINNET}/exchange", data={"action": ORDER})
        shown = [repr(c), str(c), repr(c._credentials), str(c._credentials)]
        route = c.registry.hosts["api.hyperliquid.xyz"]
        shown += [repr(route), repr(route.host.signer), repr(route.host.ws_message_signer)]
        with pytest.raises(SigningError) as info:
            await c.fetch(
                "POST", f"{MAINNET}/exchange", data={"action": {"type": "x", "hyperliquidChain": 1}}
            )
        shown.append(str(info.value))
    shown.append(caplog.text)
    shown.append(repr(exchange.seen))
    for text in shown:
        assert KEY[2:] not in text.lower()
