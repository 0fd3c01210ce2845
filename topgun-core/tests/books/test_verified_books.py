"""Verified order books in core: sequence rules, out-of-sync bookkeeping, waiting, reconnects,
REST replay, recovery ownership and backoff, and the total bound (issue 10 item 9).

The feeds are the made-up ones of conftest.py; the end-to-end tests run over real local sockets.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
from typing import Any

import pytest
from aiohttp import web
from yarl import URL

import topgun
from topgun.store import (
    ChainRule,
    OrderBookStore,
    OrderRule,
    RangeRule,
    Verdict,
    signed_crc32,
)
from topgun.testing import HttpExchange, WebSocketExchange, eventually
from topgun.testing.books import BookAdapter, ModelBook

APPLY, STALE, GAP = Verdict.APPLY, Verdict.STALE, Verdict.GAP


# -- sequence rules ------------------------------------------------------------------------


def test_range_rule() -> None:
    rule = RangeRule()
    assert rule.check(100, 101, 105, None, True) is APPLY  # starts right after the book
    assert rule.check(100, 95, 105, None, True) is APPLY  # straddles it
    assert rule.check(100, 95, 100, None, False) is STALE  # at or behind it
    assert rule.check(100, 102, 105, None, False) is GAP  # 101 was lost
    assert rule.check(100, 101, 101, None, False) is APPLY  # one id per diff
    assert rule.expected(100, False) == "101"


def test_chain_rule_follows_prev_including_heartbeats_and_resets() -> None:
    """The (prev, last) pairs of a documented example: snapshot 10, then (10, 15), a heartbeat
    (15, 15), a sequence reset (15, 3), and (3, 5), all applying; then a gap and a duplicate."""
    rule = ChainRule()
    book = 10
    for prev, last in ((10, 15), (15, 15), (15, 3), (3, 5)):
        assert rule.check(book, last, last, prev, book == 10) is APPLY, (prev, last)
        book = last
    assert rule.check(5, 9, 9, 7, False) is GAP
    assert rule.check(5, 5, 5, 3, False) is STALE
    assert rule.check(5, 9, 9, None, False) is GAP  # the rule needs prev
    assert rule.expected(5, False) == "prev 5"


def test_chain_rule_first_diff_may_straddle_the_snapshot() -> None:
    rule = ChainRule()
    assert rule.check(150, 148, 160, 140, True) is APPLY  # prev <= 150 <= last
    assert rule.check(150, 148, 160, 140, False) is GAP  # but not later on
    assert rule.check(150, 120, 140, 110, True) is STALE  # older than the snapshot
    assert rule.check(150, 155, 160, 152, True) is GAP  # newer than it, with a hole


def test_order_rule_never_sees_a_gap() -> None:
    rule = OrderRule()
    assert rule.check(10, 500, 500, None, False) is APPLY
    assert rule.check(10, 10, 10, None, False) is STALE


@pytest.mark.parametrize(
    ("text", "crc"),
    [
        # The worked check strings of https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel
        ("3366.1:7:3366.8:9:3366:6:3368:8", -1881014294),
        ("3366.1:7:3366.8:9:3368:8:3372:8", 831078360),
        # and of https://www.bitget.com/api-doc/spot/websocket/public/Depth-Channel
        ("43231.1:4:43232.8:9:43231:6:43232.9:8", -1504501796),
    ],
)
def test_signed_crc32(text: str, crc: int) -> None:
    assert signed_crc32(text) == crc


class Levels(OrderBookStore):
    _KEYS = ("side", "price")


@pytest.mark.parametrize(
    ("bids", "asks", "crc"),
    [
        # The docs' examples of OKX's book checksum (more than / fewer than 25 levels)
        ([("3366.1", "7"), ("3366", "6")], [("3366.8", "9"), ("3368", "8")], -1881014294),
        ([("3366.1", "7")], [("3366.8", "9"), ("3368", "8"), ("3372", "8")], 831078360),
        ([("3366.1", "7"), ("3366", "6"), ("3360", "1")], [("3366.8", "9")], None),
        ([], [], None),
    ],
)
def test_the_interleaved_check_string(
    bids: list[tuple[str, str]], asks: list[tuple[str, str]], crc: int | None
) -> None:
    book = Levels()
    book._snapshot(
        None,
        (
            [(float(p), p, s) for p, s in asks],
            [(float(p), p, s) for p, s in bids],
        ),
    )
    text = book._interleaved_text(None, 25)
    pairs: list[str] = []
    for i in range(max(len(bids), len(asks))):
        pairs += [f"{p}:{s}" for side in (bids, asks) if i < len(side) for p, s in [side[i]]]
    assert text == ":".join(pairs)
    if crc is not None:
        assert signed_crc32(text) == crc
    assert book._interleaved_text(None, 1).count(":") <= 3


# -- out of sync: hidden, logged once, counted ------------------------------------------------


def feed(adapter: BookAdapter, seed: int = 7) -> tuple[Any, OrderBookStore, ModelBook]:
    store = adapter.new_store()
    model = ModelBook.seeded(random.Random(seed))
    return store, adapter.book(store), model


def send(store: Any, message: Any) -> None:
    store.onmessage(message, None)


def test_a_gap_hides_only_that_book_logs_once_and_counts(
    checksum_adapter: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="topgun.store")
    store, book, model = feed(checksum_adapter)
    other_adapter = type(checksum_adapter)()
    other_adapter.key = "OTHER"
    model.seq = 1042
    send(store, checksum_adapter.snapshot(model))
    send(store, other_adapter.snapshot(model))
    assert book.out_of_sync == frozenset() and len(book) == 120
    model.advance()
    model.advance()  # two diffs lost on the way
    model.advance()
    send(store, checksum_adapter.diff(model, [], []))
    assert book.out_of_sync == {"AAA-BBB"}
    assert book.out_of_sync_reason("AAA-BBB") == "gap: expected 1043 got 1045"
    assert book.stats.gaps == 1 and book.stats.last_reason == "AAA-BBB: gap: expected 1043 got 1045"
    # hidden from every read, the other book untouched
    assert book.sorted({"symbol": "AAA-BBB"}) == {"asks": [], "bids": []}
    assert book.find({"symbol": "AAA-BBB"}) == []
    assert book.get({"symbol": "AAA-BBB", "side": "asks", "price": "1000.5"}) is None
    assert {level["symbol"] for level in book} == {"OTHER"} and len(book) == 60
    assert len(book.sorted({"symbol": "OTHER"})["asks"]) == 30
    assert len(book.sorted(limit=100)["asks"]) == 30
    # more diffs while out of sync: dropped, counted, no more warnings
    for _ in range(3):
        model.advance()
        send(store, checksum_adapter.diff(model, [], []))
    assert book.stats.unsynced_dropped == 3
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "ChecksumFeed.book: book 'AAA-BBB' is out of sync (gap: expected 1043 got 1045); its "
        "levels are hidden until a snapshot arrives"
    ]
    # a snapshot ends the episode
    send(store, checksum_adapter.snapshot(model))
    assert book.in_sync("AAA-BBB") and book.stats.recovered == 1
    assert any("'AAA-BBB' is back in sync" in r.getMessage() for r in caplog.records)


def test_a_checksum_mismatch_names_both_numbers(checksum_adapter: Any) -> None:
    store, book, model = feed(checksum_adapter)
    send(store, checksum_adapter.snapshot(model))
    model.advance()
    message = checksum_adapter.diff(model, [], [])
    ours = message["checksum"]  # what the (correct) book's checksum is
    message["checksum"] = -85412
    send(store, message)
    assert book.out_of_sync_reason("AAA-BBB") == f"checksum: expected -85412 got {ours}"
    assert book.stats.checksum_failures == 1 and "AAA-BBB" in book.out_of_sync


def test_the_check_string_uses_the_top_levels(checksum_adapter: Any) -> None:
    store, book, model = feed(checksum_adapter)
    send(store, checksum_adapter.snapshot(model))
    asks, bids = book._top("AAA-BBB", 10)
    assert len(asks) == len(bids) == 10
    assert book._checksum_text("AAA-BBB").startswith(f"{bids[0]['price']}:")


def test_the_checksum_is_recomputed_only_when_the_best_levels_change(
    checksum_adapter: Any,
) -> None:
    store, book, model = feed(checksum_adapter)
    built: list[str] = []
    text = book._checksum_text

    def counted(key: Any) -> str:
        built.append(text(key))
        return built[-1]

    book._checksum_text = counted  # type: ignore[method-assign]
    send(store, checksum_adapter.snapshot(model))
    assert len(built) == 1
    deep = max(model.asks)  # the 30th ask: below the 10 levels the checksum covers
    model.asks[deep] = 2.5
    model.advance()
    send(store, checksum_adapter.diff(model, [(deep, 2.5)], []))
    assert len(built) == 1 and book.in_sync("AAA-BBB")  # the cached value still holds
    best = max(model.bids)
    model.bids[best] = 7.25
    model.advance()
    send(store, checksum_adapter.diff(model, [], [(best, 7.25)]))
    assert len(built) == 2 and book.in_sync("AAA-BBB")
    model.bids.pop(best)  # a removal at the top brings the 11th bid into the covered levels
    model.advance()
    send(store, checksum_adapter.diff(model, [], [(best, 0)]))
    assert len(built) == 3 and book.in_sync("AAA-BBB")


def test_stale_and_duplicate_diffs_are_counted_not_applied(checksum_adapter: Any) -> None:
    store, book, model = feed(checksum_adapter)
    send(store, checksum_adapter.snapshot(model))
    rng = random.Random(3)
    asks, bids = model.step(rng)
    message = checksum_adapter.diff(model, asks, bids)
    send(store, message)
    send(store, message)
    assert book.stats.stale_dropped == 1 and book.in_sync("AAA-BBB")


def test_a_long_run_of_stale_diffs_is_an_unrecognised_reset(checksum_adapter: Any) -> None:
    from topgun.store.integrity import STALE_RUN_LIMIT

    store, book, model = feed(checksum_adapter)
    send(store, checksum_adapter.snapshot(model))
    old = checksum_adapter.diff(model, [], [])
    for _ in range(STALE_RUN_LIMIT - 1):
        send(store, old)
    assert book.in_sync("AAA-BBB")
    send(store, old)
    reason = book.out_of_sync_reason("AAA-BBB")
    assert reason is not None and reason.startswith(f"stale: {STALE_RUN_LIMIT} diffs in a row")


def test_a_malformed_diff_changes_nothing_and_the_next_one_shows_the_gap(
    checksum_adapter: Any,
) -> None:
    store, book, model = feed(checksum_adapter)
    send(store, checksum_adapter.snapshot(model))
    before = [dict(level) for level in book]
    model.advance()
    bad = checksum_adapter.diff(model, [(1000.5, 2.0)], [])
    bad["bids"] = [["nan?", "1"]]
    send(store, bad)  # logged and skipped by the collection
    assert [dict(level) for level in book] == before and book.in_sync("AAA-BBB")
    model.advance()
    send(store, checksum_adapter.diff(model, [], []))
    assert "AAA-BBB" in book.out_of_sync and book.stats.gaps == 1


def test_reconnect_puts_every_book_out_of_sync_with_one_warning(
    checksum_adapter: Any, caplog: pytest.LogCaptureFixture
) -> None:
    store, book, model = feed(checksum_adapter)
    for key in ("A", "B", "C"):
        adapter = type(checksum_adapter)()
        adapter.key = key
        send(store, adapter.snapshot(model))
    caplog.set_level(logging.WARNING, logger="topgun.store")
    with book.watch() as stream:
        store.on_ws_reconnect(None)
        assert len(stream) == 180  # every level seen leaving
    assert book.out_of_sync == {"A", "B", "C"} and len(book) == 0
    assert book.stats.reconnects == 3 and book.out_of_sync_reason("A") == "reconnect"
    assert [r.getMessage() for r in caplog.records if "reconnect" in r.getMessage()] == [
        "ChecksumFeed.book: reconnect: 3 book(s) out of sync until their snapshots arrive: "
        "'A', 'B', 'C'"
    ]


async def test_a_dropped_connection_hides_the_books_before_the_reconnect(
    checksum_adapter: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """While the app waits out its backoff nothing feeds the book, so it is out of sync at
    once (not only when the next connection is up); the reconnect's snapshot brings it back."""
    store, book, model = feed(checksum_adapter)
    caplog.set_level(logging.WARNING, logger="topgun.store")
    async with (
        WebSocketExchange(["ws.books.test"]) as exchange,
        topgun.Client(apis={}, **exchange.client_kwargs()) as client,
    ):
        gate = asyncio.Event()

        async def held(delay: float) -> None:  # the backoff lasts until the test says so
            await gate.wait()

        backoff = topgun.Backoff(sleep=held)
        app = client.ws_connect(checksum_adapter.ws_url, hdlr_json=store.onmessage, backoff=backoff)
        await app
        await eventually(lambda: len(exchange.connections) == 1)
        await exchange.connections[0].send(checksum_adapter.snapshot(model))
        await book.wait_synced("AAA-BBB", timeout=5)
        await exchange.connections[0].ws.close()  # the exchange drops the connection
        await eventually(lambda: app.state is topgun.ConnectionState.BACKOFF)
        assert book.out_of_sync == {"AAA-BBB"} and len(book) == 0
        assert book.stats.reconnects == 1
        gate.set()
        await eventually(lambda: len(exchange.connections) == 2)
        await exchange.connections[1].send(checksum_adapter.snapshot(model))
        await book.wait_synced("AAA-BBB", timeout=5)
    assert book.stats.reconnects == 1  # one episode, counted at the drop
    warnings = [r.getMessage() for r in caplog.records if "out of sync" in r.getMessage()]
    assert warnings == [
        "ChecksumFeed.book: reconnect: 1 book(s) out of sync until their snapshots arrive: "
        "'AAA-BBB'"
    ]


