"""Which books of an order-book store can be trusted, and the bookkeeping that decides it.

``VerifiedBook`` is the part of ``OrderBookStore`` that tracks, per book key, whether the book is
in sync with the exchange: it checks each diff against the exchange's ``SequenceRule`` and
checksum, drops a book that fails (it is never served while wrong), counts and logs each episode,
buffers diffs for a REST snapshot, wakes ``wait_synced`` callers, schedules recovery
(``topgun.store.recovery``) and bounds the store's total size. The exchange's store only declares
its rule and calls ``_snapshot``/``_diff``/``_desync`` (see docs/verified-books.rst).

The hot path is ``_diff`` on a book in sync: a dict lookup, the rule's few comparisons, the
store's apply, and two attribute writes. Everything else (logging, recovery, eviction) happens
only when something goes wrong.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from .policy import BookStats, Recovery, RecoveryPolicy, SnapshotRequest
from .recovery import start
from .sequence import APPLY, STALE, SequenceRule, signed_crc32
from .wakeup import wake_all

if TYPE_CHECKING:
    from yarl import URL

    from ._limiter import LogLimiter
    from .datastore import Item

__all__ = ["DEFAULT_MAX_BOOKS", "DEFAULT_MAX_LEVELS", "STALE_RUN_LIMIT", "VerifiedBook"]

log = logging.getLogger("topgun.store")

DEFAULT_MAX_BOOKS = 5_000
"""Books an order-book store holds at once unless ``max_books`` says otherwise."""
DEFAULT_MAX_LEVELS = 500_000
"""Levels across the books of an order-book store (about 170 MiB) unless ``max_levels`` says."""
STALE_RUN_LIMIT = 100
"""Stale diffs in a row after which a book is out of sync: a reset its rule did not recognise."""

_NO_SNAPSHOT = "no snapshot yet"
_SHOWN_KEYS = 10


class _KeyState:
    """One book key's standing: in sync or why not, its sequence, buffer, waiters, recovery."""

    __slots__ = (
        "buffer",
        "check",
        "evicted",
        "fresh",
        "reason",
        "seq",
        "since",
        "stale_run",
        "synced",
        "task",
        "touched",
        "waiters",
        "warned",
    )

    def __init__(self) -> None:
        self.synced = False
        self.seq: int | None = None
        self.fresh = False
        self.reason: str | None = _NO_SNAPSHOT
        self.since = time.monotonic()
        self.warned = False  # this episode was logged as a WARNING (so its end is logged too)
        self.stale_run = 0
        self.touched = 0
        self.buffer: deque[tuple[Any, int | None, int | None, int | None, int | None]] | None = None
        self.waiters: list[asyncio.Future[None]] = []
        self.task: asyncio.Task[None] | None = None
        self.check: tuple[Any, int, int] | None = None  # (book, its version, checksum)
        self.evicted = False  # dropped by the total bound since its last snapshot began

    def idle(self) -> bool:
        return not self.waiters and (self.task is None or self.task.done())

    def unsync(self, reason: str) -> None:
        """Not in sync any more, for ``reason``; an episode starts if it was in sync."""
        if self.synced:
            self.since = time.monotonic()
        self.synced = False
        self.seq = None
        self.fresh = False
        self.stale_run = 0
        self.check = None
        self.reason = reason


