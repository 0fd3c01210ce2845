"""A small Bybit bot, written so that it can be tested offline: it is given its Client.

Each time the best bid of BTCUSDT's verified book moves, it places a post-only buy one tick
above it, and gives up on an order the exchange does not answer within ``order_timeout``
seconds (it is then unknown whether the order exists: a real bot would look it up).
"""

import asyncio
from typing import Any

import topgun

SYMBOL = "BTCUSDT"
TICK = 0.1
WS_URL = "wss://stream.bybit.com/v5/public/linear"


async def run(client: topgun.Client, *, orders: int, order_timeout: float = 5.0) -> list[str]:
    """Place ``orders`` orders; return what happened to each (``"<price>: <orderId>"`` or
    ``"<price>: timed out"``)."""
    store = topgun.BybitDataStore()
    book = store.orderbook
    client.ws_connect(
        WS_URL,
        send_json={"op": "subscribe", "args": [f"orderbook.50.{SYMBOL}"]},
        hdlr_json=store.onmessage,
    )
    outcomes: list[str] = []
    quoted = None
    while len(outcomes) < orders:
        await book.wait_synced(SYMBOL)  # never price an order from a broken book
        bids = book.sorted({"s": SYMBOL}, limit=1)["b"]
        if not bids or bids[0]["p"] == quoted:
            await book.wait()
            continue
        quoted = bids[0]["p"]
        price = f"{float(quoted) + TICK:.1f}"
        outcomes.append(f"{price}: {await place(client, price, order_timeout)}")
    return outcomes


async def place(client: topgun.Client, price: str, order_timeout: float) -> str:
    order: dict[str, Any] = {
        "category": "linear",
        "symbol": SYMBOL,
        "side": "Buy",
        "orderType": "Limit",
        "qty": "0.001",
        "price": price,
        "timeInForce": "PostOnly",
    }
    try:
        async with asyncio.timeout(order_timeout):
            result = await client.fetch("POST", "https://api.bybit.com/v5/order/create", data=order)
    except TimeoutError:
        return "timed out"
    if result.data["retCode"] != 0:
        return f"refused: {result.data['retMsg']}"
    return str(result.data["result"]["orderId"])
