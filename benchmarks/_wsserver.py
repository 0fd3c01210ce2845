"""A WebSocket server in its own process that writes pre-built frames straight to the socket.

It is never the bottleneck of a client benchmark: a text frame ``go`` from the client asks for one
burst (the frames given at start, concatenated); pings are answered; other frames are ignored.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import multiprocessing
import struct
from collections.abc import Iterator
from typing import Any

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def frame(payload: bytes, opcode: int = 0x1) -> bytes:
    """One unmasked server-to-client frame."""
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x80 | opcode, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 126, size)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 127, size)
    return header + payload


async def _client_frames(reader: asyncio.StreamReader) -> Any:
    """Yield (opcode, payload) of the client's masked frames."""
    while True:
        first, second = await reader.readexactly(2)
        size = second & 0x7F
        if size == 126:
            (size,) = struct.unpack("!H", await reader.readexactly(2))
        elif size == 127:
            (size,) = struct.unpack("!Q", await reader.readexactly(8))
        mask = await reader.readexactly(4)
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(await reader.readexactly(size)))
        yield first & 0x0F, data


async def _serve(port_out: Any, burst: bytes) -> None:

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
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
        try:
            async for opcode, data in _client_frames(reader):
                if opcode == 0x1 and data == b"go":  # asks for a burst
                    writer.write(burst)
                    await writer.drain()
                elif opcode == 0x9:
                    writer.write(frame(data, 0xA))
                elif opcode == 0x8:
                    writer.write(frame(data[:2], 0x8))
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(session, "127.0.0.1", 0)
    port_out.put(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


def _server_process(port_out: Any, burst: bytes) -> None:
    asyncio.run(_serve(port_out, burst))


@contextlib.contextmanager
def burst_server(payloads: list[bytes]) -> Iterator[str]:
    """Run the server for ``payloads`` (one text frame each); yield its ``ws://`` URL."""
    context = multiprocessing.get_context("spawn")
    ports = context.Queue()
    burst = b"".join(frame(p) for p in payloads)
    server = context.Process(target=_server_process, args=(ports, burst), daemon=True)
    server.start()
    try:
        yield f"ws://127.0.0.1:{ports.get(timeout=30)}/ws"
    finally:
        server.terminate()
        server.join(5)