class VerifiedBook:
    """Per-key sync state for ``OrderBookStore`` (a mixin: it works on the store's own books)."""

    _SEQUENCE: ClassVar[SequenceRule | None] = None
    """The exchange's continuity rule for diffs (``topgun.store.sequence``), or None."""
    _RECOVERY: ClassVar[Recovery] = Recovery.NONE
    """How an out-of-sync book gets a fresh snapshot."""
    _RECOVERY_POLICY: ClassVar[RecoveryPolicy] = RecoveryPolicy()
    """The default of ``book.recovery``."""
    _CHECKSUM_DEPTH: ClassVar[int] = 0
    """Levels per side the exchange's checksum covers (0: no checksum, or one over more than
    the best levels). When set, the check string is ``_interleaved_text(key, depth)`` unless
    ``_checksum_text`` says otherwise, and a book's checksum is recomputed only after a change
    that may touch its best ``depth`` levels."""
    _MAX_BOOKS: ClassVar[int] = DEFAULT_MAX_BOOKS
    _MAX_LEVELS: ClassVar[int] = DEFAULT_MAX_LEVELS

    if TYPE_CHECKING:  # provided by OrderBookStore / DataStore
        name: str | None
        _PRICE_KEY: ClassVar[str]
        _SIZE_KEY: ClassVar[str]
        _books: dict[Hashable, Any]
        _count: int
        _collection: Any

        def _drop_book(self, group: Hashable) -> bool: ...
        def _clear(self) -> None: ...
        def _limit(self) -> LogLimiter: ...
        def _replace_book(self, group: Hashable, asks: Any = (), bids: Any = ()) -> bool: ...
        def _apply_levels(self, group: Hashable, asks: Any = (), bids: Any = ()) -> bool: ...
        def _onresponse(self, data: Any, url: URL) -> None: ...
        def _top_levels(self, group: Hashable, depth: int) -> tuple[list[Item], list[Item]]: ...

    def _setup_sync(self) -> None:
        self._states: dict[Hashable, _KeyState] = {}
        self._unsynced: set[Hashable] = set()
        self._tick = 0
        self._max_books = self._MAX_BOOKS
        self._max_levels = self._MAX_LEVELS
        self._fetch_slots: asyncio.Semaphore | None = None
        self.recovery: RecoveryPolicy = self._RECOVERY_POLICY
        """When and how hard out-of-sync books try to recover (replace it to tune)."""
        self.stats = BookStats()
        """Integrity counters (see BookStats)."""

    # -- reading -----------------------------------------------------------------------------

    @property
    def out_of_sync(self) -> frozenset[Hashable]:
        """The keys whose book is not trusted now (their levels are not served)."""
        return frozenset(self._unsynced)

    def in_sync(self, key: Hashable) -> bool:
        """Whether ``key``'s book is verified now (False for a key never seen)."""
        state = self._states.get(key)
        return state is not None and state.synced

    def out_of_sync_reason(self, key: Hashable) -> str | None:
        """Why ``key``'s book is out of sync (``"gap: expected 1043 got 1045"``), else None."""
        state = self._states.get(key)
        if state is None:
            return _NO_SNAPSHOT
        return None if state.synced else state.reason

    async def wait_synced(self, key: Hashable, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Return once ``key``'s book is in sync; TimeoutError after ``timeout`` seconds."""
        if timeout is not None and not timeout >= 0:
            raise ValueError(f"timeout must be a number of seconds >= 0 or None, not {timeout!r}")
        state = self._states.get(key) or self._track(key)
        if state.synced:
            return
        if not await self._await_sync(state, timeout):
            raise TimeoutError(
                f"book {key!r} of {self._label()} not in sync within {timeout:g} s "
                f"({self.out_of_sync_reason(key)})"
            )

    @property
    def max_books(self) -> int:
        """Books held at once; past it the least recently updated are evicted (out of sync)."""
        return self._max_books

    @max_books.setter
    def max_books(self, value: int) -> None:
        self._max_books = _positive("max_books", value)
        self._bound(None)

    @property
    def max_levels(self) -> int:
        """Levels across books; past it the least recently updated books are evicted."""
        return self._max_levels

    @max_levels.setter
    def max_levels(self, value: int) -> None:
        self._max_levels = _positive("max_levels", value)
        self._bound(None)

    # -- the author API: per message ------------------------------------------------------------

    def _snapshot(
        self,
        key: Hashable,
        snapshot: Any,
        *,
        seq: int | None = None,
        checksum: int | None = None,
        ws: Any = None,
    ) -> bool:
        """A complete book for ``key``; True when the book ends in sync (see the module docs)."""
        state = self._states.get(key) or self._track(key)
        self._apply_snapshot(key, snapshot)
        if state.evicted and key not in self._books:  # alone past max_levels: dropped meanwhile
            return False
        self._tick += 1
        state.touched = self._tick
        state.seq = seq
        state.fresh = True
        state.stale_run = 0
        if checksum is not None and not self._checksum_ok(state, key, checksum, ws):
            return False
        buffer = state.buffer
        if buffer and not self._replay(state, key, buffer, ws):
            return False
        if not state.synced:
            self._synced(state, key)
        return True

    def _diff(
        self,
        key: Hashable,
        diff: Any,
        *,
        last: int | None = None,
        first: int | None = None,
        prev: int | None = None,
        checksum: int | None = None,
        ws: Any = None,
    ) -> bool:
        """An update for ``key``: checked, applied or not; True when applied."""
        state = self._states.get(key)
        if state is None or not state.synced:
            self._unsynced_diff(state, key, diff, first, last, prev, checksum, ws)
            return False
        rule = self._SEQUENCE
        if rule is not None and last is not None and state.seq is not None:
            verdict = rule.check(
                state.seq, last if first is None else first, last, prev, state.fresh
            )
            if verdict is not APPLY:
                self._refused(state, key, verdict, diff, first, last, prev, checksum, ws)
                return False
        self._apply_diff(key, diff)
        if state.evicted:  # the total bound dropped it while it grew
            return False
        self._tick += 1
        state.touched = self._tick
        if last is not None:
            state.seq = last
        state.fresh = False
        if state.stale_run:
            state.stale_run = 0
        if checksum is not None:
            return self._checksum_ok(state, key, checksum, ws)
        return True

    def _desync(self, key: Hashable, reason: str, ws: Any = None) -> None:
        """The exchange's own check found ``key``'s book wrong: out of sync, recovery on ``ws``."""
        state = self._states.get(key) or self._track(key)
        self._lose(state, key, reason, ws, urgent=True)

    # -- hooks of the exchange's store ------------------------------------------------------------

    def _apply_snapshot(self, key: Hashable, snapshot: Any) -> None:
        """Make the book ``snapshot``; by default ``(asks, bids)`` lists of ``Level`` tuples."""
        asks, bids = snapshot
        self._replace_book(key, asks, bids)

    def _apply_diff(self, key: Hashable, diff: Any) -> None:
        """Apply ``diff``; by default ``(asks, bids)`` lists of ``Level`` tuples (size 0 removes)."""
        asks, bids = diff
        self._apply_levels(key, asks, bids)

    def _checksum_text(self, key: Hashable) -> str:
        """The exchange's check string of the book (by default the interleaved best levels)."""
        if self._CHECKSUM_DEPTH:
            return self._interleaved_text(key, self._CHECKSUM_DEPTH)
        raise NotImplementedError(
            f"{type(self).__name__} got a checksum but defines neither _CHECKSUM_DEPTH nor "
            "_checksum_text(key)"
        )

    def _interleaved_text(self, key: Hashable, depth: int) -> str:
        """``bid1 price:bid1 size:ask1 price:ask1 size:...`` over the best ``depth`` levels.

        The common check string (bids and asks alternated, missing levels skipped), built from
        the level items' price and size fields as stored: store them as the exchange wrote them
        (``"0.5000"``, not ``0.5``) when its checksum is over the original strings.
        """
        asks, bids = self._top_levels(key, depth)
        price, size = self._PRICE_KEY, self._SIZE_KEY
        parts = [
            f"{level[price]}:{level[size]}"
            for pair in zip(bids, asks, strict=False)
            for level in pair
        ]
        longer = bids if len(bids) > len(asks) else asks
        parts.extend(f"{level[price]}:{level[size]}" for level in longer[len(parts) // 2 :])
        return ":".join(parts)

    def _checksum(self, key: Hashable) -> int:
        """The book's checksum as the exchange computes it: signed CRC32 of the check string.

        With ``_CHECKSUM_DEPTH`` set, the value is kept until the book's best levels change.
        """
        if self._CHECKSUM_DEPTH:
            book = self._books.get(key)
            state = self._states.get(key)
            if book is not None and state is not None:
                cached = state.check
                if cached is not None and cached[0] is book and cached[1] == book.version:
                    return cached[2]
                value = signed_crc32(self._checksum_text(key))
                state.check = (book, book.version, value)
                return value
        return signed_crc32(self._checksum_text(key))

    def _resubscribe(self, key: Hashable) -> Sequence[Any]:
        """``Recovery.SUBSCRIPTION``: the messages that bring a fresh snapshot of ``key``."""
        raise NotImplementedError(f"{type(self).__name__} defines no _resubscribe(key)")

    def _snapshot_request(self, key: Hashable, ws_url: URL) -> SnapshotRequest:
        """``Recovery.REST``: the REST request for ``key``'s snapshot."""
        raise NotImplementedError(f"{type(self).__name__} defines no _snapshot_request(key, url)")

    def _book_seq(self, key: Hashable) -> int | None:
        """The book's sequence: the snapshot's, or the ``last`` of the last diff applied."""
        state = self._states.get(key)
        return None if state is None else state.seq

    def _top(self, key: Hashable, depth: int) -> tuple[list[Item], list[Item]]:
        """The best ``depth`` ask and bid level items of ``key``'s book (for check strings)."""
        return self._top_levels(key, depth)

    # -- what goes wrong ---------------------------------------------------------------------

    def _refused(
        self,
        state: _KeyState,
        key: Hashable,
        verdict: int,
        diff: Any,
        first: int | None,
        last: int,
        prev: int | None,
        checksum: int | None,
        ws: Any,
    ) -> None:
        seq = state.seq
        assert seq is not None
        if verdict is STALE:
            self.stats.stale_dropped += 1
            state.stale_run += 1
            if state.stale_run >= STALE_RUN_LIMIT:
                self._lose(
                    state,
                    key,
                    f"stale: {state.stale_run} diffs in a row at or behind {seq} "
                    "(a sequence reset?)",
                    ws,
                    urgent=True,
                )
            return
        rule = self._SEQUENCE
        assert rule is not None
        self.stats.gaps += 1
        expected = rule.expected(seq, state.fresh)
        self._lose(state, key, f"gap: expected {expected} got {_got(first, last, prev)}", ws, True)
        if self._RECOVERY is Recovery.REST:
            self._buffer(state, key, (diff, first, last, prev, checksum))

    def _checksum_ok(self, state: _KeyState, key: Hashable, checksum: int, ws: Any) -> bool:
        local = self._checksum(key)
        if local == checksum:
            return True
        self.stats.checksum_failures += 1
        self._lose(state, key, f"checksum: expected {checksum} got {local}", ws, urgent=True)
        return False

    def _lose(self, state: _KeyState, key: Hashable, reason: str, ws: Any, urgent: bool) -> None:
        """Put ``key`` out of sync: drop its levels, log the episode, start recovery."""
        state.unsync(reason)
        self._unsynced.add(key)
        self._drop_book(key)
        self.stats.last_reason = f"{key}: {reason}"
        if not state.warned:  # one WARNING per episode; its end is logged at INFO
            state.warned = True
            log.warning(
                "%s: book %r is out of sync (%s); its levels are hidden until %s",
                self._label(),
                key,
                reason,
                self._how(ws),
            )
        else:
            log.info("%s: book %r still out of sync: %s", self._label(), key, reason)
        if ws is not None:
            self._recover(state, key, ws, 0.0 if urgent else self.recovery.grace)

    def _unsynced_diff(
        self,
        state: _KeyState | None,
        key: Hashable,
        diff: Any,
        first: int | None,
        last: int | None,
        prev: int | None,
        checksum: int | None,
        ws: Any,
    ) -> None:
        if state is None:
            state = self._track(key)
        if self._RECOVERY is Recovery.REST:
            self._buffer(state, key, (diff, first, last, prev, checksum))
        else:
            self.stats.unsynced_dropped += 1
        if ws is not None and (state.task is None or state.task.done()):
            urgent = state.reason is not None and state.reason.startswith(
                ("gap", "checksum", "stale")
            )
            self._recover(state, key, ws, 0.0 if urgent else self.recovery.grace)

    def _buffer(self, state: _KeyState, key: Hashable, entry: tuple[Any, ...]) -> None:
        buffer = state.buffer
        if buffer is None:
            buffer = state.buffer = deque()
        elif len(buffer) >= self.recovery.buffer:
            buffer.clear()
            self.stats.buffer_overflows += 1
            self._limit().warning(
                ("buffer-overflow", key),
                "%s: book %r buffered %d diffs without a usable snapshot; dropped them and "
                "buffers anew (the snapshot request starts over)",
                self._label(),
                key,
                self.recovery.buffer,
            )
        buffer.append(entry)

    def _replay(self, state: _KeyState, key: Hashable, buffer: deque[Any], ws: Any) -> bool:
        """Apply the buffered diffs that follow the snapshot just applied; False on a gap."""
        rule = self._SEQUENCE
        while buffer:
            diff, first, last, prev, checksum = buffer[0]
            if rule is not None and last is not None and state.seq is not None:
                seq = state.seq
                verdict = rule.check(seq, last if first is None else first, last, prev, state.fresh)
                if verdict is STALE:
                    self.stats.stale_dropped += 1
                    buffer.popleft()
                    continue
                if verdict is not APPLY:
                    self.stats.gaps += 1
                    expected = rule.expected(seq, state.fresh)
                    self._lose(
                        state,
                        key,
                        f"gap: the snapshot at {seq} is older than the buffered diffs "
                        f"(expected {expected} got {_got(first, last, prev)})",
                        ws,
                        urgent=True,
                    )
                    return False
            buffer.popleft()
            try:
                self._apply_diff(key, diff)
            except ValueError as exc:  # skipped, as live; the next diff shows what it missed
                self._limit().warning(
                    ("replay-malformed", key),
                    "%s: book %r skipped a malformed buffered diff: %s",
                    self._label(),
                    key,
                    exc,
                )
                continue
            if state.evicted and key not in self._books:
                return False
            if last is not None:
                state.seq = last
            state.fresh = False
            if checksum is not None and not self._checksum_ok(state, key, checksum, ws):
                return False
        state.buffer = None
        return True

    def _synced(self, state: _KeyState, key: Hashable) -> None:
        state.synced = True
        state.evicted = False
        state.reason = None
        state.buffer = None
        self._unsynced.discard(key)
        if state.warned:
            state.warned = False
            self.stats.recovered += 1
            log.info(
                "%s: book %r is back in sync after %.1f s",
                self._label(),
                key,
                time.monotonic() - state.since,
            )
        waiters = state.waiters
        if waiters:
            state.waiters = []
            wake_all(waiters)

    # -- keys, reconnects and the total bound ---------------------------------------------------

    def _track(self, key: Hashable) -> _KeyState:
        hash(key)  # an unhashable key fails here, before anything changes
        state = self._states[key] = _KeyState()
        self._unsynced.add(key)
        if len(self._states) > 2 * self._max_books:
            self._prune()
        return state

    def _prune(self) -> None:
        """Forget the oldest idle out-of-sync keys, so unknown keys cannot grow memory."""
        idle = [(s.touched, k) for k, s in self._states.items() if not s.synced and s.idle()]
        idle.sort(key=lambda pair: pair[0])
        for _, key in idle[: len(self._states) - self._max_books]:
            del self._states[key]
            self._unsynced.discard(key)

    def _reset_sync(self) -> None:
        """The feed reconnected: every book waits for a fresh snapshot (one WARNING per store)."""
        was = [key for key, state in self._states.items() if state.synced]
        for state in self._states.values():
            if state.synced:
                state.warned = True
            state.unsync("reconnect")
            state.buffer = None
        self._unsynced.update(self._states)
        self._clear()
        if was:
            self.stats.reconnects += len(was)
            self.stats.last_reason = f"{_keys(was)}: reconnect"
            log.warning(
                "%s: reconnect: %d book(s) out of sync until their snapshots arrive: %s",
                self._label(),
                len(was),
                _keys(was),
            )

    def _bound(self, current: Hashable | None) -> None:
        """Evict least recently updated books while past ``max_books`` or ``max_levels``."""
        books = self._books
        if self._count <= self._max_levels and len(books) <= self._max_books:
            return
        # Some headroom, so a stream of new books does not rescan every book for each one.
        levels_goal = self._max_levels - self._max_levels // 16
        books_goal = self._max_books - self._max_books // 16
        states = self._states
        order = sorted(
            (key for key in books if key != current),
            key=lambda k: states[k].touched if k in states else 0,
        )
        if current in books:
            order.append(current)  # alone past the bound: it goes too, rather than half-kept
        evicted: list[Hashable] = []
        for key in order:
            if self._count <= levels_goal and len(books) <= books_goal:
                break
            evicted.append(key)
            state = states.get(key)
            reason = (
                f"evicted: the store passed max_books={self._max_books} or "
                f"max_levels={self._max_levels}"
            )
            if state is None:
                self._drop_book(key)
            else:
                state.unsync(reason)
                state.evicted = True
                state.warned = True
                self._unsynced.add(key)
                self._drop_book(key)
        if evicted:
            self.stats.evictions += len(evicted)
            self.stats.last_reason = f"{_keys(evicted)}: evicted"
            self._limit().warning(  # rate-limited: a flood of new keys evicts in waves
                "book-eviction",
                "%s: evicted %d book(s) to stay within max_books=%d and max_levels=%d "
                "(they are out of sync now; raise the bounds to follow that many): %s",
                self._label(),
                len(evicted),
                self._max_books,
                self._max_levels,
                _keys(evicted),
            )

    # -- recovery ----------------------------------------------------------------------------

    def _recover(self, state: _KeyState, key: Hashable, ws: Any, delay: float) -> None:
        """Start the key's recovery on ``ws`` unless one runs (see topgun.store.recovery)."""
        if self._RECOVERY is Recovery.NONE:
            return
        if state.task is not None and not state.task.done():
            return
        state.task = start(self, key, ws, delay)

    def _needs_recovery(self, key: Hashable) -> bool:
        state = self._states.get(key)
        return state is not None and not state.synced

    async def _await_sync(self, state: _KeyState, within: float | None) -> bool:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        state.waiters.append(waiter)
        try:
            async with asyncio.timeout(within):
                await waiter
        except TimeoutError:
            return False
        finally:
            if waiter in state.waiters:
                state.waiters.remove(waiter)
        return True

    def _state(self, key: Hashable) -> _KeyState | None:
        return self._states.get(key)

    def _fetch_slot(self) -> asyncio.Semaphore:
        if self._fetch_slots is None:
            self._fetch_slots = asyncio.Semaphore(self.recovery.concurrency)
        return self._fetch_slots

    # -- wording -----------------------------------------------------------------------------

    def _label(self) -> str:
        owner = self._collection
        prefix = f"{type(owner).__name__}." if owner is not None else ""
        return f"{prefix}{self.name or type(self).__name__}"

    def _how(self, ws: Any) -> str:
        if self._RECOVERY is Recovery.NONE or ws is None:
            return "a snapshot arrives"
        if self._RECOVERY is Recovery.REST:
            return "a REST snapshot is fetched and the buffered diffs replayed"
        return "a snapshot arrives (re-requested on the WebSocket)"


def _got(first: int | None, last: int, prev: int | None) -> str:
    if prev is not None:
        return f"prev {prev} (last {last})"
    if first is None or first == last:
        return f"{last}"
    return f"{first}..{last}"


def _keys(keys: Sequence[Hashable]) -> str:
    shown = ", ".join(map(repr, keys[:_SHOWN_KEYS]))
    more = len(keys) - _SHOWN_KEYS
    return shown + (f" and {more} more" if more > 0 else "")


def _positive(name: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive int, not {value!r}")
    return value
