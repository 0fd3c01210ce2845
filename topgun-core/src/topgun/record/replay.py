"""Reading recordings back: ``replay`` yields records, ``replay_into`` feeds a collection."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from .format import NOT_PARSED, Frame, Marker, Record, parsed_lines, read_records, to_record

__all__ = ["ReplayStats", "parse_speed", "replay", "replay_into"]

_YIELD_EVERY = 4096
"""At full speed, records between two returns to the event loop (other tasks keep running)."""


def parse_speed(text: str) -> float | None:
    """``max`` -> None (no waiting); ``1x``, ``10x``, ``0.5x`` -> that factor of real time."""
    value = text.strip().lower()
    if value == "max":
        return None
    try:
        speed = float(value.removesuffix("x"))
    except ValueError:
        speed = 0.0
    if not speed > 0:
        raise ValueError(f"speed {text!r}: use max, 1x, or a positive factor such as 10x or 0.5x")
    return speed


def _records(paths: Iterable[str | Path], until_ns: int | None) -> Iterator[Record]:
    for path in paths:
        for record in read_records(path):
            if until_ns is not None and record.time_ns > until_ns:
                return
            yield record


async def replay(
    *paths: str | Path, speed: float | None = None, until_ns: int | None = None
) -> AsyncIterator[Record]:
    """Yield the records (``Frame`` and ``Marker``) of ``paths``, in order, file after file.

    ``speed=None`` is as fast as possible; ``1.0`` keeps the recorded gaps, ``10.0`` ten times
    faster. ``until_ns`` (Unix nanoseconds) stops before the first record after it. A corrupt
    or truncated file raises ``RecordingError`` after yielding everything before the bad line.
    """
    _check_speed(speed)
    first_ns: int | None = None
    started = time.monotonic()
    for count, record in enumerate(_records(paths, until_ns), 1):
        if speed is not None:
            if first_ns is None:
                first_ns = record.time_ns
            due = started + (record.time_ns - first_ns) / 1e9 / speed
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        elif count % _YIELD_EVERY == 0:
            await asyncio.sleep(0)
        yield record


def _check_speed(speed: float | None) -> None:
    if speed is not None and not speed > 0:
        raise ValueError(f"speed must be positive or None, not {speed}")


@dataclass
class ReplayStats:
    """What a replay fed: counts and the recorded time span (Unix nanoseconds)."""

    frames: int = 0
    messages: int = 0
    """Frames that were JSON and went to ``onmessage``."""
    not_json: int = 0
    reconnects: int = 0
    markers: dict[str, int] = field(default_factory=dict)
    first_ns: int | None = None
    last_ns: int | None = None

    @property
    def seconds(self) -> float:
        if self.first_ns is None or self.last_ns is None:
            return 0.0
        return (self.last_ns - self.first_ns) / 1e9


class _Feeder:
    """Hands records to a collection as the live WebSocketApp did, counting them."""

    def __init__(self, collection: Any, stats: ReplayStats) -> None:
        self.onmessage = collection.onmessage
        self.on_reconnect = getattr(collection, "on_ws_reconnect", None)
        self.stats = stats

    def message(self, time_ns: int, msg: Any) -> None:
        self.stats.frames += 1
        self.stats.messages += 1
        self.onmessage(msg, None)
        self._seen(time_ns)

    def _seen(self, time_ns: int) -> None:
        stats = self.stats
        if stats.first_ns is None:
            stats.first_ns = time_ns
        stats.last_ns = time_ns

    def record(self, record: Record) -> None:
        if type(record) is Frame:
            msg = record.message
            if msg is NOT_PARSED:
                try:
                    msg = orjson.loads(record.data)
                except orjson.JSONDecodeError:
                    msg = NOT_PARSED
            if msg is not NOT_PARSED:
                self.message(record.time_ns, msg)
                return
            self.stats.not_json += 1
            self.stats.frames += 1
        elif type(record) is Marker:
            kind = record.kind
            self.stats.markers[kind] = self.stats.markers.get(kind, 0) + 1
            if kind == "reconnect":
                self.stats.reconnects += 1
                if callable(self.on_reconnect):
                    self.on_reconnect(None)
        self._seen(record.time_ns)


async def replay_into(
    collection: Any,
    *paths: str | Path,
    speed: float | None = None,
    until_ns: int | None = None,
    stats: ReplayStats | None = None,
) -> ReplayStats:
    """Feed a recording to ``collection`` as the live WebSocketApp would.

    Each JSON frame goes to ``collection.onmessage(msg, None)`` (the ``ws`` is ``None``: nothing
    is sent back during a replay); each ``reconnect`` marker calls
    ``collection.on_ws_reconnect(None)``, as a live reconnection does. Pass ``stats`` to keep
    the counts of what was fed before a ``RecordingError``.
    """
    _check_speed(speed)
    stats = stats if stats is not None else ReplayStats()
    feeder = _Feeder(collection, stats)
    if speed is not None:  # paced: the sleeps dominate, records are built as for replay()
        async for record in replay(*paths, speed=speed, until_ns=until_ns):
            feeder.record(record)
        return stats
    for name in paths:
        if not await _feed_file(Path(name), feeder, until_ns):
            break
    return stats


async def _feed_file(path: Path, feeder: _Feeder, until_ns: int | None) -> bool:
    """``replay_into`` at full speed: the common line, an embedded JSON frame, goes straight to
    the store with no record object; counts are kept in locals and stored on the way out.
    False when ``until_ns`` stopped it."""
    stats = feeder.stats
    onmessage = feeder.onmessage
    sent = 0
    first_ns = last_ns = None
    try:
        for number, line, obj in parsed_lines(path):
            kind = obj.get("k") if type(obj) is dict else None
            time_ns = obj.get("t") if kind is not None else None
            if kind == "json" and type(time_ns) is int and type(obj.get("c")) is int:
                if "d" not in obj:
                    to_record(path, number, line, obj)  # raises, naming the line
                if until_ns is not None and time_ns > until_ns:
                    return False
                if first_ns is None:
                    first_ns = time_ns
                last_ns = time_ns
                sent += 1
                onmessage(obj["d"], None)
            else:
                record = to_record(path, number, line, obj)
                if until_ns is not None and record.time_ns > until_ns:
                    return False
                feeder.record(record)
            if number % _YIELD_EVERY == 0:
                await asyncio.sleep(0)
        return True
    finally:
        stats.frames += sent
        stats.messages += sent
        if first_ns is not None and (stats.first_ns is None or first_ns < stats.first_ns):
            stats.first_ns = first_ns
        if last_ns is not None and (stats.last_ns is None or last_ns > stats.last_ns):
            stats.last_ns = last_ns
