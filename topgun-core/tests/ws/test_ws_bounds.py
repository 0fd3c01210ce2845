"""What a peer sends is bounded: decompressed frames, and frames held during a login.

The toy exchange compresses its frames (raw deflate) and logs in; a hostile server sends
decompression bombs, or floods frames instead of answering the login. The app must drop and
count the bombs (and give up on a peer that sends nothing else), and fail a flooded login
visibly, instead of growing the process.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from typing import Any

import orjson
import pytest

from topgun import AuthenticationError, Backoff, ConnectionState, FrameTooLargeError
from topgun.plugin import Decompressor, Host, decompress
from topgun.testing import compression_bomb
from topgun.ws import dispatch, login

MIB = 1024 * 1024
BOMB = 64 * MIB  # opens to 16 times the default max_msg_size, from about 64 KiB on the wire
FLOOD_FRAME = '{"flood": "' + "x" * 60_000 + '"}'
FLOOD_FRAMES = 400  # 24 MiB: past what a login holds (16 MiB)
SLOW = Backoff(30, 60, 2, 30)  # after a failure the app stays in backoff for the test's rest


def squeeze(message: Any) -> bytes:
    packer = zlib.compressobj(wbits=-15)
    return packer.compress(orjson.dumps(message)) + packer.flush()


# -- the decompressor ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["deflate", "zlib", "gzip"])
def test_decompress_stops_one_byte_past_the_bound(kind: Any) -> None:
    bomb = compression_bomb(kind, BOMB)
    assert len(bomb) < MIB
    with pytest.raises(FrameTooLargeError, match=f"more than {4 * MIB} bytes"):
        decompress(bomb, kind, 4 * MIB)
    small = compression_bomb(kind, 1000)
    assert decompress(small, kind, 1000) == b'{"bomb":"' + b"0" * 989 + b'"}'
    with pytest.raises(FrameTooLargeError):
        decompress(small, kind, 999)
    assert len(decompress(small, kind, 0)) == 1000  # 0: no bound, as aiohttp's max_msg_size


def test_decompress_refuses_a_truncated_stream_and_a_foreign_one() -> None:
    whole = squeeze({"a": 1})
    with pytest.raises(zlib.error):
        decompress(whole[:-3], "deflate", MIB)
    with pytest.raises(zlib.error):
        decompress(b'{"not": "compressed"}', "gzip", MIB)
    with pytest.raises(ValueError, match="unknown compression"):
        Decompressor("brotli")  # type: ignore[arg-type]


def test_a_decoder_that_cannot_take_the_bound_is_refused_when_registered() -> None:
    with pytest.raises(TypeError, match=r"must take \(payload, max_size\)"):
        Host("ws.example.test", ws_decoder=lambda payload: payload)  # type: ignore[arg-type, misc]
    Host("ws.example.test", ws_decoder=Decompressor("gzip"))


# -- bombs on a live connection --------------------------------------------------------------


async def test_a_bomb_frame_is_dropped_counted_and_the_connection_kept(
    serve: Any, kit: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async def behaviour(conn: Any) -> None:
        await conn.ws.send_bytes(squeeze({"n": 1}))
        await conn.ws.send_bytes(compression_bomb("deflate", BOMB))
        await conn.ws.send_bytes(squeeze({"n": 2}))
        await conn.drain()

    server = await serve(behaviour)
    got: list[Any] = []
    registry = kit.toy_registry(ws_authenticator=None, ws_decoder=Decompressor("deflate"))
    caplog.set_level(logging.WARNING, "topgun.ws")
    async with kit.toy_client(server, registry) as client:
        app = client.ws_connect(kit.TOY_URL, hdlr_json=lambda m, ws: got.append(m))
        await kit.eventually(lambda: len(got) == 2)
        assert got == [{"n": 1}, {"n": 2}]
        assert app.stats.oversized_frames == 1
        assert app.stats.as_dict()["oversized_frames"] == 1
        assert app.stats.connects == 1 and app.state is ConnectionState.READY
    assert "max_msg_size=4194304" in caplog.text


async def test_the_bound_follows_max_msg_size(serve: Any, kit: Any) -> None:
    big = {"pad": "x" * (5 * MIB)}

    async def behaviour(conn: Any) -> None:
        await conn.ws.send_bytes(squeeze(big))
        await conn.ws.send_bytes(compression_bomb("deflate", 9 * MIB))
        await conn.ws.send_bytes(squeeze({"n": 2}))
        await conn.drain()

    server = await serve(behaviour)
    got: list[Any] = []
    registry = kit.toy_registry(ws_authenticator=None, ws_decoder=Decompressor("deflate"))
    async with kit.toy_client(server, registry) as client:
        app = client.ws_connect(
            kit.TOY_URL, hdlr_json=lambda m, ws: got.append(m), max_msg_size=8 * MIB
        )
        await kit.eventually(lambda: len(got) == 2)
        assert got[0] == big and got[1] == {"n": 2}
        assert app.stats.oversized_frames == 1


async def test_a_peer_sending_only_bombs_is_dropped_and_backed_off(serve: Any, kit: Any) -> None:
    bomb = compression_bomb("deflate", 8 * MIB)

    async def behaviour(conn: Any) -> None:
        for _ in range(3 * dispatch.MAX_OVERSIZED_IN_A_ROW):  # more than the app takes
            await conn.ws.send_bytes(bomb)
        await conn.drain()

    server = await serve(behaviour)
    registry = kit.toy_registry(ws_authenticator=None, ws_decoder=Decompressor("deflate"))
    async with kit.toy_client(server, registry) as client:
        app = client.ws_connect(kit.TOY_URL, hdlr_json=lambda m, ws: None)
        await kit.eventually(lambda: app.stats.disconnects >= 2, within=10.0)
        assert app.stats.last_error is not None
        assert f"{dispatch.MAX_OVERSIZED_IN_A_ROW} frames in a row" in app.stats.last_error
        await kit.eventually(lambda: app.state is ConnectionState.BACKOFF)
    # Every connection ended after the same short run of bombs, not after an endless one.
    per_connection = dispatch.MAX_OVERSIZED_IN_A_ROW
    assert app.stats.oversized_frames <= per_connection * app.stats.connects


async def test_a_decoder_ignoring_the_bound_still_cannot_pass_a_big_frame(
    serve: Any, kit: Any
) -> None:
    def careless(payload: bytes, max_size: int) -> bytes:
        return zlib.decompress(payload, -15)

    async def behaviour(conn: Any) -> None:
        await conn.ws.send_bytes(compression_bomb("deflate", 5 * MIB))
        await conn.ws.send_bytes(squeeze({"n": 1}))
        await conn.drain()

    server = await serve(behaviour)
    got: list[Any] = []
    registry = kit.toy_registry(ws_authenticator=None, ws_decoder=careless)
    async with kit.toy_client(server, registry) as client:
        app = client.ws_connect(kit.TOY_URL, hdlr_json=lambda m, ws: got.append(m))
        await kit.eventually(lambda: got == [{"n": 1}])
        assert app.stats.oversized_frames == 1


async def test_a_bomb_during_the_login_is_dropped_and_the_login_goes_on(
    serve: Any, kit: Any
) -> None:
    async def behaviour(conn: Any) -> None:
        (request,) = await conn.read()
        await conn.ws.send_bytes(compression_bomb("deflate", BOMB))
        ok = request.get("sig") == kit.toy_login_signature(kit.TOY_SECRET, request["ts"])
        await conn.ws.send_bytes(squeeze({"op": "login", "ok": ok}))
        await conn.drain()

    server = await serve(behaviour)
    registry = kit.toy_registry(ws_decoder=Decompressor("deflate"))
    async with kit.toy_client(server, registry, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL)
        async with asyncio.timeout(10):
            await app.ready()
        assert app.stats.oversized_frames == 1
        assert app.stats.auth_failures == 0


# -- frames held during a login --------------------------------------------------------------


async def test_a_login_flooded_with_frames_fails_visibly_and_backs_off(
    serve: Any, kit: Any, caplog: pytest.LogCaptureFixture
) -> None:
    frame = FLOOD_FRAME

    async def behaviour(conn: Any) -> None:
        await conn.read()  # the login request, never answered: 24 MiB of frames instead
        for _ in range(FLOOD_FRAMES):
            await conn.ws.send_str(frame)
        await conn.drain()

    server = await serve(behaviour)
    caplog.set_level(logging.ERROR, "topgun.ws")
    async with kit.toy_client(server, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL, hdlr_json=lambda m, ws: None, backoff=SLOW)
        await kit.login_refused(app, "before its login reply", within=10)
        assert app.stats.auth_failures >= 1
        await kit.eventually(lambda: app.state is ConnectionState.BACKOFF)
    assert f"more than {login.MAX_HELD_FRAMES} frames or {login.MAX_HELD_BYTES} bytes" in (
        caplog.text
    )


async def test_the_frame_count_is_bounded_too(serve: Any, kit: Any) -> None:
    async def behaviour(conn: Any) -> None:
        await conn.read()
        try:
            for i in range(login.MAX_HELD_FRAMES + 10):
                await conn.ws.send_str(f'{{"i": {i}}}')
            await conn.drain()
        except ConnectionError:
            return

    server = await serve(behaviour)
    async with kit.toy_client(server, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL)
        await kit.login_refused(app, f"{login.MAX_HELD_FRAMES + 1} frames", within=20)


async def test_an_authenticator_swallowing_the_overflow_still_fails(serve: Any, kit: Any) -> None:
    async def stubborn(session: Any) -> None:
        await session.send_json({"op": "login"})
        for _ in range(3):
            try:
                await session.receive_json(5.0, match=lambda m: m.get("op") == "login")
            except AuthenticationError:
                continue
        # gives up silently, as if logged in

    async def behaviour(conn: Any) -> None:
        await conn.read()
        for _ in range(FLOOD_FRAMES):
            await conn.ws.send_str(FLOOD_FRAME)
        await conn.drain()

    server = await serve(behaviour)
    registry = kit.toy_registry(ws_authenticator=stubborn)
    async with kit.toy_client(server, registry, apis=kit.TOY_APIS) as client:
        app = client.ws_connect(kit.TOY_URL)
        await kit.login_refused(app, "before its login reply", within=10)
