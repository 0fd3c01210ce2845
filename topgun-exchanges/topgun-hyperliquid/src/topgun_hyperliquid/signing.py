"""Signing Hyperliquid exchange actions: L1 actions (phantom agent) and user-signed actions.

Facts, from https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/signing and the
official SDK (hyperliquid-python-sdk 0.24.0, ``hyperliquid/utils/signing.py``):

- L1 action: ``connectionId = keccak256(msgpack(action) + nonce as 8 big-endian bytes + (0x00, or
  0x01 + the 20 vault address bytes) + (nothing, or 0x00 + expiresAfter as 8 big-endian bytes))``.
  The wallet signs the EIP-712 struct ``Agent {string source, bytes32 connectionId}`` with
  ``source`` "a" on mainnet and "b" on testnet, in the domain {name "Exchange", version "1",
  chainId 1337, verifyingContract 0x0}.
- User-signed action: the wallet signs the action's own fields (``actions.USER_SIGNED_ACTIONS``)
  as ``HyperliquidTransaction:<Name>`` in the domain {name "HyperliquidSignTransaction", version
  "1", chainId = int(action["signatureChainId"], 16), verifyingContract 0x0}.
- The signature is sent as ``{"r": hex, "s": hex, "v": 27 or 28}``, r and s without leading
  zeros, as the SDK sends them.

The curve and hash work is eth-account's (``encode_typed_data``, ``Account.sign_message``, with
libsecp256k1 through coincurve) and eth-utils' keccak; nothing here is cryptography of its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import msgpack
from eth_account import Account
from eth_account.messages import SignableMessage, encode_typed_data
from eth_utils.crypto import keccak

from topgun.plugin import Clock, SigningError

from .actions import (
    DEFAULT_SIGNATURE_CHAIN_ID,
    USER_SIGNED_ACTIONS,
    VAULT_ACTIONS,
    FieldType,
    UserSignedType,
)
from .keys import HyperliquidKey, check_address
from .network import MAINNET, TESTNET, Network

__all__ = [
    "MAINNET",
    "TESTNET",
    "Network",
    "action_hash",
    "l1_typed_data",
    "sign_l1_action",
    "sign_payload",
    "sign_user_signed_action",
    "user_signed_typed_data",
]

ZERO_ADDRESS: Final = "0x0000000000000000000000000000000000000000"
_UINT64_MAX: Final = 2**64 - 1
_HEX_CHAIN_ID = re.compile(r"0[xX][0-9a-fA-F]+")

_DOMAIN_TYPE: Final = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
_AGENT_TYPE: Final = [
    {"name": "source", "type": "string"},
    {"name": "connectionId", "type": "bytes32"},
]


# -- L1 actions ----------------------------------------------------------------------------


def _uint64(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _UINT64_MAX:
        raise SigningError(f"{what} must be an integer in [0, 2**64), not {value!r}")
    return value


def action_hash(
    action: Any, vault_address: str | None, nonce: int, expires_after: int | None = None
) -> bytes:
    """The phantom agent's ``connectionId`` for ``action`` (32 bytes)."""
    try:
        data = msgpack.packb(action)
    except (TypeError, ValueError, OverflowError) as exc:
        raise SigningError(f"the action cannot be encoded with msgpack: {exc}") from None
    data += _uint64(nonce, "nonce").to_bytes(8, "big")
    if vault_address is None:
        data += b"\x00"
    else:
        try:
            check_address(vault_address, "vaultAddress")
        except ValueError as exc:
            raise SigningError(str(exc)) from None
        data += b"\x01" + bytes.fromhex(vault_address[2:])
    if expires_after is not None:
        data += b"\x00" + _uint64(expires_after, "expiresAfter").to_bytes(8, "big")
    return bytes(keccak(data))


def l1_typed_data(connection_id: bytes, network: Network) -> dict[str, Any]:
    """The EIP-712 message the wallet signs for an L1 action."""
    return {
        "domain": {
            "chainId": 1337,
            "name": "Exchange",
            "verifyingContract": ZERO_ADDRESS,
            "version": "1",
        },
        "types": {"Agent": _AGENT_TYPE, "EIP712Domain": _DOMAIN_TYPE},
        "primaryType": "Agent",
        "message": {"source": network.source, "connectionId": connection_id},
    }


