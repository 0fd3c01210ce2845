"""The user-signed Hyperliquid actions and their EIP-712 types, one table entry per action type.

Hyperliquid signs most actions as "L1 actions" (a msgpack hash wrapped in a phantom agent, see
``signing.py``); those need no table, since the hash covers whatever the action holds. The
actions below are instead signed by the user's wallet as human-readable EIP-712 messages, with a
primary type and a field list that the server rebuilds from its own definitions. The field order
of each entry is the one the server uses: an EIP-712 struct hash depends on it, so it must never
be taken from the caller's dict order (pybotters infers it from the dict, and gets it wrong when a
caller builds the dict in another order).

Sources, checked against each other:
- Exchange endpoint docs, one section per action:
  https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/exchange-endpoint
- Signing docs: https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/signing
- The official SDK's type lists, hyperliquid-python-sdk 0.24.0, ``hyperliquid/utils/signing.py``
  (``USD_SEND_SIGN_TYPES`` ... ``TOKEN_DELEGATE_TYPES``, ``sign_agent``,
  ``sign_approve_builder_fee``): https://github.com/hyperliquid-dex/hyperliquid-python-sdk
- ``cDeposit`` / ``cWithdraw`` ("Deposit into staking", "Withdraw from staking" in the exchange
  endpoint docs) have no helper in that SDK; their types are the ones those sections give.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

__all__ = [
    "DEFAULT_SIGNATURE_CHAIN_ID",
    "USER_SIGNED_ACTIONS",
    "VAULT_ACTIONS",
    "FieldType",
    "UserSignedType",
]

FieldType = Literal["string", "address", "bool", "uint64", "bytes32"]

DEFAULT_SIGNATURE_CHAIN_ID = "0x66eee"
"""Filled in when a user-signed action declares no ``signatureChainId``: the value the official
SDK always uses (``sign_user_signed_action``; 421614, Arbitrum Sepolia). Any chain id is valid
for the wallet signature as long as the action carries the one it was signed with; the signer
always signs with the one in the action."""

_CHAIN: tuple[str, FieldType] = ("hyperliquidChain", "string")


@dataclass(frozen=True, slots=True)
class UserSignedType:
    """How one user-signed action type is signed.

    ``fields`` are the EIP-712 fields in the server's order (``hyperliquidChain`` first);
    ``nonce_field`` is the action field that must equal the request's ``nonce`` ("time" for the
    older transfer actions, "nonce" for the rest); ``signing_defaults`` are values signed when the
    action omits the field, without adding it to the action (the SDK signs ``approveAgent`` with an
    empty ``agentName`` and then sends the action without it).
    """

    action: str
    primary_type: str
    fields: tuple[tuple[str, FieldType], ...]
    nonce_field: str = "nonce"
    signing_defaults: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def eip712_types(self) -> list[dict[str, str]]:
        return [{"name": name, "type": kind} for name, kind in self.fields]


def _entry(
    action: str,
    name: str,
    fields: tuple[tuple[str, FieldType], ...],
    nonce_field: str = "nonce",
    **defaults: Any,
) -> tuple[str, UserSignedType]:
    return action, UserSignedType(
        action,
        f"HyperliquidTransaction:{name}",
        (_CHAIN, *fields),
        nonce_field,
        MappingProxyType(defaults),
    )


USER_SIGNED_ACTIONS: Mapping[str, UserSignedType] = MappingProxyType(
    dict(
        [
            # "Core USDC transfer"
            _entry(
                "usdSend",
                "UsdSend",
                (("destination", "string"), ("amount", "string"), ("time", "uint64")),
                "time",
            ),
            # "Core spot transfer"
            _entry(
                "spotSend",
                "SpotSend",
                (
                    ("destination", "string"),
                    ("token", "string"),
                    ("amount", "string"),
                    ("time", "uint64"),
                ),
                "time",
            ),
            # "Initiate a withdrawal request"
            _entry(
                "withdraw3",
                "Withdraw",
                (("destination", "string"), ("amount", "string"), ("time", "uint64")),
                "time",
            ),
            # "Transfer from Spot account to Perp account (and vice versa)"
            _entry(
                "usdClassTransfer",
                "UsdClassTransfer",
                (("amount", "string"), ("toPerp", "bool"), ("nonce", "uint64")),
            ),
            # "Send Asset"
            _entry(
                "sendAsset",
                "SendAsset",
                (
                    ("destination", "string"),
                    ("sourceDex", "string"),
                    ("destinationDex", "string"),
                    ("token", "string"),
                    ("amount", "string"),
                    ("fromSubAccount", "string"),
                    ("nonce", "uint64"),
                ),
            ),
            # "Deposit into staking" / "Withdraw from staking"
            _entry("cDeposit", "CDeposit", (("wei", "uint64"), ("nonce", "uint64"))),
            _entry("cWithdraw", "CWithdraw", (("wei", "uint64"), ("nonce", "uint64"))),
            # "Delegate or undelegate stake from validator"
            _entry(
                "tokenDelegate",
                "TokenDelegate",
                (
                    ("validator", "address"),
                    ("wei", "uint64"),
                    ("isUndelegate", "bool"),
                    ("nonce", "uint64"),
                ),
            ),
            # "Approve an API wallet"
            _entry(
                "approveAgent",
                "ApproveAgent",
                (("agentAddress", "address"), ("agentName", "string"), ("nonce", "uint64")),
                agentName="",
            ),
            # "Approve a builder fee"
            _entry(
                "approveBuilderFee",
                "ApproveBuilderFee",
                (("maxFeeRate", "string"), ("builder", "address"), ("nonce", "uint64")),
            ),
            # Multi-sig: "Convert to multi-sig user"
            _entry(
                "convertToMultiSigUser",
                "ConvertToMultiSigUser",
                (("signers", "string"), ("nonce", "uint64")),
            ),
            # Account abstraction (SDK 0.24.0: user_dex_abstraction, user_set_abstraction)
            _entry(
                "userDexAbstraction",
                "UserDexAbstraction",
                (("user", "address"), ("enabled", "bool"), ("nonce", "uint64")),
            ),
            _entry(
                "userSetAbstraction",
                "UserSetAbstraction",
                (("user", "address"), ("abstraction", "string"), ("nonce", "uint64")),
            ),
        ]
    )
)
"""Action ``type`` -> how it is signed. Every other action type is signed as an L1 action,
except those that declare ``signatureChainId`` or ``hyperliquidChain`` (a user-signed action this
table does not know, such as ``multiSig``): those are refused with an error that says how to sign
them, rather than signed with guessed types the exchange would reject."""


VAULT_ACTIONS: frozenset[str] = frozenset(
    {
        "order",
        "modify",
        "batchModify",
        "cancel",
        "cancelByCloid",
        "scheduleCancel",
        "updateLeverage",
        "updateIsolatedMargin",
        "twapOrder",
        "twapCancel",
        "noop",
        "agentEnableDexAbstraction",
        "agentSetAbstraction",
    }
)
"""L1 actions that trade on behalf of a vault or sub-account when the credential names one and the
body sets no ``vaultAddress``. They are the actions the exchange endpoint docs give a
``vaultAddress`` for and that the SDK signs with its ``vault_address``; the SDK signs the others
(sub-account and vault transfers, ``createSubAccount``, deployments, ...) with none, so the
credential's vault is never added to those."""
