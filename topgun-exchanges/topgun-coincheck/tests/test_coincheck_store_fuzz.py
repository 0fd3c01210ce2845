"""CoincheckDataStore and CoincheckPrivateDataStore through the store fuzz kit.

Samples: https://coincheck.com/documents/exchange/api #websocket-trades, #websocket-order-book,
#websocket-order-events, #websocket-execution-events, and the limit-range update shape of the
reference library's tests (all in test_coincheck_samples.py). The public collection is primed with a REST snapshot so updates
meet a book in sync; the private one with an order fed from its POST reply.
"""

from __future__ import annotations

import copy

from yarl import URL

from topgun.testing import assert_store_fuzz
from topgun_coincheck.store import CoincheckDataStore, CoincheckPrivateDataStore

from .test_coincheck_samples import (
    EXECUTION_EVENT,
    LEGACY_SNAPSHOT,
    ORDER_EVENT,
    ORDER_REPLY,
    ORDERBOOK_DIFF,
    RANGED_SNAPSHOTS,
    TRADES,
    ask,
    bid,
    ranged,
)

PUBLIC_SAMPLES = [
    [TRADES[0]],
    ORDERBOOK_DIFF,
    ranged("102", [ask("100.0", "1.0")], [bid("98.0", "4.0")], at="1020", pair="eth_jpy"),
]
PRIVATE_SAMPLES = [ORDER_EVENT, EXECUTION_EVENT]


def public_store() -> CoincheckDataStore:
    """btc_jpy synced from the documented REST book, eth_jpy from a limit-range snapshot."""
    store = CoincheckDataStore()
    url = URL("https://coincheck.com/api/order_books")
    store.orderbook._onresponse(copy.deepcopy(LEGACY_SNAPSHOT), url.with_query(pair="btc_jpy"))
    ranged_book = {**copy.deepcopy(RANGED_SNAPSHOTS["101"]), "sequence_number": "101"}
    store.orderbook._onresponse(ranged_book, url.with_query(pair="eth_jpy", version="1.0"))
    return store


def private_store() -> CoincheckPrivateDataStore:
    store = CoincheckPrivateDataStore()
    store.order.feed_response(copy.deepcopy(ORDER_REPLY))
    return store


def test_public_fuzz() -> None:
    assert_store_fuzz(CoincheckDataStore, PUBLIC_SAMPLES)  # books waiting for a snapshot
    assert_store_fuzz(public_store, PUBLIC_SAMPLES, rounds=2000)  # books in sync


def test_private_fuzz() -> None:
    assert_store_fuzz(CoincheckPrivateDataStore, PRIVATE_SAMPLES)  # no order fed: none changes
    assert_store_fuzz(private_store, PRIVATE_SAMPLES, rounds=2000)  # an order to corrupt
