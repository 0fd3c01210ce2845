"""bitbank's private stream: user data (orders, trades, assets) delivered through PubNub.

https://github.com/bitbankinc/bitbank-api-docs/blob/master/private-stream.md (and
rest-api.md#get-channel-and-token-for-private-stream):

1. ``GET /v1/user/subscribe`` (signed) returns ``pubnub_channel`` (one per user) and
   ``pubnub_token``, whose TTL is 12 hours; when it expires PubNub disconnects, and the API is
   called again for a new one.
2. Subscribe to that channel on PubNub with the subscribe key
   ``sub-c-ecebae8e-dd60-11e6-b6b1-02ee2ddab7fe``, the token as the auth token and the channel
   as the user id (the docs' example code).
3. Each message is ``{"method": "spot_order" | "asset_update" | ..., "params": [...]}``.
4. On an access-denied status (the token expired) fetch a new channel and token and subscribe
   again; on network errors, reconnect.

``BitbankPrivateStream`` does all of that in one owned task: it long-polls PubNub, hands every
message to ``handler`` (for example a DataStore's ``onmessage``), renews the token when PubNub
answers 403, keeps the cursor across renewals and network errors (so nothing published meanwhile
is skipped), and retries with capped, jittered backoff. ``close()`` cancels and awaits the task.
Neither the API secret nor the PubNub token is ever logged or put in an exception message.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import aiohttp

from topgun import CredentialError
from topgun.plugin import BackgroundTask, DataStoreCollection, Retry

from .errors import BitbankAPIError, PubNubError
from .pubnub import ORIGIN, SUBSCRIBE_TIMEOUT, Cursor, subscribe

if TYPE_CHECKING:
    from topgun import Client

__all__ = [
    "PUBNUB_SUBSCRIBE_KEY",
    "SUBSCRIBE_URL",
    "BitbankPrivateStream",
    "PrivateStreamAccess",
    "fetch_channel_and_token",
]

log = logging.getLogger("topgun.bitbank")

API: Final = "bitbank"
SUBSCRIBE_URL: Final = "https://api.bitbank.cc/v1/user/subscribe"
PUBNUB_SUBSCRIBE_KEY: Final = "sub-c-ecebae8e-dd60-11e6-b6b1-02ee2ddab7fe"

MessageHandler = Callable[[Any], object]
"""``handler(message)``; may return an awaitable, which is awaited before the next message."""

ResumeHook = Callable[["BitbankPrivateStream"], object]
"""``on_resume(stream)``: called when messages flow again after an interruption."""

_TRANSIENT = (aiohttp.ClientError, TimeoutError, OSError, ValueError)


class PrivateStreamAccess(NamedTuple):
    """What ``GET /v1/user/subscribe`` returns. The token is a credential: its repr hides it."""

    channel: str
    token: str

    def __repr__(self) -> str:
        return f"PrivateStreamAccess(channel={self.channel!r}, token=<redacted>)"


async def fetch_channel_and_token(client: Client) -> PrivateStreamAccess:
    """``GET /v1/user/subscribe``: the user's PubNub channel and a 12-hour token."""
    if API not in client.api_names:
        raise CredentialError(
            "the bitbank private stream needs credentials: pass "
            "apis={'bitbank': [API_KEY, API_SECRET]} to topgun.Client"
        )
    result = await client.fetch("GET", SUBSCRIBE_URL)
    reply = result.data
    what = "fetching the private stream channel and token"
    if not isinstance(reply, dict) or "success" not in reply:
        raise BitbankAPIError(what, code=None, http_status=result.response.status)
    data = reply.get("data")
    if reply["success"] != 1 or not isinstance(data, dict):
        code = data.get("code") if isinstance(data, dict) else None
        raise BitbankAPIError(
            what, code=code if isinstance(code, int) else None, http_status=result.response.status
        )
    channel, token = data.get("pubnub_channel"), data.get("pubnub_token")
    if not (isinstance(channel, str) and channel and isinstance(token, str) and token):
        raise BitbankAPIError(what, code=None, http_status=result.response.status)
    return PrivateStreamAccess(channel, token)


