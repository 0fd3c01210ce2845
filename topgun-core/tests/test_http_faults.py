"""HTTP fault injection: misbehaving servers, odd inputs, and what the Client makes of them.

Every server is local (aiohttp or raw asyncio on 127.0.0.1); every wait is bounded.
"""

from __future__ import annotations

import asyncio
import codecs
import hmac
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web

import topgun
from topgun.errors import CredentialError, SigningError
from topgun.testing import HttpExchange

TOY_KEY = "toy-key-0001"
TOY_SECRET = "toy-secret-DO-NOT-LEAK-7f3a"


def _verified(request: web.Request, body: bytes) -> bool:
    sign = request.headers.get("X-TOY-SIGN")
    text = request.method.encode() + request.raw_path.encode() + body
    expected = hmac.digest(TOY_SECRET.encode(), text, "sha256").hex()
    return sign is not None and hmac.compare_digest(sign, expected)


async def _faulty(request: web.Request, body: bytes, record: dict[str, Any]) -> web.StreamResponse:
    record["verified"] = _verified(request, body)
    path = request.path
    if path == "/loop":
        raise web.HTTPFound("/loop")
    if path == "/ping-pong":  # evil.test sends it back to api.toy.test, and so on
        other = "api.toy.test" if request.host.startswith("evil.test") else "evil.test"
        raise web.HTTPFound(f"https://{other}/ping-pong")
    if path == "/503":
        return web.Response(status=503, text="<html><h1>503 Service Unavailable</h1></html>")
    if path == "/charset":
        charset = request.query["cs"]
        return web.Response(
            body='{"name": "café"}'.encode(),
            headers={"Content-Type": f"application/json; charset={charset}"},
        )
    if path == "/latin1":
        return web.Response(
            body='{"name": "café"}'.encode("latin-1"),
            headers={"Content-Type": "application/json; charset=iso-8859-1"},
        )
    if path == "/big":
        rows = [{"i": i, "px": "123.45", "qty": "0.001"} for i in range(200_000)]
        return web.Response(body=orjson.dumps(rows), content_type="application/json")
    return web.json_response(
        {"path": path, "query": request.raw_path.partition("?")[2], "verified": record["verified"]}
    )


@pytest.fixture
async def faulty() -> AsyncIterator[HttpExchange]:
    async with HttpExchange(["api.toy.test", "alt.toy.test", "evil.test"], _faulty) as server:
        yield server


def _client(server: HttpExchange, registry: Any, **kwargs: Any) -> topgun.Client:
    return topgun.Client(
        {"toy": [TOY_KEY, TOY_SECRET]}, registry=registry, **server.client_kwargs(), **kwargs
    )


# -- raw servers -----------------------------------------------------------------------------

RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@pytest.fixture
async def raw_server() -> AsyncIterator[Callable[[RawHandler], Awaitable[str]]]:
    """``url = await raw_server(handler)``: a raw TCP server on 127.0.0.1 playing HTTP badly."""
    servers: list[asyncio.Server] = []
    release = asyncio.Event()
    writers: list[asyncio.StreamWriter] = []

    async def start(handler: RawHandler) -> str:
        async def wrapped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writers.append(writer)
            try:
                await handler(reader, writer)
                await release.wait()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(wrapped, "127.0.0.1", 0)
        servers.append(server)
        port = server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    yield start
    release.set()
    for writer in writers:
        writer.close()
    for server in servers:
        server.close()
        await server.wait_closed()


async def _read_head(reader: asyncio.StreamReader) -> bytes:
    return await reader.readuntil(b"\r\n\r\n")


# -- redirects -------------------------------------------------------------------------------


async def test_redirect_loop_surfaces_too_many_redirects(faulty: Any, toy_registry: Any) -> None:
    async with _client(faulty, toy_registry) as client:
        with pytest.raises(aiohttp.TooManyRedirects):
            await client.fetch("GET", "https://api.toy.test/loop")
    assert 2 <= len(faulty.seen) <= 20
    assert all(r["verified"] for r in faulty.seen)  # same origin: every hop signed afresh


async def test_cross_host_redirect_loop_never_signs_the_other_host(
    faulty: Any, toy_registry: Any
) -> None:
    async with _client(faulty, toy_registry) as client:
        with pytest.raises(aiohttp.TooManyRedirects):
            await client.fetch("POST", "https://api.toy.test/ping-pong", data={"a": 1})
    hosts = {r["host"] for r in faulty.seen}
    assert hosts == {"api.toy.test", "evil.test"}
    for record in faulty.seen:
        if record["host"] == "evil.test":
            assert "X-TOY-KEY" not in record["headers"]
            assert "X-TOY-SIGN" not in record["headers"]
            assert TOY_KEY not in str(record["headers"])


