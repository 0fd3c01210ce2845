"""Hyperliquid for topgun: EIP-712 signing of exchange actions over HTTP and WebSocket, the ping.

Credentials: ``{"hyperliquid": ["0x<private key>"]}`` (or ``hyperliquid_testnet``), optionally
with a vault or sub-account address as a second element. ``Client.post(".../exchange",
data={"action": {...}})`` fills in ``nonce`` and ``signature``; the functions below sign by hand.

The signing functions are imported on first access: importing this package (which registering
the plugin does) must not load eth-account and msgpack for users who never sign on Hyperliquid.
"""

from typing import TYPE_CHECKING, Any

from .actions import USER_SIGNED_ACTIONS, VAULT_ACTIONS, UserSignedType
from .auth import RequestSigner
from .info import INFO_URL, TESTNET_INFO_URL, InfoReply, info
from .keys import HyperliquidKey
from .network import MAINNET, TESTNET, Network
from .store import HyperliquidDataStore
from .ws import HEARTBEAT, MessageSigner

if TYPE_CHECKING:
    from .signing import action_hash, sign_l1_action, sign_payload, sign_user_signed_action

__all__ = [
    "HEARTBEAT",
    "INFO_URL",
    "MAINNET",
    "TESTNET",
    "TESTNET_INFO_URL",
    "USER_SIGNED_ACTIONS",
    "VAULT_ACTIONS",
    "HyperliquidDataStore",
    "HyperliquidKey",
    "InfoReply",
    "MessageSigner",
    "Network",
    "RequestSigner",
    "UserSignedType",
    "action_hash",
    "info",
    "sign_l1_action",
    "sign_payload",
    "sign_user_signed_action",
]

_SIGNING = frozenset({"action_hash", "sign_l1_action", "sign_payload", "sign_user_signed_action"})


def __getattr__(name: str) -> Any:
    if name in _SIGNING:
        from . import signing

        return getattr(signing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
