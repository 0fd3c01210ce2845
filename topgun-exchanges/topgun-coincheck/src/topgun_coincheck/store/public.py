"""``CoincheckDataStore``: Coincheck's public WebSocket (trades, order books) as DataStores.

Messages are JSON arrays (https://coincheck.com/documents/exchange/api#websocket): a list of
trades (``[[timestamp, id, pair, rate, amount, order_type, taker_id, maker_id], ...]``) or an
order-book update ``[pair, {...}]``. Order-book updates come in two shapes:

- ``[pair]-orderbook`` (documented, #websocket-order-book): ``{"bids": [[rate, amount]],
  "asks": [...], "last_update_at"}``, changed levels with absolute amounts ("0" removes). There is
  no sequence, so nothing can show a lost update: the book is trusted from its REST snapshot on.
- ``[pair]-limit-range-orderbook`` (undocumented; the reference library's source): ``{"upper":
  [...], "lower": [...], "sequence_number", "last_update_at"}`` whose rows ``{"rate",
  "ask_amount", "bid_amount"}`` set both sides at ``rate``. Its ``sequence_number`` orders the
  updates; whether it is consecutive is not known, so a gap cannot be detected, only stale
  updates (at or behind the book) dropped.

Every message is checked whole before a store changes; one that is neither (``MalformedMessage``)
is skipped whole, counted in ``store.skipped`` and logged (rate-limited, logger
``topgun.store.coincheck``).
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from typing import Any, ClassVar, Final

from yarl import URL

from topgun.plugin import (
    DataStore,
    DataStoreCollection,
    InitializeError,
    Item,
    Level,
    MalformedMessage,
    OrderBookStore,
    OrderRule,
    Recovery,
    SnapshotRequest,
)

__all__ = ["CoincheckDataStore", "OrderBook", "Trades"]

log = logging.getLogger("topgun.store.coincheck")

ORDER_BOOKS_URL: Final = "https://coincheck.com/api/order_books"
DEFAULT_PAIR: Final = "btc_jpy"
"""The pair ``/api/order_books`` answers for when none is asked (as the reference assumes)."""

_INF = math.inf
_TRADE_FIELDS = ("timestamp", "id", "pair", "rate", "amount", "side", "taker_id", "maker_id")
_LEGACY = 0
_RANGED = 1


# -- parsing (pure functions: a message in, levels out, nothing changed) --------------------------


def _price(value: Any) -> float:
    if type(value) is bool:
        raise TypeError("a boolean is not a rate")
    price = float(value)
    if not 0.0 < price < _INF:
        raise ValueError(f"rate {value!r} is not a positive finite number")
    return price


def _amount(value: Any) -> Any:
    """The amount as sent when it is above 0, 0 when it removes the level."""
    if type(value) is bool:
        raise TypeError("a boolean is not an amount")
    amount = float(value)
    if not 0.0 <= amount < _INF:
        raise ValueError(f"amount {value!r} is not a finite number >= 0")
    return value if amount else 0


def pair_levels(rows: Any, side: str) -> list[Level]:
    """``[[rate, amount], ...]`` (the documented diffs and the REST book) as Levels."""
    if type(rows) is not list:
        raise MalformedMessage(f"{side!r} is not a JSON array")
    try:
        return [(_price(row[0]), row[0], _amount(row[1])) for row in rows]
    except (IndexError, KeyError, TypeError, ValueError, OverflowError) as exc:
        raise MalformedMessage(f"a {side} row is malformed ({type(exc).__name__}: {exc})") from None


def range_levels(data: Item) -> tuple[list[Level], list[Level]]:
    """The ``upper`` and ``lower`` rows of a limit-range payload as (asks, bids) Levels.

    Each row sets the ask and the bid at its rate to ``ask_amount`` and ``bid_amount``; an
    amount of 0 removes that side's level, and a row without one of them leaves that side as it
    is (as the reference library reads them). The hot path: rows of three strings, as Coincheck
    sends them, are checked inline; anything else goes through the per-field checks.
    """
    asks: list[Level] = []
    bids: list[Level] = []
    add_ask = asks.append
    add_bid = bids.append
    for part in ("upper", "lower"):
        rows = data.get(part, [])
        if type(rows) is not list:
            raise MalformedMessage(f"{part!r} is not a JSON array")
        try:
            for row in rows:
                rate = row["rate"]
                ask = row.get("ask_amount")
                bid = row.get("bid_amount")
                if type(rate) is str and type(ask) is str and type(bid) is str:
                    price = float(rate)
                    ask_size = float(ask)
                    bid_size = float(bid)
                    if not (
                        0.0 < price < _INF and 0.0 <= ask_size < _INF and 0.0 <= bid_size < _INF
                    ):
                        raise ValueError(f"rate={rate!r} ask_amount={ask!r} bid_amount={bid!r}")
                    add_ask((price, rate, ask if ask_size else 0))
                    add_bid((price, rate, bid if bid_size else 0))
                    continue
                price = _price(rate)
                if ask is not None:
                    add_ask((price, rate, _amount(ask)))
                if bid is not None:
                    add_bid((price, rate, _amount(bid)))
        except (AttributeError, KeyError, TypeError, ValueError, OverflowError) as exc:
            raise MalformedMessage(
                f"a {part} row is malformed ({type(exc).__name__}: {exc})"
            ) from None
    return asks, bids


def sequence_number(value: Any) -> int:
    """``sequence_number`` as sent (a decimal string, or an integer) as an int."""
    if type(value) is int and value >= 0:
        return value
    if type(value) is str and value.isascii() and value.isdigit():
        return int(value)
    raise MalformedMessage(f"'sequence_number' is {value!r}, not a whole number")


def _present(levels: list[Level]) -> list[Level]:
    """A snapshot's levels: the last row of each rate wins, and an amount of 0 is no level."""
    last = {level[0]: level for level in levels}
    return [level for level in last.values() if level[2]]


