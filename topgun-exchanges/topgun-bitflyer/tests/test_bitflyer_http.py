"""bitFlyer HTTP beyond the conformance suite (test_bitflyer_plugin.py holds the signing vectors,
the local-server checks and the credential-free requests): ``base_url`` with relative paths."""

from __future__ import annotations

from typing import Any

from topgun.testing import build_registry
from topgun_bitflyer import plugin

KEY = "bitflyer-test-key"
SECRET = "bitflyer-test-secret"


async def test_signed_without_params_and_with_base_url(exchange: Any) -> None:
    async with (
        exchange.client(
            apis={"bitflyer": [KEY, SECRET]},
            base_url="https://api.bitflyer.com",
            registry=build_registry([plugin], strict=True),
        ) as client,
        client.get("/v1/me/getbalance") as resp,
    ):
        assert resp.status == 200
        assert (await resp.json())["ok"] is True
    assert exchange.seen[-1]["verified"]
