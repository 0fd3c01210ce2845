"""OKX order books: the seqId chain, the checksum, channels side by side, REST mode, bad input.

Message shapes, the sequence rules and the checksum recipe are those of
https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel (push
example, "Sequence ID", "Checksum"); the REST-snapshot procedure that of the 2026 changelog,
https://www.okx.com/docs-v5/log_en ("How to manage a local order book correctly").
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from yarl import URL

from topgun.plugin import ChainRule, InitializeError, Verdict, signed_crc32
from topgun_okx.store import OKXDataStore

BOOKS_DOC = "https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel"
INST = "BTC-USDT"

Side = dict[str, str]  # px -> sz


def wire(message: Any) -> Any:
    return orjson.loads(orjson.dumps(message))


def rows(side: Side) -> list[list[str]]:
    return [[px, sz, "0", "1"] for px, sz in side.items()]


def book_msg(
    action: str | None,
    asks: Side,
    bids: Side,
    seq: int,
    prev: int = -1,
    crc: int = 0,
    channel: str = "books",
    inst: str = INST,
) -> Any:
    data: dict[str, Any] = {
        "asks": rows(asks),
        "bids": rows(bids),
        "ts": "1597026383085",
        "checksum": crc,
        "seqId": seq,
    }
    if channel not in ("books5", "bbo-tbt"):
        data["prevSeqId"] = prev
    message: dict[str, Any] = {"arg": {"channel": channel, "instId": inst}, "data": [data]}
    if action is not None:
        message["action"] = action
    return wire(message)


def levels(store: OKXDataStore, channel: str = "books", inst: str = INST) -> tuple[Side, Side]:
    top = store.books.sorted({"instId": inst, "channel": channel})
    return (
        {lv["px"]: lv["sz"] for lv in top["asks"]},
        {lv["px"]: lv["sz"] for lv in top["bids"]},
    )


def check_string(bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> str:
    """OKX's check string, written out independently of the store: best 25 bids and asks,
    alternating bid and ask, a side's missing levels skipped."""
    parts: list[str] = []
    for i in range(min(25, max(len(bids), len(asks)))):
        for side in (bids, asks):
            if i < len(side):
                parts += side[i]
    return ":".join(parts)