# -- stores ---------------------------------------------------------------------------------------


class Trades(DataStore):
    """``[pair]-trades``: ``{"timestamp", "id", "pair", "rate", "amount", "side", "taker_id",
    "maker_id"}`` as sent, newest last (the last 99,999).
    https://coincheck.com/documents/exchange/api#websocket-trades"""

    _MAXLEN = 99_999

    def _on_trades(self, message: list[Any]) -> None:
        items: list[Item] = []
        for row in message:
            if type(row) is not list or len(row) < len(_TRADE_FIELDS):
                raise MalformedMessage(f"a trade is not an array of {len(_TRADE_FIELDS)} fields")
            items.append(dict(zip(_TRADE_FIELDS, row, strict=False)))
        self._insert(items)


class OrderBook(OrderBookStore):
    """Order books per pair: ``sorted({"pair": "btc_jpy"}, limit=N)``.

    Items: ``{"pair", "side" ("asks"/"bids"), "rate", "amount"}`` as sent. A pair's book is out
    of sync (served empty) until its REST snapshot (``initialize()`` with ``/api/order_books``,
    or fetched by the store itself ``book.recovery.grace`` seconds after the first update), and
    again after a reconnect.

    - Documented updates (no sequence) that arrive while the book waits for its snapshot are
      dropped: with no sequence, nothing tells which of them the snapshot already holds. From the
      snapshot on they apply as they come.
    - limit-range updates are buffered while the book waits; ``/api/order_books?version=1.0``
      (which carries ``sequence_number``) replaces the book, the buffered updates at or behind
      its sequence are dropped and the newer ones replayed. Later updates at or behind the book
      are dropped as stale, and so is a snapshot at or behind a book in sync.
    """

    _KEYS = ("pair", "side", "rate")
    _PRICE_KEY = "rate"
    _SIZE_KEY = "amount"
    _SEQUENCE = OrderRule()
    _RECOVERY = Recovery.REST

    def _init(self) -> None:
        self.last_update_at: Any = None
        """The ``last_update_at`` of the last update applied (or snapshot), as sent."""
        self._ranged: set[str] = set()
        self._snapshotting = False

    @property
    def initialized(self) -> defaultdict[str, bool]:
        """Per pair, whether its book is in sync (the reference library's per-pair flags;
        ``initialized["eth_jpy"]`` is False for a pair never seen)."""
        synced = {
            pair: True for pair in self._books if isinstance(pair, str) and self.in_sync(pair)
        }
        return defaultdict(bool, synced)

    # -- WebSocket updates ---------------------------------------------------------------

    def _on_update(self, pair: Any, data: Any, ws: Any) -> None:
        if type(pair) is not str or not pair:
            raise MalformedMessage(f"the pair is {pair!r}, not a string")
        if type(data) is not dict:
            raise MalformedMessage("the order-book update is not a JSON object")
        if "sequence_number" in data:
            seq = sequence_number(data["sequence_number"])
            asks, bids = range_levels(data)
            self._ranged.add(pair)
            applied = self._diff(pair, (_RANGED, asks, bids), last=seq, ws=ws)
        else:
            asks = pair_levels(data.get("asks", []), "asks")
            bids = pair_levels(data.get("bids", []), "bids")
            applied = self._diff(pair, (_LEGACY, asks, bids), ws=ws)
        if applied and "last_update_at" in data:
            self.last_update_at = data["last_update_at"]

    def _apply_diff(self, key: Any, diff: Any) -> None:
        kind, asks, bids = diff
        if kind == _LEGACY and self._snapshotting:
            self.stats.unsynced_dropped += 1  # received before the snapshot: not replayed
            return
        self._apply_levels(key, asks, bids)

    # -- REST snapshots ------------------------------------------------------------------

    def _onresponse(self, data: Any, url: URL) -> None:
        """``/api/order_books`` (optionally ``?version=1.0``): a snapshot of its pair."""
        if type(data) is not dict:
            raise InitializeError(f"Coincheck {url.path}: the reply is not a JSON object")
        pair = url.query.get("pair") or data.get("pair") or DEFAULT_PAIR
        try:
            if "sequence_number" in data:
                seq: int | None = sequence_number(data["sequence_number"])
                asks, bids = range_levels(data)
                asks, bids = _present(asks), _present(bids)
                self._ranged.add(pair)
            else:
                seq = None
                asks = _present(pair_levels(data.get("asks", []), "asks"))
                bids = _present(pair_levels(data.get("bids", []), "bids"))
        except MalformedMessage as exc:
            raise InitializeError(f"Coincheck {url.path}: {exc}") from None
        book_seq = self._book_seq(pair)
        if seq is not None and self.in_sync(pair) and book_seq is not None and book_seq > seq:
            self.stats.stale_dropped += 1
            log.info(
                "Coincheck order book %r: a snapshot at sequence %d is behind the book (%d); "
                "kept the book",
                pair,
                seq,
                book_seq,
            )
            return
        self._snapshotting = True
        try:
            self._snapshot(pair, (asks, bids), seq=seq)
        finally:
            self._snapshotting = False
        if "last_update_at" in data:
            self.last_update_at = data["last_update_at"]

    def _snapshot_request(self, key: Any, ws_url: URL) -> SnapshotRequest:
        params = {"pair": key}
        if key in self._ranged:
            params["version"] = "1.0"
        return SnapshotRequest(ORDER_BOOKS_URL, params)

    def _onreconnect(self) -> None:
        super()._onreconnect()
        self._ranged.clear()


