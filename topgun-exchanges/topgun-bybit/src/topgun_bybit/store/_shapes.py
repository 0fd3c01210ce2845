"""Shape checks shared by the Bybit stores: a message is checked whole before any store changes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from topgun.plugin import DataStore, Item, MalformedMessage

__all__ = ["MalformedMessage", "TopicStore", "object_list", "one_object"]


class TopicStore(DataStore):
    """A store fed by one family of topics (every ``publicTrade.*``, every ``order*``, ...)."""

    def _on_topic(self, data: Any, tail: list[str]) -> None:
        """Apply a push message's ``data``; ``tail`` is the topic's segments after the first.
        Raises MalformedMessage, changing nothing, when ``data`` is not of the documented shape."""
        raise NotImplementedError


def _check_fields(item: Item, what: str, required: Iterable[str]) -> None:
    for field in required:
        value = item.get(field)
        if value is None or isinstance(value, (dict, list)):
            raise MalformedMessage(f"{what} has no usable {field!r}")


def object_list(value: Any, what: str, required: Iterable[str] = ()) -> list[Item]:
    """``value`` as a list of JSON objects, each holding a scalar for every ``required`` field."""
    if type(value) is not list:
        raise MalformedMessage(f"{what} is not a JSON array")
    required = tuple(required)
    for item in value:
        if type(item) is not dict:
            raise MalformedMessage(f"an element of {what} is not a JSON object")
        _check_fields(item, f"an element of {what}", required)
    return value


def one_object(value: Any, what: str, required: Iterable[str] = ()) -> Item:
    """``value`` as one JSON object holding a scalar for every ``required`` field."""
    if type(value) is not dict:
        raise MalformedMessage(f"{what} is not a JSON object")
    _check_fields(value, what, tuple(required))
    return value
