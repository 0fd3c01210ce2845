"""What pybotters 1.11.2's public tests/test_store.py expects of DataStore and
DataStoreCollection, checked against topgun's own implementation.

Expectations about internals (``_data``/``_index`` holding uuid4s, ``_hash``, ``_sweep_*``,
``_events``, ``_find_with_uuid``/``_remove``) have no counterpart: topgun keys items by the
tuple of their key fields. Each difference that remains is listed in docs/migrating.rst.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import topgun


def test_collection_create_get_contains_and_init_hook() -> None:
    called = []

    class Sub(topgun.DataStoreCollection):
        def _init(self) -> None:
            called.append(True)

    collection = Sub()
    collection._create("example")
    assert called == [True]
    assert "example" in collection
    assert isinstance(collection["example"], topgun.DataStore)
    assert isinstance(collection._get("example", topgun.DataStore), topgun.DataStore)
    assert collection._get("missing") is None
    with pytest.raises(KeyError):
        collection["missing"]


def test_collection_onmessage_hands_the_ws_to_the_subclass() -> None:
    seen: list[Any] = []

    class Sub(topgun.DataStoreCollection):
        def _onmessage(self, msg: Any, ws: Any = None) -> None:
            seen.append((msg, ws))

    marker = object()
    Sub().onmessage({"foo": "bar"}, marker)
    assert seen == [({"foo": "bar"}, marker)]


def test_datastore_construct_keys_data_and_init_hook() -> None:
    assert len(topgun.DataStore()) == 0 and topgun.DataStore().keys == ()
    assert topgun.DataStore(keys=["foo", "bar"]).keys == ("foo", "bar")
    rows = [{"foo": "value1", "bar": "value1"}, {"foo": "value2", "bar": "value2"}]
    assert len(topgun.DataStore(data=rows)) == 2
    assert len(topgun.DataStore(keys=["foo", "bar"], data=rows)) == 2
    called = []

    class WithKeys(topgun.DataStore):
        _KEYS = ("foo", "bar")

        def _init(self) -> None:
            called.append(True)

    assert WithKeys().keys == ("foo", "bar") and called == [True]


def test_insert_update_delete_on_keyed_and_keyless_stores() -> None:
    data = [{"foo": f"bar{i}"} for i in range(1000)]
    keyed = topgun.DataStore(keys=["foo"])
    keyed._insert(data)
    assert len(keyed) == 1000
    assert len(topgun.DataStore(data=data)) == 1000
    invalid = topgun.DataStore(keys=["invalid"])
    invalid._insert(data)
    assert len(invalid) == 0  # items without the key field are not stored
    replaced = topgun.DataStore(keys=["foo"], data=[{"foo": "bar1", "old": "baz"}])
    replaced._insert([{"foo": "bar1", "new": "foobar"}])
    assert replaced.get({"foo": "bar1"}) == {"foo": "bar1", "new": "foobar"}  # replaced whole

    updated = topgun.DataStore(keys=["foo"], data=data)
    updated._update(data)
    assert len(updated) == 1000
    updated._update([{"foo": f"bar{i}"} for i in range(1000, 2000)])
    assert len(updated) == 2000
    merged = topgun.DataStore(keys=["id"], data=[{"id": 1, "data": "foo", "extra": "extra"}])
    merged._update([{"id": 1, "data": "bar"}])
    assert merged.get({"id": 1}) == {"id": 1, "data": "bar", "extra": "extra"}

    deleted = topgun.DataStore(keys=["foo"], data=data)
    deleted._delete([{"foo": f"bar{i}"} for i in range(1000, 2000)])
    deleted._delete([{"invalid": "x"}])
    assert len(deleted) == 1000
    deleted._delete(data)
    assert len(deleted) == 0


def test_get_find_pop_find_and_delete_clear_len_iter_reversed() -> None:
    data = [{"foo": f"bar{i}", "mod": i % 2} for i in range(1000)]
    ds = topgun.DataStore(keys=["foo"], data=data)
    assert ds.get({"foo": "bar500"}) == {"foo": "bar500", "mod": 0}
    assert ds.get({"foo": "bar9999"}) is None
    assert topgun.DataStore(data=data).get({"foo": "bar500"}) is None
    assert topgun.DataStore(keys=["foobar"], data=data).get({"foo": "bar500"}) is None
    assert len(ds.find()) == 1000 and len(ds.find({"mod": 1})) == 500
    assert ds.find({"mod": -1}) == []

    assert ds._pop({"foo": "bar500"}) == {"foo": "bar500", "mod": 0}
    assert ds.get({"foo": "bar500"}) is None and ds._pop({"foo": "bar9999"}) is None
    assert topgun.DataStore(data=data)._pop({"foo": "bar1"}) is None

    removed = ds._find_and_delete({"mod": 1})
    assert len(removed) == 500 and all(item["mod"] == 1 for item in removed)
    assert len(ds) == 499 and ds._find_and_delete({"mod": -1}) == []
    assert len(ds._find_and_delete()) == 499 and len(ds) == 0

    five = topgun.DataStore(keys=["foo"], data=[{"foo": f"bar{i}"} for i in range(5)])
    assert [item["foo"] for item in five] == [f"bar{i}" for i in range(5)]
    assert [item["foo"] for item in reversed(five)] == [f"bar{i}" for i in reversed(range(5))]
    five._clear()
    assert len(five) == 0


ROWS = [
    {"name": "foo", "id": "2", "sort_type": "desc"},
    {"name": "foo", "id": "5", "sort_type": "asc"},
    {"name": "bar", "id": "6", "sort_type": "asc"},
    {"name": "bar", "id": "1", "sort_type": "desc"},
    {"name": "foo", "id": "4", "sort_type": "asc"},
    {"name": "foo", "id": "3", "sort_type": "desc"},
]


@pytest.mark.parametrize(
    ("query", "limit", "asc", "desc"),
    [
        (None, None, ["4", "5", "6"], ["3", "2", "1"]),
        ({"name": "foo"}, None, ["4", "5"], ["3", "2"]),
        (None, 1, ["4"], ["3"]),
    ],
)
def test_sorted_helper_for_custom_books(
    query: dict[str, str] | None, limit: int | None, asc: list[str], desc: list[str]
) -> None:
    ds = topgun.DataStore(keys=["name", "id", "sort_type"], data=ROWS)
    result = ds._sorted("sort_type", "asc", "desc", "id", query=query, limit=limit)
    assert [item["id"] for item in result["asc"]] == asc
    assert [item["id"] for item in result["desc"]] == desc


async def test_wait_returns_after_each_kind_of_change() -> None:
    ds = topgun.DataStore(keys=["id"])
    loop = asyncio.get_running_loop()
    for change, args in [
        (ds._insert, [{"id": 1, "val": 1}, {"id": 2, "val": 2}, {"id": 3, "val": 3}]),
        (ds._update, [{"id": 1, "val": None}]),
        (ds._delete, [{"id": 1}]),
        (ds._pop, {"id": 2}),
        (ds._clear, None),
    ]:
        waiter = loop.create_task(ds.wait())
        loop.call_soon(change) if args is None else loop.call_soon(change, args)
        await asyncio.wait_for(waiter, 5)


async def test_watch_streams_an_update_with_its_source() -> None:
    ds = topgun.DataStore(keys=["id"], data=[{"id": 1, "data": "foo", "extra": "extra"}])
    with ds.watch() as stream:
        assert isinstance(stream, topgun.StoreStream)
        ds._update([{"id": 1, "data": "bar"}])
        change = await asyncio.wait_for(anext(aiter(stream)), 5)
    assert change.operation == "update"
    assert change.source == {"id": 1, "data": "bar"}
    assert change.data == {"id": 1, "data": "bar", "extra": "extra"}
    assert change.store is ds
