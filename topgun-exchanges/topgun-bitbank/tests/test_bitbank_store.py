"""``bitbankDataStore``: the public stream's messages in the shapes of bitbank's docs.

https://github.com/bitbankinc/bitbank-api-docs/blob/master/public-stream.md: the wscat samples
of Ticker, Transactions, Depth Diff, Depth Whole and Circuit Break Info (frames
``42["message",{"room_name": ..., "message": {"data": ...}}]``), and "How to manage a local order
book correctly" (buffer the diffs; a whole replaces the book and the buffered diffs with ``s``
above its ``sequenceId`` are applied in ascending ``s``; the docs' example: diffs 3, 5, 6, 8 then
whole 5 gives the whole + 6 + 8).
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import topgun
from topgun.testing import (
    BookAdapter,
    Change,
    ModelBook,
    WebSocketExchange,
    assert_store_fuzz,
    check_offline,
    check_recovery,
    eventually,
)
from topgun_bitbank import STREAM_URL, bitbankDataStore, join_room

DOCS = "https://github.com/bitbankinc/bitbank-api-docs/blob/master/public-stream.md"

# The wscat samples, verbatim frames.
TICKER = (
    '42["message",{"room_name":"ticker_btc_jpy","message":{"pid":851203833,"data":{"sell":"896490",'
    '"buy":"896489","open":"896489","high":"905002","low":"881500","last":"896489",'
    '"vol":"650.2026","timestamp":1570080042822}}}]'
)
TRANSACTIONS = (
    '42["message",{"room_name":"transactions_xrp_jpy","message":{"pid":851205254,"data":'
    '{"transactions":[{"transaction_id":34745047,"side":"sell","price":"26.930",'
    '"amount":"4703.5671","executed_at":1570080162855},{"transaction_id":34745046,"side":"sell",'
    '"price":"26.930","amount":"500.0000","executed_at":1570080162829}]}}}]'
)
DIFF_1 = (
    '42["message",{"room_name":"depth_diff_xrp_jpy","message":{"data":{"a":[],'
    '"b":[["26.758","20000.0000"],["26.212","0"]],"t":1570080269609,"s":"1234567890"}}}]'
)
DIFF_2 = (
    '42["message",{"room_name":"depth_diff_xrp_jpy","message":{"data":{"a":[],'
    '"b":[["26.212","1000.0000"],["26.815","0"]],"t":1570080270100,"s":"1234567893"}}}]'
)
CIRCUIT_BREAK = (
    '42["message",{"room_name":"circuit_break_info_xrp_jpy","message":{"data":{"mode":"NONE",'
    '"estimated_itayose_price":null,"estimated_itayose_amount":null,"itayose_upper_price":null,'
    '"itayose_lower_price":null,"upper_trigger_price":"1200000","lower_trigger_price":"800000",'
    '"fee_type":"NORMAL","reopen_timestamp":null,"timestamp":1570080162855}}}]'
)


def frame(room: str, data: Any) -> str:
    return "42" + orjson.dumps(["message", {"room_name": room, "message": {"data": data}}]).decode()


def whole(seq: int | str, asks: list[list[str]], bids: list[list[str]], **more: Any) -> str:
    """A ``depth_whole`` in the docs' "Response format" shape."""
    data = {
        "bids": bids,
        "asks": asks,
        "asks_over": "0.123",
        "bids_under": "0.123",
        "asks_under": "0",
        "bids_over": "0",
        "ask_market": "0",
        "bid_market": "0",
        "timestamp": 1568344476514,
        "sequenceId": str(seq),
        **more,
    }
    return frame("depth_whole_xrp_jpy", data)


def diff(s: int, a: list[list[str]] = (), b: list[list[str]] = (), **more: Any) -> str:  # type: ignore[assignment]
    return frame(
        "depth_diff_xrp_jpy",
        {"a": list(a), "b": list(b), "t": 1570080269609 + s, "s": str(s), **more},
    )


def book(store: bitbankDataStore, pair: str = "xrp_jpy") -> tuple[list[Any], list[Any]]:
    result = store.depth.sorted({"pair": pair})
    return (
        [(i["price"], i["amount"]) for i in result["asks"]],
        [(i["price"], i["amount"]) for i in result["bids"]],
    )


