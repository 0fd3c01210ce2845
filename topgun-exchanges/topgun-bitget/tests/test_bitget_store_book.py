"""Bitget's book rule: the documented checksum, seq/pseq, parsing, one channel per book, and a
hypothesis property against a naive model.

Docs: https://www.bitget.com/api-doc/spot/websocket/public/Depth-Channel ("Checksum", the push
sample) and https://www.bitget.com/api-doc/contract/websocket/public/Order-Book-Channel ("The seq
of update incremental messages is incrementing except during symbol maintenance"); ``pseq``,
"the serial number of the previous push", from the current page
https://www.bitget.com/docs/classic/websocket/contract/public/Order-Book-Channel.
"""

from __future__ import annotations

import logging
import random
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topgun.plugin import Verdict, signed_crc32
from topgun_bitget import BitgetDataStore, BitgetV2DataStore
from topgun_bitget.store import BookRule, MalformedMessage, parse_depth

KEY = ("USDT-FUTURES", "BTCUSDT")


def push(action: str, element: dict[str, Any], channel: str = "books") -> dict[str, Any]:
    arg = {"instType": "USDT-FUTURES", "channel": channel, "instId": "BTCUSDT"}
    return {"action": action, "arg": arg, "data": [element], "ts": 1695716059516}


def book_check_string(bids: list[list[str]], asks: list[list[str]]) -> str:
    """What the store's checksum covers, computed the way the docs describe it."""
    parts: list[str] = []
    for i in range(max(len(bids), len(asks))):
        for side in (bids, asks):
            if i < len(side):
                parts.extend(side[i])
    return ":".join(parts)


# -- the documented checksum -----------------------------------------------------------------


def test_checksum_reproduces_the_docs_examples() -> None:
    """Both worked examples of the Depth Channel page: a book of more than 25 levels (2 shown)
    and one with fewer bids than asks (missing levels skipped)."""
    store = BitgetV2DataStore()
    book = store.book
    store.onmessage(
        push(
            "snapshot",
            {
                "asks": [["43232.8", "9"], ["43232.9", "8"]],
                "bids": [["43231.1", "4"], ["43231", "6"]],
                "ts": "1",
            },
        )
    )
    assert book._checksum_text(KEY) == "43231.1:4:43232.8:9:43231:6:43232.9:8"
    assert book._checksum(KEY) == signed_crc32("43231.1:4:43232.8:9:43231:6:43232.9:8")
    assert book._checksum(KEY) == -1504501796  # CRC32 2790465500 as a signed 32-bit integer

    store.onmessage(
        push(
            "snapshot",
            {
                "asks": [["3366.8", "9"], ["3368", "8"], ["3372", "8"]],
                "bids": [["3366.1", "7"]],
                "ts": "2",
            },
        )
    )
    assert book._checksum_text(KEY) == "3366.1:7:3366.8:9:3368:8:3372:8"
    assert book._checksum(KEY) == 831078360


def test_checksum_uses_the_original_strings() -> None:
    """ "If price is '0.5000', DO NOT calculate the checksum by '0.5'": the strings as sent."""
    bids, asks = [["0.5000", "1.2500"]], [["0.5010", "3.0000"]]
    good = signed_crc32("0.5000:1.2500:0.5010:3.0000")
    store = BitgetV2DataStore()
    store.onmessage(push("snapshot", {"asks": asks, "bids": bids, "checksum": good, "seq": 1}))
    assert store.book.in_sync(KEY)
    assert store.book.sorted({"instType": "USDT-FUTURES", "instId": "BTCUSDT"}) == {
        "asks": [
            {
                "instType": "USDT-FUTURES",
                "instId": "BTCUSDT",
                "side": "asks",
                "price": "0.5010",
                "amount": "3.0000",
            }
        ],
        "bids": [
            {
                "instType": "USDT-FUTURES",
                "instId": "BTCUSDT",
                "side": "bids",
                "price": "0.5000",
                "amount": "1.2500",
            }
        ],
    }
    shortened = signed_crc32("0.5:1.25:0.501:3")
    store.onmessage(push("snapshot", {"asks": asks, "bids": bids, "checksum": shortened}))
    assert not store.book.in_sync(KEY)
    assert store.book.stats.checksum_failures == 1


