"""The WebSocket parts, called directly: the ping and the post-action message signer.

https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket/post-requests :
``{"method": "post", "id": n, "request": {"type": "action" | "info", "payload": ...}}``; an
action payload is the HTTP ``/exchange`` body. Signatures are checked against the official SDK.
"""

from __future__ import annotations

import copy
from typing import Any

import eth_account
import orjson
import pytest
from hyperliquid.utils import signing as sdk
from yarl import URL

import topgun
from topgun.plugin import Credential, MessageSigningRequest, SigningError
from topgun_hyperliquid import HEARTBEAT, MAINNET, TESTNET, MessageSigner

KEY = "0x0123456789012345678901234567890123456789012345678901234567890123"
WALLET = eth_account.Account.from_key(KEY)
VAULT = "0x1719884eb866cb12b2287399b15f7db5e7d775ea"
NOW_MS = 1700000000123
CANCEL = {"type": "cancel", "cancels": [{"a": 0, "o": 123}]}


def sign(signer: MessageSigner, message: Any, values: list[str] | None = None) -> Any:
    credential = Credential("hyperliquid", values or [KEY])
    request = MessageSigningRequest(
        message, URL("wss://api.hyperliquid.xyz/ws"), credential, topgun.FixedClock(NOW_MS / 1000)
    )
    return signer(request)


def post(payload: Any, kind: str = "action") -> dict[str, Any]:
    return {"method": "post", "id": 7, "request": {"type": kind, "payload": payload}}


def test_the_ping_keeps_well_inside_the_servers_idle_limit() -> None:
    # Timeouts and heartbeats: the server closes a connection idle (from the client) for 60 s.
    assert HEARTBEAT.frame == "text"
    assert orjson.loads(HEARTBEAT.message) == {"method": "ping"}  # type: ignore[arg-type]
    assert 0 < HEARTBEAT.interval <= 30


@pytest.mark.parametrize(("network", "mainnet"), [(MAINNET, True), (TESTNET, False)])
def test_post_actions_get_a_signed_payload_in_a_new_message(network: Any, mainnet: bool) -> None:
    message = post({"action": CANCEL})
    before = copy.deepcopy(message)
    signed = sign(MessageSigner(network), message)
    assert message == before  # never mutated
    assert (
        signed["method"] == "post" and signed["id"] == 7 and signed["request"]["type"] == "action"
    )
    payload = signed["request"]["payload"]
    assert payload["nonce"] == NOW_MS
    assert payload["signature"] == sdk.sign_l1_action(WALLET, CANCEL, None, NOW_MS, None, mainnet)


def test_vault_and_user_signed_payloads() -> None:
    signer = MessageSigner(MAINNET)
    traded = sign(signer, post({"action": CANCEL}), [KEY, VAULT])["request"]["payload"]
    assert traded["vaultAddress"] == VAULT
    assert traded["signature"] == sdk.sign_l1_action(WALLET, CANCEL, VAULT, NOW_MS, None, True)
    send = {"type": "usdSend", "destination": VAULT, "amount": "1", "time": NOW_MS}
    sent = sign(signer, post({"action": send}))["request"]["payload"]
    assert sent["signature"] == sdk.sign_usd_transfer_action(WALLET, dict(send), True)


def test_everything_else_goes_out_as_it_is() -> None:
    signer = MessageSigner(MAINNET)
    for message in (
        {"method": "subscribe", "subscription": {"type": "trades", "coin": "BTC"}},
        {"method": "ping"},
        post({"type": "l2Book", "coin": "BTC"}, kind="info"),
        post({"action": CANCEL, "nonce": 1, "signature": {"r": "0x1", "s": "0x2", "v": 27}}),
        "ping",
        [1, 2, 3],
    ):
        assert sign(signer, message) is message


def test_a_post_action_without_a_payload_object_is_refused() -> None:
    with pytest.raises(SigningError, match=r"request\.payload"):
        sign(MessageSigner(MAINNET), post(None))
    with pytest.raises(SigningError, match="'action' object"):
        sign(MessageSigner(MAINNET), post({"nonce": 1}))
