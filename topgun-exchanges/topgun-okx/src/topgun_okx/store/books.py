"""``Books``: OKX order books, verified by the seqId chain and (when given) the checksum.

One store holds the books of every order-book channel: ``books``, ``books-l2-tbt``,
``books50-l2-tbt``, ``books-elp`` (a snapshot, then updates chained by seqId/prevSeqId) and
``books5``, ``bbo-tbt`` (every push is the whole book at that depth). A book is identified by
(instId, channel), so the books of several channels of one instrument never mix: levels are
``{"instId", "channel", "side", "px", "sz", "liqSz", "ordSz"}`` keyed by (instId, channel,
side, px).

Integrity (see ``integrity``): every update must continue its book's seqId chain; a non-zero
``checksum`` must match the book's best 25 levels after the message is applied. A book that
fails either is dropped at once (never served) and recovered:

- *by resubscription* when the channel sends a snapshot on subscribe (OKX's behaviour until its
  2026 change): unsubscribe + subscribe of exactly that (channel, instId) on the WebSocket the
  message came from, backing off when a book keeps failing;
- *by REST snapshot* when it does not: a book whose first push after a (re)subscription is an
  ``update`` is in REST mode. Its updates are buffered (bounded) until a snapshot from
  ``GET /api/v5/market/books`` arrives, through ``OKXDataStore.initialize()`` or fetched by the
  store itself when given a Client (``use_client``), and replayed by OKX's procedure
  (https://www.okx.com/docs-v5/log_en, "How to manage a local order book correctly"): drop
  updates with ``seqId <= snapshot seqId``; the first kept one needs ``prevSeqId <= snapshot
  seqId < seqId``; then the chain as usual. A snapshot older than the first buffered update's
  ``prevSeqId`` is refused and fetched again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from yarl import URL

from topgun.errors import InitializeError
from topgun.store import Item, Level, LogLimiter, OrderBookStore

from ._messages import MalformedMessage
from .integrity import CHECKSUM_DEPTH, Verdict, chain_verdict, checksum

__all__ = ["SNAPSHOT_CHANNELS", "BookStats", "Books"]

log = logging.getLogger("topgun.store.okx")

SNAPSHOT_CHANNELS = frozenset({"books5", "bbo-tbt"})
"""Channels whose every push is the whole book at their depth."""

REST_DEPTH = {"books": 400, "books-l2-tbt": 400, "books50-l2-tbt": 50, "books-elp": 400}
"""The ``sz`` a REST snapshot is fetched with for each incremental channel."""

REST_PATH = "/api/v5/market/books"
BUFFER_LIMIT = 2000
"""Updates kept per book while it waits for a REST snapshot (the oldest go first)."""

RECOVERY_TIMEOUT = 10.0
"""Seconds a resubscription has to bring the book back before it is tried again."""

STALE_LIMIT = 100
"""Stale updates in a row that put a book out of sync: a sequence reset the rule missed."""

_MAX_BACKOFF = 60.0
_CALM = 60.0  # seconds without a recovery after which backoff starts again from zero
_INF = float("inf")

Group = tuple[str, str]
"""A book's key: (instId, channel)."""


@dataclass
class BookStats:
    """Counters of the ``books`` store since it was created (all books together); the names
    are those of core's verified-books contract (docs/verified-books.rst)."""

    gaps: int = 0
    """Updates that did not continue their book's seqId chain."""
    checksum_failures: int = 0
    """Messages after which the book did not match their non-zero ``checksum``."""
    checksums_verified: int = 0
    """Messages whose non-zero ``checksum`` was checked and matched."""
    reconnects: int = 0
    """Books put out of sync by a reconnect of their WebSocket."""
    resyncs: int = 0
    """Recovery requests made (resubscribes sent, REST snapshots fetched)."""
    recovered: int = 0
    """Episodes that ended with the book back in sync."""
    recovery_failures: int = 0
    """Recovery requests that failed (send error, HTTP error, unusable or too old snapshot)."""
    stale_dropped: int = 0
    """Duplicate or older updates ignored."""
    unsynced_dropped: int = 0
    """Updates ignored while their book waited for the snapshot its subscription sends."""
    buffer_overflows: int = 0
    """Updates pushed out of a full buffer while a book waited for its REST snapshot."""
    last_reason: str | None = None
    """The last episode's book and reason, e.g. ``books BTC-USDT: gap: expected prevSeqId 15,
    got 17``."""


