"""bitFlyer's realtime messages, shared by the store tests and the store fuzz test.

Shapes follow https://bf-lightning-api.readme.io/docs/ realtime-board-snapshot, realtime-board,
realtime-ticker, realtime-executions, realtime-child-order-events and
realtime-parent-order-events (JSON-RPC 2.0 ``channelMessage``).
"""

from __future__ import annotations

from typing import Any

import orjson


def frame(channel: str, message: Any) -> Any:
    raw = orjson.dumps(
        {
            "jsonrpc": "2.0",
            "method": "channelMessage",
            "params": {"channel": channel, "message": message},
        }
    )
    return orjson.loads(raw)


def book(
    mid: Any, asks: list[tuple[Any, Any]] = (), bids: list[tuple[Any, Any]] = ()
) -> dict[str, Any]:  # type: ignore[assignment]
    return {
        "mid_price": mid,
        "bids": [{"price": p, "size": s} for p, s in bids],
        "asks": [{"price": p, "size": s} for p, s in asks],
    }


def snapshot(pc: str, mid: Any, asks: Any = (), bids: Any = ()) -> Any:
    return frame(f"lightning_board_snapshot_{pc}", book(mid, asks, bids))


def diff(pc: str, mid: Any, asks: Any = (), bids: Any = ()) -> Any:
    return frame(f"lightning_board_{pc}", book(mid, asks, bids))


def child(event_type: str, acceptance_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "product_code": fields.pop("product_code", "FX_BTC_JPY"),
        "child_order_id": "JOR" + acceptance_id[3:],
        "child_order_acceptance_id": acceptance_id,
        "event_date": "2024-06-07T01:23:45.6789012Z",
        "event_type": event_type,
        **fields,
    }


def order(acceptance_id: str, side: str, price: Any, size: Any, **fields: Any) -> dict[str, Any]:
    return child(
        "ORDER",
        acceptance_id,
        child_order_type="LIMIT",
        side=side,
        price=price,
        size=size,
        expire_date="2024-07-07T01:23:45",
        **fields,
    )


def execution(
    acceptance_id: str, side: str, price: Any, size: Any, outstanding: Any, **fields: Any
) -> dict[str, Any]:
    return child(
        "EXECUTION",
        acceptance_id,
        exec_id=fields.pop("exec_id", 1),
        side=side,
        price=price,
        size=size,
        commission=fields.pop("commission", 0),
        sfd=fields.pop("sfd", 0),
        outstanding_size=outstanding,
        **fields,
    )


EVENTS = "child_order_events"
SAMPLES: list[Any] = [
    snapshot(
        "BTC_JPY",
        15_000_000,
        asks=[(15_001_000, 0.25), (15_002_000, 2)],
        bids=[(14_999_000, 0.5), (14_998_000, 1)],
    ),
    diff(
        "BTC_JPY", 15_000_500, asks=[(15_001_000, 0.3)], bids=[(14_999_000, 0), (15_000_000, 0.1)]
    ),
    frame(
        "lightning_ticker_BTC_JPY",
        {"product_code": "BTC_JPY", "timestamp": "2024-06-07T01:23:45Z", "ltp": 15_000_000},
    ),
    frame(
        "lightning_executions_BTC_JPY",
        [{"id": 1, "side": "BUY", "price": 15_000_000, "size": 0.01, "exec_date": "2024"}],
    ),
    frame(
        EVENTS,
        [
            order("JRF20240607-000001", "BUY", 15_000_000, 0.01),
            order("JRF20240607-000002", "BUY", 15_000_000, 0.02),
        ],
    ),
    frame(
        EVENTS,
        [
            child("CANCEL", "JRF20240607-000002"),
            execution("JRF20240607-000001", "BUY", 15_000_000, 0.005, 0.005),
        ],
    ),
    frame(EVENTS, [order("JRF20240607-000003", "BUY", 15_000_000, 0.1, product_code="BTC_JPY")]),
    frame(
        EVENTS,
        [execution("JRF20240607-000003", "BUY", 15_000_000, 0.1, 0, product_code="BTC_JPY")],
    ),
    frame(
        "parent_order_events",
        [
            {
                "product_code": "FX_BTC_JPY",
                "parent_order_id": "JCO20240607-000001",
                "parent_order_acceptance_id": "JRF20240607-000010",
                "event_date": "2024-06-07T01:23:45Z",
                "event_type": "ORDER",
                "parent_order_type": "IFD",
            }
        ],
    ),
]