def test_ticker_and_transactions_as_the_docs_send_them() -> None:
    store = bitbankDataStore()
    store.onmessage(TICKER)
    store.onmessage(TRANSACTIONS)
    assert store.ticker.find() == [
        {
            "pair": "btc_jpy",
            "sell": "896490",
            "buy": "896489",
            "open": "896489",
            "high": "905002",
            "low": "881500",
            "last": "896489",
            "vol": "650.2026",
            "timestamp": 1570080042822,
        }
    ]
    assert [t["transaction_id"] for t in store.transactions.find()] == [34745047, 34745046]
    assert store.transactions.find()[0] == {
        "pair": "xrp_jpy",
        "transaction_id": 34745047,
        "side": "sell",
        "price": "26.930",
        "amount": "4703.5671",
        "executed_at": 1570080162855,
    }
    assert store.skipped == 0


def test_circuit_break_fields_are_kept_as_sent() -> None:
    store = bitbankDataStore()
    store.onmessage(CIRCUIT_BREAK)
    item = store.circuit_break_info.get({"pair": "xrp_jpy"})
    assert item is not None
    assert item["mode"] == "NONE" and item["estimated_itayose_price"] is None
    assert item["upper_trigger_price"] == "1200000" and item["fee_type"] == "NORMAL"
    # The whole's out-of-range quantities, then a diff's ao/bm (docs: Depth Diff fields).
    store.onmessage(whole(10, [["27.0", "1"]], [["26.0", "1"]]))
    store.onmessage(diff(11, a=[["27.1", "2"]], ao="5.5", bm="0.25"))
    assert store.depth.totals["xrp_jpy"]["asks_over"] == "5.5"
    assert store.depth.totals["xrp_jpy"]["bid_market"] == "0.25"
    assert store.depth.totals["xrp_jpy"]["bids_under"] == "0.123"


def test_the_docs_samples_build_a_book_after_the_first_whole() -> None:
    store = bitbankDataStore()
    store.onmessage(DIFF_1)
    assert "xrp_jpy" in store.depth.out_of_sync  # no whole yet: nothing served
    assert book(store) == ([], [])
    store.onmessage(whole("1234567889", [["27.538", "7233.6837"]], [["26.212", "5"]]))
    # The whole at ...889, then the buffered diff ...890 replayed: 26.212 removed, 26.758 set.
    assert book(store) == ([("27.538", "7233.6837")], [("26.758", "20000.0000")])
    store.onmessage(DIFF_2)
    assert book(store) == (
        [("27.538", "7233.6837")],
        [("26.758", "20000.0000"), ("26.212", "1000.0000")],
    )
    assert store.depth.timestamp == 1570080270100
    assert store.depth.in_sync("xrp_jpy")


def test_the_docs_replay_example() -> None:
    """diff{3}, diff{5}, diff{6}, diff{8}, whole{5}: the whole, then 6 and 8; 3 and 5 ignored."""
    store = bitbankDataStore()
    store.onmessage(diff(3, a=[["30", "3"]]))
    store.onmessage(diff(5, a=[["31", "5"]]))
    store.onmessage(diff(6, a=[["32", "6"]]))
    store.onmessage(diff(8, a=[["30", "0"], ["33", "8"]]))
    store.onmessage(whole(5, [["30", "1"], ["31", "1"]], [["20", "1"]]))
    assert book(store) == ([("31", "1"), ("32", "6"), ("33", "8")], [("20", "1")])
    assert store.depth._book_seq("xrp_jpy") == 8


def test_a_late_whole_heals_a_book_in_sync_and_keeps_the_newer_diffs() -> None:
    store = bitbankDataStore()
    store.onmessage(whole(100, [["30", "1"]], [["20", "1"]]))
    store.onmessage(diff(104, b=[["21", "2"]]))
    store.onmessage(diff(107, a=[["29", "7"]]))
    # Level 40 is beyond the ~200 levels the diffs cover: only a whole brings it.
    store.onmessage(whole(104, [["30", "1"], ["40", "4"]], [["21", "2"], ["20", "1"]]))
    assert book(store) == ([("29", "7"), ("30", "1"), ("40", "4")], [("21", "2"), ("20", "1")])
    assert store.depth.in_sync("xrp_jpy")
    # A whole behind one already taken would replay onto forgotten diffs: skipped.
    store.onmessage(whole(101, [["50", "1"]], [["10", "1"]]))
    assert book(store) == ([("29", "7"), ("30", "1"), ("40", "4")], [("21", "2"), ("20", "1")])
    assert store.depth.stats.stale_dropped >= 1


def test_stale_and_repeated_diffs_are_ignored() -> None:
    store = bitbankDataStore()
    store.onmessage(whole(10, [["30", "1"]], [["20", "1"]]))
    store.onmessage(diff(12, a=[["30", "2"]]))
    store.onmessage(diff(12, a=[["30", "9"]]))  # the same s again
    store.onmessage(diff(11, a=[["30", "8"]]))  # behind the book
    assert book(store) == ([("30", "2")], [("20", "1")])
    assert store.depth.stats.stale_dropped == 2


