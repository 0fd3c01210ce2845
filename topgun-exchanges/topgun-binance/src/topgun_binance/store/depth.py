"""Parsing Binance depth data into order-book levels, checked whole before anything changes.

A ``depthUpdate`` event (spot
https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams#diff-depth-stream,
futures …/websocket-market-streams/Diff-Book-Depth-Streams) holds ``b`` and ``a``, arrays of
``[price, quantity]`` strings; a quantity is absolute and 0 removes the level. A REST depth
snapshot (``/api/v3/depth``, ``/fapi/v1/depth``, ``/dapi/v1/depth``) holds ``lastUpdateId``,
``bids`` and ``asks`` in the same row shape. Prices must be finite and positive, quantities
finite and not negative; booleans are neither.
"""

from __future__ import annotations

from typing import Any

from topgun.plugin import Level

from ._messages import MalformedMessage

__all__ = ["DepthDiff", "depth_diff", "depth_levels", "depth_snapshot"]

_INF = float("inf")

DepthDiff = tuple[str, int, int, int, list[Level], list[Level]]
"""``(symbol, U, u, pu, ask levels, bid levels)``; ``pu`` is -1 where the event has none."""


def depth_levels(rows: Any) -> list[Level]:
    """``[[price, quantity], ...]`` as levels ``(price, price as sent, quantity or None)``.

    The quantity is kept as sent (a string, as the reference library's items hold it); a zero
    quantity becomes None, which removes the level.
    """
    if type(rows) is not list:
        raise MalformedMessage("a depth side is not a JSON array")
    levels: list[Level] = []
    append = levels.append
    try:
        for value, quantity in rows:
            price = float(value)
            size = float(quantity)
            if not (0.0 < price < _INF and 0.0 <= size < _INF) or (
                type(value) is bool or type(quantity) is bool
            ):
                raise MalformedMessage(f"bad depth row [{value!r}, {quantity!r}]")
            append((price, value, quantity if size else None))
    except (TypeError, ValueError) as exc:
        if isinstance(exc, MalformedMessage):
            raise
        raise MalformedMessage(f"a depth row is malformed ({type(exc).__name__}: {exc})") from None
    return levels


def _update_id(value: Any, name: str) -> int:
    if type(value) is not int:
        raise MalformedMessage(f"depth update id {name}={value!r} is not an integer")
    return value


def depth_diff(event: Any) -> DepthDiff:
    """A ``depthUpdate`` event, checked whole."""
    if type(event) is not dict:
        raise MalformedMessage("a depthUpdate event is not a JSON object")
    symbol = event.get("s")
    if type(symbol) is not str or not symbol:
        raise MalformedMessage(f"a depthUpdate event has symbol {symbol!r}")
    first = _update_id(event.get("U"), "U")
    final = _update_id(event.get("u"), "u")
    if first > final:
        raise MalformedMessage(f"a depthUpdate event has U={first} > u={final}")
    previous = event.get("pu", -1)
    previous = _update_id(previous, "pu")
    return (
        symbol,
        first,
        final,
        previous,
        depth_levels(event.get("a")),
        depth_levels(event.get("b")),
    )


def depth_snapshot(data: Any) -> tuple[int, list[Level], list[Level]]:
    """A REST depth snapshot as ``(lastUpdateId, ask levels, bid levels)``, checked whole."""
    if type(data) is not dict:
        raise MalformedMessage("the depth snapshot is not a JSON object")
    last = _update_id(data.get("lastUpdateId"), "lastUpdateId")
    return last, depth_levels(data.get("asks")), depth_levels(data.get("bids"))
