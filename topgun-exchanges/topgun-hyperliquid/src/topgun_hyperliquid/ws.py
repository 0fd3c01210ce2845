"""The WebSocket (``wss://api.hyperliquid.xyz/ws``): the application ping and signed post actions.

- Heartbeat (https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket/timeouts-and-heartbeats):
  the server closes a connection to which nothing was sent for 60 seconds; the client keeps it
  open by sending ``{"method": "ping"}``, answered with ``{"channel": "pong"}``. topgun sends it
  every 30 seconds, half the server's limit, so one late or lost ping does not cost the
  connection (the official SDK uses 50 s, pybotters 30 s). The pong is JSON and reaches the JSON
  handlers like any other message.
- Post requests (https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket/post-requests):
  ``{"method": "post", "id": ..., "request": {"type": "action", "payload": {...}}}`` carries the
  same payload as an HTTP ``/exchange`` body, so its payload is signed the same way. ``info``
  posts and every other message go out unchanged. The WebSocket handshake is never signed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from topgun.plugin import Heartbeat, MessageSigningRequest, SigningError

from .keys import key_of
from .network import Network

__all__ = ["GREETING", "HEARTBEAT", "PING_INTERVAL", "MessageSigner"]

GREETING: Final = "Websocket connection established."
"""The plain-text frame the server sends first on every connection (the official SDK's
``WebsocketManager.on_message`` skips it by name); declared so it is not logged as bad JSON."""
PING_INTERVAL: Final = 30.0
HEARTBEAT: Final = Heartbeat(interval=PING_INTERVAL, message='{"method":"ping"}', frame="text")


class MessageSigner:
    """Signs the payload of outgoing ``post`` action messages for one network."""

    __slots__ = ("network",)

    def __init__(self, network: Network) -> None:
        self.network = network

    def __call__(self, request: MessageSigningRequest) -> Any:
        message = request.message
        if not isinstance(message, Mapping) or message.get("method") != "post":
            return message
        inner = message.get("request")
        if not isinstance(inner, Mapping) or inner.get("type") != "action":
            return message
        payload = inner.get("payload")
        if not isinstance(payload, Mapping):
            raise SigningError(
                "a Hyperliquid post action needs request.payload = {action, nonce?, vaultAddress?}, "
                f"not {payload!r}"
            )
        from .signing import sign_payload  # eth-account loads with the first signature

        signed = sign_payload(payload, key_of(request.credential), self.network, request.clock)
        if signed is payload:
            return message
        return {**message, "request": {**inner, "payload": signed}}

    def __repr__(self) -> str:
        return f"MessageSigner({self.network.chain})"
