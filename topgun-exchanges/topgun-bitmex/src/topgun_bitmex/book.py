"""BitMEX ``orderBookL2`` rows, validated whole before the book sees any of them.

Row shapes (https://www.bitmex.com/app/wsAPI, "orderBookL2"; price on every row since July 2023,
https://blog.bitmex.com/site_announcement/potentially-breaking-api-update-to-id-generation-on-websocket-orderbook-feeds):
``{"symbol", "id", "side": "Sell"|"Buy", "size", "price", "timestamp"}``; a ``delete`` row has
no ``size``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from topgun.plugin import Item, MalformedMessage

__all__ = ["BookRow", "book_rows"]

_NUMBERS = (int, float)
_INF = float("inf")


class BookRow(NamedTuple):
    """One level row: the row itself (stored as the level item) and its checked fields."""

    item: Item
    id: int
    side: str
    price: float


def book_rows(table: str, action: str, data: list[Any]) -> list[BookRow]:
    """The rows of one book message, or MalformedMessage for the first one that is not a level.

    Ids are integers, sides ``Sell``/``Buy``, prices finite numbers > 0, sizes (not on a
    ``delete``) finite numbers > 0; within a ``partial`` no id and no price of a side repeats.
    """
    sized = action != "delete"
    rows: list[BookRow] = []
    append = rows.append
    for item in data:
        try:
            ident = item["id"]
            side = item["side"]
            price = item["price"]
            size = item["size"] if sized else 1
            symbol = item["symbol"]
        except (KeyError, TypeError, IndexError):
            raise MalformedMessage(
                f"{table}: a {action} row is not an object with symbol, id, side, price"
                + (", size" if sized else "")
            ) from None
        if (
            type(ident) is not int
            or type(symbol) is not str
            or (side != "Sell" and side != "Buy")
            or type(price) not in _NUMBERS
            or not 0 < price < _INF
            or type(size) not in _NUMBERS
            or not 0 < size < _INF
        ):
            raise MalformedMessage(
                f"{table}: a {action} row has id {ident!r}, symbol {symbol!r}, side {side!r}, "
                f"price {price!r}, size {size!r}"
            )
        append(BookRow(item, ident, side, float(price)))
    if action == "partial":
        ids = {(row.item["symbol"], row.id) for row in rows}
        levels = {(row.item["symbol"], row.side, row.price) for row in rows}
        if len(ids) != len(rows) or len(levels) != len(rows):
            raise MalformedMessage(f"{table}: a partial repeats a level id or price")
    return rows
