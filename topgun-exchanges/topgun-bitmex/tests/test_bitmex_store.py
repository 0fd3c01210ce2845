"""BitMEXDataStore: tables from partials, the verified orderBookL2, and the fuzz and book kits.

Message shapes follow https://www.bitmex.com/app/wsAPI ("Subscriptions", table messages with
``table``/``action``/``keys``/``filter``/``data``) and, for ``orderBookL2`` rows (price on every
insert, update and delete since 2023),
https://blog.bitmex.com/site_announcement/potentially-breaking-api-update-to-id-generation-on-websocket-orderbook-feeds
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import topgun
from topgun.testing import (
    BookAdapter,
    Change,
    ModelBook,
    assert_store_fuzz,
    build_registry,
    check_offline,
    check_recovery,
)
from topgun_bitmex import BitMEXDataStore, plugin

KEY = "bitmex-test-key"
SECRET = "bitmex-test-secret"
TS = "2023-05-19T08:51:43.911Z"


def book_partial(symbol: str = "XBTUSD", table: str = "orderBookL2") -> dict[str, Any]:
    return {
        "table": table,
        "action": "partial",
        "keys": ["symbol", "id", "side"],
        "types": {"symbol": "symbol", "id": "long", "side": "symbol", "size": "long"},
        "foreignKeys": {"symbol": "instrument", "side": "side"},
        "attributes": {"symbol": "parted", "id": "sorted"},
        "filter": {"symbol": symbol},
        "data": [
            {"symbol": symbol, "id": 8798309700, "side": "Sell", "size": 1200, "price": 26903,
             "timestamp": TS},
            {"symbol": symbol, "id": 8798309800, "side": "Buy", "size": 32800, "price": 26902,
             "timestamp": TS},
            {"symbol": symbol, "id": 8798309900, "side": "Buy", "size": 500, "price": 26901.5,
             "timestamp": TS},
        ],
    }  # fmt: skip


def book(action: str, *rows: dict[str, Any], table: str = "orderBookL2") -> dict[str, Any]:
    return {"table": table, "action": action, "data": [dict(row) for row in rows]}


INSERT = {"symbol": "XBTUSD", "id": 8798309600, "side": "Sell", "size": 700, "price": 26904,
          "timestamp": TS}  # fmt: skip
UPDATE = {"symbol": "XBTUSD", "id": 8798309800, "side": "Buy", "size": 42800, "price": 26902,
          "timestamp": TS}  # fmt: skip
DELETE = {"symbol": "XBTUSD", "id": 8798309900, "side": "Buy", "price": 26901.5, "timestamp": TS}
UNKNOWN = {"symbol": "XBTUSD", "id": 1, "side": "Sell", "size": 1, "price": 26950, "timestamp": TS}

TRADE_PARTIAL: dict[str, Any] = {
    "table": "trade",
    "action": "partial",
    "keys": [],
    "filter": {"symbol": "XBTUSD"},
    "data": [{"timestamp": TS, "symbol": "XBTUSD", "side": "Buy", "size": 100, "price": 26902,
              "tickDirection": "ZeroPlusTick", "trdMatchID": "a1", "grossValue": 371700,
              "homeNotional": 0.003717, "foreignNotional": 100}],
}  # fmt: skip
TRADE_INSERT: dict[str, Any] = {
    "table": "trade",
    "action": "insert",
    "data": [{"timestamp": TS, "symbol": "XBTUSD", "side": "Sell", "size": 200, "price": 26901,
              "tickDirection": "MinusTick", "trdMatchID": "a2", "grossValue": 743600,
              "homeNotional": 0.007436, "foreignNotional": 200}],
}  # fmt: skip
INSTRUMENT_PARTIAL = {
    "table": "instrument",
    "action": "partial",
    "keys": ["symbol"],
    "data": [{"symbol": "XBTUSD", "state": "Open", "lastPrice": 26902, "fundingRate": 0.0001}],
}
INSTRUMENT_UPDATE = {
    "table": "instrument",
    "action": "update",
    "data": [{"symbol": "XBTUSD", "lastPrice": 26905, "timestamp": TS}],
}
ORDER_PARTIAL = {
    "table": "order",
    "action": "partial",
    "keys": ["orderID"],
    "filter": {"account": 12345},
    "data": [{"orderID": "o-1", "account": 12345, "symbol": "XBTUSD", "side": "Buy",
              "orderQty": 100, "price": 26000, "ordStatus": "New", "leavesQty": 100}],
}  # fmt: skip
ORDER_INSERT = {
    "table": "order",
    "action": "insert",
    "data": [{"orderID": "o-2", "account": 12345, "symbol": "XBTUSD", "side": "Sell",
              "orderQty": 50, "price": 27000, "ordStatus": "New", "leavesQty": 50}],
}  # fmt: skip
ORDER_FILLED = {
    "table": "order",
    "action": "update",
    "data": [{"orderID": "o-1", "account": 12345, "ordStatus": "Filled", "leavesQty": 0}],
}
POSITION_PARTIAL = {
    "table": "position",
    "action": "partial",
    "keys": ["account", "symbol"],
    "filter": {"account": 12345},
    "data": [{"account": 12345, "symbol": "XBTUSD", "currentQty": 100, "avgEntryPrice": 26900}],
}


def feed(store: BitMEXDataStore, *messages: Any) -> None:
    for message in messages:
        store.onmessage(copy.deepcopy(message))


def levels(store: BitMEXDataStore, symbol: str = "XBTUSD") -> dict[str, list[tuple[Any, Any]]]:
    result = store.orderbook.sorted({"symbol": symbol})
    return {side: [(i["price"], i["size"]) for i in items] for side, items in result.items()}


# -- the order book -------------------------------------------------------------------------------


def test_partial_insert_update_delete_as_documented() -> None:
    store = BitMEXDataStore()
    feed(store, book_partial())
    assert store.orderbook.in_sync("XBTUSD")
    assert levels(store) == {"Sell": [(26903, 1200)], "Buy": [(26902, 32800), (26901.5, 500)]}
    feed(store, book("insert", INSERT), book("update", UPDATE), book("delete", DELETE))
    assert levels(store) == {"Sell": [(26903, 1200), (26904, 700)], "Buy": [(26902, 42800)]}
    # Items are BitMEX's rows, as pybotters kept them.
    best = store.orderbook.sorted({"symbol": "XBTUSD"}, limit=1)["Buy"][0]
    assert best == {**UPDATE}
    assert store.orderbook.stats.gaps == 0 and store.skipped == 0


def test_orderbook_l2_25_shares_the_store_and_is_resubscribed_under_its_own_name() -> None:
    store = BitMEXDataStore()
    feed(store, book_partial("ETHUSD", table="orderBookL2_25"))
    assert levels(store, "ETHUSD")["Buy"] == [(26902, 32800), (26901.5, 500)]
    assert store.orderbook._resubscribe("ETHUSD") == [
        {"op": "unsubscribe", "args": ["orderBookL2_25:ETHUSD"]},
        {"op": "subscribe", "args": ["orderBookL2_25:ETHUSD"]},
    ]


def test_a_partial_replaces_the_book() -> None:
    """pybotters inserted a partial without clearing: levels gone meanwhile stayed forever."""
    store = BitMEXDataStore()
    feed(store, book_partial(), book("insert", INSERT))
    fresh = book_partial()
    fresh["data"] = fresh["data"][:1]
    feed(store, fresh)
    assert levels(store) == {"Sell": [(26903, 1200)], "Buy": []}


def test_nothing_is_served_before_the_first_partial() -> None:
    store = BitMEXDataStore()
    feed(store, book("insert", INSERT), book("update", UPDATE))
    assert "XBTUSD" in store.orderbook.out_of_sync
    assert levels(store) == {"Sell": [], "Buy": []} and len(store.orderbook) == 0
    assert store.orderbook.stats.unsynced_dropped == 2
    feed(store, book_partial())
    assert store.orderbook.in_sync("XBTUSD")


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (book("update", UNKNOWN), "update of id 1, which the book does not hold"),
        (book("delete", UNKNOWN), "delete of id 1, which the book does not hold"),
        (book("insert", {**UPDATE, "price": 26000}), "a delete was lost"),
        (book("insert", {**INSERT, "price": 26903}), "held by id 8798309700"),
        (book("update", {**UPDATE, "price": 26800}), "held at 26902"),
    ],
)
def test_a_row_the_book_cannot_hold_means_a_lost_message(message: Any, reason: str) -> None:
    store = BitMEXDataStore()
    feed(store, book_partial(), message)
    ob = store.orderbook
    assert "XBTUSD" in ob.out_of_sync and reason in str(ob.out_of_sync_reason("XBTUSD"))
    assert levels(store) == {"Sell": [], "Buy": []}
    assert store.skipped == 0  # well-formed: the book is wrong, not the message
    feed(store, book_partial())
    assert ob.in_sync("XBTUSD") and ob.stats.recovered == 1


def test_repeats_change_nothing() -> None:
    store = BitMEXDataStore()
    feed(store, book_partial())
    for message in (book("insert", INSERT), book("delete", DELETE)):
        feed(store, message, message)
    assert store.orderbook.in_sync("XBTUSD")
    assert levels(store) == {"Sell": [(26903, 1200), (26904, 700)], "Buy": [(26902, 32800)]}


def test_other_symbols_stay_in_sync() -> None:
    store = BitMEXDataStore()
    feed(store, book_partial("XBTUSD"), book_partial("ETHUSD"), book("update", UNKNOWN))
    assert store.orderbook.out_of_sync == {"XBTUSD"}
    assert levels(store, "ETHUSD")["Sell"] == [(26903, 1200)]


def test_malformed_book_rows_are_skipped_whole() -> None:
    store = BitMEXDataStore()
    feed(store, book_partial())
    bad = [
        book("insert", INSERT, {**INSERT, "id": 2, "price": True}),
        book("update", UPDATE, {**UPDATE, "size": float("nan")}),
        book("insert", INSERT, {**INSERT, "id": "x"}),
        book("delete", DELETE, {**DELETE, "side": "Middle"}),
        {"table": "orderBookL2", "action": "insert", "data": {"not": "a list"}},
        {"table": "orderBookL2", "action": "replace", "data": []},
    ]
    feed(store, *bad)
    assert store.skipped == len(bad)
    assert levels(store) == {"Sell": [(26903, 1200)], "Buy": [(26902, 32800), (26901.5, 500)]}
    assert store.orderbook.in_sync("XBTUSD")


# -- the other tables ------------------------------------------------------------------------------


def test_keys_come_from_the_partial_and_updates_merge() -> None:
    store = BitMEXDataStore()
    feed(store, INSTRUMENT_PARTIAL, INSTRUMENT_UPDATE)
    assert store.instrument.keys == ("symbol",)
    assert store.instrument.get({"symbol": "XBTUSD"}) == {
        "symbol": "XBTUSD",
        "state": "Open",
        "lastPrice": 26905,
        "fundingRate": 0.0001,
        "timestamp": TS,
    }


def test_table_data_before_its_partial_is_not_served() -> None:
    store = BitMEXDataStore()
    feed(store, TRADE_INSERT)
    assert len(store.trade) == 0
    feed(store, TRADE_PARTIAL, TRADE_INSERT)
    assert [t["trdMatchID"] for t in store.trade] == ["a1", "a2"]
    assert store.trade.keys == () and store.trade.maxlen == 99_999


def test_a_filtered_partial_replaces_only_its_rows() -> None:
    store = BitMEXDataStore()
    eth = copy.deepcopy(TRADE_PARTIAL)
    eth["filter"] = {"symbol": "ETHUSD"}
    eth["data"][0].update(symbol="ETHUSD", trdMatchID="e1")
    feed(store, TRADE_PARTIAL, TRADE_INSERT, eth)
    assert [t["trdMatchID"] for t in store.trade] == ["a1", "a2", "e1"]
    feed(store, TRADE_PARTIAL)  # XBTUSD again: its rows are replaced, ETHUSD's kept
    assert sorted(t["trdMatchID"] for t in store.trade) == ["a1", "e1"]
    other = copy.deepcopy(TRADE_INSERT)
    other["data"][0].update(symbol="SOLUSD", trdMatchID="s1")
    feed(store, other)  # no partial covers SOLUSD
    assert "s1" not in [t["trdMatchID"] for t in store.trade]


def test_filled_and_canceled_orders_are_removed() -> None:
    store = BitMEXDataStore()
    feed(store, ORDER_PARTIAL, ORDER_INSERT)
    assert [o["orderID"] for o in store.order] == ["o-1", "o-2"]
    feed(store, ORDER_FILLED)
    assert [o["orderID"] for o in store.order] == ["o-2"]
    feed(store, {"table": "order", "action": "update",
                 "data": [{"orderID": "o-2", "ordStatus": "Canceled"}]})  # fmt: skip
    assert len(store.order) == 0


def test_an_unlisted_table_is_created_by_its_partial() -> None:
    store = BitMEXDataStore()
    feed(store, {"table": "announcement", "action": "partial", "keys": ["id"],
                 "data": [{"id": 1, "title": "hello"}]})  # fmt: skip
    assert store["announcement"].get({"id": 1}) == {"id": 1, "title": "hello"}


def test_replies_and_errors_are_not_table_data(caplog: pytest.LogCaptureFixture) -> None:
    store = BitMEXDataStore()
    caplog.set_level(logging.WARNING, "topgun.store.bitmex")
    feed(
        store,
        {"info": "Welcome to the BitMEX Realtime API.", "version": "x", "limit": {}},
        {"success": True, "subscribe": "trade:XBTUSD", "request": {}},
        {"status": 400, "error": "Unknown table: nope", "meta": {}, "request": {}},
    )
    assert store.skipped == 0 and "Unknown table: nope" in caplog.text


def test_reconnect_unsyncs_books_and_hints_initialize(caplog: pytest.LogCaptureFixture) -> None:
    store = BitMEXDataStore()
    feed(store, book_partial(), ORDER_PARTIAL)
    caplog.set_level(logging.INFO)
    store.on_ws_reconnect(None)
    assert store.orderbook.out_of_sync == {"XBTUSD"} and len(store.orderbook) == 0
    assert "order, margin, position and wallet may have missed updates" in caplog.text
    feed(store, ORDER_INSERT)  # before the new partial: not applied
    assert [o["orderID"] for o in store.order] == ["o-1"]


def test_fuzz() -> None:
    samples = [
        book_partial(),
        book("insert", INSERT),
        book("update", UPDATE),
        book("delete", DELETE),
        TRADE_PARTIAL,
        TRADE_INSERT,
        INSTRUMENT_PARTIAL,
        INSTRUMENT_UPDATE,
        ORDER_PARTIAL,
        ORDER_INSERT,
        ORDER_FILLED,
        POSITION_PARTIAL,
    ]
    assert_store_fuzz(BitMEXDataStore, samples)


# -- the verified-book kit ---------------------------------------------------------------------


class BitMEXBook(BookAdapter):
    """orderBookL2 for XBTUSD. Each kit diff becomes BitMEX's insert, update and delete
    messages (one action per message), sent as one JSON array that the store takes in order;
    level ids are derived from the price, as BitMEX assigns one id per level."""

    key = "XBTUSD"
    ws_url = "wss://ws.bitmex.com/realtime"

    def __init__(self) -> None:
        self.known: dict[str, set[float]] = {"Sell": set(), "Buy": set()}

    def new_store(self) -> BitMEXDataStore:
        return BitMEXDataStore()

    def book(self, store: Any) -> Any:
        return store.orderbook

    @staticmethod
    def row(side: str, price: float, size: float | None = None) -> dict[str, Any]:
        row: dict[str, Any] = {"symbol": "XBTUSD", "id": int(price * 2) * 2 + (side == "Buy"),
                               "side": side, "price": price, "timestamp": TS}  # fmt: skip
        if size is not None:
            row["size"] = size
        return row

    def snapshot(self, model: ModelBook) -> Any:
        self.known = {"Sell": set(model.asks), "Buy": set(model.bids)}
        rows = [self.row("Sell", p, s) for p, s in model.asks.items()]
        rows += [self.row("Buy", p, s) for p, s in model.bids.items()]
        return {"table": "orderBookL2", "action": "partial", "keys": ["symbol", "id", "side"],
                "filter": {"symbol": "XBTUSD"}, "data": rows}  # fmt: skip

    def diff(self, model: ModelBook, asks: Change, bids: Change) -> Any:
        actions: dict[str, list[dict[str, Any]]] = {"insert": [], "update": [], "delete": []}
        for side, rows in (("Sell", asks), ("Buy", bids)):
            known = self.known[side]
            for price, size in rows:
                if not size:
                    if price in known:  # (an insert and delete in one kit diff: nothing)
                        actions["delete"].append(self.row(side, price))
                        known.discard(price)
                else:
                    actions["update" if price in known else "insert"].append(
                        self.row(side, price, size)
                    )
                    known.add(price)
        return [book(action, *rows) for action, rows in actions.items() if rows]

    def subscribe(self) -> list[Any]:
        return [{"op": "subscribe", "args": ["orderBookL2:XBTUSD"]}]

    def answer(self, message: Any, model: ModelBook) -> list[Any]:
        if isinstance(message, dict) and message.get("op") == "subscribe":
            return [{"success": True, "subscribe": "orderBookL2:XBTUSD"}, self.snapshot(model)]
        return []


def test_book_kit() -> None:
    check_offline(BitMEXBook())


async def test_book_kit_recovery() -> None:
    await check_recovery(BitMEXBook())


# -- end to end through client.ws_connect ------------------------------------------------------


async def test_end_to_end_login_tables_and_book_recovery(realtime: Any, eventually: Any) -> None:
    """Logged in on the local ws.bitmex.com: the private order table and the book; an update of
    an id the book never held puts it out of sync, and the store re-requests exactly that topic
    (unsubscribe + subscribe), whose fresh partial brings it back."""
    server = realtime.server
    server.partials["orderBookL2:XBTUSD"] = lambda: [book_partial()]
    server.partials["order"] = lambda: [ORDER_PARTIAL]
    store = BitMEXDataStore()
    store.orderbook.recovery = store.orderbook.recovery.__class__(grace=0.05, timeout=2.0)
    registry = build_registry([plugin], strict=True)
    async with topgun.Client(
        apis={"bitmex": [KEY, SECRET]}, registry=registry, **realtime.client_kwargs()
    ) as client:
        app = client.ws_connect(
            "wss://ws.bitmex.com/realtime",
            send_json={"op": "subscribe", "args": ["orderBookL2:XBTUSD", "order"]},
            hdlr_json=store.onmessage,
        )
        await app.ready()
        await store.orderbook.wait_synced("XBTUSD", timeout=5)
        await eventually(lambda: len(store.order) == 1)
        conn = realtime.connections[-1]
        await conn.send(book("update", UPDATE))
        await eventually(lambda: levels(store)["Buy"][:1] == [(26902, 42800)])
        await conn.send(book("update", UNKNOWN))
        await eventually(lambda: server.unsubscribed == ["orderBookL2:XBTUSD"])
        await store.orderbook.wait_synced("XBTUSD", timeout=5)
        assert levels(store)["Buy"][:1] == [(26902, 32800)]  # the fresh partial's
        assert store.orderbook.stats.resyncs >= 1 and store.orderbook.stats.recovered == 1
    assert server.logins == [True]
    assert [m["args"] for m in conn.received if m.get("op") == "subscribe"] == [
        ["orderBookL2:XBTUSD", "order"],
        ["orderBookL2:XBTUSD"],
    ]


# -- properties against a naive model ------------------------------------------------------------

_op = st.tuples(
    st.sampled_from(["Sell", "Buy"]),
    st.integers(min_value=1, max_value=12),  # a price slot per side
    st.integers(min_value=0, max_value=3),  # 0: delete the level, else its new size
    st.booleans(),  # lost on the way
)


@settings(max_examples=80, deadline=None)
@given(ops=st.lists(_op, max_size=40))
def test_property_book_follows_the_model_until_a_loss_shows(ops: list[Any]) -> None:
    """Levels are inserted, updated and deleted at random, some messages lost. While no message
    was lost the book equals the model; a lost insert whose level is later updated or deleted
    puts the book out of sync at that message, and then nothing is served."""
    store = BitMEXDataStore()
    model: dict[tuple[str, float], int] = {}
    seen: dict[tuple[str, float], int] = {}  # what the store was told
    told_deleted: set[tuple[str, float]] = set()  # levels the store was told were deleted
    feed(store, {"table": "orderBookL2", "action": "partial", "keys": ["symbol", "id", "side"],
                 "filter": {"symbol": "XBTUSD"}, "data": []})  # fmt: skip
    lost = False
    for side, slot, size, dropped in ops:
        price = 100.0 + slot if side == "Sell" else 100.0 - slot
        row = {"symbol": "XBTUSD", "id": int(price) * 2 + (side == "Buy"), "side": side,
               "price": price}  # fmt: skip
        level = (side, price)
        if size == 0:
            if level not in model:
                continue
            del model[level]
            action = "delete"
        else:
            action = "update" if level in model else "insert"
            model[level] = row["size"] = size
        if dropped:
            lost = True
            continue
        told_insert = level in seen
        # A delete of an id the store saw deleted reads as a resent delete (a lost re-insert and
        # its delete cancel out, so the book is right either way): not a loss the store can see.
        repeated_delete = action == "delete" and level in told_deleted
        if action == "delete":
            seen.pop(level, None)
            told_deleted.add(level)
        else:
            seen[level] = size
            told_deleted.discard(level)
        feed(store, book(action, row))
        if action != "insert" and not told_insert and not repeated_delete:
            assert "XBTUSD" in store.orderbook.out_of_sync
        if "XBTUSD" in store.orderbook.out_of_sync:
            assert lost and len(store.orderbook) == 0
            return
        if not lost:
            served = store.orderbook.sorted({"symbol": "XBTUSD"})
            have = {(i["side"], i["price"]): i["size"] for s in served.values() for i in s}
            assert have == model
