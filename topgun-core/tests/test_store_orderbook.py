"""topgun.OrderBookStore: sorted sides, exchange-defined labels, bounds and the fast author API."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topgun.store import OrderBookStore, StoreChange


class Depth(OrderBookStore):
    """An exchange whose levels look like Binance's: {"s", "S": "a"/"b", "p": "1.5", "q"}."""

    _KEYS = ("s", "S", "p")
    _SIDE_KEY, _PRICE_KEY, _SIZE_KEY = "S", "p", "q"
    _ASKS, _BIDS = "a", "b"


class Book(OrderBookStore):
    """Object rows like bitFlyer's, one book per "pc"."""

    _KEYS = ("pc", "side", "price")


def prices(levels: list[dict[str, Any]], field: str = "price") -> list[Any]:
    return [level[field] for level in levels]


def test_sorted_compares_prices_numerically_with_exchange_labels() -> None:
    book = Depth(
        data=[
            {"s": "X", "S": "a", "p": "100.5", "q": "1"},
            {"s": "X", "S": "a", "p": "99.75", "q": "1"},
            {"s": "X", "S": "a", "p": "1000", "q": "1"},
            {"s": "X", "S": "b", "p": "9.5", "q": "1"},
            {"s": "X", "S": "b", "p": "10", "q": "1"},
        ]
    )
    result = book.sorted()
    assert list(result) == ["a", "b"]
    assert prices(result["a"], "p") == ["99.75", "100.5", "1000"]  # as strings: wrong order
    assert prices(result["b"], "p") == ["10", "9.5"]
    assert prices(book.sorted(limit=1)["a"], "p") == ["99.75"]
    assert book.sorted(limit=0) == result  # 0 means no limit, as in pybotters
    # "100.50" is the same price as "100.5": one level, replaced.
    book._insert([{"s": "X", "S": "a", "p": "100.50", "q": "7"}])
    assert len(book) == 5
    assert book.get({"s": "X", "S": "a", "p": 100.5}) == {
        "s": "X",
        "S": "a",
        "p": "100.50",
        "q": "7",
    }
    with pytest.raises(ValueError, match="limit"):
        book.sorted(limit=-1)


def test_sorted_queries_books_sides_and_other_fields() -> None:
    book = Book()
    book._apply_levels("A", asks=[(101.0, 101, 1), (102.0, 102, 2)], bids=[(99.0, 99, 1)])
    book._apply_levels("B", asks=[(100.5, 100.5, 3)], bids=[(99.5, 99.5, 1), (98.0, 98, 5)])
    assert prices(book.sorted({"pc": "A"})["asks"]) == [101, 102]
    assert prices(book.sorted()["asks"]) == [100.5, 101, 102]  # books merged by price
    assert prices(book.sorted(limit=2)["bids"]) == [99.5, 99]
    assert book.sorted({"pc": "A", "side": "bids"}) == {
        "asks": [],
        "bids": [book.get({"pc": "A", "side": "bids", "price": 99})],
    }
    assert prices(book.sorted({"size": 1})["bids"]) == [99.5, 99]
    assert prices(book.sorted({"pc": "B", "size": 5})["bids"]) == [98]
    assert book.sorted({"pc": "nope"}) == {"asks": [], "bids": []}
    assert book.sorted({"pc": ["unhashable"]}) == {"asks": [], "bids": []}
    assert Book().sorted() == {"asks": [], "bids": []}


def test_find_get_len_and_iteration_best_first() -> None:
    book = Book()
    book._apply_levels(
        "A", asks=[(102.0, 102, 1), (101.0, 101, 1)], bids=[(98.0, 98, 1), (99.0, 99, 1)]
    )
    assert prices(list(book)) == [101, 102, 99, 98]
    assert prices(list(reversed(book))) == [98, 99, 102, 101]
    assert len(book) == 4
    assert book.find({"side": "bids"}) == [
        book.get({"pc": "A", "side": "bids", "price": p}) for p in (99, 98)
    ]
    # A query naming every key field is a lookup; 101.0 equals 101 as any dict key would.
    assert book.find({"pc": "A", "side": "asks", "price": 101.0}) == [
        book.get({"pc": "A", "side": "asks", "price": 101})
    ]
    assert book.find({"pc": "A", "side": "asks", "price": 101, "size": 2}) == []
    assert book.get({"pc": "A", "side": "sideways", "price": 1}) is None
    assert book.get({"pc": "A", "side": "asks", "price": "not a number"}) is None


