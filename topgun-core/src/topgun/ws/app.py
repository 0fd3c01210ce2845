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
from collections.abc import Awaitable, Callable, Generator, Mapping
from typing import Any, Final

import aiohttp
from yarl import URL

from ..clock import Clock
from ..credential import Credential
from ..errors import AuthenticationError, WebSocketClosedError
from ..plugin.specs import Host
from ..registry import Route
from ..registry.hostname import lookup
from .backoff import DEFAULT_BACKOFF, Backoff
from .connection import CLOSE_GRACE, Connection, Events, Settings, drop
from .dispatch import DEFAULT_MAX_MSG_SIZE, Handler, Handlers, as_list
from .link import Link
from .owner import FetchingClient
from .ratelimit import SendLimiter
from .response import dumps
from .stats import ConnectionState, WebSocketStats
from .urls import checked_url, shown

__all__ = ["CredentialLookup", "WebSocketApp"]

log = logging.getLogger("topgun.ws")

# A synchronous callback cannot be cancelled: a CancelledError it raises is its own bug.
_CALLBACK_ERRORS: Final = (Exception, asyncio.CancelledError)

CredentialLookup = Callable[[Route, Any], Credential | None]

_WS_CONNECT_PARAMS: Final = frozenset(
    inspect.signature(aiohttp.ClientSession.ws_connect).parameters
)
_OWN_PARAMS: Final = frozenset({"self", "url", "autoping", "heartbeat", "decode_text"})


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
    - ``app.add_disconnect_listener(fn)``: ``fn(app)`` when a live connection drops and the app
      goes on to reconnect (not on ``close()``), so state fed by it stops being trusted at once.
    - ``await app.close()`` or ``async with``: stop for good; the Client's close does it too.

    Reconnect notification: after a *re*-connection's handshake and login, before its first frame
    is handed to any handler (and before the ``send_*`` messages go out), every reconnect listener
    gets ``listener(app)``, once, synchronously, in the order they were added. Never on the first
    connection. Exceptions are logged, not raised. Stores (``topgun.ws.owner.ReconnectAware``)
    add their ``on_ws_reconnect`` on their first message from the app, and use it to drop state
    that the new connection's snapshots will send again.
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
        client: FetchingClient | None = None,
        **kwargs: Any,
    ) -> None:
        loop = asyncio.get_running_loop()  # a plain function, but it needs a running loop
        self._loop = loop
        self._session = session
        self._url = checked_url(url)
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
        self._authenticate = authenticate
        self._hosts: Mapping[str, Route] = hosts if hosts is not None else {}
        self._credential_for = credential_for
        self._clock = clock if clock is not None else Clock()
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
        self._drop_listeners: list[Callable[[WebSocketApp], object]] = []
        self._live_unreported = False  # a connection went live and its drop is not told yet
        self._limiter: SendLimiter | None = None
        self._ping_ids = itertools.count(1)
        self._said_no_credentials = False
        self._credential(self._url)  # refuses a URL its credentials may not go to, here and now
        self._settings = Settings(
            session,
            self._kwargs,
            self._handlers,
            self._messages,
            heartbeat,
            autoping,
            self._clock,
            self._max_size,
            self._backoff.healthy_after,
            before_login,
        )
        # In the order of Events' fields: opened, live, ready, login_failed, ended, state.
        self._events = Events(
            self._opened,
            self._went_live,
            self._became_ready,
            self._login_failed,
            self._ended,
            self._set_state,
        )
        self._task = loop.create_task(self._run(), name=f"topgun.ws {shown(self._url)}")

    # -- public surface --------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The URL of the next (re)connection, as a ``str`` (as set; pybotters returns ``str`` too).

        Set it to a ``str`` or a ``yarl.URL``; that does not touch the live connection.
        """
        return self._url_text

    @url.setter
    def url(self, value: str | URL) -> None:
        url = checked_url(value)
        self._credential(url)
        self._url = url
        self._url_text = value if isinstance(value, str) else str(value)

    @property
    def current_ws(self) -> aiohttp.ClientWebSocketResponse | None:
        """The live connection after its handshake (maybe not logged in yet), else None."""
        link = self._link
        return link.ws if link is not None else None

    @property
    def client(self) -> FetchingClient | None:
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
                    "%s: no pong within %g s; dropping the connection", shown(self._url), timeout
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
        """Call ``listener(app)`` after every reconnection (see the class docs); returns a remover.

        Adding a listener already added (an equal bound method, say) changes nothing.
        """
        return _added(self._listeners, listener)

    def add_disconnect_listener(
        self, listener: Callable[[WebSocketApp], object]
    ) -> Callable[[], None]:
        """Call ``listener(app)`` when a live connection drops and the app will reconnect
        (never on ``close()``); returns a remover. A book fed by the app goes out of sync here,
        not only once the next connection is up, so the backoff never serves a frozen book."""
        return _added(self._drop_listeners, listener)

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
                        await drop(link.ws, CLOSE_GRACE)
                finally:
                    task.cancel()
            if asyncio.current_task() is task:
                return  # closed from inside the cycle (a handler): its ``finally`` shuts it
            await asyncio.wait([task])
        if not self._closed:  # cancelled before it ran, so its ``finally`` never did
            self._shut()

    async def __aenter__(self) -> WebSocketApp:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<topgun.WebSocketApp {shown(self._url)} {self.stats.state}>"

    # -- waiting -----------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise WebSocketClosedError(f"the WebSocketApp for {shown(self._url)} is closed")

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
                    healthy, why = await self._connect_once(self._url)
                except Exception:  # a bug of ours must not end the app quietly
                    log.exception("%s: unexpected error in the connect cycle", shown(self._url))
                    healthy, why = False, "unexpected error (see the traceback above)"
                self.stats.last_error = why
                if not self._session_open() or self._closing:
                    break
                self._dropped()
                failures = 0 if healthy else failures + 1
                delay = self._backoff.delay(failures)
                self._set_state(ConnectionState.BACKOFF)
                log.log(
                    logging.INFO if healthy else logging.WARNING,
                    "%s: %s; reconnecting %s",
                    shown(self._url),
                    why,
                    f"in {delay:.2f} s (failure {failures} in a row)" if delay else "now",
                )
                await self._backoff.sleep(delay)  # sleep(0) still yields: never a busy loop
        finally:
            self._shut()

    def _session_open(self) -> bool:
        # Someone may close the aiohttp session directly; the app then ends rather than spin.
        return not self._session.closed

    def _shut(self) -> None:
        self._closed = True
        self._ready = False
        self.stats.state = ConnectionState.CLOSED
        error = WebSocketClosedError(f"the WebSocketApp for {shown(self._url)} is closed")
        self._wake(self._handshake_waiters, error)
        self._wake(self._ready_waiters, error)
        log.info("%s: closed", shown(self._url))
        if self._on_close is not None:
            self._on_close(self)

    async def _connect_once(self, url: URL) -> tuple[bool, str]:
        route = lookup(self._hosts, url)
        host = route.host if route is not None else None
        credential = self._credential(url)  # before connecting: it may refuse the URL
        connection = Connection(
            self._settings,
            self._events,
            self._stats,
            self,
            url,
            host,
            credential,
            self._limiter_for(host),
        )
        return await connection.run()

    def _opened(self, link: Link) -> None:
        self._link = link
        self._wake(self._handshake_waiters)

    def _ended(self, link: Link) -> None:
        self._link = None
        self._ready = False

    def _login_failed(self, error: AuthenticationError) -> None:
        self._wake(self._ready_waiters, error)

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
                shown(self._url),
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

    def _dropped(self) -> None:
        if not self._live_unreported:
            return
        self._live_unreported = False
        _tell(self._drop_listeners, self, "disconnect")

    def _went_live(self, link: Link) -> None:
        self._live_unreported = True
        if not self._live_before:
            self._live_before = True
            return
        self.stats.reconnects += 1
        log.info("%s: reconnected (reconnection %d)", shown(self._url), self.stats.reconnects)
        _tell(self._listeners, self, "reconnect")

    def _became_ready(self, link: Link) -> None:
        if link is not self._link or not link.usable:
            return
        self._ready = True
        self._set_state(ConnectionState.READY)
        log.info("%s: ready (%d messages sent)", shown(self._url), len(self._messages))
        self._wake(self._ready_waiters)

    def _set_state(self, state: ConnectionState) -> None:
        self.stats.state = state


# -- helpers ---------------------------------------------------------------------------------


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


def _added(
    listeners: list[Callable[[WebSocketApp], object]], listener: Callable[[WebSocketApp], object]
) -> Callable[[], None]:
    """Add ``listener`` once (an equal bound method counts as added); returns its remover."""
    if listener not in listeners:
        listeners.append(listener)

    def remove() -> None:
        if listener in listeners:
            listeners.remove(listener)

    return remove


def _tell(listeners: list[Callable[[WebSocketApp], object]], app: WebSocketApp, event: str) -> None:
    """Call each listener with ``app``; one that raises is logged and the rest still hear."""
    for listener in tuple(listeners):
        try:
            listener(app)
        except _CALLBACK_ERRORS:
            log.exception("%s listener %r raised", event, listener)