async def test_closing_the_app_leaves_the_books_as_they_were(checksum_adapter: Any) -> None:
    """``close()`` is the user's choice, not a lost feed: no disconnect notice."""
    store, book, model = feed(checksum_adapter)
    async with (
        WebSocketExchange(["ws.books.test"]) as exchange,
        topgun.Client(apis={}, **exchange.client_kwargs()) as client,
    ):
        app = client.ws_connect(checksum_adapter.ws_url, hdlr_json=store.onmessage)
        await app
        await eventually(lambda: len(exchange.connections) == 1)
        await exchange.connections[0].send(checksum_adapter.snapshot(model))
        await book.wait_synced("AAA-BBB", timeout=5)
        await app.close()
    assert book.in_sync("AAA-BBB") and book.stats.reconnects == 0


# -- waiting ---------------------------------------------------------------------------------


async def test_wait_synced_returns_when_the_snapshot_comes(checksum_adapter: Any) -> None:
    store, book, model = feed(checksum_adapter)
    waiting = asyncio.ensure_future(book.wait_synced("AAA-BBB", timeout=5))
    await asyncio.sleep(0)
    assert not waiting.done() and "AAA-BBB" in book.out_of_sync
    send(store, checksum_adapter.snapshot(model))
    await waiting
    await book.wait_synced("AAA-BBB", timeout=0)  # in sync: at once


