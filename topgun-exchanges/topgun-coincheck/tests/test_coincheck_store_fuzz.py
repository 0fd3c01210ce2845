"""CoincheckDataStore and CoincheckPrivateDataStore through the store fuzz kit.

Samples: https://coincheck.com/documents/exchange/api #websocket-trades, #websocket-order-book,
#websocket-order-events, #websocket-execution-events, and the limit-range update shape of the
reference library's tests. The public collection is primed with a REST snapshot so updates
meet a book in sync; the private one with an order fed from its POST reply.
"""

from __future__ import annotations

from yarl import URL

from topgun.testing import assert_store_fuzz
from topgun_coincheck.store import CoincheckDataStore, CoincheckPrivateDataStore

PUBLIC_SAMPLES = [
    [["1663318663", "2357062", "btc_jpy", "2820896.0", "5.0", "sell", "1193401", "2078767"]],
    [
        "btc_jpy",
        {
            "bids": [["148634.0", "0"], ["148633.0", "0.0574"]],
            "asks": [["148834.0", "0"], ["148833.0", "0.0574"]],
            "last_update_at": "1659321701",
        },
    ],
    [
        "eth_jpy",
        {
            "upper": [{"rate": "100.0", "ask_amount": "1.0", "bid_amount": "0.0"}],
            "lower": [{"rate": "98.0", "ask_amount": "0.0", "bid_amount": "4.0"}],
            "sequence_number": "102",
            "last_update_at": "1020",
        },
    ],
]
PRIVATE_SAMPLES = [
    {
        "channel": "order-events",
        "id": 8173686428,
        "pair": "btc_jpy",
        "order_event": "PARTIALLY_FILL",
        "order_type": "buy",
        "rate": "16998705.0",
        "stop_loss_rate": None,
        "maker_fee_rate": "0.0",
        "taker_fee_rate": "0.0",
        "amount": "0.0064",
        "market_buy_amount": None,
        "latest_executed_amount": "0.001",
        "latest_executed_market_buy_amount": None,
        "expired_type": None,
        "prevented_match_id": None,
        "expired_amount": None,
        "expired_market_buy_amount": None,
        "time_in_force": "good_til_cancelled",
        "event_time": "2025-09-29T14:50:24.000Z",
    },
    {
        "channel": "execution-events",
        "id": 583710515,
        "order_id": 8047158658,
        "event_time": "2025-08-24T04:52:25.000Z",
        "funds": {"btc": "0.005", "jpy": "-84628.36"},
        "pair": "btc_jpy",
        "rate": "16925672.0",
        "fee_currency": None,
        "fee": "0.0",
        "liquidity": "T",
        "side": "buy",
    },
]


def public_store() -> CoincheckDataStore:
    store = CoincheckDataStore()
    for pair, body in (
        ("btc_jpy", {"asks": [["148833.0", "1.0"]], "bids": [["148633.0", "2.0"]]}),
        (
            "eth_jpy",
            {
                "upper": [{"rate": "101.0", "ask_amount": "2.0", "bid_amount": "0.0"}],
                "lower": [{"rate": "99.0", "ask_amount": "0.0", "bid_amount": "3.0"}],
                "sequence_number": "101",
            },
        ),
    ):
        url = URL("https://coincheck.com/api/order_books").with_query(pair=pair)
        store.orderbook._onresponse(body, url)
    return store


def private_store() -> CoincheckPrivateDataStore:
    store = CoincheckPrivateDataStore()
    store.order.feed_response(
        {
            "success": True,
            "id": 8173686428,
            "amount": "0.0064",
            "rate": "16998705.0",
            "order_type": "buy",
            "pair": "btc_jpy",
            "created_at": "2025-09-29T14:50:21.000Z",
            "market_buy_amount": None,
            "time_in_force": "good_til_cancelled",
            "stop_loss_rate": None,
        }
    )
    return store


def test_public_fuzz() -> None:
    assert_store_fuzz(CoincheckDataStore, PUBLIC_SAMPLES)  # books waiting for a snapshot
    assert_store_fuzz(public_store, PUBLIC_SAMPLES, rounds=2000)  # books in sync


def test_private_fuzz() -> None:
    assert_store_fuzz(CoincheckPrivateDataStore, PRIVATE_SAMPLES)  # no order fed: none changes
    assert_store_fuzz(private_store, PRIVATE_SAMPLES, rounds=2000)  # an order to corrupt
