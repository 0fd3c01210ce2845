"""Mainnet or testnet: the only thing a host decides about a Hyperliquid signature.

Kept apart from ``signing`` so that registering the plugin (which maps each host to its network)
does not import eth-account and msgpack; those load with the first signature.
"""

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = ["MAINNET", "TESTNET", "Network"]


class Network(NamedTuple):
    """What differs between mainnet and testnet in a signature."""

    chain: str
    """``hyperliquidChain`` of user-signed actions."""
    source: str
    """``source`` of the phantom agent of L1 actions."""


MAINNET: Final = Network("Mainnet", "a")
TESTNET: Final = Network("Testnet", "b")
