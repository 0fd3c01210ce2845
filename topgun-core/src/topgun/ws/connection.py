"""One connection of a WebSocketApp, from its handshake to its close.

    handshake -> exchange login (plugin) -> live (reconnect notice) -> ``send_*`` -> receive loop

then every task it started is cancelled and awaited and the socket is closed, so nothing of it
outlives it. What happens along the way is reported to the app through ``Events`` (the app holds
the waiters and the state machine across connections); ``run`` returns whether the connection
was healthy and why it ended, for the app's backoff.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import aiohttp
from aiohttp import WSMessage, WSMsgType
from yarl import URL

from ..clock import Clock
from ..credential import Credential
from ..errors import AuthenticationError, FrameTooLargeError
from ..plugin.specs import Heartbeat, Host
from .dispatch import QUIET_TEXT, Handlers, pump
from .keepalive import run_heartbeat, watch
from .link import Link
from .login import LoginSession
from .owner import ConnectionOwner
from .ratelimit import SendLimiter
from .response import ClientWebSocketResponse, Outgoing
from .stats import ConnectionState, WebSocketStats
from .urls import shown

__all__ = [
    "CLOSE_GRACE",
    "HANDSHAKE_TIMEOUT",
    "LOGIN_TIMEOUT",
    "Connection",
    "Events",
    "Settings",
    "drop",
]

log = logging.getLogger("topgun.ws")

HANDSHAKE_TIMEOUT: Final = 30.0
"""Seconds for TCP, TLS and the WebSocket upgrade; a server that accepts and stalls is a failure."""
LOGIN_TIMEOUT: Final = 30.0
"""Overall deadline of an exchange login, whatever the plugin's own per-reply timeouts."""
CLOSE_GRACE: Final = 2.0
"""Seconds to wait for the peer's close frame when closing a healthy connection."""


class _LoginFailedError(Exception):
    """A login did not succeed (already logged and counted)."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What every connection of one app shares, fixed when the app is made."""

    session: aiohttp.ClientSession
    ws_kwargs: Mapping[str, Any]
    handlers: Handlers
    messages: tuple[tuple[str, Any], ...]
    """The ``send_*`` messages, in sending order: (kind, message)."""
    heartbeat: float | None
    autoping: bool
    clock: Clock
    max_size: int
    healthy_after: float
    before_login: Callable[[str], Awaitable[None]] | None


@dataclass(frozen=True, slots=True)
class Events:
    """What a connection tells its app, each with the connection's ``Link``."""

    opened: Callable[[Link], None]
    """The handshake is done: the link is the app's current one."""
    live: Callable[[Link], None]
    """Logged in where needed; runs before any frame is handed to a handler."""
    ready: Callable[[Link], None]
    """Every ``send_*`` message has gone out."""
    login_failed: Callable[[AuthenticationError], None]
    ended: Callable[[Link], None]
    """The link is finished; its tasks are being cancelled."""
    state: Callable[[ConnectionState], None]


