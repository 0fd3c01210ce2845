"""topgun.DataStore: reading, the store-author API, bounds, wait() and watch()."""

from __future__ import annotations

import asyncio
import doctest
import gc
import logging
import re
from pathlib import Path
from typing import Any

import pytest

import topgun
from topgun.store import datastore as datastore_module

# The user guide's get/find example, verbatim (DataStore section of the user guide).
GUIDE_DOCTEST = """
>>> ds = topgun.DataStore(
...     keys=["id"],
...     data=[
...         {"id": 1, "data": "foo"},
...         {"id": 2, "data": "bar"},
...         {"id": 3, "data": "baz"},
...         {"id": 4, "data": "foo"},
...     ],
... )
>>> print(ds.get({"id": 1}))
{'id': 1, 'data': 'foo'}
>>> print(ds.get({"id": 999}))
None
>>> print(ds.find())
[{'id': 1, 'data': 'foo'}, {'id': 2, 'data': 'bar'}, {'id': 3, 'data': 'baz'}, {'id': 4, 'data': 'foo'}]
>>> print(ds.find({"data": "foo"}))
[{'id': 1, 'data': 'foo'}, {'id': 4, 'data': 'foo'}]
>>> print(ds.find({"id": "SPAM"}))
[]
"""


def test_user_guide_get_find_doctest() -> None:
    parser = doctest.DocTestParser()
    test = parser.get_doctest(GUIDE_DOCTEST, {"topgun": topgun}, "user-guide", None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted == 6
    assert result.failed == 0


def test_the_guide_in_docs_runs_as_a_doctest() -> None:
    """The get/find examples of docs/user-guide.rst itself (the Attributes example prints memory
    addresses, so only the ``ds`` examples are run)."""
    guide = Path(__file__).resolve().parents[2] / "docs" / "user-guide.rst"
    examples = [
        example
        for example in doctest.DocTestParser().get_examples(guide.read_text(encoding="utf-8"))
        if re.search(r"\bds\b", example.source)
    ]
    assert len(examples) == 6
    test = doctest.DocTest(examples, {"topgun": topgun}, "user-guide.rst", str(guide), 0, None)
    runner = doctest.DocTestRunner()
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_module_doctests() -> None:
    result = doctest.testmod(datastore_module)
    assert result.attempted > 0
    assert result.failed == 0


def test_exports() -> None:
    for name in (
        "DataStore",
        "DataStoreCollection",
        "StoreChange",
        "StoreStream",
        "OrderBookStore",
    ):
        assert name in topgun.__all__
        assert getattr(topgun, name) is getattr(topgun.store, name)


# -- keyed stores ----------------------------------------------------------------------------


def test_keyed_insert_replaces_whole_item_and_keeps_order() -> None:
    ds = topgun.DataStore(keys=["id"])
    ds._insert([{"id": 1, "a": 1}, {"id": 2, "a": 2}])
    ds._insert([{"id": 1, "b": 9}])
    assert ds.find() == [{"id": 1, "b": 9}, {"id": 2, "a": 2}]
    assert list(reversed(ds)) == [{"id": 2, "a": 2}, {"id": 1, "b": 9}]
    assert len(ds) == 2


def test_keyed_update_merges_or_inserts() -> None:
    ds = topgun.DataStore(keys=["id"], data=[{"id": 1, "a": 1, "b": 1}])
    ds._update([{"id": 1, "b": 2}, {"id": 2, "a": 5}])
    assert ds.get({"id": 1}) == {"id": 1, "a": 1, "b": 2}
    assert ds.get({"id": 2}) == {"id": 2, "a": 5}


def test_multi_field_keys_index_by_tuple_with_numeric_equality() -> None:
    ds = topgun.DataStore(keys=["pc", "side", "price"])
    level = {"pc": "X", "side": "BUY", "price": 100, "size": 1}
    ds._insert([level.copy()])
    # 100 and 100.0 are the same key, as in any dict; a string is a different key.
    assert ds.get({"pc": "X", "side": "BUY", "price": 100.0}) == level
    assert ds.get({"pc": "X", "side": "BUY", "price": "100"}) is None
    assert ds.get({"pc": "X", "side": "BUY"}) is None  # a key field missing
    assert ds.get({"pc": ["unhashable"], "side": "BUY", "price": 1}) is None


def test_delete_clear_and_find_and_delete() -> None:
    ds = topgun.DataStore(keys=["id"], data=[{"id": i, "even": i % 2 == 0} for i in range(6)])
    ds._delete([{"id": 0}, {"id": 99}])
    assert [item["id"] for item in ds] == [1, 2, 3, 4, 5]
    removed = ds._find_and_delete({"even": True})
    assert [item["id"] for item in removed] == [2, 4]
    assert [item["id"] for item in ds] == [1, 3, 5]
    assert ds._find_and_delete() == [
        {"id": 1, "even": False},
        {"id": 3, "even": False},
        {"id": 5, "even": False},
    ]
    assert len(ds) == 0
    ds._clear()  # on an empty store: nothing to do
    assert ds.find() == []


def test_find_matches_every_query_field_and_uses_the_index() -> None:
    ds = topgun.DataStore(keys=["id"], data=[{"id": 1, "x": [1, 2]}, {"id": 2, "x": None}])
    assert ds.find({"x": [1, 2]}) == [{"id": 1, "x": [1, 2]}]  # unhashable values compare fine
    assert ds.find({"id": 1, "x": None}) == []  # the key matches, another field does not
    assert ds.find({"id": 2, "x": None}) == [{"id": 2, "x": None}]
    assert ds.find({"missing": 1}) == []


def test_patch_merges_fields_but_not_key_fields() -> None:
    ds = topgun.DataStore(keys=["id"], data=[{"id": 1, "a": 1}])
    assert ds._patch({"id": 1}, {"a": 2}) is True
    assert ds._patch({"id": 1}, {"a": 2}) is False  # nothing changes
    assert ds._patch({"id": 7}, {"a": 2}) is False
    assert ds.get({"id": 1}) == {"id": 1, "a": 2}
    with pytest.raises(ValueError, match="key fields"):
        ds._patch({"id": 1}, {"id": 2})


def test_items_without_key_fields_are_counted_and_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="topgun.store")
    ds = topgun.DataStore(name="orders", keys=["id"])
    ds._insert([{"no_id": 1}, {"no_id": 2}, "not a dict"])  # type: ignore[list-item]
    ds._update([{"nope": 3}])
    assert len(ds) == 0
    assert ds.missing_keys == 4
    records = [r for r in caplog.records if "without key fields" in r.getMessage()]
    assert len(records) == 1  # rate-limited: one record for the burst
    assert "'orders'" in records[0].getMessage() and "no_id" in records[0].getMessage()


