"""``fetch()`` and ``initialize()`` read bodies within a size limit, counted decompressed.

A local server on 127.0.0.1 sends an endless body, a gzip ``Content-Encoding`` bomb and plain
large bodies; the Client stops at its limit with ``ResponseTooLargeError`` (naming the URL
without its query, and the limit) instead of growing, and stays usable.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

import topgun
from topgun.errors import InitializeError, ResponseTooLargeError
from topgun.http.limit import DEFAULT_MAX_RESPONSE_SIZE
from topgun.testing import compression_bomb

MIB = 1024 * 1024
BOMB = compression_bomb("gzip", 4 * DEFAULT_MAX_RESPONSE_SIZE)  # 256 MiB opened, ~250 KiB sent


class Server:
    def __init__(self) -> None:
        self.url = ""
        self.endless_bytes = 0
        self._runner: web.AppRunner | None = None

    async def start(self) -> Server:
        app = web.Application()
        app.router.add_get("/endless", self.endless)
        app.router.add_get("/bomb", self.bomb)
        app.router.add_get("/big", self.big)
        app.router.add_get("/small", self.small)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def endless(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        chunk = b"[" + b"0," * 32_768
        try:
            while True:
                await response.write(chunk)
                self.endless_bytes += len(chunk)
        except (ConnectionError, RuntimeError):
            return response

    async def bomb(self, request: web.Request) -> web.Response:
        return web.Response(
            body=BOMB, headers={"Content-Type": "application/json", "Content-Encoding": "gzip"}
        )

    async def big(self, request: web.Request) -> web.Response:
        return web.json_response({"pad": "x" * (2 * MIB)})

    async def small(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True})


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    started = await Server().start()
    yield started
    await started.stop()


async def test_an_endless_body_stops_at_the_limit(server: Server) -> None:
    async with topgun.Client() as client:
        assert client.max_response_size == DEFAULT_MAX_RESPONSE_SIZE
        with pytest.raises(ResponseTooLargeError) as caught:
            async with asyncio.timeout(30):
                await client.fetch("GET", server.url + "/endless?signature=S3CRET&token=T0KEN")
        error = caught.value
        assert error.limit == DEFAULT_MAX_RESPONSE_SIZE
        assert error.url == server.url + "/endless"
        message = str(error)
        assert f"GET {server.url}/endless:" in message
        assert f"larger than {DEFAULT_MAX_RESPONSE_SIZE} bytes" in message
        assert "max_response_size" in message and "max_size" in message
        assert "S3CRET" not in message and "T0KEN" not in message
        # The client is still usable.
        assert (await client.fetch("GET", server.url + "/small")).data == {"ok": True}


async def test_a_gzip_bomb_stops_at_the_limit_counted_decompressed(server: Server) -> None:
    assert len(BOMB) < MIB
    async with topgun.Client() as client:
        with pytest.raises(ResponseTooLargeError, match="decompressed"):
            async with asyncio.timeout(30):
                await client.fetch("GET", server.url + "/bomb")


async def test_the_limit_is_set_per_client_and_per_call(server: Server) -> None:
    async with topgun.Client(max_response_size=MIB) as client:
        with pytest.raises(ResponseTooLargeError, match=f"larger than {MIB} bytes"):
            await client.fetch("GET", server.url + "/big")
        result = await client.fetch("GET", server.url + "/big", max_size=4 * MIB)
        assert len(result.data["pad"]) == 2 * MIB
        result = await client.fetch("GET", server.url + "/big", max_size=None)
        assert len(result.text) > 2 * MIB
    async with topgun.Client(max_response_size=None) as client:
        assert len((await client.fetch("GET", server.url + "/big")).data["pad"]) == 2 * MIB
        with pytest.raises(ResponseTooLargeError):
            await client.fetch("GET", server.url + "/big", max_size=MIB)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "64MiB"])
async def test_a_bad_limit_is_refused_up_front(server: Server, bad: Any) -> None:
    with pytest.raises(ValueError, match="max_response_size must be a positive number"):
        topgun.Client(max_response_size=bad)
    async with topgun.Client() as client:
        with pytest.raises(ValueError, match="max_size must be a positive number"):
            await client.fetch("GET", server.url + "/small", max_size=bad)


class _Collection(topgun.DataStoreCollection):
    _ENDPOINTS = {"/bomb": "things", "/endless": "things", "/big": "things"}  # noqa: RUF012

    def _init(self) -> None:
        self._create("things", datastore_class=_Things)


class _Things(topgun.DataStore):
    def _onresponse(self, data: Any, url: Any) -> None:
        self._insert([{"n": len(data)}])


async def test_initialize_reads_responses_within_the_same_limit(server: Server) -> None:
    store = _Collection()
    async with topgun.Client() as client:
        for path in ("/bomb", "/endless"):
            with pytest.raises(InitializeError) as caught:
                async with asyncio.timeout(30):
                    await store.initialize(client.get(server.url + path))
            assert isinstance(caught.value.errors[0], ResponseTooLargeError)
            assert "initialize(..., max_size=...)" in str(caught.value)
        with pytest.raises(InitializeError):
            await store.initialize(client.get(server.url + "/big"), max_size=MIB)
        await store.initialize(client.get(server.url + "/big"), max_size=4 * MIB)
    assert len(store["things"]) == 1
