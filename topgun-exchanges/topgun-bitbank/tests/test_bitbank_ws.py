"""bitbank's public stream: the Engine.IO heartbeat chosen per URL, and the join-room message.

https://github.com/bitbankinc/bitbank-api-docs/blob/master/public-stream.md (socket.io 4.x,
``42["join-room","ticker_btc_jpy"]``, handshake pingInterval 25000 / pingTimeout 60000) and
https://github.com/socketio/engine.io-protocol ("Heartbeat"; v3 → v4 reversed ping/pong).
"""

from __future__ import annotations

import pytest
from yarl import URL

from topgun_bitbank import STREAM_URL, join_room, socketio_heartbeat
from topgun_bitbank.ws import HEARTBEAT_INTERVAL


def test_eio3_client_pings_and_the_pong_is_quiet() -> None:
    beat = socketio_heartbeat(URL("wss://stream.bitbank.cc/socket.io/?EIO=3&transport=websocket"))
    assert beat is not None
    assert (beat.message, beat.frame, beat.replies) == ("2", "text", ("3",))
    assert beat.interval == HEARTBEAT_INTERVAL == 15.0


def test_eio4_client_never_pings_it_answers() -> None:
    # A client "2" under protocol 4 is an "invalid heartbeat direction": the server disconnects.
    beat = socketio_heartbeat(URL("wss://stream.bitbank.cc/socket.io/?EIO=4&transport=websocket"))
    assert beat is not None
    assert (beat.message, beat.frame, beat.replies) == ("3", "text", ("2",))


def test_interval_is_inside_the_documented_deadlines() -> None:
    ping_interval, ping_timeout = 25.0, 60.0  # the handshakes in public-stream.md
    assert HEARTBEAT_INTERVAL < ping_interval < ping_interval + ping_timeout


def test_default_url_is_the_eio3_one() -> None:
    assert STREAM_URL.query["EIO"] == "3"
    assert socketio_heartbeat(STREAM_URL) == socketio_heartbeat(
        URL("wss://stream.bitbank.cc/socket.io/?transport=websocket&EIO=3")
    )


def test_no_heartbeat_off_the_socketio_path() -> None:
    assert socketio_heartbeat(URL("wss://stream.bitbank.cc/other")) is None


def test_join_room() -> None:
    assert join_room("ticker_btc_jpy") == '42["join-room","ticker_btc_jpy"]'
    with pytest.raises(ValueError, match="room"):
        join_room('x"]')
