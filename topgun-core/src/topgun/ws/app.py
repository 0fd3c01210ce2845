"""``WebSocketApp``: the WebSocket a trading bot never has to babysit.

One background task per app runs the connect cycle until the app or its Client is closed:

    handshake -> exchange login (plugin) -> reconnect notification -> ``send_*`` -> receive loop

then waits (see ``backoff``) and starts over, against ``app.url`` as it is at that moment. Every
task it starts belongs to it and is cancelled and awaited when a connection ends or the app
closes; nothing is left behind, nothing is fire-and-forget.

Per connection the registry is consulted once (a dict lookup by host) for the exchange's login,
heartbeat, message signer and rate limit; nothing is looked up per message.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import logging
import re
import time
from collections.abc import Awaitable, Callable, Generator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

import aiohttp
from aiohttp import WSMessage, WSMsgType
from yarl import URL

from ..clock import Clock
from ..credentials import Credential
from ..errors import FrameTooLargeError, WebSocketClosedError
from ..plugin.specs import AuthenticationError, Heartbeat, Host
from ..registry import Route
from ..registry.hostname import lookup
from .backoff import DEFAULT_BACKOFF, Backoff
from .dispatch import DEFAULT_MAX_MSG_SIZE, QUIET_TEXT, Handler, Handlers, as_list, pump
from .keepalive import run_heartbeat, watch
from .link import Link
from .login import LoginSession
from .ratelimit import SendLimiter
from .response import ClientWebSocketResponse, Outgoing, dumps
from .stats import ConnectionState, WebSocketStats

if TYPE_CHECKING:
    from ..client import Client

__all__ = ["WebSocketApp"]

log = logging.getLogger("topgun.ws")

HANDSHAKE_TIMEOUT: Final = 30.0
"""Seconds for TCP, TLS and the WebSocket upgrade; a server that accepts and stalls is a failure."""
LOGIN_TIMEOUT: Final = 30.0
"""Overall deadline of an exchange login, whatever the plugin's own per-reply timeouts."""
CLOSE_GRACE: Final = 2.0
"""Seconds to wait for the peer's close frame when closing a healthy connection."""

# A synchronous callback cannot be cancelled: a CancelledError it raises is its own bug.
_CALLBACK_ERRORS: Final = (Exception, asyncio.CancelledError)

CredentialLookup = Callable[[Route, Any], Credential | None]

_WS_CONNECT_PARAMS: Final = frozenset(
    inspect.signature(aiohttp.ClientSession.ws_connect).parameters
)
_OWN_PARAMS: Final = frozenset({"self", "url", "autoping", "heartbeat", "decode_text"})


class _LoginFailedError(Exception):
    """A login did not succeed (already logged and counted)."""