def checksum(bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> int:
    return signed_crc32(check_string(bids, asks))


class Model:
    """OKX's side: the true book, and the messages that describe its changes."""

    def __init__(self) -> None:
        self.asks: Side = {}
        self.bids: Side = {}
        self.seq = 100

    def change(self, asks: Side, bids: Side) -> tuple[Side, Side, int, int]:
        for mine, diff in ((self.asks, asks), (self.bids, bids)):
            for px, sz in diff.items():
                if sz == "0":
                    mine.pop(px, None)
                else:
                    mine[px] = sz
        prev, self.seq = self.seq, self.seq + 3
        return asks, bids, prev, self.seq

    def crc(self) -> int:
        def best(side: Side, reverse: bool) -> list[tuple[str, str]]:
            return sorted(side.items(), key=lambda kv: float(kv[0]), reverse=reverse)

        return checksum(best(self.bids, True), best(self.asks, False))

    def snapshot(self, crc: bool = False) -> Any:
        return book_msg("snapshot", self.asks, self.bids, self.seq, -1, self.crc() if crc else 0)

    def update(self, asks: Side, bids: Side, crc: bool = False) -> Any:
        a, b, prev, seq = self.change(asks, bids)
        return book_msg("update", a, b, seq, prev, self.crc() if crc else 0)

    def rest(self) -> Any:
        book = {"asks": rows(self.asks), "bids": rows(self.bids), "ts": "1", "seqId": self.seq}
        return {"code": "0", "msg": "", "data": [book]}


# -- the integrity rules as pure functions ---------------------------------------------------


def test_checksum_strings_of_the_docs_examples() -> None:
    """The docs' two worked strings (more and fewer than 25 levels), CRC32 as signed 32-bit, as
    the store builds and checks them.

    https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel,
    "Checksum": bids 3366.1:7, 3366:6 and asks 3366.8:9, 3368:8 give
    "3366.1:7:3366.8:9:3366:6:3368:8"; bid 3366.1:7 with asks 3366.8:9, 3368:8, 3372:8 give
    "3366.1:7:3366.8:9:3368:8:3372:8".
    """
    key = (INST, "books")
    examples = [
        (
            {"3366.8": "9", "3368": "8"},
            {"3366.1": "7", "3366": "6"},
            "3366.1:7:3366.8:9:3366:6:3368:8",
            -1881014294,
        ),
        (
            {"3366.8": "9", "3368": "8", "3372": "8"},
            {"3366.1": "7"},
            "3366.1:7:3366.8:9:3368:8:3372:8",
            831078360,
        ),
    ]
    for asks, bids, text, crc in examples:
        assert signed_crc32(text) == crc
        store = OKXDataStore()
        store.onmessage(book_msg("snapshot", asks, bids, 10, crc=crc))
        assert store.books._checksum_text(key) == text
        assert store.books.in_sync(key) and store.books.stats.checksum_failures == 0
        store.onmessage(book_msg("snapshot", asks, bids, 11, crc=crc + 1))
        assert not store.books.in_sync(key) and store.books.stats.checksum_failures == 1


def test_checksum_covers_the_best_25_levels_only() -> None:
    asks = {str(2000 + i): "1" for i in range(30)}
    bids = {str(1000 - i): "2" for i in range(30)}
    store = OKXDataStore()
    store.onmessage(book_msg("snapshot", asks, bids, 10))
    text = store.books._checksum_text((INST, "books"))
    assert text.count(":") == 25 * 4 - 1
    assert text.startswith("1000:2:2000:1:999:2:2001:1") and text.endswith("976:2:2024:1")


@pytest.mark.parametrize(
    ("last", "prev", "seq", "verdict"),
    [
        (10, 10, 15, Verdict.APPLY),  # the chain
        (15, 15, 15, Verdict.APPLY),  # the ~60 s heartbeat: prevSeqId == seqId == last
        (15, 15, 3, Verdict.APPLY),  # a reset after maintenance: seqId < prevSeqId
        (15, 10, 15, Verdict.STALE),  # the last message again
        (15, 5, 10, Verdict.STALE),  # an older one
        (15, 16, 20, Verdict.GAP),  # missed 15 -> 16
        (15, 3, 20, Verdict.GAP),
    ],
)
def test_chain_rule_on_the_docs_cases(last: int, prev: int, seq: int, verdict: Verdict) -> None:
    """The rule the store declares (core's ChainRule) on OKX's documented cases."""
    assert OKXDataStore().books._SEQUENCE is not None
    assert ChainRule().check(last, seq, seq, prev, False) is verdict


def test_the_docs_sequence_example_applies_whole() -> None:
    """Docs: snapshot (-1, 10) -> (10, 15) -> (15, 15) heartbeat -> (15, 3) reset -> (3, 5)."""
    store = OKXDataStore()
    store.onmessage(book_msg("snapshot", {"8476.98": "415"}, {"8476.97": "256"}, 10))
    store.onmessage(book_msg("update", {"8477": "7"}, {}, 15, 10))
    store.onmessage(book_msg("update", {}, {}, 15, 15))
    store.onmessage(book_msg("update", {}, {"8476.97": "0", "8476.5": "1"}, 3, 15))
    store.onmessage(book_msg("update", {"8476.98": "400"}, {}, 5, 3))
    assert store.books.in_sync((INST, "books")) and not store.books.out_of_sync
    assert levels(store) == ({"8476.98": "400", "8477": "7"}, {"8476.5": "1"})
    assert store.books.stats.gaps == 0


# -- the store --------------------------------------------------------------------------------


def test_items_have_the_reference_shape_plus_channel() -> None:
    store = OKXDataStore()
    store.onmessage(
        wire(
            {
                "arg": {"channel": "books", "instId": INST},
                "action": "snapshot",
                "data": [
                    {
                        "asks": [["8476.98", "415", "0", "13"], ["8477", "7", "0", "2"]],
                        "bids": [["8476.97", "256", "0", "12"]],
                        "ts": "1597026383085",
                        "checksum": 0,
                        "prevSeqId": -1,
                        "seqId": 123456,
                    }
                ],
            }
        )
    )
    assert store.books.sorted({"instId": INST}, limit=1) == {
        "asks": [
            {
                "instId": INST,
                "channel": "books",
                "side": "asks",
                "px": "8476.98",
                "sz": "415",
                "liqSz": "0",
                "ordSz": "13",
            }
        ],
        "bids": [
            {
                "instId": INST,
                "channel": "books",
                "side": "bids",
                "px": "8476.97",
                "sz": "256",
                "liqSz": "0",
                "ordSz": "12",
            }
        ],
    }
    assert store.books.get({"instId": INST, "side": "asks", "px": "8477"})["ordSz"] == "2"  # type: ignore[index]
    assert store.books.ts == "1597026383085" and store.books.checksum == {INST: 0}
    store.onmessage(book_msg("update", {"8477": "9"}, {}, 123457, 123456))
    assert store.books.get({"instId": INST, "side": "asks", "px": "8477"})["sz"] == "9"  # type: ignore[index]


def test_a_gap_drops_the_book_until_a_new_snapshot(caplog: pytest.LogCaptureFixture) -> None:
    model, store = Model(), OKXDataStore()
    model.asks, model.bids = {"101": "1", "102": "2"}, {"99": "1"}
    store.onmessage(model.snapshot())
    store.onmessage(model.update({"101": "0"}, {}))
    model.update({"103": "3"}, {})  # lost on the way
    with caplog.at_level(logging.WARNING, logger="topgun.store.okx"):
        store.onmessage(model.update({}, {"98": "4"}))
        store.onmessage(model.update({}, {"97": "4"}))
    key = (INST, "books")
    assert key in store.books.out_of_sync and not store.books.in_sync(INST)
    assert store.books.sorted({"instId": INST}) == {"asks": [], "bids": []}
    assert len(store.books) == 0 and store.books.find() == []
    assert store.books.stats.gaps == 1
    assert store.books.out_of_sync_reason(key) == "gap: expected prev 103 got prev 106 (last 109)"
    assert store.books.stats.unsynced_dropped == 1  # waiting for the resubscription's snapshot
    assert caplog.text.count("out of sync") == 1  # one warning per episode
    store.onmessage(model.snapshot())
    assert store.books.in_sync(INST) and levels(store) == (model.asks, model.bids)
    assert store.books.stats.recovered == 1


def test_a_nonzero_checksum_is_verified_and_zero_is_not() -> None:
    model, store = Model(), OKXDataStore()
    model.asks, model.bids = {"3366.8": "9", "3368": "8"}, {"3366.1": "7", "3366": "6"}
    store.onmessage(model.snapshot(crc=True))
    assert model.crc() == -1881014294  # the docs' example book
    store.onmessage(model.update({"3368": "5"}, {}, crc=True))
    assert store.books.in_sync(INST) and store.books.stats.checksum_failures == 0
    # Production sends 0 from 2026-06-23: "not given", whatever the book holds.
    a, b, prev, seq = model.change({"3370": "1"}, {})
    store.onmessage(book_msg("update", a, b, seq, prev, 0))
    assert store.books.in_sync(INST) and store.books.stats.checksum_failures == 0
    # A corrupted level under a valid sequence: the next non-zero checksum finds it.
    a, b, prev, seq = model.change({"3368": "6"}, {})
    store.onmessage(book_msg("update", {"3368": "7"}, b, seq, prev, model.crc()))
    key = (INST, "books")
    assert key in store.books.out_of_sync and store.books.stats.checksum_failures == 1
    ours = checksum(
        [("3366.1", "7"), ("3366", "6")], [("3366.8", "9"), ("3368", "7"), ("3370", "1")]
    )
    assert store.books.out_of_sync_reason(key) == f"checksum: expected {model.crc()} got {ours}"


def test_channels_of_one_instrument_do_not_interfere() -> None:
    store = OKXDataStore()
    store.onmessage(book_msg("snapshot", {"101": "1", "102": "2"}, {"99": "1", "98": "2"}, 10))
    store.onmessage(book_msg(None, {"101": "5"}, {"99": "5"}, 7, channel="books5"))
    store.onmessage(book_msg(None, {"100.5": "1"}, {"99.5": "1"}, 8, channel="bbo-tbt"))
    store.onmessage(book_msg("update", {"102": "0"}, {}, 11, 10))
    assert levels(store, "books") == ({"101": "1"}, {"99": "1", "98": "2"})
    assert levels(store, "books5") == ({"101": "5"}, {"99": "5"})
    assert levels(store, "bbo-tbt") == ({"100.5": "1"}, {"99.5": "1"})
    with pytest.raises(ValueError, match="several channels"):
        store.books.sorted({"instId": INST})
    assert store.books.get({"instId": INST, "side": "asks", "px": "101"}) is None  # ambiguous
    assert store.books.get({"instId": INST, "channel": "books5", "side": "asks", "px": "101"})
    # books5 and bbo-tbt pushes are whole books: each replaces the last.
    store.onmessage(book_msg(None, {"100.7": "2"}, {"99.4": "2"}, 9, channel="bbo-tbt"))
    assert levels(store, "bbo-tbt") == ({"100.7": "2"}, {"99.4": "2"})
    assert store.books.in_sync(INST) and not store.books.out_of_sync


def test_rest_mode_buffers_until_a_snapshot_then_replays() -> None:
    """No snapshot on subscribe: the first push is an update, so the book waits for
    GET /api/v5/market/books (here through the initialize() hook) and replays its buffer."""
    model, store = Model(), OKXDataStore()
    model.asks, model.bids = {"101": "1", "102": "2"}, {"99": "1"}
    url = URL(f"https://www.okx.com/api/v5/market/books?instId={INST}&sz=400")
    first = model.update({"103": "1"}, {})
    store.onmessage(first)
    too_old = {
        "code": "0",
        "msg": "",
        "data": [{"asks": [], "bids": [], "ts": "1", "seqId": first["data"][0]["prevSeqId"] - 1}],
    }
    store.books._onresponse(wire(too_old), url)  # older than the stream: refused
    assert (INST, "books") in store.books.out_of_sync and store.books.stats.gaps == 1
    assert "older than the buffered diffs" in str(store.books.out_of_sync_reason((INST, "books")))
    store.onmessage(model.update({}, {"98": "1"}))
    snapshot = model.rest()  # taken here: the next update is after it
    store.onmessage(model.update({"101": "0"}, {}))
    store.books._onresponse(wire(snapshot), url)
    assert store.books.in_sync(INST) and levels(store) == (model.asks, model.bids)
    store.onmessage(model.update({"104": "4"}, {}))
    assert levels(store) == (model.asks, model.bids)
    assert store.books.stats.gaps == 1 and store.books.stats.recovered == 1


def test_a_rest_snapshot_straddling_the_next_update_is_bridged() -> None:
    """OKX's procedure: updates at or below the snapshot's seqId are dropped, the first one kept
    needs prevSeqId <= snapshot seqId < seqId, then the chain goes on."""
    store = OKXDataStore()
    url = URL(f"https://www.okx.com/api/v5/market/books?instId={INST}")
    book = {"asks": [["101", "1", "0", "1"]], "bids": [], "ts": "1", "seqId": 14}
    store.books._onresponse(wire({"code": "0", "msg": "", "data": [book]}), url)
    assert not store.books.in_sync(INST)  # kept until a book of BTC-USDT asks for it
    store.onmessage(book_msg("update", {"101": "1"}, {}, 12, 10))  # within the snapshot: dropped
    assert store.books.in_sync(INST) and levels(store) == ({"101": "1"}, {})
    store.onmessage(book_msg("update", {"102": "2"}, {}, 16, 12))  # straddles 14
    store.onmessage(book_msg("update", {"103": "3"}, {}, 18, 16))
    assert levels(store) == ({"101": "1", "102": "2", "103": "3"}, {})
    assert store.books.stats.stale_dropped == 1 and store.books.stats.gaps == 0


def test_a_rest_snapshot_without_seq_id_is_refused() -> None:
    store = OKXDataStore()
    url = URL(f"https://www.okx.com/api/v5/market/books?instId={INST}")
    with pytest.raises(InitializeError, match="no seqId"):
        store.books._onresponse({"code": "0", "data": [{"asks": [], "bids": [], "ts": "1"}]}, url)
    with pytest.raises(InitializeError, match="instId"):
        store.books._onresponse(
            {"code": "0", "data": []}, URL("https://www.okx.com/api/v5/market/books")
        )


def test_a_snapshot_channel_with_a_bad_checksum_is_dropped_until_its_next_push() -> None:
    store = OKXDataStore()
    store.onmessage(book_msg(None, {"101": "1"}, {"99": "1"}, 7, crc=12345, channel="books5"))
    assert (INST, "books5") in store.books.out_of_sync and len(store.books) == 0
    store.onmessage(book_msg(None, {"101": "1"}, {"99": "1"}, 8, channel="books5"))
    assert store.books.in_sync((INST, "books5"))


def test_reconnect_and_unsubscribe(caplog: pytest.LogCaptureFixture) -> None:
    store = OKXDataStore()
    store.onmessage(book_msg("snapshot", {"101": "1"}, {"99": "1"}, 10))
    store.onmessage(book_msg(None, {"101": "5"}, {"99": "5"}, 7, channel="books5"))
    with caplog.at_level(logging.WARNING, logger="topgun.store.okx"):
        store.on_ws_reconnect(None)
    assert store.books.out_of_sync == {(INST, "books"), (INST, "books5")}
    assert len(store.books) == 0 and store.books.stats.reconnects == 2
    assert "reconnect: 2 book(s) out of sync" in caplog.text
    assert store.books.out_of_sync_reason((INST, "books")) == "reconnect"
    store.onmessage(book_msg("update", {"101": "2"}, {}, 11, 10))  # of the old stream: REST mode
    store.onmessage(book_msg("snapshot", {"101": "3"}, {"99": "1"}, 40))  # the resubscription's
    assert store.books.in_sync((INST, "books")) and levels(store) == ({"101": "3"}, {"99": "1"})
    store.onmessage(wire({"event": "unsubscribe", "arg": {"channel": "books", "instId": INST}}))
    assert levels(store) == ({}, {})  # no longer kept up to date, so no longer served
    assert store.books.out_of_sync_reason((INST, "books")) == "unsubscribed"


@pytest.mark.parametrize(
    "data",
    [
        {"asks": [["101", "1", "0", "1"], ["102", True, "0", "1"]], "bids": []},
        {"asks": [["101", "1", "0", "1"], [True, "1", "0", "1"]], "bids": []},
        {"asks": [["101", "1", "0", "1"]], "bids": [["NaN", "1", "0", "1"]]},
        {"asks": [["101", "1", "0", "1"]], "bids": [["99", "inf", "0", "1"]]},
        {"asks": [["101", "1", "0", "1"]], "bids": [["99", "-1", "0", "1"]]},
        {"asks": [["101", "1", "0", "1"]], "bids": [["99"]]},
        {"asks": [["101", "1", "0", "1"]], "bids": ["99"]},
        {"asks": [["101", "1", "0", "1"]], "bids": {"99": "1"}},
        {"asks": [["101", "1", "0", "1"]], "bids": [], "seqId": "x"},
        {"asks": [["101", "1", "0", "1"]], "bids": [], "prevSeqId": None},
    ],
)
def test_malformed_book_messages_change_nothing(
    data: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    store = OKXDataStore()
    store.onmessage(book_msg("snapshot", {"101": "5"}, {"99": "5"}, 10))
    message = {"seqId": 11, "prevSeqId": 10, "checksum": 0, "ts": "2", **data}
    with caplog.at_level(logging.WARNING, logger="topgun.store.okx"):
        store.onmessage(
            wire(
                {"arg": {"channel": "books", "instId": INST}, "action": "update", "data": [message]}
            )
        )
        store.onmessage(
            wire(
                {"arg": {"channel": "books", "instId": INST}, "action": "patch", "data": [message]}
            )
        )
        store.onmessage(wire({"arg": {"channel": "books"}, "action": "update", "data": [message]}))
    assert levels(store) == ({"101": "5"}, {"99": "5"}) and store.books.in_sync(INST)
    assert "malformed" in caplog.text
    store.onmessage(book_msg("update", {"101": "6"}, {}, 11, 10))  # the chain goes on
    assert levels(store) == ({"101": "6"}, {"99": "5"})


def test_watchers_see_whole_levels() -> None:
    store = OKXDataStore()
    stream = store.books.watch()
    store.onmessage(book_msg("snapshot", {"101": "1"}, {}, 10))
    store.onmessage(
        wire(
            {
                "arg": {"channel": "books", "instId": INST},
                "action": "update",
                "data": [
                    {
                        "asks": [["101", "2", "0", "4"]],
                        "bids": [],
                        "seqId": 11,
                        "prevSeqId": 10,
                        "checksum": 0,
                    }
                ],
            }
        )
    )
    store.onmessage(book_msg("snapshot", {"102": "1"}, {}, 20))
    changes = []
    while (change := stream.get_nowait()) is not None:
        changes.append(change)
    stream.close()
    ops = [(c.operation, c.data["px"], c.data.get("sz"), c.data.get("ordSz")) for c in changes]
    assert ops == [
        ("insert", "101", "1", "1"),
        ("update", "101", "2", "4"),
        ("delete", "101", "2", "4"),
        ("insert", "102", "1", "1"),
    ]
    assert store.books.get({"instId": INST, "side": "asks", "px": "102"})["ordSz"] == "1"  # type: ignore[index]


async def test_wait_synced_returns_on_sync_and_times_out_with_the_reason() -> None:
    store = OKXDataStore()
    waiting = asyncio.ensure_future(store.books.wait_synced(INST, timeout=5))
    await asyncio.sleep(0)
    store.onmessage(book_msg("snapshot", {"101": "1"}, {}, 10))
    await waiting
    store.onmessage(book_msg("update", {"101": "2"}, {}, 13, 12))  # a gap
    with pytest.raises(TimeoutError, match=r"gap: expected prev <= 10 <= last got prev 12"):
        await store.books.wait_synced((INST, "books"), timeout=0.01)


# -- a model of the stream ----------------------------------------------------------------------

prices = st.sampled_from([f"{p / 10:g}" for p in range(990, 1011)])
sizes = st.sampled_from(["0", "0", "1", "2.5", "10"])
diffs = st.dictionaries(prices, sizes, max_size=6)


@settings(max_examples=60, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["update", "update", "update", "drop", "snapshot", "crc"]), diffs, diffs
        ),
        max_size=25,
    )
)
def test_the_book_equals_the_model_or_is_not_served(steps: list[tuple[str, Side, Side]]) -> None:
    """Whatever is lost on the way, after each message the store serves the true book or
    nothing for it: a lost update is found at the next message, and a snapshot repairs it."""
    model, store = Model(), OKXDataStore()
    store.onmessage(model.snapshot())
    lost = False
    for kind, asks, bids in steps:
        if kind == "snapshot":
            store.onmessage(model.snapshot(crc=True))
            lost = False
        elif kind == "drop":
            model.update(asks, bids)
            lost = True
            continue  # the store cannot know before its next message
        else:
            store.onmessage(model.update(asks, bids, crc=kind == "crc"))
        if store.books.in_sync(INST):
            assert not lost
            assert levels(store) == (model.asks, model.bids)
        else:
            assert lost and len(store.books) == 0


