"""Bounded decompression of WebSocket frames, for exchanges that compress every message.

A compressed frame is small on the wire and may be huge once opened (a 1 MiB deflate "bomb"
becomes gigabytes). Core hands every ``ws_decoder`` the connection's maximum message size, and
``Decompressor`` never produces more than that: it stops inflating one byte past the limit and
raises ``FrameTooLargeError``, which core turns into a dropped, logged and counted frame.
"""

from __future__ import annotations

import zlib
from typing import Final, Literal

from ..errors import FrameTooLargeError

__all__ = ["Compression", "Decompressor", "decompress"]

Compression = Literal["deflate", "zlib", "gzip"]
"""``deflate``: raw deflate (no header); ``zlib``: RFC 1950; ``gzip``: one gzip member."""

_WBITS: Final[dict[str, int]] = {
    "deflate": -zlib.MAX_WBITS,
    "zlib": zlib.MAX_WBITS,
    "gzip": 16 + zlib.MAX_WBITS,
}


def decompress(payload: bytes, kind: Compression, max_size: int) -> bytes:
    """``payload`` decompressed, holding at most ``max_size`` bytes (0: no bound) in memory.

    Raises ``FrameTooLargeError`` when the output would exceed ``max_size``, and ``zlib.error``
    when ``payload`` is not one complete stream of that kind.
    """
    wbits = _WBITS.get(kind)
    if wbits is None:
        raise ValueError(f"unknown compression {kind!r}; use one of {sorted(_WBITS)}")
    if max_size < 0:
        raise ValueError(f"max_size must be >= 0 (0: no bound), not {max_size}")
    inflater = zlib.decompressobj(wbits)
    if max_size == 0:
        out = inflater.decompress(payload)
    else:
        out = inflater.decompress(payload, max_size + 1)
        if len(out) > max_size:
            raise FrameTooLargeError(
                f"a {kind} frame of {len(payload)} bytes opens to more than {max_size} bytes"
            )
    if not inflater.eof:
        raise zlib.error(f"not one complete {kind} stream (it is truncated)")
    return out


class Decompressor:
    """A ready ``Host.ws_decoder`` for frames compressed with ``kind``, bounded by core's limit.

    ``Host(..., ws_decoder=Decompressor("gzip"))``: core calls it with each BINARY frame's
    payload and the connection's maximum message size.
    """

    __slots__ = ("kind",)

    def __init__(self, kind: Compression) -> None:
        if kind not in _WBITS:
            raise ValueError(f"unknown compression {kind!r}; use one of {sorted(_WBITS)}")
        self.kind: Compression = kind

    def __call__(self, payload: bytes, max_size: int) -> bytes:
        return decompress(payload, self.kind, max_size)

    def __repr__(self) -> str:
        return f"Decompressor({self.kind!r})"
