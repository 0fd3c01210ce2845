"""GMOCoinDataStore through the store fuzz kit: malformed messages are skipped whole.

Samples are the docs' examples (https://api.coin.z.com/docs/, see test_gmocoin_store.py), in an
order that builds state to corrupt: an order, its partial execution, a position, its update.
"""

from __future__ import annotations

from topgun.testing import assert_store_fuzz
from topgun_gmocoin.store import GMOCoinDataStore

ORDERBOOKS = {
    "channel": "orderbooks",
    "asks": [{"price": "455659", "size": "0.1"}, {"price": "455658", "size": "0.2"}],
    "bids": [{"price": "455665", "size": "0.1"}, {"price": "455655", "size": "0.3"}],
    "symbol": "BTC",
    "timestamp": "2018-03-30T12:34:56.789Z",
}
SAMPLES = [
    {
        "channel": "ticker",
        "ask": "750760",
        "bid": "750600",
        "high": "762302",
        "last": "756662",
        "low": "704874",
        "symbol": "BTC",
        "timestamp": "2018-03-30T12:34:56.789Z",
        "volume": "194785.8484",
    },
    ORDERBOOKS,
    {
        "channel": "trades",
        "price": "750760",
        "side": "BUY",
        "size": "0.1",
        "timestamp": "2018-03-30T12:34:56.789Z",
        "symbol": "BTC",
    },
    {
        "channel": "orderEvents",
        "orderId": 123456789,
        "symbol": "BTC_JPY",
        "settleType": "OPEN",
        "executionType": "LIMIT",
        "side": "BUY",
        "orderStatus": "ORDERED",
        "orderTimestamp": "2019-03-19T02:15:06.059Z",
        "orderPrice": "877200",
        "orderSize": "0.8",
        "orderExecutedSize": "0",
        "losscutPrice": "0",
        "timeInForce": "FAS",
        "msgType": "NOR",
    },
    {
        "channel": "executionEvents",
        "orderId": 123456789,
        "executionId": 72123911,
        "symbol": "BTC_JPY",
        "settleType": "OPEN",
        "executionType": "LIMIT",
        "side": "BUY",
        "executionPrice": "877404",
        "executionSize": "0.5",
        "positionId": 123456789,
        "orderTimestamp": "2019-03-19T02:15:06.081Z",
        "executionTimestamp": "2019-03-19T02:15:06.081Z",
        "lossGain": "0",
        "fee": "323",
        "orderPrice": "877200",
        "orderSize": "0.8",
        "orderExecutedSize": "0.5",
        "timeInForce": "FAS",
        "msgType": "ER",
    },
    {
        "channel": "positionEvents",
        "positionId": 1234567,
        "symbol": "BTC_JPY",
        "side": "BUY",
        "size": "0.22",
        "orderdSize": "0",
        "price": "876045",
        "lossGain": "14",
        "leverage": "4",
        "losscutPrice": "766540",
        "timestamp": "2019-03-19T02:15:06.094Z",
        "msgType": "OPR",
    },
    {
        "channel": "positionSummaryEvents",
        "symbol": "BTC_JPY",
        "side": "BUY",
        "averagePositionRate": "715656",
        "positionLossGain": "250",
        "sumOrderQuantity": "20",
        "sumPositionQuantity": "11.6999",
        "timestamp": "2019-03-19T02:15:06.102Z",
        "msgType": "PERIODIC",
    },
]


def test_fuzz() -> None:
    assert_store_fuzz(GMOCoinDataStore, SAMPLES)
