"""OKX's order-book integrity rules as pure functions: the seqId chain and the CRC32 checksum.

Both from https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel
("Sequence ID" and "Checksum"):

- Each update's ``prevSeqId`` equals the ``seqId`` of the message before it (a snapshot has
  ``prevSeqId`` -1). Two documented exceptions fit that rule as written: with no depth change
  for about 60 s an update arrives with empty ``asks``/``bids`` and ``prevSeqId == seqId ==``
  the last seqId; after maintenance the sequence may reset, which shows as an update whose
  ``seqId`` is below its ``prevSeqId`` (its ``prevSeqId`` still equals the last seqId).
- ``checksum`` is CRC32, as a signed 32-bit int, of ``bid1px:bid1sz:ask1px:ask1sz:...`` over the
  best 25 levels of each side, alternating bid and ask and skipping levels a side lacks. From
  2026-06-23 production sends ``checksum: 0`` ("OKX Order Book Channels Checksum Field
  Deprecation", https://www.okx.com/help/okx-order-book-channels-checksum-field-deprecation),
  so 0 means "not given" and is never a mismatch.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from enum import Enum
from itertools import zip_longest

from topgun.store import Item

__all__ = ["CHECKSUM_DEPTH", "Verdict", "chain_verdict", "checksum", "checksum_string", "signed32"]

CHECKSUM_DEPTH = 25
"""Levels per side that the checksum covers."""


class Verdict(Enum):
    """What to do with an update, given the last applied seqId."""

    APPLY = "apply"
    """It continues the chain (including the two documented exceptions)."""
    STALE = "stale"
    """A duplicate or an older message: ignore it, the book stays good."""
    GAP = "gap"
    """At least one update was missed: the book is wrong."""


def chain_verdict(last: int, prev_seq_id: int, seq_id: int) -> Verdict:
    """The seqId/prevSeqId rule for one update after a book whose last seqId is ``last``."""
    if prev_seq_id == last:
        return Verdict.APPLY
    if seq_id == last or (seq_id < last and prev_seq_id < last):
        return Verdict.STALE
    return Verdict.GAP


def signed32(value: int) -> int:
    """An unsigned CRC32 as the signed 32-bit integer OKX sends."""
    return value - 0x1_0000_0000 if value >= 0x8000_0000 else value


def checksum_string(bids: Sequence[Item], asks: Sequence[Item]) -> str:
    """``bid1px:bid1sz:ask1px:ask1sz:...`` over the best 25 of each side (levels with px, sz)."""
    parts: list[str] = []
    append = parts.append
    for bid, ask in zip_longest(bids[:CHECKSUM_DEPTH], asks[:CHECKSUM_DEPTH]):
        if bid is not None:
            append(bid["px"])
            append(bid["sz"])
        if ask is not None:
            append(ask["px"])
            append(ask["sz"])
    return ":".join(parts)


def checksum(bids: Sequence[Item], asks: Sequence[Item]) -> int:
    """The signed CRC32 OKX would send for a book whose best levels are ``bids`` and ``asks``."""
    return signed32(zlib.crc32(checksum_string(bids, asks).encode()))
