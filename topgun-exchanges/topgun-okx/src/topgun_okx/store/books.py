"""``Books``: OKX order books on core's verified-book engine (seqId chain, non-zero checksum).

One store holds the books of every order-book channel: ``books``, ``books-l2-tbt``,
``books50-l2-tbt``, ``books-elp`` (a snapshot, then updates chained by seqId/prevSeqId) and
``books5``, ``bbo-tbt`` (every push is the whole book at that depth). A book's key is
(instId, channel), so the books of several channels of one instrument never mix: levels are
``{"instId", "channel", "side", "px", "sz", "liqSz", "ordSz"}`` keyed by (instId, channel,
side, px).

The rules (https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel)
are declared to core (docs/verified-books.rst): ``ChainRule`` for seqId/prevSeqId, which covers
OKX's two documented exceptions (the empty update with ``prevSeqId == seqId``, the reset with
``seqId < prevSeqId``), and the checksum over the best 25 levels, checked only when it is not 0
(0 is what production sends from 2026-06-23). Recovery is by resubscription while OKX sends a
snapshot on subscribe; when a book's first push after its subscription is an ``update``, the
store switches to recovery by REST snapshot (``GET /api/v5/market/books`` with its ``seqId``,
https://www.okx.com/docs-v5/log_en "How to manage a local order book correctly"), whose
buffered updates core replays by the same chain rule.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from yarl import URL

from topgun.plugin import (
    ChainRule,
    InitializeError,
    Item,
    Level,
    OrderBookStore,
    Recovery,
    SnapshotRequest,
)

from ..auth import DEMO_HEADER
from ._messages import MalformedMessage

__all__ = ["SNAPSHOT_CHANNELS", "Books"]

log = logging.getLogger("topgun.store.okx")

SNAPSHOT_CHANNELS = frozenset({"books5", "bbo-tbt"})
"""Channels whose every push is the whole book at their depth."""

REST_DEPTH = {"books": 400, "books-l2-tbt": 400, "books50-l2-tbt": 50, "books-elp": 400}
"""The ``sz`` a REST snapshot is fetched with for each incremental channel."""

REST_PATH = "/api/v5/market/books"
REST_HOSTS = {
    "wsaws.okx.com": "aws.okx.com",
    "wseea.okx.com": "eea.okx.com",
    "wseeapap.okx.com": "eea.okx.com",
    "wsus.okx.com": "us.okx.com",
    "wsuspap.okx.com": "us.okx.com",
}
"""The REST host of each regional WebSocket host (the rest use www.okx.com)."""

DEMO_WS_HOSTS = frozenset({"wspap.okx.com", "wseeapap.okx.com", "wsuspap.okx.com"})
"""Demo-trading WebSocket hosts: their books' REST snapshots are the demo market's, asked for
with ``x-simulated-trading: 1`` on the shared live REST host."""

CHECKSUM_DEPTH = 25
"""Levels per side that OKX's checksum covers."""

_INF = float("inf")

Key = tuple[str, str]
"""A book's key: (instId, channel)."""


@dataclass(slots=True)
class _Depth:
    """One validated book message (or REST snapshot), as core hands it back to the hooks."""

    asks: list[Level]
    bids: list[Level]
    ask_extras: list[tuple[float, Any, Any]]  # (rank, liqSz, numOrders) of the kept levels
    bid_extras: list[tuple[float, Any, Any]]
    seq: int | None
    prev: int | None
    checksum: int
    ts: Any


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
    if chained:
        prev: int | None = book.get("prevSeqId")
        if type(seq) is not int or type(prev) is not int:  # ints on the wire; strings tolerated
            seq = _int(seq, "seqId")
            prev = _int(prev, "prevSeqId")
    else:
        seq = None if seq is None else _int(seq, "seqId")
        prev = None
    crc = book.get("checksum", 0)
    if type(crc) is not int:
        crc = 0 if crc is None else _int(crc, "checksum")
    return _Depth(asks, bids, ask_extras, bid_extras, seq, prev, crc, book.get("ts"))


