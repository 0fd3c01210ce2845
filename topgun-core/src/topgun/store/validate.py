"""Validate first, then apply: the checks a store runs on a whole message before changing data.

A message is either applied whole or skipped whole. A store handler reads the message into
plain values, raising ``MalformedMessage`` at the first thing that is not what the exchange
documents, and only then touches its stores; ``DataStoreCollection.onmessage`` counts the skipped
message (``collection.skipped``) and logs it. ``topgun.testing.storefuzz`` checks the promise.

Numbers here are JSON numbers: ``bool`` is not one (``True == 1`` in Python), and neither are
NaN and the infinities (orjson never makes them, but stores also take data built in Python).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import MalformedMessage

__all__ = ["is_number", "is_price", "is_size", "json_objects"]


def is_number(value: Any) -> bool:
    """A finite int or float, not a bool."""
    kind = type(value)
    return (kind is int or kind is float) and value - value == 0


def is_size(value: Any) -> bool:
    """A quantity: a finite number >= 0."""
    return is_number(value) and value >= 0


def is_price(value: Any) -> bool:
    """A price: a finite number > 0."""
    return is_number(value) and value > 0


def json_objects(
    value: Any, what: str, required: Iterable[str] = (), *, strings: bool = False
) -> list[dict[str, Any]]:
    """``value`` as a JSON array of objects that each hold every ``required`` field (as a
    string when ``strings``: ids and symbols many exchanges write as strings).

    Raises ``MalformedMessage`` naming ``what`` (e.g. ``"orders: 'data'"``) otherwise, so a
    handler checks a whole list before it stores any element of it.
    """
    if type(value) is not list:
        raise MalformedMessage(f"{what} is not a JSON array")
    for item in value:
        if type(item) is not dict:
            raise MalformedMessage(f"{what} holds an element that is not a JSON object")
        for field in required:
            if (type(item.get(field)) is not str) if strings else (field not in item):
                kind = "a string " if strings else ""
                raise MalformedMessage(f"{what} holds an element without {kind}{field!r}")
    return value
