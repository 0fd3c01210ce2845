"""MEXC server time and the 700003 rejection against a local exchange under the real hostname.

https://mexcdevelop.github.io/apidocs/spot_v3_en/#check-server-time ; 700003 (HTTP 400):
https://mexcdevelop.github.io/apidocs/spot_v3_en/#error-code
"""

from __future__ import annotations

from aiohttp import web

from topgun.testing import ClockScenario, TimestampRules, query_stamp
from topgun.testing.conformance import ClockSuite

RULES = TimestampRules(
    time_path="/api/v3/time",
    time_body=lambda now: {"serverTime": int(now * 1000)},
    timestamp=query_stamp(),
    window=2.0,  # the recvWindow=2000 the scenario's requests carry
    rejection=lambda: web.json_response(
        {"code": 700003, "msg": "Timestamp for this request is outside of the recvWindow."},
        status=400,
    ),
)
SCENARIO = ClockScenario(
    api="mexc",
    credentials={"mexc": ["mexc-key", "mexc-secret"]},
    hosts=("api.mexc.com",),
    rules=RULES,
    get_url="https://api.mexc.com/api/v3/account?recvWindow=2000",
    post_url="https://api.mexc.com/api/v3/order",
    post_data={
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "MARKET",
        "quantity": "0.001",
        "recvWindow": 2000,
    },
)


class TestMEXCClock(ClockSuite):
    scenario = SCENARIO
