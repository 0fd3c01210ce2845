"""Bybit V5 ``orderbook.{depth}.{symbol}``: parsing a push message, and which ones reset a book.

Docs: https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook ("Process
snapshot/delta"): a ``snapshot`` resets the local book; a ``delta`` row of size 0 deletes the
level, an unknown price is inserted, a known one updated; ``u`` is the update ID. "u = 1" is
snapshot data sent after a service restart and overwrites the book (same page, and the v3
derivatives page https://bybit-exchange.github.io/docs/derivatives/ws-public/orderbook, which
also says the update ID "is always in sequence"). Level 1 books send snapshots only, and repeat
the last one every 3 s without a change, with the same ``u``.

The gap rule is inferred for the V5 JSON feed from the v3 wording and the SBE level-50 guide
(https://bybit-exchange.github.io/docs/v5/sbe/level-50/sbe-level-50: the next ``u`` is the
previous one + 1 while ``u`` != 1): a delta with ``u`` = last + 1 applies, ``u`` <= last is
stale (ignored), anything larger is a gap: core's ``RangeRule`` with one id per delta. ``u``
counts per topic (per depth and symbol), so a book follows one topic.
"""

from __future__ import annotations

import math
from typing import Any

from topgun.plugin import Level

from ._shapes import MalformedMessage

__all__ = ["is_reset", "parse_book"]

_INF = math.inf


def is_reset(kind: str, u: int) -> bool:
    """A snapshot, or ``u`` = 1 (snapshot data after a restart, whatever its type): the book
    becomes exactly the message's levels. Every other message is a delta checked by ``u``."""
    return kind == "snapshot" or u == 1


def parse_book(msg: Any) -> tuple[str, str, int, list[Level], list[Level]]:
    """``(type, symbol, u, asks, bids)`` of an ``orderbook`` push, checked whole.

    Levels are ``(price, price as sent, size as sent)`` with the size replaced by 0 when it is
    zero, which removes the level. A row is a ``[price, size]`` array of numbers or numeric
    strings (Bybit sends strings), never booleans; prices are finite and positive, sizes finite
    and not negative. The hottest path of the feed: both sides inline, one test per row.
    """
    kind = msg.get("type")
    if kind != "delta" and kind != "snapshot":
        raise MalformedMessage(f"orderbook type {kind!r} is neither 'snapshot' nor 'delta'")
    data = msg.get("data")
    if type(data) is not dict:
        raise MalformedMessage("orderbook data is not a JSON object")
    symbol = data.get("s")
    u = data.get("u")
    if type(symbol) is not str or not symbol:
        raise MalformedMessage("orderbook data has no symbol 's'")
    if type(u) is not int or u < 1:
        raise MalformedMessage(f"orderbook data has no valid update ID 'u' ({u!r})")
    sides: list[list[Level]] = []
    try:
        for rows in (data.get("a", ()), data.get("b", ())):
            if type(rows) is not list and rows != ():
                raise TypeError("a side is not a JSON array")
            levels: list[Level] = []
            append = levels.append
            for row in rows:
                value, amount = row
                price = float(value)
                size = float(amount)
                if (
                    0.0 < price < _INF
                    and 0.0 <= size < _INF
                    and type(row) is list
                    and type(value) is not bool is not type(amount)
                ):
                    append((price, value, amount if size else 0))
                else:
                    raise ValueError(f"[{value!r}, {amount!r}]")
            sides.append(levels)
    except (TypeError, ValueError, OverflowError) as exc:
        raise MalformedMessage(f"orderbook data has a bad level ({exc})") from None
    return kind, symbol, u, sides[0], sides[1]
