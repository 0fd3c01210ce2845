"""The demo bot's realtime part: a private WebSocket that logs in, subscribes and survives a restart."""

from __future__ import annotations

import asyncio
from typing import Any

import topgun
from topgun.testing import LocalExchange

from .simulator import DEMO_KEY, DEMO_SECRET, Simulator

URL = "wss://ws.lightstream.bitflyer.com/json-rpc"
TICKER = "lightning_ticker_BTC_JPY"
SUBSCRIPTIONS = [
    {"method": "subscribe", "params": {"channel": TICKER}, "id": 1},
    {"method": "subscribe", "params": {"channel": "child_order_events"}, "id": 2},
]


def say(text: str = "") -> None:
    print(text, flush=True)


def describe(msg: Any) -> str:
    if "id" in msg:
        return f"subscription {msg['id']}: {'true' if msg.get('result') is True else msg}"
    channel, message = msg["params"]["channel"], msg["params"]["message"]
    if channel == TICKER:
        return f"{channel}: last price {message['ltp']:,.0f} JPY"
    events = ", ".join(
        f"{e['event_type']} {e['side']} {e['size']} {e['product_code']}" for e in message
    )
    return f"{channel}: {events}"


async def show(queue: topgun.WebSocketQueue, replies: int, tickers: int) -> None:
    """Print messages from the queue until that many subscription replies and tickers came."""
    async with asyncio.timeout(10):
        async for msg in queue:
            say(f"   <- {describe(msg)}")
            if "id" in msg:
                replies -= 1
            elif msg["params"]["channel"] == TICKER:
                tickers -= 1
            if replies <= 0 and tickers <= 0:
                return


async def realtime(
    simulator: Simulator, exchange: LocalExchange, recorder: topgun.Recorder
) -> bool:
    say("5. Realtime API: topgun logs in (JSON-RPC auth: HMAC-SHA256 of timestamp + nonce), waits")
    say("   for the exchange's true, then subscribes; messages arrive through a WebSocketQueue.")
    queue = topgun.WebSocketQueue()
    reconnected = asyncio.Event()

    def on_reconnect(app: topgun.WebSocketApp) -> None:
        say(
            f"   .. reconnected and logged in again (reconnection {app.stats.reconnects}); resubscribing"
        )
        reconnected.set()

    apis = {"bitflyer": [DEMO_KEY, DEMO_SECRET]}
    async with topgun.Client(apis=apis, connector=exchange.connector()) as client:
        app = client.ws_connect(
            URL,
            send_json=SUBSCRIPTIONS,
            hdlr_json=queue.onmessage,
            hdlr_str=recorder.onmessage,  # and a recording of the feed, replayed at the end
            backoff=(0.5, 10.0, 1.618, 0.5),  # quick first retries, for the demo
        )
        app.add_reconnect_listener(on_reconnect)
        await app.ready()
        say(f"   logged in and subscribed (state: {app.state})")
        await show(queue, replies=2, tickers=3)
        say("   The exchange restarts its realtime servers and closes every connection...")
        await simulator.realtime.restart()
        async with asyncio.timeout(10):
            await reconnected.wait()
            await app.ready()
        say("   resubscribed; the stream goes on:")
        await show(queue, replies=2, tickers=2)
        stats = app.stats
        say(
            f"   stats: {stats.connects} connections, {stats.reconnects} reconnection, "
            f"{stats.messages_received} messages, {stats.auth_failures} failed logins"
        )
    recorder.close()
    logins, subscriptions = simulator.realtime.logins, simulator.realtime.subscriptions
    expected = [TICKER, "child_order_events"]
    return logins == [None, None] and subscriptions == [expected, expected]
