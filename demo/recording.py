"""The demo's last part: the realtime feed it recorded, replayed into bitFlyerDataStore."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import topgun
from topgun.record.commands import print_summary

from .simulator import DEMO_KEY, DEMO_SECRET


async def replay(path: Path) -> bool:
    print(
        "6. The realtime feed was recorded meanwhile (topgun.Recorder as hdlr_str; from a shell:",
        flush=True,
    )
    print(
        "   `topgun record URL --send JSON -o feed.jsonl.zst`). Replayed into bitFlyerDataStore",
        flush=True,
    )
    print("   (`topgun replay feed.jsonl --store bitFlyer`), reconnect included:", flush=True)
    text = await asyncio.to_thread(path.read_text)
    if DEMO_KEY in text or DEMO_SECRET in text:  # the login went out; nothing sent is recorded
        return False
    store = topgun.bitFlyerDataStore()
    stats = await topgun.replay_into(store, path)
    summary = io.StringIO()
    print_summary(store, stats, summary)
    for line in summary.getvalue().splitlines():
        print(f"   {line}", flush=True)
    return stats.reconnects == 1 and len(store.ticker) == 1
