"""bitFlyerDataStore applies a message whole or not at all: a regression and the fuzz kit.

Sample messages follow the realtime API docs: https://bf-lightning-api.readme.io/docs/
realtime-board-snapshot, realtime-board, realtime-ticker, realtime-executions,
realtime-child-order-events and realtime-parent-order-events (JSON-RPC 2.0 channelMessage).
"""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest

from topgun.testing import assert_store_fuzz
from topgun_bitflyer.store import bitFlyerDataStore


def frame(channel: str, message: Any) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "method": "channelMessage",
        "params": {"channel": channel, "message": message},
    }


def child(event_type: str, acceptance_id: str, product: str = "FX_BTC_JPY", **fields: Any) -> Any:
    return {
        "product_code": product,
        "child_order_id": "JOR" + acceptance_id[3:],
        "child_order_acceptance_id": acceptance_id,
        "event_date": "2024-06-07T01:23:45.6789012Z",
        "event_type": event_type,
        **fields,
    }


def order(acceptance_id: str, size: Any, product: str = "FX_BTC_JPY") -> Any:
    return child(
        "ORDER",
        acceptance_id,
        product,
        child_order_type="LIMIT",
        side="BUY",
        price=15_000_000,
        size=size,
        expire_date="2024-07-07T01:23:45",
    )


def execution(acceptance_id: str, size: Any, product: str = "FX_BTC_JPY", **more: Any) -> Any:
    fields = {"exec_id": 1, "side": "BUY", "price": 15_000_000, "size": size}
    return child("EXECUTION", acceptance_id, product, **{**fields, "commission": 0, **more})


EVENTS = "child_order_events"
SAMPLES: list[Any] = [
    frame(
        "lightning_board_snapshot_BTC_JPY",
        {
            "mid_price": 15_000_000,
            "bids": [{"price": 14_999_000, "size": 0.5}, {"price": 14_998_000, "size": 1}],
            "asks": [{"price": 15_001_000, "size": 0.25}, {"price": 15_002_000, "size": 2}],
        },
    ),
    frame(
        "lightning_board_BTC_JPY",
        {
            "mid_price": 15_000_500,
            "bids": [{"price": 14_999_000, "size": 0}, {"price": 15_000_000, "size": 0.1}],
            "asks": [{"price": 15_001_000, "size": 0.3}],
        },
    ),
    frame(
        "lightning_ticker_BTC_JPY",
        {"product_code": "BTC_JPY", "timestamp": "2024-06-07T01:23:45Z", "ltp": 15_000_000},
    ),
    frame(
        "lightning_executions_BTC_JPY",
        [{"id": 1, "side": "BUY", "price": 15_000_000, "size": 0.01, "exec_date": "2024"}],
    ),
    frame(EVENTS, [order("JRF20240607-000001", 0.01), order("JRF20240607-000002", 0.02)]),
    frame(
        EVENTS,
        [
            child("CANCEL", "JRF20240607-000002"),
            execution("JRF20240607-000001", 0.005, outstanding_size=0.005),
        ],
    ),
    frame(EVENTS, [order("JRF20240607-000003", 0.1, "BTC_JPY")]),
    frame(EVENTS, [execution("JRF20240607-000003", 0.1, "BTC_JPY")]),
    frame(
        "parent_order_events",
        [
            {
                "product_code": "FX_BTC_JPY",
                "parent_order_id": "JCO20240607-000001",
                "parent_order_acceptance_id": "JRF20240607-000010",
                "event_date": "2024-06-07T01:23:45Z",
                "event_type": "ORDER",
                "parent_order_type": "IFD",
            }
        ],
    ),
]


def snapshot(store: bitFlyerDataStore) -> dict[str, list[dict[str, Any]]]:
    return {name: copy.deepcopy(list(store[name])) for name in store}


@pytest.mark.parametrize("bad_size", ["oops", True, math.nan, math.inf, None])
def test_a_bad_order_never_makes_a_later_message_half_apply(bad_size: Any) -> None:
    """The issue's case: an ORDER with a bad size, then [CANCEL B, EXECUTION A]."""
    store = bitFlyerDataStore()
    store.onmessage(frame(EVENTS, [order("JRF-B", 0.02)]))
    store.onmessage(frame(EVENTS, [order("JRF-A", bad_size)]))
    before = snapshot(store)
    skipped = store.skipped
    store.onmessage(frame(EVENTS, [child("CANCEL", "JRF-B"), execution("JRF-A", 0.01)]))
    if store.skipped != skipped:  # skipped: then nothing at all changed
        assert snapshot(store) == before
    else:  # applied whole: B cancelled, and A never became an open order
        assert store.childorders.get({"child_order_acceptance_id": "JRF-B"}) is None
    assert store.childorders.get({"child_order_acceptance_id": "JRF-A"}) is None
    assert store.handler_errors == 0


@pytest.mark.parametrize("bad", [True, False, math.nan, math.inf, -math.inf])
def test_booleans_nan_and_infinities_are_not_sizes_or_prices(bad: Any) -> None:
    store = bitFlyerDataStore()
    store.onmessage(SAMPLES[0])
    for field in ("price", "size"):
        for channel in ("lightning_board_snapshot_BTC_JPY", "lightning_board_BTC_JPY"):
            level = {"price": 15_003_000, "size": 1, field: bad}
            before = snapshot(store)
            skipped = store.skipped
            store.onmessage(frame(channel, {"mid_price": 15_000_000, "asks": [level], "bids": []}))
            assert store.skipped == skipped + 1, (channel, field, bad)
            assert snapshot(store) == before
        for event in ({**execution("JRF-X", 0.01), field: bad}, {**order("JRF-Y", 1), field: bad}):
            before = snapshot(store)
            skipped = store.skipped
            store.onmessage(frame(EVENTS, [event]))
            assert store.skipped == skipped + 1, (event, field, bad)
            assert snapshot(store) == before
    store.onmessage(frame("lightning_board_BTC_JPY", {"mid_price": bad, "asks": [], "bids": []}))
    assert store.board.mid_price["BTC_JPY"] == 15_000_000
    assert store.handler_errors == 0


def test_fuzz_bitflyer_datastore() -> None:
    report = assert_store_fuzz(bitFlyerDataStore, SAMPLES, rounds=3000, seed=10)
    assert report.skipped > 500 and report.applied > 500  # both paths were exercised
