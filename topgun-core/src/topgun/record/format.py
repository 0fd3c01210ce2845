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

from ..errors import RecordingError

__all__ = [
    "FORMAT_VERSION",
    "MARKERS",
    "NOT_PARSED",
    "Frame",
    "Marker",
    "Record",
    "compressed_name",
    "encode_frame",
    "encode_marker",
    "header",
    "parsed_lines",
    "read_records",
    "to_record",
]

FORMAT_VERSION = 1
"""The recording format this version writes; a file of a newer one is refused when read."""
MARKERS = frozenset({"connect", "reconnect", "close"})
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_EXTRA_HINT = "install the extra: pip install 'topgun-core[record]'"


class _NotParsed:
    def __repr__(self) -> str:
        return "NOT_PARSED"


NOT_PARSED: Any = _NotParsed()
"""``Frame.message`` of a frame that is not JSON."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One received frame: ``data`` is ``str`` for a text frame, ``bytes`` for a binary one;
    ``message`` is ``data`` parsed when it is JSON (else ``NOT_PARSED``)."""

    time_ns: int
    conn: int
    data: str | bytes
    message: Any = NOT_PARSED


@dataclass(frozen=True, slots=True)
class Marker:
    """A connection boundary: ``kind`` is ``connect``, ``reconnect`` or ``close``."""

    time_ns: int
    conn: int
    kind: Literal["connect", "reconnect", "close"]


Record = Frame | Marker
"""One entry of a recording, in the order it was received."""


def header(source: str, created_ns: int) -> bytes:
    return orjson.dumps(
        {"topgun_recording": FORMAT_VERSION, "created_ns": created_ns, "source": source}
    )


def encode_frame(time_ns: int, conn: int, data: str | bytes) -> bytes:
    """A frame's line. JSON on one line is embedded as it is (``"k": "json"``), so a replay
    parses each message once; anything else is a JSON string (text) or base64 (binary)."""
    binary = not isinstance(data, str)
    raw = data if isinstance(data, bytes) else data.encode()
    if b"\n" not in raw:
        try:
            orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
        else:
            return b'{"t":%d,"c":%d,"k":"json",%s"d":%s}' % (
                time_ns,
                conn,
                b'"b":1,' if binary else b"",
                raw,
            )
    if not binary:
        return orjson.dumps({"t": time_ns, "c": conn, "k": "text", "d": data})
    text = base64.b64encode(raw).decode("ascii")
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


_CHUNK = 1 << 18


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


class _TruncatedLineError(Exception):
    """The data ends inside a line (no newline after its last bytes)."""


def _lines(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The complete lines, without their newline; ``_TruncatedLineError`` after them if the data
    ends mid-line."""
    pending = b""
    for chunk in chunks:
        if not chunk:
            continue
        parts = (pending + chunk).split(b"\n") if pending else chunk.split(b"\n")
        pending = parts.pop()
        yield from parts
    if pending:
        raise _TruncatedLineError


def read_records(path: str | Path) -> Iterator[Record]:
    """Yield the records of one recording file in order.

    Raises ``RecordingError`` naming the file and line at the first line that cannot be read (a
    torn last line after a crash, corrupt data); every record before it has been yielded.
    """
    path = Path(path)
    for number, line, obj in parsed_lines(path):
        yield to_record(path, number, line, obj)


def parsed_lines(path: Path) -> Iterator[tuple[int, bytes, Any]]:
    """``(line number, line, parsed line)`` of each record line after the checked header;
    raises as ``read_records`` does. Replays read through this, without ``Record`` objects."""
    number = 0
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    try:
        for number, line in enumerate(_lines(_chunks(path)), 1):
            if number == 1:
                _check_header(path, line)
                continue
            try:
                obj = loads(line)
            except decode_error as exc:
                raise _corrupt(path, number, exc) from exc
            yield number, line, obj
    except _TruncatedLineError:
        raise RecordingError(
            f"{path}, line {number + 1}: truncated (the recording stops mid-line, as after a "
            "crash; everything before it was read)"
        ) from None
    except _CorruptStreamError as exc:
        raise RecordingError(
            f"{path}, line {number + 1}: truncated or corrupt compressed data ({exc}); a "
            "recorder that did not close its file (a crash) ends so; everything before it was read"
        ) from exc
    if number == 0:
        raise RecordingError(f"{path}: empty, not a topgun recording")


def _corrupt(path: Path, number: int, exc: Exception) -> RecordingError:
    return RecordingError(
        f"{path}, line {number}: corrupt record ({type(exc).__name__}: {exc}); "
        "everything before it was read"
    )


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


def to_record(path: Path, number: int, line: bytes, obj: Any) -> Record:
    """The record a parsed line holds; ``RecordingError`` naming the line if it holds none."""
    try:
        time_ns, conn, kind = obj["t"], obj["c"], obj["k"]
        if type(time_ns) is not int or type(conn) is not int:
            raise TypeError("t and c must be integers")
        if kind == "json":
            data = obj["d"]
            raw = line[line.index(b',"d":') + 5 : -1]  # the frame as received, embedded
            return Frame(time_ns, conn, raw if obj.get("b") else raw.decode(), data)
        if kind == "text":
            text = obj["d"]
            if not isinstance(text, str):
                raise TypeError("d must be a string")
            return Frame(time_ns, conn, text)
        if kind == "bytes":
            return Frame(time_ns, conn, base64.b64decode(obj["d"], validate=True))
        if kind == "marker" and obj["m"] in MARKERS:
            return Marker(time_ns, conn, obj["m"])
        raise ValueError(f"unknown record kind {kind!r}")
    except (KeyError, TypeError, ValueError) as exc:
        raise _corrupt(path, number, exc) from exc