def test_apply_levels_sets_replaces_and_removes() -> None:
    book = Book()
    with book.watch() as stream:
        assert book._apply_levels("A", asks=[(101.0, 101, 1)], bids=[(99.0, 99, 2)])
        assert book._apply_levels(
            "A", asks=[(101.0, 101, 3), (103.0, 103, 1)], bids=[(99.0, 99, 0)]
        )
        assert not book._apply_levels("A", asks=[(101.0, 101, 3)], bids=[(50.0, 50, 0)])  # no-ops
        ops = [stream.get_nowait() for _ in range(len(stream))]
    assert book.sorted() == {
        "asks": [
            {"pc": "A", "side": "asks", "price": 101, "size": 3},
            {"pc": "A", "side": "asks", "price": 103, "size": 1},
        ],
        "bids": [],
    }
    assert [(c.operation, c.data["price"]) for c in ops if isinstance(c, StoreChange)] == [
        ("insert", 101),
        ("insert", 99),
        ("update", 101),
        ("insert", 103),
        ("delete", 99),
    ]


def test_replace_book_reports_only_real_changes() -> None:
    book = Book()
    book._replace_book("A", asks=[(101.0, 101, 1), (102.0, 102, 1)], bids=[(99.0, 99, 1)])
    with book.watch() as stream:
        book._replace_book("A", asks=[(101.0, 101, 1), (102.0, 102, 5)], bids=[(98.0, 98, 1)])
        ops = [(c.operation, c.data["price"]) for c in iter(stream.get_nowait, None)]
    assert ops == [("update", 102), ("insert", 98), ("delete", 99)]
    assert prices(book.sorted()["bids"]) == [98]
    assert len(book) == 3


def test_discard_crossed_and_drop_book() -> None:
    book = Book()
    book._apply_levels(
        "A",
        asks=[(99.0, 99, 1), (100.0, 100, 1), (101.0, 101, 1)],
        bids=[(102.0, 102, 1), (98.0, 98, 1)],
    )
    assert book._discard_crossed("A", ask_floor=100.0, bid_ceiling=100.0)
    assert prices(book.sorted()["asks"]) == [100, 101]  # 100 is not below the floor
    assert prices(book.sorted()["bids"]) == [98]
    assert not book._discard_crossed("A", ask_floor=100.0, bid_ceiling=100.0)
    assert not book._discard_crossed("nope", 1.0, 1.0)
    assert book._drop_book("A")
    assert len(book) == 0 and book.sorted() == {"asks": [], "bids": []}
    assert not book._drop_book("A")


def test_apply_rows_never_half_applies() -> None:
    book = Book()
    book._apply_rows(
        "A", [{"price": 101, "size": 1}, {"price": 102, "size": 2}], [{"price": 99, "size": 1}]
    )
    before = [dict(level) for level in book]
    with book.watch() as stream:
        for bad_bids in (
            [{"price": 98, "size": 1}, {"price": "x", "size": 1}],
            [{"price": 98, "size": 1}, {"size": 1}],
            [{"price": 98, "size": 1}, {"price": float("nan"), "size": 1}],
            [{"price": 98, "size": 1}, {"price": 97, "size": -1}],
            [{"price": 98, "size": 1}, {"price": 97, "size": "1"}],
            [{"price": 98, "size": 1}, "not a row"],
        ):
            with pytest.raises(ValueError, match="malformed level row"):
                book._apply_rows(
                    "A",
                    [
                        {"price": 101, "size": 0},
                        {"price": 102, "size": 7},
                        {"price": 103, "size": 1},
                    ],
                    bad_bids,
                )
            assert [dict(level) for level in book] == before
        assert len(stream) == 0  # watchers saw none of it
    assert len(book) == 3
    assert book._apply_rows("A", [{"price": 0, "size": 5}], []) is False  # price 0: not a level
    assert len(book) == 3