async def test_wait_synced_times_out_saying_why(checksum_adapter: Any) -> None:
    _, book, _ = feed(checksum_adapter)
    with pytest.raises(TimeoutError, match=r"'AAA-BBB' of ChecksumFeed.book not in sync within "):
        await book.wait_synced("AAA-BBB", timeout=0.01)
    with pytest.raises(ValueError, match="timeout"):
        await book.wait_synced("AAA-BBB", timeout=-1)
    assert book._state("AAA-BBB").waiters == []


# -- REST snapshots: initialize(), buffering, replay -------------------------------------------


def rest_handler(adapter: Any, model: ModelBook, statuses: list[int] | None = None) -> Any:
    async def handle(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
        if statuses:
            return web.json_response({"error": "busy"}, status=statuses.pop(0))
        return web.json_response(adapter.rest_snapshot(model))

    return handle


async def test_initialize_is_a_snapshot_and_replays_what_was_buffered(rest_adapter: Any) -> None:
    store, book, model = feed(rest_adapter)
    rng = random.Random(1)
    states = []
    for _ in range(5):  # diffs that arrive before the snapshot: buffered
        asks, bids = model.step(rng)
        states.append(model.copy())
        send(store, rest_adapter.diff(model, asks, bids))
    assert book.out_of_sync == {"CCCDDD"} and len(book._state("CCCDDD").buffer) == 5
    # The exchange's snapshot is two diffs in. The chain rule takes the first diff that reaches
    # the snapshot (prev <= snapshot <= last): the second, re-applied (sizes are absolute), so
    # only the first is stale; the rest replay.
    handler = rest_handler(rest_adapter, states[1])
    async with (
        HttpExchange(["rest.books.test"], handler) as exchange,
        topgun.Client(apis={}, **exchange.client_kwargs()) as client,
    ):
        await store.initialize(
            client.get("https://rest.books.test/depth", params={"symbol": "CCCDDD"})
        )
    assert book.in_sync("CCCDDD") and book.stats.stale_dropped == 1
    result = book.sorted({"s": "CCCDDD"})
    served = (
        [(float(a["p"]), float(a["q"])) for a in result["a"]],
        [(float(b["p"]), float(b["q"])) for b in result["b"]],
    )
    assert served == model.top()
    assert book._book_seq("CCCDDD") == model.seq


async def test_a_snapshot_older_than_the_buffer_keeps_the_book_out_of_sync(
    rest_adapter: Any,
) -> None:
    store, book, model = feed(rest_adapter)
    old = model.copy()
    rng = random.Random(2)
    for _ in range(3):
        asks, bids = model.step(rng)
        if _ == 0:
            continue  # lost before the buffer started
        send(store, rest_adapter.diff(model, asks, bids))
    book._onresponse(rest_adapter.rest_snapshot(old), URL(rest_adapter.rest_url))
    reason = book.out_of_sync_reason("CCCDDD")
    assert reason is not None and reason.startswith("gap: the snapshot at 1000 is older")
    assert len(book._state("CCCDDD").buffer) == 2  # kept for the next snapshot
    newer = model.copy()
    book._onresponse(rest_adapter.rest_snapshot(newer), URL(rest_adapter.rest_url))
    assert book.in_sync("CCCDDD")


def test_the_buffer_is_bounded(rest_adapter: Any) -> None:
    store, book, model = feed(rest_adapter)
    book.recovery = dataclasses.replace(book.recovery, buffer=10)
    rng = random.Random(4)
    for _ in range(25):
        asks, bids = model.step(rng)
        send(store, rest_adapter.diff(model, asks, bids))
    state = book._state("CCCDDD")
    assert book.stats.buffer_overflows == 2 and len(state.buffer) == 5
    book._onresponse(rest_adapter.rest_snapshot(model), URL(rest_adapter.rest_url))
    assert book.in_sync("CCCDDD") and state.buffer is None


# -- recovery over the wire: ownership, backoff, failures ---------------------------------------


async def test_one_recovery_per_book_however_many_diffs(checksum_adapter: Any) -> None:
    """A book that never gets its snapshot back asks again only with backoff: no storm."""
    store, book, model = feed(checksum_adapter)
    book.recovery = dataclasses.replace(
        book.recovery, grace=0.0, timeout=0.05, backoff=topgun.Backoff(0.05, 0.2, 2.0, 0.05)
    )
    sent: list[Any] = []

    def respond(conn: Any, message: Any) -> list[Any]:
        sent.append(message)
        return []  # the exchange never answers with a snapshot

    async with WebSocketExchange(["ws.books.test"], respond) as exchange:
        async with topgun.Client(apis={}, **exchange.client_kwargs()) as client:
            app = client.ws_connect("wss://ws.books.test/stream", hdlr_json=store.onmessage)
            await app
            await eventually(lambda: bool(exchange.connections))
            for _ in range(200):
                model.advance()
                await exchange.connections[-1].send(checksum_adapter.diff(model, [], []))
            await eventually(lambda: book.stats.recovery_failures >= 3)
            attempts = book.stats.resyncs
            assert len(sent) in (2 * attempts, 2 * attempts - 2, 2 * attempts - 1)
            assert book.stats.unsynced_dropped == 200
            task = book._state("AAA-BBB").task
            assert task is not None and not task.done()
        assert task.done()  # the Client's close ended the connection and its tasks
    assert sent[:2] == [
        {"op": "unsubscribe", "args": ["book.AAA-BBB"]},
        {"op": "subscribe", "args": ["book.AAA-BBB"]},
    ]


async def test_a_failed_rest_snapshot_is_retried(rest_adapter: Any) -> None:
    store, book, model = feed(rest_adapter)
    book.recovery = dataclasses.replace(
        book.recovery, grace=0.0, backoff=topgun.Backoff(0.01, 0.05, 2.0, 0.01)
    )
    statuses = [503, 503]
    ws = WebSocketExchange(["ws.books.test"])
    routes = [web.get("/stream", ws.serve)]
    hosts = ["ws.books.test", "rest.books.test"]
    handler = rest_handler(rest_adapter, model, statuses)
    async with (
        HttpExchange(hosts, handler, routes=routes) as exchange,
        topgun.Client(apis={}, **exchange.client_kwargs()) as client,
    ):
        app = client.ws_connect("wss://ws.books.test/stream", hdlr_json=store.onmessage)
        await app
        await eventually(lambda: bool(ws.connections))
        await ws.connections[-1].send(rest_adapter.diff(model, [], []))
        await book.wait_synced("CCCDDD", timeout=5)
    assert book.stats.recovery_failures == 2 and book.stats.resyncs == 3
    assert [r["path_qs"] for r in exchange.seen] == ["/depth?symbol=CCCDDD"] * 3
    assert all("X-TOY" not in r["headers"] for r in exchange.seen)


async def test_connection_tasks_end_with_the_connection() -> None:
    seen: list[Any] = []

    async def forever() -> None:
        await asyncio.Event().wait()

    def grab(msg: Any, ws: Any) -> None:
        seen.append(ws)

    async with (
        WebSocketExchange(["ws.books.test"]) as exchange,
        topgun.Client(apis={}, **exchange.client_kwargs()) as client,
    ):
        app = client.ws_connect("wss://ws.books.test/stream", hdlr_json=grab)
        await app
        await eventually(lambda: bool(exchange.connections))
        await exchange.connections[-1].send({"hello": 1})
        await eventually(lambda: bool(seen))
        ws = seen[0]
        assert ws.app is app and app.client is client
        task = ws.run_task(forever(), name="held")
        assert task is not None and not task.done()
        await exchange.connections[-1].ws.close()  # the connection ends: so does its task
        await eventually(task.done)
        assert task.cancelled()
        late = forever()
        assert ws.run_task(late) is None  # refused once the connection is over
        assert late.cr_frame is None  # and closed, not left un-awaited


# -- the total bound (issue 10 item 9) ---------------------------------------------------------


def test_the_least_recently_updated_books_are_evicted_and_go_out_of_sync(
    checksum_adapter: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="topgun.store")
    store, book, model = feed(checksum_adapter)
    book.max_levels = 150  # 60 levels per book: two fit
    for key in ("A", "B"):
        adapter = type(checksum_adapter)()
        adapter.key = key
        send(store, adapter.snapshot(model))
    model.advance()
    a = type(checksum_adapter)()
    a.key = "A"
    send(store, a.diff(model, [], []))  # A is now the more recent
    c = type(checksum_adapter)()
    c.key = "C"
    send(store, c.snapshot(model))
    assert book.out_of_sync == {"B"} and book.stats.evictions == 1
    reason = book.out_of_sync_reason("B")
    assert reason is not None and reason.startswith("evicted")
    assert len(book) == 120 and {lv["symbol"] for lv in book} == {"A", "C"}
    assert any("evicted 1 book(s)" in r.getMessage() for r in caplog.records)
    with pytest.raises(ValueError, match="max_levels"):
        book.max_levels = 0


def test_many_distinct_books_stay_bounded(checksum_adapter: Any) -> None:
    """The attack of issue 10: every message a new product code."""
    store, book, _ = feed(checksum_adapter)
    book.max_books = 1_000
    small = ModelBook.seeded(random.Random(1), depth=5)
    adapter = type(checksum_adapter)()
    for number in range(5_000):
        adapter.key = f"K{number}"
        send(store, adapter.snapshot(small))
    assert len(book._books) <= 1_000 and len(book) <= 10_000
    assert len(book._states) <= 2_000
    assert book.stats.evictions >= 4_000
    assert book.in_sync("K4999") and not book.in_sync("K0")
    book.max_books = 10
    assert len(book._books) <= 10 and book.stats.evictions >= 4_990


def test_a_book_alone_past_the_bound_is_not_served_half(checksum_adapter: Any) -> None:
    store, book, model = feed(checksum_adapter)
    book.max_levels = 50  # the snapshot has 60 levels
    send(store, checksum_adapter.snapshot(model))
    assert not book.in_sync("AAA-BBB") and len(book) == 0 and book.stats.evictions == 1
    book.max_levels = 62  # it fits now, and then grows past the bound with a diff
    send(store, checksum_adapter.snapshot(model))
    assert book.in_sync("AAA-BBB") and len(book) == 60
    new = [(2000.0 + i, 1.0) for i in range(5)]
    for price, size in new:
        model.asks[price] = size
    model.advance()
    send(store, checksum_adapter.diff(model, new, []))
    assert not book.in_sync("AAA-BBB") and len(book) == 0 and book.stats.evictions == 2
    assert book.stats.checksum_failures == 0  # an evicted book is not checked against anything
