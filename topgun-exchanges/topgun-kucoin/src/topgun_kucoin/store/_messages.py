"""Shape checks shared by the KuCoin stores: a message is checked whole before any store changes.

KuCoin's WebSocket pushes ``{"topic", "type": "message", "subject", "data"}``
(https://www.kucoin.com/docs-new/websocket-api/base-info/introduction); the checks here cover what
a store indexes or computes with, every other field is stored as sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from yarl import URL

from topgun.plugin import InitializeError, Item, query_param
from topgun.plugin import MalformedMessage as CoreMalformedMessage

__all__ = [
    "MalformedMessage",
    "objects",
    "query_param",
    "record",
    "response_data",
    "symbol_of",
]


class MalformedMessage(CoreMalformedMessage):
    """A KuCoin message without the documented shape; it is skipped whole and logged."""


def record(value: Any, what: str, required: Iterable[str] = ()) -> Item:
    """``value`` as a JSON object holding every ``required`` field (raises MalformedMessage)."""
    if type(value) is not dict:
        raise MalformedMessage(f"{what} is not a JSON object")
    for field in required:
        if field not in value:
            raise MalformedMessage(f"{what} has no {field!r}")
    return value


def objects(value: Any, what: str, required: Iterable[str] = ()) -> list[Item]:
    """``value`` as a JSON array of objects, each holding every ``required`` field."""
    if type(value) is not list:
        raise MalformedMessage(f"{what} is not a JSON array")
    fields = tuple(required)
    for element in value:
        record(element, f"an element of {what}", fields)
    return value


def symbol_of(topic: str) -> str:
    """The part of a topic after its last ``:`` (``/market/ticker:BTC-USDT`` -> ``BTC-USDT``).

    As the reference library does, a topic without ``:`` gives itself.
    """
    return topic.rpartition(":")[2]


def response_data(body: Any, url: URL) -> Any:
    """The ``data`` of a KuCoin REST body ``{"code": "200000", "data": ...}``.

    Any other ``code`` is KuCoin refusing the request (it may answer HTTP 200 for that), so
    nothing is applied: InitializeError names the code and message.
    """
    if type(body) is not dict:
        raise InitializeError(f"{url.path}: the response is not a JSON object")
    code = body.get("code")
    if code != "200000":
        raise InitializeError(
            f"{url.path}: KuCoin answered code {code!r} ({str(body.get('msg'))[:200]!r}); "
            "nothing was applied"
        )
    if "data" not in body:
        raise InitializeError(f"{url.path}: the response has no 'data'")
    return body["data"]