@dataclass(slots=True)
class Connection:
    """One connection attempt to ``url``: ``await run()`` once."""

    settings: Settings
    events: Events
    stats: WebSocketStats
    owner: ConnectionOwner
    """What ``ws.app`` gives the handlers: the app."""
    url: URL
    host: Host | None
    credential: Credential | None
    limiter: SendLimiter | None
    label: str = field(init=False)
    """The URL as logs show it (tokens masked)."""

    def __post_init__(self) -> None:
        self.label = shown(self.url)

    async def run(self) -> tuple[bool, str]:
        """From handshake to close: (was it healthy, why it ended)."""
        settings, stats, url = self.settings, self.stats, self.url
        self.events.state(ConnectionState.CONNECTING)
        log.info("%s: connecting", self.label)
        try:
            async with asyncio.timeout(HANDSHAKE_TIMEOUT):
                ws = await settings.session.ws_connect(
                    url, autoping=False, heartbeat=None, decode_text=False, **settings.ws_kwargs
                )
        except TimeoutError:
            stats.connect_failures += 1
            return False, f"handshake timed out after {HANDSHAKE_TIMEOUT:g} s"
        except aiohttp.WSServerHandshakeError as exc:
            stats.connect_failures += 1
            return False, f"handshake refused: HTTP {exc.status} {exc.message}"
        except (aiohttp.ClientError, OSError) as exc:
            stats.connect_failures += 1
            return False, f"cannot connect: {type(exc).__name__}: {exc}"
        except RuntimeError:
            if settings.session.closed:  # closed under us: the cycle ends, quietly
                return False, "the aiohttp session was closed"
            raise

        link = Link(ws, asyncio.get_running_loop())
        self._bind(ws, link)
        stats.connects += 1
        stats.connected_at = time.time()
        log.info("%s: connected", self.label)
        self.events.opened(link)
        why = await self._serve(link, ws)
        healthy = (
            link.live_at is not None and time.monotonic() - link.live_at >= settings.healthy_after
        )
        return healthy, why

    def _bind(self, ws: aiohttp.ClientWebSocketResponse, link: Link) -> None:
        host = self.host
        if isinstance(ws, ClientWebSocketResponse):
            outgoing = Outgoing(
                self.url,
                self.settings.clock,
                limiter=self.limiter,
                signer=host.ws_message_signer if host is not None else None,
                credential=self.credential,
            )
            ws._topgun_bind(outgoing, self.owner, link)
        elif host is not None and (host.ws_message_signer or host.ws_rate_limit):
            log.warning(
                "%s: the session's ws_response_class is %s, not a topgun.ClientWebSocketResponse: "
                "messages sent on it are neither signed nor rate limited",
                self.label,
                type(ws).__name__,
            )

    async def _serve(self, link: Link, ws: aiohttp.ClientWebSocketResponse) -> str:
        """Login, subscriptions and the receive loop; then the drop. Returns why it ended."""
        settings, host, url = self.settings, self.host, self.url
        tasks: list[asyncio.Task[None]] = []
        scope = asyncio.timeout(None)
        try:
            if settings.heartbeat is not None:
                tasks.append(self._spawn(watch(link, settings.heartbeat, self._last_rx), "watch"))
            try:
                async with scope:
                    link.guard(scope)
                    backlog = await self._login(link)
                    link.live_at = time.monotonic()
                    self.events.live(link)
                    heartbeat = _heartbeat_for(host, url)
                    if heartbeat is not None:
                        tasks.append(
                            self._spawn(
                                run_heartbeat(link, heartbeat, settings.clock, self._last_rx),
                                "heartbeat",
                            )
                        )
                    if settings.messages:
                        self.events.state(ConnectionState.SUBSCRIBING)
                        tasks.append(self._spawn(self._subscribe(link), "subscribe"))
                    else:
                        self.events.ready(link)
                    quiet = QUIET_TEXT | _replies(heartbeat) | _notices(host)
                    final = await pump(
                        link,
                        settings.handlers,
                        backlog,
                        autoping=settings.autoping,
                        quiet=quiet,
                        label=self.label,
                        decoder=host.ws_decoder if host is not None else None,
                        responder=host.ws_responder if host is not None else None,
                        max_size=settings.max_size,
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
            self.events.ended(link)
            link.finish()  # from here on, run_task refuses new connection tasks
            if link.live_at is not None:
                self.stats.disconnects += 1
            tasks.extend(link.tasks)
            for task in tasks:
                task.cancel()
            if await _settle(tasks, ws, 0.0 if link.abort_reason else CLOSE_GRACE):
                raise asyncio.CancelledError  # close() arrived during the cleanup, which is done
        return why

    def _spawn(self, coro: Any, what: str) -> asyncio.Task[None]:
        return asyncio.get_running_loop().create_task(coro, name=f"topgun.ws {what} {self.label}")

    def _last_rx(self) -> float | None:
        return self.stats._last_rx

    async def _login(self, link: Link) -> list[WSMessage]:
        """Run the exchange's login if it has one and credentials exist; return frames to replay."""
        host, credential, settings = self.host, self.credential, self.settings
        if host is None or host.ws_authenticator is None or credential is None:
            return []
        self.events.state(ConnectionState.AUTHENTICATING)
        if settings.before_login is not None:
            await settings.before_login(credential.api)  # the automatic clock's first sync
        session = LoginSession(
            link,
            self.url,
            credential,
            settings.clock,
            self.stats,
            autoping=settings.autoping,
            decoder=host.ws_decoder,
            max_size=settings.max_size,
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
            log.exception("%s: the WebSocket authenticator raised", self.label)
            reason = f"login failed: the authenticator raised {type(exc).__name__}"
        else:
            log.info("%s: logged in as %s", self.label, credential.api)
            return session.kept
        self.stats.auth_failures += 1
        reason = credential.redact(reason)  # an exchange reply may quote the key it refused
        log.error("%s: %s", self.label, reason)
        self.events.login_failed(AuthenticationError(reason))
        raise _LoginFailedError(reason)

    async def _subscribe(self, link: Link) -> None:
        ws = link.ws
        try:
            for kind, message in self.settings.messages:
                if kind == "json":
                    await ws.send_json(message)
                elif kind == "str":
                    await ws.send_str(message)
                else:
                    await ws.send_bytes(message)
        except (ConnectionError, RuntimeError) as exc:
            log.debug("%s: sending the send_* messages stopped: %r", self.label, exc)
            return
        except Exception as exc:  # the exchange's message signer, say: not a silent stall
            log.exception("%s: sending the send_* messages failed", self.label)
            link.abort(f"sending the send_* messages failed: {type(exc).__name__}")
            return
        self.events.ready(link)


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
        await drop(ws, 0.0 if cancelled else grace)
    except asyncio.CancelledError:
        cancelled = True  # aiohttp closes the transport when its close() is cancelled
    return cancelled


async def drop(ws: aiohttp.ClientWebSocketResponse, grace: float) -> None:
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
