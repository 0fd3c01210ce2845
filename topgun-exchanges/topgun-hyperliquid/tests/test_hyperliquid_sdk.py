"""Signatures the official SDK produces (hyperliquid-python-sdk 0.24.0, a test-only dependency).

For actions without a published vector (cancel, modify, expiresAfter, vault trading, every
user-signed action type), the SDK signs the same action with the same key and nonce and topgun
must produce the same r, s and v from the request body a user would send. The SDK's
``sign_user_signed_action`` always signs with signatureChainId 0x66eee; its lower-level
``user_signed_payload`` + ``sign_inner`` is used to check that a declared chain id is honoured.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import eth_account
import pytest
from hyperliquid.utils import signing as sdk
from hypothesis import given, settings
from hypothesis import strategies as st

import topgun
from topgun.plugin import Credential
from topgun_hyperliquid import MAINNET, TESTNET, Network, sign_payload
from topgun_hyperliquid.keys import key_of

KEY = "0x0123456789012345678901234567890123456789012345678901234567890123"
WALLET = eth_account.Account.from_key(KEY)
VAULT = "0x1719884eb866cb12b2287399b15f7db5e7d775ea"
OTHER = "0x5e9ee1089755c3435139848e47e6635505d5a13a"
NOW_MS = 1700000000123
CLOCK = topgun.FixedClock(NOW_MS / 1000)


def _key(vault: str | None = None) -> Any:
    return key_of(Credential("hyperliquid", [KEY] if vault is None else [KEY, vault]))


def _order_action() -> Any:
    order: sdk.OrderRequest = {
        "coin": "ETH",
        "is_buy": True,
        "sz": 0.0147,
        "limit_px": 1670.1,
        "reduce_only": False,
        "order_type": {"limit": {"tif": "Alo"}},
        "cloid": None,
    }
    return sdk.order_wires_to_order_action([sdk.order_request_to_order_wire(order, 4)])


L1_ACTIONS: dict[str, Any] = {
    "order": _order_action(),
    "cancel": {"type": "cancel", "cancels": [{"a": 4, "o": 91490942}]},
    "cancelByCloid": {
        "type": "cancelByCloid",
        "cancels": [{"asset": 4, "cloid": "0x00000000000000000000000000000001"}],
    },
    "modify": {
        "type": "modify",
        "oid": 91490942,
        "order": _order_action()["orders"][0],
    },
    "batchModify": {
        "type": "batchModify",
        "modifies": [{"oid": 91490942, "order": _order_action()["orders"][0]}],
    },
    "updateLeverage": {"type": "updateLeverage", "asset": 4, "isCross": True, "leverage": 5},
    "twapOrder": {
        "type": "twapOrder",
        "twap": {"a": 4, "b": True, "s": "1.5", "r": False, "m": 30, "t": False},
    },
}


@pytest.mark.parametrize("name", list(L1_ACTIONS))
@pytest.mark.parametrize("network", [MAINNET, TESTNET], ids=["mainnet", "testnet"])
@pytest.mark.parametrize(
    ("vault", "expires_after"),
    [(None, None), (VAULT, None), (None, NOW_MS + 60_000), (VAULT, NOW_MS + 60_000)],
    ids=["plain", "vault", "expiresAfter", "vault+expiresAfter"],
)
def test_l1_bodies_sign_like_the_sdk(
    name: str, network: Network, vault: str | None, expires_after: int | None
) -> None:
    action = L1_ACTIONS[name]
    body: dict[str, Any] = {"action": action}
    if vault:
        body["vaultAddress"] = vault
    if expires_after:
        body["expiresAfter"] = expires_after
    before = copy.deepcopy(body)
    signed = sign_payload(body, _key(), network, CLOCK)
    want = sdk.sign_l1_action(
        WALLET, copy.deepcopy(action), vault, NOW_MS, expires_after, network is MAINNET
    )
    assert signed["signature"] == want
    assert signed["nonce"] == NOW_MS
    assert body == before  # the caller's body is never changed


def test_the_credentials_vault_is_used_for_trading_actions_only() -> None:
    order = sign_payload({"action": L1_ACTIONS["order"]}, _key(VAULT), MAINNET, CLOCK)
    assert order["vaultAddress"] == VAULT
    assert order["signature"] == sdk.sign_l1_action(
        WALLET, L1_ACTIONS["order"], VAULT, NOW_MS, None, True
    )
    # The SDK signs sub-account and vault transfers with no vault, whatever it trades for.
    transfer = {"type": "vaultTransfer", "vaultAddress": VAULT, "isDeposit": True, "usd": 5}
    signed = sign_payload({"action": transfer}, _key(VAULT), MAINNET, CLOCK)
    assert "vaultAddress" not in signed
    assert signed["signature"] == sdk.sign_l1_action(WALLET, transfer, None, NOW_MS, None, True)
    # The body's own vaultAddress wins over the credential's, even null.
    own = sign_payload(
        {"action": L1_ACTIONS["cancel"], "vaultAddress": None}, _key(VAULT), MAINNET, CLOCK
    )
    assert own["vaultAddress"] is None
    assert own["signature"] == sdk.sign_l1_action(
        WALLET, L1_ACTIONS["cancel"], None, NOW_MS, None, True
    )


# action type -> (the action as the user sends it, the SDK function that signs it)
USER_SIGNED: dict[str, tuple[dict[str, Any], Callable[..., Any]]] = {
    "usdSend": (
        {"type": "usdSend", "destination": OTHER, "amount": "12.5", "time": NOW_MS},
        sdk.sign_usd_transfer_action,
    ),
    "spotSend": (
        {
            "type": "spotSend",
            "destination": OTHER,
            "token": "PURR:0xc4bf3f870c0e9465323c0b6ed28096c2",
            "amount": "3",
            "time": NOW_MS,
        },
        sdk.sign_spot_transfer_action,
    ),
    "withdraw3": (
        {"type": "withdraw3", "destination": OTHER, "amount": "2", "time": NOW_MS},
        sdk.sign_withdraw_from_bridge_action,
    ),
    "usdClassTransfer": (
        {"type": "usdClassTransfer", "amount": "7", "toPerp": True, "nonce": NOW_MS},
        sdk.sign_usd_class_transfer_action,
    ),
    "sendAsset": (
        {
            "type": "sendAsset",
            "destination": OTHER,
            "sourceDex": "",
            "destinationDex": "spot",
            "token": "USDC:0x6d1e7cde53ba9467b783cb7c530ce054",
            "amount": "1",
            "fromSubAccount": "",
            "nonce": NOW_MS,
        },
        sdk.sign_send_asset_action,
    ),
    "tokenDelegate": (
        {
            "type": "tokenDelegate",
            "validator": OTHER,
            "wei": 100000000,
            "isUndelegate": False,
            "nonce": NOW_MS,
        },
        sdk.sign_token_delegate_action,
    ),
    "approveAgent": (
        {"type": "approveAgent", "agentAddress": OTHER, "agentName": "bot", "nonce": NOW_MS},
        sdk.sign_agent,
    ),
    "approveBuilderFee": (
        {"type": "approveBuilderFee", "maxFeeRate": "0.001%", "builder": OTHER, "nonce": NOW_MS},
        sdk.sign_approve_builder_fee,
    ),
    "convertToMultiSigUser": (
        {
            "type": "convertToMultiSigUser",
            "signers": '{"authorizedUsers": ["0x5e9ee1089755c3435139848e47e6635505d5a13a"], "threshold": 1}',
            "nonce": NOW_MS,
        },
        sdk.sign_convert_to_multi_sig_user_action,
    ),
    "userDexAbstraction": (
        {"type": "userDexAbstraction", "user": OTHER, "enabled": True, "nonce": NOW_MS},
        sdk.sign_user_dex_abstraction_action,
    ),
    "userSetAbstraction": (
        {"type": "userSetAbstraction", "user": OTHER, "abstraction": "u", "nonce": NOW_MS},
        sdk.sign_user_set_abstraction_action,
    ),
}


@pytest.mark.parametrize("name", list(USER_SIGNED))
@pytest.mark.parametrize("network", [MAINNET, TESTNET], ids=["mainnet", "testnet"])
def test_user_signed_bodies_sign_like_the_sdk(name: str, network: Network) -> None:
    action, sdk_sign = USER_SIGNED[name]
    signed = sign_payload({"action": action}, _key(VAULT), network, topgun.FixedClock(1.0))
    sdk_action = copy.deepcopy(action)
    assert signed["signature"] == sdk_sign(WALLET, sdk_action, network is MAINNET)
    # The SDK added these to its action before signing; topgun sends the same action.
    assert signed["action"] == sdk_action
    assert signed["nonce"] == NOW_MS  # the action's own time/nonce, not the clock
    assert "vaultAddress" not in signed  # a user-signed action is the user's own


@pytest.mark.parametrize("name", list(USER_SIGNED))
def test_field_order_comes_from_the_type_table_not_the_dict(name: str) -> None:
    action, sdk_sign = USER_SIGNED[name]
    scrambled = dict(reversed(list(action.items())))
    assert list(scrambled) != list(action)
    signed = sign_payload({"action": scrambled}, _key(), MAINNET, CLOCK)
    assert signed["signature"] == sdk_sign(WALLET, copy.deepcopy(action), True)


def test_approve_agent_without_a_name_signs_an_empty_one_and_sends_none() -> None:
    action = {"type": "approveAgent", "agentAddress": OTHER, "nonce": NOW_MS}
    signed = sign_payload({"action": action}, _key(), MAINNET, CLOCK)
    assert "agentName" not in signed["action"]
    # Exchange.approve_agent(name=None): signs agentName "" and deletes it before sending.
    assert signed["signature"] == sdk.sign_agent(WALLET, {**action, "agentName": ""}, True)


@pytest.mark.parametrize("chain_id", ["0xa4b1", "0x66eee", "0x1"])
def test_the_declared_signature_chain_id_is_the_domain_chain_id(chain_id: str) -> None:
    action = {**USER_SIGNED["usdSend"][0], "signatureChainId": chain_id}
    signed = sign_payload({"action": action}, _key(), MAINNET, CLOCK)
    complete = {**action, "hyperliquidChain": "Mainnet"}
    data = sdk.user_signed_payload(
        "HyperliquidTransaction:UsdSend", sdk.USD_SEND_SIGN_TYPES, complete
    )
    assert data["domain"]["chainId"] == int(chain_id, 16)
    assert signed["signature"] == sdk.sign_inner(WALLET, data)
    assert signed["action"]["signatureChainId"] == chain_id


def test_missing_nonce_fields_come_from_the_clock_once() -> None:
    action = {"type": "usdSend", "destination": OTHER, "amount": "1"}
    signed = sign_payload({"action": action}, _key(), TESTNET, CLOCK)
    assert signed["nonce"] == signed["action"]["time"] == NOW_MS
    assert signed["signature"] == sdk.sign_usd_transfer_action(
        WALLET, {**action, "time": NOW_MS}, False
    )
    body_nonce = sign_payload({"action": action, "nonce": 42}, _key(), TESTNET, CLOCK)
    assert body_nonce["action"]["time"] == body_nonce["nonce"] == 42


_json_leaf = st.one_of(st.none(), st.booleans(), st.integers(0, 2**63 - 1), st.text(max_size=12))
_json = st.recursive(
    _json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
_address = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())


@settings(max_examples=60, deadline=None)
@given(
    fields=st.dictionaries(st.text(min_size=1, max_size=8), _json, max_size=4),
    nonce=st.integers(0, 2**64 - 1),
    vault=st.none() | _address,
    expires_after=st.none() | st.integers(0, 2**64 - 1),
    mainnet=st.booleans(),
)
def test_any_l1_action_signs_like_the_sdk(
    fields: dict[str, Any], nonce: int, vault: str | None, expires_after: int | None, mainnet: bool
) -> None:
    action = {"type": "anyL1Action", **{k: v for k, v in fields.items() if k != "type"}}
    body: dict[str, Any] = {"action": action, "nonce": nonce, "vaultAddress": vault}
    if expires_after is not None:
        body["expiresAfter"] = expires_after
    signed = sign_payload(body, _key(), MAINNET if mainnet else TESTNET, CLOCK)
    assert signed["signature"] == sdk.sign_l1_action(
        WALLET, action, vault, nonce, expires_after, mainnet
    )


@settings(max_examples=40, deadline=None)
@given(
    destination=_address,
    amount=st.text(max_size=20),
    time=st.integers(0, 2**64 - 1),
    mainnet=st.booleans(),
)
def test_any_usd_send_signs_like_the_sdk(
    destination: str, amount: str, time: int, mainnet: bool
) -> None:
    action = {"type": "usdSend", "destination": destination, "amount": amount, "time": time}
    signed = sign_payload({"action": action}, _key(), MAINNET if mainnet else TESTNET, CLOCK)
    assert signed["signature"] == sdk.sign_usd_transfer_action(WALLET, dict(action), mainnet)
