"""``SnapshotRequest(signed=True)``: a REST recovery whose exchange serves the full book to
authenticated requests only. The snapshot goes out signed with the owning Client's credentials for
that host (the toy exchange's ``X-TOY-*`` headers, checked by the local server); without them it is
not sent at all and the recovery stops with one warning."""

from __future__ import annotations

import dataclasses
import hmac
import logging
from collections.abc import Hashable
from typing import Any

import pytest
from aiohttp import web
from yarl import URL

import topgun
from topgun.registry import Registry
from topgun.store import SnapshotRequest
from topgun.testing import HttpExchange, WebSocketExchange, eventually
from topgun.testing.books import BookAdapter, ModelBook

WS = "wss://ws.books.test/stream"


def signed_request(key: Hashable, ws_url: URL) -> SnapshotRequest:
    return SnapshotRequest("https://api.toy.test/depth", {"symbol": key}, signed=True)


def diff(model: ModelBook) -> dict[str, Any]:
    return {"e": "depth", "s": "CCCDDD", "U": model.seq + 1, "u": model.seq + 1, "pu": model.seq,
            "a": [], "b": []}  # fmt: skip


async def _recover(
    rest_adapter: BookAdapter, toy_registry: Registry, apis: dict[str, list[str]], secret: str
) -> tuple[Any, list[dict[str, Any]]]:
    """The made-up REST feed of conftest.py, its snapshot on the toy exchange's signed host."""
    model = ModelBook(asks={101.0: 1.0}, bids={99.0: 2.0}, seq=10, prev=9)
    store = rest_adapter.new_store()
    book = store.depth
    book._snapshot_request = signed_request  # this instance only
    book.recovery = dataclasses.replace(book.recovery, grace=0.0)

    async def handle(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
        sign = request.headers.get("X-TOY-SIGN", "")
        expected = hmac.digest(
            secret.encode(), request.method.encode() + request.raw_path.encode() + body, "sha256"
        ).hex()
        record["verified"] = hmac.compare_digest(sign, expected)
        if not record["verified"]:
            return web.json_response({"error": "signature"}, status=401)
        return web.json_response(
            {"lastUpdateId": 10, "asks": [["101", "1"]], "bids": [["99", "2"]]}
        )

    ws = WebSocketExchange(["ws.books.test"])
    routes = [web.get("/stream", ws.serve)]
    async with (
        HttpExchange(["ws.books.test", "api.toy.test"], handle, routes=routes) as exchange,
        topgun.Client(apis=apis, registry=toy_registry, **exchange.client_kwargs()) as client,
    ):
        app = client.ws_connect(WS, hdlr_json=store.onmessage)
        await app
        await eventually(lambda: bool(ws.connections))
        await ws.connections[-1].send(diff(model))
        await eventually(
            lambda: (
                book.stats.resyncs >= 1
                and (book.in_sync("CCCDDD") or book.stats.recovery_failures >= 1)
            )
        )
    return store, exchange.seen


async def test_a_signed_snapshot_goes_out_signed(
    rest_adapter: BookAdapter,
    toy_registry: Registry,
    toy_apis: dict[str, list[str]],
    toy_secret: str,
) -> None:
    store, seen = await _recover(rest_adapter, toy_registry, toy_apis, toy_secret)
    assert store.depth.in_sync("CCCDDD")
    assert [(r["path_qs"], r["verified"]) for r in seen] == [("/depth?symbol=CCCDDD", True)]
    assert [(i["p"], i["q"]) for i in store.depth] == [("101", "1"), ("99", "2")]


async def test_without_credentials_a_signed_snapshot_is_not_sent(
    rest_adapter: BookAdapter,
    toy_registry: Registry,
    toy_secret: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="topgun.store")
    store, seen = await _recover(rest_adapter, toy_registry, {}, toy_secret)
    assert seen == []
    assert store.depth.stats.recovery_failures == 1 and not store.depth.in_sync("CCCDDD")
    assert "needs a signed request" in caplog.text and "api.toy.test/depth" in caplog.text