def sign_l1_action(
    private_key: str,
    action: Any,
    *,
    nonce: int,
    vault_address: str | None = None,
    expires_after: int | None = None,
    network: Network = MAINNET,
) -> dict[str, Any]:
    """``{"r", "s", "v"}`` for an L1 action (order, cancel, modify, leverage, ...)."""
    connection_id = action_hash(action, vault_address, nonce, expires_after)
    return _sign(private_key, _encode(l1_typed_data(connection_id, network)))


# -- user-signed actions -------------------------------------------------------------------


def _chain_id(action: Mapping[str, Any]) -> int:
    declared = action.get("signatureChainId")
    if not isinstance(declared, str) or not _HEX_CHAIN_ID.fullmatch(declared):
        raise SigningError(
            f"{action.get('type')}: signatureChainId must be a 0x-prefixed hex chain id such as "
            f"{DEFAULT_SIGNATURE_CHAIN_ID!r}, not {declared!r}"
        )
    return int(declared, 16)


def user_signed_typed_data(
    action: Mapping[str, Any], kind: UserSignedType | None = None
) -> dict[str, Any]:
    """The EIP-712 message for a complete user-signed action (every field present).

    ``kind`` defaults to the table entry for ``action["type"]``; pass your own ``UserSignedType``
    to sign an action type this package does not know yet.
    """
    kind = kind or _kind_of(action)
    message: dict[str, Any] = {}
    for name, field_type in kind.fields:
        value = action.get(name, kind.signing_defaults.get(name))
        if value is None:
            fields = ", ".join(n for n, _ in kind.fields)
            raise SigningError(f"{kind.action} action lacks {name!r} (it signs {fields})")
        message[name] = _typed_value(kind.action, name, field_type, value)
    return {
        "domain": {
            "name": "HyperliquidSignTransaction",
            "version": "1",
            "chainId": _chain_id(action),
            "verifyingContract": ZERO_ADDRESS,
        },
        "types": {kind.primary_type: kind.eip712_types(), "EIP712Domain": _DOMAIN_TYPE},
        "primaryType": kind.primary_type,
        "message": message,
    }


def sign_user_signed_action(
    private_key: str, action: Mapping[str, Any], kind: UserSignedType | None = None
) -> dict[str, Any]:
    """``{"r", "s", "v"}`` for a complete user-signed action (usdSend, withdraw3, approveAgent, ...)."""
    return _sign(private_key, _encode(user_signed_typed_data(action, kind)))


def _table_entry(action: Mapping[str, Any]) -> UserSignedType | None:
    action_type = action.get("type")
    return USER_SIGNED_ACTIONS.get(action_type) if isinstance(action_type, str) else None


def _kind_of(action: Mapping[str, Any]) -> UserSignedType:
    kind = _table_entry(action)
    if kind is None:
        raise SigningError(_unknown_user_signed(action))
    return kind


def _unknown_user_signed(action: Mapping[str, Any]) -> str:
    known = ", ".join(sorted(USER_SIGNED_ACTIONS))
    return (
        f"action type {action.get('type')!r} declares signatureChainId/hyperliquidChain, so it is a "
        f"user-signed action, but topgun-hyperliquid does not know its EIP-712 type (known: {known}). "
        "Guessed field types and order would only be rejected by the exchange. Sign it yourself with "
        "topgun_hyperliquid.sign_user_signed_action(key, action, UserSignedType(...)) and send the body "
        "with its 'signature', or upgrade topgun-hyperliquid."
    )


def _typed_value(action: str, name: str, field_type: FieldType, value: Any) -> Any:
    what = f"{action}.{name}"
    if field_type == "uint64":
        return _uint64(value, what)
    if field_type == "bool":
        if not isinstance(value, bool):
            raise SigningError(f"{what} must be true or false, not {value!r}")
        return value
    if field_type == "address":
        try:
            return check_address(value, what)
        except ValueError as exc:
            raise SigningError(str(exc)) from None
    if not isinstance(value, str):
        raise SigningError(f"{what} must be a string, not {value!r}")
    return value


