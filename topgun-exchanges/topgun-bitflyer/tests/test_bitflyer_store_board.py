"""bitFlyerDataStore.board: snapshots, diffs, crossed levels, reconnects, /v1/board; a model.

Frames are what bitFlyer's JSON-RPC realtime API sends
(https://bf-lightning-api.readme.io/docs/realtime-board-snapshot,
https://bf-lightning-api.readme.io/docs/realtime-board), serialized and parsed as on the wire.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st
from yarl import URL

import topgun
from topgun.testing import LocalExchange
from topgun_bitflyer.store import Board, bitFlyerDataStore

from .test_bitflyer_samples import book, diff, frame, snapshot


def levels(side: list[dict[str, Any]]) -> list[tuple[Any, Any]]:
    return [(level["price"], level["size"]) for level in side]


def test_registered_as_topgun_bitFlyerDataStore() -> None:
    assert topgun.bitFlyerDataStore is bitFlyerDataStore
    store = topgun.bitFlyerDataStore()
    assert isinstance(store.board, Board) and store["board"] is store.board


def test_snapshot_then_diffs() -> None:
    store = bitFlyerDataStore()
    store.onmessage(
        snapshot("BTC_JPY", 33320, asks=[(36640, 5), (36700, 1.2)], bids=[(30000, 0.1), (25570, 3)])
    )
    assert store.board.sorted(limit=2) == {
        "asks": [
            {"product_code": "BTC_JPY", "side": "asks", "price": 36640, "size": 5},
            {"product_code": "BTC_JPY", "side": "asks", "price": 36700, "size": 1.2},
        ],
        "bids": [
            {"product_code": "BTC_JPY", "side": "bids", "price": 30000, "size": 0.1},
            {"product_code": "BTC_JPY", "side": "bids", "price": 25570, "size": 3},
        ],
    }
    store.onmessage(diff("BTC_JPY", 35625, bids=[(33350, 1), (30000, 0)], asks=[(36640, 2.5)]))
    board = store.board.sorted({"product_code": "BTC_JPY"})
    assert levels(board["bids"]) == [(33350, 1), (25570, 3)]
    assert levels(board["asks"]) == [(36640, 2.5), (36700, 1.2)]
    assert store.board.mid_price == {"BTC_JPY": 35625}
    assert store.board.get({"product_code": "BTC_JPY", "side": "bids", "price": 33350}) == {
        "product_code": "BTC_JPY",
        "side": "bids",
        "price": 33350,
        "size": 1,
    }
    assert len(store.board) == 4 and store.board.is_synced("BTC_JPY")


def test_diffs_before_a_snapshot_are_dropped(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="topgun.store.bitflyer")
    store = bitFlyerDataStore()
    store.onmessage(diff("FX_BTC_JPY", 100, asks=[(101, 1)]))
    store.onmessage(diff("FX_BTC_JPY", 100, asks=[(102, 1)]))
    assert len(store.board) == 0 and store.board.dropped_diffs == 2
    assert sum("until a snapshot arrives" in r.getMessage() for r in caplog.records) == 1


def test_crossed_levels_are_removed_after_each_message() -> None:
    store = bitFlyerDataStore()
    store.onmessage(snapshot("X", 100, asks=[(101, 1), (102, 1)], bids=[(99, 1), (98, 1)]))
    # The market moved up: mid 103; the exchange sends the new levels, the stale ones stay behind.
    store.onmessage(diff("X", 103, asks=[(104, 1)], bids=[(102.5, 1)]))
    board = store.board.sorted()
    assert levels(board["asks"]) == [(104, 1)]  # 101 and 102 are below the mid: stale
    assert levels(board["bids"]) == [(102.5, 1), (99, 1), (98, 1)]
    store.onmessage(diff("X", 97.5, bids=[(97, 1)]))  # and down again: bids above 97.5 go
    assert levels(store.board.sorted()["bids"]) == [(97, 1)]


def test_price_zero_rows_are_itayose_market_orders_not_levels() -> None:
    store = bitFlyerDataStore()
    store.onmessage(snapshot("X", 100, asks=[(101, 1)], bids=[(99, 1)]))
    store.onmessage(diff("X", 100, asks=[(0, 3.5)], bids=[(0, 1.25), (98, 1)]))
    assert len(store.board) == 3
    assert store.board.find({"price": 0}) == []


@pytest.mark.parametrize(
    "message",
    [
        {
            "mid_price": 100,
            "asks": [{"price": 101, "size": 0}, {"price": "abc", "size": 1}],
            "bids": [],
        },
        {"mid_price": 100, "asks": [{"price": 101, "size": 0}], "bids": [{"price": 99}]},
        {
            "mid_price": 100,
            "asks": [{"price": 101, "size": 0}],
            "bids": [{"price": 99, "size": "2"}],
        },
        {
            "mid_price": 100,
            "asks": [{"price": 101, "size": 0}],
            "bids": [{"price": 99, "size": -1}],
        },
        {"mid_price": 100, "asks": [{"price": 101, "size": 0}], "bids": [[99, 1]]},
        {"mid_price": 100, "asks": [{"price": 101, "size": 0}], "bids": 7},
        {"mid_price": "abc", "asks": [{"price": 101, "size": 0}], "bids": []},
        {"mid_price": "inf", "asks": [{"price": 101, "size": 0}], "bids": []},
        [1, 2, 3],
        None,
    ],
)
def test_malformed_diffs_never_half_apply(message: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="topgun.store.bitflyer")
    store = bitFlyerDataStore()
    store.onmessage(snapshot("X", 100, asks=[(101, 1), (102, 1)], bids=[(99, 1)]))
    before = [dict(level) for level in store.board]
    with store.board.watch() as stream:
        store.onmessage(frame("lightning_board_X", message))
        assert len(stream) == 0
    assert [dict(level) for level in store.board] == before
    assert store.board.mid_price == {"X": 100}
    assert any("malformed" in r.getMessage() for r in caplog.records)


def test_books_per_product() -> None:
    store = bitFlyerDataStore()
    store.onmessage(snapshot("BTC_JPY", 100, asks=[(101, 1)], bids=[(99, 1)]))
    store.onmessage(snapshot("FX_BTC_JPY", 200, asks=[(201, 1)], bids=[(199, 1)]))
    store.onmessage(diff("FX_BTC_JPY", 200, asks=[(202, 2)]))
    assert levels(store.board.sorted({"product_code": "FX_BTC_JPY"})["asks"]) == [
        (201, 1),
        (202, 2),
    ]
    assert levels(store.board.sorted({"product_code": "BTC_JPY"})["asks"]) == [(101, 1)]
    assert len(store.board.find({"product_code": "FX_BTC_JPY"})) == 3


def test_a_new_snapshot_resynchronises_without_duplicates() -> None:
    store = bitFlyerDataStore()
    store.onmessage(snapshot("X", 100, asks=[(101, 1), (102, 1)], bids=[(99, 1)]))
    store.onmessage(diff("X", 100, asks=[(103, 1)]))
    with store.board.watch() as stream:
        store.onmessage(snapshot("X", 100, asks=[(101, 1), (103, 2)], bids=[(99, 1)]))
        changes = [(c.operation, c.data["price"]) for c in iter(stream.get_nowait, None)]
    assert changes == [("update", 103), ("delete", 102)]
    assert levels(store.board.sorted()["asks"]) == [(101, 1), (103, 2)] and len(store.board) == 3


def test_reconnect_waits_for_a_fresh_snapshot() -> None:
    store = bitFlyerDataStore()
    store.onmessage(snapshot("X", 100, asks=[(101, 1)], bids=[(99, 1)]))
    store.onmessage(diff("X", 100, asks=[(102, 1)]))
    # The WebSocketApp finds the hook on the object owning the hdlr_json bound method and calls
    # it after a reconnection's login, before the new connection's first message.
    store.onmessage.__self__.on_ws_reconnect(None)
    assert len(store.board) == 0 and not store.board.is_synced("X") and store.board.mid_price == {}
    store.onmessage(diff("X", 100, asks=[(105, 1)]))  # a diff of the new connection: no book yet
    assert len(store.board) == 0 and store.board.dropped_diffs == 1
    store.onmessage(
        snapshot("X", 100, asks=[(101, 1), (103, 1)], bids=[(99, 1)])
    )  # re-sent snapshot
    store.onmessage(diff("X", 100, asks=[(104, 1)]))
    assert levels(store.board.sorted()["asks"]) == [(101, 1), (103, 1), (104, 1)]
    assert len(store.board) == 4


BOARD_REPLY = book(
    5000000, asks=[(5000100, 0.5), (5000050, 1)], bids=[(4999900, 2), (4999950, 0.25)]
)


@pytest.fixture
async def public_api() -> AsyncIterator[LocalExchange]:
    seen: list[str] = []

    async def board(request: web.Request) -> web.Response:
        seen.append(request.raw_path)
        return web.json_response(BOARD_REPLY)

    app = web.Application()
    app.router.add_get("/v1/board", board)
    app.router.add_get("/v1/getboard", board)
    async with LocalExchange(app, ["api.bitflyer.com"]) as server:
        server.seen = seen  # type: ignore[attr-defined]
        yield server


async def test_initialize_from_the_http_board(public_api: LocalExchange) -> None:
    store = bitFlyerDataStore()
    async with topgun.Client(
        apis={}, base_url="https://api.bitflyer.com", connector=public_api.connector()
    ) as client:
        await store.initialize(
            client.get("/v1/board", params={"product_code": "FX_BTC_JPY"}),
            client.get("/v1/getboard"),  # no product_code: the API's default, BTC_JPY
        )
    for product in ("FX_BTC_JPY", "BTC_JPY"):
        board = store.board.sorted({"product_code": product})
        assert levels(board["asks"]) == [(5000050, 1), (5000100, 0.5)]
        assert levels(board["bids"]) == [(4999950, 0.25), (4999900, 2)]
        assert store.board.is_synced(product)
    store.onmessage(diff("FX_BTC_JPY", 5000000, asks=[(5000050, 0)]))  # diffs now apply
    assert levels(store.board.sorted({"product_code": "FX_BTC_JPY"})["asks"]) == [(5000100, 0.5)]
    with pytest.raises(topgun.InitializeError, match="malformed"):
        store.board._onresponse(
            {"asks": [{"price": "x", "size": 1}]}, URL("https://api.bitflyer.com/v1/board")
        )


# -- property: any sequence of snapshots and diffs gives the naive model's book ---------------

_PRODUCTS = ("BTC_JPY", "FX_BTC_JPY")
_price = st.integers(min_value=0, max_value=30).flatmap(
    lambda p: st.sampled_from([p, float(p), str(p)]) if p else st.just(0)
)
_size = st.sampled_from([0, 0, 0.01, 1, 2.5, 3])
_rows = st.lists(st.tuples(_price, _size), max_size=10)
_mid = st.one_of(st.none(), st.integers(min_value=1, max_value=30), st.just(15.5))
_message = st.one_of(
    st.tuples(
        st.sampled_from(["snapshot", "diff", "diff", "diff"]),
        st.sampled_from(_PRODUCTS),
        _mid,
        _rows,
        _rows,
    ),
    st.tuples(st.just("reconnect"), st.just(""), st.none(), st.just([]), st.just([])),
)


class Model:
    """The board as the documentation describes it, with plain dicts and full sorts."""

    def __init__(self) -> None:
        self.levels: dict[tuple[str, str, float], Any] = {}
        self.synced: set[str] = set()

    def apply(self, kind: str, pc: str, mid: Any, asks: list[Any], bids: list[Any]) -> None:
        if kind == "reconnect":
            self.levels.clear()
            self.synced.clear()
            return
        if kind == "diff" and pc not in self.synced:
            return
        if kind == "snapshot":
            self.levels = {k: v for k, v in self.levels.items() if k[0] != pc}
            self.synced.add(pc)
        for side, rows in (("asks", asks), ("bids", bids)):
            for price, size in rows:
                key = (pc, side, float(price))
                if not float(price):
                    continue
                if size:
                    self.levels[key] = size
                elif kind == "diff":
                    self.levels.pop(key, None)
        if mid is not None:
            for key in list(self.levels):
                if key[0] == pc and (
                    (key[1] == "asks" and key[2] < mid) or (key[1] == "bids" and key[2] > mid)
                ):
                    del self.levels[key]

    def sorted(self, pc: str | None, limit: int | None) -> dict[str, list[tuple[float, Any]]]:
        out = {}
        for side, reverse in (("asks", False), ("bids", True)):
            keys = sorted(
                (k for k in self.levels if k[1] == side and pc in (None, k[0])),
                key=lambda k: k[2],
                reverse=reverse,
            )
            rows = [(k[2], self.levels[k]) for k in keys]
            out[side] = rows[:limit] if limit else rows
        return out


@settings(max_examples=200, deadline=None)
@given(messages=st.lists(_message, max_size=30), limit=st.sampled_from([None, 1, 2, 5]))
def test_board_equals_the_naive_model(messages: list[tuple[Any, ...]], limit: int | None) -> None:
    store = bitFlyerDataStore()
    model = Model()
    for kind, pc, mid, asks, bids in messages:
        if kind == "reconnect":
            store.on_ws_reconnect(None)
        else:
            send = snapshot if kind == "snapshot" else diff
            store.onmessage(send(pc, mid, asks, bids))
        model.apply(kind, pc, mid, asks, bids)
    stored = {
        (lv["product_code"], lv["side"], float(lv["price"])): lv["size"] for lv in store.board
    }
    assert stored == model.levels
    assert len(store.board) == len(model.levels)
    for pc in _PRODUCTS:
        result = store.board.sorted({"product_code": pc}, limit)
        got = {side: [(float(lv["price"]), lv["size"]) for lv in result[side]] for side in result}
        assert got == model.sorted(pc, limit)
    merged = store.board.sorted(limit=limit)
    want = model.sorted(None, limit)
    for side in ("asks", "bids"):
        assert [float(lv["price"]) for lv in merged[side]] == [p for p, _ in want[side]]