def test_checksum_covers_the_best_25_levels_only() -> None:
    asks = [[f"{100 + i}.0", f"{i + 1}.00"] for i in range(40)]
    bids = [[f"{99 - i}.0", f"{i + 2}.00"] for i in range(30)]
    value = signed_crc32(book_check_string(bids[:25], asks[:25]))
    store = BitgetV2DataStore()
    store.onmessage(push("snapshot", {"asks": asks, "bids": bids, "checksum": value, "seq": 5}))
    assert store.book.in_sync(KEY)
    # a change at level 30 leaves the best 25 and so the checksum as it was
    store.onmessage(
        push("update", {"asks": [["129.0", "7.00"]], "bids": [], "checksum": value, "seq": 6})
    )
    assert store.book.in_sync(KEY)
    level = {"instType": "USDT-FUTURES", "instId": "BTCUSDT", "side": "asks", "price": "129"}
    assert store.book.get(level) == {**level, "price": "129.0", "amount": "7.00"}


def test_the_docs_push_sample_with_checksum_0_is_not_checked() -> None:
    """The docs' books5 sample carries ``"checksum": 0``: no checksum given, not a mismatch."""
    sample = {
        "action": "snapshot",
        "arg": {"instType": "USDT-FUTURES", "channel": "books5", "instId": "BTCUSDT"},
        "data": [
            {
                "asks": [["27000.5", "8.760"], ["27001.0", "0.400"]],
                "bids": [["27000.0", "2.710"], ["26999.5", "1.460"]],
                "checksum": 0,
                "seq": 123,
                "ts": "1695716059516",
            }
        ],
        "ts": 1695716059516,
    }
    store = BitgetV2DataStore()
    store.onmessage(sample)
    book = store.book
    assert book.in_sync(KEY)
    top = book.sorted({"instType": "USDT-FUTURES", "instId": "BTCUSDT"}, limit=1)
    assert top["asks"][0]["price"] == "27000.5" and top["asks"][0]["amount"] == "8.760"
    assert top["bids"][0]["price"] == "27000.0" and top["bids"][0]["amount"] == "2.710"
    assert book.timestamp == "1695716059516"
    assert book.stats.checksum_failures == 0


# -- seq and pseq ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("book", "last", "prev", "verdict"),
    [
        (100, 101, 100, Verdict.APPLY),  # pseq chains to the book
        (100, 150, 100, Verdict.APPLY),  # seq may jump: only pseq has to match
        (100, 100, 99, Verdict.STALE),  # the same push again
        (100, 90, 80, Verdict.STALE),  # an older push
        (100, 160, 120, Verdict.GAP),  # a push was lost
        (100, 101, 0, Verdict.GAP),  # pseq 0 on an update: a sequence restart
        (100, 130, None, Verdict.APPLY),  # no pseq: seq only orders
        (100, 100, None, Verdict.STALE),
        (100, 20, None, Verdict.STALE),
    ],
)
def test_book_rule(book: int, last: int, prev: int | None, verdict: Verdict) -> None:
    assert BookRule().check(book, last, last, prev, False) is verdict


def test_captured_frames_chain_by_pseq() -> None:
    """Frames as Bitget sends them now (level arrays trimmed): the snapshot's ``pseq`` is 0 and
    each update's ``pseq`` is the ``seq`` before it; a lost update is a gap."""
    arg = {"instType": "USDT-FUTURES", "channel": "books", "instId": "MAVUSDT"}
    key = ("USDT-FUTURES", "MAVUSDT")
    snapshot = {
        "action": "snapshot",
        "arg": arg,
        "data": [
            {
                "asks": [["0.01039", "4499.23"], ["0.0104", "116536.86"]],
                "bids": [["0.01038", "4311.15"], ["0.01037", "175152.28"]],
                "ts": "1789456510736",
                "seq": 427583461144,
                "pseq": 0,
            }
        ],
        "ts": 1789456511968,
    }
    first = {
        "action": "update",
        "arg": arg,
        "data": [
            {
                "asks": [],
                "bids": [["0.00519", "30828.52"]],
                "ts": "1789456512452",
                "seq": 427583480559,
                "pseq": 427583461144,
            }
        ],
        "ts": 1789456512453,
    }
    second = {
        "action": "update",
        "arg": arg,
        "data": [
            {
                "asks": [["0.0104", "116536.86"], ["0.01042", "382403.68"]],
                "bids": [["0.01036", "463711.3"], ["0.01035", "175053.47"]],
                "ts": "1789456512458",
                "seq": 427583480664,
                "pseq": 427583480559,
            }
        ],
        "ts": 1789456512511,
    }
    store = BitgetV2DataStore()
    for message in (snapshot, first, second):
        store.onmessage(orjson.loads(orjson.dumps(message)))
    book = store.book
    assert book.in_sync(key)
    assert len(book.find({"instId": "MAVUSDT", "side": "bids"})) == 5

    lost = BitgetV2DataStore()
    lost.onmessage(snapshot)
    lost.onmessage(second)  # the first update never arrived
    assert not lost.book.in_sync(key)
    assert lost.book.stats.gaps == 1
    assert lost.book.out_of_sync_reason(key) == (
        "gap: expected pseq 427583461144 got prev 427583480559 (last 427583480664)"
    )
    assert lost.book.find() == []


