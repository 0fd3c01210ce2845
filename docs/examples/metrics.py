"""Log what topgun does, and report the health of a feed as one JSON line every few seconds.

Run it as it is (public data, no keys needed)::

    python metrics.py

topgun logs through the standard ``logging`` module: ``topgun.ws`` (connections: connected,
reconnecting and why, logins), ``topgun.store`` (books out of sync and back, skipped messages),
``topgun.http``. At WARNING, the default, you see only what went wrong; INFO adds every connect
and reconnect. On top of that the counters below cost nothing to read:

- ``app.stats`` (a ``topgun.WebSocketStats``): the connection's state, connects, reconnects,
  messages and bytes received, handler errors, seconds since the last message;
- ``book.stats`` (a ``BookStats``): gaps, checksum failures, resyncs, books repaired, ...;
- ``book.out_of_sync``: the books not served right now;
- ``store.skipped`` / ``store.handler_errors``: messages the DataStore skipped whole.

Send the report wherever your metrics go (a log collector, a StatsD or Prometheus client);
here it is a log line of its own logger, ``bot.metrics``.
"""

import asyncio
import dataclasses
import json
import logging
from typing import Any

import topgun

SYMBOL = "BTCUSDT"
URL = "wss://stream.bybit.com/v5/public/linear"

log = logging.getLogger("bot.metrics")


def snapshot(app: topgun.WebSocketApp, store: Any) -> dict[str, Any]:
    """Everything worth graphing or alerting on, as plain JSON-able values."""
    stats = app.stats
    book = store.orderbook
    return {
        "state": str(stats.state),
        "connects": stats.connects,
        "reconnects": stats.reconnects,
        "messages": stats.messages_received,
        "bytes": stats.bytes_received,
        "idle_seconds": None if stats.idle_seconds is None else round(stats.idle_seconds, 3),
        "last_error": stats.last_error,
        "book": dataclasses.asdict(book.stats),
        "out_of_sync": sorted(book.out_of_sync),
        "levels": len(book),
        "skipped": store.skipped,
        "handler_errors": store.handler_errors,
    }


async def report(app: topgun.WebSocketApp, store: Any, every: float) -> None:
    """One ``bot.metrics`` line every ``every`` seconds; a WARNING when the feed looks unwell."""
    while True:
        await asyncio.sleep(every)
        metrics = snapshot(app, store)
        unwell = metrics["state"] != "ready" or metrics["out_of_sync"]
        log.log(logging.WARNING if unwell else logging.INFO, json.dumps(metrics))


async def main(every: float = 10.0) -> None:
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("topgun.ws").setLevel(logging.INFO)  # every connect and reconnect
    log.setLevel(logging.INFO)
    async with topgun.Client() as client:
        store = topgun.BybitDataStore()
        app = client.ws_connect(
            URL,
            send_json={"op": "subscribe", "args": [f"orderbook.50.{SYMBOL}"]},
            hdlr_json=store.onmessage,
        )
        # The report is a task of the client: closing the client stops it too.
        await client.run_task(report(app, store, every), name="metrics")


if __name__ == "__main__":
    asyncio.run(main())
