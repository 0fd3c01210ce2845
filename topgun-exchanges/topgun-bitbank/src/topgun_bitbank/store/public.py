"""``bitbankDataStore``: bitbank's public Socket.IO stream (trades, depth, ticker) as DataStores.

https://github.com/bitbankinc/bitbank-api-docs/blob/master/public-stream.md: every message is a
Socket.IO text frame ``42["message",{"room_name": ..., "message": {"data": {...}}}]``. The
collection's ``onmessage`` takes those frames as they arrive (pass it as ``hdlr_str``), or the
JSON after the ``42`` already decoded; Engine.IO control frames (the handshake ``0{...}``, the
namespace connect ``40``, the pong ``3``) carry no data and are passed over. Rooms are routed by
name: ``transactions_{pair}``, ``depth_whole_{pair}``, ``depth_diff_{pair}``, ``ticker_{pair}``
and ``circuit_break_info_{pair}``.

Every message is checked whole before a store changes; one that is not in the documented shape
is skipped whole (``MalformedMessage``: counted in ``store.skipped`` and logged, rate-limited,
on the ``topgun.store.bitbank`` logger).
"""

from __future__ import annotations

import logging
import math
from collections import deque
from typing import Any, Final, NamedTuple

import orjson

from topgun.plugin import (
    DataStore,
    DataStoreCollection,
    Level,
    MalformedMessage,
    OrderBookStore,
    OrderRule,
    Recovery,
)

__all__ = ["CircuitBreakInfo", "Depth", "Ticker", "Transactions", "bitbankDataStore"]

log = logging.getLogger("topgun.store.bitbank")

_INF = math.inf
_loads = orjson.loads

DIFF_BUFFER: Final = 8_000
"""Diffs kept per pair for the replay onto a late ``depth_whole`` (as many as the reference)."""

TOTALS: Final = {
    "ao": "asks_over",
    "bu": "bids_under",
    "au": "asks_under",
    "bo": "bids_over",
    "am": "ask_market",
    "bm": "bid_market",
}
"""``depth_diff`` field -> the ``depth_whole`` field it updates (the out-of-range quantities)."""


# -- parsing (pure functions: a message in, values out, nothing changed) ------------------------


def sequence_id(value: Any, field: str) -> int:
    """``s`` / ``sequenceId`` as an int: the docs send a decimal string (also taken: an int)."""
    if type(value) is str and value.isascii() and value.isdigit():
        return int(value)
    if type(value) is int and value >= 0:
        return value
    raise MalformedMessage(f"{field!r} is {value!r}, not a sequence id")


def levels(rows: Any, field: str) -> list[Level]:
    """``[[price, amount], ...]`` (decimal strings) as Levels; amount "0" removes the level.

    Prices must be positive and amounts finite and >= 0 (NaN, infinities and booleans are
    neither); the price and amount are kept as sent.
    """
    if type(rows) is not list:
        raise MalformedMessage(f"{field!r} is not a JSON array")
    out: list[Level] = []
    add = out.append
    try:
        for row in rows:
            if type(row) is not list or len(row) != 2:
                raise TypeError(f"{row!r:.40} is not [price, amount]")
            price, amount = row
            if type(price) is not str or type(amount) is not str:
                raise TypeError(f"[{price!r}, {amount!r}] is not two decimal strings")
            rank = float(price)
            size = float(amount)
            if not (0.0 < rank < _INF and 0.0 <= size < _INF):
                raise ValueError(f"[{price!r}, {amount!r}] is not a price and an amount")
            add((rank, price, amount if size else 0))
    except (TypeError, ValueError) as exc:
        raise MalformedMessage(f"a {field!r} row is malformed ({exc})") from None
    return out


_NO_TOTALS: Final[dict[str, Any]] = {}


class DepthDiff(NamedTuple):
    """One parsed ``depth_diff``: what the book applies now, or when replayed onto a whole."""

    s: int
    asks: list[Level]
    bids: list[Level]
    t: Any
    totals: dict[str, Any]