def test_apply_items_stores_merges_and_removes_whole_items() -> None:
    """Rows that are the level items themselves (BitMEX's, with an id): stored as given, merged
    at a held price, removed with the delete row as the change's source."""
    book = Book(name="orderBookL2")
    first = {"pc": "A", "side": "asks", "price": 101, "size": 1, "id": 7, "ts": "t0"}
    bid = {"pc": "A", "side": "bids", "price": 99, "size": 2, "id": 8, "ts": "t0"}
    assert book._apply_items("A", [(101.0, first)], [(99.0, bid)])
    assert book.get({"pc": "A", "side": "asks", "price": 101}) is first
    with book.watch() as stream:
        update = {"pc": "A", "side": "asks", "price": 101, "size": 5, "id": 7, "ts": "t1"}
        assert book._apply_items("A", [(101.0, update)])
        assert not book._apply_items("A", [(101.0, dict(update))])  # nothing new: no change
        delete = {"pc": "A", "side": "bids", "price": 99, "id": 8}
        assert book._apply_items("A", bids=[(99.0, delete)], remove=True)
        assert not book._apply_items("A", bids=[(99.0, delete)], remove=True)  # already gone
        changes = [(c.operation, c.source, c.data) for c in iter(stream.get_nowait, None)]
    assert changes == [
        ("update", update, {**first, "size": 5, "ts": "t1"}),
        ("delete", delete, bid),
    ]
    assert book.sorted() == {"asks": [{**first, "size": 5, "ts": "t1"}], "bids": []}
    assert len(book) == 1


def test_array_rows() -> None:
    class Arrays(Book):
        _ROW_PRICE, _ROW_SIZE = 0, 1

    book = Arrays()
    book._apply_rows("A", [["101.5", 2], ["101", 1]], [[99, 3]])
    assert book.sorted() == {
        "asks": [
            {"pc": "A", "side": "asks", "price": "101", "size": 1},
            {"pc": "A", "side": "asks", "price": "101.5", "size": 2},
        ],
        "bids": [{"pc": "A", "side": "bids", "price": 99, "size": 3}],
    }


def test_books_evict_their_worst_levels_never_the_best(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="topgun.store")
    book = Book(name="board", maxlen=3)
    book._apply_levels("A", asks=[(float(p), p, 1) for p in (105, 101, 103, 102, 104)])
    book._apply_rows("A", [], [{"price": p, "size": 1} for p in (95, 99, 97, 98, 96)])
    assert prices(book.sorted()["asks"]) == [101, 102, 103]
    assert prices(book.sorted()["bids"]) == [99, 98, 97]
    assert book.evicted == 4 and len(book) == 6
    book._apply_levels("A", asks=[(100.0, 100, 1)])  # a new best level pushes out the worst
    assert prices(book.sorted()["asks"]) == [100, 101, 102]
    assert any("worst" in r.getMessage() for r in caplog.records)


def test_large_sides_switch_to_sortedlist_and_back() -> None:
    book = Book(maxlen=50_000)
    asks = [(float(p), p, 1) for p in range(10_000, 15_000)]
    book._apply_levels("A", asks=asks)
    assert type(book._books["A"].asks.ranks).__name__ == "SortedList"
    book._apply_levels("A", asks=[(float(p), p, 0) for p in range(10_000, 14_900)])
    assert type(book._books["A"].asks.ranks) is list
    assert prices(book.sorted(limit=3)["asks"]) == [14_900, 14_901, 14_902]
    book._replace_book("A", asks=asks)
    assert prices(book.sorted(limit=2)["asks"]) == [10_000, 10_001] and len(book) == 5_000


