"""Place a limit order on bitFlyer and follow it until it is filled, from the private stream.

Run it with your keys in the environment (it buys 0.01 BTC of the FX_BTC_JPY CFD at the best
bid, so it may really trade)::

    BITFLYER_API_KEY=... BITFLYER_API_SECRET=... python order_tracking.py

The private ``child_order_events`` channel keeps the open orders and positions current; once it
is logged in and subscribed, ``initialize()`` loads what they are now from the REST API. The
order is sent only after that, and the store is watched before the order goes out, so not one
of its events can be missed. After a reconnect, events may have been lost while the connection
was down, so orders and positions are loaded from the REST API again: an order that was filled
meanwhile leaves the open orders then, like one filled while connected.
"""

import asyncio
import os
from typing import Any

import topgun

PRODUCT = "FX_BTC_JPY"
SIZE = 0.01  # BTC
WS_URL = "wss://ws.lightstream.bitflyer.com/json-rpc"


async def load_orders_and_positions(client: topgun.Client, store: Any) -> None:
    """Replace the open orders and positions of PRODUCT with what the REST API says now."""
    await store.initialize(
        client.get(
            "/v1/me/getchildorders",
            params={"product_code": PRODUCT, "child_order_state": "ACTIVE"},
        ),
        client.get("/v1/me/getpositions", params={"product_code": PRODUCT}),
    )


async def main() -> None:
    apis = {"bitflyer": [os.environ["BITFLYER_API_KEY"], os.environ["BITFLYER_API_SECRET"]]}
    async with topgun.Client(apis=apis, base_url="https://api.bitflyer.com") as client:
        store = topgun.bitFlyerDataStore()
        # The client has bitFlyer keys, so it logs this connection in before subscribing.
        app = client.ws_connect(
            WS_URL,
            send_json={"method": "subscribe", "params": {"channel": "child_order_events"}},
            hdlr_json=store.onmessage,
        )
        # On a reconnect, reload from REST what the lost events would have changed. The task
        # belongs to the client: closing the client cancels and awaits it.
        app.add_reconnect_listener(
            lambda app: client.run_task(load_orders_and_positions(client, store))
        )
        await app.ready()  # logged in and subscribed: from here on no event is missed
        # Then the REST state: subscribed first, so nothing can happen between the two unseen.
        await load_orders_and_positions(client, store)
        print(f"open orders: {len(store.childorders)}, position lots: {len(store.positions)}")

        ticker = await client.fetch("GET", "/v1/getticker", params={"product_code": PRODUCT})
        price = ticker.data["best_bid"]
        order = {
            "product_code": PRODUCT,
            "child_order_type": "LIMIT",
            "side": "BUY",
            "price": price,
            "size": SIZE,
        }
        # Watch before sending: the order's first events may arrive before the reply does.
        with store.childorders.watch() as changes:
            sent = await client.fetch("POST", "/v1/me/sendchildorder", data=order)
            if sent.response.status != 200:
                raise SystemExit(f"order refused: {sent.data}")
            order_id = sent.data["child_order_acceptance_id"]
            print(f"sent {order_id}: BUY {SIZE} at {price}")
            async for change in changes:
                if change.data["child_order_acceptance_id"] != order_id:
                    continue  # another order of this account
                if change.operation == "delete":
                    break  # filled, cancelled or expired: it is no longer open
                print(f"{order_id} open: {change.data['size']} BTC left")

        events = store.childorderevents.find({"child_order_acceptance_id": order_id})
        print(f"{order_id} is no longer open; events seen:", [e["event_type"] for e in events])
        for lot in store.positions.find({"product_code": PRODUCT}):
            print(f"position: {lot['side']} {lot['size']} at {lot['price']}")


if __name__ == "__main__":
    asyncio.run(main())
