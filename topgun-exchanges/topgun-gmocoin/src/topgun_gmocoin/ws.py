"""GMO Coin WebSocket facts: endpoints and the subscription rate limit.

https://api.coin.z.com/docs/ (概要 / Introduction → エンドポイント / Endpoint, 制限 / API Limiting):

- Public WebSocket API: ``wss://api.coin.z.com/ws/public/v1``.
- Private WebSocket API: ``wss://api.coin.z.com/ws/private/v1/{access token}``; the token comes
  from ``POST /private/v1/ws-auth`` (see ``topgun_gmocoin.tokens``). There is no login message.
- Both limit requests (subscribe, unsubscribe) to one per second from one IP address.
- The server sends a WebSocket ping once a minute and disconnects after three unanswered ones;
  the protocol-level pong answers it (topgun's WebSocketApp answers pings), so GMO Coin needs no
  application heartbeat.
"""

from __future__ import annotations

from typing import Final

from yarl import URL

from topgun.plugin import RateLimit

PUBLIC_WS_URL: Final = URL("wss://api.coin.z.com/ws/public/v1")
PRIVATE_WS_PREFIX: Final = "wss://api.coin.z.com/ws/private/v1/"

SUBSCRIPTION_LIMIT: Final = RateLimit(messages=1, per_seconds=1.1)
"""One message per 1.1 s: the documented 1 per second plus a 10 % margin, because two messages
sent exactly 1.0 s apart can arrive closer together (the first delayed on the network more than
the second) and the exchange counts them as they arrive. Enforced locally by the WebSocketApp's
send limiter, with no HTTP request per message (the reference polled ``/public/v1/status``)."""


def private_ws_url(token: str) -> URL:
    """The Private WebSocket URL for an access token."""
    if not token or any(c in token for c in "/?#") or not token.isprintable():
        raise ValueError("a GMO Coin access token is one non-empty URL path segment")
    return URL(PRIVATE_WS_PREFIX + token)
