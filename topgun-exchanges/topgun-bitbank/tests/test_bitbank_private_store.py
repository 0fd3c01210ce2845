"""``bitbankPrivateDataStore``: private-stream messages and REST replies in the docs' shapes.

https://github.com/bitbankinc/bitbank-api-docs/blob/master/private-stream.md ("Step 4": one
``{"method", "params"}`` shape per method; remove an order on FULLY_FILLED, CANCELED_UNFILLED,
CANCELED_PARTIALLY_FILLED and on ``spot_order_invalidation``; the example code: messages may
arrive out of order, a status only moves forward) and
https://github.com/bitbankinc/bitbank-api-docs/blob/master/rest-api.md (``/v1/user/assets``,
``/v1/user/spot/active_orders``, ``/v1/user/margin/positions``; errors are
``{"success": 0, "data": {"code": ...}}``). The values follow the reference library's public
tests, which took them from real messages.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

import topgun
from topgun.plugin import InitializeError
from topgun.testing import assert_store_fuzz
from topgun_bitbank import BitbankPrivateStream, Retry, bitbankPrivateDataStore

FAST = Retry(first=0.01, cap=0.02)


def order(order_id: int, status: str, remaining: str, **more: Any) -> dict[str, Any]:
    """A ``spot_order``/``spot_order_new`` params item (the docs' fields)."""
    return {
        "average_price": "0.000",
        "executed_amount": "0.0000",
        "order_id": order_id,
        "ordered_at": 1742546617276,
        "pair": "xrp_jpy",
        "price": "359.412",
        "remaining_amount": remaining,
        "side": "buy",
        "start_amount": "0.0002",
        "status": status,
        "type": "limit",
        "expire_at": 1758098617276,
        "post_only": True,
        "user_cancelable": True,
        **more,
    }


def message(method: str, *params: Any) -> dict[str, Any]:
    return {"method": method, "params": list(params)}


ASSET = message(
    "asset_update",
    {
        "asset": "xrp",
        "amount_precision": 6,
        "free_amount": "0.000100",
        "locked_amount": "0.000000",
        "onhand_amount": "0.000100",
        "withdrawing_amount": "0.000000",
    },
)
TRADE = message(
    "spot_trade",
    {
        "amount": "0.0001",
        "executed_at": 1742545746457,
        "fee_amount_base": "0.000000",
        "fee_amount_quote": "0.0000",
        "fee_occurred_amount_quote": "0.0000",
        "maker_taker": "taker",
        "order_id": 44280665790,
        "pair": "xrp_jpy",
        "price": "359.003",
        "position_side": None,
        "side": "sell",
        "trade_id": 1396696377,
        "type": "market",
        "profit_loss": None,
        "interest": None,
    },
)
DEALER = message(
    "dealer_order_new",
    {
        "order_id": "44280314922",
        "asset": "xrp",
        "side": "sell",
        "price": "352.372",
        "amount": "0.000100",
        "ordered_at": 1742544784403,
    },
)
POSITION = message(
    "margin_position_update",
    {
        "pair": "xrp_jpy",
        "position_side": "short",
        "average_price": "360.007",
        "open_amount": "0.0001",
        "locked_amount": "0.0000",
        "product": "0.0360",
        "unrealized_fee_amount": "0.0000",
        "unrealized_interest_amount": "0.0000",
    },
)
WITHDRAWAL = message(
    "withdrawal",
    {
        "uuid": "w-1",
        "asset": "jpy",
        "account_uuid": "a-1",
        "amount": "1000",
        "fee": "550",
        "bank_name": "bank",
        "branch_name": "branch",
        "account_type": "ordinary",
        "account_number": "1234567",
        "account_owner": "OWNER",
        "status": "CONFIRMING",
        "requested_at": 1742544784403,
    },
)
DEPOSIT = message(
    "deposit",
    {
        "uuid": "d-1",
        "asset": "btc",
        "amount": "0.1",
        "network": "btc",
        "address": "addr",
        "txid": "tx",
        "found_at": 1742544784403,
        "confirmed_at": 1742544794403,
        "status": "FOUND",
    },
)
PAYABLE = message("margin_payable_update", {"amount": "120"})
NOTICE = message(
    "margin_notice_update",
    {"what": "marginCall", "occurred_at": 1742544784403, "amount": "1000", "due_date_at": 1},
)
NEW = message("spot_order_new", order(44280998810, "UNFILLED", "0.0002"))


@pytest.mark.parametrize(
    ("msg", "name", "query"),
    [
        (ASSET, "asset", {"asset": "xrp"}),
        (TRADE, "spot_trade", {"trade_id": 1396696377}),
        (DEALER, "dealer_order", {"order_id": "44280314922"}),
        (POSITION, "margin_position", {"pair": "xrp_jpy", "position_side": "short"}),
        (WITHDRAWAL, "withdrawal", {"uuid": "w-1"}),
        (DEPOSIT, "deposit", {"uuid": "d-1"}),
        (NEW, "spot_order", {"order_id": 44280998810}),
    ],
)
def test_each_method_fills_its_store(msg: dict[str, Any], name: str, query: dict[str, Any]) -> None:
    store = bitbankPrivateDataStore()
    store.onmessage(msg)
    assert store[name].get(query) == msg["params"][0]
    assert store.skipped == 0


def test_updates_merge_and_singletons_are_replaced() -> None:
    store = bitbankPrivateDataStore()
    store.onmessage(POSITION)
    closed = dict(POSITION["params"][0], open_amount="0.0000", product="0.0000", average_price="0")
    store.onmessage(message("margin_position_update", closed))
    assert store.margin_position.find() == [closed]  # kept with zeros, as bitbank sends it
    store.onmessage(WITHDRAWAL)
    store.onmessage(message("withdrawal", {"uuid": "w-1", "status": "DONE"}))
    assert store.withdrawal.get({"uuid": "w-1"})["status"] == "DONE"  # type: ignore[index]
    assert store.withdrawal.get({"uuid": "w-1"})["fee"] == "550"  # type: ignore[index]
    store.onmessage(PAYABLE)
    store.onmessage(message("margin_payable_update", {"amount": "80"}))
    assert store.margin_payable.find() == [{"amount": "80"}]
    store.onmessage(NOTICE)
    resolved = {"what": None, "occurred_at": None, "amount": None, "due_date_at": None}
    store.onmessage(message("margin_notice_update", resolved))
    assert store.margin_notice.find() == [resolved]


def test_order_lifecycle() -> None:
    store = bitbankPrivateDataStore()
    store.onmessage(NEW)
    other = order(44280888880, "UNFILLED", "0.0001", price="354.426", start_amount="0.0001")
    store.onmessage(message("spot_order_new", other))
    assert len(store.spot_order) == 2
    store.onmessage(message("spot_order", dict(other, status="CANCELED_UNFILLED")))
    assert store.spot_order.find() == [NEW["params"][0]]
    third = order(44280888881, "UNFILLED", "0.0001")
    store.onmessage(message("spot_order_new", third))
    store.onmessage({"method": "spot_order_invalidation", "params": {"order_id": [44280888881]}})
    assert store.spot_order.find() == [NEW["params"][0]]
    partial = order(44280998810, "PARTIALLY_FILLED", "0.0001", executed_amount="0.0001")
    store.onmessage(message("spot_order", partial))
    assert store.spot_order.find() == [partial]
    store.onmessage(message("spot_order", order(44280998810, "FULLY_FILLED", "0.0000")))
    assert store.spot_order.find() == []


def test_out_of_order_messages_never_move_an_order_back() -> None:
    store = bitbankPrivateDataStore()
    partial = order(1, "PARTIALLY_FILLED", "0.00015")
    store.onmessage(message("spot_order", partial))
    store.onmessage(NEW | {"params": [order(1, "UNFILLED", "0.0002")]})  # the late "new"
    assert store.spot_order.find() == [partial]
    less = order(1, "PARTIALLY_FILLED", "0.00005")
    store.onmessage(message("spot_order", less))
    store.onmessage(message("spot_order", order(1, "PARTIALLY_FILLED", "0.0001")))  # older
    assert store.spot_order.find() == [less]  # Decimal: 0.00005 < 0.0001
    store.onmessage(message("spot_order", order(1, "FULLY_FILLED", "0")))
    store.onmessage(message("spot_order", order(1, "PARTIALLY_FILLED", "0.00001")))  # late
    assert store.spot_order.find() == []


def test_inactive_stop_orders_are_kept() -> None:
    store = bitbankPrivateDataStore()
    stop = order(7, "INACTIVE", "0.0002", type="stop", trigger_price="350")
    store.onmessage(message("spot_order_new", stop))
    assert store.spot_order.find() == [stop]
    triggered = order(7, "UNFILLED", "0.0002", type="stop", is_just_triggered=True)
    store.onmessage(message("spot_order", triggered))
    assert store.spot_order.find() == [triggered]


@pytest.mark.parametrize(
    "msg",
    [
        message("spot_order", order(1, "UNFILLED", "NaN")),
        message("spot_order", order(1, "UNFILLED", "0.1"), {"order_id": 2}),
        message("asset_update", {"free_amount": "1"}),
        {"method": "spot_order_invalidation", "params": {"order_id": [1, True]}},
        {"method": "spot_trade", "params": {"trade_id": 1}},
        {"method": 5},
        ["not", "an", "object"],
    ],
)
def test_malformed_messages_are_skipped_whole(msg: Any) -> None:
    store = bitbankPrivateDataStore()
    store.onmessage(NEW)
    store.onmessage(msg)
    assert store.skipped == 1
    assert store.spot_order.find() == [NEW["params"][0]]


def test_unknown_methods_are_logged_and_ignored(caplog: pytest.LogCaptureFixture) -> None:
    store = bitbankPrivateDataStore()
    with caplog.at_level(logging.WARNING, "topgun.store.bitbank"):
        store.onmessage(message("futures_order", {"x": 1}))
    assert store.skipped == 0
    assert "futures_order" in caplog.text


def test_the_docs_envelope_is_taken_too() -> None:
    store = bitbankPrivateDataStore()
    store.onmessage({"message": ASSET})
    assert store.asset.get({"asset": "xrp"}) == ASSET["params"][0]


def test_fuzz() -> None:
    samples = [
        ASSET,
        NEW,
        message("spot_order", order(44280998810, "PARTIALLY_FILLED", "0.0001")),
        message("spot_order_new", order(5, "UNFILLED", "0.0001")),
        {"method": "spot_order_invalidation", "params": {"order_id": [5]}},
        TRADE,
        DEALER,
        WITHDRAWAL,
        DEPOSIT,
        POSITION,
        PAYABLE,
        NOTICE,
    ]
    assert_store_fuzz(bitbankPrivateDataStore, samples)


# -- initialize() against api.bitbank.cc played locally (signed requests) ---------------------------

ASSETS_REPLY = {
    "success": 1,
    "data": {
        "assets": [
            {
                "asset": "jpy",
                "free_amount": "string",
                "amount_precision": 0,
                "onhand_amount": "string",
                "locked_amount": "string",
                "withdrawing_amount": "string",
                "withdrawal_fee": {"under": "string", "over": "string", "threshold": "string"},
                "stop_deposit": False,
                "stop_withdrawal": False,
                "collateral_ratio": "string",
            }
        ]
    },
}
ORDERS_REPLY = {
    "success": 1,
    "data": {
        "orders": [
            {
                "order_id": 9,
                "pair": "btc_jpy",
                "side": "buy",
                "position_side": None,
                "type": "limit",
                "start_amount": "0.1",
                "remaining_amount": "0.1",
                "executed_amount": "0",
                "price": "100",
                "post_only": False,
                "user_cancelable": True,
                "average_price": "0",
                "ordered_at": 0,
                "expire_at": 0,
                "status": "UNFILLED",
            }
        ]
    },
}
POSITIONS_REPLY = {
    "success": 1,
    "data": {
        "notice": {"what": None, "occurred_at": None, "amount": None, "due_date_at": None},
        "payables": {"amount": "0"},
        "positions": [
            {
                "pair": "btc_jpy",
                "position_side": "long",
                "open_amount": "0.01",
                "product": "100",
                "average_price": "10000",
                "unrealized_fee_amount": "0",
                "unrealized_interest_amount": "0",
            }
        ],
        "losscut_threshold": {"individual": "0", "company": "0"},
    },
}
ENDPOINTS: dict[str, tuple[dict[str, Any], str, str]] = {
    "/v1/user/assets": (ASSETS_REPLY, "asset", "assets"),
    "/v1/user/spot/active_orders": (ORDERS_REPLY, "spot_order", "orders"),
    "/v1/user/margin/positions": (POSITIONS_REPLY, "margin_position", "positions"),
}


@pytest.mark.parametrize("path", sorted(ENDPOINTS))
async def test_initialize_each_endpoint(bitbank: Any, path: str) -> None:
    reply, name, field = ENDPOINTS[path]
    bitbank.state.replies[path] = reply
    store = bitbankPrivateDataStore()
    store.onmessage(ASSET)
    store.onmessage(NEW)
    store.onmessage(POSITION)
    async with bitbank.client() as client:
        await store.initialize(client.get(f"https://api.bitbank.cc{path}"))
    assert store[name].find() == reply["data"][field]  # replaced by what the endpoint lists
    assert bitbank.state.seen[-1]["verified"]


async def test_active_orders_of_one_pair_replace_that_pairs_orders(bitbank: Any) -> None:
    bitbank.state.replies["/v1/user/spot/active_orders"] = ORDERS_REPLY
    store = bitbankPrivateDataStore()
    store.onmessage(NEW)  # xrp_jpy
    store.onmessage(message("spot_order_new", order(8, "UNFILLED", "1", pair="btc_jpy")))
    async with bitbank.client() as client:
        await store.initialize(
            client.get(
                "https://api.bitbank.cc/v1/user/spot/active_orders", params={"pair": "btc_jpy"}
            )
        )
    assert sorted(o["order_id"] for o in store.spot_order.find()) == [9, 44280998810]


async def test_initialize_refused_names_the_endpoint_and_applies_nothing(bitbank: Any) -> None:
    bitbank.state.replies["/v1/user/assets"] = ASSETS_REPLY
    bitbank.state.replies["/v1/user/margin/positions"] = {"success": 0, "data": {"code": 50058}}
    store = bitbankPrivateDataStore()
    store.onmessage(ASSET)
    async with bitbank.client() as client:
        with pytest.raises(InitializeError) as raised:
            await store.initialize(
                client.get("https://api.bitbank.cc/v1/user/assets"),
                client.get("https://api.bitbank.cc/v1/user/margin/positions"),
            )
    assert "/v1/user/margin/positions" in str(raised.value)
    assert "50058" in str(raised.value)
    assert store.asset.find() == ASSET["params"]  # the good reply was not applied either


async def test_initialize_rejects_a_reply_without_its_list(bitbank: Any) -> None:
    bitbank.state.replies["/v1/user/spot/active_orders"] = {"success": 1, "data": {"orders": 3}}
    store = bitbankPrivateDataStore()
    store.onmessage(NEW)
    async with bitbank.client() as client:
        with pytest.raises(InitializeError, match=r"data\.orders"):
            await store.initialize(client.get("https://api.bitbank.cc/v1/user/spot/active_orders"))
    assert store.spot_order.find() == [NEW["params"][0]]


# -- end to end: the plugin's PubNub stream feeding the store --------------------------------------


async def test_end_to_end_through_the_private_stream(
    bitbank: Any, caplog: pytest.LogCaptureFixture
) -> None:
    store = bitbankPrivateDataStore()
    async with (
        bitbank.client() as client,
        BitbankPrivateStream(client, store.onmessage, retry=FAST) as stream,
    ):
        await bitbank.wait_for(lambda: bitbank.state.held > 0)
        bitbank.state.publish(ASSET, NEW, TRADE)
        await bitbank.wait_for(lambda: len(store.spot_trade) == 1)
        assert store.asset.get({"asset": "xrp"}) == ASSET["params"][0]
        assert store.spot_order.find() == [NEW["params"][0]]
        # PubNub fails once: the stream retries, resumes, and the store logs its resync hint.
        with caplog.at_level(logging.INFO, "topgun.store.bitbank"):
            bitbank.state.pubnub_errors.append(500)
            await bitbank.wait_for(lambda: stream.resumes == 1)
        assert "initialize()" in caplog.text
        bitbank.state.publish(message("spot_order", order(44280998810, "FULLY_FILLED", "0")))
        await bitbank.wait_for(lambda: len(store.spot_order) == 0)
    assert store.skipped == 0


async def test_an_explicit_on_resume_hook_is_called(bitbank: Any) -> None:
    resumed: list[Any] = []
    store = bitbankPrivateDataStore()
    async with (
        bitbank.client() as client,
        BitbankPrivateStream(
            client, store.onmessage, retry=FAST, on_resume=resumed.append
        ) as stream,
    ):
        await bitbank.wait_for(lambda: bitbank.state.held > 0)
        bitbank.state.drop_next = 2  # connections die (aiohttp retries one of them itself)
        await bitbank.wait_for(lambda: resumed == [stream])


def test_reachable_from_topgun() -> None:
    assert topgun.bitbankPrivateDataStore is bitbankPrivateDataStore
