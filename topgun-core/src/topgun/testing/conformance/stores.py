"""DataStore checks: each resolves through ``topgun.<Name>`` and shrugs off bad messages."""

from __future__ import annotations

import math
from typing import Any, Final

import topgun

from ...registry import Registry
from ..storefuzz import _snapshot

__all__ = ["BAD_MESSAGES", "check_datastore"]

BAD_MESSAGES: Final[tuple[Any, ...]] = (
    None,
    0,
    -1,
    math.nan,
    "",
    "not a message",
    [],
    [None],
    [[]],
    {},
    {"data": None},
    {"data": "x"},
    {"data": [None, 1, "x"]},
    {"topic": "no.such.topic", "data": [{"x": 1}]},
    {"channel": "no_such_channel", "data": {"x": 1}},
    {"arg": {"channel": "no-such-channel"}, "data": [{"x": 1}]},
    {"table": "noSuchTable", "action": "insert", "data": [{"x": 1}]},
    {"type": "no_such_type", "subject": "x", "data": {}},
    {"e": "noSuchEvent", "E": 1, "s": "BTCUSDT"},
    {"method": "channelMessage", "params": {"channel": "no_such_channel", "message": {}}},
    {"stream": "nosuchstream@x", "data": {"e": "noSuchEvent"}},
    {"event": "error", "code": "60012", "msg": "unknown"},
    {"op": "pong"},
    {"id": 1, "result": None},
)
"""Malformed messages and messages of channels no exchange has, in the shapes exchanges use."""


def check_datastore(registry: Registry, name: str) -> None:
    cls = registry.datastores[name]
    assert getattr(topgun, name) is cls, f"topgun.{name} is not the plugin's {cls.__qualname__}"
    collection = cls()
    before = _snapshot(collection)
    for message in BAD_MESSAGES:
        collection.onmessage(message)
    assert collection.handler_errors == 0, f"{name}: a handler failed on a bad message"
    assert _snapshot(collection) == before, f"{name}: a bad or unknown message changed a store"
