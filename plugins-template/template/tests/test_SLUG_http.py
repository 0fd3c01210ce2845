"""{{LABEL}}: requests to {{HOST}} are signed, verified by a local server under the real hostname."""

from __future__ import annotations

import hmac
from typing import Any

from aiohttp import web

from topgun.testing import HttpExchange, build_registry
from topgun_{{SLUG}} import plugin

KEY, SECRET = "test-key", "test-secret"


async def handle(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
    """{{HOST}}'s check, written from its documentation (not with the plugin's code)."""
    text = (request.headers.get("X-API-TIMESTAMP", "") + request.method + request.raw_path).encode() + body
    expected = hmac.digest(SECRET.encode(), text, "sha256").hex()
    record["verified"] = hmac.compare_digest(request.headers.get("X-API-SIGN", ""), expected)
    return web.json_response({"ok": record["verified"]})


async def test_requests_are_signed() -> None:
    registry = build_registry([plugin], strict=True)
    async with HttpExchange(["{{HOST}}"], handle) as server:
        async with server.client(apis={"{{SLUG}}": [KEY, SECRET]}, registry=registry) as client:
            result = await client.fetch("POST", "https://{{HOST}}/v1/order", params={"a": "1"}, data={"size": 1})
    assert result.data == {"ok": True}
    assert [r["verified"] for r in server.seen] == [True]
