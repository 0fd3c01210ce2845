"""PhemexDataStore: every store from messages shaped as Phemex's docs show them, the verified
order book (periodic snapshot self-verification, stale sequences, resubscription of every
symbol of the channel), ``initialize()``, and the fuzz and book kits.

Shapes: https://github.com/phemex/phemex-api-docs/blob/master/Public-Contract-API-en.md
("OrderBook Message", "Trade Message", "Kline Message", "Account-Order-Position (AOP) Message",
"24 Hours Ticker", "Subscribe symbol price") and Public-Hedged-Perpetual-API.md (``_p``
channels: real values as strings).
"""

from __future__ import annotations

import copy
import dataclasses
import logging
from typing import Any

import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st

import topgun
from topgun.plugin import InitializeError
from topgun.testing import (
    BookAdapter,
    Change,
    HttpExchange,
    ModelBook,
    assert_store_fuzz,
    build_registry,
    check_offline,
    check_recovery,
)
from topgun_phemex import PhemexDataStore, plugin

KEY = "phemex-test-key"
SECRET = "phemex-test-secret"

BOOK_SNAPSHOT: dict[str, Any] = {
    "book": {
        "asks": [[86765000, 19609], [86770000, 7402]],
        "bids": [[86760000, 18995], [86755000, 6451]],
    },
    "depth": 30,
    "sequence": 1191904,
    "symbol": "BTCUSD",
    "type": "snapshot",
}
BOOK_INCREMENTAL: dict[str, Any] = {
    "book": {"asks": [[86775000, 4621]], "bids": []},
    "depth": 30,
    "sequence": 1191905,
    "symbol": "BTCUSD",
    "type": "incremental",
}
BOOK_P_SNAPSHOT: dict[str, Any] = {
    "depth": 30,
    "orderbook_p": {"asks": [["20702.9", "0.718"]], "bids": [["20700.5", "1.622"]]},
    "sequence": 77668172,
    "symbol": "BTCUSDT",
    "timestamp": 1666854171201355264,
    "type": "snapshot",
}
BOOK_P_INCREMENTAL: dict[str, Any] = {
    "depth": 30,
    "orderbook_p": {"asks": [["20702.9", "0"]], "bids": [["20700.6", "0.5"]]},
    "sequence": 77668209,
    "symbol": "BTCUSDT",
    "timestamp": 1666854171301355264,
    "type": "incremental",
}
TRADES: dict[str, Any] = {
    "sequence": 1167852,
    "symbol": "BTCUSD",
    "trades": [
        [1573716998128563500, "Buy", 86735000, 56],
        [1573716995033683000, "Buy", 86735000, 52],
    ],
    "type": "snapshot",
}
TRADES_P: dict[str, Any] = {
    "sequence": 77668200,
    "symbol": "BTCUSDT",
    "trades_p": [[1666854171201355264, "Sell", "20700.5", "0.010"]],
    "type": "incremental",
}
KLINE: dict[str, Any] = {
    "kline": [
        [1590019200, 86400, 95165000, 95160000, 95160000, 95160000, 95160000, 164, 1723413],
        [1589932800, 86400, 97840000, 97840000, 98480000, 92990000, 95165000, 246294692,
         2562249857942],
    ],
    "sequence": 1118993873,
    "symbol": "BTCUSD",
    "type": "snapshot",
}  # fmt: skip
KLINE_P: dict[str, Any] = {
    "kline_p": [[1666854120, 60, "20700.1", "20700.1", "20710.0", "20695.5", "20702.9", "12.5",
                 "258786.1"]],
    "sequence": 77668210,
    "symbol": "BTCUSDT",
    "type": "incremental",
}  # fmt: skip
TICK: dict[str, Any] = {
    "tick": {"last": 93385500, "scale": 4, "symbol": ".BTC", "timestamp": 1590019788015000000}
}
TICK_P: dict[str, Any] = {
    "tick_p": {"last": "20702.1", "symbol": ".BTCUSDT", "timestamp": 1666854171201355264}
}
MARKET24H: dict[str, Any] = {
    "market24h": {
        "close": 87425000,
        "fundingRate": 10000,
        "high": 92080000,
        "indexPrice": 87450475,
        "low": 87130000,
        "markPrice": 87453092,
        "open": 90710500,
        "openInterest": 7821141,
        "predFundingRate": 7609,
        "symbol": "BTCUSD",
        "timestamp": 1583646442444219017,
        "turnover": 1399362834123,
        "volume": 125287131,
    },
    "timestamp": 1576490244024818000,
}
MARKET24H_P: dict[str, Any] = {
    "market24h_p": {"closeRp": "20702.9", "symbol": "BTCUSDT", "volumeRq": "1234.5"},
    "timestamp": 1666854171201355264,
}
ORDER = {
    "accountID": 675340001,
    "action": "New",
    "clOrdID": "uuid-1573711480091",
    "orderID": "e9a45803-0af8-41b7-9c63-9b7c417715d9",
    "ordStatus": "New",
    "ordType": "Limit",
    "orderQty": 2,
    "priceEp": 86885000,
    "side": "Buy",
    "symbol": "BTCUSD",
}
AOP_SNAPSHOT: dict[str, Any] = {
    "accounts": [{"accountBalanceEv": 100000024, "accountID": 675340001, "bonusBalanceEv": 0,
                  "currency": "BTC", "totalUsedBalanceEv": 1222, "userID": 67534}],
    "orders": [ORDER],
    "positions": [{"accountID": 675340001, "avgEntryPriceEp": 86875941, "currency": "BTC",
                   "side": "Buy", "size": 9, "symbol": "BTCUSD", "valueEv": 103596}],
    "sequence": 1310812,
    "timestamp": 1573716998131004000,
    "type": "snapshot",
}  # fmt: skip
AOP_FILLED: dict[str, Any] = {
    "accounts": [{"accountBalanceEv": 99999989, "accountID": 675340001, "currency": "BTC"}],
    "orders": [{**ORDER, "ordStatus": "Filled", "action": "New", "leavesQty": 0}],
    "positions": [],
    "sequence": 1315725,
    "timestamp": 1573717286767188294,
    "type": "incremental",
}
AOP_P: dict[str, Any] = {
    "accounts_p": [{"accountID": 9328670003, "currency": "USDT", "accountBalanceRv": "1508.45"}],
    "orders_p": [{"accountID": 9328670003, "orderID": "p-1", "ordStatus": "Untriggered",
                  "symbol": "BTCUSDT", "priceRp": "20000", "orderQtyRq": "0.01"}],
    "positions_p": [{"accountID": 9328670003, "symbol": "BTCUSDT", "posSide": "Long",
                     "sizeRq": "0.01"}],
    "sequence": 68744,
    "timestamp": 1666854171201355264,
    "type": "snapshot",
}  # fmt: skip