@dataclass(slots=True)
class _Depth:
    """One validated book message (or REST snapshot)."""

    asks: list[Level]
    bids: list[Level]
    ask_extras: list[tuple[float, Any, Any]]  # (rank, liqSz, numOrders) of the kept levels
    bid_extras: list[tuple[float, Any, Any]]
    seq: int | None
    prev: int | None
    checksum: int
    ts: Any


@dataclass(slots=True)
class _State:
    """Where one incremental book stands."""

    mode: Literal["ws", "rest"] | None = None
    synced: bool = False
    seq: int = 0
    bridge: bool = False  # just set from a REST snapshot: the next update may straddle it
    buffer: deque[_Depth] = field(default_factory=lambda: deque(maxlen=BUFFER_LIMIT))
    recovering: bool = False
    attempts: int = 0
    last_recovery: float = -_INF
    ever_synced: bool = False
    stale_run: int = 0


def _int(value: Any, what: str) -> int:
    if type(value) is int:
        return value
    if type(value) is str:
        try:
            return int(value)
        except ValueError:
            pass
    raise MalformedMessage(f"{what} {value!r} is not an integer")


def _levels(rows: Any, sign: float, extras: list[tuple[float, Any, Any]]) -> list[Level]:
    """``[[px, sz, liqSz, numOrders], ...]`` as levels (a size "0" removes one); the kept
    levels' ``(rank, liqSz, numOrders)`` go to ``extras`` (rank: the price, negated for bids)."""
    if type(rows) is not list:
        raise MalformedMessage("asks/bids is not a JSON array")
    levels: list[Level] = []
    append = levels.append
    keep = extras.append
    try:
        for row in rows:
            if type(row) is not list:
                raise MalformedMessage(f"a level {row!r} is not an array")
            px, sz, liq, orders = row
            if type(px) is not str or type(sz) is not str:
                raise MalformedMessage(f"a level {row!r} is not [price, size, ...] as strings")
            price = float(px)
            size = float(sz)
            if not (0.0 < price < _INF and 0.0 <= size < _INF):
                raise MalformedMessage(f"a level {row!r} is not a finite positive price/size")
            if size:
                append((price, px, sz))
                keep((sign * price, liq, orders))
            else:
                append((price, px, None))
    except ValueError as exc:
        if isinstance(exc, MalformedMessage):
            raise
        raise MalformedMessage(f"a level is malformed ({exc})") from None
    return levels


def parse_depth(book: Any, chained: bool) -> _Depth:
    """One element of a book push's ``data`` (or of the REST answer), validated whole."""
    if type(book) is not dict:
        raise MalformedMessage("a book element is not a JSON object")
    ask_extras: list[tuple[float, Any, Any]] = []
    bid_extras: list[tuple[float, Any, Any]] = []
    asks = _levels(book.get("asks", []), 1.0, ask_extras)
    bids = _levels(book.get("bids", []), -1.0, bid_extras)
    seq = book.get("seqId")
    prev = book.get("prevSeqId")
    if chained:
        seq = _int(seq, "seqId")
        prev = _int(prev, "prevSeqId")
    else:
        seq = None if seq is None else _int(seq, "seqId")
        prev = None
    crc = book.get("checksum", 0)
    if type(crc) is not int:
        crc = 0 if crc is None else _int(crc, "checksum")
    return _Depth(asks, bids, ask_extras, bid_extras, seq, prev, crc, book.get("ts"))


