"""``topgun.Client``: an aiohttp session that signs every request to a known exchange host."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Coroutine, Mapping
from typing import Any, Final, TypeVar

import aiohttp
import orjson
from multidict import CIMultiDict
from yarl import URL

from ._version import __version__
from .clock import Clock
from .credential import Credential
from .credentials import load_credentials
from .http.auth import Auth, AuthArg, basic_auth
from .http.body import encode_body
from .http.limit import DEFAULT_MAX_RESPONSE_SIZE, check_limit, read_limited
from .http.ordering import NonceOrder
from .http.pending import PendingRequest
from .http.ratelimits import RateLimitMiddleware, RateLimits
from .http.result import FetchResult, NotJSONContent
from .http.signing import SigningMiddleware
from .http.timesync import ClockKeeper, ClockSync, TimestampGuard
from .registry import Registry, Route, get_registry
from .registry.hostname import lookup
from .ws import Backoff, ClientWebSocketResponse, WebSocketApp
from .ws.backoff import DEFAULT_BACKOFF
from .ws.dispatch import Handler

__all__ = ["USER_AGENT", "Client"]

USER_AGENT: Final = f"topgun/{__version__}"
_CLIENT_ATTR: Final = "_topgun_client"

log = logging.getLogger("topgun")

T = TypeVar("T")


class _Default:
    """The type of ``fetch``'s "use the Client's limit" default (``None`` means no limit)."""


_DEFAULT: Final = _Default()
_RAISE_HINT: Final = (
    " Raise the limit with Client(max_response_size=...) or fetch(..., max_size=...) "
    "(None: no limit)."
)