def test_sequences_beyond_2_53_compare_exactly() -> None:
    """Coin-M sequences exceed 2**53 (a double would round them); Python ints do not."""
    store = BitgetV2DataStore()
    raw = (
        b'{"action":"snapshot","arg":{"instType":"USDT-FUTURES","channel":"books",'
        b'"instId":"BTCUSDT"},"data":[{"asks":[["2","1"]],"bids":[["1","1"]],'
        b'"seq":1483653649371725838,"pseq":0,"ts":"1"}],"ts":1}'
    )
    store.onmessage(orjson.loads(raw))
    update = orjson.loads(
        raw.replace(b'"snapshot"', b'"update"')
        .replace(b'"pseq":0', b'"pseq":1483653649371725838')
        .replace(b'"seq":1483653649371725838', b'"seq":1483653649371725839')
    )
    store.onmessage(update)
    assert store.book.in_sync(KEY) and store.book.stats.gaps == 0


# -- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "element",
    [
        {"asks": [["nan", "1"]], "bids": []},
        {"asks": [["inf", "1"]], "bids": []},
        {"asks": [["-1", "1"]], "bids": []},
        {"asks": [["1", "-1"]], "bids": []},
        {"asks": [[True, "1"]], "bids": []},
        {"asks": [["1", False]], "bids": []},
        {"asks": [["1"]], "bids": []},
        {"asks": [{"price": "1", "size": "1"}], "bids": []},
        {"asks": "1,1", "bids": []},
        {"asks": [], "bids": [], "seq": "twelve"},
        {"asks": [], "bids": [], "checksum": 1.5},
        {"asks": [], "bids": [], "pseq": 4},
        "not an object",
    ],
)
def test_parse_depth_refuses_malformed(element: Any) -> None:
    with pytest.raises(MalformedMessage):
        parse_depth(element)


def test_a_malformed_update_changes_nothing(caplog: pytest.LogCaptureFixture) -> None:
    store = BitgetV2DataStore()
    store.onmessage(push("snapshot", {"asks": [["2", "1"]], "bids": [["1", "1"]], "seq": 1}))
    before = store.book.find()
    bad = push("update", {"asks": [["3", "1"], ["4", "nan"]], "bids": [], "seq": 2, "pseq": 1})
    with caplog.at_level(logging.WARNING, logger="topgun.store.bitget"):
        store.onmessage(bad)
    assert store.book.find() == before
    assert store.book.in_sync(KEY)
    assert "malformed" in caplog.text
    # the skipped push is a lost one: the next shows the gap
    store.onmessage(push("update", {"asks": [], "bids": [["1", "2"]], "seq": 3, "pseq": 2}))
    assert not store.book.in_sync(KEY)


def test_unknown_action_and_missing_data_are_refused() -> None:
    store = BitgetV2DataStore()
    store.onmessage(push("partial", {"asks": [["2", "1"]], "bids": []}))
    store.onmessage({"action": "snapshot", "arg": {"channel": "books", "instId": "X"}, "data": []})
    store.onmessage(
        {"action": "snapshot", "arg": {"instType": "SPOT", "channel": "books"}, "data": [{}]}
    )
    assert store.book.find() == [] and not store.book._books


# -- one channel per book --------------------------------------------------------------------


def test_a_shallower_channel_does_not_cut_the_full_book() -> None:
    store = BitgetV2DataStore()
    asks = [[f"{100 + i}", "1"] for i in range(20)]
    store.onmessage(push("snapshot", {"asks": asks, "bids": [["99", "1"]], "seq": 1}))
    store.onmessage(push("snapshot", {"asks": asks[:5], "bids": [["99", "1"]]}, channel="books5"))
    assert len(store.book.find({"side": "asks"})) == 20
    assert store.book.ignored == 1


def test_a_deeper_channel_takes_over_from_a_shallower_one() -> None:
    store = BitgetV2DataStore()
    asks = [[f"{100 + i}", "1"] for i in range(20)]
    store.onmessage(push("snapshot", {"asks": asks[:5], "bids": []}, channel="books5"))
    store.onmessage(push("snapshot", {"asks": asks, "bids": [], "seq": 7}))
    assert len(store.book.find({"side": "asks"})) == 20
    store.onmessage(push("snapshot", {"asks": asks[:5], "bids": []}, channel="books5"))
    assert len(store.book.find({"side": "asks"})) == 20


