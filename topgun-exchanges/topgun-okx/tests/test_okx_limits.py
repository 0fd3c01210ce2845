"""OKX server time and the 50102 rejection against a local exchange under the real hostname.

https://www.okx.com/docs-v5/en/#public-data-rest-api-get-system-time ; 50102 (HTTP 401):
https://www.okx.com/docs-v5/en/#error-code-rest-api-public . OKX refuses a timestamp more than
30 seconds off, so the local exchange's clock runs 3.2 s beyond that.
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from topgun.testing import ClockScenario, Registry, TimestampRules
from topgun.testing.conformance import ClockSuite

WINDOW = 30.0


def _stamp(request: web.Request, body: bytes) -> float | None:
    value = request.headers.get("OK-ACCESS-TIMESTAMP")
    if value is None:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


RULES = TimestampRules(
    time_path="/api/v5/public/time",
    time_body=lambda now: {"code": "0", "msg": "", "data": [{"ts": str(int(now * 1000))}]},
    timestamp=_stamp,
    window=WINDOW,
    rejection=lambda: web.json_response(
        {"msg": "Timestamp request expired", "code": "50102"}, status=401
    ),
)
SCENARIO = ClockScenario(
    api="okx",
    credentials={"okx": ["okx-key", "okx-secret", "okx-passphrase"]},
    hosts=("www.okx.com",),
    rules=RULES,
    get_url="https://www.okx.com/api/v5/account/balance",
    post_url="https://www.okx.com/api/v5/trade/order",
    post_data={
        "instId": "BTC-USDT",
        "tdMode": "cash",
        "side": "buy",
        "ordType": "market",
        "sz": "1",
    },
    ahead=WINDOW + 3.2,
)


class TestOKXClock(ClockSuite):
    scenario = SCENARIO


async def test_demo_trading_syncs_against_the_same_endpoint(registry: Registry) -> None:
    demo = registry.apis["okx_demo"].server_time
    assert demo is not None and demo == registry.apis["okx"].server_time
