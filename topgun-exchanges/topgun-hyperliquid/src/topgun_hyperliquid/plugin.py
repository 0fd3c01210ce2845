"""topgun hook implementations for Hyperliquid (registration only; nothing here runs per request).

API names: ``hyperliquid`` (https://api.hyperliquid.xyz) and ``hyperliquid_testnet``
(https://api.hyperliquid-testnet.xyz); the WebSocket is ``/ws`` on the same hosts
(https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api). Whether a signature is for
mainnet or testnet follows from the host, never from the request.

Registering imports no eth-account or msgpack (half a second): the signers load them on the
first signature, so installing every plugin keeps ``Client()`` fast for those who never sign here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from topgun.plugin import ApiSpec, Host, hookimpl

from .auth import RequestSigner
from .keys import check_credential
from .network import MAINNET, TESTNET, Network
from .store import HyperliquidDataStore
from .ws import GREETING, HEARTBEAT, MessageSigner

API = "hyperliquid"
TESTNET_API = "hyperliquid_testnet"

HOSTS: dict[str, tuple[str, Network]] = {
    "api.hyperliquid.xyz": (API, MAINNET),
    "api.hyperliquid-testnet.xyz": (TESTNET_API, TESTNET),
}

_HINT = (
    "Hyperliquid takes [PRIVATE_KEY] or [PRIVATE_KEY, VAULT_ADDRESS]: the hex private key of your "
    "wallet or API wallet, optionally followed by the vault or sub-account address to trade for."
)


@hookimpl
def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
    for api, network in HOSTS.values():
        label = "Hyperliquid" if network is MAINNET else "Hyperliquid testnet"
        register(
            ApiSpec(
                api,
                fields=("PRIVATE_KEY",),
                optional_fields=("VAULT_ADDRESS",),
                label=label,
                hint=_HINT,
                check=check_credential,
            )
        )


@hookimpl
def topgun_register_hosts(register: Callable[[Host], None]) -> None:
    for name, (api, network) in HOSTS.items():
        register(
            Host(
                name,
                api=api,
                signer=RequestSigner(network),
                # JSON for every path, /info included, whether a request is signed or not.
                body="json",
                ws_heartbeat=HEARTBEAT,
                ws_message_signer=MessageSigner(network),
                ws_notices=(GREETING,),
            )
        )


@hookimpl
def topgun_register_datastores(register: Callable[[str, type[Any]], None]) -> None:
    register("HyperliquidDataStore", HyperliquidDataStore)
