"""Sequence rules: does a diff follow the book it is about to change?

Exchanges number their book messages in a few distinct ways; each rule here captures one, so an
exchange's store names its rule instead of re-implementing the check (docs/verified-books.rst):

``RangeRule``
    a diff covers ids ``first..last``; the next must start at or before ``book + 1`` (a feed with
    one id per diff passes ``first == last``).
``ChainRule``
    a diff names the last id of the one before it (``prev``).
``OrderRule``
    ids only order messages (they skip values); stale ones are dropped, gaps cannot be seen.

Which exchange uses which is in docs/verified-books.rst (core names no exchange).

A rule is called once per diff on the hot path, so ``check`` is a few integer comparisons and
returns a preallocated ``Verdict``; the text of a gap is only built when there is one.
"""

from __future__ import annotations

import zlib
from enum import IntEnum
from typing import Protocol

__all__ = ["ChainRule", "OrderRule", "RangeRule", "SequenceRule", "Verdict", "signed_crc32"]


class Verdict(IntEnum):
    """What to do with a diff, given the book's sequence."""

    APPLY = 0
    """It follows the book: apply it, and the book's sequence becomes its ``last``."""
    STALE = 1
    """It is at or behind the book (a duplicate, or older than the snapshot): ignore it."""
    GAP = 2
    """Something was lost between the book and it: the book is out of sync."""


APPLY, STALE, GAP = Verdict.APPLY, Verdict.STALE, Verdict.GAP


class SequenceRule(Protocol):
    """An exchange's continuity rule for book diffs (see the module docstring)."""

    def check(self, book: int, first: int, last: int, prev: int | None, fresh: bool) -> Verdict:
        """The verdict for a diff ``first..last`` (``prev``: the id it follows, if the feed says).

        ``book`` is the book's sequence: the snapshot's, or the ``last`` of the last applied diff.
        ``fresh`` is true for the first diff applied after a snapshot.
        """
        ...

    def expected(self, book: int, fresh: bool) -> str:
        """What the next diff should carry, for the gap message (``"1043"``, ``"prev 1042"``)."""
        ...


class RangeRule:
    """Each diff covers ids ``first..last``: stale if ``last <= book``, a gap if ``first > book + 1``."""

    __slots__ = ()

    def check(self, book: int, first: int, last: int, prev: int | None, fresh: bool) -> Verdict:
        if last <= book:
            return STALE
        if first > book + 1:
            return GAP
        return APPLY

    def expected(self, book: int, fresh: bool) -> str:
        return f"{book + 1}"

    def __repr__(self) -> str:
        return "RangeRule()"


class ChainRule:
    """Each diff names the last id before it (``prev``); ``prev == book`` applies.

    That also covers heartbeat diffs that change nothing (``prev == last == book``) and a
    sequence reset (``last < prev == book``). The first diff after a snapshot applies when
    ``prev <= book <= last``: it may straddle the snapshot, as documented by exchanges whose REST
    snapshot's id falls inside a diff's range. Otherwise ``last <= book`` is stale and anything
    else a gap. A diff without ``prev`` is a gap unless stale: the rule needs it.
    """

    __slots__ = ()

    def check(self, book: int, first: int, last: int, prev: int | None, fresh: bool) -> Verdict:
        if prev == book:
            return APPLY
        if fresh and prev is not None and prev <= book <= last:
            return APPLY
        if last <= book:
            return STALE
        return GAP

    def expected(self, book: int, fresh: bool) -> str:
        return f"prev <= {book} <= last" if fresh else f"prev {book}"

    def __repr__(self) -> str:
        return "ChainRule()"


class OrderRule:
    """Ids only order messages (not consecutive): stale if ``last <= book``; never a gap."""

    __slots__ = ()

    def check(self, book: int, first: int, last: int, prev: int | None, fresh: bool) -> Verdict:
        return STALE if last <= book else APPLY

    def expected(self, book: int, fresh: bool) -> str:
        return f"> {book}"

    def __repr__(self) -> str:
        return "OrderRule()"


def signed_crc32(text: str) -> int:
    """CRC32 of ``text`` (UTF-8) as a signed 32-bit integer, the form book checksums take."""
    value = zlib.crc32(text.encode())
    return value - 0x1_0000_0000 if value >= 0x8000_0000 else value
