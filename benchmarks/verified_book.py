"""What verifying a book costs: a sequenced feed, with and without a top-25 CRC32 checksum.

An exchange-neutral feed in the common shape of sequenced book feeds: ``{"s", "U", "u", "a",
"b", "cs"}`` with ``[price, size]`` rows as strings, on a book of ~1,000 levels per side, 3,000
diffs of 1-32 levels, most near the best prices (``topgun.testing.books.ModelBook``). Each message is parsed with orjson
inside the timed loop. Rows, against the floor (parsing the same messages alone):

- raw apply: the levels applied straight (``_apply_levels``), no verification at all;
- verified: ``_diff`` with the range rule (sequence check, bookkeeping);
- verified + checksum: the same, plus the CRC32 of the top 25 levels after every message;
- the checksum alone: building the check string and its CRC32, per call.

The verified rows' target is the issue's: parse + apply within 4x of parsing alone. Two rows of
plain Python loops (not topgun) give that target its scale, on the same frames:

- the plainest dict update: a dict per side from float price to the level item, replaced or
  popped per row; no order kept, nothing validated (what the reference library does, without
  its overhead);
- the plainest order-book loop: the same, plus the sorted price list ``sorted()`` needs, the
  checks that keep garbage out (finite, positive, strings) and an undo log so that a bad row
  leaves the book as it was; no sequence check, no routing, no watchers.
"""

from __future__ import annotations

import gc
import random
import time
from bisect import bisect_left, insort
from collections.abc import Callable
from typing import Any

import orjson

from benchmarks._report import Report
from topgun.store import DataStoreCollection, Level, OrderBookStore, RangeRule, signed_crc32
from topgun.testing.books import ModelBook

KEY = "SYM"
DEPTH = 1_000
MESSAGES = 3_000
CHECK_DEPTH = 25
SEED = 20261208


def _text(value: float) -> str:
    return f"{value:g}"


def _levels(rows: list[list[str]]) -> list[Level]:
    return [(float(p), p, s if float(s) else None) for p, s in rows]


class _Book(OrderBookStore):
    _KEYS = ("s", "S", "p")
    _SIDE_KEY, _PRICE_KEY, _SIZE_KEY = "S", "p", "q"
    _ASKS, _BIDS = "a", "b"
    _SEQUENCE = RangeRule()
    _CHECKSUM_DEPTH = CHECK_DEPTH


class _Feed(DataStoreCollection):
    def __init__(self, checked: bool, raw: bool = False) -> None:
        self.checked = checked
        self.raw = raw
        super().__init__()

    def _init(self) -> None:
        self.book = self._create("book", datastore_class=_Book, maxlen=DEPTH * 4)

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        diff = (_levels(msg["a"]), _levels(msg["b"]))
        if self.raw:
            self.book._apply_levels(msg["s"], *diff)
            return
        checksum = msg["cs"] if self.checked else None
        self.book._diff(msg["s"], diff, first=msg["U"], last=msg["u"], checksum=checksum, ws=ws)


_INF = float("inf")


def _plain_dicts(start: ModelBook) -> dict[str, dict[float, dict[str, str]]]:
    asks, bids = start.top()
    return {
        name: {p: {"s": KEY, "S": name, "p": _text(p), "q": _text(q)} for p, q in levels}
        for name, levels in (("a", asks), ("b", bids))
    }


def _plain_dict_update(book: dict[str, dict[float, dict[str, str]]], msg: Any) -> None:
    symbol = msg["s"]
    for name in ("a", "b"):
        side = book[name]
        for price, size in msg[name]:
            if float(size):
                side[float(price)] = {"s": symbol, "S": name, "p": price, "q": size}
            else:
                side.pop(float(price), None)


def _plain_sorted(start: ModelBook) -> dict[str, tuple[float, dict[float, Any], list[float]]]:
    book = {}
    for name, sign in (("a", 1.0), ("b", -1.0)):
        index = {sign * p: lv for p, lv in _plain_dicts(start)[name].items()}
        book[name] = (sign, index, sorted(index))
    return book


def _plain_sorted_update(book: dict[str, Any], msg: Any) -> None:
    undo: list[tuple[Any, ...]] = []
    symbol = msg["s"]
    for name in ("a", "b"):
        sign, index, ranks = book[name]
        for value, quantity in msg[name]:
            price, size = float(value), float(quantity)
            if not (0.0 < price < _INF and 0.0 <= size < _INF) or not (
                type(value) is str and type(quantity) is str
            ):
                raise ValueError(value, quantity)  # (the frames hold no bad row)
            rank = sign * price
            level = index.get(rank)
            if size:
                if level is None:
                    index[rank] = {"s": symbol, "S": name, "p": value, "q": quantity}
                    insort(ranks, rank)
                    undo.append((index, ranks, rank))
                elif level["q"] != quantity:
                    undo.append((level, level["q"]))
                    level["q"] = quantity
            elif level is not None:
                del index[rank]
                del ranks[bisect_left(ranks, rank)]
                undo.append((index, ranks, rank, level))


