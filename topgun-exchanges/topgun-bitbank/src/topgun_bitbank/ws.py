"""bitbank public stream: Socket.IO over a plain WebSocket, and the Engine.IO heartbeat it needs.

https://github.com/bitbankinc/bitbank-api-docs/blob/master/public-stream.md ("General WSS
information" and the wscat samples): the endpoint is ``wss://stream.bitbank.cc``, served by
socket.io 4.x; the samples connect to ``/socket.io/?EIO=4&transport=websocket``, receive the
Engine.IO handshake ``0{"sid":...,"pingInterval":25000,"pingTimeout":60000}`` and join a room
with the Socket.IO event ``42["join-room","ticker_btc_jpy"]``. Every message is a text frame
``42["message",{"room_name":...,"message":{...}}]``.

Subscribing with topgun (the reference library's URL, Engine.IO protocol 3)::

    app = client.ws_connect(
        "wss://stream.bitbank.cc/socket.io/?EIO=3&transport=websocket",
        send_str=['42["join-room","ticker_btc_jpy"]', '42["join-room","depth_diff_btc_jpy"]'],
        hdlr_str=handler,  # gets every text frame, e.g. '42["message",{...}]'
    )

The heartbeat depends on the Engine.IO protocol revision in the URL (``EIO``), because its
direction flipped between them (https://github.com/socketio/engine.io-protocol, "Heartbeat" and
"From v3 to v4: reverse ping/pong mechanism"; a socket.io 4 server accepts protocol 3 clients
only when it opts in with ``allowEIO3``, which bitbank's does, since the reference library has
always connected with ``EIO=3``):

- ``EIO=3``: the client pings with the text ``2`` and the server answers ``3``; a server that
  hears nothing for ``pingInterval + pingTimeout`` closes the connection. topgun sends ``2``.
  With protocol 3 the socket.io server connects the client to the default namespace by itself
  (``Server.onconnection``), so the ``join-room`` events can be sent right after the handshake.
- ``EIO=4`` (the docs' samples): the server pings with ``2`` and the client must answer ``3``; a
  client ``2`` is an "invalid heartbeat direction" error that closes the connection. topgun sends
  ``3`` on its timer, which the server takes as the answer (it resets its ping timers on every
  pong) and so the connection stays up without a reply handler. With protocol 4 the client must
  first connect to the default namespace with ``40`` and wait for the server's ``40{"sid":...}``
  before any event: send ``40`` in ``send_str`` and the ``join-room`` events from a ``hdlr_str``
  once ``40{`` arrives. The ``EIO=3`` URL above is simpler, and is the one the examples use.

The interval is fixed at 15 seconds rather than read from the handshake: the docs' handshakes
announce ``pingInterval`` 25 s and ``pingTimeout`` 60 s, so a 15 s beat is inside every deadline
of either protocol, and a fixed heartbeat needs nothing from the connection's first frame.
"""

from __future__ import annotations

from typing import Final

from yarl import URL

from topgun.plugin import Heartbeat, HeartbeatFactory

STREAM_URL: Final = URL("wss://stream.bitbank.cc/socket.io/?EIO=3&transport=websocket")
HEARTBEAT_INTERVAL: Final = 15.0


def heartbeats(interval: float = HEARTBEAT_INTERVAL) -> HeartbeatFactory:
    """A heartbeat factory for the given interval (the plugin registers the 15 s one)."""
    if interval <= 0:
        raise ValueError(f"a heartbeat interval must be positive, not {interval}")
    ping_eio3 = Heartbeat(interval, "2", replies=("3",))  # protocol 3: the server's 3 answers it
    pong_eio4 = Heartbeat(interval, "3", replies=("2",))  # protocol 4: answers the server's 2

    def heartbeat(url: URL) -> Heartbeat | None:
        if not url.path.startswith("/socket.io"):
            return None
        # Only EIO=4 reverses the direction; the reference's EIO=3 URL (and older ones) ping.
        return pong_eio4 if url.query.get("EIO") == "4" else ping_eio3

    return heartbeat


socketio_heartbeat: Final = heartbeats()
"""The heartbeat for a connection to a URL on stream.bitbank.cc (None off ``/socket.io``)."""


def join_room(room: str) -> str:
    """The Socket.IO event that subscribes to ``room``: ``42["join-room","<room>"]``."""
    if not room or '"' in room or "\\" in room:
        raise ValueError(f"not a bitbank room name: {room!r}")
    return f'42["join-room","{room}"]'