def feed(store: PhemexDataStore, *messages: Any) -> None:
    for message in messages:
        store.onmessage(copy.deepcopy(message))


def got(table: Any, query: dict[str, Any]) -> dict[str, Any]:
    item = table.get(query)
    assert item is not None, query
    return dict(item)


def levels(store: PhemexDataStore, symbol: str) -> dict[str, list[tuple[Any, Any]]]:
    result = store.orderbook.sorted({"symbol": symbol})
    return {side: [(i["priceEp"], i["qty"]) for i in items] for side, items in result.items()}


# -- the order book -------------------------------------------------------------------------------


def test_book_snapshot_and_incremental_as_documented() -> None:
    store = PhemexDataStore()
    feed(store, BOOK_SNAPSHOT, BOOK_INCREMENTAL)
    assert levels(store, "BTCUSD") == {
        "asks": [(86765000, 19609), (86770000, 7402), (86775000, 4621)],
        "bids": [(86760000, 18995), (86755000, 6451)],
    }
    first = store.orderbook.sorted({"symbol": "BTCUSD"}, limit=1)["asks"][0]
    assert first == {"symbol": "BTCUSD", "side": "asks", "priceEp": 86765000, "qty": 19609}


def test_hedged_book_keeps_the_strings_under_price_ep() -> None:
    store = PhemexDataStore()
    feed(store, BOOK_P_SNAPSHOT, BOOK_P_INCREMENTAL)
    assert levels(store, "BTCUSDT") == {
        "asks": [],
        "bids": [("20700.6", "0.5"), ("20700.5", "1.622")],
    }
    assert store.orderbook.timestamp == 1666854171301355264


