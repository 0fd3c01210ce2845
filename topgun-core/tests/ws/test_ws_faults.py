"""WebSocket fault injection: servers that misbehave at every stage, and callers that do too.

Each scenario runs against a real server on 127.0.0.1 (the scriptable aiohttp ``WSServer`` of
the conftest, or a raw asyncio server for what aiohttp refuses to send), bounded in time, and
ends with the app either connected again or closed cleanly, nothing left behind.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import hashlib
import logging
import struct
import time
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

import topgun
from topgun import Backoff, ConnectionState
from topgun.errors import WebSocketClosedError
from topgun.plugin import Heartbeat, RateLimit
from topgun.ws import connection as connection_module

FAST = Backoff(0.02, 0.05, 2.0, 0.02, healthy_after=5.0)


@pytest.fixture
async def released() -> AsyncIterator[asyncio.Event]:
    """Set at the end of the test: server behaviours that hang wait on it."""
    event = asyncio.Event()
    yield event
    event.set()


_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


async def upgrade(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answer the client's upgrade request with a valid 101."""
    head = await reader.readuntil(b"\r\n\r\n")
    key = next(
        line.split(b":", 1)[1].strip()
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"sec-websocket-key:")
    )
    accept = base64.b64encode(hashlib.sha1(key + _GUID).digest())
    writer.write(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
    )
    await writer.drain()


def frame(opcode: int, payload: bytes, *, fin: bool = True, rsv: int = 0) -> bytes:
    """A server-to-client (unmasked) frame."""
    first = (0x80 if fin else 0) | (rsv << 4) | opcode
    size = len(payload)
    if size < 126:
        return bytes([first, size]) + payload
    if size < 1 << 16:
        return bytes([first, 126]) + struct.pack("!H", size) + payload
    return bytes([first, 127]) + struct.pack("!Q", size) + payload


