"""KuCoin WebSocket: the welcome check, the ping heartbeat, the uplink limit.

From https://www.kucoin.com/docs-new/websocket-api/base-info/introduction:

- A connection goes to ``<endpoint>?token=<token>&connectId=<id>`` (token and endpoint from a
  bullet request, see ``bullet.py``); "the connection will only be available once the welcome
  message has been received": ``{"id": "<connectId>", "type": "welcome"}``. A bad or expired token
  gets ``{"id": ..., "type": "error", "code": ..., "data": ...}`` instead. The welcome check waits
  for one or the other, so subscriptions go out only on a usable connection and a refused token
  is a visible login failure (logged, retried with backoff) rather than a silent one.
- Heartbeat: ``{"id": "<unique>", "type": "ping"}`` every ``pingInterval`` milliseconds, as the
  bullet response says (18000 in practice, the default here); the answer is ``{"type": "pong"}``.
- Uplink limit (https://github.com/Kucoin/kucoin-api-docs, "Request Rate Limit" > "WEBSOCKET":
  "Message limit sent to the server: 100 per 10 seconds").
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Final

from yarl import URL

from topgun.plugin import AuthenticationError, Clock, Heartbeat, RateLimit, WebSocketLogin

DEFAULT_PING_INTERVAL: Final = 18.0
WELCOME_TIMEOUT: Final = 10.0
RATE_LIMIT = RateLimit(messages=100, per_seconds=10.0)

_MAX_REMEMBERED = 256
_ping_intervals: OrderedDict[bytes, float] = OrderedDict()
_heartbeats: dict[float, Heartbeat] = {}
_refusal_callbacks: dict[bytes, Callable[[], object]] = {}


def _token_digest(token: str) -> bytes:
    # Tokens are credentials of a kind: only a digest of each is kept, never the token itself.
    return hashlib.blake2b(token.encode(), digest_size=16).digest()


def remember_ping_interval(token: str, seconds: float) -> None:
    """Record the bullet response's ``pingInterval`` for connections made with ``token``."""
    key = _token_digest(token)
    _ping_intervals[key] = seconds
    _ping_intervals.move_to_end(key)
    while len(_ping_intervals) > _MAX_REMEMBERED:
        _ping_intervals.popitem(last=False)


def notify_on_refusal(token: str, callback: Callable[[], object]) -> Callable[[], None]:
    """Call ``callback()`` when KuCoin refuses a connection made with ``token``; returns a remover.

    This is how ``KuCoinStream`` learns, without polling, that its URL needs a new token now.
    """
    key = _token_digest(token)
    _refusal_callbacks[key] = callback

    def remove() -> None:
        if _refusal_callbacks.get(key) is callback:
            del _refusal_callbacks[key]

    return remove


def ping_message(clock: Clock) -> str:
    """A ping with a unique id (the docs' sample uses a millisecond timestamp)."""
    return f'{{"id":"{clock.time_ms()}","type":"ping"}}'


def heartbeat_for(url: URL) -> Heartbeat:
    """The heartbeat of one connection: at its token's ``pingInterval``, else every 18 s."""
    token = url.query.get("token")
    interval = DEFAULT_PING_INTERVAL
    if token:
        interval = _ping_intervals.get(_token_digest(token), DEFAULT_PING_INTERVAL)
    heartbeat = _heartbeats.get(interval)
    if heartbeat is None:
        heartbeat = _heartbeats[interval] = Heartbeat(
            interval=interval, message=ping_message, frame="text"
        )
    return heartbeat


def is_welcome_or_error(message: Any) -> bool:
    return isinstance(message, dict) and message.get("type") in ("welcome", "error")


async def await_welcome(login: WebSocketLogin) -> None:
    """Return on KuCoin's welcome message; raise AuthenticationError on its error message."""
    reply = await receive_reply(login, WELCOME_TIMEOUT, is_welcome_or_error)
    if reply.get("type") == "welcome":
        return
    token = login.url.query.get("token")
    callback = _refusal_callbacks.get(_token_digest(token)) if token else None
    if callback is not None:
        callback()
    raise AuthenticationError(
        f"KuCoin refused the connection: code {reply.get('code')!r}, {reply.get('data')!r} "
        "(bullet tokens expire after 24 hours: fetch a fresh URL with topgun_kucoin.ws_url)"
    )


async def receive_reply(
    login: WebSocketLogin,
    timeout: float,  # noqa: ASYNC109 - one deadline per expected reply
    match: Callable[[Any], bool],
) -> Any:
    """The first JSON message ``match`` accepts within ``timeout`` seconds (TimeoutError if none).

    Core keeps every other frame for the handlers (``receive_json``'s ``match``, core >= the
    WebSocketApp release); the call goes through a plain callable so this module also type-checks
    against the older ``WebSocketLogin`` protocol, which lacked the parameter.
    """
    receive: Callable[..., Awaitable[Any]] = login.receive_json
    return await receive(timeout, match=match)
