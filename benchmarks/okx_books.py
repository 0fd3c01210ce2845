"""OKXDataStore's ``books`` on a generated OKX ``books`` feed: topgun vs pybotters vs orjson.

The stream is the DataStore benchmark's seeded random walk of a book of ~1,000 levels per side,
sent as OKX sends it (https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel):
a ``snapshot`` push, then ``update`` pushes of 1-20 rows ``[px, sz, "0", numOrders]`` (size
changes, size-0 deletions, new levels, the market trading through the best level), chained by
``seqId``/``prevSeqId``. topgun verifies the chain on every message (pybotters verifies nothing).
Production sends ``checksum: 0`` since 2026-06-23, so the main stream carries 0; a copy of it
with real checksums measures what verifying a non-zero checksum costs per message.
Both libraries get the same bytes in the same process, parsed with orjson inside the timed loop.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import orjson

from benchmarks._books import BookFeed, row_parse_apply, standard_rows
from benchmarks._report import Report
from benchmarks._walk import MESSAGES, SEED, PriceBook
from benchmarks._wsserver import burst_server
from benchmarks.datastore_e2e import measure
from topgun.store import signed_crc32

INST = "BTC-USDT"
E2E_MESSAGES = 5_000


def _num(value: float) -> str:
    return format(value, ".10g")


def _rows(levels: Any) -> list[list[str]]:
    """bitFlyer ``{price, size}`` levels as OKX rows ``[px, sz, "0", numOrders]``."""
    return [
        [_num(lv["price"]), _num(lv["size"]), "0", "0" if not lv["size"] else "3"] for lv in levels
    ]


class _Feed:
    """OKX ``books`` pushes of the DataStore benchmark's random walk, chained by seqId."""

    def __init__(self, crc: bool) -> None:
        self.walk = PriceBook(random.Random(SEED))
        self.crc = crc
        self.seq = 1_000_000

    def _checksum(self) -> int:
        """OKX's: signed CRC32 of bid1px:bid1sz:ask1px:ask1sz:... over the best 25 levels."""
        asks, bids = self.walk.asks, self.walk.bids
        parts = []
        for bid, ask in zip(sorted(bids)[::-1][:25], sorted(asks)[:25], strict=True):
            parts += [_num(bid), _num(bids[bid]), _num(ask), _num(asks[ask])]
        return signed_crc32(":".join(parts))

    def _push(self, action: str, asks: list[Any], bids: list[Any], prev: int) -> bytes:
        data = {
            "asks": asks,
            "bids": bids,
            "ts": "1733616000000",
            "checksum": self._checksum() if self.crc else 0,
            "prevSeqId": prev,
            "seqId": self.seq,
        }
        arg = {"channel": "books", "instId": INST}
        return orjson.dumps({"arg": arg, "action": action, "data": [data]})

    def snapshot(self) -> bytes:
        message = self.walk.levels()
        return self._push("snapshot", _rows(message["asks"]), _rows(message["bids"]), -1)

    def update(self) -> bytes:
        message = self.walk.step()
        prev, self.seq = self.seq, self.seq + 1 + self.seq % 3
        return self._push("update", _rows(message["asks"]), _rows(message["bids"]), prev)


def make_stream(crc: bool, messages: int = MESSAGES) -> tuple[bytes, list[bytes]]:
    """(snapshot push, then ``messages`` update pushes); the same walk whatever ``crc``."""
    feed = _Feed(crc)
    snapshot = feed.snapshot()
    return snapshot, [feed.update() for _ in range(messages)]


def _topgun(snapshot: bytes) -> Any:
    import topgun

    store = topgun.OKXDataStore()
    store.onmessage(orjson.loads(snapshot))
    assert store.books.in_sync(INST), "the benchmark's snapshot did not sync"
    return store


def _pybotters(snapshot: bytes) -> Any:
    import pybotters

    store = pybotters.OKXDataStore()
    store.onmessage(orjson.loads(snapshot))
    return store


def _feed(snapshot: bytes, stream: list[bytes]) -> BookFeed:
    makers = {"topgun": lambda: _topgun(snapshot), "pybotters": lambda: _pybotters(snapshot)}
    return BookFeed("OKX books", makers, stream, book="books", query={"instId": INST})


def run(report: Report) -> None:
    snapshot, stream = make_stream(crc=False)
    feed = _feed(snapshot, stream)
    ours = standard_rows(
        report,
        feed,
        "parse + apply one update (seqId chain checked)",
        "apply one update (pre-parsed)",
    )

    # what a non-zero checksum costs: the same walk with real checksums
    crc = _feed(*make_stream(crc=True))
    with_crc = row_parse_apply(
        report,
        crc,
        "parse + apply one update, non-zero checksum verified",
        target="(checksum cost = this - row 1)",
    )
    print(f"  checksum verification costs {(with_crc - ours) * 1e6:.2f} us per message")

    # end to end over a loopback WebSocket
    _, e2e_stream = make_stream(crc=False, messages=E2E_MESSAGES)
    frames = [snapshot, *e2e_stream]

    def in_sync(store: Any) -> None:
        assert store.books.in_sync(INST), store.books.stats.last_reason

    with burst_server(frames) as url:
        seconds = asyncio.run(measure(url, len(frames), "OKXDataStore", in_sync))
    report.add(
        feed.group,
        "loopback ws_connect -> OKXDataStore.onmessage",
        seconds,
        unit="msg",
        target="topgun/pybotters >= 2x",
    )
