"""Shape checks shared by the Binance stores: a message is checked whole before any store changes.

Binance's stream payloads are flat JSON objects with one-letter field names
(https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams). The checks here
only cover what a store indexes or computes with; every other field is stored as sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from yarl import URL

from topgun.plugin import InitializeError, Item, MalformedMessage, query_param

__all__ = [
    "MalformedMessage",
    "objects",
    "query_param",
    "record",
    "response_list",
    "response_object",
    "sub_record",
]


def record(event: Any, what: str, required: Iterable[str] = (), *, scalars: bool = True) -> Item:
    """``event`` as a JSON object holding every ``required`` field (raises MalformedMessage).

    With ``scalars`` (stream messages), each required field must be a string or an integer:
    they are keys and statuses, which the stores index and compare.
    """
    if type(event) is not dict:
        raise MalformedMessage(f"{what} is not a JSON object")
    for field in required:
        if field not in event:
            raise MalformedMessage(f"{what} has no {field!r}")
        if scalars:
            kind = type(event[field])
            if kind is not str and kind is not int:
                raise MalformedMessage(f"{what} has {field}={event[field]!r}")
    return event


def sub_record(event: Item, field: str, what: str, required: Iterable[str] = ()) -> Item:
    """The JSON object at ``event[field]`` (the ``k`` of a kline, the ``o`` of an order)."""
    return record(event.get(field), f"{what}.{field}", required)


def objects(
    value: Any, what: str, required: Iterable[str] = (), *, scalars: bool = True
) -> list[Item]:
    """``value`` as a JSON array of objects, each holding every ``required`` field."""
    if type(value) is not list:
        raise MalformedMessage(f"{what} is not a JSON array")
    fields = tuple(required)
    for element in value:
        record(element, f"an element of {what}", fields, scalars=scalars)
    return value


def response_list(data: Any, url: URL, required: Iterable[str] = ()) -> list[Item]:
    """An ``initialize()`` body that must be an array of objects (InitializeError otherwise)."""
    try:
        return objects(data, f"the response of {url.path}", required, scalars=False)
    except MalformedMessage as exc:
        raise InitializeError(str(exc)) from None


def response_object(data: Any, url: URL, required: Iterable[str] = ()) -> Item:
    """An ``initialize()`` body that must be one object (InitializeError otherwise)."""
    try:
        return record(data, f"the response of {url.path}", required, scalars=False)
    except MalformedMessage as exc:
        raise InitializeError(str(exc)) from None
