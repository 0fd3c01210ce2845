"""A KuCoin WebSocket whose reconnections always use a valid bullet token.

A bullet token is valid for 24 hours and KuCoin drops a connection after about as long
(https://www.kucoin.com/docs-new/websocket-api/base-info/introduction, "Apply Connect Token"), so
a URL fetched once cannot serve every reconnection of a long-running bot. ``connect`` opens the
``WebSocketApp`` on a fresh URL and keeps ``app.url`` (the URL its next reconnection uses) fresh:
a new token at the start and right after every reconnection, at once when KuCoin refuses the current one (the
welcome check reports it), and at least every ``refresh_every`` seconds, so the URL waiting for the
next reconnection is never older than that. Refreshing only replaces the URL; the live connection
is untouched. (A refusal is seen where the welcome check runs, that is with ``kucoin``
credentials loaded; public streams without them rely on the other two triggers.)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

import aiohttp
from yarl import URL

from topgun.plugin import TopgunError

from .bullet import BulletError, ws_url
from .ws import notify_on_refusal

if TYPE_CHECKING:
    from topgun import Client, WebSocketApp

log = logging.getLogger("topgun.kucoin")

REFRESH_EVERY: Final = 3600.0
"""Seconds between token refreshes at most (tokens last 24 hours)."""
RETRY_AFTER: Final = 30.0
"""Seconds before retrying a token refresh that failed."""


class KuCoinStream:
    """A ``WebSocketApp`` plus the task that keeps its token fresh; ``close()`` ends both."""

    def __init__(
        self,
        client: Client,
        app: WebSocketApp,
        *,
        private: bool,
        futures: bool,
        refresh_every: float = REFRESH_EVERY,
    ) -> None:
        if refresh_every <= 0:
            raise ValueError(
                f"refresh_every must be a positive number of seconds, not {refresh_every}"
            )
        self.app = app
        self.refreshes = 0
        """How many fresh URLs were set so far."""
        self._client = client
        self._private = private
        self._futures = futures
        self._refresh_every = refresh_every
        self._wake = asyncio.Event()
        self._remove_listener = app.add_reconnect_listener(lambda _app: self._wake.set())
        self._forget_token = self._watch(URL(app.url).query.get("token", ""))
        self._task = asyncio.get_running_loop().create_task(
            self._keep_fresh(), name="topgun.kucoin token refresh"
        )

    async def refresh(self) -> None:
        """Fetch a new token now and use it for the next (re)connection."""
        url = await ws_url(self._client, private=self._private, futures=self._futures)
        self.app.url = url
        self._forget_token()
        self._forget_token = self._watch(url.query.get("token", ""))
        self.refreshes += 1

    def _watch(self, token: str) -> Callable[[], None]:
        return notify_on_refusal(token, self._wake.set)

    async def _keep_fresh(self) -> None:
        app_closed = asyncio.ensure_future(self.app.wait())
        try:
            delay = 0.0  # at once: the first connection's token is never the next one's
            while not self.app.closed:
                woken = asyncio.ensure_future(self._wake.wait())
                try:
                    await asyncio.wait(
                        (woken, app_closed), timeout=delay, return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    woken.cancel()
                if self.app.closed or self._client.closed:
                    return
                self._wake.clear()
                try:
                    await self.refresh()
                except (BulletError, aiohttp.ClientError, TimeoutError, OSError) as exc:
                    delay = min(RETRY_AFTER, self._refresh_every)
                    log.warning(
                        "KuCoin WebSocket token refresh failed (%s); retrying in %g s", exc, delay
                    )
                else:
                    delay = self._refresh_every
        finally:
            app_closed.cancel()

    async def close(self) -> None:
        """Stop refreshing and close the WebSocketApp; returns when both are done."""
        self._remove_listener()
        self._forget_token()
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        await self.app.close()

    async def __aenter__(self) -> KuCoinStream:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


async def connect(
    client: Client,
    *,
    private: bool = False,
    futures: bool = False,
    refresh_every: float = REFRESH_EVERY,
    **ws_connect: Any,
) -> KuCoinStream:
    """``client.ws_connect`` on a fresh bullet URL, with its token kept fresh for reconnections.

    ``private`` fetches a private token (signed with the ``kucoin`` credentials), ``futures`` one
    for the futures WebSocket. Every other keyword goes to ``client.ws_connect`` (``send_json``,
    ``hdlr_json``, ``backoff``, ...). Use ``async with`` or ``await stream.close()``.
    """
    open_ws: Callable[..., WebSocketApp] | None = getattr(client, "ws_connect", None)
    if open_ws is None:
        raise TopgunError("topgun_kucoin.connect needs a topgun-core whose Client has ws_connect")
    url = await ws_url(client, private=private, futures=futures)
    app = open_ws(url, **ws_connect)
    return KuCoinStream(client, app, private=private, futures=futures, refresh_every=refresh_every)
