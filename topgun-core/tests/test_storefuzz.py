"""The store fuzz kit finds half-applied messages, and the validation helpers it relies on."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

import topgun
from topgun.store import MalformedMessage, is_number, is_price, is_size, json_objects, price_of
from topgun.testing.storefuzz import assert_store_fuzz, fuzz_store, mutate

SAMPLES = [
    {"orders": [{"id": "a", "size": 1.5}, {"id": "b", "size": 2}]},
    {"fills": [{"id": "a", "size": 0.5}]},
    {"cancel": ["b"]},
]


class Careful(topgun.DataStoreCollection):
    """Validates the whole message, then applies it."""

    def _init(self) -> None:
        self.orders = self._create("orders", keys=["id"])
        self.log = self._create("log")

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        if type(msg) is not dict or len(msg) != 1:
            raise MalformedMessage("not a one-key object")
        ((kind, items),) = msg.items()
        if type(items) is not list:
            raise MalformedMessage(f"{kind} is not a list")
        if kind == "cancel":
            if not all(type(i) is str for i in items):
                raise MalformedMessage("an id is not a string")
            self.log._insert([{"cancel": i} for i in items])
            self.orders._delete([{"id": i} for i in items])
            return
        for item in items:
            if type(item) is not dict or type(item.get("id")) is not str:
                raise MalformedMessage("an item has no string id")
            if not is_size(item.get("size")):
                raise MalformedMessage("an item has no size")
        for item in items:
            self._apply(kind, item)

    def _apply(self, kind: str, item: dict[str, Any]) -> None:
        self.log._insert([{kind: item["id"]}])
        if kind == "orders":
            self.orders._insert([dict(item)])
        elif kind == "fills":
            order = self.orders.get(item)
            if order is not None:
                self.orders._patch(order, {"size": order["size"] - item["size"]})


class Sloppy(Careful):
    """Applies each item as it goes: a bad second item leaves the first applied."""

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        ((kind, items),) = msg.items()
        for item in items:
            self.log._insert([{kind: str(item)}])
            if kind == "orders":
                self.orders._insert([{"id": item["id"], "size": float(item["size"])}])


def test_a_validating_collection_passes() -> None:
    report = assert_store_fuzz(Careful, SAMPLES, rounds=2000, seed=3)
    assert report.skipped > 200 and report.applied > 200
    assert report.handler_errors == 0


def test_a_half_applying_collection_is_caught() -> None:
    report = fuzz_store(Sloppy, SAMPLES, rounds=2000, seed=3, allow_handler_errors=True)
    assert any("a skipped message changed the stores" in f for f in report.findings)
    with pytest.raises(AssertionError, match="broken promises"):
        assert_store_fuzz(Sloppy, SAMPLES, rounds=500, seed=3)


def test_valid_samples_must_apply() -> None:
    report = fuzz_store(Careful, [{"orders": "nope"}, *SAMPLES], rounds=10)
    assert report.findings[0].startswith("valid sample 0 was skipped")
    with pytest.raises(ValueError, match="at least one"):
        fuzz_store(Careful, [])


def test_runs_are_deterministic_per_seed() -> None:
    first = [mutate(SAMPLES[0], random.Random(7)) for _ in range(3)]
    assert repr(first) == repr([mutate(SAMPLES[0], random.Random(7)) for _ in range(3)])
    assert fuzz_store(Careful, SAMPLES, rounds=300, seed=1) == fuzz_store(
        Careful, SAMPLES, rounds=300, seed=1
    )


def test_onmessage_counts_skipped_messages_and_handler_errors() -> None:
    class Broken(Careful):
        def _apply(self, kind: str, item: dict[str, Any]) -> None:
            raise RuntimeError("bug")

    store = Broken()
    store.onmessage({"orders": "x"})
    assert (store.skipped, store.handler_errors) == (1, 0)
    store.onmessage({"orders": [{"id": "a", "size": 1}]})
    assert (store.skipped, store.handler_errors) == (2, 1)


@pytest.mark.parametrize(
    ("value", "number", "size", "price"),
    [
        (1, True, True, True),
        (0, True, True, False),
        (-1.5, True, False, False),
        (10**30, True, True, True),
        (True, False, False, False),
        (False, False, False, False),
        (math.nan, False, False, False),
        (math.inf, False, False, False),
        (-math.inf, False, False, False),
        ("1", False, False, False),
        (None, False, False, False),
    ],
)
def test_numbers_sizes_and_prices(value: Any, number: bool, size: bool, price: bool) -> None:
    assert (is_number(value), is_size(value), is_price(value)) == (number, size, price)


@pytest.mark.parametrize(
    ("value", "strings", "error"),
    [
        ({"id": "1"}, False, "orders: 'data' is not a JSON array"),
        ([{"id": "1"}, 2], False, "holds an element that is not a JSON object"),
        ([{"id": "1"}, {"px": "1"}], False, "holds an element without 'id'"),
        ([{"id": 1}], True, "holds an element without a string 'id'"),
    ],
)
def test_json_objects_checks_the_whole_list(value: Any, strings: bool, error: str) -> None:
    with pytest.raises(MalformedMessage, match=error):
        json_objects(value, "orders: 'data'", ["id"], strings=strings)


def test_json_objects_returns_the_list_it_was_given() -> None:
    rows = [{"id": 1, "px": "2"}, {"id": 2}]
    assert json_objects(rows, "orders", ["id"]) is rows
    assert json_objects([], "orders", ["id"], strings=True) == []


@pytest.mark.parametrize("bad", [True, False, math.nan, math.inf, "nan"])
def test_order_book_levels_refuse_bools_nan_and_infinities(bad: Any) -> None:
    with pytest.raises(ValueError, match="is not a finite number"):
        price_of(bad)