def parse_diff(data: Any) -> DepthDiff:
    if type(data) is not dict:
        raise MalformedMessage("the depth_diff data is not a JSON object")
    s = sequence_id(data.get("s"), "s")
    asks = levels(data.get("a", []), "a")
    bids = levels(data.get("b", []), "b")
    # a, b, t and s are always there; the out-of-range quantities only when they changed
    totals = (
        {name: data[short] for short, name in TOTALS.items() if short in data}
        if len(data) > 4
        else _NO_TOTALS
    )
    return DepthDiff(s, asks, bids, data.get("t"), totals)


def parse_whole(data: Any) -> tuple[int, list[Level], list[Level], dict[str, Any]]:
    """``(sequenceId, asks, bids, the other fields as sent)`` of a ``depth_whole``."""
    if type(data) is not dict:
        raise MalformedMessage("the depth_whole data is not a JSON object")
    seq = sequence_id(data.get("sequenceId"), "sequenceId")
    asks = [level for level in levels(data.get("asks"), "asks") if level[2]]
    bids = [level for level in levels(data.get("bids"), "bids") if level[2]]
    rest = {k: v for k, v in data.items() if k not in ("asks", "bids", "sequenceId")}
    return seq, asks, bids, rest


# -- stores ---------------------------------------------------------------------------------------


class Transactions(DataStore):
    """``transactions_{pair}``: ``{"pair", "transaction_id", "side", "price", "amount",
    "executed_at"}``, in the message's order, the last 99,999.
    https://github.com/bitbankinc/bitbank-api-docs/blob/master/public-stream.md#transactions"""

    _MAXLEN = 99_999

    def _on_data(self, pair: str, data: Any) -> None:
        rows = data.get("transactions") if type(data) is dict else None
        if type(rows) is not list or any(type(row) is not dict for row in rows):
            raise MalformedMessage("'transactions' is not a list of objects")
        self._insert([{"pair": pair, **row} for row in rows])


class _LatestPerPair(DataStore):
    """The latest message of a room per ``pair``, its fields as sent."""

    _KEYS = ("pair",)

    def _on_data(self, pair: str, data: Any) -> None:
        if type(data) is not dict:
            raise MalformedMessage(f"the {self.name} data is not a JSON object")
        self._insert([{"pair": pair, **data}])


class Ticker(_LatestPerPair):
    """``ticker_{pair}``: the latest ticker per ``pair``, its fields as sent.
    https://github.com/bitbankinc/bitbank-api-docs/blob/master/public-stream.md#ticker"""


class CircuitBreakInfo(_LatestPerPair):
    """``circuit_break_info_{pair}``: the latest circuit-break state per ``pair`` (``mode``,
    ``fee_type``, the itayose and trigger prices ...), as sent (not in the reference library).
    https://github.com/bitbankinc/bitbank-api-docs/blob/master/public-stream.md#circuit-break-info"""


