"""What signing one request costs: the signer alone, and a whole signed request over loopback.

Compares, on the same loopback server: plain aiohttp; topgun with auth=None; topgun signing
through its per-request middleware (the design kept); and signing before aiohttp builds the
request (the design considered and not kept), so the note can report the measured difference.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
from aiohttp import web
from yarl import URL

import topgun
from topgun.credentials import Credential
from topgun.http.body import encode_body
from topgun.plugin import SigningRequest
from topgun.registry import build_registry
from topgun.testing import LocalExchange
from topgun_bitflyer import plugin
from topgun_bitflyer.auth import sign_request

from ._report import Report, best_of

REQUESTS = 1500
ROUNDS = 5


def run(report: Report) -> None:
    credential = Credential("bitflyer", ["key", "secret"])
    clock = topgun.Clock()
    url = URL("https://api.bitflyer.com/v1/me/sendchildorder")
    body = b'{"product_code":"BTC_JPY","child_order_type":"MARKET","side":"BUY","size":0.01}'
    request = SigningRequest("POST", url, {}, body, None, credential, clock)
    per_sign = best_of(lambda: sign_request(request), repeat=7, number=20000)
    report.add("signing", "bitFlyer signer alone (HMAC-SHA256)", {"topgun": per_sign})
    asyncio.run(_loopback(report))


async def _loopback(report: Report) -> None:
    async def handle(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=b'{"ok":true}', content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    registry = build_registry([plugin], strict=True)
    order = {"product_code": "BTC_JPY", "child_order_type": "MARKET", "side": "BUY", "size": 0.01}
    target = "https://api.bitflyer.com/v1/me/sendchildorder"
    async with LocalExchange(app, ["api.bitflyer.com"]) as server:
        plain = aiohttp.ClientSession(connector=server.connector())
        client = topgun.Client(
            apis={"bitflyer": ["key", "secret"]}, registry=registry, connector=server.connector()
        )
        credential = Credential("bitflyer", ["key", "secret"])

        async def aiohttp_plain() -> None:
            encoded, content_type = encode_body(order, "json")
            async with plain.post(
                target, data=encoded, headers={"Content-Type": content_type or ""}
            ) as r:
                await r.read()

        async def topgun_unsigned() -> None:
            async with client.post(target, data=order, auth=None) as r:
                await r.read()

        async def topgun_signed() -> None:
            async with client.post(target, data=order) as r:
                await r.read()

        async def presigned() -> None:
            # The alternative: sign the raw method/URL/body, then hand headers to aiohttp.
            encoded, content_type = encode_body(order, "json")
            signed = sign_request(
                SigningRequest(
                    "POST", URL(target), {}, encoded or b"", order, credential, client.clock
                )
            )
            headers = {"Content-Type": content_type or "", **signed.headers}
            async with plain.post(target, data=encoded, headers=headers) as r:
                await r.read()

        reference = _pybotters_client(server)

        async def pybotters_signed() -> None:
            async with reference.post(target, data=order) as r:
                await r.read()

        cases = {
            "aiohttp": aiohttp_plain,
            "topgun auth=None": topgun_unsigned,
            "topgun signed (middleware)": topgun_signed,
            "signed before aiohttp": presigned,
        }
        if reference is not None:
            cases["pybotters signed"] = pybotters_signed
        best = {name: float("inf") for name in cases}
        for _ in range(ROUNDS):
            for name, case in cases.items():  # interleaved, so drift hits every case alike
                for _ in range(50):
                    await case()
                start = time.perf_counter()
                for _ in range(REQUESTS):
                    await case()
                best[name] = min(best[name], (time.perf_counter() - start) / REQUESTS)
        await plain.close()
        await client.close()
        if reference is not None:
            await reference.close()
    base = best["aiohttp"]
    for name, seconds in best.items():
        if name != "pybotters signed":
            report.add("signing", f"loopback POST, {name}", {"topgun": seconds})
    if "pybotters signed" in best:
        report.add(
            "signing",
            "loopback POST, signed request",
            {
                "topgun": best["topgun signed (middleware)"],
                "pybotters": best["pybotters signed"],
                "floor": base,
            },
        )
    print(
        f"  overhead per signed request vs plain aiohttp: {(best['topgun signed (middleware)'] - base) * 1e6:.1f} µs; "
        f"middleware vs signing before aiohttp: "
        f"{(best['topgun signed (middleware)'] - best['signed before aiohttp']) * 1e6:+.1f} µs"
    )


def _pybotters_client(server: LocalExchange) -> Any:
    try:
        import pybotters
    except ImportError:
        print("  (pybotters not installed: `make bench` installs it for the side-by-side rows)")
        return None
    return pybotters.Client(apis={"bitflyer": ["key", "secret"]}, connector=server.connector())
