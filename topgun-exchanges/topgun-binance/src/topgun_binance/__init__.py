"""Binance for topgun: request signing (HMAC, RSA, Ed25519 keys), WebSocket API signing, send limits.

API names: ``binance`` (spot, margin, USDⓈ-M, COIN-M, options, portfolio margin),
``binancespot_testnet``, ``binancefuture_testnet``. Credentials are ``[API_KEY, API_SECRET]``;
for an RSA or Ed25519 key the secret is the PEM private key (see ``topgun_binance.keys``).

Listen keys for user data streams are created with ``POST /api/v3/userDataStream`` (or
``/fapi/v1/listenKey``, ``/dapi/v1/listenKey``); topgun sends only the API-key header there, as
those endpoints are ``USER_STREAM``. Then connect to ``wss://stream.binance.com:9443/ws/<listenKey>``.

Clock skew: Binance rejects a ``timestamp`` outside ``recvWindow`` (error -1021). Every signature
reads ``client.clock``; set ``client.clock.offset`` (seconds, server minus local) or call
``client.clock.sync_to(server_time_seconds)``, for example with ``GET /api/v3/time``'s
``serverTime / 1000``.
"""

from .auth import sign_request
from .ws import sign_message

__all__ = ["sign_message", "sign_request"]
