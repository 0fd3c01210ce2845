"""Shape checks for OKX v5 push messages, so a bad message is refused whole, before any store changes.

Pushes look like ``{"arg": {"channel": ..., "instId": ...}, "data": [...]}`` (order books add
``"action"``); https://www.okx.com/docs-v5/en/#overview-websocket-push-data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from yarl import URL

from topgun.plugin import InitializeError, Item, json_objects
from topgun.plugin import MalformedMessage as CoreMalformedMessage

__all__ = ["MalformedMessage", "objects", "response_data"]


class MalformedMessage(CoreMalformedMessage):
    """An OKX message that does not have the documented shape; it is skipped whole."""


def objects(data: Any, what: str, required: Iterable[str] = ()) -> list[Item]:
    """``data`` as a list of JSON objects that all carry the ``required`` fields as strings
    (OKX's ids, instruments and currencies are strings)."""
    return json_objects(data, f"{what}: 'data'", required, strings=True)


def response_data(body: Any, url: URL, required: Iterable[str] = ()) -> list[Item]:
    """The ``data`` list of a REST answer ``{"code": "0", "msg": "", "data": [...]}``.

    OKX reports failures with a non-zero ``code`` (often under HTTP 200); such an answer is an
    InitializeError naming the code and message, and nothing is applied.
    """
    if type(body) is not dict:
        raise InitializeError(f"{url.path}: the response is not a JSON object")
    code = body.get("code")
    if str(code) != "0":
        raise InitializeError(
            f"{url.path}: OKX answered code {code!r}: {str(body.get('msg'))[:200]} "
            "(nothing was applied)"
        )
    try:
        return objects(body.get("data"), url.path, required)
    except CoreMalformedMessage as exc:
        raise InitializeError(str(exc)) from None
