"""A bitFlyer bot that stops cleanly on Ctrl+C or SIGTERM (``kill``, ``docker stop``, systemd).

Run it with your keys in the environment, then press Ctrl+C::

    BITFLYER_API_KEY=... BITFLYER_API_SECRET=... python graceful_shutdown.py

It places a small buy order below the market each time the ticker moves. On a signal it stops in
an order that leaves nothing behind: first the task that places orders is cancelled and awaited
(so no order can go out after the next step), then every open order is cancelled, then the
client closes, which closes its WebSocket and awaits every task it owns. The process exits
with status 0; a second signal while stopping ends it at once.
"""

import asyncio
import os
import signal
from typing import Any

import topgun

PRODUCT = "FX_BTC_JPY"
WS_URL = "wss://ws.lightstream.bitflyer.com/json-rpc"


async def quote(client: topgun.Client, store: Any) -> None:
    """Place a buy 1% below the last price each time it moves, until cancelled."""
    last = None
    while True:
        # Read first, then wait: a move during the previous order's request is not missed.
        ticker = store.ticker.get({"product_code": PRODUCT})
        if ticker is None or ticker["ltp"] == last:
            await store.ticker.wait()
            continue
        last = ticker["ltp"]
        order = {
            "product_code": PRODUCT,
            "child_order_type": "LIMIT",
            "side": "BUY",
            "price": int(ticker["ltp"] * 0.99),
            "size": 0.01,
        }
        result = await client.fetch("POST", "/v1/me/sendchildorder", data=order)
        print(f"placed BUY at {order['price']}: {result.data}", flush=True)


async def main() -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals = (signal.SIGINT, signal.SIGTERM)

    def on_signal(signum: signal.Signals) -> None:
        print(f"{signum.name}: stopping", flush=True)
        stop.set()
        for sig in signals:  # a second signal ends the process at once, the default way
            loop.remove_signal_handler(sig)

    for sig in signals:
        loop.add_signal_handler(sig, on_signal, sig)

    apis = {"bitflyer": [os.environ["BITFLYER_API_KEY"], os.environ["BITFLYER_API_SECRET"]]}
    async with topgun.Client(apis=apis, base_url="https://api.bitflyer.com") as client:
        store = topgun.bitFlyerDataStore()
        app = client.ws_connect(
            WS_URL,
            send_json={"method": "subscribe", "params": {"channel": f"lightning_ticker_{PRODUCT}"}},
            hdlr_json=store.onmessage,
        )
        await app.ready()
        print("running; Ctrl+C to stop", flush=True)

        # 1. Stop placing orders, and wait until the task has really finished: a request it had
        #    in flight is either sent or abandoned by then, never sent later.
        quoting = asyncio.create_task(quote(client, store))
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait([quoting, stopping], return_when=asyncio.FIRST_COMPLETED)
        quoting.cancel()
        stopping.cancel()
        await asyncio.gather(quoting, stopping, return_exceptions=True)
        if not quoting.cancelled() and quoting.exception() is not None:
            print(f"the quoting task failed: {quoting.exception()!r}", flush=True)

        # 2. Cancel what is still open, while the client is still there to sign the request.
        await client.fetch("POST", "/v1/me/cancelallchildorders", data={"product_code": PRODUCT})
        print("open orders cancelled", flush=True)

    # 3. Leaving ``async with`` closed the client: its WebSocket and every task it owned.
    print(f"client closed: {client.closed}, WebSocket: {app.state}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