class Books(OrderBookStore):
    """Order books of every OKX book channel, one per (instId, channel), verified.

    ``sorted({"instId": "BTC-USDT"})`` works as in the reference while that instrument has a book
    of one channel only; with several (say ``books`` and ``bbo-tbt``) name the one you want:
    ``sorted({"instId": "BTC-USDT", "channel": "books"})``. ``out_of_sync`` lists the
    (instId, channel) books that cannot be trusted right now (they have no levels), ``stats``
    counts what happened, and ``await wait_synced(inst_id, channel)`` waits for a good book.
    """

    _KEYS = ("instId", "channel", "side", "px")
    _SIDE_KEY, _PRICE_KEY, _SIZE_KEY = "side", "px", "sz"
    _ASKS, _BIDS = "asks", "bids"

    def _init(self) -> None:
        self.checksum: dict[str, int] = {}
        """The last ``checksum`` per instId, as sent (0 once OKX stopped sending it)."""
        self.ts: Any = None
        """The ``ts`` of the last book message."""
        self.stats = BookStats()
        self.out_of_sync: set[Group] = set()
        self._states: dict[Group, _State] = {}
        self._channels: dict[str, set[str]] = {}
        self._pending: dict[str, _Depth] = {}  # REST snapshots not asked for yet, per instId
        self._sync_waiters: dict[str | Group, list[asyncio.Future[None]]] = {}
        self._reasons: dict[Group, str] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._client: Any = None
        self._rest_headers: dict[str, str] = {}
        self._log = LogLimiter(log)

    # -- reading ---------------------------------------------------------------------------

    def _channel_for(self, query: Item) -> Item | None:
        """``query`` with its ``channel`` filled in when its instId has a book of one channel."""
        inst_id = query.get("instId")
        channels = self._channels.get(inst_id) if type(inst_id) is str else None
        if not channels:
            return None
        if len(channels) > 1:
            raise ValueError(
                f"OKX books: {inst_id} has books of several channels ({', '.join(sorted(channels))}); "
                f"name one, e.g. {{'instId': {inst_id!r}, 'channel': {sorted(channels)[0]!r}}}"
            )
        return {**query, "channel": next(iter(channels))}

    def get(self, item: Item) -> Item | None:
        if "channel" not in item:
            try:
                found = self._channel_for(item)
            except ValueError:
                return None
            if found is None:
                return None
            item = found
        return super().get(item)

    def sorted(self, query: Item | None = None, limit: int | None = None) -> dict[str, list[Item]]:
        if query and "channel" not in query and "instId" in query:
            found = self._channel_for(query)
            if found is None:
                return {self._ASKS: [], self._BIDS: []}
            query = found
        return super().sorted(query, limit)

    def in_sync(self, key: str | Group) -> bool:
        """Whether a book is complete and verified right now.

        ``key`` is (instId, channel), or an instId alone: then every book of that instrument
        (there is usually one) must be in sync, and there must be at least one.
        """
        if isinstance(key, str):
            channels = self._channels.get(key, ())
            return bool(channels) and all(self.in_sync((key, ch)) for ch in channels)
        if key in self.out_of_sync:
            return False
        state = self._states.get(key)
        return state.synced if state is not None else key in self._books

    def out_of_sync_reason(self, key: Group) -> str | None:
        """Why that book is out of sync now (None when it is in sync or unknown)."""
        return self._reasons.get(key) if key in self.out_of_sync else None

    async def wait_synced(
        self,
        key: str | Group,
        timeout: float | None = None,  # noqa: ASYNC109 - a bot's one call to wait for its book
    ) -> None:
        """Return once ``key``'s book is in sync (at once if it is), as ``in_sync`` says.

        Raises TimeoutError, saying why the book is still out of sync, after ``timeout`` seconds.
        """
        if self.in_sync(key):
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiters = self._sync_waiters.setdefault(key, [])
        waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            groups = [g for g in self.out_of_sync if key in (g, g[0])]
            why = "; ".join(f"{g[1]}: {self._reasons.get(g, 'no data yet')}" for g in groups)
            raise TimeoutError(
                f"OKX books {key!r} not in sync after {timeout} s ({why or 'no data yet'})"
            ) from None
        finally:
            with contextlib.suppress(ValueError):
                waiters.remove(waiter)
            if not waiters:
                self._sync_waiters.pop(key, None)

    # -- feeding ---------------------------------------------------------------------------

    def _on_push(self, arg: Item, msg: Item, ws: Any) -> None:
        channel = arg["channel"]
        inst_id = arg.get("instId")
        if type(inst_id) is not str:
            raise MalformedMessage(f"{channel}: 'arg' has no instId")
        data = msg.get("data")
        if type(data) is not list or not data:
            raise MalformedMessage(f"{channel}: 'data' is not a non-empty JSON array")
        group = (inst_id, channel)
        if channel in SNAPSHOT_CHANNELS or ("action" not in msg and channel not in REST_DEPTH):
            depths = [parse_depth(book, chained=False) for book in data]
            for depth in depths:
                self._on_whole(group, depth)
            return
        action = msg.get("action")
        if action != "snapshot" and action != "update":
            raise MalformedMessage(f"{channel}: unknown action {action!r}")
        depths = [parse_depth(book, chained=True) for book in data]
        state = self._states.get(group)
        if state is None:
            state = self._states[group] = _State()
            self._known(group)
        for depth in depths:
            if action == "snapshot":
                self._on_snapshot(group, state, depth, ws)
            else:
                self._on_update(group, state, depth, ws)

    def _known(self, group: Group) -> None:
        self._channels.setdefault(group[0], set()).add(group[1])
        self.out_of_sync.add(group)

    def _on_whole(self, group: Group, depth: _Depth) -> None:
        if group not in self._books:
            self._known(group)
        self._set_book(group, depth)
        if depth.checksum:
            ours = self._mismatch(group, depth)
            if ours is not None:
                self._drop_book(group)
                self._lost(group, f"checksum: expected {depth.checksum} got {ours}", None)
                return
        if group in self.out_of_sync:
            self.out_of_sync.discard(group)
            self._wake_synced(group)

    def _on_snapshot(self, group: Group, state: _State, depth: _Depth, ws: Any) -> None:
        state.mode = "ws"
        state.buffer.clear()
        self._set_book(group, depth)
        state.seq = depth.seq  # type: ignore[assignment]
        state.bridge = False
        state.stale_run = 0
        if depth.checksum:
            ours = self._mismatch(group, depth)
            if ours is not None:
                self._lose(group, state, f"checksum: expected {depth.checksum} got {ours}", ws)
                return
        self._synced(group, state)

    def _on_update(self, group: Group, state: _State, depth: _Depth, ws: Any) -> None:
        if not state.synced:
            if state.mode == "ws":
                self.stats.unsynced_dropped += 1
                return
            state.mode = "rest"
            if len(state.buffer) == BUFFER_LIMIT:
                self.stats.buffer_overflows += 1
            state.buffer.append(depth)
            self._try_rest(group, state, ws)
            return
        seq, prev = depth.seq, depth.prev
        assert seq is not None and prev is not None
        if state.bridge:
            if seq <= state.seq:
                verdict = Verdict.STALE
            elif prev <= state.seq:
                verdict = Verdict.APPLY
            else:
                verdict = Verdict.GAP
        else:
            verdict = chain_verdict(state.seq, prev, seq)
        if verdict is Verdict.STALE:
            self.stats.stale_dropped += 1
            state.stale_run += 1
            if state.stale_run >= STALE_LIMIT:
                self._lose(
                    group,
                    state,
                    f"stale: {STALE_LIMIT} updates in a row at or behind seqId {state.seq}",
                    ws,
                )
            return
        if verdict is Verdict.GAP:
            self.stats.gaps += 1
            self._lose(group, state, f"gap: expected prevSeqId {state.seq}, got {prev}", ws)
            return
        self._apply(group, depth)
        state.seq = seq
        state.bridge = False
        state.stale_run = 0
        if depth.checksum:
            ours = self._mismatch(group, depth)
            if ours is not None:
                self._lose(group, state, f"checksum: expected {depth.checksum} got {ours}", ws)

    # -- applying --------------------------------------------------------------------------

    def _set_book(self, group: Group, depth: _Depth) -> None:
        if self._streams:
            self._slow_replace(group, depth)
        else:
            self._replace_book(group, depth.asks, depth.bids)
            self._set_extras(group, depth)
        self._seen(group, depth)

    def _apply(self, group: Group, depth: _Depth) -> None:
        if not depth.asks and not depth.bids:
            self._seen(group, depth)
            return
        if self._streams:
            self._slow_apply(group, depth)
        else:
            self._apply_levels(group, depth.asks, depth.bids)
            self._set_extras(group, depth)
        self._seen(group, depth)

    def _seen(self, group: Group, depth: _Depth) -> None:
        self.checksum[group[0]] = depth.checksum
        if depth.ts is not None:
            self.ts = depth.ts

    def _set_extras(self, group: Group, depth: _Depth) -> None:
        """Set ``liqSz``/``ordSz`` of the levels a message kept (core levels hold a size only)."""
        book = self._books.get(group)
        if book is None:
            return
        for levels, extras in (
            (book.asks.levels, depth.ask_extras),
            (book.bids.levels, depth.bid_extras),
        ):
            for rank, liq, orders in extras:
                level = levels.get(rank)
                if level is not None:
                    level["liqSz"] = liq
                    level["ordSz"] = orders

    def _full_items(self, group: Group, depth: _Depth) -> tuple[list[Item], list[Item]]:
        """The message as whole level items (kept, removed), for watchers' sake."""
        kept: list[Item] = []
        removed: list[Item] = []
        for name, sign, levels, extras in (
            ("asks", 1.0, depth.asks, depth.ask_extras),
            ("bids", -1.0, depth.bids, depth.bid_extras),
        ):
            found = {rank: (liq, orders) for rank, liq, orders in extras}
            for price, px, sz in levels:
                item: Item = {"instId": group[0], "channel": group[1], "side": name, "px": px}
                if sz is None:
                    removed.append(item)
                    continue
                liq, orders = found[sign * price]
                item.update(sz=sz, liqSz=liq, ordSz=orders)
                kept.append(item)
        return kept, removed

    def _slow_apply(self, group: Group, depth: _Depth) -> None:
        kept, removed = self._full_items(group, depth)
        self._delete(removed)
        self._update(kept)

    def _slow_replace(self, group: Group, depth: _Depth) -> None:
        kept, _ = self._full_items(group, depth)
        fresh = {(item["side"], float(item["px"])) for item in kept}
        book = self._books.get(group)
        if book is not None:
            old = [*book.asks.levels.values(), *book.bids.levels.values()]
            self._delete([lv for lv in old if (lv["side"], float(lv["px"])) not in fresh])
        self._update(kept)

    def _new_level(self, group: Hashable, side: str, price: Any, size: Any) -> Item:
        inst_id, channel = cast("Group", group)
        return {
            "instId": inst_id,
            "channel": channel,
            "side": side,
            "px": price,
            "sz": size,
            "liqSz": "0",
            "ordSz": "0",
        }

    def _mismatch(self, group: Group, depth: _Depth) -> int | None:
        """None when the book matches the message's checksum, else the book's own checksum."""
        top = super().sorted({"instId": group[0], "channel": group[1]}, CHECKSUM_DEPTH)
        ours = checksum(top["bids"], top["asks"])
        if ours == depth.checksum:
            self.stats.checksums_verified += 1
            return None
        self.stats.checksum_failures += 1
        return ours

    # -- sync state ------------------------------------------------------------------------

    def _synced(self, group: Group, state: _State) -> None:
        state.synced = True
        state.recovering = False
        if state.ever_synced and group in self.out_of_sync:
            self.stats.recovered += 1
            log.info("OKX books %s %s: back in sync (seqId %s)", group[1], group[0], state.seq)
        state.ever_synced = True
        self.out_of_sync.discard(group)
        self._wake_synced(group)

    def _wake_synced(self, group: Group) -> None:
        if not self._sync_waiters:
            return
        for key in (group, group[0]):
            waiters = self._sync_waiters.get(key)
            if waiters and self.in_sync(key):
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_result(None)

    def _lost(self, group: Group, reason: str, how: str | None) -> None:
        self.stats.last_reason = f"{group[1]} {group[0]}: {reason}"
        self._reasons[group] = reason
        if group not in self.out_of_sync:
            self.out_of_sync.add(group)
            log.warning(
                "OKX books %s %s: out of sync (%s); %s",
                group[1],
                group[0],
                reason,
                how or "the next push replaces it",
            )

    def _lose(self, group: Group, state: _State, reason: str, ws: Any) -> None:
        """The book is wrong: stop serving it and start its recovery."""
        state.synced = False
        state.bridge = False
        state.buffer.clear()
        self._drop_book(group)
        if state.mode == "rest":
            self._lost(group, reason, "fetching a REST snapshot")
            self._try_rest(group, state, ws)
        else:
            self._lost(group, reason, "resubscribing for a fresh snapshot")
            self._resubscribe(group, state, ws)

    def _backoff(self, state: _State) -> float:
        now = time.monotonic()
        if now - state.last_recovery > _CALM:
            state.attempts = 0
        delay = 0.0 if state.attempts == 0 else min(_MAX_BACKOFF, 0.5 * 2.0**state.attempts)
        state.attempts += 1
        state.last_recovery = now
        return delay

    def _spawn(self, coro: Any) -> bool:
        try:
            task = asyncio.get_running_loop().create_task(coro)
        except RuntimeError:
            coro.close()
            return False
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    def _resubscribe(self, group: Group, state: _State, ws: Any) -> None:
        if state.recovering:
            return
        arg = {"channel": group[1], "instId": group[0]}
        if ws is None or not hasattr(ws, "send_json"):
            self._log.warning(
                ("no-ws", group),
                "OKX books %s %s: no WebSocket to resubscribe on; send unsubscribe + subscribe "
                "of %s yourself to get a fresh snapshot",
                group[1],
                group[0],
                arg,
            )
            return
        state.recovering = self._spawn(self._resubscribing(group, state, arg, ws))

    async def _resubscribing(self, group: Group, state: _State, arg: Item, ws: Any) -> None:
        """Unsubscribe + subscribe until the book is back in sync, backing off between tries."""
        try:
            while self._states.get(group) is state and not state.synced:
                delay = self._backoff(state)
                if delay:
                    await asyncio.sleep(delay)
                self.stats.resyncs += 1
                await ws.send_json({"op": "unsubscribe", "args": [arg]})
                await ws.send_json({"op": "subscribe", "args": [arg]})
                with contextlib.suppress(TimeoutError):
                    await self.wait_synced(group, RECOVERY_TIMEOUT)
        except Exception as exc:  # the link broke: its reconnect resubscribes everything
            self.stats.recovery_failures += 1
            log.info("OKX books %s %s: resubscribe failed (%s)", group[1], group[0], exc)
        finally:
            state.recovering = False

    # -- REST snapshots --------------------------------------------------------------------

    def use_client(self, client: Any, *, demo: bool = False) -> None:
        """Fetch REST snapshots through ``client`` (a ``topgun.Client``) when a book needs one.

        ``demo=True`` asks OKX's demo-trading books (header ``x-simulated-trading: 1``).
        Without a client, REST-mode books wait for ``OKXDataStore.initialize()`` with
        ``client.get("https://www.okx.com/api/v5/market/books", params={"instId": ..., "sz": ...})``.
        """
        self._client = client
        self._rest_headers = {"x-simulated-trading": "1"} if demo else {}

    def _try_rest(self, group: Group, state: _State, ws: Any) -> None:
        pending = self._pending.get(group[0])
        if pending is not None and self._from_rest(group, state, pending):
            return
        if state.recovering:
            return
        if self._client is None:
            self._log.warning(
                ("no-snapshot", group),
                "OKX books %s %s: no snapshot was sent on subscribe; buffering updates until "
                "initialize(client.get('https://www.okx.com%s', params={'instId': %r, 'sz': %d})) "
                "(or books.use_client(client) to fetch it automatically)",
                group[1],
                group[0],
                REST_PATH,
                group[0],
                REST_DEPTH.get(group[1], 400),
            )
            return
        state.recovering = self._spawn(self._fetching(group, state))

    async def _fetching(self, group: Group, state: _State) -> None:
        """Fetch REST snapshots until one starts the book, backing off between tries."""
        url = URL("https://www.okx.com" + REST_PATH).with_query(
            instId=group[0], sz=str(REST_DEPTH.get(group[1], 400))
        )
        try:
            while self._states.get(group) is state and state.mode == "rest" and not state.synced:
                delay = self._backoff(state)
                if delay:
                    await asyncio.sleep(delay)
                self.stats.resyncs += 1
                try:
                    response = await self._client.get(url, headers=self._rest_headers)
                    try:
                        body = await response.json(content_type=None)
                    finally:
                        response.release()
                    depth = self._rest_depth(body, url)
                except Exception as exc:
                    self.stats.recovery_failures += 1
                    log.warning(
                        "OKX books %s %s: REST snapshot failed (%s)", group[1], group[0], exc
                    )
                    continue
                if not state.synced and not self._from_rest(group, state, depth):
                    self.stats.recovery_failures += 1  # older than the buffered updates
        finally:
            state.recovering = False

    def _rest_depth(self, body: Any, url: URL) -> _Depth:
        if type(body) is not dict or str(body.get("code")) != "0":
            code = body.get("code") if type(body) is dict else None
            raise InitializeError(f"{url.path}: OKX answered code {code!r}")
        data = body.get("data")
        if type(data) is not list or len(data) != 1:
            raise InitializeError(f"{url.path}: 'data' is not a one-element array")
        try:
            depth = parse_depth(data[0], chained=False)
        except MalformedMessage as exc:
            raise InitializeError(f"{url.path}: {exc}") from None
        if depth.seq is None:
            raise InitializeError(
                f"{url.path}: the snapshot has no seqId, so it cannot be aligned with the "
                "stream; subscribe to a channel that sends a snapshot instead"
            )
        return depth

    def _onresponse(self, data: Any, url: URL) -> None:
        """``GET /api/v5/market/books?instId=...``: the snapshot for REST-mode books of instId."""
        inst_id = url.query.get("instId")
        if not inst_id:
            raise InitializeError(f"{url.path}: the request has no instId")
        depth = self._rest_depth(data, url)
        used = False
        for channel in self._channels.get(inst_id, ()):
            state = self._states.get((inst_id, channel))
            if state is not None and state.mode == "rest" and not state.synced:
                used = self._from_rest((inst_id, channel), state, depth) or used
        if not used:
            self._pending[inst_id] = depth

    def _from_rest(self, group: Group, state: _State, depth: _Depth) -> bool:
        """Start a REST-mode book from a snapshot and replay its buffer; False if too old."""
        snapshot_seq = depth.seq
        assert snapshot_seq is not None
        buffer = state.buffer
        if buffer and buffer[0].prev is not None and snapshot_seq < buffer[0].prev:
            self._pending.pop(group[0], None)
            return False
        self._pending.pop(group[0], None)
        replay = [d for d in buffer if d.seq is not None and d.seq > snapshot_seq]
        buffer.clear()
        self._set_book(group, depth)
        state.seq = snapshot_seq
        state.bridge = True
        state.synced = True
        for update in replay:
            self._on_update(group, state, update, None)
            if not state.synced:
                return True
        if state.synced:
            self._synced(group, state)
        return True

    # -- lifecycle -------------------------------------------------------------------------

    def _on_subscribed(self, arg: Item) -> None:
        """A (re)subscription was acknowledged: its first push tells snapshot or REST mode."""
        group = (arg.get("instId"), arg.get("channel"))
        state = self._states.get(group)  # type: ignore[arg-type]
        if state is not None and not state.synced:
            state.mode = None

    def _on_unsubscribed(self, arg: Item) -> None:
        """A book the user unsubscribed is no longer kept up to date: it is dropped."""
        group: Any = (arg.get("instId"), arg.get("channel"))
        state = self._states.get(group)
        if state is not None and state.recovering:
            return
        self._states.pop(group, None)
        self.out_of_sync.discard(group)
        channels = self._channels.get(group[0])
        if channels is not None:
            channels.discard(group[1])
        self._drop_book(group)

    def _onreconnect(self) -> None:
        books: list[Any] = list(self._books)
        groups = list(self._states) + [g for g in books if g[1] in SNAPSHOT_CHANNELS]
        for group in groups:
            state = self._states.get(group)
            if state is not None:
                state.synced = False
                state.mode = None
                state.bridge = False
                state.buffer.clear()
            self.out_of_sync.add(group)
            self._reasons[group] = "reconnect"
        self.stats.reconnects += len(groups)
        self._pending.clear()
        for task in self._tasks:
            task.cancel()
        if self._count:
            self._clear()
        if groups:
            self.stats.last_reason = "reconnect"
            log.warning(
                "OKX books: the WebSocket reconnected; %d book(s) wait for fresh data", len(groups)
            )

    async def close(self) -> None:
        """Cancel and await the store's own tasks (resubscriptions, REST fetches)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