class Client:
    """HTTP and WebSocket client for exchange APIs.

    ``apis`` are the credentials (a dict, a path to a JSON file, or implicit: ``./apis.json``,
    then ``$TOPGUN_APIS``). ``base_url`` prefixes relative HTTP URLs only. ``clock`` is the time
    every signature uses (set ``client.clock.offset`` to correct a skewed local clock, or let
    ``sync_clock`` do it). ``sync_clock=True`` measures the offset against each exchange before
    the first signed request or WebSocket login to it, and re-syncs (and, where safe, re-sends
    once) when a request is rejected for its timestamp. ``pace=True`` holds requests back while
    the exchange said their rate-limit bucket is exhausted (``pace=`` per request too). Any other
    keyword goes to ``aiohttp.ClientSession``.

    ``max_response_size`` bounds the body ``fetch()`` reads, counted after decompression
    (64 MiB by default, ``None`` for no bound); ``fetch(..., max_size=...)`` overrides it per
    call. Past it, ``ResponseTooLargeError``. Responses read by the caller from ``request()``
    and friends are aiohttp's, unbounded.
    """

    def __init__(
        self,
        apis: Mapping[str, Any] | str | os.PathLike[str] | None = None,
        base_url: str = "",
        *,
        clock: Clock | None = None,
        registry: Registry | None = None,
        sync_clock: bool = False,
        pace: bool = False,
        max_response_size: int | None = DEFAULT_MAX_RESPONSE_SIZE,
        **kwargs: Any,
    ) -> None:
        self._max_response_size = check_limit(max_response_size, "max_response_size")
        self._registry = registry if registry is not None else get_registry()
        # Checked before the session exists, so a bad credential leaves nothing to close.
        self._credentials: dict[str, Credential] = load_credentials(apis, self._registry.apis)
        self._hosts = self._registry.hosts
        self._base_url = base_url
        self._clock = clock if clock is not None else Clock()
        self._pace = pace
        self._rate_limits = RateLimits(self._clock)
        headers = CIMultiDict(kwargs.pop("headers", None) or {})
        headers.setdefault("User-Agent", USER_AGENT)
        # Per-request middlewares replace the session's in aiohttp, so signed requests re-add them.
        self._session_middlewares = tuple(kwargs.get("middlewares") or ())
        # The WebSocket class whose send_json signs and whose sends obey the exchange's rate limit.
        kwargs.setdefault("ws_response_class", ClientWebSocketResponse)
        self._ws_apps: set[WebSocketApp] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                "topgun.Client() needs a running event loop: create it inside a coroutine, "
                "as in `async with topgun.Client(...) as client:` under asyncio.run(main())"
            ) from None
        self._nonce_order = NonceOrder()
        if self._signs_ordered_nonces():
            # Only then: the trace costs each request of the session ~10 µs, nonce-signed or not.
            traces = list(kwargs.pop("trace_configs", None) or ())
            kwargs["trace_configs"] = [*traces, self._nonce_order.trace_config]
        self._session = aiohttp.ClientSession(headers=headers, **kwargs)
        server_times = {
            name: spec.server_time
            for name, spec in self._registry.apis.items()
            if spec.server_time is not None
        }
        self._clock_keeper = ClockKeeper(self._session, self._clock, server_times, auto=sync_clock)
        # Built once, so a signed request only looks its API name up.
        self._guards = (
            {
                api: TimestampGuard(api, self._clock_keeper, st.rejection)
                for api, st in server_times.items()
            }
            if sync_clock
            else {}
        )

    @property
    def clock(self) -> Clock:
        return self._clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self._clock = clock
        self._clock_keeper.clock = clock
        self._rate_limits.clock = clock

    @property
    def rate_limits(self) -> RateLimits:
        """API name -> bucket -> the last known used/remaining/limit/reset, from every response."""
        return self._rate_limits

    async def sync_clock(self, api_name: str | None = None, *, samples: int = 5) -> ClockSync:
        """Measure the offset against ``api_name``'s exchange and set ``client.clock`` by it.

        ``samples`` round trips are made one after the other; the fastest one's midpoint gives the
        offset. Without ``api_name``, the first API name with credentials whose plugin declares a
        server time is used. Raises ``ValueError`` for a name without one, ``ClockSyncError`` when
        the exchange cannot be read.
        """
        if api_name is None:
            api_name = next(
                (api for api in self._credentials if self._clock_keeper.spec(api)), None
            )
            if api_name is None:
                raise ValueError(
                    "sync_clock() needs an API name: none of this client's credentials "
                    f"({sorted(self._credentials)}) is for an exchange that declares a server-time "
                    f"endpoint; pass one of {sorted(self._clock_keeper.api_names)}"
                )
        elif self._clock_keeper.spec(api_name) is None:
            raise ValueError(
                f"no installed plugin declares a server-time endpoint for API name {api_name!r}; "
                f"these do: {sorted(self._clock_keeper.api_names)}"
            )
        return await self._clock_keeper.sync(api_name, samples=samples)

    def _signs_ordered_nonces(self) -> bool:
        """Whether a credential was loaded for a host whose nonces must arrive in order."""
        return any(
            route.host.ordered_nonces and not route.apis.isdisjoint(self._credentials)
            for route in self._hosts.values()
        )

    @property
    def session(self) -> aiohttp.ClientSession:
        """The underlying aiohttp session (requests made on it directly are not signed)."""
        return self._session

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def max_response_size(self) -> int | None:
        """The most bytes (decompressed) ``fetch()`` reads of a body; None: no bound."""
        return self._max_response_size

    @property
    def registry(self) -> Registry:
        return self._registry

    @property
    def api_names(self) -> tuple[str, ...]:
        """The API names credentials were loaded for (never the credentials themselves)."""
        return tuple(self._credentials)

    @property
    def closed(self) -> bool:
        return self._session.closed

    async def close(self) -> None:
        """Cancel and await the tasks it owns (``run_task``), close every WebSocketApp of this
        client (awaiting their tasks), then the session."""
        tasks = tuple(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._ws_apps:
            await asyncio.gather(*(app.close() for app in tuple(self._ws_apps)))
        await self._session.close()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def run_task(self, coro: Coroutine[Any, Any, T], *, name: str | None = None) -> asyncio.Task[T]:
        """Run ``coro`` as a task this Client owns: ``close()`` cancels and awaits it.

        For background work bound to the Client's lifetime (keeping an exchange token alive, for
        example), so that no task outlives the session it uses. Raises RuntimeError once closed.
        """
        if self.closed:
            coro.close()
            raise RuntimeError("this topgun.Client is closed; it cannot start a task")
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("task %s of %r failed", task.get_name(), self, exc_info=task.exception())

    @staticmethod
    def of(response: Any) -> Client | None:
        """The Client that made ``response`` (an aiohttp response or a ``FetchResult``), or None.

        Lets a DataStore given a response by ``initialize()`` reach the Client behind it, to keep
        what the response created alive through the same (signing) Client.
        """
        if isinstance(response, FetchResult):
            response = response.response
        client = getattr(response, _CLIENT_ATTR, None)
        return client if isinstance(client, Client) else None

    def __repr__(self) -> str:
        return f"<topgun.Client apis={sorted(self._credentials)} base_url={self._base_url!r}>"

    # -- HTTP ------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str | URL,
        *,
        params: Any = None,
        data: Any = None,
        auth: AuthArg = Auth,
        pace: bool | None = None,
        **kwargs: Any,
    ) -> PendingRequest:
        """Start a request; use with ``async with`` (or ``await``) to get the aiohttp response.

        ``pace`` overrides the Client's ``pace=`` for this request.

        ``json=`` works as in aiohttp on hosts no plugin encodes bodies for (a webhook, say); on
        an exchange host it is taken as ``data=``, which topgun encodes the way the exchange
        expects, so that what is signed is exactly what is sent.
        """
        target = self._url(url)
        if params:
            target = target.extend_query(params)
        route = lookup(self._hosts, target)
        pending: Awaitable[aiohttp.ClientResponse]
        if route is None or (route.host.body is None and route.host.rate_limits is None):
            pending = self._session.request(
                method, target, data=data, auth=basic_auth(auth), **kwargs
            )
        else:
            if "json" in kwargs and route.host.body is not None:
                if data is not None:
                    raise TypeError("data= and json= cannot both be given; pass the body as data=")
                data = kwargs.pop("json")
            paced = self._pace if pace is None else pace
            pending = self._routed(method, target, route, data, auth, paced, kwargs)
        return PendingRequest(self._made_here(pending))

    async def _made_here(
        self, pending: Awaitable[aiohttp.ClientResponse]
    ) -> aiohttp.ClientResponse:
        """The response of ``pending``, marked as this Client's (see ``Client.of``)."""
        response = await pending
        setattr(response, _CLIENT_ATTR, self)
        return response

    def _routed(
        self,
        method: str,
        target: URL,
        route: Route,
        data: Any,
        auth: AuthArg,
        pace: bool,
        kwargs: dict[str, Any],
    ) -> Awaitable[aiohttp.ClientResponse]:
        host = route.host
        body, content_type = encode_body(data, host.body) if host.body else (data, None)
        headers = kwargs.pop("headers", None)
        if content_type is not None:
            headers = CIMultiDict(headers or {})
            headers.setdefault("Content-Type", content_type)
        added: list[Any] = []
        if host.rate_limits is not None:
            api = route.api_for(headers) or host.name
            added.append(
                RateLimitMiddleware(api, host.name, host.rate_limits, self._rate_limits, pace)
            )
        if auth is Auth and host.signer is not None:
            credential = self._credential_for(route, headers)
            if credential is not None:
                route.check_destination(target, credential.api)
                order = self._nonce_order if host.ordered_nonces else None
                guard = self._guards.get(credential.api)
                added.append(
                    SigningMiddleware(
                        host.signer, credential, self._clock, target, data, body, order, guard
                    )
                )
        if added:
            extra = kwargs.pop("middlewares", None)
            kwargs["middlewares"] = (*(extra or self._session_middlewares), *added)
        return self._session.request(
            method, target, data=body, headers=headers, auth=basic_auth(auth), **kwargs
        )

    def _credential_for(self, route: Route, headers: Any) -> Credential | None:
        api = route.api_for(headers)
        return None if api is None else self._credentials.get(api)

    def _url(self, url: str | URL) -> URL:
        if isinstance(url, URL):
            return url if url.absolute or not self._base_url else URL(self._base_url + str(url))
        parsed = URL(url)
        if parsed.absolute or not self._base_url:
            return parsed
        return URL(self._base_url + url)

    def get(self, url: str | URL, *, params: Any = None, **kwargs: Any) -> PendingRequest:
        """``request("GET", url, ...)``, to use with ``async with`` as in aiohttp."""
        return self.request("GET", url, params=params, **kwargs)

    def post(self, url: str | URL, *, data: Any = None, **kwargs: Any) -> PendingRequest:
        """``request("POST", url, ...)``, to use with ``async with`` as in aiohttp."""
        return self.request("POST", url, data=data, **kwargs)

    def put(self, url: str | URL, *, data: Any = None, **kwargs: Any) -> PendingRequest:
        """``request("PUT", url, ...)``, to use with ``async with`` as in aiohttp."""
        return self.request("PUT", url, data=data, **kwargs)

    def delete(self, url: str | URL, *, data: Any = None, **kwargs: Any) -> PendingRequest:
        """``request("DELETE", url, ...)``, to use with ``async with`` as in aiohttp."""
        return self.request("DELETE", url, data=data, **kwargs)

    async def fetch(
        self,
        method: str,
        url: str | URL,
        *,
        params: Any = None,
        data: Any = None,
        max_size: int | _Default | None = _DEFAULT,
        **kwargs: Any,
    ) -> FetchResult:
        """Send a request and read the whole body; ``data`` is the decoded JSON or a NotJSONContent.

        The body is read up to ``max_size`` bytes after decompression (default: the Client's
        ``max_response_size``; ``None``: no bound), else ``ResponseTooLargeError``. It is read
        into ``text`` and ``data``; ``response`` carries the status and headers.
        """
        limit = (
            self._max_response_size
            if isinstance(max_size, _Default)
            else check_limit(max_size, "max_size")
        )
        async with self.request(method, url, params=params, data=data, **kwargs) as response:
            raw = await read_limited(response, limit, hint=_RAISE_HINT)
        try:
            text = raw.decode(response.charset or "utf-8", errors="replace")
        except LookupError:  # a charset Python does not know: JSON is UTF-8 anyway
            text = raw.decode("utf-8", errors="replace")
        try:
            decoded: Any = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            decoded = NotJSONContent(exc)
        return FetchResult(response, text, decoded)

    # -- WebSocket -------------------------------------------------------------------------

    def ws_connect(
        self,
        url: str | URL,
        *,
        send_str: str | list[str] | None = None,
        send_bytes: bytes | list[bytes] | None = None,
        send_json: Any = None,
        hdlr_str: Handler | list[Handler] | None = None,
        hdlr_bytes: Handler | list[Handler] | None = None,
        hdlr_json: Handler | list[Handler] | None = None,
        backoff: Backoff | tuple[float, float, float, float] = DEFAULT_BACKOFF,
        heartbeat: float | None = 10.0,
        autoping: bool = True,
        auth: AuthArg = Auth,
        **kwargs: Any,
    ) -> WebSocketApp:
        """Open a WebSocket that reconnects, logs in and resubscribes by itself (a plain function).

        ``send_*`` take one message or a list, sent in that order (str, bytes, JSON) after the
        exchange login on every connection; ``hdlr_*`` take one handler or a list, each called as
        ``handler(msg, ws)``. ``backoff`` is ``(min, max, factor, initial)`` or a ``Backoff``;
        ``heartbeat`` the seconds of silence after which a ping probes the link (a dead link is
        dropped after that long with no answer; ``None`` disables it); ``autoping`` answers the
        server's pings. ``auth=None`` skips the exchange login and message signing. Any other
        keyword goes to ``aiohttp.ClientSession.ws_connect``. ``base_url`` never applies.
        ``await`` the result for the handshake, ``await app.ready()`` for login and subscriptions.
        """
        if auth is not Auth and auth is not None:
            kwargs["auth"] = auth  # aiohttp's own (BasicAuth on the upgrade request), as for HTTP
        app = WebSocketApp(
            self._session,
            url,
            send_str=send_str,
            send_bytes=send_bytes,
            send_json=send_json,
            hdlr_str=hdlr_str,
            hdlr_bytes=hdlr_bytes,
            hdlr_json=hdlr_json,
            backoff=backoff,
            heartbeat=heartbeat,
            autoping=autoping,
            authenticate=auth is Auth,
            hosts=self._hosts,
            credential_for=self._credential_for,
            clock=self._clock,
            before_login=self._clock_keeper.ensure if self._clock_keeper.auto else None,
            on_close=self._ws_apps.discard,
            ws_kwargs=kwargs,
            client=self,
        )
        self._ws_apps.add(app)
        return app