def _best(depth: _Depth, levels: int) -> _Depth:
    """``depth`` cut to its best ``levels`` per side: a channel's book holds no more (a 400-level
    REST snapshot given to ``books50-l2-tbt`` would otherwise keep levels it never updates)."""
    if len(depth.asks) <= levels and len(depth.bids) <= levels:
        return depth
    asks = sorted(depth.asks, key=lambda level: level[0])[:levels]
    bids = sorted(depth.bids, key=lambda level: -level[0])[:levels]
    kept = {price for price, _, _ in asks}, {-price for price, _, _ in bids}
    return dataclasses.replace(
        depth,
        asks=asks,
        bids=bids,
        ask_extras=[extra for extra in depth.ask_extras if extra[0] in kept[0]],
        bid_extras=[extra for extra in depth.bid_extras if extra[0] in kept[1]],
    )


class Books(OrderBookStore):
    """Order books of every OKX book channel, one per (instId, channel), verified.

    ``sorted({"instId": "BTC-USDT"})`` works as in the reference while that instrument has a book
    of one channel only; with several (say ``books`` and ``bbo-tbt``) name the one you want:
    ``sorted({"instId": "BTC-USDT", "channel": "books"})``. Keys of ``out_of_sync``,
    ``in_sync``, ``out_of_sync_reason`` and ``wait_synced`` are (instId, channel) tuples;
    ``in_sync`` and ``wait_synced`` also take an instId alone, meaning every book of it.
    """

    _KEYS = ("instId", "channel", "side", "px")
    _SIDE_KEY, _PRICE_KEY, _SIZE_KEY = "side", "px", "sz"
    _ASKS, _BIDS = "asks", "bids"
    _SEQUENCE = ChainRule()
    _RECOVERY = Recovery.SUBSCRIPTION
    _CHECKSUM_DEPTH = CHECKSUM_DEPTH

    def _init(self) -> None:
        self.checksum: dict[str, int] = {}
        """The last ``checksum`` per instId, as sent (0 once OKX stopped sending it)."""
        self.ts: Any = None
        """The ``ts`` of the last book message."""
        self._channels: dict[str, set[str]] = {}
        self._first_push: set[Key] = set()  # books whose next push tells the recovery kind
        self._pending: dict[str, _Depth] = {}  # REST snapshots no book has asked for yet

    # -- reading ---------------------------------------------------------------------------

    def _channel_of(self, inst_id: Any) -> str | None:
        """The channel of ``inst_id``'s only book (None without one; ValueError with several)."""
        channels = self._channels.get(inst_id) if type(inst_id) is str else None
        if not channels:
            return None
        if len(channels) > 1:
            names = sorted(channels)
            raise ValueError(
                f"OKX books: {inst_id} has books of several channels ({', '.join(names)}); "
                f"name one, e.g. {{'instId': {inst_id!r}, 'channel': {names[0]!r}}}"
            )
        return next(iter(channels))

    def get(self, item: Item) -> Item | None:
        if "channel" not in item:
            try:
                channel = self._channel_of(item.get("instId"))
            except ValueError:
                return None
            if channel is None:
                return None
            item = {**item, "channel": channel}
        return super().get(item)

    def sorted(self, query: Item | None = None, limit: int | None = None) -> dict[str, list[Item]]:
        """Asks and bids best first; ``{"instId": ...}`` (with ``channel`` when that instrument
        has books of several channels) selects one book, read straight from its sorted sides."""
        if query and "instId" in query:
            inst_id = query["instId"]
            channel = query.get("channel")
            if channel is None:
                channel = self._channel_of(inst_id)
                if channel is None:
                    return {self._ASKS: [], self._BIDS: []}
                query = {**query, "channel": channel}
            if len(query) == 2 and type(inst_id) is str and type(channel) is str:
                if limit is not None and limit < 0:
                    raise ValueError(f"limit must be >= 0 or None, not {limit!r}")
                asks, bids = self._top_levels((inst_id, channel), limit or 0)
                return {self._ASKS: asks, self._BIDS: bids}
        return super().sorted(query, limit)

    def in_sync(self, key: Hashable) -> bool:
        """Whether a book is verified now; an instId alone: all its books (at least one)."""
        book_in_sync = super().in_sync
        if isinstance(key, str):
            channels = self._channels.get(key, ())
            return bool(channels) and all(book_in_sync((key, ch)) for ch in channels)
        return book_in_sync(key)

    async def wait_synced(self, key: Hashable, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Return once the book is in sync; an instId alone: every book of it (at least one).

        Raises TimeoutError, saying why, after ``timeout`` seconds.
        """
        if not isinstance(key, str):
            await super().wait_synced(key, timeout)
            return
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while not self._channels.get(key):
            left = None if deadline is None else deadline - loop.time()
            try:
                async with asyncio.timeout(left):
                    await self.wait()
            except TimeoutError:
                raise TimeoutError(
                    f"OKX books: no book of {key!r} within {timeout:g} s (no data yet)"
                ) from None
        for channel in sorted(self._channels.get(key, ())):
            left = None if deadline is None else max(0.0, deadline - loop.time())
            await super().wait_synced((key, channel), left)

    # -- feeding ---------------------------------------------------------------------------

    def _on_push(self, arg: Item, msg: Item, ws: Any) -> None:
        channel = arg["channel"]
        inst_id = arg.get("instId")
        if type(inst_id) is not str:
            raise MalformedMessage(f"{channel}: 'arg' has no instId")
        data = msg.get("data")
        if type(data) is not list or not data:
            raise MalformedMessage(f"{channel}: 'data' is not a non-empty JSON array")
        key = (inst_id, channel)
        action = msg.get("action")
        if channel in SNAPSHOT_CHANNELS or (action is None and channel not in REST_DEPTH):
            depths = [parse_depth(book, chained=False) for book in data]
            self._known(key)
            for depth in depths:
                self._snapshot(key, depth, checksum=depth.checksum or None, ws=ws)
            return
        if action != "snapshot" and action != "update":
            raise MalformedMessage(f"{channel}: unknown action {action!r}")
        depths = [parse_depth(book, chained=True) for book in data]
        if channel not in self._channels.get(inst_id, ()):
            self._known(key)
            self._first_push.add(key)
        if key in self._first_push:
            self._first_push.discard(key)
            self._recovery_by(Recovery.SUBSCRIPTION if action == "snapshot" else Recovery.REST)
        for depth in depths:
            crc = depth.checksum or None
            if action == "snapshot":
                self._pending.pop(inst_id, None)  # the stream's own snapshot is newer
                self._snapshot(key, depth, seq=depth.seq, checksum=crc, ws=ws)
            else:
                self._diff(key, depth, last=depth.seq, prev=depth.prev, checksum=crc, ws=ws)
                pending = self._pending.get(inst_id)
                if pending is not None and not self.in_sync(key):
                    del self._pending[inst_id]
                    self._snapshot(key, pending, seq=pending.seq)

    def _known(self, key: Key) -> None:
        self._channels.setdefault(key[0], set()).add(key[1])

    def _recovery_by(self, kind: Recovery) -> None:
        """OKX sends a snapshot on subscribe, or (2026 changelog) does not: follow what it does."""
        if self._RECOVERY is not kind:
            self._RECOVERY = kind  # type: ignore[misc]
            log.info(
                "OKX books: the first push after a subscription was %s; out-of-sync books now "
                "recover by %s",
                "a snapshot" if kind is Recovery.SUBSCRIPTION else "an update",
                "resubscribing" if kind is Recovery.SUBSCRIPTION else "a REST snapshot",
            )

    # -- core's hooks ----------------------------------------------------------------------

    def _apply_snapshot(self, key: Hashable, snapshot: Any) -> None:
        depth: _Depth = snapshot
        group: Key = key  # type: ignore[assignment]
        if self._streams:
            kept, _ = self._items(group, depth)
            fresh = {(item["side"], float(item["px"])) for item in kept}
            stale = [
                lv
                for lv in self.find({"instId": group[0], "channel": group[1]})
                if (lv["side"], float(lv["px"])) not in fresh
            ]
            self._delete(stale)
            self._update(kept)
        else:
            self._replace_book(key, depth.asks, depth.bids)
            self._set_extras(key, depth)
        self._seen(group, depth)

    def _apply_diff(self, key: Hashable, diff: Any) -> None:
        depth: _Depth = diff
        group: Key = key  # type: ignore[assignment]
        if depth.asks or depth.bids:
            if self._streams:
                kept, removed = self._items(group, depth)
                self._delete(removed)
                self._update(kept)
            else:
                self._apply_levels(key, depth.asks, depth.bids)
                self._set_extras(key, depth)
        self._seen(group, depth)

    def _resubscribe(self, key: Hashable) -> Sequence[Any]:
        inst_id, channel = cast("Key", key)
        arg = {"channel": channel, "instId": inst_id}
        return [{"op": "unsubscribe", "args": [arg]}, {"op": "subscribe", "args": [arg]}]

    def _snapshot_request(self, key: Hashable, ws_url: URL) -> SnapshotRequest:
        """``GET /api/v5/market/books`` on the REST host of the WebSocket's site (demo trading's
        book from a demo host)."""
        inst_id, channel = cast("Key", key)
        host = REST_HOSTS.get(ws_url.host or "", "www.okx.com")
        params = {"instId": inst_id, "sz": str(REST_DEPTH.get(channel, 400))}
        headers = {DEMO_HEADER: "1"} if ws_url.host in DEMO_WS_HOSTS else None
        return SnapshotRequest(f"https://{host}{REST_PATH}", params, headers=headers)

    def _onresponse(self, data: Any, url: URL) -> None:
        """``GET /api/v5/market/books?instId=...``: the snapshot of that instId's REST-mode books.

        It starts every book of the instId that waits for one; when none does yet, it is kept
        for the first that will (a snapshot taken before the subscription).
        """
        inst_id = url.query.get("instId")
        if not inst_id:
            raise InitializeError(f"{url.path}: the request has no instId")
        depth = self._rest_depth(data, url)
        waiting = [
            (inst_id, channel)
            for channel in self._channels.get(inst_id, ())
            if channel not in SNAPSHOT_CHANNELS and not self.in_sync((inst_id, channel))
        ]
        if not waiting:
            self._pending[inst_id] = depth
        for key in waiting:
            self._snapshot(key, _best(depth, REST_DEPTH.get(key[1], 400)), seq=depth.seq)

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

    # -- applying --------------------------------------------------------------------------

    def _seen(self, key: Key, depth: _Depth) -> None:
        self.checksum[key[0]] = depth.checksum
        if depth.ts is not None:
            self.ts = depth.ts

    def _set_extras(self, key: Hashable, depth: _Depth) -> None:
        """Set ``liqSz``/``ordSz`` of the levels a message kept (core levels hold a size only)."""
        book = self._books.get(key)
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

    def _items(self, key: Key, depth: _Depth) -> tuple[list[Item], list[Item]]:
        """The message as whole level items (kept, removed), for watchers' sake."""
        kept: list[Item] = []
        removed: list[Item] = []
        for name, sign, levels, extras in (
            ("asks", 1.0, depth.asks, depth.ask_extras),
            ("bids", -1.0, depth.bids, depth.bid_extras),
        ):
            found = {rank: (liq, orders) for rank, liq, orders in extras}
            for price, px, sz in levels:
                item: Item = {"instId": key[0], "channel": key[1], "side": name, "px": px}
                if sz is None:
                    removed.append(item)
                    continue
                liq, orders = found[sign * price]
                item.update(sz=sz, liqSz=liq, ordSz=orders)
                kept.append(item)
        return kept, removed

    def _new_level(self, group: Hashable, side: str, price: Any, size: Any) -> Item:
        inst_id, channel = cast("Key", group)
        return {
            "instId": inst_id,
            "channel": channel,
            "side": side,
            "px": price,
            "sz": size,
            "liqSz": "0",
            "ordSz": "0",
        }

    # -- lifecycle -------------------------------------------------------------------------

    def _on_subscribed(self, arg: Item) -> None:
        """A (re)subscription was acknowledged: its first push tells snapshot or REST recovery."""
        inst_id, channel = arg.get("instId"), arg.get("channel")
        if type(inst_id) is not str or type(channel) is not str:
            return
        key = (inst_id, channel)
        if channel not in SNAPSHOT_CHANNELS and not self.in_sync(key):
            self._first_push.add(key)

    def _on_unsubscribed(self, arg: Item) -> None:
        """A book unsubscribed (not by the store's own recovery) is no longer kept up to date."""
        inst_id, channel = arg.get("instId"), arg.get("channel")
        if type(inst_id) is not str or type(channel) is not str:
            return
        if self.in_sync((inst_id, channel)):
            self._desync((inst_id, channel), "unsubscribed")
            channels = self._channels.get(inst_id)
            if channels is not None:
                channels.discard(channel)

    def _onreconnect(self) -> None:
        super()._onreconnect()
        self._pending.clear()
        self._first_push.update(
            (inst, ch)
            for inst, chs in self._channels.items()
            for ch in chs
            if ch not in SNAPSHOT_CHANNELS
        )
