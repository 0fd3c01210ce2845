"""Validate first, then apply: the checks a store runs on a whole message before changing data.

A message is either applied whole or skipped whole. A store handler reads the message into
plain values, raising ``MalformedMessage`` at the first thing that is not what the exchange
documents, and only then touches its stores; ``DataStoreCollection.onmessage`` counts the skipped
message (``collection.skipped``) and logs it. ``topgun.testing.storefuzz`` checks the promise.

Numbers here are JSON numbers: ``bool`` is not one (``True == 1`` in Python), and neither are
NaN and the infinities (orjson never makes them, but stores also take data built in Python).
"""

from __future__ import annotations

from typing import Any

__all__ = ["is_number", "is_price", "is_size"]


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
