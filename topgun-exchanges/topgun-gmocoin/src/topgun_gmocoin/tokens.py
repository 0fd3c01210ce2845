"""GMO Coin Private WebSocket access tokens: create, extend on a schedule, replace when dead.

https://api.coin.z.com/docs/ section Private WebSocket API → アクセストークンを取得 / 延長 / 削除
(#ws-auth-post, #ws-auth-put, #ws-auth-delete):

- ``POST /private/v1/ws-auth`` (no parameters) returns ``{"status": 0, "data": "<token>"}``;
  a token is valid for 60 minutes, and a key holds at most 5 (the oldest-expiring is dropped).
- ``PUT /private/v1/ws-auth`` with ``{"token": ...}`` extends it: 60 minutes from then.
- ``DELETE /private/v1/ws-auth`` with ``{"token": ...}`` revokes it.
- The Private WebSocket URL is ``wss://api.coin.z.com/ws/private/v1/<token>``.

``GMOCoinTokenManager`` keeps one token alive for as long as it runs: it extends the token every
``extend_every`` seconds (30 minutes, well inside the 60), checks it again soon after the
WebSocket it serves fails to connect, and when the exchange refuses to extend it (expired during a
maintenance, or revoked) it creates a new one and points the WebSocket's ``url`` at it, so the next
reconnection uses it. HTTP failures are retried with capped, jittered backoff. Its one background
task is owned: ``close()`` cancels and awaits it, and it ends by itself once every WebSocket it
serves has closed. Tokens are never logged, nor put in exception messages.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Final, Protocol

import aiohttp
from yarl import URL

from topgun import CredentialError
from topgun.plugin import BackgroundTask, Retry

from .errors import GMOCoinAPIError
from .ws import private_ws_url

if TYPE_CHECKING:
    from topgun import Client, FetchResult

__all__ = [
    "DEFAULT_EXTEND_EVERY",
    "TOKEN_LIFETIME",
    "WS_AUTH_URL",
    "ConnectFailures",
    "GMOCoinTokenManager",
    "TokenTarget",
    "create_access_token",
    "extend_access_token",
    "revoke_access_token",
]

log = logging.getLogger("topgun.gmocoin")

API: Final = "gmocoin"
WS_AUTH_URL: Final = "https://api.coin.z.com/private/v1/ws-auth"
TOKEN_LIFETIME: Final = 3600.0
"""Seconds a token lives after it is created or extended (the docs: 60 minutes)."""
DEFAULT_EXTEND_EVERY: Final = 1800.0
DEFAULT_CHECK_EVERY: Final = 30.0
REVOKE_TIMEOUT: Final = 5.0

_TRANSIENT = (aiohttp.ClientError, TimeoutError, OSError)


# -- the three HTTP calls ------------------------------------------------------------------


async def create_access_token(client: Client) -> str:
    """``POST /private/v1/ws-auth``: a new access token (raises ``GMOCoinAPIError``)."""
    _require_credentials(client)
    result = await client.fetch("POST", WS_AUTH_URL, data={})
    token = _checked(result, "creating an access token")
    if not isinstance(token, str) or not token:
        raise GMOCoinAPIError(
            "creating an access token", status=0, detail="the reply carries no token"
        )
    return token


async def extend_access_token(client: Client, token: str) -> None:
    """``PUT /private/v1/ws-auth``: 60 more minutes for ``token``."""
    _require_credentials(client)
    result = await client.fetch("PUT", WS_AUTH_URL, data={"token": token})
    _checked(result, "extending the access token")


async def revoke_access_token(client: Client, token: str) -> None:
    """``DELETE /private/v1/ws-auth``: ``token`` stops working."""
    _require_credentials(client)
    result = await client.fetch("DELETE", WS_AUTH_URL, data={"token": token})
    _checked(result, "revoking the access token")


def _require_credentials(client: Client) -> None:
    if API not in client.api_names:
        raise CredentialError(
            "GMO Coin access tokens need credentials: pass apis={'gmocoin': [API_KEY, API_SECRET]} "
            "to topgun.Client"
        )


def _checked(result: FetchResult, what: str) -> Any:
    """The reply's ``data`` when ``status`` is 0; otherwise a GMOCoinAPIError that says why."""
    reply = result.data
    http_status = result.response.status
    if not isinstance(reply, dict) or not isinstance(reply.get("status"), int):
        raise GMOCoinAPIError(
            what, status=None, http_status=http_status, detail="the reply is not GMO Coin's JSON"
        )
    if reply["status"] != 0:
        messages = reply.get("messages")
        items = [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []
        codes = [str(m.get("message_code", "")) for m in items]
        detail = "; ".join(
            f"{m.get('message_code', '?')} {m.get('message_string', '')}".strip() for m in items
        )
        raise GMOCoinAPIError(
            what, status=reply["status"], codes=codes, detail=detail, http_status=http_status
        )
    return reply.get("data")


# -- the manager -----------------------------------------------------------------------------


class ConnectFailures(Protocol):
    """What the manager reads of ``TokenTarget.stats``: a ``WebSocketStats`` has it."""

    @property
    def connect_failures(self) -> int: ...


class TokenTarget(Protocol):
    """What the manager keeps pointed at the current token: in practice a ``WebSocketApp``.

    ``url`` is set to a ``yarl.URL`` (a ``WebSocketApp`` reads it back as a ``str``); ``closed`` and ``wait()`` tell the manager when to stop; the
    ``stats.connect_failures`` counter tells it that a reconnection failed, so that it checks the
    token at once instead of at the next scheduled extension.
    """

    @property
    def url(self) -> str | URL: ...

    @url.setter
    def url(self, value: URL) -> None: ...

    @property
    def closed(self) -> bool: ...

    @property
    def stats(self) -> ConnectFailures: ...

    async def wait(self) -> None: ...


class GMOCoinTokenManager(BackgroundTask):
    """Keeps a GMO Coin Private WebSocket access token alive; see the module docs.

    Use it as ``async with GMOCoinTokenManager(client) as tokens:``, or ``await tokens.start()``
    and later ``await tokens.close()``. ``tokens.url`` is the Private WebSocket URL of the current
    token; ``tokens.attach(app)`` keeps ``app.url`` on it. Intervals are in seconds:
    ``extend_every`` (default 1800) between extensions, ``check_every`` (default 30) between
    looks at the attached apps, ``lifetime`` (default 3600) after which a token that could not be
    extended is taken for dead; ``retry`` paces retries after HTTP failures, each bounded by
    ``request_timeout``. ``revoke_on_close`` revokes the token when the manager stops.
    """

    COUNTERS = ("extensions", "renewals", "failures")

    def __init__(
        self,
        client: Client,
        *,
        extend_every: float = DEFAULT_EXTEND_EVERY,
        check_every: float = DEFAULT_CHECK_EVERY,
        lifetime: float = TOKEN_LIFETIME,
        retry: Retry | None = None,
        request_timeout: float = 30.0,
        revoke_on_close: bool = True,
    ) -> None:
        if not (0 < extend_every < lifetime) or check_every <= 0:
            raise ValueError(
                "GMOCoinTokenManager needs 0 < extend_every < lifetime and check_every > 0"
            )
        self._client = client
        self.extend_every = extend_every
        self.check_every = check_every
        self.lifetime = lifetime
        self.retry = retry if retry is not None else Retry()
        self.request_timeout = request_timeout
        self.revoke_on_close = revoke_on_close
        self._token: str | None = None
        self._valid_until = 0.0  # event-loop time
        self._targets: list[TokenTarget] = []
        self._seen_failures = 0  # connection failures of the targets already acted upon
        self._watchers: set[asyncio.Task[None]] = set()
        self._all_closed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.extensions = 0
        """Successful scheduled (or prompted) extensions."""
        self.renewals = 0
        """Tokens created after the first one because the old one could not be extended."""
        self.failures = 0
        """HTTP calls that failed (each was retried)."""

    # -- what users read -------------------------------------------------------------------

    @property
    def token(self) -> str | None:
        """The current access token (None before ``start()``). Treat it as a secret."""
        return self._token

    @property
    def url(self) -> URL:
        """The Private WebSocket URL of the current token."""
        if self._token is None:
            raise RuntimeError("GMOCoinTokenManager.url: call 'await start()' first")
        return private_ws_url(self._token)

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> URL:
        """Create the first token (errors propagate) and start keeping it alive."""
        self._check_open()
        if self._task is None:
            self._token = await create_access_token(self._client)
            self._valid_until = _now() + self.lifetime
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="topgun.gmocoin access token"
            )
        return self.url

    def attach(self, target: TokenTarget) -> None:
        """Point ``target.url`` at the current token now and after every renewal.

        Once every attached target has closed, the manager stops by itself (and revokes its token
        unless ``revoke_on_close`` is False).
        """
        target.url = self.url
        self._targets.append(target)
        self._seen_failures += target.stats.connect_failures
        self._all_closed.clear()
        watcher = asyncio.get_running_loop().create_task(
            self._watch(target), name="topgun.gmocoin token target"
        )
        self._watchers.add(watcher)
        watcher.add_done_callback(self._watchers.discard)

    async def close(self) -> None:
        """Stop keeping the token alive (cancel and await the task), then revoke the token."""
        await super().close()
        await self._stop_watchers()
        await self._revoke()

    # -- the background task ---------------------------------------------------------------------

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        due = loop.time() + self.extend_every
        failures = 0
        last_call = loop.time()
        while not await self._targets_closed(max(0.0, min(due - loop.time(), self.check_every))):
            now = loop.time()
            count = self._connect_failures()
            # A failed reconnection prompts a check, at most once per check interval; during a
            # retry backoff the next attempt is already near.
            prompted = (
                count > self._seen_failures
                and failures == 0
                and now - last_call >= self.check_every
            )
            if now < due and not prompted:
                continue
            self._seen_failures = count
            last_call = now
            try:
                async with asyncio.timeout(self.request_timeout):
                    await self._refresh()
            except RuntimeError:
                if self._client_closed():  # the Client closed under the request: stop
                    return
                raise
            except (GMOCoinAPIError, *_TRANSIENT) as exc:
                failures += 1
                self.failures += 1
                delay = self.retry.delay(failures)
                log.warning(
                    "GMO Coin access token: %s; retrying in %.1f s (failure %d in a row)",
                    _describe(exc),
                    delay,
                    failures,
                )
                due = loop.time() + delay
            else:
                failures = 0
                due = loop.time() + self.extend_every
        # Stopped by itself (every WebSocket it served closed): nobody will call close() for it.
        # When close() cancels the task instead, close() does this cleanup.
        log.info("GMO Coin access token: every WebSocket it served is closed; stopping")
        await self._stop_watchers()
        await self._revoke()

    async def _refresh(self) -> None:
        """Extend the token; when the exchange will not, or it is past its lifetime, replace it."""
        token = self._token
        assert token is not None
        if _now() < self._valid_until:
            try:
                await extend_access_token(self._client, token)
            except GMOCoinAPIError as exc:
                if not exc.answered:
                    raise  # an HTTP error page: the token may be fine, try extending again
                log.info("GMO Coin access token: not extended (%s); creating a new one", exc)
            else:
                self._valid_until = _now() + self.lifetime
                self.extensions += 1
                log.debug("GMO Coin access token extended")
                return
        else:
            log.info("GMO Coin access token: past its lifetime; creating a new one")
        new = await create_access_token(self._client)
        self._token = new
        self._valid_until = _now() + self.lifetime
        self.renewals += 1
        url = private_ws_url(new)
        for target in self._targets:
            if not target.closed:
                target.url = url
        log.info(
            "GMO Coin access token replaced (renewal %d); the next reconnection uses it",
            self.renewals,
        )

    def _client_closed(self) -> bool:
        return self._client.closed

    def _connect_failures(self) -> int:
        return sum(target.stats.connect_failures for target in self._targets)

    async def _watch(self, target: TokenTarget) -> None:
        await target.wait()
        if all(t.closed for t in self._targets):
            self._all_closed.set()

    async def _targets_closed(self, timeout: float) -> bool:  # noqa: ASYNC109 - a poll interval
        if not self._targets:
            await asyncio.sleep(timeout)
            return False
        try:
            async with asyncio.timeout(timeout):
                await self._all_closed.wait()
        except TimeoutError:
            return False
        return True

    async def _stop_watchers(self) -> None:
        watchers = tuple(self._watchers)
        for watcher in watchers:
            watcher.cancel()
        if watchers:
            await asyncio.gather(*watchers, return_exceptions=True)

    async def _revoke(self) -> None:
        token, self._token = self._token, None
        if token is None or not self.revoke_on_close or self._client.closed:
            return
        try:
            async with asyncio.timeout(REVOKE_TIMEOUT):
                await revoke_access_token(self._client, token)
        except (GMOCoinAPIError, RuntimeError, *_TRANSIENT) as exc:
            log.info("GMO Coin access token: revoking it failed (%s); it expires by itself", exc)
        else:
            log.debug("GMO Coin access token revoked")


def _now() -> float:
    return asyncio.get_running_loop().time()


def _describe(exc: BaseException) -> str:
    """An error for the log: aiohttp's messages name the host, never a header or the body."""
    if isinstance(exc, GMOCoinAPIError):
        return str(exc)
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