def _rows(side: list[tuple[float, float]]) -> list[list[str]]:
    return [[_text(p), _text(s)] for p, s in side]


def _checksum(model: ModelBook) -> int:
    asks, bids = model.top(CHECK_DEPTH)
    parts = []
    for i in range(CHECK_DEPTH):
        for side in (bids, asks):
            if i < len(side):
                parts.append(f"{_text(side[i][0])}:{_text(side[i][1])}")
    return signed_crc32(":".join(parts))


def make_stream() -> tuple[ModelBook, list[bytes]]:
    rng = random.Random(SEED)
    model = ModelBook.seeded(rng, depth=DEPTH)
    start = model.copy()
    frames = []
    for _ in range(MESSAGES):
        first = model.seq + 1
        asks: dict[float, float] = {}
        bids: dict[float, float] = {}
        for _ in range(rng.randint(1, 8)):  # one message carries several updates (1-32 levels)
            step_asks, step_bids = model.step(rng)
            asks.update(step_asks)
            bids.update(step_bids)
        message = {
            "s": KEY,
            "U": first,
            "u": model.seq,
            "a": _rows(list(asks.items())),
            "b": _rows(list(bids.items())),
            "cs": _checksum(model),
        }
        frames.append(orjson.dumps(message))
    return start, frames


def _fresh(start: ModelBook, checked: bool, raw: bool = False) -> _Feed:
    feed = _Feed(checked, raw)
    asks, bids = start.top()
    snapshot = (
        [(p, _text(p), _text(s)) for p, s in asks],
        [(p, _text(p), _text(s)) for p, s in bids],
    )
    feed.book._snapshot(KEY, snapshot, seq=start.seq)
    return feed


def _timed(body: Callable[[], None], count: int) -> float:
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        body()
        return (time.perf_counter() - start) / count
    finally:
        gc.enable()


def run(report: Report) -> None:
    start, frames = make_stream()
    loads = orjson.loads
    group = "verified book"

    def parse() -> None:
        for raw in frames:
            loads(raw)

    def feeding(feed: _Feed) -> Callable[[], None]:
        onmessage = feed.onmessage

        def body() -> None:
            for raw in frames:
                onmessage(loads(raw))

        return body

    def plain(update: Callable[[Any, Any], None], book: Any) -> Callable[[], None]:
        def body() -> None:
            for raw in frames:
                update(book, loads(raw))

        return body

    best: dict[str, float] = {}
    for _ in range(9):  # interleaved, so a busy machine slows every case alike
        cases = {
            "floor": parse,
            "raw": feeding(_fresh(start, checked=False, raw=True)),
            "verified": feeding(_fresh(start, checked=False)),
            "checked": feeding(_fresh(start, checked=True)),
            "plain dicts": plain(_plain_dict_update, _plain_dicts(start)),
            "plain sorted": plain(_plain_sorted_update, _plain_sorted(start)),
        }
        for name, body in cases.items():
            best[name] = min(best.get(name, float("inf")), _timed(body, len(frames)))
    checked = _fresh(start, checked=True)
    assert checked.book.in_sync(KEY)
    feeding(checked)()
    stats = checked.book.stats
    assert checked.book.in_sync(KEY) and stats.checksum_failures == 0 and stats.gaps == 0, stats
    text = checked.book._checksum_text
    checksum = _timed(lambda: [signed_crc32(text(KEY)) for _ in range(2_000)], 2_000)

    floor = best["floor"]
    report.add(group, "parse + raw apply (unverified)", {"topgun": best["raw"], "floor": floor})
    report.add(
        group,
        "parse + apply, sequence checked",
        {"topgun": best["verified"], "floor": floor},
        target="topgun <= 4x floor",
    )
    report.add(
        group,
        "parse + apply + top-25 CRC32 checksum",
        {"topgun": best["checked"], "floor": floor},
        target="topgun <= 4x floor",
    )
    report.add(group, "the checksum, computed afresh (top 25)", {"topgun": checksum})
    scale = "plain Python, not topgun"
    report.add(
        scale, "parse + plainest dict update", {"topgun": best["plain dicts"], "floor": floor}
    )
    report.add(
        scale,
        "parse + plainest sorted, checked, undoable update",
        {"topgun": best["plain sorted"], "floor": floor},
    )
