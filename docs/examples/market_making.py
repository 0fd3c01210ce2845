"""Quote just inside bitFlyer's best bid and ask, and only while the order book is verified.

Run it with your keys in the environment::

    BITFLYER_API_KEY=... BITFLYER_API_SECRET=... python market_making.py

Each time the best bid or ask changes, it reads them from a book topgun has checked (a book that
lost messages, after a reconnect say, is out of sync: it serves nothing until it has repaired
itself), and places a buy one tick above the best bid and a sell one tick below the best ask while
the spread leaves room for both. The book is read again after each round of orders, before
waiting, so a change that arrived while the orders were being placed is not missed.
"""

import asyncio
import os

import topgun

PRODUCT = "BTC_JPY"
SIZE = 0.001  # BTC per order
TICK = 1  # JPY
WS_URL = "wss://ws.lightstream.bitflyer.com/json-rpc"


def subscribe(channel: str) -> dict[str, object]:
    return {"method": "subscribe", "params": {"channel": channel}}


async def place(client: topgun.Client, side: str, price: float) -> object:
    order = {
        "product_code": PRODUCT,
        "child_order_type": "LIMIT",
        "side": side,
        "price": price,
        "size": SIZE,
        "minute_to_expire": 1,
    }
    result = await client.fetch("POST", "/v1/me/sendchildorder", data=order)
    return result.data


async def main(rounds: int | None = None) -> None:
    apis = {"bitflyer": [os.environ["BITFLYER_API_KEY"], os.environ["BITFLYER_API_SECRET"]]}
    async with topgun.Client(apis=apis, base_url="https://api.bitflyer.com") as client:
        store = topgun.bitFlyerDataStore()
        await client.ws_connect(
            WS_URL,
            # the snapshot channel brings the first full book; the diff channel keeps it current
            send_json=[
                subscribe(f"lightning_board_snapshot_{PRODUCT}"),
                subscribe(f"lightning_board_{PRODUCT}"),
            ],
            hdlr_json=store.onmessage,
        )
        book = store.board
        quoted_from = None  # the best bid/ask the last quotes were made from
        quoted = 0
        while rounds is None or quoted < rounds:
            # Returns at once while the book is in sync; after a gap or a reconnect it waits
            # until topgun has repaired the book, so no quote is made from a broken one.
            await book.wait_synced(PRODUCT, timeout=60)
            top = book.sorted({"product_code": PRODUCT}, limit=1)
            best = (top["bids"][0]["price"], top["asks"][0]["price"]) if all(top.values()) else None
            if best is None or best == quoted_from or best[1] - best[0] <= 2 * TICK:
                await book.wait()  # nothing new to quote from: wait until the book changes
                continue
            bid, ask = best
            buy, sell = await asyncio.gather(
                place(client, "BUY", bid + TICK), place(client, "SELL", ask - TICK)
            )
            print(f"best {bid}/{ask}: quoted {bid + TICK}/{ask - TICK}", buy, sell)
            quoted_from = best
            quoted += 1


if __name__ == "__main__":
    asyncio.run(main())