def test_nothing_is_served_before_the_first_snapshot() -> None:
    store = PhemexDataStore()
    feed(store, BOOK_INCREMENTAL)
    assert "BTCUSD" in store.orderbook.out_of_sync and len(store.orderbook) == 0
    feed(store, BOOK_SNAPSHOT)
    assert store.orderbook.in_sync("BTCUSD")


def test_a_sequence_at_or_behind_the_book_is_stale() -> None:
    store = PhemexDataStore()
    old = copy.deepcopy(BOOK_INCREMENTAL)
    old["sequence"] = 1191904
    old["book"]["asks"] = [[86765000, 1]]
    feed(store, BOOK_SNAPSHOT, old)
    assert levels(store, "BTCUSD")["asks"][0] == (86765000, 19609)
    assert store.orderbook.stats.stale_dropped == 1


def test_periodic_snapshot_is_compared_then_replaces_the_book(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = PhemexDataStore()
    feed(store, BOOK_SNAPSHOT, BOOK_INCREMENTAL)
    same = copy.deepcopy(BOOK_SNAPSHOT)
    same.update(sequence=1191906)
    same["book"]["asks"].append([86775000, 4621])
    feed(store, same)
    assert store.orderbook.stats.checksum_failures == 0
    caplog.set_level(logging.WARNING)
    other = copy.deepcopy(same)
    other.update(sequence=1191907)
    other["book"]["bids"][0] = [86760000, 1]  # the book missed an update
    feed(store, other)
    stats = store.orderbook.stats
    assert stats.checksum_failures == 1 and "snapshot mismatch on bids" in str(stats.last_reason)
    assert "differed from Phemex's periodic snapshot" in caplog.text
    assert levels(store, "BTCUSD")["bids"][0] == (86760000, 1)
    assert store.orderbook.in_sync("BTCUSD")


def test_resubscription_requests_every_symbol_of_the_channel() -> None:
    store = PhemexDataStore()
    eth = copy.deepcopy(BOOK_SNAPSHOT)
    eth.update(symbol="ETHUSD", depth=0)
    feed(store, BOOK_SNAPSHOT, eth, BOOK_P_SNAPSHOT)
    assert store.orderbook._resubscribe("BTCUSD") == [
        {"id": 0, "method": "orderbook.unsubscribe", "params": []},
        {"id": 0, "method": "orderbook.subscribe", "params": ["BTCUSD"]},
        {"id": 0, "method": "orderbook.subscribe", "params": ["ETHUSD", True]},
    ]
    assert store.orderbook._resubscribe("ETHUSD") == []  # one request covers the channel
    assert store.orderbook._resubscribe("BTCUSDT") == [
        {"id": 0, "method": "orderbook_p.unsubscribe", "params": []},
        {"id": 0, "method": "orderbook_p.subscribe", "params": ["BTCUSDT"]},
    ]


def test_malformed_books_are_skipped_whole() -> None:
    store = PhemexDataStore()
    feed(store, BOOK_SNAPSHOT)
    bad = []
    for rows in ([[86775000, True]], [[86775000, -1]], [["nan", 1]], [[86775000]], "x"):
        message = copy.deepcopy(BOOK_INCREMENTAL)
        message["book"]["bids"] = rows
        bad.append(message)
    bad.append({**BOOK_INCREMENTAL, "sequence": "1191905"})
    bad.append({**BOOK_INCREMENTAL, "type": "delta"})
    feed(store, *bad)
    assert store.skipped == len(bad)
    assert levels(store, "BTCUSD")["asks"] == [(86765000, 19609), (86770000, 7402)]


# -- the other stores ---------------------------------------------------------------------------


def test_trades_kline_ticker_market24h() -> None:
    store = PhemexDataStore()
    feed(store, TRADES, TRADES_P, KLINE, KLINE_P, TICK, TICK_P, MARKET24H, MARKET24H_P)
    assert got(store.trade, {"symbol": "BTCUSD", "timestamp": 1573716998128563500}) == {
        "symbol": "BTCUSD",
        "timestamp": 1573716998128563500,
        "side": "Buy",
        "priceEp": 86735000,
        "qty": 56,
    }
    assert (
        got(store.trade, {"symbol": "BTCUSDT", "timestamp": 1666854171201355264})["priceEp"]
        == "20700.5"
    )
    assert len(store.trade) == 3 and store.trade.maxlen == 99_999
    assert got(store.kline, {"symbol": "BTCUSD", "timestamp": 1590019200, "interval": 86400}) == {
        "symbol": "BTCUSD",
        "timestamp": 1590019200,
        "interval": 86400,
        "last_close": 95165000,
        "open": 95160000,
        "high": 95160000,
        "low": 95160000,
        "close": 95160000,
        "volume": 164,
        "turnover": 1723413,
    }
    assert (
        got(store.kline, {"symbol": "BTCUSDT", "timestamp": 1666854120, "interval": 60})["close"]
        == "20702.9"
    )
    assert got(store.ticker, {"symbol": ".BTC"})["last"] == 93385500
    assert got(store.ticker, {"symbol": ".BTCUSDT"})["last"] == "20702.1"
    assert got(store.market24h, {"symbol": "BTCUSD"})["close"] == 87425000
    assert got(store.market24h, {"symbol": "BTCUSDT"})["closeRp"] == "20702.9"


def test_accounts_orders_positions_and_the_order_rule() -> None:
    store = PhemexDataStore()
    feed(store, AOP_SNAPSHOT)
    assert (
        got(store.accounts, {"accountID": 675340001, "currency": "BTC"})["accountBalanceEv"]
        == 100000024
    )
    assert [o["orderID"] for o in store.orders] == [ORDER["orderID"]]
    assert got(store.positions, {"accountID": 675340001, "symbol": "BTCUSD"})["size"] == 9
    feed(store, AOP_FILLED)
    assert len(store.orders) == 0
    assert (
        got(store.accounts, {"accountID": 675340001, "currency": "BTC"})["accountBalanceEv"]
        == 99999989
    )
    partial = {**ORDER, "ordStatus": "PartiallyFilled", "leavesQty": 1}
    replaced = {**ORDER, "ordStatus": "Canceled", "action": "Replace"}
    canceled = {**ORDER, "ordStatus": "Canceled", "action": "Cancel"}
    feed(store, {"orders": [ORDER]}, {"orders": [partial]}, {"orders": [replaced]})
    assert got(store.orders, ORDER)["leavesQty"] == 1
    feed(store, {"orders": [canceled]})
    assert len(store.orders) == 0
    feed(store, AOP_P)
    assert got(store.orders, {"orderID": "p-1"})["ordStatus"] == "Untriggered"
    assert got(store.positions, {"accountID": 9328670003, "symbol": "BTCUSDT"})["posSide"] == "Long"


def test_replies_are_ignored_and_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    store = PhemexDataStore()
    caplog.set_level(logging.WARNING, "topgun.store.phemex")
    feed(
        store,
        {"error": None, "id": 1, "result": {"status": "success"}},
        {"error": {"code": 6001, "message": "invalid argument"}, "id": 2, "result": None},
    )
    assert store.skipped == 0 and "invalid argument" in caplog.text


def test_reconnect_unsyncs_books_and_hints_initialize(caplog: pytest.LogCaptureFixture) -> None:
    store = PhemexDataStore()
    feed(store, BOOK_SNAPSHOT, AOP_SNAPSHOT)
    caplog.set_level(logging.INFO)
    store.on_ws_reconnect(None)
    assert store.orderbook.out_of_sync == {"BTCUSD"} and len(store.orderbook) == 0
    assert "call initialize()" in caplog.text


def test_fuzz() -> None:
    samples = [
        BOOK_SNAPSHOT,
        BOOK_INCREMENTAL,
        BOOK_P_SNAPSHOT,
        BOOK_P_INCREMENTAL,
        TRADES,
        TRADES_P,
        KLINE,
        KLINE_P,
        TICK,
        TICK_P,
        MARKET24H,
        MARKET24H_P,
        AOP_SNAPSHOT,
        AOP_FILLED,
        AOP_P,
    ]
    assert_store_fuzz(PhemexDataStore, samples)


# -- initialize() -------------------------------------------------------------------------------

KLINE_REST = {
    "code": 0,
    "msg": "OK",
    "data": {
        "total": -1,
        "rows": [[1590019200, 86400, 95165000, 95160000, 95750000, 92585000, 93655000, 84414679,
                  892414738605]],
    },
}  # fmt: skip


async def serve_kline(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
    return web.json_response(KLINE_REST)


@pytest.mark.parametrize(
    "path",
    [
        "/exchange/public/md/v2/kline",
        "/exchange/public/md/kline",
        "/exchange/public/md/v2/kline/last",
        "/exchange/public/md/v2/kline/list",
    ],
)
async def test_initialize_klines(path: str) -> None:
    store = PhemexDataStore()
    async with HttpExchange(["api.phemex.com"], serve_kline) as local, local.client() as client:
        await store.initialize(
            client.get(
                f"https://api.phemex.com{path}", params={"symbol": "BTCUSD", "resolution": 86400}
            )
        )
        assert (
            got(store.kline, {"symbol": "BTCUSD", "timestamp": 1590019200, "interval": 86400})[
                "close"
            ]
            == 93655000
        )
        with pytest.raises(InitializeError, match="no symbol"):
            await store.initialize(client.get(f"https://api.phemex.com{path}"))


# -- the verified-book kit ---------------------------------------------------------------------


@dataclasses.dataclass
class PhemexBook(BookAdapter):
    """``book`` (scaled integer prices, scale 10,000) or ``orderbook_p`` (strings)."""

    channel: str = "book"
    ws_url: str = "wss://ws.phemex.com"

    @property
    def key(self) -> str:  # type: ignore[override]
        return "BTCUSD" if self.channel == "book" else "BTCUSDT"

    def new_store(self) -> PhemexDataStore:
        return PhemexDataStore()

    def book(self, store: Any) -> Any:
        return store.orderbook

    def rows(self, rows: Change) -> list[list[Any]]:
        if self.channel == "book":
            return [[round(price * 10_000), round(size * 100)] for price, size in rows]
        return [[f"{price:.1f}", f"{size:.2f}"] for price, size in rows]

    def message(self, model: ModelBook, kind: str, asks: Change, bids: Change) -> Any:
        return {
            self.channel: {"asks": self.rows(asks), "bids": self.rows(bids)},
            "depth": 0,
            "sequence": model.seq * 7,  # increasing, not consecutive, as Phemex's
            "symbol": self.key,
            "timestamp": 1666854171201355264 + model.seq,
            "type": kind,
        }

    def snapshot(self, model: ModelBook) -> Any:
        return self.message(model, "snapshot", *model.top())

    def diff(self, model: ModelBook, asks: Change, bids: Change) -> Any:
        return self.message(model, "incremental", asks, bids)

    def level(self, book: Any, item: Any) -> tuple[float, float]:
        if self.channel == "book":
            return item["priceEp"] / 10_000, item["qty"] / 100
        return float(item["priceEp"]), float(item["qty"])

    def subscribe(self) -> list[Any]:
        method = "orderbook" if self.channel == "book" else "orderbook_p"
        return [{"id": 1, "method": f"{method}.subscribe", "params": [self.key, True]}]

    def answer(self, message: Any, model: ModelBook) -> list[Any]:
        if isinstance(message, dict) and str(message.get("method")).endswith(".subscribe"):
            return [{"error": None, "id": 1, "result": {"status": "success"}}, self.snapshot(model)]
        return []


@pytest.mark.parametrize("channel", ["book", "orderbook_p"])
def test_book_kit(channel: str) -> None:
    check_offline(PhemexBook(channel))


@pytest.mark.parametrize("channel", ["book", "orderbook_p"])
async def test_book_kit_recovery(channel: str) -> None:
    await check_recovery(PhemexBook(channel))


# -- end to end through client.ws_connect -------------------------------------------------------


async def test_end_to_end_login_aop_books_and_resubscription(gateway: Any, eventually: Any) -> None:
    """Logged in on the local ws.phemex.com: the AOP snapshot and two books. 100 stale
    incrementals put BTCUSD's book out of sync; the store unsubscribes the channel and subscribes
    both symbols again (Phemex's unsubscribe drops them all), and both books come back."""
    server = gateway.server
    server.aop = AOP_SNAPSHOT

    def book_snapshot(params: Any) -> list[Any]:
        message = copy.deepcopy(BOOK_SNAPSHOT)
        message["symbol"] = params[0]
        return [message]

    server.snapshots["orderbook.subscribe"] = book_snapshot
    store = PhemexDataStore()
    store.orderbook.recovery = dataclasses.replace(
        store.orderbook.recovery, grace=0.05, timeout=2.0
    )
    registry = build_registry([plugin], strict=True)
    async with topgun.Client(
        apis={"phemex": [KEY, SECRET]}, registry=registry, **gateway.client_kwargs()
    ) as client:
        app = client.ws_connect(
            "wss://ws.phemex.com",
            send_json=[
                {"id": 1, "method": "aop.subscribe", "params": []},
                {"id": 2, "method": "orderbook.subscribe", "params": ["BTCUSD"]},
                {"id": 3, "method": "orderbook.subscribe", "params": ["ETHUSD"]},
            ],
            hdlr_json=store.onmessage,
        )
        await app.ready()
        await store.orderbook.wait_synced("BTCUSD", timeout=5)
        await store.orderbook.wait_synced("ETHUSD", timeout=5)
        await eventually(lambda: len(store.orders) == 1 and len(store.positions) == 1)
        conn = gateway.connections[-1]
        stale = copy.deepcopy(BOOK_INCREMENTAL)
        stale["sequence"] = 1
        for _ in range(100):
            await conn.send(stale)
        await eventually(lambda: server.unsubscribed == ["orderbook.unsubscribe"])
        await store.orderbook.wait_synced("BTCUSD", timeout=5)
        await eventually(
            lambda: (
                sorted(p for m, p in server.subscribed if m == "orderbook.subscribe")
                == [["BTCUSD"], ["BTCUSD"], ["ETHUSD"], ["ETHUSD"]]
            )
        )
        assert store.orderbook.in_sync("ETHUSD")
        assert levels(store, "BTCUSD")["asks"][0] == (86765000, 19609)
    assert server.logins == [True]


# -- properties against a naive model ------------------------------------------------------------

_rows = st.lists(
    st.tuples(st.integers(min_value=1, max_value=20), st.integers(min_value=0, max_value=3)),
    max_size=5,
)
_message = st.tuples(
    st.booleans(),  # a snapshot (else an incremental)
    st.integers(min_value=1, max_value=30),  # its sequence: repeated, stale or ahead
    _rows,  # asks (prices 100 + n)
    _rows,  # bids (prices 100 - n)
)


@settings(max_examples=80, deadline=None)
@given(messages=st.lists(_message, max_size=25))
def test_property_book_is_the_model_and_mismatches_are_counted(messages: list[Any]) -> None:
    """The served book is what a naive model builds: snapshots replace it, incrementals at or
    behind the last sequence are ignored; each snapshot that differs from the book in sync is
    counted once."""
    store = PhemexDataStore()
    model: dict[str, dict[int, int]] | None = None
    last = 0
    mismatches = 0
    for snapshot, sequence, asks, bids in messages:
        rows = {"asks": {100 + p: q for p, q in asks}, "bids": {100 - p: q for p, q in bids}}
        if snapshot:
            fresh = {side: {p: q for p, q in levels.items() if q} for side, levels in rows.items()}
            if model is not None and fresh != model:
                mismatches += 1
            model, last = fresh, sequence
        elif model is not None and sequence > last:
            for side, levels in rows.items():
                for price, qty in levels.items():
                    if qty:
                        model[side][price] = qty
                    else:
                        model[side].pop(price, None)
            last = sequence
        feed(store, {
            "book": {side: [[p * 10_000, q] for p, q in levels.items()]
                     for side, levels in rows.items()},
            "depth": 0,
            "sequence": sequence,
            "symbol": "BTCUSD",
            "type": "snapshot" if snapshot else "incremental",
        })  # fmt: skip
        served = store.orderbook.sorted({"symbol": "BTCUSD"})
        have = {s: {i["priceEp"] // 10_000: i["qty"] for i in items} for s, items in served.items()}
        assert have == (model or {"asks": {}, "bids": {}})
    assert store.orderbook.stats.checksum_failures == mismatches