# -- whole request bodies ------------------------------------------------------------------


def sign_payload(
    payload: Mapping[str, Any], key: HyperliquidKey, network: Network, clock: Clock
) -> Mapping[str, Any]:
    """The ``/exchange`` body (or WebSocket post payload) with ``nonce`` and ``signature`` added.

    Returns ``payload`` itself when it is already signed, otherwise a new dict; the caller's
    objects are never changed. A user-signed action comes back completed (``hyperliquidChain``,
    ``signatureChainId`` and its nonce field filled in where absent).
    """
    if payload.get("signature") is not None:
        return payload
    action = payload.get("action")
    if not isinstance(action, Mapping):
        raise SigningError(
            "a Hyperliquid exchange request must be a JSON object with an 'action' object, "
            f"not one with action={action!r}"
        )
    kind = _table_entry(action)
    signed = dict(payload)
    if kind is None:
        if "signatureChainId" in action or "hyperliquidChain" in action:
            raise SigningError(_unknown_user_signed(action))
        nonce = payload.get("nonce")
        if nonce is None:
            nonce = signed["nonce"] = clock.time_ms()
        if "vaultAddress" in payload:
            vault = payload["vaultAddress"]
        elif key.vault_address is not None and str(action.get("type")) in VAULT_ACTIONS:
            vault = signed["vaultAddress"] = key.vault_address
        else:
            vault = None
        signed["signature"] = sign_l1_action(
            key.private_key,
            action,
            nonce=nonce,
            vault_address=vault,
            expires_after=payload.get("expiresAfter"),
            network=network,
        )
        return signed
    completed, nonce = _complete(action, kind, payload.get("nonce"), network, clock)
    signed["action"] = completed
    signed["nonce"] = nonce
    signed["signature"] = sign_user_signed_action(key.private_key, completed, kind)
    return signed


def _complete(
    action: Mapping[str, Any],
    kind: UserSignedType,
    body_nonce: Any,
    network: Network,
    clock: Clock,
) -> tuple[dict[str, Any], int]:
    """Fill in what the SDK would: network, chain id, and one nonce shared by body and action.

    The docs require the body's ``nonce`` to equal the action's own time/nonce field, so a
    mismatch is refused here rather than by the exchange.
    """
    completed = dict(action)
    chain = completed.setdefault("hyperliquidChain", network.chain)
    if chain != network.chain:
        raise SigningError(
            f"{kind.action}: hyperliquidChain is {chain!r}, but this request goes to the "
            f"{network.chain} API; remove it and topgun fills in the right one"
        )
    completed.setdefault("signatureChainId", DEFAULT_SIGNATURE_CHAIN_ID)
    own = completed.get(kind.nonce_field)
    if own is None and body_nonce is None:
        nonce = clock.time_ms()
    elif own is None:
        nonce = body_nonce
    elif body_nonce is None or body_nonce == own:
        nonce = own
    else:
        raise SigningError(
            f"{kind.action}: the body's nonce ({body_nonce!r}) differs from the action's "
            f"{kind.nonce_field} ({own!r}); Hyperliquid requires them to be equal (omit either "
            "and topgun copies the other)"
        )
    completed[kind.nonce_field] = _uint64(nonce, "nonce")
    return completed, nonce


# -- eth-account ---------------------------------------------------------------------------


def _encode(typed_data: dict[str, Any]) -> SignableMessage:
    try:
        return encode_typed_data(full_message=typed_data)
    except Exception as exc:  # eth-account's validation errors vary by version
        raise SigningError(
            f"the {typed_data['primaryType']} message cannot be EIP-712 encoded: {exc}"
        ) from None


def _sign(private_key: str, message: SignableMessage) -> dict[str, Any]:
    try:
        signed = Account.sign_message(message, private_key)
    except Exception as exc:
        # Never the exception text: it could quote the key.
        raise SigningError(f"signing failed ({type(exc).__name__})") from None
    return {"r": hex(signed.r), "s": hex(signed.s), "v": signed.v}
