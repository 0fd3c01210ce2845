"""Keeping a connection honest: the ping/pong liveness monitor and exchange heartbeats.

A connection whose peer vanished without a FIN (a half-open TCP connection) looks open forever.
The monitor watches for any incoming frame; after ``interval / 2`` seconds of silence it sends a
WebSocket ping, and after ``interval`` seconds of silence it aborts the connection, so a dead link
is noticed within about ``interval`` seconds (checked every ``interval / 4``). A stretch in
which the event loop itself was blocked (a handler doing synchronous work) is not held against
the peer: its frames are waiting unread, so the count restarts when the loop runs again. Busy connections
send no pings at all: any frame proves the peer alive, which also keeps a bot that is slow to
drain a backlog from being cut off for a pong stuck behind its own data.

Exchange heartbeats (``topgun.plugin.Heartbeat``) are application messages some exchanges require
on a timer, or (``idle=True``) only once the connection has been quiet for the interval; they are
sent through the normal send path, so rate limits apply.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from ..clock import Clock
from ..plugin.specs import Heartbeat
from .link import Link

__all__ = ["PROBE", "run_heartbeat", "watch"]

log = logging.getLogger("topgun.ws")

PROBE = b"topgun"


async def watch(link: Link, interval: float, last_data: Callable[[], float | None]) -> None:
    """Abort ``link`` when nothing has arrived for ``interval`` seconds."""
    probed_after = -1.0
    # Silence before ``floor`` does not count: the watch was not running (it starts a loop
    # iteration after the receive loop, whose first handlers may block) or the loop was blocked.
    floor = time.monotonic()

    def last_activity() -> float:
        data = last_data()
        last = link.last_control if data is None else max(data, link.last_control)
        return max(last, floor)

    while True:
        slept_at = time.monotonic()
        await asyncio.sleep(interval / 4)
        woke = time.monotonic()
        if woke - slept_at > interval / 2:
            # The event loop was blocked (a slow handler, a synchronous call): what the peer sent
            # meanwhile is still unread, so the silence is ours. Judge the peer from now on.
            floor = woke
        last = last_activity()
        idle = time.monotonic() - last
        if idle >= interval:
            await asyncio.sleep(0)  # frames already buffered are handled before the verdict
            idle = time.monotonic() - last_activity()
            if idle >= interval:
                link.abort(f"nothing received for {idle:.1f} s, ping unanswered (half-open?)")
                return
        elif idle >= interval / 2 and probed_after != last:
            probed_after = last
            try:
                await link.ws.ping(PROBE)
            except (ConnectionError, RuntimeError) as exc:
                link.abort(f"ping failed: {exc!r}")
                return


async def run_heartbeat(
    link: Link,
    heartbeat: Heartbeat,
    clock: Clock,
    last_data: Callable[[], float | None] = lambda: None,
) -> None:
    """Send the exchange's heartbeat every ``heartbeat.interval`` seconds (of silence, if idle).

    ``last_data`` gives the monotonic time of the last data frame received (``None``: none yet);
    with ``idle`` the interval restarts on every frame received and every heartbeat sent.
    """
    sent = time.monotonic()
    while True:
        if heartbeat.idle:
            data = last_data()
            quiet_since = max(sent, link.last_control, data if data is not None else sent)
            wait = quiet_since + heartbeat.interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
        else:
            await asyncio.sleep(heartbeat.interval)
        if not await _beat(link, heartbeat, clock):
            return
        sent = time.monotonic()


async def _beat(link: Link, heartbeat: Heartbeat, clock: Clock) -> bool:
    """Send one heartbeat; False when the connection is gone or the heartbeat cannot be made."""
    ws = link.ws
    frame = heartbeat.frame
    try:
        message = heartbeat.message(clock) if callable(heartbeat.message) else heartbeat.message
        if frame == "text":
            await ws.send_str(message if isinstance(message, str) else message.decode())
        elif frame == "binary":
            await ws.send_bytes(message.encode() if isinstance(message, str) else message)
        elif frame == "ping":
            await ws.ping(message.encode() if isinstance(message, str) else message)
        else:
            await ws.pong(message.encode() if isinstance(message, str) else message)
    except (ConnectionError, RuntimeError) as exc:
        log.debug("heartbeat to %s stopped: %r", link.ws, exc)
        return False
    except Exception as exc:  # the plugin's message factory, say: drop rather than go quiet
        log.exception("the exchange heartbeat failed")
        link.abort(f"the exchange heartbeat failed: {type(exc).__name__}")
        return False
    return True