class BitbankPrivateStream(BackgroundTask):
    """The bitbank private stream, fed to ``handler``; see the module docs.

    ``async with BitbankPrivateStream(client, store.onmessage):`` or ``await stream.start()`` and
    ``await stream.close()``. ``start()`` fetches the first channel and token and raises if that
    fails (bad credentials surface at once); after that every failure is retried. ``retry``
    paces retries, ``poll_timeout`` bounds one long-poll, ``subscribe_key`` and ``origin`` name
    the PubNub keyset and host. Counters: ``messages``, ``renewals`` (tokens fetched after the
    first), ``failures`` (failed requests, each retried), ``handler_errors``, ``resumes``.

    ``on_resume(stream)`` is called when messages flow again after an interruption (requests
    that failed and were retried; not a plain token renewal): PubNub replays what it still holds from the kept cursor, but
    not what it has let go of, so state built from the stream may need a REST resync. When the
    handler is a DataStore collection's ``onmessage`` (``bitbankPrivateDataStore``) and no
    ``on_resume`` is given, the collection's reconnect hook is used: it logs a hint to call
    ``initialize()`` again.
    """

    COUNTERS = ("messages", "renewals", "failures")

    def __init__(
        self,
        client: Client,
        handler: MessageHandler,
        *,
        retry: Retry | None = None,
        poll_timeout: float = SUBSCRIBE_TIMEOUT,
        subscribe_key: str = PUBNUB_SUBSCRIBE_KEY,
        origin: str = ORIGIN,
        on_resume: ResumeHook | None = None,
    ) -> None:
        if not callable(handler):
            raise TypeError(f"handler must be callable, got {handler!r}")
        self._client = client
        self._handler = handler
        self._on_resume = on_resume if on_resume is not None else _reconnect_hook_of(handler)
        self.retry = retry if retry is not None else Retry()
        self.poll_timeout = poll_timeout
        self.subscribe_key = subscribe_key
        self.origin = origin
        self._access: PrivateStreamAccess | None = None
        self._tokens: tuple[str, ...] = ()  # the latest two, redacted from log lines
        self._cursor = Cursor()
        self._task: asyncio.Task[None] | None = None
        self.messages = 0
        self.renewals = 0
        self.failures = 0
        self.handler_errors = 0
        self.resumes = 0

    @property
    def channel(self) -> str | None:
        """The user's PubNub channel (None before ``start()``)."""
        return self._access.channel if self._access is not None else None

    async def start(self) -> None:
        self._check_open()
        if self._task is None:
            self._access = await fetch_channel_and_token(self._client)
            self._tokens = (self._access.token,)
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="topgun.bitbank private stream"
            )

    # -- the task --------------------------------------------------------------------------------

    async def _run(self) -> None:
        failures = 0
        fresh_token = False  # the current token was fetched after a denial and not yet accepted
        interrupted = False  # a request failed since the last messages flowed
        while not self._client_closed():
            try:
                if self._access is None:
                    self._access = await fetch_channel_and_token(self._client)
                    self._tokens = (self._access.token, *self._tokens[:1])
                    self.renewals += 1
                    fresh_token = True
                    log.info("bitbank private stream: new PubNub token (renewal %d)", self.renewals)
                access = self._access
                async with asyncio.timeout(self.poll_timeout):
                    messages, cursor = await subscribe(
                        self._client,
                        subscribe_key=self.subscribe_key,
                        channel=access.channel,
                        token=access.token,
                        uuid=access.channel,
                        cursor=self._cursor,
                        origin=self.origin,
                    )
            except PubNubError as exc:
                if exc.access_denied:
                    log.info("bitbank private stream: PubNub denied the token (%s)", exc.reason)
                    self._access = None
                    if not fresh_token:
                        continue  # the token expired: renew at once, from the same cursor
                    # A brand-new token refused too: back off rather than hammer both APIs.
                elif exc.status == 400:
                    log.warning(
                        "bitbank private stream: %s; restarting from the latest message", exc
                    )
                    self._cursor = Cursor()
                interrupted = True
                failures = await self._back_off(failures, exc)
                continue
            except (BitbankAPIError, *_TRANSIENT) as exc:
                interrupted = True
                failures = await self._back_off(failures, exc)
                continue
            except RuntimeError:
                if self._client_closed():  # the Client closed under the request: stop
                    break
                raise
            failures = 0
            fresh_token = False
            self._cursor = cursor
            if interrupted:
                interrupted = False
                self._resumed()
            for message in messages:
                await self._deliver(message)

    def _resumed(self) -> None:
        self.resumes += 1
        hook = self._on_resume
        if hook is None:
            return
        try:
            hook(self)
        except Exception:
            log.exception("bitbank private stream: the on_resume hook raised")

    def _client_closed(self) -> bool:
        return self._client.closed

    async def _back_off(self, failures: int, exc: BaseException) -> int:
        failures += 1
        self.failures += 1
        delay = self.retry.delay(failures)
        log.warning(
            "bitbank private stream: %s; retrying in %.1f s (failure %d in a row)",
            _describe(exc, self._tokens),
            delay,
            failures,
        )
        await asyncio.sleep(delay)
        return failures

    async def _deliver(self, message: Any) -> None:
        self.messages += 1
        try:
            result = self._handler(message)
            if inspect.isawaitable(result):
                await result
        except Exception:
            self.handler_errors += 1
            log.exception("bitbank private stream: the handler raised; it keeps being called")


def _reconnect_hook_of(handler: MessageHandler) -> ResumeHook | None:
    """The reconnect hook of a DataStore collection whose ``onmessage`` is ``handler``."""
    owner = getattr(handler, "__self__", None)
    if isinstance(owner, DataStoreCollection) and handler == owner.onmessage:
        return owner.on_ws_reconnect
    return None


def _describe(exc: BaseException, tokens: tuple[str, ...]) -> str:
    """An error for the log, with any PubNub token masked.

    aiohttp's transport errors name the host and port, not the query where the token travels,
    and response errors are never raised (statuses are read); the masking is the second line of
    defence for an error type that would print the request URL.
    """
    text = str(exc)
    if not isinstance(exc, (PubNubError, BitbankAPIError)):
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    for token in tokens:
        text = text.replace(token, "<token>")
    return text
