"""Where a Recorder's lines go: one file, plain or zstandard, flushed on demand."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from .format import compressed_name

__all__ = ["Sink"]


class Sink:
    """An open recording file. ``flush()`` makes everything written so far readable from disk
    (for zstandard: the current block is ended, so a reader gets every complete line)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.written = 0
        """Uncompressed bytes written, for size rotation."""
        self._raw: IO[bytes] = path.open("wb")
        self._zstd: Any = None
        if compressed_name(path):
            import zstandard

            self._zstd = zstandard
            self._out: Any = zstandard.ZstdCompressor(level=3).stream_writer(
                self._raw, closefd=False
            )
        else:
            self._out = self._raw

    def write(self, line: bytes) -> None:
        self._out.write(line)
        self._out.write(b"\n")
        self.written += len(line) + 1

    def flush(self) -> None:
        if self._zstd is not None:
            self._out.flush(self._zstd.FLUSH_BLOCK)
        self._raw.flush()

    def close(self) -> None:
        try:
            if self._zstd is not None:
                self._out.close()  # ends the zstandard frame
        finally:
            self._raw.close()
