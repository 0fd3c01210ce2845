"""BitTrade server time against a local exchange under the real hostname.

``GET /v1/common/timestamp`` answers ``{"status": "ok", "data": <ms>}``:
https://api-doc.bittrade.co.jp/ (Public API, "システム時間を調べる"; source
https://github.com/BitTrade-Inc/BitTrade-api-docs/blob/master/public-api.md). Signed requests
carry ``Timestamp=YYYY-MM-DDThh:mm:ss`` (UTC) in their query.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from topgun.testing import HttpExchange, Registry

AHEAD = 3.2
HOST = "api-cloud.bittrade.co.jp"
CREDENTIALS = {"bittrade": ["bittrade-access-key", "bittrade-secret-key"]}


async def _answer(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
    if request.path == "/v1/common/timestamp":
        return web.json_response({"status": "ok", "data": int((time.time() + AHEAD) * 1000)})
    record["stamp"] = request.query.get("Timestamp")
    return web.json_response({"status": "ok", "data": []})


def _seconds(stamp: str) -> float:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC).timestamp()


async def test_sync_clock_measures_the_offset(registry: Registry) -> None:
    async with (
        HttpExchange([HOST], _answer) as server,
        server.client(apis=CREDENTIALS, registry=registry) as client,
    ):
        result = await client.sync_clock("bittrade")
    assert len(result.samples) == 5
    assert [r["path"] for r in server.seen] == ["/v1/common/timestamp"] * 5
    # The exchange read its clock somewhere inside the fastest round trip.
    assert abs(result.offset - AHEAD) <= result.round_trip / 2 + 0.003
    assert abs(client.clock.offset - result.offset) < 0.001


async def test_first_signed_request_syncs_the_clock(registry: Registry) -> None:
    async with (
        HttpExchange([HOST], _answer) as server,
        server.client(apis=CREDENTIALS, registry=registry, sync_clock=True) as client,
    ):
        await client.fetch("GET", f"https://{HOST}/market/tickers", auth=None)
        assert len(server.seen) == 1  # an unsigned request does not wait for a sync
        await client.fetch("GET", f"https://{HOST}/v1/account/accounts")
        assert [r["path"] for r in server.seen].count("/v1/common/timestamp") == 5
        stamp = server.seen[-1]["stamp"]
        assert stamp is not None
        assert abs(client.clock.offset - AHEAD) < 0.5
        # Signed on the exchange's clock (to the second), not 3.2 s behind it.
        assert abs(_seconds(stamp) - (time.time() + AHEAD)) < 2.0


def test_no_timestamp_rejection_is_declared(registry: Registry) -> None:
    spec = registry.apis["bittrade"].server_time
    assert spec is not None and spec.rejection is None  # the docs give no code for it