# -- keyless stores --------------------------------------------------------------------------


def test_keyless_store_appends_and_keeps_insertion_order() -> None:
    ds = topgun.DataStore()
    first, second = {"n": 1}, {"n": 2}
    ds._insert([first, second])
    ds._update([{"n": 3}])  # appends, as pybotters did
    assert ds.find() == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert ds.get({"n": 1}) is None  # no keys: nothing to look up by
    ds._delete([second])
    assert ds.find() == [{"n": 1}, {"n": 3}]
    assert ds._patch(first, {"n": 10}) is True
    assert ds._patch({"n": 10}, {"n": 11}) is False  # keyless patch goes by identity
    assert ds._find_and_delete({"n": 3}) == [{"n": 3}]
    assert ds.find() == [{"n": 10}]


def test_keyless_delete_by_equality_when_not_the_same_object() -> None:
    ds = topgun.DataStore(data=[{"n": 1}, {"n": 2}])
    ds._delete([{"n": 2}, {"n": 99}])
    assert ds.find() == [{"n": 1}]


# -- bounds ----------------------------------------------------------------------------------


def test_keyed_store_drops_oldest_beyond_maxlen(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="topgun.store")
    ds = topgun.DataStore(name="t", keys=["id"], maxlen=3)
    ds._insert([{"id": i} for i in range(5)])
    assert [item["id"] for item in ds] == [2, 3, 4]
    assert ds.evicted == 2
    ds._update([{"id": 2, "v": 1}])  # updating the oldest keeps its place
    ds._insert([{"id": 5}])
    assert [item["id"] for item in ds] == [3, 4, 5]
    assert any("maxlen=3" in r.getMessage() for r in caplog.records)


def test_keyless_store_drops_oldest_beyond_maxlen() -> None:
    ds = topgun.DataStore(maxlen=3)
    for i in range(5):
        ds._insert([{"n": i}])
    assert [item["n"] for item in ds] == [2, 3, 4]
    assert ds.evicted == 2
    ds.maxlen = 2
    assert [item["n"] for item in ds] == [3, 4]
    assert ds.evicted == 3


def test_maxlen_per_class_per_store_and_validation() -> None:
    class Trades(topgun.DataStore):
        _MAXLEN = 5

    assert Trades().maxlen == 5
    assert Trades(maxlen=7).maxlen == 7
    assert topgun.DataStore().maxlen == 9999
    keyed = topgun.DataStore(keys=["id"], data=[{"id": i} for i in range(4)])
    keyed.maxlen = 2
    assert [item["id"] for item in keyed] == [2, 3]
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="maxlen"):
            topgun.DataStore(maxlen=bad)  # type: ignore[arg-type]


def test_pybotters_style_subclass_works_unchanged() -> None:
    class Orders(topgun.DataStore):
        _KEYS = ["order_id"]  # noqa: RUF012 (a list, as pybotters subclasses write it)
        _MAXLEN = 100

        def _init(self) -> None:
            self.seen = 0

        def _onmessage(self, message: list[dict[str, Any]]) -> None:
            self.seen += 1
            for item in message:
                if item["status"] == "open":
                    self._update([item])
                else:
                    self._delete([item])

    orders = Orders()
    orders._onmessage([{"order_id": "a", "status": "open"}, {"order_id": "b", "status": "open"}])
    orders._onmessage([{"order_id": "a", "status": "filled"}])
    assert orders.find() == [{"order_id": "b", "status": "open"}]
    assert orders.seen == 2 and orders.keys == ("order_id",) and orders.maxlen == 100


