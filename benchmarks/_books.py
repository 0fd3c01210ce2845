"""The rows every per-exchange order-book benchmark reports, over that exchange's generated feed.

A ``BookFeed`` says how to make a fresh store per library (holding the feed's snapshot), the
frames that follow it and where the store keeps its book; the functions time the same bodies for
every exchange: parse + apply against the orjson floor, apply alone on pre-parsed messages, and
apply with ``sorted(limit=10)`` after every message. The loops are written out per body (no
per-message branching) so that the harness adds nothing to what is measured.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from benchmarks._report import Body, Report, against_floor, best_of, per_message, repeats

Parse = Callable[[Any], Any]


def book_is_sound(store: Any, book: Any) -> None:
    """Raise if topgun's store reports that the stream broke it (pybotters reports nothing)."""
    if getattr(book, "out_of_sync", False):
        raise RuntimeError(f"the stream broke the book: {book.stats.last_reason}")
    if getattr(getattr(book, "stats", None), "checksum_failures", 0):
        raise RuntimeError(f"the stream failed the book's checksum: {book.stats.last_reason}")
    if getattr(store, "skipped", 0):
        raise RuntimeError("the store skipped messages of the benchmark's stream")


@dataclass(frozen=True)
class BookFeed:
    group: str
    makers: Mapping[str, Callable[[], Any]]
    """Library name (``"topgun"``, ``"pybotters"``) -> a fresh store that holds the snapshot."""
    frames: Sequence[Any]
    book: str
    """The store's attribute that holds the order book."""
    query: Mapping[str, Any] | None = None
    parse: Parse | None = orjson.loads
    """How a frame becomes a message; None: ``onmessage`` takes the frame as it is."""
    check: Callable[[Any], None] | None = None
    """Raises when a store ends a run wrong; the default is ``book_is_sound``."""
    parsed: list[Any] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        parse = self.parse or (lambda frame: frame)
        object.__setattr__(self, "parsed", [parse(frame) for frame in self.frames])

    def verify(self, store: Any) -> None:
        if self.check is not None:
            self.check(store)
        else:
            book_is_sound(store, getattr(store, self.book))

    def parse_apply(self) -> Body:
        frames, loads, verify = self.frames, self.parse, self.verify
        if loads is None:
            return self.apply(frames)

        def body(store: Any) -> None:
            onmessage = store.onmessage
            for raw in frames:
                onmessage(loads(raw))
            verify(store)

        return body

    def parse_only(self) -> Body:
        """The floor: parse every frame, apply nothing."""
        frames, loads = self.frames, self.parse or orjson.loads

        def body(store: Any) -> None:
            for raw in frames:
                loads(raw)

        return body

    def floor(self) -> float:
        """Best seconds per frame of parsing them all, on its own (not interleaved)."""
        body = self.parse_only()
        return best_of(lambda: body(None), repeat=7) / len(self.frames)

    def apply(self, messages: Sequence[Any] | None = None) -> Body:
        messages = self.parsed if messages is None else messages
        verify = self.verify

        def body(store: Any) -> None:
            onmessage = store.onmessage
            for message in messages:
                onmessage(message)
            verify(store)

        return body

    def apply_sorted(self) -> Body:
        frames, loads, verify, name, query = (
            self.frames,
            self.parse,
            self.verify,
            self.book,
            self.query,
        )

        def parsing(store: Any) -> None:
            onmessage = store.onmessage
            book = getattr(store, name)
            for raw in frames:
                onmessage(loads(raw))
                book.sorted(query, limit=10)
            verify(store)

        def raw(store: Any) -> None:
            onmessage = store.onmessage
            book = getattr(store, name)
            for frame in frames:
                onmessage(frame)
                book.sorted(query, limit=10)
            verify(store)

        return raw if loads is None else parsing

    def per_library(self, body: Body, count: int | None = None) -> dict[str, float]:
        """Best seconds per message of ``body`` for each library."""
        count = len(self.frames) if count is None else count
        return {
            name: per_message(make, body, count, repeats(name))
            for name, make in self.makers.items()
        }


def row_parse_apply(
    report: Report,
    feed: BookFeed,
    case: str,
    *,
    floor_frames: Sequence[Any] | None = None,
    target: str = "topgun <= 4x floor",
) -> float:
    """Parse + apply one message against parsing it (``floor_frames``: what orjson parses when
    the store's frames carry more than JSON); returns topgun's seconds per message."""
    body = feed.parse_apply()
    ours, floor = against_floor(feed.makers["topgun"], body, floor_frames or feed.frames)
    seconds = {"topgun": ours}
    if "pybotters" in feed.makers:
        seconds["pybotters"] = per_message(feed.makers["pybotters"], body, len(feed.frames), 3)
    report.add(feed.group, case, {**seconds, "floor": floor}, unit="msg", target=target)
    return ours


def row_apply(report: Report, feed: BookFeed, case: str) -> None:
    """Apply one pre-parsed message."""
    seconds = feed.per_library(feed.apply())
    report.add(feed.group, case, seconds, unit="msg", target="topgun/pybotters >= 1x")


def row_apply_sorted(
    report: Report,
    feed: BookFeed,
    case: str = "parse + apply + sorted(limit=10) per msg",
    *,
    floor: float | None = None,
) -> None:
    """Parse + apply + ``sorted(limit=10)`` after every message, the way a bot reads the book."""
    seconds = feed.per_library(feed.apply_sorted())
    if floor is not None:
        seconds["floor"] = floor
    report.add(feed.group, case, seconds, unit="msg", target="topgun/pybotters >= 50x")


def standard_rows(report: Report, feed: BookFeed, parse_apply: str, apply: str) -> float:
    """The three rows most book benchmarks report, under their case names; returns topgun's
    seconds per message of parse + apply."""
    ours = row_parse_apply(report, feed, parse_apply)
    row_apply(report, feed, apply)
    row_apply_sorted(report, feed)
    return ours


def assert_same_book(
    feed: BookFeed, *, limit: int | None = 50, levels: Callable[[Any], Any] = lambda book: book
) -> Any:
    """Feed both libraries the whole stream; raise unless their top ``limit`` levels agree
    (``levels`` maps a ``sorted()`` result to what is compared). Returns topgun's store."""
    ours, theirs = feed.makers["topgun"](), feed.makers["pybotters"]()
    feed.parse_apply()(ours)
    feed.parse_apply()(theirs)
    mine = levels(getattr(ours, feed.book).sorted(feed.query, limit=limit))
    ref = levels(getattr(theirs, feed.book).sorted(feed.query, limit=limit))
    if mine != ref or not any(mine.values()):
        raise RuntimeError(f"{feed.group}: topgun's and pybotters' books differ after the stream")
    return ours
