"""GMO Coin's documented messages, shared by the store tests and the store fuzz test.

WebSocket pushes and REST replies are the examples of https://api.coin.z.com/docs/ (read through
the copy at https://gmo-docs.shion1305.com/docs/websocket/): #ws-ticker, #ws-orderbooks,
#ws-trades, #ws-execution-events, #ws-order-events, #ws-position-events,
#ws-position-summary-events, and the REST replies of #latest-executions, #active-orders,
#open-positions, #position-summary.
"""

from __future__ import annotations

import copy
from typing import Any

TICKER = {
    "channel": "ticker",
    "ask": "750760",
    "bid": "750600",
    "high": "762302",
    "last": "756662",
    "low": "704874",
    "symbol": "BTC",
    "timestamp": "2018-03-30T12:34:56.789Z",
    "volume": "194785.8484",
}
ORDERBOOKS = {
    "channel": "orderbooks",
    "asks": [{"price": "455659", "size": "0.1"}, {"price": "455658", "size": "0.2"}],
    "bids": [{"price": "455665", "size": "0.1"}, {"price": "455655", "size": "0.3"}],
    "symbol": "BTC",
    "timestamp": "2018-03-30T12:34:56.789Z",
}
TRADES = {
    "channel": "trades",
    "price": "750760",
    "side": "BUY",
    "size": "0.1",
    "timestamp": "2018-03-30T12:34:56.789Z",
    "symbol": "BTC",
}
ORDER_EVENT = {
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
}
EXECUTION_EVENT = {
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
}
POSITION = {
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
}
"""The docs' position: the #open-positions row, and the #ws-position-events push around it."""
POSITION_EVENT = {"channel": "positionEvents", **POSITION, "msgType": "OPR"}
POSITION_SUMMARY_EVENT = {
    "channel": "positionSummaryEvents",
    "symbol": "BTC_JPY",
    "side": "BUY",
    "averagePositionRate": "715656",
    "positionLossGain": "250",
    "sumOrderQuantity": "20",
    "sumPositionQuantity": "11.6999",
    "timestamp": "2019-03-19T02:15:06.102Z",
    "msgType": "PERIODIC",
}


def reply(row: dict[str, Any], responsetime: str, *, paginated: bool = False) -> dict[str, Any]:
    """A documented REST reply listing ``row`` (``paginated`` like #active-orders)."""
    data: dict[str, Any] = {"pagination": {"currentPage": 1, "count": 30}} if paginated else {}
    return {"status": 0, "data": {**data, "list": [row]}, "responsetime": responsetime}


LATEST_EXECUTIONS = reply(
    {
        "executionId": 92123912,
        "orderId": 223456789,
        "positionId": 1234567,
        "symbol": "BTC",
        "side": "BUY",
        "settleType": "OPEN",
        "size": "0.02",
        "price": "1900000",
        "lossGain": "0",
        "fee": "223",
        "timestamp": "2019-03-19T02:15:06.086Z",
    },
    "2019-03-19T02:15:06.086Z",
)
ACTIVE_ORDERS = reply(
    {
        "rootOrderId": 123456789,
        "orderId": 123456789,
        "symbol": "BTC",
        "side": "BUY",
        "orderType": "NORMAL",
        "executionType": "LIMIT",
        "settleType": "OPEN",
        "size": "1",
        "executedSize": "0",
        "price": "840000",
        "losscutPrice": "0",
        "status": "ORDERED",
        "timeInForce": "FAS",
        "timestamp": "2019-03-19T01:07:24.217Z",
    },
    "2019-03-19T01:07:24.217Z",
    paginated=True,
)
OPEN_POSITIONS = reply(POSITION, "2019-03-19T02:15:06.095Z", paginated=True)
POSITION_SUMMARY = reply(
    {
        "averagePositionRate": "715656",
        "positionLossGain": "250675",
        "side": "BUY",
        "sumOrderQuantity": "2",
        "sumPositionQuantity": "11.6999",
        "symbol": "BTC_JPY",
    },
    "2019-03-19T02:15:06.102Z",
)
MAINTENANCE = {
    "status": 5,
    "messages": [
        {"message_code": "ERR-5201", "message_string": "MAINTENANCE. Please wait for a while"}
    ],
    "responsetime": "2019-03-19T02:15:06.102Z",
}


def fresh(message: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of a docs message (stores keep what they are given), with changes."""
    return {**copy.deepcopy(message), **changes}


SAMPLES = [
    TICKER,
    ORDERBOOKS,
    TRADES,
    ORDER_EVENT,
    EXECUTION_EVENT,
    POSITION_EVENT,
    POSITION_SUMMARY_EVENT,
]
"""Every channel once, in an order that builds state to corrupt: an order, its partial
execution, a position, its summary."""
