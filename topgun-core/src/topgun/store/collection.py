"""``DataStoreCollection``: the stores of one exchange feed, and the handler that fills them.

Subclass hooks (kept from pybotters so custom collections move over unchanged):
``_init()`` creates the stores with ``_create(name, datastore_class=...)``; ``_onmessage(msg, ws)``
routes one WebSocket message; ``_ENDPOINTS`` maps HTTP paths to the store that ``initialize()``
hands each response to (``store._onresponse(data, url)``; a collection that handles an endpoint
itself, with no store behind it, extends ``_takes_response`` and ``_apply_response``);
``_onreconnect(ws_app)`` resets stream-continuity state (the default calls every store's
``_onreconnect()``, then logs ``_RECONNECT_NOTE``).

``onmessage`` never raises: a message the subclass cannot route, or one that makes it fail, is
logged (once per kind, then rate-limited) under ``topgun.store`` and otherwise ignored. Handlers
validate a whole message before changing any store (raising ``MalformedMessage``, see
``.validate``), so a bad message never half-applies; ``skipped`` counts the messages skipped whole.
``topgun.testing.storefuzz`` proves it for a collection with thousands of mutated messages.

``wait()`` follows pybotters: it returns after every message ``onmessage`` handles, whether or not
a store changed (a collection may keep state outside its stores), and also after a change made
outside ``onmessage`` (``initialize``). ``DataStore.wait()`` returns on real changes only.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar, TypeVar, overload

import aiohttp
import orjson
from yarl import URL

from ..errors import InitializeError, MalformedMessage
from ..http.limit import DEFAULT_MAX_RESPONSE_SIZE, check_limit, read_limited
from ..http.result import FetchResult, NotJSONContent
from ..ws.owner import follow_reconnects
from ._limiter import LogLimiter
from .datastore import DataStore, Item
from .wakeup import wait_on, wake_all

__all__ = ["DataStoreCollection", "query_param"]

log = logging.getLogger("topgun.store")

S = TypeVar("S", bound=DataStore)

_BODY_EXCERPT = 200
_RAISE_HINT = " Raise the limit with initialize(..., max_size=...) (None: no limit)."


class DataStoreCollection:
    """A named group of DataStores fed by one handler: ``onmessage`` for WebSocket messages,
    ``initialize`` for HTTP responses. ``collection["name"]`` and ``"name" in collection`` reach
    the stores by name; exchange collections also expose them as attributes."""

    _ENDPOINTS: ClassVar[Mapping[str, str]] = {}
    """HTTP path -> name of the store whose ``_onresponse(data, url)`` takes that response."""

    _LOGGER: ClassVar[logging.Logger] = log
    """Where this collection logs feed problems (exchange plugins use ``topgun.store.<slug>``)."""

    _RECONNECT_NOTE: ClassVar[str] = ""
    """Logged at INFO after a reconnect has reset the stores: what may be stale now and how to
    resync it (usually ``initialize()`` again), so a user reading the log knows what to do."""

    _CHANNEL_KEY: ClassVar[str] = ""
    """The message field naming its channel or topic: a skipped message's log line starts with
    it (one log kind per channel), so the collection need not re-raise to add it."""

    _RECONNECT_NOTE_IF: ClassVar[tuple[str, ...]] = ()
    """The stores the note is about: when named, it is logged only if one of them holds items."""

    def __init__(self) -> None:
        self._stores: dict[str, DataStore] = {}
        self._waiters: list[asyncio.Future[None]] = []
        self._limiter = LogLimiter(self._LOGGER)
        self._ws: Any = None
        self.skipped = 0
        """Messages ``onmessage`` skipped whole: malformed, or a handler failed on them."""
        self.handler_errors = 0
        """Of those, the ones a handler failed on (raised other than ``MalformedMessage``)."""
        init = getattr(self, "_init", None)
        if init is not None:
            init()

    # -- stores --------------------------------------------------------------------------

    def _create(
        self,
        name: str,
        *,
        keys: list[str] | None = None,
        data: list[Item] | None = None,
        datastore_class: type[S] = DataStore,  # type: ignore[assignment]
        maxlen: int | None = None,
    ) -> S:
        store = datastore_class(name, keys or None, data, maxlen=maxlen)
        store._collection = self
        self._stores[name] = store
        return store

    @overload
    def _get(self, name: str, type_: type[S]) -> S: ...

    @overload
    def _get(self, name: str, type_: None = None) -> DataStore | None: ...

    def _get(self, name: str, type_: type[DataStore] | None = None) -> DataStore | None:
        return self._stores.get(name)

    def __getitem__(self, name: str) -> DataStore:
        return self._stores[name]

    def __contains__(self, name: object) -> bool:
        return name in self._stores

    def __iter__(self) -> Iterator[str]:
        """The store names."""
        return iter(self._stores)

    # -- feeding -------------------------------------------------------------------------

    def onmessage(self, msg: Any, ws: Any = None) -> None:
        """The ``hdlr_json`` callback for ``Client.ws_connect``; never raises. Wakes ``wait()``."""
        if ws is not self._ws:
            self._follow(ws)
        try:
            self._onmessage(msg, ws)
        except MalformedMessage as exc:
            self._malformed(msg, exc)
        except Exception as exc:
            self._failed(exc)
        finally:
            if self._waiters:  # wait() returns after every message, as in pybotters
                self._wake()

    def _follow(self, ws: Any) -> None:
        """A message from a connection not seen before: be told of its app's reconnections.

        Subclasses that override ``onmessage`` call it the same way (``ws is not self._ws``),
        before handling the message, so a reconnection resets the stores before its first frame.
        """
        self._ws = ws
        follow_reconnects(ws, self)

    def _malformed(self, msg: Any, exc: MalformedMessage) -> None:
        """Count and log (rate-limited) a message skipped whole for its shape."""
        key = self._CHANNEL_KEY
        if key and type(msg) is dict:
            exc = MalformedMessage(f"{str(msg.get(key))[:64]}: {exc}")
        self.skipped += 1
        self._limiter.warning(
            ("malformed", str(exc)[:40]),
            "%s skipped a malformed message: %s",
            type(self).__name__,
            exc,
        )

    def _failed(self, exc: Exception) -> None:
        """Count and log a handler failure (a bug or an unexpected message), rate-limited."""
        self.skipped += 1
        self.handler_errors += 1
        self._limiter.log(
            logging.ERROR,
            ("handler-error", type(exc).__name__),
            "%s could not apply a message (%s: %s); it was skipped",
            type(self).__name__,
            type(exc).__name__,
            exc,
            exc_info=True,
        )

    def _not_an_object(self, msg: Any) -> None:
        """Log (rate-limited) a frame that is not a JSON object; it is ignored, not skipped."""
        self._limiter.warning(
            "not-object",
            "%s: ignored a frame that is not a JSON object (%s)",
            type(self).__name__,
            type(msg).__name__,
        )

    def _no_store_for(self, kind: str, name: object, key: str | None = None) -> None:
        """Log that a ``kind`` of message (channel, topic, room...) has no store here: once per
        ``key`` (default: ``name``), then rate-limited. The message is ignored, not skipped."""
        self._limiter.warning(
            ("unknown", str(name if key is None else key)[:64]),
            "%s: no store for %s %.128r; its messages are ignored",
            type(self).__name__,
            kind,
            name,
        )

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        """Without routes of its own a collection prints each message, as pybotters' does."""
        print(msg)

    def on_ws_reconnect(self, ws_app: Any) -> None:
        """Called by the WebSocketApp after a reconnection's login, before its first message
        (``None`` from a replayed recording); see ``topgun.ws.owner.ReconnectAware``.

        The stores reset what depends on stream continuity (books wait for a fresh snapshot).
        Never raises: a failing hook is logged so the reconnect itself goes on.
        """
        self._logging_failure(
            lambda: self._onreconnect(ws_app), "reconnect", "reset its stores on reconnect"
        )

    def _onreconnect(self, ws_app: Any) -> None:
        for store in self._stores.values():
            store._onreconnect()
        stores, about = self._stores, self._RECONNECT_NOTE_IF
        if self._RECONNECT_NOTE and (not about or any(len(stores[name]) for name in about)):
            self._LOGGER.info("%s", self._RECONNECT_NOTE)

    def on_ws_disconnect(self, ws_app: Any) -> None:
        """Called by the WebSocketApp when a live connection drops and it goes on to reconnect.

        Stores stop serving what the lost stream can no longer keep true (books go out of sync
        now, not when the next connection is up). Never raises, as ``on_ws_reconnect``.
        """
        self._logging_failure(
            self._ondisconnect, "disconnect", "reset its stores on a dropped connection"
        )

    def _ondisconnect(self) -> None:
        for store in self._stores.values():
            store._ondisconnect()

    def _logging_failure(self, hook: Callable[[], None], event: str, doing: str) -> None:
        """Run a connection-event hook; a failure is logged (rate-limited), never raised, so
        the connection's own handling goes on."""
        try:
            hook()
        except Exception as exc:
            self._limiter.log(
                logging.ERROR,
                (f"{event}-error", type(exc).__name__),
                "%s failed to %s (%s: %s)",
                type(self).__name__,
                doing,
                type(exc).__name__,
                exc,
            )

    async def initialize(self, *aws: Any, max_size: int | None = DEFAULT_MAX_RESPONSE_SIZE) -> None:
        """Load HTTP responses into the stores, routed by endpoint path (``_ENDPOINTS``).

        Takes what ``client.get(...)``, ``client.request(...)`` and ``client.fetch(...)`` return
        (or their results), awaited concurrently. Every response is checked before any is
        applied: an endpoint this collection does not know, an HTTP error status or a body that
        is not JSON raises InitializeError and changes nothing. Responses are then applied in
        argument order; each store checks the shape of its data before changing anything.
        A response body this reads itself (from ``client.get`` or ``client.request``) is read
        up to ``max_size`` bytes after decompression (64 MiB; ``None``: no bound), like
        ``fetch()``'s; a larger one is an error and nothing is applied.
        """
        limit = check_limit(max_size, "max_size")
        results = await asyncio.gather(
            *(self._received(aw, limit) for aw in aws), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, Exception):
                raise result
        errors = [result for result in results if isinstance(result, Exception)]
        if errors:
            if len(errors) == 1 and isinstance(errors[0], InitializeError):
                raise errors[0]
            raise InitializeError(
                f"{type(self).__name__}.initialize: nothing applied; "
                + "; ".join(f"{type(e).__name__}: {e}" for e in errors),
                tuple(errors),
            ) from errors[0]
        for result in results:
            assert not isinstance(result, BaseException)
            name, data, response = result
            self._apply_response(name, data, response)

    def _takes_response(self, name: str) -> bool:
        """Whether ``_apply_response`` can apply a response routed to ``name`` (a store's name;
        a subclass that handles some endpoints itself extends it)."""
        return name in self._stores

    def _apply_response(self, name: str, data: Any, response: aiohttp.ClientResponse) -> None:
        """Apply one checked response routed to ``name``: by default, that store's
        ``_onresponse(data, url)``. ``topgun.Client.of(response)`` is the Client that made it."""
        self._stores[name]._onresponse(data, response.url)

    async def _received(
        self, aw: Any, limit: int | None
    ) -> tuple[str, Any, aiohttp.ClientResponse]:
        """``_receive``'s store name and data, with the response they came from."""
        obj = await aw if inspect.isawaitable(aw) else aw
        name, _, data = await self._receive(obj, limit)
        return name, data, obj.response if isinstance(obj, FetchResult) else obj

    async def _receive(self, aw: Any, limit: int | None) -> tuple[str, URL, Any]:
        obj = await aw if inspect.isawaitable(aw) else aw
        if isinstance(obj, FetchResult):
            response, data = obj.response, obj.data
            body = obj.text
        elif isinstance(obj, aiohttp.ClientResponse):
            response = obj
            try:
                raw = await read_limited(obj, limit, hint=_RAISE_HINT)
            finally:
                obj.release()
            body = raw.decode(obj.charset or "utf-8", errors="replace")
            try:
                data = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                data = NotJSONContent(exc)
        else:
            raise InitializeError(
                f"initialize() takes HTTP responses (what client.get/request/fetch return), "
                f"not {type(obj).__name__}"
            )
        where = f"{response.method} {response.url.path}"
        name = self._ENDPOINTS.get(response.url.path)
        if name is None or not self._takes_response(name):
            known = ", ".join(sorted(self._ENDPOINTS)) or "none"
            raise InitializeError(
                f"{type(self).__name__}.initialize does not know {where}; it takes: {known}"
            )
        if response.status >= 400:
            raise InitializeError(
                f"{where} answered HTTP {response.status}: {body[:_BODY_EXCERPT]}"
            )
        if isinstance(data, NotJSONContent):
            raise InitializeError(f"{where} did not return JSON: {body[:_BODY_EXCERPT]!r}")
        return name, response.url, data

    async def wait(self) -> None:
        """Return after the next message ``onmessage`` handles (changed or not), or store change."""
        await wait_on(self._waiters)

    def _wake(self) -> None:
        waiters = self._waiters
        self._waiters = []
        wake_all(waiters)


def query_param(url: URL, name: str) -> str:
    """A query parameter a store's ``_onresponse`` needs to file a response (its symbol...).

    Raises InitializeError naming the parameter when the request did not carry it, since the
    response alone cannot say what it is about.
    """
    value = url.query.get(name)
    if not value:
        raise InitializeError(
            f"{url.path}: the request has no {name!r} parameter, so the response cannot be "
            f"filed; pass params={{{name!r}: ...}}"
        )
    return value
