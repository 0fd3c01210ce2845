"""Watch the BTC/JPY price gap between bitFlyer and GMO Coin from one process and one Client.

Run it with both exchanges' keys in the environment::

    BITFLYER_API_KEY=... BITFLYER_API_SECRET=... \\
    GMOCOIN_API_KEY=... GMOCOIN_API_SECRET=... python two_exchanges.py

One ``topgun.Client`` holds the keys of both exchanges: each request is signed the way the
exchange its URL points to expects (bitFlyer's headers for api.bitflyer.com, GMO Coin's for
api.coin.z.com), and neither exchange ever sees the other's key. Each exchange has its own
DataStore fed by its own WebSocket; one task per exchange turns the store's changes into quotes
on a shared queue, and the main loop compares the latest quote of each.
"""

import asyncio
import os
from typing import Any

import topgun

Quote = tuple[str, float, float]  # exchange, best bid, best ask


async def follow(exchange: str, store: Any, symbol: dict[str, str], queue: Any) -> None:
    """Put a quote on ``queue`` for each change of ``store``'s ticker for ``symbol``."""
    bid_field, ask_field = ("best_bid", "best_ask") if exchange == "bitflyer" else ("bid", "ask")
    with store.ticker.watch() as changes:
        async for change in changes:
            if all(change.data.get(field) == value for field, value in symbol.items()):
                ticker = change.data
                await queue.put((exchange, float(ticker[bid_field]), float(ticker[ask_field])))


async def main(updates: int | None = None) -> None:
    apis = {
        "bitflyer": [os.environ["BITFLYER_API_KEY"], os.environ["BITFLYER_API_SECRET"]],
        "gmocoin": [os.environ["GMOCOIN_API_KEY"], os.environ["GMOCOIN_API_SECRET"]],
    }
    async with topgun.Client(apis=apis) as client:
        balance, assets = await asyncio.gather(
            client.fetch("GET", "https://api.bitflyer.com/v1/me/getbalance"),
            client.fetch("GET", "https://api.coin.z.com/private/v1/account/assets"),
        )
        jpy = next(a for a in balance.data if a["currency_code"] == "JPY")
        print("bitFlyer JPY available:", jpy["available"])
        jpy = next(a for a in assets.data["data"] if a["symbol"] == "JPY")
        print("GMO Coin JPY available:", jpy["available"])

        bitflyer, gmocoin = topgun.bitFlyerDataStore(), topgun.GMOCoinDataStore()
        client.ws_connect(
            "wss://ws.lightstream.bitflyer.com/json-rpc",
            send_json={"method": "subscribe", "params": {"channel": "lightning_ticker_BTC_JPY"}},
            hdlr_json=bitflyer.onmessage,
        )
        client.ws_connect(
            "wss://api.coin.z.com/ws/public/v1",
            send_json={"command": "subscribe", "channel": "ticker", "symbol": "BTC"},
            hdlr_json=gmocoin.onmessage,
        )
        queue: asyncio.Queue[Quote] = asyncio.Queue()
        latest: dict[str, tuple[float, float]] = {}
        async with asyncio.TaskGroup() as tasks:
            followers = [
                tasks.create_task(follow("bitflyer", bitflyer, {"product_code": "BTC_JPY"}, queue)),
                tasks.create_task(follow("gmocoin", gmocoin, {"symbol": "BTC"}, queue)),
            ]
            seen = 0
            while updates is None or seen < updates:
                exchange, bid, ask = await queue.get()
                latest[exchange] = (bid, ask)
                seen += 1
                if len(latest) < 2:
                    continue
                # Buying where the ask is lowest and selling where the bid is highest.
                buy_at = min(latest, key=lambda name: latest[name][1])
                sell_at = max(latest, key=lambda name: latest[name][0])
                gap = latest[sell_at][0] - latest[buy_at][1]
                if buy_at != sell_at and gap > 0:
                    print(
                        f"buy on {buy_at} at {latest[buy_at][1]:.0f}, "
                        f"sell on {sell_at} at {latest[sell_at][0]:.0f}: {gap:.0f} JPY/BTC"
                    )
                else:
                    print(f"no gap: {latest}")
            for follower in followers:
                follower.cancel()


if __name__ == "__main__":
    asyncio.run(main())