def sending(*frames: bytes) -> Any:
    """A raw server that completes the upgrade, writes ``frames`` and leaves the rest to the client."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await upgrade(reader, writer)
        writer.write(b"".join(frames))
        await writer.drain()

    return handler


def counting_errors() -> Any:
    """A capture of ERROR records ("Task was destroyed ...", "Unclosed client session")."""

    class Capture(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.ERROR)
            self.messages: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.messages.append(record.getMessage())

    return Capture()


# -- the handshake ---------------------------------------------------------------------------


async def test_upgrade_never_answered_times_out_and_backs_off(
    raw: Any, kit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")  # and never answer

    monkeypatch.setattr(connection_module, "HANDSHAKE_TIMEOUT", 0.2)
    server = await raw(silent)
    async with topgun.Client() as client:
        app = client.ws_connect(server.url, backoff=FAST)
        await kit.eventually(lambda: app.stats.connect_failures >= 3, within=5.0)
        assert "handshake timed out" in (app.stats.last_error or "")
        assert app.current_ws is None
        assert app.stats.connects == 0
    assert app.closed


async def test_tls_handshake_never_answered_times_out_and_backs_off(
    raw: Any, kit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def mute(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)  # the ClientHello arrives; no ServerHello ever leaves

    monkeypatch.setattr(connection_module, "HANDSHAKE_TIMEOUT", 0.2)
    server = await raw(mute)
    async with topgun.Client() as client:
        app = client.ws_connect(server.url.replace("ws://", "wss://"), backoff=FAST)
        await kit.eventually(lambda: app.stats.connect_failures >= 2, within=5.0)
        assert "handshake timed out" in (app.stats.last_error or "")


async def test_an_https_url_reaches_a_tls_websocket(ws_exchange: Any, kit: Any) -> None:
    async def greet(conn: Any) -> None:
        await conn.send({"hello": conn.path})

    server = await ws_exchange(["stream.toy.test"], on_open=greet)
    got: list[Any] = []
    async with topgun.Client(**server.client_kwargs()) as client:
        client.ws_connect("https://stream.toy.test/v1", hdlr_json=lambda m, ws: got.append(m))
        await kit.eventually(lambda: got == [{"hello": "/v1"}])


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (b"200 OK", b"<html>hello</html>"),
        (b"403 Forbidden", b"<html>blocked by a WAF</html>"),
        (b"500 Internal Server Error", b'{"error": "boom"}'),
        (b"101 Switching Protocols", b""),  # without an Upgrade header or accept key
    ],
)
async def test_upgrade_answered_with_http_is_a_failed_handshake(
    raw: Any, kit: Any, status: bytes, body: bytes
) -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b"HTTP/1.1 " + status + b"\r\nContent-Type: text/html\r\nConnection: close\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )
        await writer.drain()
        writer.close()

    server = await raw(answer)
    async with topgun.Client() as client:
        app = client.ws_connect(server.url, backoff=FAST)
        await kit.eventually(lambda: app.stats.connect_failures >= 2, within=5.0)
        assert "handshake refused" in (app.stats.last_error or "")
        assert server.accepted >= 2
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await app
    assert app.closed


async def test_garbage_instead_of_http_is_a_failed_handshake(raw: Any, kit: Any) -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"\x00\xff\xfe garbage \r\n\r\n")
        await writer.drain()
        writer.transport.abort()

    server = await raw(garbage)
    async with topgun.Client() as client:
        app = client.ws_connect(server.url, backoff=FAST)
        await kit.eventually(lambda: app.stats.connect_failures >= 2, within=5.0)
        assert app.stats.last_error


# -- frames ----------------------------------------------------------------------------------


async def test_oversized_frame_drops_the_connection_and_reconnects(serve: Any, kit: Any) -> None:
    async def behaviour(conn: Any) -> None:
        if conn.index == 0:
            await conn.ws.send_str("x" * 4096)  # beyond max_msg_size below
        await conn.ws.send_json({"n": conn.index})
        await conn.drain()

    server = await serve(behaviour)
    got: list[Any] = []
    async with topgun.Client() as client:
        app = client.ws_connect(
            server.url, hdlr_json=lambda m, ws: got.append(m), backoff=FAST, max_msg_size=1024
        )
        await kit.eventually(lambda: got == [{"n": 1}])
        assert app.stats.connects == 2
        assert "connection error" in (app.stats.last_error or "")


@pytest.mark.parametrize(
    "bad",
    [
        frame(0x3, b"reserved opcode"),
        frame(0x1, b"x", rsv=0x4),  # RSV bits without an extension
        frame(0x9, b"p" * 200),  # a control frame over 125 bytes
        frame(0x8, b"\x03"),  # a close frame with a 1-byte payload
        bytes([0x81, 0xFF]) + b"\xff" * 8,  # a 64-bit length with the top bit set
        frame(0x0, b"orphan"),  # a continuation frame with nothing to continue
        frame(0x1, b"[1,", fin=False) + frame(0x1, b"2]"),  # a new text frame mid-message
    ],
    ids=[
        "reserved-opcode",
        "rsv-bits",
        "huge-ping",
        "short-close",
        "absurd-length",
        "orphan-continuation",
        "interleaved-text",
    ],
)
async def test_malformed_frame_drops_the_connection_and_reconnects(
    raw: Any, kit: Any, bad: bytes
) -> None:
    server = await raw(sending(frame(0x1, b'{"before": 1}'), bad, frame(0x1, b'{"after": 1}')))
    got: list[Any] = []
    async with topgun.Client() as client:
        app = client.ws_connect(server.url, hdlr_json=lambda m, ws: got.append(m), backoff=FAST)
        await kit.eventually(lambda: server.accepted >= 2 and len(got) >= 2)
        assert {"after": 1} not in got
        assert got[:2] == [{"before": 1}, {"before": 1}]
        assert app.stats.connects >= 2


async def test_data_after_the_servers_close_frame_is_ignored_and_the_app_reconnects(
    raw: Any, kit: Any
) -> None:
    server = await raw(
        sending(
            frame(0x1, b'{"n": 1}'),
            frame(0x8, struct.pack("!H", 1001) + b"going away"),
            frame(0x1, b'{"n": "after close"}'),
        )
    )
    got: list[Any] = []
    async with topgun.Client() as client:
        app = client.ws_connect(server.url, hdlr_json=lambda m, ws: got.append(m), backoff=FAST)
        await kit.eventually(lambda: server.accepted >= 2 and len(got) >= 2)
        assert {"n": "after close"} not in got
        assert "1001" in (app.stats.last_error or "")


async def test_a_ping_flood_is_answered_and_data_still_flows(raw: Any, kit: Any) -> None:
    pongs = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal pongs
        await upgrade(reader, writer)
        writer.write(b"".join(frame(0x9, b"%d" % i) for i in range(2000)))
        writer.write(frame(0x1, b'{"done": true}'))
        await writer.drain()
        while True:  # count the client's pongs (masked frames: opcode in the first byte)
            head = await reader.readexactly(2)
            size = head[1] & 0x7F
            await reader.readexactly(4 + size)
            if head[0] & 0x0F == 0xA:
                pongs += 1

    server = await raw(handler)
    got: list[Any] = []
    async with topgun.Client() as client:
        client.ws_connect(server.url, hdlr_json=lambda m, ws: got.append(m))
        await kit.eventually(lambda: got == [{"done": True}] and pongs == 2000, within=10.0)


async def test_invalid_utf8_text_frames_are_dropped_not_fatal(raw: Any, kit: Any) -> None:
    server = await raw(sending(frame(0x1, b'{"a": "\xff\xfe"}'), frame(0x1, b'{"ok": true}')))
    strings: list[str] = []
    decoded: list[Any] = []
    async with topgun.Client() as client:
        app = client.ws_connect(
            server.url,
            hdlr_str=lambda m, ws: strings.append(m),
            hdlr_json=lambda m, ws: decoded.append(m),
            backoff=FAST,
        )
        await kit.eventually(lambda: decoded == [{"ok": True}])
        assert strings == ['{"ok": true}']
        assert app.stats.connects == 1


async def test_invalid_utf8_reaches_json_handlers_as_non_json(raw: Any, kit: Any) -> None:
    server = await raw(sending(frame(0x1, b'{"a": "\xff"}'), frame(0x1, b'{"ok": true}')))
    decoded: list[Any] = []
    async with topgun.Client() as client:
        app = client.ws_connect(server.url, hdlr_json=lambda m, ws: decoded.append(m))
        await kit.eventually(lambda: decoded == [{"ok": True}])
        assert app.stats.non_json == 1


async def test_flood_faster_than_the_handlers_loses_nothing(serve: Any, kit: Any) -> None:
    count = 20_000

    async def behaviour(conn: Any) -> None:
        for i in range(count):
            await conn.ws.send_str(f'{{"i": {i}}}')
        await conn.drain()

    server = await serve(behaviour)
    got: list[int] = []

    def slow(message: Any, ws: Any) -> None:
        got.append(message["i"])
        if message["i"] % 1000 == 0:
            time.sleep(0.005)

    async with topgun.Client() as client:
        app = client.ws_connect(server.url, hdlr_json=slow, heartbeat=1.0)
        await kit.eventually(lambda: len(got) == count, within=30.0)
        assert got == list(range(count))
        assert app.stats.connects == 1


# -- handlers --------------------------------------------------------------------------------


async def test_a_handler_blocking_longer_than_the_heartbeat_does_not_drop_a_live_link(
    serve: Any, kit: Any
) -> None:
    async def behaviour(conn: Any) -> None:
        await conn.ws.send_json({"block": True})
        await conn.drain()  # answers pings (aiohttp autoping), sends nothing else

    server = await serve(behaviour)
    done = asyncio.Event()

    def blocking(message: Any, ws: Any) -> None:
        time.sleep(0.5)  # a synchronous call the bot should not make, but does
        done.set()

    async with topgun.Client() as client:
        app = client.ws_connect(server.url, hdlr_json=blocking, heartbeat=0.3, backoff=FAST)
        async with asyncio.timeout(5):
            await done.wait()
        await asyncio.sleep(0.6)  # two heartbeat periods, to give a wrong verdict its chance
        assert app.stats.connects == 1, app.stats.last_error
        assert app.stats.disconnects == 0


async def test_a_handler_raising_cancelled_error_does_not_end_the_app(serve: Any, kit: Any) -> None:
    async def behaviour(conn: Any) -> None:
        await conn.ws.send_json({"n": 1})
        await conn.ws.send_json({"n": 2})
        await conn.drain()

    server = await serve(behaviour)
    cancelled = asyncio.get_running_loop().create_future()
    cancelled.cancel()
    got: list[Any] = []

    def buggy(message: Any, ws: Any) -> None:
        if message["n"] == 1:
            cancelled.result()  # raises CancelledError: a bug in the handler, not a cancel
        got.append(message)

    async with topgun.Client() as client:
        app = client.ws_connect(server.url, hdlr_json=buggy)
        await kit.eventually(lambda: got == [{"n": 2}])
        assert not app.closed
        assert app.stats.handler_errors == 1
        assert app.stats.connects == 1


async def test_a_handler_closing_the_app_from_inside(serve: Any, kit: Any) -> None:
    server = await serve(kit.sending(*({"n": i} for i in range(100))))
    got: list[Any] = []
    closers: list[asyncio.Task[None]] = []
    apps: list[Any] = []

    def closer(message: Any, ws: Any) -> None:
        got.append(message)
        if message["n"] == 3:
            closers.append(asyncio.get_running_loop().create_task(apps[0].close()))

    async with topgun.Client() as client:
        apps.append(client.ws_connect(server.url, hdlr_json=closer))
        app = apps[0]
        async with asyncio.timeout(5):
            await app.wait()
        await closers[0]
        assert app.closed
        assert app.state is ConnectionState.CLOSED
        with pytest.raises(WebSocketClosedError):
            await app.ready()
    assert got[-1]["n"] < 100


async def test_a_json_handler_mutating_the_message(serve: Any, kit: Any) -> None:
    server = await serve(kit.sending({"n": 1, "items": [1, 2]}))
    seen: list[Any] = []

    def mutate(message: Any, ws: Any) -> None:
        message.clear()

    async with topgun.Client() as client:
        app = client.ws_connect(server.url, hdlr_json=[mutate, lambda m, ws: seen.append(m)])
        await kit.eventually(lambda: len(seen) == 1)
        assert app.stats.handler_errors == 0  # a shared object, as in pybotters: no crash


async def test_reconnect_callbacks_raising_cancelled_error_do_not_end_the_app(
    serve: Any, kit: Any
) -> None:
    go = asyncio.Event()

    async def behaviour(conn: Any) -> None:
        await conn.ws.send_json({"n": conn.index})
        if conn.index == 0:
            await go.wait()
            await conn.ws.close()
        else:
            await conn.drain()

    class Owner:
        def on_message(self, message: Any, ws: Any) -> None:
            got.append(message)

        def on_ws_reconnect(self, app: Any) -> None:
            raise asyncio.CancelledError

    def listener(app: Any) -> None:
        raise asyncio.CancelledError

    server = await serve(behaviour)
    got: list[Any] = []
    async with topgun.Client() as client:
        app = client.ws_connect(server.url, hdlr_json=Owner().on_message, backoff=FAST)
        app.add_reconnect_listener(listener)
        await kit.eventually(lambda: got == [{"n": 0}])
        go.set()
        await kit.eventually(lambda: got == [{"n": 0}, {"n": 1}])
        assert not app.closed
        assert app.stats.reconnects == 1


# -- plugin code failing at run time --------------------------------------------------------


def _failing_signer(request: Any) -> Any:
    raise KeyError("the signer has a bug")


def _failing_heartbeat(clock: Any) -> str:
    raise ZeroDivisionError("the heartbeat factory has a bug")


async def test_a_message_signer_failing_on_send_star_drops_the_connection_visibly(
    serve: Any, kit: Any, caplog: pytest.LogCaptureFixture
) -> None:
    server = await serve(kit.accept_login)
    registry = kit.toy_registry(ws_message_signer=_failing_signer)
    async with kit.toy_client(server, registry, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL, send_json={"op": "subscribe"}, backoff=FAST)
        await kit.eventually(lambda: app.stats.connects >= 2)
        assert "send_* messages failed: KeyError" in (app.stats.last_error or "")
        assert app.state is not ConnectionState.READY
    assert any("send_* messages failed" in r.getMessage() and r.exc_info for r in caplog.records)


async def test_an_exchange_heartbeat_factory_failing_drops_the_connection_visibly(
    serve: Any, kit: Any
) -> None:
    server = await serve(kit.drain)
    registry = kit.toy_registry(
        ws_authenticator=None, ws_heartbeat=Heartbeat(0.05, _failing_heartbeat)
    )
    async with kit.toy_client(server, registry) as client:
        app = client.ws_connect(kit.TOY_URL, backoff=FAST)
        await kit.eventually(lambda: app.stats.connects >= 2)
        assert "heartbeat failed: ZeroDivisionError" in (app.stats.last_error or "")


async def test_a_responder_answering_something_unserialisable_is_logged_not_fatal(
    serve: Any, kit: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async def behaviour(conn: Any) -> None:
        await conn.ws.send_json({"ping": 1})
        await conn.ws.send_json({"n": 2})
        await conn.drain()

    server = await serve(behaviour)
    registry = kit.toy_registry(
        ws_authenticator=None, ws_responder=lambda m: {"pong": object()} if "ping" in m else None
    )
    got: list[Any] = []
    async with kit.toy_client(server, registry) as client:
        app = client.ws_connect(kit.TOY_URL, hdlr_json=lambda m, ws: got.append(m))
        await kit.eventually(lambda: got == [{"ping": 1}, {"n": 2}])
        assert app.stats.connects == 1
    assert any("responder raised" in r.getMessage() for r in caplog.records)


# -- sending ---------------------------------------------------------------------------------


async def test_send_json_of_something_unserialisable_is_a_clear_error(serve: Any, kit: Any) -> None:
    server = await serve(kit.accept_login)
    async with kit.toy_client(server, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL)
        await app.ready()
        ws = app.current_ws
        assert ws is not None
        with pytest.raises(TypeError, match="not JSON serializable"):
            await ws.send_json({"when": object()})
        await ws.send_json({"still": "alive"})
        conn = server.connections[0]
        await kit.eventually(lambda: {"still": "alive"} in conn.received)
        assert app.stats.connects == 1
    with pytest.raises(TypeError, match="not JSON serializable"):
        async with topgun.Client() as client:
            client.ws_connect(kit.TOY_URL, send_json={"bad": {1, 2}})


async def test_send_on_a_connection_that_has_ended_raises_a_connection_error(
    serve: Any, kit: Any
) -> None:
    go = asyncio.Event()

    async def behaviour(conn: Any) -> None:
        if conn.index == 0:
            await go.wait()
            await conn.ws.close()
        else:
            await conn.drain()

    server = await serve(behaviour)
    async with topgun.Client() as client:
        app = client.ws_connect(server.url, backoff=FAST)
        old = (await app).current_ws
        assert old is not None
        go.set()
        await server.wait_connections(2)
        await kit.eventually(lambda: old.closed)
        with pytest.raises(ConnectionError):
            await old.send_json({"late": True})


@pytest.mark.parametrize(
    "url", ["not a url", "/relative/path", "ftp://example.test/ws", "mailto:a@b.test"]
)
async def test_bad_urls_are_refused_up_front(url: str) -> None:
    async with topgun.Client() as client:
        with pytest.raises(ValueError, match="WebSocket URL") as raised:
            client.ws_connect(url)
        assert "None" not in str(raised.value)
        assert url.split(":")[-1].split("/")[-1] in str(raised.value)
        app = client.ws_connect("ws://127.0.0.1:9/never", backoff=Backoff(30, 60, 2, 30))
        with pytest.raises(ValueError, match="WebSocket URL"):
            app.url = url
        assert str(app.url) == "ws://127.0.0.1:9/never"


async def test_an_http_url_is_upgraded_like_ws(serve: Any, kit: Any) -> None:
    server = await serve(kit.sending({"hi": 1}))
    got: list[Any] = []
    async with topgun.Client() as client:
        client.ws_connect(
            server.url.replace("ws://", "http://"), hdlr_json=lambda m, ws: got.append(m)
        )
        await kit.eventually(lambda: got == [{"hi": 1}])


# -- login -----------------------------------------------------------------------------------


def _login_ok() -> dict[str, Any]:
    return {"op": "login", "ok": True}


@pytest.mark.parametrize(
    "noise",
    [
        ["not json at all", "{broken", ""],
        [[1, 2, 3], 42, "string", None, {"op": "other"}],
    ],
    ids=["non-json", "json-not-a-dict"],
)
async def test_login_reply_after_noise_is_found_and_the_noise_replayed(
    serve: Any, kit: Any, noise: list[Any]
) -> None:
    async def behaviour(conn: Any) -> None:
        await conn.read()
        for item in noise:
            if isinstance(item, str):
                await conn.ws.send_str(item)
            else:
                await conn.ws.send_json(item)
        await conn.ws.send_json(_login_ok())
        await conn.drain()

    server = await serve(behaviour)
    strings: list[str] = []
    async with kit.toy_client(server, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL, hdlr_str=lambda m, ws: strings.append(m))
        async with asyncio.timeout(5):
            await app.ready()
        await kit.eventually(lambda: len(strings) == len(noise))
        assert app.stats.auth_failures == 0


async def test_a_non_json_or_non_dict_only_login_reply_times_out_cleanly(
    serve: Any, kit: Any
) -> None:
    async def behaviour(conn: Any) -> None:
        await conn.read()
        await conn.ws.send_str("<html>login page</html>")
        await conn.ws.send_json(["login", True])
        await conn.drain()

    server = await serve(behaviour)
    async with kit.toy_client(server, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL, backoff=FAST)
        await kit.login_refused(app, "timed out")
        assert app.stats.auth_failures == 1


async def test_thousands_of_frames_before_the_login_reply(serve: Any, kit: Any) -> None:
    count = 5000

    async def behaviour(conn: Any) -> None:
        await conn.read()
        for i in range(count):
            await conn.ws.send_str(f'{{"i": {i}}}')
        await conn.ws.send_json(_login_ok())
        await conn.ws.send_json({"i": count})
        await conn.drain()

    server = await serve(behaviour)
    got: list[int] = []
    async with kit.toy_client(server, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL, hdlr_json=lambda m, ws: got.append(m["i"]))
        async with asyncio.timeout(10):
            await app.ready()
        await kit.eventually(lambda: len(got) == count + 1, within=10.0)
        assert got == list(range(count + 1))


@pytest.mark.parametrize(
    ("ending", "refusal"), [("close frame", "4001"), ("dropped", None)], ids=["close", "drop"]
)
async def test_a_connection_ending_in_the_middle_of_login_is_followed_by_a_good_one(
    serve: Any, kit: Any, ending: str, refusal: str | None
) -> None:
    async def behaviour(conn: Any) -> None:
        await conn.read()
        if conn.index == 0:
            if ending == "close frame":
                await conn.ws.close(code=4001, message=b"go away")
            else:
                conn.drop()
            return
        await conn.ws.send_json(_login_ok())
        await conn.drain()

    server = await serve(behaviour)
    async with kit.toy_client(server, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL, backoff=FAST)
        if refusal is not None:  # a close frame's code is what the login failure reports
            await kit.login_refused(app, refusal)
            async with asyncio.timeout(5):
                await app.ready()
        await kit.eventually(lambda: app.stats.connects == 2 and app.state is ConnectionState.READY)


# -- closing at every stage ------------------------------------------------------------------


CLOSE_GUARD = 10.0
"""A hang guard, not a measurement: each test below sets up a wait (a backoff, a handshake or
login deadline, a send rate limit) of 30 s or more that close() must cut short, not sit out."""


async def _close(client: topgun.Client) -> None:
    async with asyncio.timeout(CLOSE_GUARD):
        await client.close()


async def test_closing_the_client_during_backoff(raw: Any, kit: Any) -> None:
    async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.transport.abort()

    server = await raw(refuse)
    client = topgun.Client()
    app = client.ws_connect(server.url, backoff=Backoff(30, 60, 2, 30))
    await kit.eventually(lambda: app.state is ConnectionState.BACKOFF)
    await _close(client)
    assert app.closed


async def test_closing_the_client_during_the_handshake(raw: Any, kit: Any) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")

    server = await raw(silent)
    client = topgun.Client()
    app = client.ws_connect(server.url)
    await kit.eventually(lambda: server.accepted == 1)
    await _close(client)
    assert app.closed


async def test_closing_the_client_while_authenticating(serve: Any, kit: Any) -> None:
    async def behaviour(conn: Any) -> None:
        await conn.read()
        await conn.drain()  # never answers the login, but does answer the close

    server = await serve(behaviour)
    client = kit.toy_client(server, apis=kit.TOY_APIS)
    app = client.ws_connect(kit.TOY_URL)
    await kit.eventually(lambda: app.state is ConnectionState.AUTHENTICATING)
    waiting = asyncio.ensure_future(app.ready())
    await _close(client)
    with pytest.raises(WebSocketClosedError):
        await waiting


async def test_closing_the_client_while_subscribing(serve: Any, kit: Any) -> None:
    server = await serve(kit.accept_login)
    registry = kit.toy_registry(ws_rate_limit=RateLimit(2, 1.0))
    client = kit.toy_client(server, registry, apis=kit.TOY_APIS)
    app = client.ws_connect(kit.TOY_URL, send_json=[{"sub": i} for i in range(80)])
    await kit.eventually(lambda: app.state is ConnectionState.SUBSCRIBING)
    await _close(client)
    assert app.closed


async def test_closing_the_client_against_a_peer_that_never_answers_the_close(
    serve: Any, kit: Any, released: asyncio.Event
) -> None:
    async def behaviour(conn: Any) -> None:
        await conn.ws.send_json({"hi": 1})
        conn.go_silent()
        await released.wait()
        conn.drop()

    server = await serve(behaviour)
    client = topgun.Client()
    app = client.ws_connect(server.url)
    await app
    await _close(client)  # the peer never answers: CLOSE_GRACE, then the transport goes


# -- heartbeat() -----------------------------------------------------------------------------


@pytest.mark.parametrize("seconds", [0, -1.0, float("nan")])
async def test_heartbeat_with_a_non_positive_timeout_is_refused(
    serve: Any, kit: Any, seconds: float
) -> None:
    server = await serve(kit.drain)
    async with topgun.Client() as client:
        app = client.ws_connect(server.url)
        await app
        with pytest.raises(ValueError, match="positive"):
            await app.heartbeat(seconds)
        assert app.stats.connects == 1
        assert app.current_ws is not None


async def test_two_concurrent_heartbeats_both_return(serve: Any, kit: Any) -> None:
    server = await serve(kit.drain)
    async with topgun.Client() as client:
        app = client.ws_connect(server.url)
        async with asyncio.timeout(5):
            await asyncio.gather(app.heartbeat(1.0), app.heartbeat(1.0))
        assert app.stats.connects == 1


async def test_concurrent_heartbeats_against_a_silent_peer_reconnect_once(
    serve: Any, kit: Any, released: asyncio.Event
) -> None:
    async def behaviour(conn: Any) -> None:
        if conn.index == 0:
            conn.go_silent()
            await released.wait()
            conn.drop()
        else:
            await conn.drain()

    server = await serve(behaviour)
    async with topgun.Client() as client:
        app = client.ws_connect(server.url, backoff=FAST, heartbeat=None)
        await app
        async with asyncio.timeout(10):
            await asyncio.gather(app.heartbeat(0.3), app.heartbeat(0.3))
        assert server.accepted == 2


async def test_heartbeat_whose_connection_ends_during_the_ping_retries_cleanly(
    serve: Any, kit: Any
) -> None:
    server = await serve(kit.drain)
    async with topgun.Client() as client:
        app = client.ws_connect(server.url, backoff=FAST)
        first = (await app).current_ws
        assert first is not None

        async def ping_then_lose_the_connection(payload: bytes = b"") -> None:
            await first.close()
            await kit.eventually(lambda: app.current_ws is not first)
            raise ConnectionResetError("lost while pinging")

        first.ping = ping_then_lose_the_connection  # type: ignore[method-assign]
        async with asyncio.timeout(5):
            await app.heartbeat(1.0)
        assert app.stats.connects == 2
        gc.collect()  # a pong future failed by the ending link must have been retrieved


async def test_heartbeat_on_a_closed_app_raises(serve: Any, kit: Any) -> None:
    server = await serve(kit.drain)
    async with topgun.Client() as client:
        app = client.ws_connect(server.url)
        await app
        beating = asyncio.ensure_future(app.heartbeat(30))
        await app.close()
        with pytest.raises(WebSocketClosedError):
            async with asyncio.timeout(5):
                await beating
        with pytest.raises(WebSocketClosedError):
            await app.heartbeat()


# -- the event loop ending under a running app -----------------------------------------------


def _run_isolated(main: Callable[[], Awaitable[None]]) -> list[str]:
    """``asyncio.run(main())``; the asyncio errors logged and warnings raised meanwhile."""
    capture = counting_errors()
    loggers = [logging.getLogger("asyncio")]
    for logger in loggers:
        logger.addHandler(capture)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            asyncio.run(main())  # type: ignore[arg-type]
            gc.collect()
    finally:
        for logger in loggers:
            logger.removeHandler(capture)
    return capture.messages + [str(w.message) for w in caught]


@pytest.mark.parametrize("stage", ["ready", "authenticating", "backoff"])
def test_asyncio_run_returning_inside_the_client_leaves_nothing_behind(
    kit: Any, stage: str
) -> None:
    async def main() -> None:
        async def behaviour(conn: Any) -> None:
            if stage == "backoff":
                await conn.ws.close()
                return
            await conn.read()
            if stage == "ready":
                await conn.ws.send_json(_login_ok())
            await conn.drain()

        server = await kit.WSServer(behaviour).start()
        try:
            async with kit.toy_client(server, apis=kit.TOY_APIS) as client:
                app = client.ws_connect(kit.TOY_URL, backoff=Backoff(30, 60, 2, 30))
                if stage == "ready":
                    await app.ready()
                elif stage == "authenticating":
                    await kit.eventually(lambda: app.state is ConnectionState.AUTHENTICATING)
                else:
                    await kit.eventually(lambda: app.state is ConnectionState.BACKOFF)
        finally:
            await server.stop()

    assert _run_isolated(main) == []


def test_asyncio_run_cancelling_a_running_app_leaves_no_pending_task(kit: Any) -> None:
    """The bot forgot to close its Client: the app is cancelled by asyncio.run's shutdown."""
    apps: list[Any] = []
    clients: list[topgun.Client] = []

    async def main() -> None:
        async def behaviour(conn: Any) -> None:
            await conn.ws.send_json({"hi": 1})
            await conn.drain()

        server = await kit.WSServer(behaviour).start()
        client = topgun.Client()
        clients.append(client)
        app = client.ws_connect(server.url)
        apps.append(app)
        await app

        async def stop_later() -> None:  # asyncio.run's shutdown cancels this one too
            try:
                await asyncio.Event().wait()
            finally:
                await server.stop()

        asyncio.get_running_loop().create_task(stop_later())
        # returns with the app running and the Client open

    messages = _run_isolated(main)
    assert apps[0].closed
    assert apps[0].state is ConnectionState.CLOSED
    assert not [m for m in messages if "Task was destroyed" in m], messages
    assert not [m for m in messages if "never retrieved" in m], messages
    # Only aiohttp's own complaint about the session nobody closed may remain; settle it here.
    clients.pop().session.detach()
