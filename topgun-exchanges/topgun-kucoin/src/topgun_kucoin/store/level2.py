"""Parsing KuCoin's level-2 book data, checked whole before anything changes (pure functions).

Spot ``/market/level2:{symbol}`` (https://www.kucoin.com/docs-new/3470068w0) pushes
``data = {"changes": {"asks": [[price, size, sequence]], "bids": [...]}, "sequenceStart",
"sequenceEnd", "symbol", "time"}``; each change row carries its own sequence. Futures
``/contractMarket/level2:{symbol}`` (https://www.kucoin.com/docs-new/3470082w0) pushes one change
per message: ``data = {"sequence", "change": "price,side,size", "timestamp"}`` (side ``buy`` or
``sell``). Sizes are absolute: 0 removes the level; a price of 0 is no level ("ignore the change,
the sequence still moves", KuCoin's calibration procedure), so such a row is skipped.

The REST snapshots: spot ``GET /api/v3/market/orderbook/level2`` ("Get Full OrderBook",
https://www.kucoin.com/docs-new/rest/spot-trading/market-data/get-full-orderbook, signed) with
``data = {"sequence": "<digits>", "time", "bids": [[price, size]], "asks": [...]}`` as strings;
futures ``GET /api/v1/level2/snapshot`` ("Get Full OrderBook",
https://www.kucoin.com/docs-new/rest/futures-trading/market-data/get-full-orderbook, public) with
``data = {"sequence": <int>, "symbol", "bids": [[price, size]], "asks": [...], "ts"}`` as numbers.

Levels keep prices and sizes as strings, as the WebSocket writes them; the futures snapshot's
numbers are turned into their JSON text once, so a level reads the same whichever message set it.
Prices must be finite and positive (0: skipped), sizes finite and not negative; booleans are
neither.
"""

from __future__ import annotations

from typing import Any

from topgun.plugin import Level

from ._messages import MalformedMessage

__all__ = [
    "SpotDiff",
    "book_snapshot",
    "futures_diff",
    "rows_after",
    "spot_diff",
]

_INF = float("inf")
_NONE: list[Any] = []  # a side without changes (never changed: only read)

SpotDiff = tuple[int, list[Level], list[Level], Any, Any]
"""``(sequenceStart, ask levels, bid levels, the raw ask rows, the raw bid rows)``; the raw rows
are read again only for a message that straddles the book's sequence (``rows_after``)."""


def _change_rows(rows: Any) -> list[Level]:
    """``[[price, size, sequence], ...]`` as levels (price-0 rows skipped); the row sequences are
    only read by ``rows_after``."""
    if type(rows) is not list:
        raise MalformedMessage("a side of changes is not a JSON array")
    levels: list[Level] = []
    append = levels.append
    try:
        for value, quantity, _ in rows:
            price = float(value)
            size = float(quantity)
            if (
                not (0.0 <= price < _INF and 0.0 <= size < _INF)
                or type(value) is bool
                or type(quantity) is bool
            ):
                raise MalformedMessage(f"bad change row [{value!r}, {quantity!r}, ...]")
            if price:
                append((price, value, quantity if size else None))
    except (TypeError, ValueError) as exc:
        if isinstance(exc, MalformedMessage):
            raise
        raise MalformedMessage(f"a change row is malformed ({type(exc).__name__}: {exc})") from None
    return levels


def rows_after(rows: Any, sequence: int) -> list[Level]:
    """The levels of the change rows whose own sequence is above ``sequence``: the first message
    after a snapshot may straddle it, and its older rows are in the snapshot already."""
    later = []
    for row in rows:
        number = row[2]
        kind = type(number)
        if (kind is not str or not number.isdigit()) and kind is not int:
            raise MalformedMessage(f"a change row has sequence {number!r}")
        if int(number) > sequence:
            later.append(row)
    return _change_rows(later)


