"""The demo bot: what a topgun user writes, pointed at the embedded simulator."""

from __future__ import annotations

import tempfile
from pathlib import Path

import topgun

from .recording import replay
from .simulator import DEMO_KEY, DEMO_SECRET, Simulator
from .stream import URL, realtime


def say(text: str = "") -> None:
    print(text, flush=True)


async def run() -> int:
    simulator = Simulator()
    async with simulator.serve() as exchange:
        say(
            f"Embedded bitFlyer-like exchange listening on 127.0.0.1:{exchange.port} as api.bitflyer.com"
            " and ws.lightstream.bitflyer.com (TLS)"
        )
        say()
        apis = {"bitflyer": [DEMO_KEY, DEMO_SECRET]}
        async with topgun.Client(
            apis=apis, base_url="https://api.bitflyer.com", connector=exchange.connector()
        ) as client:
            say("1. Public API, no signature needed:")
            ticker = await client.fetch("GET", "/v1/getticker", params={"product_code": "BTC_JPY"})
            say(
                f"   GET /v1/getticker -> {ticker.response.status}: BTC_JPY last price {ticker.data['ltp']:,.0f} JPY"
            )
            say()
            say("2. Private API: topgun signs it (ACCESS-KEY / ACCESS-TIMESTAMP / ACCESS-SIGN);")
            say(
                "   the simulator recomputes the HMAC-SHA256 signature and would refuse a wrong one."
            )
            balance = await client.fetch("GET", "/v1/me/getbalance")
            if balance.response.status != 200:
                say(f"   unexpected: {balance.response.status} {balance.data}")
                return 1
            for row in balance.data:
                say(f"   {row['currency_code']}: {row['amount']:,}")
            say()
            say("3. A signed POST with a JSON body (data= is encoded and signed exactly as sent):")
            order = {
                "product_code": "BTC_JPY",
                "child_order_type": "MARKET",
                "side": "BUY",
                "size": 0.01,
            }
            sent = await client.fetch("POST", "/v1/me/sendchildorder", data=order)
            say(
                f"   POST /v1/me/sendchildorder -> {sent.response.status}: accepted {sent.data['child_order_acceptance_id']}"
            )
        say()
        say("4. The same request with a wrong secret, to show the simulator really checks:")
        wrong = {"bitflyer": [DEMO_KEY, "not-the-secret"]}
        async with topgun.Client(apis=wrong, connector=exchange.connector()) as client:
            refused = await client.fetch("GET", "https://api.bitflyer.com/v1/me/getbalance")
            say(f"   -> {refused.response.status}: {refused.data['error_message']} (as expected)")
        if refused.response.status != 401 or simulator.rejected != 1 or len(simulator.orders) != 1:
            say("demo failed: the simulator did not see what it should have")
            return 1
        say()
        with tempfile.TemporaryDirectory() as tmp:
            recorder = topgun.Recorder(Path(tmp) / "feed.jsonl", source=URL)
            if not await realtime(simulator, exchange, recorder):
                say(
                    "demo failed: the realtime logins or subscriptions were not what they should be"
                )
                return 1
            say()
            if not await replay(recorder.paths[0]):
                say("demo failed: the recording held a secret, or did not replay")
                return 1
    say()
    say(
        "Demo finished: 1 public request, 2 signed requests accepted, 1 forged request refused; "
        "realtime: 2 logins verified, 1 disconnect survived, subscriptions restored; "
        "the feed recorded and replayed."
    )
    return 0