# -- bodies ----------------------------------------------------------------------------------


async def test_5xx_html_body_gives_notjsoncontent_and_keeps_the_text(
    faulty: Any, toy_registry: Any
) -> None:
    async with _client(faulty, toy_registry) as client:
        result = await client.fetch("GET", "https://api.toy.test/503")
    assert result.response.status == 503
    assert isinstance(result.data, topgun.NotJSONContent)
    assert not result.data
    assert result.text == "<html><h1>503 Service Unavailable</h1></html>"


@pytest.mark.parametrize("charset", ["no-such-charset", "utf-8&quot", "x" * 300])
async def test_unknown_charset_does_not_crash_fetch(
    faulty: Any, toy_registry: Any, charset: str
) -> None:
    async with _client(faulty, toy_registry) as client:
        result = await client.fetch("GET", "https://api.toy.test/charset", params={"cs": charset})
    assert result.data == {"name": "café"}
    assert result.text == '{"name": "café"}'


async def test_declared_latin1_body_text_is_decoded_with_it(faulty: Any, toy_registry: Any) -> None:
    async with _client(faulty, toy_registry) as client:
        result = await client.fetch("GET", "https://api.toy.test/latin1")
    assert result.text == '{"name": "café"}'
    assert isinstance(result.data, topgun.NotJSONContent)  # JSON is UTF-8 by definition


async def test_very_large_json_body(faulty: Any, toy_registry: Any) -> None:
    async with _client(faulty, toy_registry) as client:
        result = await client.fetch("GET", "https://api.toy.test/big")
    assert len(result.data) == 200_000
    assert result.data[-1] == {"i": 199_999, "px": "123.45", "qty": "0.001"}


async def test_response_stalling_mid_body_obeys_the_timeout(raw_server: Any) -> None:
    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        writer.write(b'Content-Length: 1000\r\n\r\n{"partial": ')
        await writer.drain()

    url = await raw_server(stall)
    async with topgun.Client(apis={}) as client:
        guard = asyncio.timeout(30)
        with pytest.raises((TimeoutError, aiohttp.ServerTimeoutError)):
            async with guard:
                await client.fetch("GET", url + "/x", timeout=aiohttp.ClientTimeout(total=0.3))
        assert not guard.expired()  # the request's own 0.3 s timeout ended it


