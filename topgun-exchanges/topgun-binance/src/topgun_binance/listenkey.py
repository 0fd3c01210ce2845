"""Keeping a Binance listen key alive: one owned task that PUTs it every 30 minutes.

A user data stream (``wss://stream.binance.com:9443/ws/<listenKey>``, and the futures
``fstream``/``dstream`` equivalents) closes 60 minutes after its listen key was created or last
kept alive; the docs ask for a keep-alive ``PUT`` about every 30 minutes (spot
https://developers.binance.com/docs/binance-spot-api-docs/user-data-stream, "Keepalive a
user data stream"; USDⓈ-M and COIN-M "Keepalive User Data Stream" under User Data Streams).
Spot sends the key as the ``listenKey`` parameter, futures send no parameter (the API key names
the one key an account has).

``ListenKeyKeeper`` runs that loop as a task owned by the Client it uses
(``Client.run_task``), so closing the Client cancels and awaits it; ``close()`` does the same
sooner (the DataStore collection calls it from ``aclose()``). A failed keep-alive (an HTTP error, a
network error, a timeout) is logged and retried with capped, jittered backoff instead of ending the
loop. When Binance answers that the key no longer exists (error -1125), it asks for a key again
with the same ``POST`` and reports the new key through ``on_new_key``: the stream must then be
reopened with it. Listen keys are credentials of a sort, so they are never logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

import aiohttp
from yarl import URL

from topgun.plugin import BackgroundTask, Retry

if TYPE_CHECKING:
    from topgun import Client

__all__ = ["KEEPALIVE_EVERY", "ListenKeyError", "ListenKeyKeeper"]

log = logging.getLogger("topgun.binance")

KEEPALIVE_EVERY: Final = 1800.0
"""Seconds between keep-alives: the docs' "about every 30 minutes" (a key lives 60)."""
UNKNOWN_KEY: Final = -1125
"""Binance's error code for "This listenKey does not exist." (expired or closed)."""

SPOT_PATH: Final = "/api/v3/userDataStream"

_TRANSIENT = (aiohttp.ClientError, TimeoutError, OSError)


class ListenKeyError(Exception):
    """A keep-alive Binance refused; ``code`` is its error code (None when it gave none)."""

    def __init__(self, status: int, code: Any, message: str) -> None:
        super().__init__(f"HTTP {status}, code {code}: {message}")
        self.status = status
        self.code = code


class ListenKeyKeeper(BackgroundTask):
    """Keeps one listen key alive through ``client``; see the module docs.

    ``url`` is the listen-key endpoint the key came from (``POST`` created it; the keeper
    ``PUT``s it). ``every`` is the interval in seconds, ``retry`` paces retries after failures,
    each request bounded by ``request_timeout``. ``on_new_key`` is called with a replacement key
    when the old one expired.
    """

    COUNTERS = ("keepalives", "failures", "renewals")

    def __init__(
        self,
        client: Client,
        url: URL,
        key: str,
        *,
        every: float = KEEPALIVE_EVERY,
        retry: Retry | None = None,
        request_timeout: float = 30.0,
        on_new_key: Callable[[str], None] | None = None,
    ) -> None:
        if every <= 0 or request_timeout <= 0:
            raise ValueError("ListenKeyKeeper needs every > 0 and request_timeout > 0")
        self._client = client
        self._url = url.with_query(None)
        self._key = key
        self.every = every
        self.retry = retry if retry is not None else Retry()
        self.request_timeout = request_timeout
        self._on_new_key = on_new_key
        self._task: asyncio.Task[None] | None = None
        self.keepalives = 0
        """Keep-alives Binance accepted."""
        self.failures = 0
        """Keep-alives that failed (each was retried)."""
        self.renewals = 0
        """New keys asked for because the old one no longer existed."""

    @property
    def key(self) -> str:
        """The listen key kept alive. Treat it as a secret: it opens your user data stream."""
        return self._key

    @property
    def url(self) -> URL:
        return self._url

    def _repr_detail(self) -> str:
        return f"{self._url.host}{self._url.path}"

    def start(self) -> None:
        """Start the keep-alive task (once; a running keeper is left as is).

        Raises RuntimeError when the Client is already closed.
        """
        if self.running:
            return
        self._task = self._client.run_task(
            self._run(), name=f"topgun.binance listen key keep-alive {self._url.path}"
        )

    # -- the task ----------------------------------------------------------------------------

    async def _run(self) -> None:
        failures = 0
        delay = self.every
        while True:
            await asyncio.sleep(delay)
            try:
                async with asyncio.timeout(self.request_timeout):
                    await self._keep_alive()
            except Exception as exc:
                failures += 1
                self.failures += 1
                delay = self.retry.delay(failures)
                expected = isinstance(exc, (ListenKeyError, *_TRANSIENT))
                log.log(
                    logging.WARNING if expected else logging.ERROR,
                    "Binance listen key keep-alive (%s) failed: %s; retrying in %.1f s "
                    "(failure %d in a row)",
                    self._url.path,
                    _describe(exc),
                    delay,
                    failures,
                    exc_info=None if expected else exc,
                )
            else:
                failures = 0
                delay = self.every

    async def _keep_alive(self) -> None:
        params = {"listenKey": self._key} if self._url.path == SPOT_PATH else None
        try:
            await self._call("PUT", params)
        except ListenKeyError as exc:
            if exc.code != UNKNOWN_KEY:
                raise
            await self._renew()
            return
        self.keepalives += 1
        log.debug("Binance listen key kept alive (%s)", self._url.path)

    async def _renew(self) -> None:
        data = await self._call("POST", None)
        key = data.get("listenKey") if isinstance(data, dict) else None
        if not isinstance(key, str) or not key:
            raise ListenKeyError(200, None, "the reply to POST carries no listenKey")
        self._key = key
        self.renewals += 1
        log.warning(
            "Binance listen key (%s) had expired; a new one was created: reconnect the user "
            "data stream with the new store.listenkey",
            self._url.path,
        )
        if self._on_new_key is not None:
            self._on_new_key(key)

    async def _call(self, method: str, params: dict[str, str] | None) -> Any:
        result = await self._client.fetch(method, self._url, params=params)
        status = result.response.status
        if status >= 400:
            data = result.data if isinstance(result.data, dict) else {}
            raise ListenKeyError(status, data.get("code"), str(data.get("msg", ""))[:200])
        return result.data


def _describe(exc: BaseException) -> str:
    """An error for the log: never a URL query (the spot keep-alive carries the key there)."""
    if isinstance(exc, ListenKeyError):
        return str(exc)
    if isinstance(exc, aiohttp.ClientResponseError | aiohttp.InvalidURL):
        return type(exc).__name__
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
