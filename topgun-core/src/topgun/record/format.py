"""The recording file format: one JSON object per line, a version header first.

Line 1 is the header ``{"topgun_recording": 1, "created_ns": ..., "source": ...}``. Every further
line is a record: ``{"t": ns, "c": conn, "k": kind, ...}`` with the receive time ``t`` (Unix
nanoseconds), the connection number ``c`` (1 for the first connection, +1 per reconnection) and
``k`` one of ``"text"`` (``d``: the frame as a string), ``"bytes"`` (``d``: base64 of the frame
after the exchange's ``ws_decoder``) or ``"marker"`` (``m``: ``connect``, ``reconnect`` or
``close``). A file whose name ends in ``.jsonl`` is plain text; otherwise it is a zstandard stream
(the ``topgun-core[record]`` extra) when zstandard is installed. Readers tell the two apart by the
zstandard magic number, not by the name.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import orjson

from ..errors import TopgunError

__all__ = [
    "FORMAT_VERSION",
    "MARKERS",
    "Frame",
    "Marker",
    "Record",
    "RecordingError",
    "compressed_name",
    "read_records",
]

FORMAT_VERSION = 1
MARKERS = frozenset({"connect", "reconnect", "close"})
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_EXTRA_HINT = "install the extra: pip install 'topgun-core[record]'"


class RecordingError(TopgunError, ValueError):
    """A recording that cannot be read on: corrupt, truncated, or of an unknown version."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One received frame: ``data`` is ``str`` for a text frame, ``bytes`` for a binary one."""

    time_ns: int
    conn: int
    data: str | bytes


@dataclass(frozen=True, slots=True)
class Marker:
    """A connection boundary: ``kind`` is ``connect``, ``reconnect`` or ``close``."""

    time_ns: int
    conn: int
    kind: Literal["connect", "reconnect", "close"]


Record = Frame | Marker


def header(source: str, created_ns: int) -> bytes:
    return orjson.dumps(
        {"topgun_recording": FORMAT_VERSION, "created_ns": created_ns, "source": source}
    )


def encode_frame(time_ns: int, conn: int, data: str | bytes) -> bytes:
    if isinstance(data, str):
        return orjson.dumps({"t": time_ns, "c": conn, "k": "text", "d": data})
    text = base64.b64encode(data).decode("ascii")
    return orjson.dumps({"t": time_ns, "c": conn, "k": "bytes", "d": text})


def encode_marker(time_ns: int, conn: int, kind: str) -> bytes:
    return orjson.dumps({"t": time_ns, "c": conn, "k": "marker", "m": kind})


def compressed_name(path: Path) -> bool:
    """Whether a recording written to ``path`` is zstandard-compressed (see the module docs)."""
    if path.name.endswith(".jsonl"):
        return False
    try:
        import zstandard  # noqa: F401
    except ImportError:
        if path.name.endswith(".zst"):
            raise RecordingError(
                f"{path}: a .zst recording needs zstandard; {_EXTRA_HINT}"
            ) from None
        return False
    return True


_CHUNK = 1 << 16


class _CorruptStreamError(Exception):
    """A stream that cannot be decompressed on (inside ``read_records``)."""


def _chunks(path: Path) -> Iterator[bytes]:
    """The file's bytes, decompressed when it is zstandard (told by its magic number)."""
    with path.open("rb") as raw:
        chunk = raw.read(_CHUNK)
        if not chunk.startswith(_ZSTD_MAGIC):
            while chunk:
                yield chunk
                chunk = raw.read(_CHUNK)
            return
        try:
            import zstandard
        except ImportError:
            raise RecordingError(f"{path} is zstandard-compressed; {_EXTRA_HINT}") from None
        decompressor = zstandard.ZstdDecompressor()
        frame = decompressor.decompressobj()
        while chunk:
            try:
                yield frame.decompress(chunk)
                while frame.eof and frame.unused_data:  # another frame follows
                    rest = frame.unused_data
                    frame = decompressor.decompressobj()
                    yield frame.decompress(rest)
            except zstandard.ZstdError as exc:
                raise _CorruptStreamError(str(exc)) from exc
            chunk = raw.read(_CHUNK)
        if not frame.eof:
            raise _CorruptStreamError("the compressed stream stops before its end")


def _lines(chunks: Iterator[bytes]) -> Iterator[bytes]:
    pending = b""
    for chunk in chunks:
        if not chunk:
            continue
        parts = (pending + chunk).split(b"\n")
        pending = parts.pop()
        for part in parts:
            yield part + b"\n"
    if pending:
        yield pending


def read_records(path: str | Path) -> Iterator[Record]:
    """Yield the records of one recording file in order.

    Raises ``RecordingError`` naming the file and line at the first line that cannot be read (a
    torn last line after a crash, corrupt data); every record before it has been yielded.
    """
    path = Path(path)
    number = 0
    try:
        for number, line in enumerate(_lines(_chunks(path)), 1):
            if not line.endswith(b"\n"):
                raise RecordingError(
                    f"{path}, line {number}: truncated (the recording stops mid-line, as after a "
                    "crash; everything before it was read)"
                )
            if number == 1:
                _check_header(path, line)
                continue
            yield _decoded(path, number, line)
    except _CorruptStreamError as exc:
        raise RecordingError(
            f"{path}, line {number + 1}: truncated or corrupt compressed data ({exc}); a "
            "recorder that did not close its file (a crash) ends so; everything before it was read"
        ) from exc
    if number == 0:
        raise RecordingError(f"{path}: empty, not a topgun recording")


def _check_header(path: Path, line: bytes) -> None:
    try:
        head = orjson.loads(line)
    except orjson.JSONDecodeError:
        head = None
    if not isinstance(head, dict) or "topgun_recording" not in head:
        raise RecordingError(f"{path}, line 1: not a topgun recording (no version header)")
    if head["topgun_recording"] != FORMAT_VERSION:
        raise RecordingError(
            f"{path}: format version {head['topgun_recording']!r}; this topgun reads version "
            f"{FORMAT_VERSION} (upgrade topgun-core)"
        )


def _decoded(path: Path, number: int, line: bytes) -> Record:
    try:
        obj: Any = orjson.loads(line)
        time_ns, conn, kind = obj["t"], obj["c"], obj["k"]
        if not isinstance(time_ns, int) or not isinstance(conn, int):
            raise TypeError("t and c must be integers")
        if kind == "text":
            data = obj["d"]
            if not isinstance(data, str):
                raise TypeError("d must be a string")
            return Frame(time_ns, conn, data)
        if kind == "bytes":
            return Frame(time_ns, conn, base64.b64decode(obj["d"], validate=True))
        if kind == "marker" and obj["m"] in MARKERS:
            return Marker(time_ns, conn, obj["m"])
        raise ValueError(f"unknown record kind {kind!r}")
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise RecordingError(
            f"{path}, line {number}: corrupt record ({type(exc).__name__}: {exc}); "
            "everything before it was read"
        ) from exc
