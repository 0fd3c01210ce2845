"""Run one bot per market, each in its own process, under a supervisor that restarts them.

Run it as it is (public data, no keys needed); Ctrl+C or SIGTERM stops every bot cleanly::

    python bots_in_processes.py

``python bots_in_processes.py BTC_JPY`` runs the bot for one market alone; without an argument,
the file is the supervisor: it starts itself once per market, restarts a bot that exits or
crashes, and on a signal passes SIGTERM on to every bot and waits for each to finish.

Why processes: each bot gets a CPU core and an event loop of its own, so a busy feed does not
slow the others down, and a bot that crashes or hangs takes nothing else with it. Each process
makes its own ``topgun.Client`` (a Client, like its aiohttp session, belongs to the event loop
that made it: never share one across processes or threads).
"""

import asyncio
import contextlib
import os
import signal
import sys
from typing import Any

import topgun

PRODUCTS = ["BTC_JPY", "ETH_JPY"]
RESTART_DELAY = 1.0  # seconds between a bot's exit and its restart
STOP_TIMEOUT = 10.0  # seconds a bot gets to stop after SIGTERM, before it is killed
WS_URL = "wss://ws.lightstream.bitflyer.com/json-rpc"


# -- one bot (a process of its own) ------------------------------------------------------------


async def print_tickers(product: str, store: Any) -> None:
    while True:
        await store.ticker.wait()
        ticker = store.ticker.get({"product_code": product})
        print(f"{product} (pid {os.getpid()}): ltp {ticker['ltp']}", flush=True)


async def bot(product: str) -> None:
    async with topgun.Client() as client:
        store = topgun.bitFlyerDataStore()
        client.ws_connect(
            WS_URL,
            send_json={"method": "subscribe", "params": {"channel": f"lightning_ticker_{product}"}},
            hdlr_json=store.onmessage,
        )
        work = asyncio.create_task(print_tickers(product, store))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, work.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await work
    # The client is closed here: its WebSocket too, with a close handshake.
    print(f"{product} (pid {os.getpid()}): stopped", flush=True)


# -- the supervisor ------------------------------------------------------------------------------


async def keep_running(product: str, stopping: asyncio.Event) -> None:
    """Run the bot for ``product`` in a process, again after each exit, until ``stopping``."""
    while not stopping.is_set():
        proc = await asyncio.create_subprocess_exec(sys.executable, __file__, product)
        print(f"started {product}: pid {proc.pid}", flush=True)
        stop = asyncio.create_task(stopping.wait())
        exited = asyncio.create_task(proc.wait())
        await asyncio.wait([stop, exited], return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if not exited.done():  # a signal came: pass it on, and wait for the bot to finish
            proc.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(STOP_TIMEOUT):
                    await exited
            except TimeoutError:
                proc.kill()
                await exited
            print(f"{product} stopped: exit status {proc.returncode}", flush=True)
            return
        print(f"{product} exited with status {proc.returncode}; restarting", flush=True)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(RESTART_DELAY):
                await stopping.wait()


async def supervise(products: list[str]) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    async with asyncio.TaskGroup() as tasks:
        for product in products:
            tasks.create_task(keep_running(product, stopping))
    print("every bot stopped", flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        asyncio.run(bot(sys.argv[1]))
    else:
        asyncio.run(supervise(PRODUCTS))