def test_a_reconnect_puts_the_books_out_of_sync_until_a_whole(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = bitbankDataStore()
    store.onmessage(whole(10, [["30", "1"]], [["20", "1"]]))
    with caplog.at_level(logging.WARNING, "topgun.store"):
        store.on_ws_reconnect(None)
    assert "xrp_jpy" in store.depth.out_of_sync
    assert book(store) == ([], [])
    assert "reconnect" in caplog.text
    store.onmessage(diff(12, a=[["31", "1"]]))
    assert book(store) == ([], [])
    store.onmessage(whole(11, [["30", "2"]], [["20", "1"]]))
    assert book(store) == ([("30", "2"), ("31", "1")], [("20", "1")])


@pytest.mark.parametrize(
    "message",
    [
        whole(10, [["30", "1"]], [["20", "x"]]),
        whole("ten", [["30", "1"]], [["20", "1"]]),
        diff(11, a=[["NaN", "1"]]),
        diff(11, a=[["30", "Infinity"]]),
        diff(11, a=[["-30", "1"]]),
        frame("depth_diff_xrp_jpy", {"a": [[30, "1"]], "b": [], "t": 1, "s": "11"}),
        diff(11, a=[["30", "1", "2"]]),
        frame("depth_diff_xrp_jpy", {"a": [], "b": [], "t": 1}),
        frame("ticker_btc_jpy", ["not", "an", "object"]),
        frame("transactions_btc_jpy", {"transactions": [1]}),
        '42["message",{"room_name":"ticker_btc_jpy"}]',
        "42not json",
        '42["message"]',
    ],
)
def test_malformed_messages_are_skipped_whole(message: str) -> None:
    store = bitbankDataStore()
    store.onmessage(whole(10, [["30", "1"]], [["20", "1"]]))
    before = book(store)
    store.onmessage(message)
    assert store.skipped == 1
    assert book(store) == before
    assert store.depth._book_seq("xrp_jpy") == 10


def test_control_frames_and_unknown_rooms_are_passed_over(caplog: pytest.LogCaptureFixture) -> None:
    store = bitbankDataStore()
    with caplog.at_level(logging.WARNING, "topgun.store.bitbank"):
        for message in ('0{"sid":"x","pingInterval":25000}', "40", "3", '40{"sid":"y"}'):
            store.onmessage(message)
        store.onmessage(frame("candles_btc_jpy", {"x": 1}))
        store.onmessage('42["error",{"reason":"nope"}]')
    assert store.skipped == 0
    assert "candles_btc_jpy" in caplog.text and "'error'" in caplog.text


def test_fuzz() -> None:
    samples = [
        orjson.loads(message[2:])
        for message in (
            TICKER,
            TRANSACTIONS,
            CIRCUIT_BREAK,
            whole(
                1234567889,
                [["27.538", "7233.6837"], ["27.540", "19.4551"]],
                [["26.212", "5"], ["26.1", "1"]],
            ),
            DIFF_1,
            DIFF_2,
        )
    ]
    assert_store_fuzz(bitbankDataStore, samples)


# -- the verified-book kit ----------------------------------------------------------------------


def _rows(levels: Change | dict[float, float]) -> list[list[str]]:
    items = levels.items() if isinstance(levels, dict) else levels
    return [[f"{price:g}", f"{size:g}"] for price, size in items]


class DepthAdapter(BookAdapter):
    """bitbank's depth rooms for the kit. ``s`` is not consecutive (nothing shows a lost diff),
    so the kit's dropped-diff check does not apply; the book heals at the next whole, which the
    local exchange sends when the client joins the room (as after a reconnect)."""

    key = "xrp_jpy"
    ws_url = str(STREAM_URL)

    def new_store(self) -> bitbankDataStore:
        return bitbankDataStore()

    def book(self, store: Any) -> Any:
        return store.depth

    def snapshot(self, model: ModelBook) -> Any:
        data = {
            "asks": _rows(model.asks),
            "bids": _rows(model.bids),
            "asks_over": "0",
            "bids_under": "0",
            "timestamp": 1,
            "sequenceId": str(model.seq * 3),
        }
        return ["message", {"room_name": "depth_whole_xrp_jpy", "message": {"data": data}}]

    def diff(self, model: ModelBook, asks: Change, bids: Change) -> Any:
        data = {"a": _rows(asks), "b": _rows(bids), "t": 2, "s": str(model.seq * 3)}  # gaps of 3
        return ["message", {"room_name": "depth_diff_xrp_jpy", "message": {"data": data}}]

    def subscribe(self) -> list[Any]:
        return [["join-room", "depth_whole_xrp_jpy"], ["join-room", "depth_diff_xrp_jpy"]]

    def answer(self, message: Any, model: ModelBook) -> list[Any]:
        if message == ["join-room", "depth_whole_xrp_jpy"]:
            return [self.snapshot(model)]
        return []


def test_book_kit_offline() -> None:
    check_offline(DepthAdapter())


async def test_book_kit_recovery() -> None:
    await check_recovery(DepthAdapter())


_price = st.integers(min_value=1, max_value=60)
_size = st.integers(min_value=0, max_value=5)
_change = st.lists(st.tuples(_price, _size), max_size=4)


@settings(max_examples=80, deadline=None)
@given(
    base=st.dictionaries(_price, st.integers(min_value=1, max_value=5), max_size=10),
    changes=st.lists(_change, min_size=1, max_size=12),
    whole_at=st.integers(min_value=0, max_value=12),
)
def test_a_late_whole_gives_the_model_book(
    base: dict[int, int], changes: list[list[tuple[int, int]]], whole_at: int
) -> None:
    """The true book after diffs 1..n; a whole of the book as of diff k (arriving after all n
    diffs) plus the replay gives the same book (asks side only, prices as ints)."""
    truth = [dict(base)]
    for change in changes:
        state = dict(truth[-1])
        for price, size in change:
            if size:
                state[price] = size
            else:
                state.pop(price, None)
        truth.append(state)
    k = min(whole_at, len(changes))
    store = bitbankDataStore()
    for number, change in enumerate(changes, start=1):
        store.onmessage(diff(number * 2, a=[[str(p), str(s)] for p, s in change]))
    store.onmessage(whole(k * 2, [[str(p), str(s)] for p, s in truth[k].items()], []))
    asks = store.depth.sorted({"pair": "xrp_jpy"})["asks"]
    assert [(int(i["price"]), int(i["amount"])) for i in asks] == sorted(truth[-1].items())


# -- end to end: Socket.IO frames through client.ws_connect -------------------------------------

HANDSHAKE = '0{"sid":"local","upgrades":[],"pingInterval":25000,"pingTimeout":60000}'


async def test_end_to_end_over_socketio_with_hdlr_str() -> None:
    """stream.bitbank.cc played locally: the EIO=3 handshake, join-room events sent with
    ``send_str``, the wscat samples' frames; a reconnect, healed by the whole sent on join."""
    wholes = iter(["1234567889", "1234567895"])

    def respond(conn: Any, message: Any) -> list[str]:
        if message == join_room("depth_whole_xrp_jpy"):
            return [whole(next(wholes), [["27.538", "1"]], [["26.212", "5"]])]
        if message == join_room("ticker_btc_jpy"):
            return [TICKER]
        return []

    async def on_open(conn: Any) -> None:
        await conn.send(HANDSHAKE)
        await conn.send("40")

    store = bitbankDataStore()
    exchange = WebSocketExchange(["stream.bitbank.cc"], respond, on_open=on_open)
    async with exchange, exchange.client(apis={}) as client:
        app = client.ws_connect(
            STREAM_URL,
            send_str=[
                join_room("ticker_btc_jpy"),
                join_room("depth_diff_xrp_jpy"),
                join_room("depth_whole_xrp_jpy"),
            ],
            hdlr_str=store.onmessage,
        )
        await app.ready()
        await store.depth.wait_synced("xrp_jpy", timeout=5)
        conn = exchange.connections[-1]
        await conn.send(DIFF_1)
        await conn.send(DIFF_2)
        await eventually(lambda: store.depth._book_seq("xrp_jpy") == 1234567893, 5)
        assert book(store) == (
            [("27.538", "1")],
            [("26.758", "20000.0000"), ("26.212", "1000.0000")],
        )
        assert store.ticker.get({"pair": "btc_jpy"}) is not None
        # The connection drops: out of sync until the whole sent on the new join-room.
        await conn.ws.close()
        await eventually(lambda: store.depth.stats.reconnects == 1, 10)
        await store.depth.wait_synced("xrp_jpy", timeout=10)
        assert book(store) == ([("27.538", "1")], [("26.212", "5")])
        assert store.depth.stats.reconnects == 1
        await app.close()
    assert store.skipped == 0
    assert exchange.connections[0].request.host == "stream.bitbank.cc"


def test_reachable_from_topgun() -> None:
    assert topgun.bitbankDataStore is bitbankDataStore