# -- wait ------------------------------------------------------------------------------------


async def _settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


async def test_wait_returns_after_a_real_change_only() -> None:
    ds = topgun.DataStore(keys=["id"], data=[{"id": 1, "v": 1}])
    waiter = asyncio.create_task(ds.wait())
    await _settle()
    ds._delete([{"id": 404}])  # no such item
    ds._update([{"id": 1, "v": 1}])  # same values
    ds._insert([{"id": 1, "v": 1}])  # equal item
    ds._find_and_delete({"v": 999})
    ds._patch({"id": 1}, {"v": 1})
    await _settle()
    assert not waiter.done()
    ds._update([{"id": 1, "v": 2}])
    await asyncio.wait_for(waiter, 1)


async def test_cancelled_wait_leaves_no_waiter_behind() -> None:
    ds = topgun.DataStore()
    for _ in range(3):
        task = asyncio.create_task(ds.wait())
        await _settle()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert ds._waiters == []


# -- watch -----------------------------------------------------------------------------------


async def test_watch_streams_changes_that_never_alias_the_store() -> None:
    ds = topgun.DataStore(name="t", keys=["id"])
    with ds.watch() as stream:
        ds._insert([{"id": 1, "v": 1}])
        ds._update([{"id": 1, "v": 2}])
        ds._insert([{"id": 1, "v": 3}])
        ds._delete([{"id": 1}])
        changes = [await stream.get() for _ in range(4)]
    assert [c.operation for c in changes] == ["insert", "update", "update", "delete"]
    assert [c.data for c in changes] == [
        {"id": 1, "v": 1},
        {"id": 1, "v": 2},
        {"id": 1, "v": 3},
        {"id": 1, "v": 3},
    ]
    assert changes[1].source == {"id": 1, "v": 2}
    assert changes[3].source == {"id": 1}
    assert all(c.store is ds for c in changes)
    assert isinstance(changes[0], topgun.StoreChange)


async def test_a_delivered_change_is_not_changed_by_later_store_changes() -> None:
    ds = topgun.DataStore(keys=["id"])
    with ds.watch() as stream:
        item = {"id": 1, "v": 1}
        ds._insert([item])
        change = await stream.get()
        ds._update([{"id": 1, "v": 2}])
        ds._patch({"id": 1}, {"v": 3})
    assert change.data == {"id": 1, "v": 1}
    assert change.data is not item and ds.get({"id": 1}) is item


async def test_keyless_watch_copies_too() -> None:
    ds = topgun.DataStore()
    with ds.watch() as stream:
        row = {"n": 1}
        ds._insert([row])
        ds._patch(row, {"n": 2})
        first, second = await stream.get(), await stream.get()
    assert (first.operation, first.data) == ("insert", {"n": 1})
    assert (second.operation, second.data, second.source) == ("update", {"n": 2}, {"n": 2})


async def test_watch_is_bounded_and_drops_oldest(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="topgun.store")
    ds = topgun.DataStore(name="busy")
    stream = ds.watch(maxsize=3)
    ds._insert([{"n": i} for i in range(10)])
    assert len(stream) == 3 and stream.dropped == 7
    assert [(await stream.get()).data["n"] for _ in range(3)] == [7, 8, 9]
    assert sum("drops its oldest" in r.getMessage() for r in caplog.records) == 1
    stream.close()
    with pytest.raises(ValueError, match="maxsize"):
        ds.watch(maxsize=0)


async def test_closing_a_stream_ends_iteration_after_the_buffer() -> None:
    ds = topgun.DataStore()
    stream = ds.watch()
    seen: list[int] = []

    async def reader() -> None:
        async for change in stream:
            seen.append(change.data["n"])

    task = asyncio.create_task(reader())
    ds._insert([{"n": 1}])
    await _settle()
    ds._insert([{"n": 2}])
    stream.close()
    await asyncio.wait_for(task, 1)
    assert seen == [1, 2]
    assert stream.closed and ds._streams == ()
    with pytest.raises(topgun.StreamClosedError):
        await stream.get()
    ds._insert([{"n": 3}])  # a closed stream gets nothing more
    assert stream.get_nowait() is None


async def test_a_forgotten_stream_detaches_itself() -> None:
    ds = topgun.DataStore()
    ds.watch()  # never kept
    gc.collect()
    assert ds._streams == ()


def test_without_watchers_no_change_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any) -> None:
        raise AssertionError("a StoreChange was built with nobody watching")

    monkeypatch.setattr(datastore_module, "StoreChange", refuse)
    keyed = topgun.DataStore(keys=["id"])
    keyed._insert([{"id": 1}])
    keyed._update([{"id": 1, "v": 1}])
    keyed._delete([{"id": 1}])
    log = topgun.DataStore()
    log._insert([{"n": 1}])
    log._clear()
    assert len(keyed) == len(log) == 0
