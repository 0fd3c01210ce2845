"""BitMEX ``orderBookL2`` rows, validated whole before the book sees any of them.

Row shapes (https://www.bitmex.com/app/wsAPI, "orderBookL2"; price on every row since July 2023,
https://blog.bitmex.com/site_announcement/potentially-breaking-api-update-to-id-generation-on-websocket-orderbook-feeds):
``{"symbol", "id", "side": "Sell"|"Buy", "size", "price", "timestamp"}``; a ``delete`` row has
no ``size``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from topgun.store import Item, MalformedMessage, is_price

__all__ = ["BookRow", "book_rows"]

_SIDES = ("Sell", "Buy")


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
    for item in data:
        if type(item) is not dict:
            raise MalformedMessage(f"{table}: a row is not a JSON object")
        ident = item.get("id")
        side = item.get("side")
        price = item.get("price")
        if type(item.get("symbol")) is not str:
            raise MalformedMessage(f"{table}: a row has symbol {item.get('symbol')!r}")
        if type(ident) is not int:
            raise MalformedMessage(f"{table}: a row has id {ident!r}")
        if type(side) is not str or side not in _SIDES:
            raise MalformedMessage(f"{table}: a row has side {side!r}")
        if not is_price(price):
            raise MalformedMessage(f"{table}: a row has price {price!r}")
        if sized and not is_price(item.get("size")):
            raise MalformedMessage(f"{table}: a {action} row has size {item.get('size')!r}")
        rows.append(BookRow(item, ident, side, float(item["price"])))
    if action == "partial":
        ids = {(row.item["symbol"], row.id) for row in rows}
        levels = {(row.item["symbol"], row.side, row.price) for row in rows}
        if len(ids) != len(rows) or len(levels) != len(rows):
            raise MalformedMessage(f"{table}: a partial repeats a level id or price")
    return rows