def test_unsubscribing_a_book_stops_serving_it() -> None:
    store = BitgetV2DataStore()
    store.onmessage(push("snapshot", {"asks": [["2", "1"]], "bids": [["1", "1"]], "seq": 1}))
    store.onmessage({"event": "unsubscribe", "arg": push("update", {})["arg"]})
    assert not store.book.in_sync(KEY)
    assert store.book.out_of_sync_reason(KEY) == "unsubscribed"
    assert store.book.find() == []


def test_v1_snapshot_replaces_the_book() -> None:
    """The reference merged a V1 snapshot into the old book (levels gone meanwhile stayed)."""
    arg = {"instType": "mc", "channel": "books", "instId": "BTCUSD"}
    store = BitgetDataStore()
    store.onmessage(
        {
            "action": "snapshot",
            "arg": arg,
            "data": [{"asks": [["2", "1"], ["3", "1"]], "bids": [], "ts": "1"}],
        }
    )
    store.onmessage(
        {"action": "snapshot", "arg": arg, "data": [{"asks": [["3", "1"]], "bids": [], "ts": "2"}]}
    )
    assert [level["px"] for level in store.orderbook.find()] == ["3"]


# -- a property: apply vs a naive model ------------------------------------------------------

_prices = st.integers(min_value=1, max_value=60)
_sizes = st.sampled_from(["0", "0.0", "1", "1.50", "2.250", "10"])
_rows = st.lists(st.tuples(_prices, _sizes), max_size=8)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_rows, _rows), min_size=1, max_size=25))
def test_updates_equal_a_naive_model(diffs: list[tuple[list[Any], list[Any]]]) -> None:
    """Asks at 100+p and bids at 100-p never cross; every push carries the model's checksum and
    chains by pseq, so the store stays in sync and equal to the model after each."""
    model: dict[str, dict[str, str]] = {"asks": {"101": "1"}, "bids": {"99": "1"}}

    def checksum() -> int:
        asks = sorted(model["asks"].items(), key=lambda kv: float(kv[0]))[:25]
        bids = sorted(model["bids"].items(), key=lambda kv: -float(kv[0]))[:25]
        return signed_crc32(book_check_string([list(b) for b in bids], [list(a) for a in asks]))

    store = BitgetV2DataStore()
    snapshot = {"asks": [["101", "1"]], "bids": [["99", "1"]], "seq": 10, "pseq": 0}
    store.onmessage(push("snapshot", {**snapshot, "checksum": checksum()}))
    seq = 10
    for asks, bids in diffs:
        rows = {
            "asks": {str(100 + p): s for p, s in asks},
            "bids": {str(100 - p): s for p, s in bids},
        }
        for side, changes in rows.items():
            for price, size in changes.items():
                if float(size):
                    model[side][price] = size
                else:
                    model[side].pop(price, None)
        element = {
            "asks": [list(r) for r in rows["asks"].items()],
            "bids": [list(r) for r in rows["bids"].items()],
            "seq": seq + 3,
            "pseq": seq,
            "checksum": checksum(),
        }
        seq += 3
        store.onmessage(push("update", element))
        assert store.book.in_sync(KEY), store.book.stats
        served = store.book.sorted({"instType": "USDT-FUTURES", "instId": "BTCUSDT"})
        for side in ("asks", "bids"):
            got = {level["price"]: level["amount"] for level in served[side]}
            assert got == model[side]


def test_kept_check_strings_follow_the_book() -> None:
    """The per-level strings kept between checksums always give core's interleaved string, as
    levels change, leave the best 25 and come back into them."""
    rng = random.Random(7)
    store = BitgetV2DataStore()
    book = store.book
    asks = {100 + i: f"{i + 1}.000" for i in range(40)}
    bids = {99 - i: f"{i + 1}.000" for i in range(40)}
    store.onmessage(
        push(
            "snapshot",
            {
                "asks": [[str(p), s] for p, s in asks.items()],
                "bids": [[str(p), s] for p, s in bids.items()],
                "seq": 1,
            },
        )
    )
    for seq in range(2, 300):
        changes: dict[str, list[list[str]]] = {"asks": [], "bids": []}
        for name, side, base, sign in (("asks", asks, 100, 1), ("bids", bids, 99, -1)):
            for _ in range(rng.randint(0, 4)):
                price = base + sign * rng.randint(0, 45)
                size = rng.choice(["0", "1.500", "2.0", "0.25"])
                if size == "0":
                    side.pop(price, None)
                else:
                    side[price] = size
                changes[name].append([str(price), size])
        store.onmessage(push("update", {**changes, "seq": seq}))
        assert book._checksum_text(KEY) == book._interleaved_text(KEY, 25)
