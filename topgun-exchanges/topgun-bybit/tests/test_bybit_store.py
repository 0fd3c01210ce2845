"""BybitDataStore: every V5 topic of the reference, fed as the docs' examples (see conftest's
SAMPLES for the doc URLs), plus replies, unknown topics and malformed messages."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

import topgun
from topgun_bybit import BybitDataStore
from topgun_bybit.store import ORDER_STATES


def test_registered_with_the_reference_names() -> None:
    assert topgun.BybitDataStore is BybitDataStore
    store = topgun.BybitDataStore()
    assert list(store) == [
        "orderbook",
        "publicTrade",
        "tickers",
        "kline",
        "allLiquidation",
        "kline_lt",
        "tickers_lt",
        "lt",
        "liquidation",
        "position",
        "execution",
        "order",
        "wallet",
        "greeks",
    ]
    attributes = {
        "orderbook": "orderbook",
        "trade": "publicTrade",
        "ticker": "tickers",
        "kline": "kline",
        "all_liquidation": "allLiquidation",
        "lt_kline": "kline_lt",
        "lt_ticker": "tickers_lt",
        "lt_nav": "lt",
        "liquidation": "liquidation",
        "position": "position",
        "execution": "execution",
        "order": "order",
        "wallet": "wallet",
        "greek": "greeks",
    }
    for attribute, name in attributes.items():
        assert getattr(store, attribute) is store[name]


def test_trades_liquidations_and_executions_are_logs(sample: Any) -> None:
    store = BybitDataStore()
    for name in ("trade", "all_liquidation", "liquidation", "execution"):
        store.onmessage(sample(name))
        store.onmessage(sample(name))
    assert store.trade.find() == [sample("trade")["data"][0]] * 2
    assert store.all_liquidation.find() == [sample("all_liquidation")["data"][0]] * 2
    assert store.liquidation.find() == [sample("liquidation")["data"]] * 2
    assert store.execution.find() == [sample("execution")["data"][0]] * 2
    for log_store in (store.trade, store.all_liquidation, store.liquidation, store.execution):
        assert log_store.maxlen == 99_999 and log_store.keys == ()
    # execution.fast routes on its first segment, like the reference.
    store.onmessage({**sample("execution"), "topic": "execution.fast"})
    assert len(store.execution) == 3


def test_ticker_deltas_merge_into_the_snapshot(sample: Any) -> None:
    store = BybitDataStore()
    store.onmessage(sample("ticker_snapshot"))
    store.onmessage(sample("ticker_delta"))
    ticker = store.ticker.get({"symbol": "BTCUSDT"})
    assert ticker == {
        **sample("ticker_snapshot")["data"],
        "markPrice": "17218.01",
        "bid1Size": "80.001",
    }
    assert len(store.ticker) == 1


def test_klines_take_the_symbol_from_the_topic(sample: Any) -> None:
    store = BybitDataStore()
    store.onmessage(sample("kline"))
    store.onmessage(sample("kline", close="16690", confirm=True))
    store.onmessage(sample("lt_kline"))
    candle = sample("kline")["data"][0]
    assert store.kline.find() == [
        {"symbol": "BTCUSDT", **candle, "close": "16690", "confirm": True}
    ]
    assert store.kline.keys == ("symbol", "start", "end")
    assert store.lt_kline.find() == [{"symbol": "EOS3LUSDT", **sample("lt_kline")["data"][0]}]


def test_leveraged_token_tickers_and_navs(sample: Any) -> None:
    store = BybitDataStore()
    store.onmessage(sample("lt_ticker"))
    store.onmessage(sample("lt_nav"))
    store.onmessage(sample("lt_nav", nav="0.42"))
    assert store.lt_ticker.find() == [sample("lt_ticker")["data"]]
    assert store.lt_nav.find() == [{**sample("lt_nav")["data"], "nav": "0.42"}]


def test_positions_merge_per_symbol_and_position_index(sample: Any) -> None:
    store = BybitDataStore()
    store.onmessage(sample("position"))
    store.onmessage(sample("position", positionIdx=1, side="Buy", size="0.01"))
    store.onmessage({**sample("position", size="0.02", side="Sell"), "topic": "position.linear"})
    assert store.position.keys == ("symbol", "positionIdx")
    assert store.position.get({"symbol": "BTCUSDT", "positionIdx": 2})["size"] == "0.02"  # type: ignore[index]
    assert store.position.get({"symbol": "BTCUSDT", "positionIdx": 1})["side"] == "Buy"  # type: ignore[index]
    assert len(store.position) == 2


def order(sample: Any, order_id: str, status: str, link: str = "", **fields: Any) -> Any:
    return sample("order", orderId=order_id, orderStatus=status, orderLinkId=link, **fields)


def test_orders_keep_only_open_ones(sample: Any) -> None:
    store = BybitDataStore()
    store.onmessage(order(sample, "o-1", "New", price="70"))
    store.onmessage(order(sample, "o-2", "Untriggered"))
    store.onmessage(order(sample, "o-1", "PartiallyFilled", cumExecQty="0.5"))
    assert store.order.get({"orderId": "o-1"})["cumExecQty"] == "0.5"  # type: ignore[index]
    assert store.order.get({"orderId": "o-1"})["orderStatus"] == "PartiallyFilled"  # type: ignore[index]
    store.onmessage(order(sample, "o-1", "Filled"))
    assert [o["orderId"] for o in store.order] == ["o-2"]
    # Every documented status is classified; each closed one removes the order.
    for status, state in ORDER_STATES.items():
        store.onmessage(order(sample, "o-x", "New"))
        store.onmessage(order(sample, "o-x", status))
        assert (store.order.get({"orderId": "o-x"}) is not None) is (state == "open"), status
    store.onmessage(sample("order"))  # the docs' example: an option order, Filled
    assert store.order.get({"orderId": "5cf98598-39a7-459e-97bf-76ca765ee020"}) is None


def test_a_closed_spot_conditional_order_removes_its_link_siblings(sample: Any) -> None:
    store = BybitDataStore()
    store.onmessage(order(sample, "tp-1", "Untriggered", link="my-tp"))
    store.onmessage(order(sample, "tp-1-child", "New", link="my-tp"))
    store.onmessage(order(sample, "other", "New", link="other"))
    store.onmessage(order(sample, "tp-1", "Triggered", link="my-tp"))
    assert [o["orderId"] for o in store.order] == ["other"]


def test_unknown_order_status_changes_nothing(
    sample: Any, caplog: pytest.LogCaptureFixture
) -> None:
    store = BybitDataStore()
    store.onmessage(order(sample, "o-1", "New"))
    store.onmessage(order(sample, "o-1", "Teleported"))
    assert store.order.get({"orderId": "o-1"})["orderStatus"] == "New"  # type: ignore[index]
    assert store.order.unknown_states == 1
    assert "unknown orderStatus 'Teleported'" in caplog.text


def test_wallet_keeps_coins_an_update_leaves_out(sample: Any) -> None:
    store = BybitDataStore()
    usdt = {"coin": "USDT", "equity": "100", "walletBalance": "100", "locked": "0"}
    first = sample("wallet")
    first["data"][0]["coin"].append(usdt)
    store.onmessage(first)
    update = sample("wallet", totalEquity="10300")
    update["data"][0]["coin"] = [{**usdt, "walletBalance": "90", "equity": "90"}]
    store.onmessage(update)
    wallet = store.wallet.get({"accountType": "UNIFIED"})
    assert wallet is not None and wallet["totalEquity"] == "10300"
    assert wallet["coin"] == [
        {**usdt, "walletBalance": "90", "equity": "90"},
        sample("wallet")["data"][0]["coin"][0],
    ]
    assert update["data"][0]["coin"] == [{**usdt, "walletBalance": "90", "equity": "90"}]


def test_greeks_per_base_coin(sample: Any) -> None:
    store = BybitDataStore()
    store.onmessage(sample("greeks"))
    store.onmessage(sample("greeks", totalDelta="0.07"))
    assert store.greek.find() == [{**sample("greeks")["data"][0], "totalDelta": "0.07"}]


def test_replies_and_unknown_topics_are_logged_never_raised(
    sample: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="topgun.store.bybit")
    store = BybitDataStore()
    store.onmessage({"success": True, "ret_msg": "", "op": "subscribe", "conn_id": "c"})
    store.onmessage({"success": True, "ret_msg": "pong", "op": "ping", "conn_id": "c"})
    assert caplog.records == []
    store.onmessage(
        {"success": False, "ret_msg": "error:handler not found,topic:x", "op": "subscribe"}
    )
    store.onmessage({"topic": "insurance.USDT", "type": "snapshot", "data": []})
    store.onmessage({"topic": "insurance.USDT", "type": "snapshot", "data": []})
    store.onmessage(["not", "an", "object"])
    store.onmessage({"hello": "world"})
    messages = [r.getMessage() for r in caplog.records]
    assert any("refused 'subscribe': error:handler not found" in m for m in messages)
    assert sum("no store for topic 'insurance.USDT'" in m for m in messages) == 1
    assert any("not a JSON object (list)" in m for m in messages)
    assert any("neither topic nor op" in m for m in messages)
    assert all(len(store[name]) == 0 for name in store)


MALFORMED = [
    ("trade", {"data": {"not": "a list"}}),
    ("trade", {"data": [{"T": 1}, "x"]}),
    ("ticker_snapshot", {"data": {"lastPrice": "1"}}),
    ("ticker_snapshot", {"data": [{"symbol": "BTCUSDT"}]}),
    ("kline", {"topic": "kline.5"}),
    ("kline", {"data": [{"start": 1, "end": 2}, {"start": 3}]}),
    ("liquidation", {"data": []}),
    ("position", {"data": [{"symbol": "BTCUSDT", "positionIdx": 0}, {"symbol": "X"}]}),
    ("order", {"data": [{"orderId": "a", "orderStatus": "Filled"}, {"orderId": "b"}]}),
    ("order", {"data": [{"orderId": "a", "orderStatus": "New", "orderLinkId": 5}]}),
    ("wallet", {"data": [{"accountType": "UNIFIED", "coin": [{"equity": "1"}]}]}),
    ("wallet", {"data": [{"accountType": "UNIFIED", "coin": "BTC"}]}),
    ("greeks", {"data": [{"totalDelta": "1"}]}),
    ("execution", {"data": None}),
]


@pytest.mark.parametrize(("name", "change"), MALFORMED)
def test_malformed_messages_change_nothing(
    sample: Any, name: str, change: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    store = BybitDataStore()
    store.onmessage(sample(name))
    before = {n: [dict(item) for item in store[n]] for n in store}
    store.onmessage({**sample(name), **change})
    assert {n: [dict(item) for item in store[n]] for n in store} == before
    assert "skipped a malformed message" in caplog.text


async def test_wait_returns_after_every_message(sample: Any) -> None:
    """As pybotters' DataStoreCollection.wait(): any handled message wakes it, even a reply."""
    store = BybitDataStore()
    for message in ({"success": True, "ret_msg": "", "op": "subscribe"}, sample("trade")):
        waiter = asyncio.ensure_future(store.wait())
        await asyncio.sleep(0)
        assert not waiter.done()
        store.onmessage(message)
        await asyncio.wait_for(waiter, 5)