def test_generic_author_api_on_books() -> None:
    book = Book()
    book._insert(
        [
            {"pc": "A", "side": "asks", "price": 101, "size": 1},
            {"pc": "A", "side": "bogus", "price": 1},
        ]
    )
    assert book.missing_keys == 1
    book._update([{"pc": "A", "side": "asks", "price": 101.0, "size": 4}])
    assert book.get({"pc": "A", "side": "asks", "price": 101}) == {
        "pc": "A",
        "side": "asks",
        "price": 101,
        "size": 4,
    }
    book._insert(
        [
            {"pc": "A", "side": "bids", "price": 99, "size": 1},
            {"pc": "A", "side": "bids", "price": 98, "size": 1},
        ]
    )
    assert book._find_and_delete({"side": "bids", "price": 99}) == [
        {"pc": "A", "side": "bids", "price": 99, "size": 1}
    ]
    book._delete([{"pc": "A", "side": "asks", "price": 101}])
    assert prices(list(book)) == [98]
    book._clear()
    assert len(book) == 0
    with pytest.raises(ValueError, match="side field"):
        type("NoSide", (OrderBookStore,), {"_KEYS": ("price",)})()


# -- property: the book equals a naive model, and sorted() equals a full sort of it ---------

_price = st.integers(min_value=1, max_value=40)
_size = st.sampled_from([0, 0, 1, 2, 0.5, 3])
_rows = st.lists(st.tuples(_price, _size), max_size=12)
_op = st.one_of(
    st.tuples(st.just("diff"), st.sampled_from("AB"), _rows, _rows),
    st.tuples(st.just("rows"), st.sampled_from("AB"), _rows, _rows),
    st.tuples(st.just("snapshot"), st.sampled_from("AB"), _rows, _rows),
    st.tuples(st.just("uncross"), st.sampled_from("AB"), _price, _price),
)


@settings(max_examples=100, deadline=None)
@given(ops=st.lists(_op, max_size=25), limit=st.sampled_from([None, 1, 3]))
def test_book_matches_a_naive_model(ops: list[tuple[Any, ...]], limit: int | None) -> None:
    book = Book(maxlen=10_000)
    model: dict[tuple[str, str, float], Any] = {}
    for kind, group, first, second in ops:
        if kind == "uncross":
            book._discard_crossed(group, float(first), float(second))
            for key in [k for k in model if k[0] == group]:
                if (key[1] == "asks" and key[2] < first) or (key[1] == "bids" and key[2] > second):
                    del model[key]
            continue
        if kind == "snapshot":
            for key in [k for k in model if k[0] == group]:
                del model[key]
        for name, rows in (("asks", first), ("bids", second)):
            for price, size in rows:
                if size:
                    model[(group, name, float(price))] = size
                elif kind != "snapshot":
                    model.pop((group, name, float(price)), None)
        as_levels = [[(float(p), p, s) for p, s in rows] for rows in (first, second)]
        if kind == "snapshot":
            book._replace_book(group, *as_levels)
        elif kind == "rows":
            book._apply_rows(
                group, *([{"price": p, "size": s} for p, s in rows] for rows in (first, second))
            )
        else:
            book._apply_levels(group, *as_levels)
    assert {(lv["pc"], lv["side"], float(lv["price"])): lv["size"] for lv in book} == model
    assert len(book) == len(model)
    for query in ({}, {"pc": "A"}, {"pc": "B"}):
        expected = {}
        for name, best_first in (("asks", False), ("bids", True)):
            keys = sorted(
                (k for k in model if k[1] == name and (not query or k[0] == query["pc"])),
                key=lambda k: k[2] if not best_first else -k[2],
            )
            expected[name] = [(k[2], model[k]) for k in keys]
        result = book.sorted(query, limit)
        for name in ("asks", "bids"):
            got = [(float(lv["price"]), lv["size"]) for lv in result[name]]
            want = expected[name][:limit] if limit else expected[name]
            # Equal prices in two books may come in either order, so the levels are compared as a
            # multiset where no tie straddles the limit, and the prices always exactly.
            assert [p for p, _ in got] == [p for p, _ in want]
            full = expected[name]
            if not limit or len(full) <= limit or full[limit - 1][0] != full[limit][0]:
                assert sorted(got) == sorted(want)