def test_sorted_queries() -> None:
    store = OKXDataStore()
    store.onmessage(book_msg("snapshot", {"101": "1", "102": "2"}, {"99": "1", "98": "2"}, 10))
    store.onmessage(book_msg("snapshot", {"7": "1"}, {"6": "1"}, 10, inst="ETH-USDT"))
    one = store.books.sorted({"instId": INST}, limit=1)
    assert [lv["px"] for lv in one["asks"]] == ["101"] and [lv["px"] for lv in one["bids"]] == [
        "99"
    ]
    assert store.books.sorted({"instId": INST, "side": "bids"}) == {
        "asks": [],
        "bids": store.books.sorted({"instId": INST, "channel": "books"})["bids"],
    }
    assert len(store.books.sorted()["asks"]) == 3  # no query: every book, merged by price
    assert store.books.sorted({"instId": "XRP-USDT"}) == {"asks": [], "bids": []}
    with pytest.raises(ValueError, match="limit"):
        store.books.sorted({"instId": INST}, limit=-1)
    store.onmessage(book_msg(None, {"101": "9"}, {"99": "9"}, 11, channel="bbo-tbt"))
    bbo = store.books.sorted({"instId": INST, "channel": "bbo-tbt", "side": "asks"})
    assert [(lv["px"], lv["sz"]) for lv in bbo["asks"]] == [("101", "9")] and not bbo["bids"]


def test_a_rest_snapshot_is_cut_to_the_channels_depth() -> None:
    """books50-l2-tbt holds 50 levels a side: a deeper REST snapshot is cut to its best 50."""
    store = OKXDataStore()
    store.onmessage(book_msg("update", {"1000": "1"}, {}, 11, 10, channel="books50-l2-tbt"))
    asks = [[str(1000 + i), "1", "0", "1"] for i in range(60)]
    bids = [[str(999 - i), "2", "0", "3"] for i in range(60)]
    rest = {"code": "0", "msg": "", "data": [{"asks": asks, "bids": bids, "ts": "1", "seqId": 11}]}
    store.books._onresponse(
        wire(rest), URL(f"https://www.okx.com/api/v5/market/books?instId={INST}&sz=400")
    )
    got = store.books.sorted({"instId": INST})
    assert store.books.in_sync(INST) and len(got["asks"]) == len(got["bids"]) == 50
    assert got["asks"][-1]["px"] == "1049" and got["bids"][-1]["px"] == "950"
    assert got["bids"][0]["ordSz"] == "3"
