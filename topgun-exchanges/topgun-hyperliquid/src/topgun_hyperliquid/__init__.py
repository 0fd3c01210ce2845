"""Hyperliquid for topgun: EIP-712 signing of exchange actions over HTTP and WebSocket, the ping.

Credentials: ``{"hyperliquid": ["0x<private key>"]}`` (or ``hyperliquid_testnet``), optionally
with a vault or sub-account address as a second element. ``Client.post(".../exchange",
data={"action": {...}})`` fills in ``nonce`` and ``signature``; the functions below sign by hand.
"""

from .actions import USER_SIGNED_ACTIONS, VAULT_ACTIONS, UserSignedType
from .auth import RequestSigner
from .signing import (
    MAINNET,
    TESTNET,
    Network,
    action_hash,
    sign_l1_action,
    sign_payload,
    sign_user_signed_action,
)
from .ws import HEARTBEAT, MessageSigner

__all__ = [
    "HEARTBEAT",
    "MAINNET",
    "TESTNET",
    "USER_SIGNED_ACTIONS",
    "VAULT_ACTIONS",
    "MessageSigner",
    "Network",
    "RequestSigner",
    "UserSignedType",
    "action_hash",
    "sign_l1_action",
    "sign_payload",
    "sign_user_signed_action",
]
