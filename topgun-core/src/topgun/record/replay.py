"""Reading recordings back: ``replay`` yields records, ``replay_into`` feeds a collection."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from .format import Frame, Marker, Record, read_records

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
    if speed is not None and not speed > 0:
        raise ValueError(f"speed must be positive or None, not {speed}")
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
    stats = stats if stats is not None else ReplayStats()
    onmessage = collection.onmessage
    on_reconnect = getattr(collection, "on_ws_reconnect", None)
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    async for record in replay(*paths, speed=speed, until_ns=until_ns):
        if stats.first_ns is None:
            stats.first_ns = record.time_ns
        stats.last_ns = record.time_ns
        if type(record) is Frame:
            stats.frames += 1
            try:
                msg = loads(record.data)
            except decode_error:
                stats.not_json += 1
                continue
            stats.messages += 1
            onmessage(msg, None)
        else:
            assert isinstance(record, Marker)
            stats.markers[record.kind] = stats.markers.get(record.kind, 0) + 1
            if record.kind == "reconnect":
                stats.reconnects += 1
                if callable(on_reconnect):
                    on_reconnect(None)
    return stats