class Depth(OrderBookStore):
    """Order books per pair: ``sorted({"pair": "btc_jpy"}, limit=N)``.

    Items: ``{"pair", "side" ("asks"/"bids"), "price", "amount"}``, price and amount as sent.
    The integrity rule is bitbank's ("How to manage a local order book correctly",
    https://github.com/bitbankinc/bitbank-api-docs/blob/master/public-stream.md#how-to-manage-a-local-order-book-correctly):

    - ``s`` increases monotonically but is not always consecutive, so a lost diff cannot be
      detected; a diff at or behind the book's sequence is stale and ignored.
    - Every ``depth_whole`` heals the book: it replaces the pair's book, and since it may be sent
      after newer diffs, the buffered diffs with ``s`` above its ``sequenceId`` are replayed onto
      it in ascending ``s``; the older ones are forgotten. Diffs are buffered whether or not the
      book is in sync (the last 8,000 per pair). A whole behind what was forgotten (an earlier
      whole's ``sequenceId``, or a diff pushed out of a full buffer) is skipped as stale: its
      replay would miss diffs.
    - A pair's book is out of sync (served empty) until its first ``depth_whole``, and again
      after a reconnect, until the next one; bitbank sends wholes by itself (recovery: none).

    ``timestamp`` is the last applied message's ``timestamp``/``t``. ``totals[pair]`` holds the
    quantities outside the book's range, as sent: the whole's ``asks_over``, ``bids_under``,
    ``asks_under``, ``bids_over``, ``ask_market``, ``bid_market`` (and ``timestamp``), updated
    by the diffs' ``ao``, ``bu``, ``au``, ``bo``, ``am``, ``bm``. In circuit-break modes asks and
    bids may cross (the docs say so); the book keeps them as sent.
    """

    _KEYS = ("pair", "side", "price")
    _PRICE_KEY = "price"
    _SIZE_KEY = "amount"
    _SEQUENCE = OrderRule()
    _RECOVERY = Recovery.NONE

    def _init(self) -> None:
        self.timestamp: Any = None
        """The ``timestamp`` (whole) or ``t`` (diff) of the last message applied."""
        self.totals: dict[str, dict[str, Any]] = {}
        """Per pair, the out-of-range quantities as sent (see the class docs)."""
        self._diffs: dict[str, deque[DepthDiff]] = {}
        self._floor: dict[str, int] = {}  # diffs at or below it were forgotten

    def _on_diff(self, pair: str, data: Any, ws: Any) -> None:
        diff = parse_diff(data)
        buffer = self._diffs.get(pair)
        if buffer is None:
            buffer = self._diffs[pair] = deque()
        if not buffer or diff.s > buffer[-1].s:  # s never rewinds: anything else was seen
            if len(buffer) >= DIFF_BUFFER:
                self._floor[pair] = buffer.popleft().s
            buffer.append(diff)
        if self._diff(pair, diff, last=diff.s, ws=ws):
            self._took(pair, diff)

    def _on_whole(self, pair: str, data: Any, ws: Any) -> None:
        seq, asks, bids, rest = parse_whole(data)
        floor = self._floor.get(pair)
        if floor is not None and seq < floor:
            self.stats.stale_dropped += 1
            self._limit().warning(
                ("whole-behind-buffer", pair),
                "bitbank depth %r: a depth_whole at %d is older than what the book already "
                "dropped (%d: an earlier whole, or a full diff buffer); skipped, the next "
                "whole heals the book",
                pair,
                seq,
                floor,
            )
            return
        buffer = self._diffs.get(pair)
        replay = [diff for diff in buffer if diff.s > seq] if buffer else []
        self._diffs[pair] = deque(replay)
        self._floor[pair] = seq if floor is None else max(floor, seq)  # forgotten up to here
        last = replay[-1].s if replay else seq
        if self._snapshot(pair, (asks, bids, replay), seq=last, ws=ws):
            self.totals[pair] = rest
            self.timestamp = rest.get("timestamp")
            for diff in replay:
                self._took(pair, diff)

    def _apply_snapshot(self, key: Any, snapshot: Any) -> None:
        asks, bids, replay = snapshot
        self._replace_book(key, asks, bids)
        for diff in replay:
            self._apply_levels(key, diff.asks, diff.bids)

    def _apply_diff(self, key: Any, diff: Any) -> None:
        self._apply_levels(key, diff.asks, diff.bids)

    def _took(self, pair: str, diff: DepthDiff) -> None:
        self.timestamp = diff.t
        if diff.totals:
            totals = self.totals.get(pair)
            if totals is not None:
                totals.update(diff.totals)

    def _onreconnect(self) -> None:
        super()._onreconnect()
        self._diffs.clear()
        self._floor.clear()
        self.totals.clear()


_ROOMS: Final = (
    ("depth_whole_", "whole"),
    ("transactions_", "transactions"),
    ("ticker_", "ticker"),
    ("circuit_break_info_", "circuit_break_info"),
)


