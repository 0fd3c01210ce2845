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

from .test_bitflyer_samples import EVENTS, SAMPLES, child, execution, frame, order


def snapshot(store: bitFlyerDataStore) -> dict[str, list[dict[str, Any]]]:
    return {name: copy.deepcopy(list(store[name])) for name in store}


@pytest.mark.parametrize("bad_size", ["oops", True, math.nan, math.inf, None])
def test_a_bad_order_never_makes_a_later_message_half_apply(bad_size: Any) -> None:
    """The issue's case: an ORDER with a bad size, then [CANCEL B, EXECUTION A]."""
    store = bitFlyerDataStore()
    store.onmessage(frame(EVENTS, [order("JRF-B", "BUY", 15_000_000, 0.02)]))
    store.onmessage(frame(EVENTS, [order("JRF-A", "BUY", 15_000_000, bad_size)]))
    before = snapshot(store)
    skipped = store.skipped
    store.onmessage(
        frame(EVENTS, [child("CANCEL", "JRF-B"), execution("JRF-A", "BUY", 15_000_000, 0.01, 0)])
    )
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
        for event in (
            {**execution("JRF-X", "BUY", 15_000_000, 0.01, 0), field: bad},
            {**order("JRF-Y", "BUY", 15_000_000, 1), field: bad},
        ):
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
