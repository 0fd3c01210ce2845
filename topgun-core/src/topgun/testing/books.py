"""A kit that proves any exchange's order book against a naive model, the same way for all.

A plugin describes its exchange's book messages in a ``BookAdapter``; the kit drives the
plugin's real ``onmessage`` with them and checks the guarantees of docs/verified-books.rst:

``check_clean_stream``
    snapshot then random diffs: the book equals the model after every message.
``check_before_snapshot``
    diffs before the first snapshot are not served; the key is out of sync.
``check_dropped_diff``
    one diff is lost: the next message puts the book out of sync (by sequence or checksum) and
    its levels are never served. Skipped for feeds that cannot tell (``adapter.detects_loss``).
``check_corrupted_level``
    a diff with a valid sequence but a wrong level: the checksum catches it (checksum feeds).
``check_duplicates``
    the same diff twice, and (sequenced feeds) an old diff again: ignored, the book stays right.
``check_recovery``
    end to end through ``Client.ws_connect`` against a local exchange (``BookExchange``): the
    first snapshot, a lost diff, a reconnect; each time the book recovers (the local exchange
    answers the resubscribe, or serves the REST snapshot) and ends equal to the model.

``check_offline`` runs the first five; ``await check_book`` runs them all::

    class MyAdapter(BookAdapter):
        key = "BTC-USDT"
        ws_url = "wss://ws.example.com/ws"
        ...

    def test_book_kit() -> None:
        check_offline(MyAdapter())

    async def test_book_recovery() -> None:
        await check_recovery(MyAdapter())

Messages go through orjson and back, as on the wire. The model's prices sit on a grid of 0.5
and its sizes are multiples of 0.25 (exact in binary and in short decimal strings), its asks
always above its bids; each change moves one sequence number (``model.prev`` -> ``model.seq``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import orjson
from aiohttp import web
from yarl import URL

from ..client import Client
from ..store import OrderBookStore, Recovery
from ..store.datastore import Item
from ..ws.backoff import Backoff
from .http import HttpExchange
from .waiting import eventually
from .websocket import Connection, WebSocketExchange

__all__ = [
    "BookAdapter",
    "BookExchange",
    "Change",
    "Messages",
    "ModelBook",
    "WholeBookAdapter",
    "check_before_snapshot",
    "check_book",
    "check_clean_stream",
    "check_corrupted_level",
    "check_dropped_diff",
    "check_duplicates",
    "check_offline",
    "check_recovery",
]

Change = list[tuple[float, float]]
"""Rows of one side of a diff: ``(price, size)``, size 0 for a removed level."""

_FAST = Backoff(0.02, 0.2, 2.0, 0.02, healthy_after=0.0)


class Messages(list[Any]):
    """Several messages that together carry one change, sent in order: what ``diff`` returns
    for a feed that sends one level per message."""


@dataclasses.dataclass
class ModelBook:
    """The exchange's true book: ``{price: size}`` per side and the last change's sequence."""

    asks: dict[float, float] = dataclasses.field(default_factory=dict)
    bids: dict[float, float] = dataclasses.field(default_factory=dict)
    seq: int = 1000
    """The sequence of the book as it is (the last change's id)."""
    prev: int = 999
    """The sequence before the last change."""

    @classmethod
    def seeded(cls, rng: random.Random, depth: int = 30, mid: float = 1000.0) -> ModelBook:
        model = cls()
        for i in range(1, depth + 1):
            model.asks[mid + i * 0.5] = _size(rng)
            model.bids[mid - i * 0.5] = _size(rng)
        return model

    def top(self, depth: int | None = None) -> tuple[Change, Change]:
        """``(asks, bids)`` best first, at most ``depth`` each."""
        asks = sorted(self.asks.items())[:depth]
        bids = sorted(self.bids.items(), reverse=True)[:depth]
        return asks, bids

    def step(self, rng: random.Random) -> tuple[Change, Change]:
        """Change 1-4 levels at random (update, remove, insert); the rows of that diff."""
        asks: Change = []
        bids: Change = []
        for _ in range(rng.randint(1, 4)):
            is_ask = rng.random() < 0.5
            side, rows = (self.asks, asks) if is_ask else (self.bids, bids)
            action = rng.random()
            if action < 0.25 and len(side) > 5:
                price = rng.choice(list(side))
                size = 0.0
            elif action < 0.6 or not side:
                price = self._new_price(rng, is_ask)
                size = _size(rng)
            else:
                price = rng.choice(list(side))
                size = _size(rng)
            rows.append((price, size))
            if size:
                side[price] = size
            else:
                side.pop(price, None)
        self.advance()
        return _last_wins(asks), _last_wins(bids)

    def touch_best(self) -> tuple[Change, Change]:
        """Change the size of the best ask (so a loss of this change shows in any checksum)."""
        price = min(self.asks)
        self.asks[price] += 1.0
        self.advance()
        return [(price, self.asks[price])], []

    def advance(self) -> None:
        self.prev = self.seq
        self.seq += 1

    def copy(self) -> ModelBook:
        return ModelBook(dict(self.asks), dict(self.bids), self.seq, self.prev)

    def _new_price(self, rng: random.Random, is_ask: bool) -> float:
        best_bid = max(self.bids, default=990.0)
        best_ask = min(self.asks, default=1010.0)
        while True:
            offset = rng.randint(1, 40) * 0.5
            price = best_bid + offset if is_ask else best_ask - offset
            if (price > best_bid if is_ask else price < best_ask) and price > 0:
                return price


def _size(rng: random.Random) -> float:
    return rng.randint(1, 40) * 0.25


def _last_wins(rows: Change) -> Change:
    return list({price: size for price, size in rows}.items())


class BookAdapter(ABC):
    """How one exchange writes its book messages; subclass it in the plugin's tests.

    Messages are the exchange's JSON messages as Python values (what ``orjson.loads`` gives);
    the kit serialises and parses them again before ``onmessage`` sees them.
    """

    key: Hashable
    """The book key under test (a symbol)."""
    ws_url: str = ""
    """The WebSocket URL the exchange serves the book on (``check_recovery``)."""
    rest_url: str = ""
    """``Recovery.REST``: the URL of the book's REST snapshot (served by ``BookExchange``)."""
    checksum: bool = False
    """Whether the feed's messages carry a checksum of the book."""
    apis: Mapping[str, list[str]] = {}
    """Credentials of the ``check_recovery`` Client (an exchange whose REST snapshot is signed)."""
    collection: type[Any] | None = None
    """The exchange's DataStoreCollection class: what the default ``new_store()`` makes."""
    book_name: str = ""
    """The name of the collection's order-book store: what the default ``book(store)`` returns."""

    def new_store(self) -> Any:
        """A fresh DataStoreCollection of the exchange (``onmessage(msg, ws)``): by default
        ``collection()``."""
        if self.collection is None:
            raise NotImplementedError(
                f"{type(self).__name__}: set collection (the DataStoreCollection class) "
                "or define new_store()"
            )
        return self.collection()

    def book(self, store: Any) -> OrderBookStore:
        """The order-book store of ``store`` under test: by default ``store[book_name]``."""
        if not self.book_name:
            raise NotImplementedError(
                f"{type(self).__name__}: set book_name (the order-book store's name) "
                "or define book(store)"
            )
        book = store[self.book_name]
        if not isinstance(book, OrderBookStore):
            raise TypeError(
                f"{type(self).__name__}: store {self.book_name!r} is a {type(book).__name__}, "
                "not an OrderBookStore; set book_name to the collection's order-book store"
            )
        return book

    @abstractmethod
    def diff(self, model: ModelBook, asks: Change, bids: Change) -> Any:
        """The diff message carrying these rows, with ``model``'s sequence fields and checksum.

        ``model`` is the book after the change (``model.prev`` -> ``model.seq``). The kit may
        pass rows that do not match the model, to corrupt a level under a valid sequence.
        """

    def snapshot(self, model: ModelBook) -> Any:
        """The WebSocket snapshot message of ``model`` (None: the feed has no such message)."""
        return None

    def rest_snapshot(self, model: ModelBook) -> Any:
        """``Recovery.REST``: the body of the REST snapshot response for ``model``."""
        raise NotImplementedError(f"{type(self).__name__} defines no rest_snapshot(model)")

    def subscribe(self) -> list[Any]:
        """The ``send_json`` messages of ``ws_connect`` that subscribe the book."""
        return []

    def greeting(self) -> list[Any]:
        """What the exchange sends unprompted when a connection opens (a welcome message)."""
        return []

    def answer(self, message: Any, model: ModelBook) -> list[Any]:
        """The exchange's replies to ``message`` sent by the client (a subscribe: the snapshot)."""
        return []

    def level(self, book: OrderBookStore, item: Item) -> tuple[float, float]:
        """``(price, size)`` of a stored level item."""
        return float(item[book._PRICE_KEY]), float(item[book._SIZE_KEY])

    def query(self, book: OrderBookStore) -> Item:
        """The ``sorted()`` query that selects the book of ``key``."""
        keys = book._group_keys
        if len(keys) == 1:
            return {keys[0]: self.key}
        return dict(zip(keys, self.key, strict=True))  # type: ignore[call-overload]

    @property
    def detects_loss(self) -> bool:
        """Whether a lost diff can be noticed: the feed has gap-checking sequences or checksums."""
        return self.checksum or self.sequenced

    @property
    def sequenced(self) -> bool:
        """Whether the book's diffs are checked by a sequence rule that can see gaps."""
        store = self.new_store()
        rule = type(self.book(store))._SEQUENCE
        return rule is not None and type(rule).__name__ != "OrderRule"


class WholeBookAdapter(BookAdapter):
    """A feed whose every message is the whole book of its key, with no sequence: a lost
    message is healed by the next one.

    The kit's "diff" is the whole book after the change, so ``check_offline`` runs only the
    checks such a feed can pass: nothing can notice a loss, and none needs noticing.
    """

    @abstractmethod
    def snapshot(self, model: ModelBook) -> Any:
        """The message carrying the whole of ``model``."""

    def diff(self, model: ModelBook, asks: Change, bids: Change) -> Any:
        return self.snapshot(model)


# -- offline checks: the store's onmessage, no network ---------------------------------------


def _wire(message: Any) -> Any:
    return orjson.loads(orjson.dumps(message))


class _Run:
    """One store under test, fed with the adapter's messages."""

    def __init__(self, adapter: BookAdapter, seed: int) -> None:
        self.adapter = adapter
        self.rng = random.Random(seed)
        self.model = ModelBook.seeded(self.rng)
        self.store = adapter.new_store()
        self.book = adapter.book(self.store)

    def send(self, message: Any) -> None:
        for part in message if isinstance(message, Messages) else (message,):
            self.store.onmessage(_wire(part), None)

    def seed(self) -> None:
        """Give the book its first snapshot (WebSocket, else REST as initialize() would)."""
        message = self.adapter.snapshot(self.model)
        if message is not None:
            self.send(message)
        else:
            url = URL(self.adapter.rest_url)
            self.book._onresponse(_wire(self.adapter.rest_snapshot(self.model)), url)
        assert self.book.in_sync(self.adapter.key), self.where("the snapshot did not sync it")

    def step(self) -> tuple[Change, Change]:
        asks, bids = self.model.step(self.rng)
        self.send(self.adapter.diff(self.model, asks, bids))
        return asks, bids

    def served(self) -> tuple[Change, Change]:
        result = self.book.sorted(self.adapter.query(self.book))
        asks = [self.adapter.level(self.book, item) for item in result[self.book._ASKS]]
        bids = [self.adapter.level(self.book, item) for item in result[self.book._BIDS]]
        return asks, bids

    def assert_equal(self, what: str) -> None:
        assert self.book.in_sync(self.adapter.key), self.where(f"{what}: out of sync")
        assert self.served() == self.model.top(), self.where(f"{what}: the book is not the model")

    def assert_hidden(self, what: str) -> None:
        key = self.adapter.key
        assert key in self.book.out_of_sync, self.where(f"{what}: not out of sync")
        assert self.served() == ([], []), self.where(f"{what}: levels still served")
        assert not self.book.find(self.adapter.query(self.book)), self.where(f"{what}: find()")

    def where(self, what: str) -> str:
        return f"{type(self.adapter).__name__} {self.adapter.key!r}: {what} ({self.book.stats})"


def check_clean_stream(adapter: BookAdapter, steps: int = 200, seed: int = 1) -> None:
    """A snapshot and ``steps`` random diffs: the book equals the model after each."""
    run = _Run(adapter, seed)
    run.seed()
    run.assert_equal("after the snapshot")
    for number in range(steps):
        run.step()
        run.assert_equal(f"after diff {number + 1}")
    stats = run.book.stats
    assert stats.gaps == stats.checksum_failures == 0, run.where("a clean stream raised alarms")


def check_before_snapshot(adapter: BookAdapter, seed: int = 2) -> None:
    """Diffs that come before the first snapshot are never served; the snapshot then syncs."""
    run = _Run(adapter, seed)
    run.step()
    run.assert_hidden("a diff before any snapshot")
    run.seed()
    run.assert_equal("after the first snapshot")
    run.step()
    run.assert_equal("after a diff following the snapshot")


def check_dropped_diff(adapter: BookAdapter, seed: int = 3) -> None:
    """A lost diff puts the book out of sync at the next message; it is never served after."""
    if not adapter.detects_loss:
        return  # the feed carries nothing to notice a loss with
    run = _Run(adapter, seed)
    run.seed()
    for _ in range(5):
        run.step()
    run.model.touch_best()  # lost on the way: never sent
    alarms = run.book.stats.gaps + run.book.stats.checksum_failures
    run.step()
    run.assert_hidden("the diff after a lost one")
    assert run.book.stats.gaps + run.book.stats.checksum_failures == alarms + 1, run.where(
        "the loss was not counted as a gap or a checksum failure"
    )
    for _ in range(3):
        run.step()
        run.assert_hidden("a later diff, with no snapshot since the loss")
    run.seed()
    run.assert_equal("after a fresh snapshot")


def check_corrupted_level(adapter: BookAdapter, seed: int = 4) -> None:
    """A wrong level under a valid sequence is caught by the checksum (checksum feeds only)."""
    if not adapter.checksum:
        return
    run = _Run(adapter, seed)
    run.seed()
    run.step()
    price = min(run.model.asks)
    run.model.asks[price] += 1.0  # the truth ...
    run.model.advance()
    wrong: Change = [(price, run.model.asks[price] + 0.25)]  # ... and what the message says
    before = run.book.stats.checksum_failures
    run.send(adapter.diff(run.model, wrong, []))
    run.assert_hidden("a diff with a corrupted level")
    assert run.book.stats.checksum_failures == before + 1, run.where("no checksum failure")


def check_duplicates(adapter: BookAdapter, seed: int = 5) -> None:
    """A diff sent twice, or (sequenced feeds) an old diff again, changes nothing."""
    run = _Run(adapter, seed)
    run.seed()
    sent: list[Any] = []
    for _ in range(6):
        asks, bids = run.model.step(run.rng)
        message = adapter.diff(run.model, asks, bids)
        sent.append(message)
        run.send(message)
        run.send(message)  # at once again
        run.assert_equal("after a duplicated diff")
    if adapter.sequenced:
        stale = run.book.stats.stale_dropped
        for message in sent[:3]:
            run.send(message)
            run.assert_equal("after an old diff again")
        assert run.book.stats.stale_dropped >= stale + 3, run.where("old diffs not counted stale")


def check_offline(adapter: BookAdapter) -> None:
    """Every check that needs no network (for a ``WholeBookAdapter``, the ones that apply)."""
    check_clean_stream(adapter)
    if isinstance(adapter, WholeBookAdapter):
        check_duplicates(adapter)
        return
    check_before_snapshot(adapter)
    check_dropped_diff(adapter)
    check_corrupted_level(adapter)
    check_duplicates(adapter)


# -- end to end: a local exchange that answers the book's recovery --------------------------


class BookExchange:
    """The adapter's exchange on 127.0.0.1: its WebSocket (answering what the client sends
    through ``adapter.answer``) and its REST snapshot, both from one ``model``.

    ``rest_requests`` counts the REST snapshots served; ``connections`` lists the WebSocket
    connections (``await exchange.push(message)`` sends on the newest).
    """

    def __init__(self, adapter: BookAdapter, model: ModelBook) -> None:
        self.adapter = adapter
        self.model = model
        self.rest_requests = 0
        self.changed = asyncio.Event()
        ws_url = URL(adapter.ws_url)
        hosts = {ws_url.host}
        routes = []
        if adapter.rest_url:
            hosts.add(URL(adapter.rest_url).host)
        self._ws = WebSocketExchange([h for h in hosts if h], self._answer, on_open=self._greet)
        routes.append(web.get(ws_url.path, self._ws.serve))
        self._http = HttpExchange([h for h in hosts if h], self._rest, routes=routes)

    @property
    def connections(self) -> list[Connection]:
        return self._ws.connections

    async def __aenter__(self) -> BookExchange:
        await self._http.__aenter__()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._http.__aexit__(*exc_info)

    def client(self, **kwargs: Any) -> Client:
        """A Client reaching this exchange (no credentials unless ``apis`` is given)."""
        kwargs.setdefault("apis", {})
        return self._http.client(**kwargs)

    async def push(self, message: Any) -> None:
        """Send ``message`` (each of ``Messages``) on the newest connection, as the exchange would."""
        for part in message if isinstance(message, Messages) else (message,):
            await self.connections[-1].send(part)

    async def _greet(self, conn: Connection) -> None:
        for message in self.adapter.greeting():
            await conn.send(message)

    def _answer(self, conn: Connection, message: Any) -> Iterable[Any]:
        self.changed.set()
        return self.adapter.answer(message, self.model)

    async def _rest(
        self, request: web.Request, body: bytes, record: dict[str, Any]
    ) -> web.Response:
        if request.path != URL(self.adapter.rest_url).path:
            return web.json_response({"error": "not found"}, status=404)
        self.rest_requests += 1
        self.changed.set()
        return web.json_response(self.adapter.rest_snapshot(self.model))


async def check_recovery(adapter: BookAdapter, seed: int = 6, within: float = 10.0) -> None:
    """First snapshot, a lost diff, a reconnect: each time the book recovers over the wire.

    The store is fed by ``client.ws_connect(adapter.ws_url, send_json=adapter.subscribe())``
    against ``BookExchange``; the recovery waits are shortened, the rest is the plugin's own.
    """
    rng = random.Random(seed)
    model = ModelBook.seeded(rng)
    store = adapter.new_store()
    book = adapter.book(store)
    book.recovery = dataclasses.replace(
        book.recovery, grace=0.05, timeout=1.0, backoff=Backoff(0.05, 0.5, 2.0, 0.05)
    )
    query = adapter.query(book)
    key = adapter.key

    def equal() -> bool:
        if not book.in_sync(key):
            return False
        result = book.sorted(query)
        asks = [adapter.level(book, item) for item in result[book._ASKS]]
        bids = [adapter.level(book, item) for item in result[book._BIDS]]
        return (asks, bids) == model.top()

    async def step() -> None:
        asks, bids = model.step(rng)
        await exchange.push(adapter.diff(model, asks, bids))

    async with (
        BookExchange(adapter, model) as exchange,
        exchange.client(apis=dict(adapter.apis)) as client,
    ):
        app = client.ws_connect(
            adapter.ws_url,
            send_json=adapter.subscribe() or None,
            hdlr_json=store.onmessage,
            backoff=_FAST,
        )
        await app.ready()
        await eventually(lambda: bool(exchange.connections), within)
        # 1. the first snapshot: the subscription's answer, or (REST books) fetched once diffs come
        for _ in range(3):
            await step()
        await book.wait_synced(key, timeout=within)
        await eventually(equal, within)
        for _ in range(5):
            await step()
        await eventually(equal, within)
        # 2. a lost diff: detected at the next one, recovered by the store's own request
        if adapter.detects_loss and type(book)._RECOVERY is not Recovery.NONE:
            resyncs = book.stats.resyncs
            model.touch_best()
            await step()
            await eventually(lambda: book.stats.resyncs > resyncs, within)
            await step()
            await eventually(equal, within)
        # 3. a reconnect: out of sync, then back through the resent subscription or REST
        connections = len(exchange.connections)
        await exchange.connections[-1].ws.close()
        await eventually(lambda: len(exchange.connections) > connections, within)
        await app.ready()
        for _ in range(3):
            await step()
        await eventually(equal, within)
        for _ in range(5):
            await step()
        await eventually(equal, within)
        assert book.stats.reconnects >= 1, f"{type(adapter).__name__}: {book.stats}"
        if type(book)._RECOVERY is Recovery.REST:
            assert exchange.rest_requests >= 1, "the REST snapshot was never fetched"


async def check_book(adapter: BookAdapter) -> None:
    """Every check of the kit."""
    check_offline(adapter)
    await check_recovery(adapter)