def _sequence(value: Any, name: str) -> int:
    if type(value) is int:
        return value
    if type(value) is str and value.isdigit():
        return int(value)
    raise MalformedMessage(f"{name}={value!r} is not an integer")


def spot_diff(data: Any) -> tuple[str, int, SpotDiff]:
    """A spot ``trade.l2update`` message's ``data`` as ``(symbol, sequenceEnd, diff)``."""
    if type(data) is not dict:
        raise MalformedMessage("the level2 message's data is not a JSON object")
    symbol = data.get("symbol")
    if type(symbol) is not str or not symbol:
        raise MalformedMessage(f"a level2 message has symbol {symbol!r}")
    first = data.get("sequenceStart")
    last = data.get("sequenceEnd")
    if type(first) is not int or type(last) is not int or first > last:
        raise MalformedMessage(
            f"a level2 message has sequenceStart={first!r}, sequenceEnd={last!r}"
        )
    changes = data.get("changes")
    if type(changes) is not dict:
        raise MalformedMessage("a level2 message has no changes object")
    raw_asks = changes.get("asks", _NONE)
    raw_bids = changes.get("bids", _NONE)
    return symbol, last, (first, _change_rows(raw_asks), _change_rows(raw_bids), raw_asks, raw_bids)


def futures_diff(data: Any) -> tuple[int, list[Level], list[Level]]:
    """A futures ``level2`` message's ``data`` as ``(sequence, ask levels, bid levels)``."""
    if type(data) is not dict:
        raise MalformedMessage("the level2 message's data is not a JSON object")
    sequence = data.get("sequence")
    if type(sequence) is not int:
        raise MalformedMessage(f"a level2 message has sequence {sequence!r}")
    change = data.get("change")
    if type(change) is not str:
        raise MalformedMessage(f"a level2 message has change {change!r}")
    parts = change.split(",")
    if len(parts) != 3:
        raise MalformedMessage(f"a level2 change is not 'price,side,size': {change[:64]!r}")
    value, side, quantity = parts
    try:
        price = float(value)
        size = float(quantity)
    except ValueError:
        raise MalformedMessage(f"a level2 change is malformed: {change[:64]!r}") from None
    if not (0.0 <= price < _INF and 0.0 <= size < _INF):
        raise MalformedMessage(f"a level2 change has a bad price or size: {change[:64]!r}")
    levels: list[Level] = [(price, value, quantity if size else None)] if price else []
    if side == "sell":
        return sequence, levels, []
    if side == "buy":
        return sequence, [], levels
    raise MalformedMessage(f"a level2 change has side {side!r}")


def _snapshot_rows(rows: Any, what: str) -> list[Level]:
    if type(rows) is not list:
        raise MalformedMessage(f"the snapshot's {what} is not a JSON array")
    levels: list[Level] = []
    append = levels.append
    try:
        for value, quantity in rows:
            price = float(value)
            size = float(quantity)
            if (
                not (0.0 < price < _INF and 0.0 <= size < _INF)
                or type(value) is bool
                or type(quantity) is bool
            ):
                raise MalformedMessage(f"bad snapshot row [{value!r}, {quantity!r}]")
            if size:
                append(
                    (
                        price,
                        value if type(value) is str else str(value),
                        quantity if type(quantity) is str else str(quantity),
                    )
                )
    except (TypeError, ValueError) as exc:
        if isinstance(exc, MalformedMessage):
            raise
        raise MalformedMessage(
            f"a snapshot row is malformed ({type(exc).__name__}: {exc})"
        ) from None
    return levels


def book_snapshot(data: Any) -> tuple[int, list[Level], list[Level]]:
    """A REST full order book's ``data`` (spot or futures) as ``(sequence, asks, bids)``."""
    if type(data) is not dict:
        raise MalformedMessage("the order book snapshot is not a JSON object")
    sequence = _sequence(data.get("sequence"), "sequence")
    return (
        sequence,
        _snapshot_rows(data.get("asks"), "asks"),
        _snapshot_rows(data.get("bids"), "bids"),
    )
