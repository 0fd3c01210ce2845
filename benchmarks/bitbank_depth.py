"""bitbankDataStore's ``depth`` on a generated Socket.IO feed: topgun vs pybotters vs orjson.

The stream is the DataStore benchmark's seeded random walk of a book of ~1,000 levels per side,
sent as bitbank's public-stream frames
(https://github.com/bitbankinc/bitbank-api-docs/blob/master/public-stream.md):
``42["message",{"room_name":"depth_diff_btc_jpy","message":{"data":{"a":[[price, amount]],
"b":[...],"t":...,"s":"..."}}}]`` with 1-20 changed levels each (decimal strings), after one
``depth_whole_btc_jpy`` and with a whole every 200 diffs (bitbank sends them by itself; its
``sequenceId`` a few diffs behind, so that the buffered newer diffs are replayed onto it, as the
docs describe). Both libraries get the same text frames (what ``hdlr_str`` hands over) in the
same process.

How the parse is counted: "parse + apply" is ``store.onmessage(frame)`` on the whole text frame,
so it includes stripping the ``42`` Socket.IO prefix, ``orjson.loads`` of the rest, routing by
room and applying. The floor is ``orjson.loads`` of the same frame without its prefix (the JSON
array), so the prefix slice counts against topgun. pybotters parses with the standard library's
``json`` inside its handler.
"""

from __future__ import annotations

import random
from typing import Any

import orjson

from benchmarks._books import BookFeed, row_apply, row_apply_sorted, row_parse_apply
from benchmarks._report import Report, per_message
from benchmarks._walk import MESSAGES, SEED, PriceBook

PAIR = "btc_jpy"
WHOLE_EVERY = 200
WHOLE_BEHIND = 3


def _rows(levels: list[dict[str, float]]) -> list[list[str]]:
    return [[f"{lv['price']:.0f}", f"{lv['size']:.4f}"] for lv in levels]


def _frame(room: str, data: dict[str, Any]) -> str:
    payload = orjson.dumps(["message", {"room_name": room, "message": {"data": data}}])
    return "42" + payload.decode()


def make_stream(messages: int = MESSAGES) -> tuple[str, list[str], list[str]]:
    """(the first whole, the diff frames alone, the diffs with a whole every 200) as text."""
    walk = PriceBook(random.Random(SEED))
    seq = 900_000_000
    t = 1_765_152_000_000

    def whole(behind: int) -> str:
        book = walk.levels()
        data = {
            "asks": _rows(book["asks"]),
            "bids": _rows(book["bids"]),
            "asks_over": "0",
            "bids_under": "0",
            "asks_under": "0",
            "bids_over": "0",
            "ask_market": "0",
            "bid_market": "0",
            "timestamp": t,
            "sequenceId": str(seq - behind),
        }
        return _frame(f"depth_whole_{PAIR}", data)

    first = whole(0)
    diffs: list[str] = []
    mixed: list[str] = []
    pending: list[str] = []  # wholes are sent a few diffs late, as the docs warn
    for number in range(1, messages + 1):
        msg = walk.step()
        seq += random.Random(number).randint(1, 3)  # increasing, not always consecutive
        t += 100
        data = {"a": _rows(msg["asks"]), "b": _rows(msg["bids"]), "t": t, "s": str(seq)}
        frame = _frame(f"depth_diff_{PAIR}", data)
        diffs.append(frame)
        mixed.append(frame)
        if number % WHOLE_EVERY == 0:
            pending.append(whole(0))
        elif pending and number % WHOLE_EVERY == WHOLE_BEHIND:
            mixed.append(pending.pop())
    return first, diffs, mixed


def _topgun(first: str) -> Any:
    import topgun

    store = topgun.bitbankDataStore()
    store.onmessage(first)
    assert store.depth.in_sync(PAIR), "the benchmark's first whole did not sync"
    return store


def _pybotters(first: str) -> Any:
    import pybotters

    store = pybotters.bitbankDataStore()
    store.onmessage(first)
    return store


def run(report: Report) -> None:
    group = "bitbank depth (Socket.IO text frames)"
    first, diffs, mixed = make_stream()
    makers = {"topgun": lambda: _topgun(first), "pybotters": lambda: _pybotters(first)}
    feed = BookFeed(group, makers, diffs, book="depth", query={"pair": PAIR}, parse=None)
    row_parse_apply(
        report,
        feed,
        "parse (42 prefix + JSON) + apply one diff",
        floor_frames=[frame[2:] for frame in diffs],
    )
    late = BookFeed(group, makers, mixed, book="depth", parse=None)
    row_apply(report, late, f"parse + apply, a late whole every {WHOLE_EVERY} diffs")

    parsed = [orjson.loads(frame[2:]) for frame in diffs]

    def apply_pybotters(store: Any) -> None:
        depth = store.depth
        for event in parsed:
            body = event[1]
            depth._onmessage(body["room_name"], body["message"]["data"])

    seconds = {
        "topgun": per_message(makers["topgun"], feed.apply(parsed), len(parsed), 15),
        "pybotters": per_message(makers["pybotters"], apply_pybotters, len(parsed), 3),
    }
    report.add(
        group, "apply one diff (pre-parsed)", seconds, unit="msg", target="topgun/pybotters >= 1x"
    )
    row_apply_sorted(report, feed)
