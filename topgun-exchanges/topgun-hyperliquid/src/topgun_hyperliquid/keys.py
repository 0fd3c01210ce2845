"""The Hyperliquid credential: ``[PRIVATE_KEY]`` or ``[PRIVATE_KEY, VAULT_ADDRESS]``.

``PRIVATE_KEY`` is the secp256k1 key of the wallet that signs: the account's own key, or an API
wallet's (an "agent" approved by the account). It is 32 bytes as hex, ``0x`` optional.

``VAULT_ADDRESS`` (optional) is the vault or sub-account to trade on behalf of. It becomes the
``vaultAddress`` of trading actions whose body names none (see ``actions.VAULT_ACTIONS``); a body
that sets ``vaultAddress`` itself, even to ``null``, always wins. An empty string means none.

Every message here names the element that is wrong and never shows the key itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from topgun.plugin import Credential, SigningError

__all__ = ["HyperliquidKey", "check_address", "check_credential", "key_of"]

_HEX_KEY = re.compile(r"(?:0[xX])?[0-9a-fA-F]{64}")
_ADDRESS = re.compile(r"0[xX][0-9a-fA-F]{40}")
# The order of the secp256k1 group: a valid private key is in [1, ORDER - 1] (SEC 2, 2.4.1).
_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

KEY_SHAPE = "a 32-byte secp256k1 private key as 64 hex digits, optionally 0x-prefixed"


class HyperliquidKey(NamedTuple):
    """A checked ``hyperliquid`` credential, as the signing functions take it."""

    private_key: str
    """Normalised to ``0x`` + 64 lower-case hex digits."""
    vault_address: str | None


def _key_problem(value: str) -> str | None:
    """Why ``value`` is not a private key, in words that do not repeat it; None when it is one."""
    text = value.strip()
    if not _HEX_KEY.fullmatch(text):
        if _ADDRESS.fullmatch(text):
            return f"PRIVATE_KEY looks like an address (20 bytes), not {KEY_SHAPE}"
        return f"PRIVATE_KEY must be {KEY_SHAPE} (got {len(text)} characters)"
    number = int(text[2:] if text[:2].lower() == "0x" else text, 16)
    if not 0 < number < _ORDER:
        return "PRIVATE_KEY is out of the secp256k1 key range (zero or not below the group order)"
    return None


def check_address(value: object, what: str) -> str:
    """``value`` if it is a 0x-prefixed 20-byte hex address; addresses are public, so it is shown."""
    if not isinstance(value, str) or not _ADDRESS.fullmatch(value):
        raise ValueError(f"{what} must be a 0x-prefixed 20-byte hex address, not {value!r}")
    return value


def check_credential(values: Sequence[str]) -> None:
    """Checks the element values at ``Client(...)``; raises ValueError saying what is wrong."""
    problem = _key_problem(values[0])
    if problem:
        raise ValueError(problem)
    if len(values) > 1 and values[1]:
        check_address(values[1], "VAULT_ADDRESS")


def key_of(credential: Credential) -> HyperliquidKey:
    """The signing key and default vault of ``credential``, or a SigningError naming the problem.

    Checked again here because a Credential can be built without going through ``Client``.
    """
    values = credential.values
    if not values:
        raise SigningError(f"{credential.api}: the credential is empty; expected [PRIVATE_KEY]")
    problem = _key_problem(values[0])
    if problem:
        raise SigningError(f"{credential.api}: {problem}")
    text = values[0].strip().lower()
    vault = values[1] if len(values) > 1 and values[1] else None
    if vault is not None:
        try:
            check_address(vault, "VAULT_ADDRESS")
        except ValueError as exc:
            raise SigningError(f"{credential.api}: {exc}") from None
    return HyperliquidKey(text if text.startswith("0x") else "0x" + text, vault)
