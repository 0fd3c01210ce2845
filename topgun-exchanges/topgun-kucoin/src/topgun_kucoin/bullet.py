"""KuCoin bullet tokens: the URL a KuCoin WebSocket connects to.

https://www.kucoin.com/docs-new/websocket-api/base-info/introduction ("Apply Connect Token") and
the "Get Public/Private Token - Spot/Margin" and "- Futures" pages: ``POST /api/v1/bullet-public``
(no signature) or ``POST /api/v1/bullet-private`` (signed) on the spot host (api.kucoin.com) or the
futures host (api-futures.kucoin.com), which "cannot be mixed", returns ``data.token`` and
``data.instanceServers[].endpoint`` / ``pingInterval`` (ms). The connection URL is
``<endpoint>?token=<token>&connectId=<unique id>``. A token is valid for 24 hours, so every
(re)connection should use a recently fetched URL.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any, Final

from yarl import URL

from topgun.plugin import TopgunError

from .ws import remember_ping_interval

if TYPE_CHECKING:
    from topgun import Client

SPOT_REST: Final = "https://api.kucoin.com"
FUTURES_REST: Final = "https://api-futures.kucoin.com"
API: Final = "kucoin"


class BulletError(TopgunError):
    """KuCoin did not hand out a WebSocket token; the message carries its code, never a token."""


def bullet_endpoint(*, private: bool, futures: bool) -> str:
    base = FUTURES_REST if futures else SPOT_REST
    return f"{base}/api/v1/bullet-{'private' if private else 'public'}"


def url_from_bullet(data: Any, connect_id: str | None = None) -> URL:
    """Build the connection URL from a bullet response's ``data`` (and remember its ping interval)."""
    try:
        token = data["token"]
        server = data["instanceServers"][0]
        endpoint = URL(server["endpoint"])
    except (KeyError, IndexError, TypeError, ValueError):
        raise BulletError("KuCoin's bullet response has no token or instance server") from None
    if not isinstance(token, str) or not token or not endpoint.absolute:
        raise BulletError("KuCoin's bullet response has no usable token or endpoint")
    interval = server.get("pingInterval")
    if isinstance(interval, int | float) and interval > 0:
        remember_ping_interval(token, interval / 1000)
    connect_id = connect_id if connect_id is not None else secrets.token_hex(8)
    return endpoint.with_query(token=token, connectId=connect_id)


async def ws_url(client: Client, *, private: bool = False, futures: bool = False) -> URL:
    """Fetch a bullet token and return the URL to connect to (spot unless ``futures``).

    ``private=True`` signs the request with the Client's ``kucoin`` credentials (required for
    private channels); a public token is fetched without sending any credential.
    """
    if private and API not in client.api_names:
        raise BulletError(
            "a private KuCoin WebSocket token needs 'kucoin' credentials "
            "([API_KEY, API_SECRET, PASSPHRASE]) in the Client's apis"
        )
    result = await client.fetch(
        "POST",
        bullet_endpoint(private=private, futures=futures),
        **({} if private else {"auth": None}),
    )
    body = result.data
    if result.response.status != 200 or not isinstance(body, dict) or body.get("code") != "200000":
        code = body.get("code") if isinstance(body, dict) else None
        msg = body.get("msg") if isinstance(body, dict) else None
        raise BulletError(
            f"KuCoin refused a {'private' if private else 'public'} WebSocket token: "
            f"HTTP {result.response.status}, code {code!r}, {msg!r}"
        )
    return url_from_bullet(body.get("data"))
