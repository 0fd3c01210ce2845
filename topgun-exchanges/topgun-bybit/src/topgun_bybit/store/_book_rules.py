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

from topgun.store import Level

from ._shapes import MalformedMessage

__all__ = ["is_reset", "parse_book"]

_INF = math.inf


def is_reset(kind: str, u: int) -> bool:
    """A snapshot, or ``u`` = 1 (snapshot data after a restart, whatever its type): the book
    becomes exactly the message's levels. Every other message is a delta checked by ``u``."""
    return kind == "snapshot" or u == 1


def _levels(rows: Any, side: str) -> list[Level]:
    if type(rows) is not list:
        raise MalformedMessage(f"orderbook data.{side} is not a JSON array")
    levels: list[Level] = []
    append = levels.append
    try:
        for row in rows:
            value, amount = row
            if type(row) is not list or type(value) is bool or type(amount) is bool:
                raise TypeError("a level is not a [price, size] pair")
            price = float(value)
            size = float(amount)
            if not (0.0 < price < _INF and 0.0 <= size < _INF):
                raise ValueError(f"price {value!r} size {amount!r}")
            append((price, value, amount if size else 0))
    except (TypeError, ValueError, OverflowError) as exc:
        raise MalformedMessage(f"orderbook data.{side} has a bad level ({exc})") from None
    return levels


def parse_book(msg: Any) -> tuple[str, str, int, list[Level], list[Level]]:
    """``(type, symbol, u, asks, bids)`` of an ``orderbook`` push, checked whole.

    Levels are ``(price, price as sent, size as sent)`` with the size replaced by 0 when it is
    zero, which removes the level. Prices are finite and positive, sizes finite and not negative.
    """
    kind = msg.get("type")
    if kind != "snapshot" and kind != "delta":
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
    return kind, symbol, u, _levels(data.get("a", []), "a"), _levels(data.get("b", []), "b")
