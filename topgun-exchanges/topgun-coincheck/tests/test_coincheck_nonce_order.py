"""Concurrent requests with one key reach coincheck.com in nonce order.

Coincheck (https://coincheck.com/documents/exchange/api, "Authentication"): ACCESS-NONCE is a
"positive integer [that] will increase every time you send request (managed for each API key)",
so a request arriving with a nonce below the last one seen is refused. Signing hands out growing
nonces; the plugin declares ``ordered_nonces`` so that core also sends them in that order, even
when hundreds of requests race for connections (new TLS handshakes, pooled connections).
"""

from __future__ import annotations

import asyncio
from typing import Any

from topgun.testing import HttpExchange, Registry

KEY = "coincheck-test-key"  # what the local coincheck.com in conftest accepts
SECRET = "coincheck-test-secret"
REQUESTS = 500


def _out_of_order(seen: list[dict[str, Any]]) -> int:
    """Requests that arrived with a nonce not above every nonce that arrived before them."""
    highest, late = 0, 0
    for record in seen:
        nonce = int(record["headers"]["ACCESS-NONCE"])
        if nonce <= highest:
            late += 1
        highest = max(highest, nonce)
    return late


async def test_500_concurrent_requests_arrive_in_nonce_order(
    exchange: HttpExchange, registry: Registry
) -> None:
    async with exchange.client(apis={"coincheck": [KEY, SECRET]}, registry=registry) as client:

        async def one(i: int) -> int:
            if i % 2:
                result = await client.fetch(
                    "POST", "https://coincheck.com/api/exchange/orders", data={"rate": i}
                )
            else:
                result = await client.fetch("GET", "https://coincheck.com/api/accounts/balance")
            return result.response.status

        statuses = await asyncio.gather(*(one(i) for i in range(REQUESTS)))
    assert len(exchange.seen) == REQUESTS
    assert _out_of_order(exchange.seen) == 0
    assert statuses == [200] * REQUESTS  # none refused with "Nonce must be incremented"
    assert all(record["verified"] for record in exchange.seen)
