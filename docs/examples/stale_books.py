"""Follow Bybit's BTCUSDT order book and act on it only while it is known to be right.

Run it as it is (public data, no keys needed)::

    python stale_books.py

topgun checks every update of the book against Bybit's update ID. When one is missing (a gap) or
the connection drops (a reconnect follows), the book is *out of sync*: it serves no levels until a
fresh snapshot has rebuilt it, which topgun requests by itself. The loop below notices that,
says why, and waits with ``wait_synced`` instead of reading a broken book. A book that simply
stops changing may sit on a dead connection: after ``quiet`` seconds without a change the loop
proves the link alive with a ping (``app.heartbeat()`` reconnects when no pong comes back).
"""

import asyncio

import topgun

SYMBOL = "BTCUSDT"
URL = "wss://stream.bybit.com/v5/public/linear"


async def main(quotes: int | None = None, quiet: float = 30.0) -> None:
    async with topgun.Client() as client:
        store = topgun.BybitDataStore()
        book = store.orderbook
        app = client.ws_connect(
            URL,
            send_json={"op": "subscribe", "args": [f"orderbook.50.{SYMBOL}"]},
            hdlr_json=store.onmessage,
        )
        app.add_reconnect_listener(
            lambda app: print(f"reconnected ({app.stats.reconnects} so far)")
        )
        shown = None  # the best bid/ask printed last
        while quotes is None or quotes > 0:
            if not book.in_sync(SYMBOL):
                print(f"book out of sync ({book.out_of_sync_reason(SYMBOL)}): waiting")
                await book.wait_synced(SYMBOL)  # add timeout=... to give up at some point
                print("book back in sync")
            top = book.sorted({"s": SYMBOL}, limit=1)
            best = (top["b"][0]["p"], top["a"][0]["p"]) if top["a"] and top["b"] else None
            if best is not None and best != shown:
                print(f"{SYMBOL} {best[0]} / {best[1]}")  # act on the book here
                shown = best
                quotes = None if quotes is None else quotes - 1
                continue
            try:
                async with asyncio.timeout(quiet):
                    await book.wait()
            except TimeoutError:
                await app.heartbeat(timeout=5)
                print(f"no change for {quiet:g} s, but the connection answers")
        print(
            f"gaps: {book.stats.gaps}, repaired: {book.stats.recovered}, reconnects: {app.stats.reconnects}"
        )


if __name__ == "__main__":
    asyncio.run(main())
