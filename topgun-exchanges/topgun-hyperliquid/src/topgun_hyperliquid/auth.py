"""The HTTP request signer for api.hyperliquid.xyz and api.hyperliquid-testnet.xyz.

Only ``POST /exchange`` is signed (https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/exchange-endpoint):
the JSON body gets ``nonce`` (milliseconds from the Client's clock) when it has none and
``signature`` when it has none, and the signer returns the new body. ``/info`` is public and is
never signed, with or without credentials (the host's JSON body encoding still applies to it);
``/ws`` is the WebSocket, never signed either.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from topgun.plugin import SignedRequest, SigningError, SigningRequest

from .keys import key_of
from .network import Network

__all__ = ["RequestSigner"]

EXCHANGE_PATH = "/exchange"
_UNCHANGED = SignedRequest()


class RequestSigner:
    """Signs ``/exchange`` requests for one network (mainnet or testnet, chosen by the host)."""

    __slots__ = ("network",)

    def __init__(self, network: Network) -> None:
        self.network = network

    def __call__(self, request: SigningRequest) -> SignedRequest:
        if request.url.path != EXCHANGE_PATH or request.method.upper() != "POST":
            return _UNCHANGED
        payload = _payload(request)
        if payload is None:
            return _UNCHANGED
        from .signing import sign_payload  # eth-account loads with the first signature

        signed = sign_payload(payload, key_of(request.credential), self.network, request.clock)
        if signed is payload:
            return _UNCHANGED
        return SignedRequest(body=orjson.dumps(signed))

    def __repr__(self) -> str:
        return f"RequestSigner({self.network.chain})"


def _payload(request: SigningRequest) -> Mapping[str, Any] | None:
    """The body as a mapping: the caller's own ``data`` when it is one, else the decoded bytes."""
    if isinstance(request.data, Mapping):
        return request.data
    if not request.body:
        return None
    try:
        decoded = orjson.loads(request.body)
    except orjson.JSONDecodeError:
        raise SigningError(
            "a Hyperliquid /exchange body must be JSON; pass data= as a dict"
        ) from None
    if not isinstance(decoded, dict):
        raise SigningError(
            f"a Hyperliquid /exchange body must be a JSON object, not a JSON {type(decoded).__name__}"
        )
    return decoded
