"""Decompression bombs: small compressed payloads that open to a chosen, huge size.

For tests that prove a decoder (a ``ws_decoder``, an HTTP ``Content-Encoding``) is bounded.
Built chunk by chunk, so making a bomb never holds its opened size in memory.
"""

from __future__ import annotations

import zlib
from typing import Final, Literal

__all__ = ["compression_bomb"]

_WBITS: Final = {"deflate": -zlib.MAX_WBITS, "zlib": zlib.MAX_WBITS, "gzip": 16 + zlib.MAX_WBITS}
_CHUNK: Final = b"0" * (1 << 20)


def compression_bomb(kind: Literal["deflate", "zlib", "gzip"], opened_size: int) -> bytes:
    """A ``kind`` stream of the JSON text ``{"bomb":"000…"}`` that opens to ``opened_size`` bytes.

    Deflate compresses such a run about 1,000 to 1: 1 GiB opened is about 1 MiB compressed.
    """
    head, tail = b'{"bomb":"', b'"}'
    if opened_size < len(head) + len(tail):
        raise ValueError(f"opened_size must be at least {len(head) + len(tail)}")
    packer = zlib.compressobj(9, zlib.DEFLATED, _WBITS[kind])
    parts = [packer.compress(head)]
    left = opened_size - len(head) - len(tail)
    while left > 0:
        step = min(left, len(_CHUNK))
        parts.append(packer.compress(_CHUNK[:step]))
        left -= step
    parts.append(packer.compress(tail))
    parts.append(packer.flush())
    return b"".join(parts)