class CoincheckDataStore(DataStoreCollection):
    """Coincheck's public WebSocket channels as DataStores; pass ``onmessage`` as ``hdlr_json``.

    ``initialize()`` takes ``/api/order_books`` responses (with ``pair``; add
    ``version=1.0`` for the books fed by ``[pair]-limit-range-orderbook``).
    Docs: https://coincheck.com/documents/exchange/api#websocket
    """

    _LOGGER = log
    _ENDPOINTS: ClassVar[dict[str, str]] = {"/api/order_books": "orderbook"}

    def _init(self) -> None:
        self._trades = self._create("trades", datastore_class=Trades)
        self._orderbook = self._create("orderbook", datastore_class=OrderBook)

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        if type(msg) is list and msg:
            first = msg[0]
            if type(first) is list:
                self._trades._on_trades(msg)
                return
            if type(first) is str and len(msg) == 2:
                self._orderbook._on_update(first, msg[1], ws)
                return
        raise MalformedMessage(f"neither trades nor an order-book update: {str(msg)[:80]}")

    @property
    def trades(self) -> Trades:
        """Public trades (``[pair]-trades``)."""
        return self._trades

    @property
    def orderbook(self) -> OrderBook:
        """Order books (``[pair]-orderbook`` and ``[pair]-limit-range-orderbook``)."""
        return self._orderbook
