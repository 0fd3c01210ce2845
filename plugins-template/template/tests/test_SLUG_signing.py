"""{{LABEL}}: requests to {{HOST}} are signed, verified by a local server under the real hostname."""

from __future__ import annotations

import hmac

from aiohttp import web

import topgun
from topgun.registry import build_registry
from topgun.testing import LocalExchange
from topgun_{{SLUG}} import plugin

KEY, SECRET = "test-key", "test-secret"


def _app(seen: list[bool]) -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        text = (request.headers.get("X-API-TIMESTAMP", "") + request.method + request.raw_path).encode() + body
        expected = hmac.digest(SECRET.encode(), text, "sha256").hex()
        seen.append(hmac.compare_digest(request.headers.get("X-API-SIGN", ""), expected))
        return web.json_response({"ok": seen[-1]})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


async def test_requests_are_signed() -> None:
    seen: list[bool] = []
    registry = build_registry([plugin], strict=True)
    async with LocalExchange(_app(seen), ["{{HOST}}"]) as server:
        async with topgun.Client(apis={"{{SLUG}}": [KEY, SECRET]}, registry=registry, connector=server.connector()) as client:
            result = await client.fetch("POST", "https://{{HOST}}/v1/order", params={"a": "1"}, data={"size": 1})
    assert result.data == {"ok": True}
    assert seen == [True]