@pytest.mark.parametrize(
    ("sent", "error"),
    [
        (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\n\r\n{"partial": ',
            aiohttp.ClientPayloadError,
        ),
        (b"", aiohttp.ClientConnectionError),
    ],
    ids=["mid-response", "before-any-response"],
)
async def test_server_closing_the_connection_raises_a_client_error(
    raw_server: Any, sent: bytes, error: type[Exception]
) -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_head(reader)
        writer.write(sent)
        await writer.drain()
        writer.transport.abort()

    url = await raw_server(cut)
    async with topgun.Client(apis={}) as client:
        with pytest.raises(error):
            async with asyncio.timeout(10):
                await client.fetch("GET", url + "/x")


# -- request data and params -----------------------------------------------------------------


class _Opaque:
    pass


@pytest.mark.parametrize(
    ("host", "data"),
    [
        *[
            (host, data)
            for host in ("api.toy.test", "alt.toy.test")
            for data in (_Opaque(), {1, 2}, aiohttp.FormData({"a": "1"}))
        ],
        ("alt.toy.test", 3.5),  # a JSON number is a JSON body; a form it is not
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, str) else v,
)
async def test_unsupported_data_on_a_signing_host_is_a_clear_signing_error(
    faulty: Any, toy_registry: Any, host: str, data: Any
) -> None:
    async with _client(faulty, toy_registry) as client:
        with pytest.raises(SigningError) as raised:
            await client.fetch("POST", f"https://{host}/v1/order", data=data)
    message = str(raised.value)
    assert type(data).__name__ in message
    assert "bytes" in message  # says what to pass instead
    assert not faulty.seen


async def test_form_data_of_bad_pairs_is_a_signing_error(faulty: Any, toy_registry: Any) -> None:
    async with _client(faulty, toy_registry) as client:
        with pytest.raises(SigningError):
            await client.fetch("POST", "https://alt.toy.test/v1/order", data=[("a", "1", "x")])
    assert not faulty.seen


async def test_bytearray_data_is_sent_and_signed_as_bytes(faulty: Any, toy_registry: Any) -> None:
    async with _client(faulty, toy_registry) as client:
        result = await client.fetch(
            "POST", "https://api.toy.test/v1/order", data=bytearray(b'{"a":1}')
        )
    assert result.data["verified"] is True
    assert faulty.seen[-1]["body"] == b'{"a":1}'


async def test_params_with_lists_and_non_ascii_are_sent_as_signed(
    faulty: Any, toy_registry: Any
) -> None:
    async with _client(faulty, toy_registry) as client:
        result = await client.fetch(
            "GET",
            "https://api.toy.test/v1/q",
            params={"ids": [1, 2], "name": "日本 円&=?", "n": 3},
        )
    assert result.data["verified"] is True
    assert faulty.seen[-1]["path_qs"].startswith("/v1/q?ids=1&ids=2&name=")


async def test_non_ascii_path_and_string_params_are_sent_as_signed(
    faulty: Any, toy_registry: Any
) -> None:
    async with _client(faulty, toy_registry) as client:
        result = await client.fetch("GET", "https://api.toy.test/v1/銘柄/BTC円", params="a=1&b=x y")
        assert result.data["verified"] is True
        result = await client.fetch("GET", "https://api.toy.test/v1/q", params=[("a", "1")])
        assert result.data["verified"] is True
    assert faulty.seen[0]["path"] == "/v1/銘柄/BTC円"


async def test_params_with_none_values_fail_before_anything_is_sent(
    faulty: Any, toy_registry: Any
) -> None:
    async with _client(faulty, toy_registry) as client:
        with pytest.raises(TypeError, match="None"):
            await client.fetch("GET", "https://api.toy.test/v1/q", params={"a": None})
    assert not faulty.seen


# -- apis.json -------------------------------------------------------------------------------


def test_apis_json_with_a_utf8_bom_loads(tmp_path: Path, toy_registry: Any) -> None:
    path = tmp_path / "apis.json"
    path.write_bytes(codecs.BOM_UTF8 + json.dumps({"toy": [TOY_KEY, TOY_SECRET]}).encode())
    path.chmod(0o600)  # as a user keeps API keys

    async def main() -> tuple[str, ...]:
        async with topgun.Client(path, registry=toy_registry) as client:
            return client.api_names

    assert asyncio.run(main()) == ("toy",)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
async def test_apis_json_saved_as_utf16_with_a_bom_loads(
    tmp_path: Path, toy_registry: Any, encoding: str
) -> None:
    path = tmp_path / "apis.json"
    text = json.dumps({"toy": [TOY_KEY, TOY_SECRET]})
    bom = {"utf-16": b"", "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}
    path.write_bytes(bom[encoding] + text.encode(encoding))
    path.chmod(0o600)  # as a user keeps API keys
    async with topgun.Client(path, registry=toy_registry) as client:
        assert client.api_names == ("toy",)


async def test_implicit_apis_json_with_a_bom_loads(
    tmp_path: Path, toy_registry: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "apis.json").write_bytes(
        codecs.BOM_UTF8 + json.dumps({"toy": [TOY_KEY, TOY_SECRET]}).encode()
    )
    (tmp_path / "apis.json").chmod(0o600)  # as a user keeps API keys
    monkeypatch.chdir(tmp_path)
    async with topgun.Client(registry=toy_registry) as client:
        assert client.api_names == ("toy",)


async def test_apis_path_that_is_a_directory_is_a_credential_error(
    tmp_path: Path, toy_registry: Any
) -> None:
    with pytest.raises(CredentialError, match="is a directory, not a regular file"):
        topgun.Client(tmp_path, registry=toy_registry)


async def test_apis_json_that_is_not_utf8_is_a_credential_error(
    tmp_path: Path, toy_registry: Any
) -> None:
    path = tmp_path / "apis.json"
    path.write_bytes('{"toy": ["clé", "s"]}'.encode("latin-1"))
    path.chmod(0o600)  # as a user keeps API keys
    with pytest.raises(CredentialError, match="not valid JSON") as raised:
        topgun.Client(path, registry=toy_registry)
    assert "clé" not in str(raised.value)


# -- outside a running loop ------------------------------------------------------------------


def test_client_outside_a_running_loop_is_a_clear_error(toy_registry: Any) -> None:
    with pytest.raises(RuntimeError, match="needs a running event loop"):
        topgun.Client(apis={}, registry=toy_registry)


def test_client_in_asyncio_run_works(toy_registry: Any) -> None:
    async def main() -> bool:
        async with topgun.Client(apis={}, registry=toy_registry) as client:
            return client.closed

    assert asyncio.run(main()) is False
