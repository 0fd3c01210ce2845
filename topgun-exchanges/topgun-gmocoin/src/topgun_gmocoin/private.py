"""``private_ws``: a GMO Coin Private WebSocket whose access token looks after itself."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from topgun.plugin import Retry

from .tokens import DEFAULT_CHECK_EVERY, DEFAULT_EXTEND_EVERY, GMOCoinTokenManager

if TYPE_CHECKING:
    from topgun import Client, WebSocketApp

__all__ = ["GMOCoinPrivateStream", "private_ws"]


class GMOCoinPrivateStream:
    """A Private WebSocket ``app`` and the ``tokens`` manager that keeps its URL valid.

    ``close()`` (or leaving ``async with``) closes the app and stops the manager, which revokes
    the token; closing the app alone, or the Client, stops the manager too.
    """

    def __init__(self, app: WebSocketApp, tokens: GMOCoinTokenManager) -> None:
        self.app = app
        self.tokens = tokens

    async def wait(self) -> None:
        """Return when the app is closed."""
        await self.app.wait()

    async def close(self) -> None:
        await self.app.close()
        await self.tokens.close()

    async def __aenter__(self) -> GMOCoinPrivateStream:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<GMOCoinPrivateStream {self.app!r} {self.tokens!r}>"


async def private_ws(
    client: Client,
    *,
    extend_every: float = DEFAULT_EXTEND_EVERY,
    check_every: float = DEFAULT_CHECK_EVERY,
    retry: Retry | None = None,
    **ws_connect: Any,
) -> GMOCoinPrivateStream:
    """Create an access token, open ``wss://api.coin.z.com/ws/private/v1/<token>`` with
    ``client.ws_connect(**ws_connect)`` (``send_json=``, ``hdlr_json=``, ``backoff=``, ...) and keep
    the token alive and the app's URL on it (see ``GMOCoinTokenManager``).

    Raises at once when the first token cannot be made (missing or wrong credentials).
    """
    tokens = GMOCoinTokenManager(
        client, extend_every=extend_every, check_every=check_every, retry=retry
    )
    url = await tokens.start()
    try:
        app = client.ws_connect(url, **ws_connect)
    except BaseException:
        await tokens.close()
        raise
    tokens.attach(app)
    return GMOCoinPrivateStream(app, tokens)