class bitbankDataStore(DataStoreCollection):
    """bitbank's public stream as DataStores; pass ``onmessage`` as ``hdlr_str``::

        store = topgun.bitbankDataStore()
        client.ws_connect(
            "wss://stream.bitbank.cc/socket.io/?EIO=3&transport=websocket",
            send_str=[join_room(f"{room}_btc_jpy") for room in ("depth_whole", "depth_diff")],
            hdlr_str=store.onmessage,
        )

    Stores: ``transactions``, ``depth``, ``ticker`` (as the reference library) and
    ``circuit_break_info``. There is no ``initialize()`` endpoint: the stream brings every book.
    Docs: https://github.com/bitbankinc/bitbank-api-docs/blob/master/public-stream.md
    """

    _LOGGER = log

    def _init(self) -> None:
        self._transactions = self._create("transactions", datastore_class=Transactions)
        self._depth = self._create("depth", datastore_class=Depth)
        self._ticker = self._create("ticker", datastore_class=Ticker)
        self._circuit_break_info = self._create(
            "circuit_break_info", datastore_class=CircuitBreakInfo
        )

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        if type(msg) is str:
            if not msg.startswith("42"):
                if msg.startswith("44"):  # CONNECT_ERROR: the namespace refused the client
                    self._limiter.warning(
                        ("connect-error",), "bitbank stream: the server refused: %.200s", msg
                    )
                return  # Engine.IO/Socket.IO control frames: handshake, "40", pong "3"
            try:
                event = _loads(msg[2:])
            except orjson.JSONDecodeError:
                raise MalformedMessage(f"a 42 frame that is not JSON: {msg[:80]!r}") from None
        else:
            event = msg
        if type(event) is not list or len(event) != 2 or type(event[1]) is not dict:
            raise MalformedMessage("not a Socket.IO event [name, {...}]")
        if event[0] != "message":
            self._limiter.warning(
                ("event", str(event[0])[:40]),
                "bitbank stream: event %.40r is not handled; its frames are ignored",
                event[0],
            )
            return
        body = event[1]
        room = body.get("room_name")
        message = body.get("message")
        if type(room) is not str or type(message) is not dict or "data" not in message:
            raise MalformedMessage("a message without 'room_name' and 'message.data'")
        data = message["data"]
        if room.startswith("depth_diff_") and len(room) > 11:  # the hot path: most messages
            try:
                self._depth._on_diff(room[11:], data, ws)
            except MalformedMessage as exc:
                raise MalformedMessage(f"{room}: {exc}") from None
            return
        for prefix, kind in _ROOMS:
            if room.startswith(prefix) and len(room) > len(prefix):
                pair = room[len(prefix) :]
                try:
                    self._route(kind, pair, data, ws)
                except MalformedMessage as exc:
                    raise MalformedMessage(f"{room}: {exc}") from None
                return
        self._no_store_for("room", room)

    def _route(self, kind: str, pair: str, data: Any, ws: Any) -> None:
        if kind == "whole":
            self._depth._on_whole(pair, data, ws)
        elif kind == "transactions":
            self._transactions._on_data(pair, data)
        elif kind == "ticker":
            self._ticker._on_data(pair, data)
        else:
            self._circuit_break_info._on_data(pair, data)

    @property
    def transactions(self) -> Transactions:
        """Public trades (``transactions_{pair}``)."""
        return self._transactions

    @property
    def depth(self) -> Depth:
        """Order books (``depth_whole_{pair}`` and ``depth_diff_{pair}``)."""
        return self._depth

    @property
    def ticker(self) -> Ticker:
        """Tickers (``ticker_{pair}``)."""
        return self._ticker

    @property
    def circuit_break_info(self) -> CircuitBreakInfo:
        """Circuit-break states (``circuit_break_info_{pair}``)."""
        return self._circuit_break_info
