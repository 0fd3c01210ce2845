"""A minimal PubNub subscriber: one long-poll request at a time over the topgun Client's session.

PubNub's REST Subscribe V2 (https://www.pubnub.com/docs/sdks/rest-api/subscribe-v-2):
``GET https://ps.pndsn.com/v2/subscribe/{sub_key}/{channel}/0?tt=..&tr=..&auth=..&uuid=..``.
The first call passes ``tt=0`` and returns at once with a cursor ``{"t": {"t": timetoken,
"r": region}}``; every next call passes that ``tt`` and ``tr`` and is held open until messages
arrive (or a few minutes pass), returning ``{"t": {...}, "m": [envelope, ...]}`` where each
envelope's ``d`` is the published message. A request made with an expired Access Manager token
fails with HTTP 403 "Token is expired."
(https://www.pubnub.com/docs/security/access-control/update-expired-token).

Why not the official ``pubnub`` package: its asyncio client brings its own HTTP stack (httpx),
reconnection policy and event-listener model, plus pycryptodomex and cbor2 that a subscriber does
not need. This module is one GET in a loop on the session the user already configured (proxy,
TLS, connector, test resolver), so it starts, stops and is cancelled like any other coroutine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import orjson
from yarl import URL

from .errors import PubNubError

if TYPE_CHECKING:
    from topgun import Client

ORIGIN: Final = "ps.pndsn.com"
SUBSCRIBE_TIMEOUT: Final = 310.0
"""Seconds to wait for one subscribe reply: PubNub holds it open for up to about 280 s, and the
PubNub SDKs give up after 310 s."""


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the subscription stands: PubNub's timetoken and region (``tt`` and ``tr``)."""

    timetoken: str = "0"
    region: int | None = None


async def subscribe(
    client: Client,
    *,
    subscribe_key: str,
    channel: str,
    token: str,
    uuid: str,
    cursor: Cursor,
    origin: str = ORIGIN,
) -> tuple[list[Any], Cursor]:
    """One Subscribe V2 call: the messages (each envelope's ``d``) and the next cursor.

    Raises ``PubNubError`` for a non-200 reply (``access_denied`` for 403), ``ValueError`` for a
    200 reply that is not a subscribe response, aiohttp/OS errors for transport failures.
    """
    url = URL.build(scheme="https", host=origin, path=f"/v2/subscribe/{subscribe_key}/{channel}/0")
    params: dict[str, str] = {"tt": cursor.timetoken, "auth": token, "uuid": uuid}
    if cursor.region is not None:
        params["tr"] = str(cursor.region)
    async with client.get(url, params=params) as response:
        raw = await response.read()
        status = response.status
    if status != 200:
        raise PubNubError(status, _reason(raw))
    return parse_response(raw)


def parse_response(raw: bytes) -> tuple[list[Any], Cursor]:
    try:
        reply = orjson.loads(raw)
        timetoken = reply["t"]
        cursor = Cursor(str(timetoken["t"]), _region(timetoken.get("r")))
        envelopes = reply.get("m") or []
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not a PubNub subscribe response ({type(exc).__name__})") from None
    messages = [e["d"] for e in envelopes if isinstance(e, dict) and "d" in e]
    return messages, cursor


def _region(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _reason(raw: bytes) -> str:
    """PubNub's error ``message``, e.g. "Token is expired." (never the request, so no token)."""
    try:
        reply = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return ""
    message = reply.get("message") if isinstance(reply, dict) else None
    return message[:200] if isinstance(message, str) else ""
