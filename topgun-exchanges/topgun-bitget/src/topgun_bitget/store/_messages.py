"""Shape checks for Bitget push messages and REST answers, so a bad one is refused whole.

Pushes look like ``{"action": "snapshot" | "update", "arg": {"instType", "channel", "instId"},
"data": [...], "ts": ...}`` (https://www.bitget.com/api-doc/common/websocket-intro); REST answers
like ``{"code": "00000", "msg": "success", "data": ...}``
(https://www.bitget.com/api-doc/common/intro).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from yarl import URL

from topgun.plugin import InitializeError, Item, MalformedMessage, json_objects

__all__ = ["MalformedMessage", "arrays", "objects", "response_data", "text"]


def objects(data: Any, what: str, required: Iterable[str] = ()) -> list[Item]:
    """``data`` as a list of JSON objects that all carry the ``required`` fields as strings
    (ids, symbols, statuses: Bitget writes them all as strings)."""
    return json_objects(data, f"{what}: 'data'", required, strings=True)


def arrays(data: Any, what: str, length: int) -> list[list[Any]]:
    """``data`` as a list of JSON arrays of at least ``length`` elements whose first one (the
    timestamp, a key) is a string: candles, V1 trades."""
    if type(data) is not list:
        raise MalformedMessage(f"{what}: 'data' is not a JSON array")
    for row in data:
        if type(row) is not list or len(row) < length or type(row[0]) is not str:
            raise MalformedMessage(
                f"{what}: a row is not an array of {length} or more values, timestamp first"
            )
    return data


def text(arg: Item, field: str, what: str) -> str:
    """A string field of ``arg`` (instId, instType), refusing anything else."""
    value = arg.get(field)
    if type(value) is not str or not value:
        raise MalformedMessage(f"{what}: 'arg' has no {field!r}")
    return value


def response_data(body: Any, url: URL) -> Any:
    """The ``data`` of a REST answer; a non-zero ``code`` is an InitializeError, nothing applied.

    Bitget's success code is ``"00000"`` (any all-zero code, or 0, is accepted as success).
    """
    if type(body) is not dict:
        raise InitializeError(f"{url.path}: the response is not a JSON object")
    code = body.get("code", "0")
    if not (type(code) in (str, int) and str(code).strip("0") == ""):
        raise InitializeError(
            f"{url.path}: Bitget answered code {code!r}: {str(body.get('msg'))[:200]} "
            "(nothing was applied)"
        )
    return body.get("data")