class WebSocketApp:
    """A reconnecting, authenticating, heart-beating WebSocket; made by ``Client.ws_connect``.

    - ``await app``: waits for a handshake (the current one, or the next), returns the app.
    - ``await app.ready()``: waits until the connection is logged in (where the exchange needs a
      login) and every ``send_*`` message has been sent; raises ``AuthenticationError`` if a
      login is rejected meanwhile. Trade only after this.
    - ``await app.wait()``: returns when the app is closed (in practice: runs forever).
    - ``await app.heartbeat()``: proves the link alive with a ping, reconnecting if needed.
    - ``app.url``: the URL the next (re)connection uses; settable (token URLs).
    - ``app.current_ws``: the live connection (``None`` while disconnected), for one-off sends;
      subscriptions belong in ``send_*`` so they are replayed on every reconnection.
    - ``app.stats``: live counters and the current state; ``app.state`` for the state alone.
    - ``app.add_reconnect_listener(fn)``: ``fn(app)`` after each reconnection (see below).
    - ``await app.close()`` or ``async with``: stop for good; the Client's close does it too.

    Reconnect notification: after a *re*-connection's handshake and login, before its first frame
    is handed to any handler (and before the ``send_*`` messages go out), every distinct object
    that owns a bound-method handler and has a callable ``on_ws_reconnect`` gets
    ``owner.on_ws_reconnect(app)``, once, synchronously; then every reconnect listener. Never on the
    first connection. Exceptions are logged, not raised. Stores use it to drop state that the new
    connection's snapshots will send again.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str | URL,
        *,
        send_str: Any = None,
        send_bytes: Any = None,
        send_json: Any = None,
        hdlr_str: Handler | list[Handler] | None = None,
        hdlr_bytes: Handler | list[Handler] | None = None,
        hdlr_json: Handler | list[Handler] | None = None,
        backoff: Backoff | tuple[float, float, float, float] = DEFAULT_BACKOFF,
        heartbeat: float | None = 10.0,
        autoping: bool = True,
        authenticate: bool = True,
        hosts: Mapping[str, Route] | None = None,
        credential_for: CredentialLookup | None = None,
        clock: Clock | None = None,
        before_login: Callable[[str], Awaitable[None]] | None = None,
        on_close: Callable[[WebSocketApp], None] | None = None,
        ws_kwargs: Mapping[str, Any] | None = None,
        client: Client | None = None,
        **kwargs: Any,
    ) -> None:
        loop = asyncio.get_running_loop()  # a plain function, but it needs a running loop
        self._loop = loop
        self._session = session
        self._url = _checked_url(url)
        self._url_text = url if isinstance(url, str) else str(url)
        self._messages = _outgoing_messages(send_str, send_bytes, send_json)
        self._stats = WebSocketStats()
        self._handlers = Handlers(
            self._stats, as_list(hdlr_str), as_list(hdlr_bytes), as_list(hdlr_json)
        )
        self._backoff = Backoff.of(backoff)
        if heartbeat is not None and heartbeat <= 0:
            raise ValueError(
                f"heartbeat must be a positive number of seconds or None, not {heartbeat}"
            )
        self._heartbeat = heartbeat
        self._autoping = autoping
        self._authenticate = authenticate
        self._hosts: Mapping[str, Route] = hosts if hosts is not None else {}
        self._credential_for = credential_for
        self._clock = clock if clock is not None else Clock()
        self._before_login = before_login
        self._on_close = on_close
        self._client = client
        # Other keywords go to aiohttp's ws_connect, as in pybotters' WebSocketApp(session, url, ...).
        self._kwargs = _checked_kwargs({**(ws_kwargs or {}), **kwargs})
        self._max_size = _max_msg_size(self._kwargs)
        self._link: Link | None = None
        self._ready = False
        self._live_before = False
        self._closed = False
        self._closing = False
        self._handshake_waiters: set[asyncio.Future[None]] = set()
        self._ready_waiters: set[asyncio.Future[None]] = set()
        self._listeners: list[Callable[[WebSocketApp], object]] = []
        self._limiter: SendLimiter | None = None
        self._ping_ids = itertools.count(1)
        self._said_no_credentials = False
        self._credential(self._url)  # refuses a URL its credentials may not go to, here and now
        self._task = loop.create_task(self._run(), name=f"topgun.ws {_shown(self._url)}")

    # -- public surface --------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The URL of the next (re)connection, as a ``str`` (as set; pybotters returns ``str`` too).

        Set it to a ``str`` or a ``yarl.URL``; that does not touch the live connection.
        """
        return self._url_text

    @url.setter
    def url(self, value: str | URL) -> None:
        url = _checked_url(value)
        self._credential(url)
        self._url = url
        self._url_text = value if isinstance(value, str) else str(value)

    @property
    def current_ws(self) -> aiohttp.ClientWebSocketResponse | None:
        """The live connection after its handshake (maybe not logged in yet), else None."""
        link = self._link
        return link.ws if link is not None else None

    @property
    def client(self) -> Client | None:
        """The ``Client`` whose ``ws_connect`` made this app (for requests that go with it)."""
        return self._client

    @property
    def stats(self) -> WebSocketStats:
        """Live counters and the current state (see ``WebSocketStats``)."""
        return self._stats

    @property
    def state(self) -> ConnectionState:
        return self.stats.state

    @property
    def closed(self) -> bool:
        return self._closed

    def __await__(self) -> Generator[Any, None, WebSocketApp]:
        return self._handshake().__await__()

    async def _handshake(self) -> WebSocketApp:
        self._check_open()
        if self._link is None:
            await self._wait_for(self._handshake_waiters)
        return self

    async def ready(self) -> WebSocketApp:
        """Wait until logged in and every ``send_*`` message is sent on the current connection.

        Raises ``AuthenticationError`` if a login is rejected (or times out) while waiting; the
        app keeps retrying with backoff, so calling ``ready()`` again waits for the next attempt.
        Raises ``WebSocketClosedError`` if the app closes. Bound it with ``asyncio.timeout``.
        """
        self._check_open()
        if not self._ready:
            await self._wait_for(self._ready_waiters)
        return self

    async def wait(self) -> None:
        """Return when the app is closed; cancelling this wait does not close the app."""
        if not self._task.done():
            await asyncio.wait([self._task])

    async def heartbeat(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109 - pybotters' API
        """Ping and wait for the matching pong; reconnect and retry until one comes back.

        Returns once the current link is proven alive, for example before acting on store data.
        """
        if not timeout > 0:  # also NaN; zero would drop every connection before its pong
            raise ValueError(
                f"heartbeat timeout must be a positive number of seconds, not {timeout}"
            )
        while True:
            link = await self._usable_link()
            payload = b"topgun-heartbeat-%d" % next(self._ping_ids)
            future = link.expect_pong(payload)
            try:
                await link.ws.ping(payload)
                async with asyncio.timeout(timeout):
                    await future
                return
            except TimeoutError:
                log.warning(
                    "%s: no pong within %g s; dropping the connection", _shown(self._url), timeout
                )
                link.abort(f"heartbeat(): no pong within {timeout:g} s")
            except (ConnectionError, RuntimeError):
                pass  # the connection ended under us: wait for the next one
            finally:
                link.forget_pong(payload)
                if future.done() and not future.cancelled():
                    future.exception()  # failed by the link ending while we pinged: seen here

    def add_reconnect_listener(
        self, listener: Callable[[WebSocketApp], object]
    ) -> Callable[[], None]:
        """Call ``listener(app)`` after every reconnection (see the class docs); returns a remover."""
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    async def close(self) -> None:
        """Close the connection and stop reconnecting; returns when every task has finished.

        Works in every state, also before the app's task has started: every waiter of
        ``ready()``, ``await app`` and ``wait()`` then returns or raises at once.
        """
        task = self._task
        if not task.done():
            if not self._closing:  # once: a second cancel would cut the cleanup short
                self._closing = True
                link = self._link
                try:
                    live = link is not None and link.live_at is not None
                    if live and link is not None and asyncio.current_task() is not task:
                        # Logged in, so the receive loop is reading: the close handshake first.
                        # Cancelling that read would make aiohttp drop the socket without a
                        # close frame (the server would see code 1006, an abnormal closure).
                        await _drop(link.ws, CLOSE_GRACE)
                finally:
                    task.cancel()
            if asyncio.current_task() is task:
                return  # closed from inside the cycle (a handler): its ``finally`` shuts it
            await asyncio.wait([task])
        if not self._closed:  # cancelled before it ran, so its ``finally`` never did
            self._shut()

    async def __aenter__(self) -> WebSocketApp:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<topgun.WebSocketApp {_shown(self._url)} {self.stats.state}>"

    # -- waiting -----------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise WebSocketClosedError(f"the WebSocketApp for {_shown(self._url)} is closed")

    async def _wait_for(self, waiters: set[asyncio.Future[None]]) -> None:
        future = self._loop.create_future()
        waiters.add(future)
        try:
            await future
        finally:
            waiters.discard(future)

    @staticmethod
    def _wake(waiters: set[asyncio.Future[None]], error: BaseException | None = None) -> None:
        for future in waiters:
            if not future.done():
                if error is None:
                    future.set_result(None)
                else:
                    future.set_exception(error)
        waiters.clear()

    async def _usable_link(self) -> Link:
        while True:
            self._check_open()
            link = self._link
            if link is not None and link.usable:
                return link
            if link is not None:
                await link.ended.wait()
            else:
                await self._wait_for(self._handshake_waiters)

    # -- the connect cycle -------------------------------------------------------------------

    async def _run(self) -> None:
        failures = 0
        try:
            while self._session_open():
                try:
                    healthy, why = await self._connect_once()
                except Exception:  # a bug of ours must not end the app quietly
                    log.exception("%s: unexpected error in the connect cycle", _shown(self._url))
                    healthy, why = False, "unexpected error (see the traceback above)"
                self.stats.last_error = why
                if not self._session_open() or self._closing:
                    break
                failures = 0 if healthy else failures + 1
                delay = self._backoff.delay(failures)
                self._set_state(ConnectionState.BACKOFF)
                log.log(
                    logging.INFO if healthy else logging.WARNING,
                    "%s: %s; reconnecting %s",
                    _shown(self._url),
                    why,
                    f"in {delay:.2f} s (failure {failures} in a row)" if delay else "now",
                )
                await asyncio.sleep(delay)  # sleep(0) still yields: never a busy loop
        finally:
            self._shut()

    def _session_open(self) -> bool:
        # Someone may close the aiohttp session directly; the app then ends rather than spin.
        return not self._session.closed

    def _shut(self) -> None:
        self._closed = True
        self._ready = False
        self.stats.state = ConnectionState.CLOSED
        error = WebSocketClosedError(f"the WebSocketApp for {_shown(self._url)} is closed")
        self._wake(self._handshake_waiters, error)
        self._wake(self._ready_waiters, error)
        log.info("%s: closed", _shown(self._url))
        if self._on_close is not None:
            self._on_close(self)

    async def _connect_once(self) -> tuple[bool, str]:
        """One connection, from handshake to close: (was it healthy, why it ended)."""
        url = self._url
        route = lookup(self._hosts, url)
        host = route.host if route is not None else None
        credential = self._credential(url)  # before connecting: it may refuse the URL
        self._set_state(ConnectionState.CONNECTING)
        log.info("%s: connecting", _shown(url))
        try:
            async with asyncio.timeout(HANDSHAKE_TIMEOUT):
                ws = await self._session.ws_connect(
                    url, autoping=False, heartbeat=None, decode_text=False, **self._kwargs
                )
        except TimeoutError:
            self.stats.connect_failures += 1
            return False, f"handshake timed out after {HANDSHAKE_TIMEOUT:g} s"
        except aiohttp.WSServerHandshakeError as exc:
            self.stats.connect_failures += 1
            return False, f"handshake refused: HTTP {exc.status} {exc.message}"
        except (aiohttp.ClientError, OSError) as exc:
            self.stats.connect_failures += 1
            return False, f"cannot connect: {type(exc).__name__}: {exc}"
        except RuntimeError:
            if not self._session_open():  # closed under us: the cycle ends, quietly
                return False, "the aiohttp session was closed"
            raise

        link = Link(ws, self._loop)
        if isinstance(ws, ClientWebSocketResponse):
            ws._topgun_bind(
                Outgoing(
                    url,
                    self._clock,
                    limiter=self._limiter_for(host),
                    signer=host.ws_message_signer if host is not None else None,
                    credential=credential,
                ),
                self,
                link,
            )
        elif host is not None and (host.ws_message_signer or host.ws_rate_limit):
            log.warning(
                "%s: the session's ws_response_class is %s, not a topgun.ClientWebSocketResponse: "
                "messages sent on it are neither signed nor rate limited",
                _shown(url),
                type(ws).__name__,
            )
        self._link = link
        self.stats.connects += 1
        self.stats.connected_at = time.time()
        log.info("%s: connected", _shown(url))
        self._wake(self._handshake_waiters)

        tasks: list[asyncio.Task[None]] = []
        scope = asyncio.timeout(None)
        try:
            if self._heartbeat is not None:
                tasks.append(self._spawn(watch(link, self._heartbeat, self._last_rx), "watch"))
            try:
                async with scope:
                    link.guard(scope)
                    backlog = await self._login(link, host, credential, url)
                    self._went_live(link)
                    heartbeat = _heartbeat_for(host, url)
                    if heartbeat is not None:
                        tasks.append(
                            self._spawn(
                                run_heartbeat(link, heartbeat, self._clock, self._last_rx),
                                "heartbeat",
                            )
                        )
                    if self._messages:
                        self._set_state(ConnectionState.SUBSCRIBING)
                        tasks.append(self._spawn(self._subscribe(link), "subscribe"))
                    else:
                        self._became_ready(link)
                    quiet = QUIET_TEXT | _replies(heartbeat) | _notices(host)
                    final = await pump(
                        link,
                        self._handlers,
                        backlog,
                        autoping=self._autoping,
                        quiet=quiet,
                        label=_shown(url),
                        decoder=host.ws_decoder if host is not None else None,
                        responder=host.ws_responder if host is not None else None,
                        max_size=self._max_size,
                    )
                why = _ending(final, ws)
            except TimeoutError:
                if scope.expired():
                    why = link.abort_reason or "connection aborted"
                else:  # aiohttp's own receive timeout, if the caller set one
                    why = "no frame within the receive timeout"
            except _LoginFailedError as failed:
                why = str(failed)
            except (aiohttp.ClientError, ConnectionError, OSError) as exc:
                why = f"connection error: {type(exc).__name__}: {exc}"
            finally:
                link.unguard()
        finally:
            self._link = None
            self._ready = False
            link.finish()  # from here on, run_task refuses new connection tasks
            if link.live_at is not None:
                self.stats.disconnects += 1
            tasks.extend(link.tasks)
            for task in tasks:
                task.cancel()
            if await _settle(tasks, ws, 0.0 if link.abort_reason else CLOSE_GRACE):
                raise asyncio.CancelledError  # close() arrived during the cleanup, which is done
        healthy = (
            link.live_at is not None
            and time.monotonic() - link.live_at >= self._backoff.healthy_after
        )
        return healthy, why

    def _spawn(self, coro: Any, what: str) -> asyncio.Task[None]:
        return self._loop.create_task(coro, name=f"topgun.ws {what} {_shown(self._url)}")

    def _last_rx(self) -> float | None:
        return self.stats._last_rx

    def _credential(self, url: URL) -> Credential | None:
        """The credential a connection to ``url`` logs in or signs with, if any.

        Raises ``InsecureDestinationError`` when it exists but may not go to ``url`` (not wss, or
        a port the host does not declare), and ``PluginError`` when the host's ``ApiSelector``
        reaches for an API name its plugin does not own.
        """
        route = lookup(self._hosts, url)
        if not self._authenticate or route is None or self._credential_for is None:
            return None
        host = route.host
        if host.ws_authenticator is None and host.ws_message_signer is None:
            return None
        credential = self._credential_for(route, self._kwargs.get("headers"))
        if credential is not None:
            route.check_destination(url, credential.api, websocket=True)
        if (
            credential is None
            and host.ws_authenticator is not None
            and not self._said_no_credentials
        ):
            self._said_no_credentials = True
            names = ", ".join(host.api_names) or "?"
            log.info(
                "%s: no credentials loaded for %s, so no login: public channels only",
                _shown(self._url),
                names,
            )
        return credential

    def _limiter_for(self, host: Host | None) -> SendLimiter | None:
        spec = host.ws_rate_limit if host is not None else None
        if spec is None:
            return None
        if self._limiter is None or self._limiter.limit != spec:
            self._limiter = SendLimiter(spec)
        return self._limiter

    async def _login(
        self, link: Link, host: Host | None, credential: Credential | None, url: URL
    ) -> list[WSMessage]:
        """Run the exchange's login if it has one and credentials exist; return frames to replay."""
        if host is None or host.ws_authenticator is None or credential is None:
            return []
        self._set_state(ConnectionState.AUTHENTICATING)
        if self._before_login is not None:
            await self._before_login(credential.api)  # the automatic clock's first sync
        session = LoginSession(
            link,
            url,
            credential,
            self._clock,
            self.stats,
            autoping=self._autoping,
            decoder=host.ws_decoder,
            max_size=self._max_size,
        )
        try:
            async with asyncio.timeout(LOGIN_TIMEOUT):
                await host.ws_authenticator(session)
            if session.overflow is not None:  # the authenticator swallowed the error
                raise AuthenticationError(session.overflow)
        except AuthenticationError as exc:
            reason = f"login failed: {exc}" if session.overflow else f"login rejected: {exc}"
        except TimeoutError as exc:
            reason = f"login timed out: {exc or f'no reply within {LOGIN_TIMEOUT:g} s'}"
        except ConnectionError as exc:
            reason = f"login failed: {exc}"
        except Exception as exc:  # a plugin bug counts as a failed login, not a silent success
            log.exception("%s: the WebSocket authenticator raised", _shown(url))
            reason = f"login failed: the authenticator raised {type(exc).__name__}"
        else:
            log.info("%s: logged in as %s", _shown(url), credential.api)
            return session.kept
        self.stats.auth_failures += 1
        reason = credential.redact(reason)  # an exchange reply may quote the key it refused
        log.error("%s: %s", _shown(url), reason)
        self._wake(self._ready_waiters, AuthenticationError(reason))
        raise _LoginFailedError(reason)

    def _went_live(self, link: Link) -> None:
        link.live_at = time.monotonic()
        if not self._live_before:
            self._live_before = True
            return
        self.stats.reconnects += 1
        log.info("%s: reconnected (reconnection %d)", _shown(self._url), self.stats.reconnects)
        for owner in self._handlers.owners:
            try:
                owner.on_ws_reconnect(self)
            except _CALLBACK_ERRORS:
                log.exception("%r.on_ws_reconnect raised", owner)
        for listener in tuple(self._listeners):
            try:
                listener(self)
            except _CALLBACK_ERRORS:
                log.exception("reconnect listener %r raised", listener)

    async def _subscribe(self, link: Link) -> None:
        ws = link.ws
        try:
            for kind, message in self._messages:
                if kind == "json":
                    await ws.send_json(message)
                elif kind == "str":
                    await ws.send_str(message)
                else:
                    await ws.send_bytes(message)
        except (ConnectionError, RuntimeError) as exc:
            log.debug("%s: sending the send_* messages stopped: %r", _shown(self._url), exc)
            return
        except Exception as exc:  # the exchange's message signer, say: not a silent stall
            log.exception("%s: sending the send_* messages failed", _shown(self._url))
            link.abort(f"sending the send_* messages failed: {type(exc).__name__}")
            return
        self._became_ready(link)

    def _became_ready(self, link: Link) -> None:
        if link is not self._link or not link.usable:
            return
        self._ready = True
        self._set_state(ConnectionState.READY)
        log.info("%s: ready (%d messages sent)", _shown(self._url), len(self._messages))
        self._wake(self._ready_waiters)

    def _set_state(self, state: ConnectionState) -> None:
        self.stats.state = state


# -- helpers ---------------------------------------------------------------------------------


def _checked_url(value: str | URL) -> URL:
    url = value if isinstance(value, URL) else URL(value)
    if not url.absolute or url.scheme not in {"ws", "wss", "http", "https"}:
        raise ValueError(f"a WebSocket URL must be absolute ws:// or wss://, not {_shown(url)!r}")
    return url


def _checked_kwargs(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    for name in kwargs:
        if name in _OWN_PARAMS:
            raise TypeError(
                f"ws_connect() does not pass {name!r} to aiohttp: topgun runs the heartbeat, "
                "ping replies and frame decoding itself"
            )
        if name not in _WS_CONNECT_PARAMS:
            raise TypeError(f"ws_connect() got an unexpected keyword argument {name!r}")
    return dict(kwargs)


def _max_msg_size(kwargs: Mapping[str, Any]) -> int:
    """The connection's maximum message size: aiohttp's ``max_msg_size`` (0: no bound)."""
    value = kwargs.get("max_msg_size", DEFAULT_MAX_MSG_SIZE)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(
            f"max_msg_size must be a number of bytes >= 0 (0: no bound), not {value!r}"
        )
    return value


def _outgoing_messages(
    send_str: Any, send_bytes: Any, send_json: Any
) -> tuple[tuple[str, Any], ...]:
    """The ``send_*`` messages in sending order: send_str, then send_bytes, then send_json."""
    messages: list[tuple[str, Any]] = []
    for message in as_list(send_str):
        if not isinstance(message, str):
            raise TypeError(f"send_str takes str messages, got {type(message).__name__}")
        messages.append(("str", message))
    for message in as_list(send_bytes):
        if not isinstance(message, (bytes, bytearray, memoryview)):
            raise TypeError(f"send_bytes takes bytes messages, got {type(message).__name__}")
        messages.append(("bytes", bytes(message)))
    for message in as_list(send_json):
        dumps(message)  # unserialisable messages fail here, not on every reconnection
        messages.append(("json", message))
    return tuple(messages)


def _heartbeat_for(host: Host | None, url: URL) -> Heartbeat | None:
    if host is None or host.ws_heartbeat is None:
        return None
    if isinstance(host.ws_heartbeat, Heartbeat):
        return host.ws_heartbeat
    return host.ws_heartbeat(url)


def _replies(heartbeat: Heartbeat | None) -> frozenset[bytes]:
    if heartbeat is None:
        return frozenset()
    return frozenset(reply.encode() for reply in heartbeat.replies)


def _notices(host: Host | None) -> frozenset[bytes]:
    if host is None:
        return frozenset()
    return frozenset(notice.encode() for notice in host.ws_notices)


def _ending(final: WSMessage, ws: aiohttp.ClientWebSocketResponse) -> str:
    if final.type is WSMsgType.CLOSE:
        reason = f": {final.extra}" if final.extra else ""
        return f"closed by the server (code {final.data}{reason})"
    if final.type is WSMsgType.ERROR:
        if isinstance(final.data, FrameTooLargeError):
            return str(final.data)
        return f"connection error: {final.data!r}"
    if final.type is WSMsgType.CLOSED:
        code = ws.close_code
        return "connection lost" + (f" (close code {code})" if code is not None else "")
    return f"connection ended ({final.type.name})"


async def _settle(
    tasks: list[asyncio.Task[None]], ws: aiohttp.ClientWebSocketResponse, grace: float
) -> bool:
    """Await the (cancelled) tasks and close ``ws``, even if a cancel arrives meanwhile.

    Returns whether one did, for the caller to re-raise once nothing is left behind.
    """
    cancelled = False
    while tasks:
        try:
            await asyncio.wait(tasks)  # unlike gather, wait() leaves them be if we are cancelled
            break
        except asyncio.CancelledError:
            cancelled = True
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            log.error("a WebSocket task failed", exc_info=task.exception())
    try:
        await _drop(ws, 0.0 if cancelled else grace)
    except asyncio.CancelledError:
        cancelled = True  # aiohttp closes the transport when its close() is cancelled
    return cancelled


async def _drop(ws: aiohttp.ClientWebSocketResponse, grace: float) -> None:
    """Close politely within ``grace`` seconds; past it, aiohttp drops the transport."""
    if ws.closed:
        return
    try:
        async with asyncio.timeout(grace):
            await ws.close()
    except TimeoutError:
        pass  # cancelled inside close(): aiohttp closed the transport itself
    except (aiohttp.ClientError, ConnectionError, OSError, RuntimeError):
        pass


# Path segments that look like credentials or tokens: long ones, or shorter ones mixing in digits
# (an access token of 20 characters, say). Word-like segments ("realtimePlatform") stay readable.
_OPAQUE = re.compile(r"^(?=[^/]*\d)[A-Za-z0-9_\-.=]{12,}$|^[A-Za-z0-9_\-.=]{24,}$")


def _shown(url: URL) -> str:
    """The URL for logs: query dropped and long opaque path segments (tokens) masked."""
    try:
        segments = ["…" if _OPAQUE.match(part) else part for part in url.path.split("/")]
        if url.host is None:  # not a usable URL, shown in the error that says so
            origin = f"{url.scheme}:" if url.scheme else ""
        else:
            origin = f"{url.scheme}://{url.host}" + (
                f":{url.explicit_port}" if url.explicit_port else ""
            )
        return origin + "/".join(segments) + ("?…" if url.query_string else "")
    except (TypeError, ValueError):
        return "<url>"
