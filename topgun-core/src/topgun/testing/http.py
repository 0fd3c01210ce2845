"""``HttpExchange``: an exchange's HTTP API under its real hostnames, recording every request.

The test's handler plays the exchange: it checks the request (recomputing the signature the way
the exchange documents it, independently of the plugin) and answers. Every request is recorded
before the handler sees it, so a test can look at exactly what went over the wire, refused
requests included.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

import orjson
from aiohttp import web

from .exchange import LocalExchange

__all__ = ["Handler", "HttpExchange", "assert_json_body"]

Handler = Callable[[web.Request, bytes, dict[str, Any]], Awaitable[web.StreamResponse]]
"""Answers a request, given its body and its record (which it may add to)."""


class HttpExchange(LocalExchange):
    """Every method and path of ``hosts`` served from 127.0.0.1 (``LocalExchange``) by ``handle``.

    ``seen`` holds a record per request, in order: a dict with ``method``, ``host`` (without the
    port), ``path`` (decoded), ``path_qs`` and ``query`` (as sent), ``headers``, ``body`` (bytes)
    and ``verified``, False until the handler sets it (once the signature checks out, say).
    ``routes`` are matched first and are not recorded (a WebSocket endpoint on the same hosts).
    Pass ``seen`` to record into a list of your own (a test server's state, say).
    """

    def __init__(
        self,
        hosts: Iterable[str],
        handle: Handler,
        *,
        routes: Iterable[web.AbstractRouteDef] = (),
        seen: list[dict[str, Any]] | None = None,
        tls: bool = True,
    ) -> None:
        app = web.Application()
        app.router.add_routes(routes)
        app.router.add_route("*", "/{tail:.*}", self._record)
        super().__init__(app, hosts, tls=tls)
        self.seen: list[dict[str, Any]] = [] if seen is None else seen
        self._handle = handle

    async def _record(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        record: dict[str, Any] = {
            "method": request.method,
            "host": request.host.split(":")[0],
            "path": request.path,
            "path_qs": request.raw_path,
            "query": request.raw_path.partition("?")[2],
            "headers": dict(request.headers),
            "body": body,
            "verified": False,
        }
        self.seen.append(record)
        return await self._handle(request, body, record)


def assert_json_body(record: Mapping[str, Any], expected: Any) -> None:
    """``record`` (one of ``HttpExchange.seen``) was verified by the handler and carried
    ``expected`` as its JSON body, declared ``application/json``: a signed POST arrived with
    exactly the body that was signed."""
    where = f"{record['method']} {record['path_qs']}"
    assert record["verified"], f"{where}: the exchange did not verify its signature"
    content_type = record["headers"].get("Content-Type")
    assert content_type == "application/json", f"{where}: Content-Type {content_type!r}"
    assert orjson.loads(record["body"]) == expected, f"{where}: body {record['body']!r}"
