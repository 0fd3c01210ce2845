"""bitFlyer Realtime API over topgun's WebSocketApp, against a local bitFlyer-like server.

The server is reached under the real hostname (``wss://ws.lightstream.bitflyer.com/json-rpc``)
through a resolver mapping it to 127.0.0.1, behind TLS with a throwaway CA, and checks the login
the way bitFlyer documents it (https://bf-lightning-api.readme.io/docs/realtime-api-auth):
``auth`` params api_key, timestamp (10 or 13 digits), nonce (16 to 255 characters), signature =
hex HMAC-SHA256(secret, timestamp + nonce); private channels need it, the reply ``true`` says so.
The user guide's WebSocket examples run here as written, with only the connector added.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
import yarl
from aiohttp import web

import topgun
from topgun import FixedClock
from topgun.plugin import Credential
from topgun.testing import LocalExchange, eventually, json_messages
from topgun_bitflyer.ws import auth_params, authenticate

KEY = "bitflyer-ws-key"
SECRET = "bitflyer-ws-secret-DO-NOT-LOG"
HOST = "ws.lightstream.bitflyer.com"
URL = "wss://ws.lightstream.bitflyer.com/json-rpc"
PRIVATE = {"child_order_events", "parent_order_events"}


class Lightstream:
    """A bitFlyer-like JSON-RPC 2.0 realtime server (auth, subscribe, channelMessage)."""

    def __init__(self) -> None:
        self.logins: list[dict[str, Any]] = []
        self.subscriptions: list[list[str]] = []
        self.closers: list[web.WebSocketResponse] = []
        # Board snapshot sent on subscription, per connection (the last one repeats).
        self.snapshots: list[dict[str, Any]] = [{"mid_price": 100, "bids": [], "asks": []}]
        self.flood_login = False  # answer an auth with endless ticker frames instead of a reply
        self.app = web.Application()
        self.app.router.add_get("/json-rpc", self.handle)

    @staticmethod
    def check(params: dict[str, Any]) -> str | None:
        """Why a login is refused (None: accepted), per the realtime API auth doc."""
        timestamp, nonce = params.get("timestamp"), params.get("nonce")
        if params.get("api_key") != KEY:
            return "Invalid API key"
        if not isinstance(timestamp, int) or len(str(timestamp)) not in (10, 13):
            return "timestamp must be a Unix time of 10 or 13 digits"
        seconds = timestamp / 1000 if len(str(timestamp)) == 13 else timestamp
        if abs(seconds - time.time()) > 60:
            return "timestamp out of range"
        if not isinstance(nonce, str) or not 16 <= len(nonce) <= 255:
            return "nonce must be 16 to 255 characters"
        want = hmac.new(SECRET.encode(), f"{timestamp}{nonce}".encode(), hashlib.sha256)
        if not hmac.compare_digest(str(params.get("signature")), want.hexdigest()):
            return "Invalid signature"
        return None

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.closers.append(ws)
        authed = False
        channels: list[str] = []
        self.subscriptions.append(channels)
        pusher = asyncio.ensure_future(self.push(ws, channels))
        try:
            async for call in json_messages(ws):
                method, params, call_id = call.get("method"), call.get("params", {}), call.get("id")
                if method == "auth" and self.flood_login:
                    await self.flood(ws)
                    continue
                if method == "auth":
                    self.logins.append(params)
                    problem = self.check(params)
                    authed = problem is None
                    if authed:
                        await ws.send_json({"jsonrpc": "2.0", "id": call_id, "result": True})
                    else:
                        error = {"code": -32000, "message": problem}
                        await ws.send_json({"jsonrpc": "2.0", "id": call_id, "error": error})
                elif method == "subscribe":
                    channel = params.get("channel")
                    if channel in PRIVATE and not authed:
                        error = {"code": -32600, "message": "Permission denied: auth required"}
                        await ws.send_json({"jsonrpc": "2.0", "id": call_id, "error": error})
                        continue
                    channels.append(channel)
                    if call_id is not None:
                        await ws.send_json({"jsonrpc": "2.0", "id": call_id, "result": True})
                    if channel.startswith("lightning_board_snapshot_"):
                        index = min(len(self.closers), len(self.snapshots)) - 1
                        board = {"channel": channel, "message": self.snapshots[index]}
                    elif channel.startswith("lightning_board_"):  # a diff, at once
                        diff = {"mid_price": 150, "bids": [{"price": 98, "size": 5}], "asks": []}
                        board = {"channel": channel, "message": diff}
                    else:
                        continue
                    await ws.send_json(
                        {"jsonrpc": "2.0", "method": "channelMessage", "params": board}
                    )
        finally:
            pusher.cancel()
            await asyncio.gather(pusher, return_exceptions=True)
        return ws

    @staticmethod
    async def flood(ws: web.WebSocketResponse) -> None:
        ticker = {"product_code": "BTC_JPY", "ltp": 15_000_000, "pad": "x" * 60_000}
        params = {"channel": "lightning_ticker_BTC_JPY", "message": ticker}
        frame = orjson.dumps({"jsonrpc": "2.0", "method": "channelMessage", "params": params})
        try:
            for _ in range(400):  # 24 MiB, more than a login holds
                await ws.send_str(frame.decode())
        except ConnectionError:
            return  # the client gave up and left

    async def push(self, ws: web.WebSocketResponse, channels: list[str]) -> None:
        n = 0
        while not ws.closed:
            await asyncio.sleep(0.02)
            n += 1
            for channel in channels:
                if channel.startswith("lightning_ticker_"):
                    message: Any = {"product_code": channel[17:], "ltp": 15_000_000 + n}
                elif channel == "child_order_events":
                    message = [
                        {
                            "product_code": "BTC_JPY",
                            "child_order_acceptance_id": f"JRF20261203-{n:06d}",
                            "event_type": "ORDER",
                            "side": "BUY",
                            "price": 15_000_000,
                            "size": 0.01,
                        }
                    ]
                else:
                    continue
                params = {"channel": channel, "message": message}
                await ws.send_json({"jsonrpc": "2.0", "method": "channelMessage", "params": params})


@pytest.fixture
async def lightstream() -> AsyncIterator[tuple[Lightstream, LocalExchange]]:
    server = Lightstream()
    async with LocalExchange(server.app, [HOST]) as exchange:
        yield server, exchange
    await asyncio.sleep(0)


def assert_nothing_left() -> None:
    current = asyncio.current_task()
    left = [
        t for t in asyncio.all_tasks() if t is not current and t.get_name().startswith("topgun")
    ]
    assert not left, left


async def run_until(main: Any, done: Any, capsys: pytest.CaptureFixture[str]) -> str:
    """Run a user-guide ``main()`` until ``done(output)``, then cancel it like Ctrl+C would."""
    task = asyncio.ensure_future(main())
    output = ""
    try:
        async with asyncio.timeout(10):
            while not done(output):
                await asyncio.sleep(0.01)
                output += capsys.readouterr().out
                assert not task.done(), task
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert_nothing_left()
    return output


# -- the login recipe ------------------------------------------------------------------------


def test_auth_params_follow_the_documented_recipe() -> None:
    clock = FixedClock(1_700_000_000.123)
    params = auth_params(Credential("bitflyer", [KEY, SECRET]), clock, nonce="0" * 32)
    assert params["api_key"] == KEY
    assert params["timestamp"] == 1_700_000_000_123  # 13 digits, a Number
    assert params["nonce"] == "0" * 32
    want = hmac.new(SECRET.encode(), b"1700000000123" + b"0" * 32, hashlib.sha256).hexdigest()
    assert params["signature"] == want
    fresh = auth_params(Credential("bitflyer", [KEY, SECRET]), clock)
    assert 16 <= len(fresh["nonce"]) <= 255 and fresh["nonce"] != params["nonce"]


class FakeLogin:
    """A WebSocketLogin double that answers with a scripted reply."""

    def __init__(self, reply: Any) -> None:
        self.url = yarl.URL(URL)
        self.credential = Credential("bitflyer", [KEY, SECRET])
        self.clock = topgun.Clock()
        self.sent: list[Any] = []
        self.reply = reply

    async def send_json(self, message: Any) -> None:
        self.sent.append(message)

    async def send_str(self, message: str) -> None:
        self.sent.append(message)

    async def receive_json(self, timeout: float, match: Any = None) -> Any:  # noqa: ASYNC109
        reply = {**self.reply, "id": self.sent[-1]["id"]}
        assert match is not None and match(reply) and not match({"id": "other"})
        return reply


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ({"error": {"code": -32000, "message": "Invalid signature"}}, "Invalid signature"),
        ({"result": False}, "result False"),
    ],
)
async def test_authenticate_checks_the_reply(reply: Any, message: str) -> None:
    login = FakeLogin({"jsonrpc": "2.0", **reply})
    with pytest.raises(topgun.AuthenticationError, match=message) as raised:
        await authenticate(login)
    assert SECRET not in str(raised.value)
    (sent,) = login.sent
    assert sent["jsonrpc"] == "2.0" and sent["method"] == "auth"
    assert set(sent["params"]) == {"api_key", "timestamp", "nonce", "signature"}
    await authenticate(FakeLogin({"jsonrpc": "2.0", "result": True}))  # accepted: returns


# -- the user guide, as written ----------------------------------------------------------------


async def test_user_guide_websocket_api(
    lightstream: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    server, exchange = lightstream

    async def main() -> None:
        async with topgun.Client(connector=exchange.connector()) as client:
            ws = await client.ws_connect(
                "wss://ws.lightstream.bitflyer.com/json-rpc",
                send_json={
                    "method": "subscribe",
                    "params": {"channel": "lightning_ticker_BTC_JPY"},
                },
                hdlr_json=lambda msg, ws: print(msg),
            )
            await ws.wait()  # Ctrl+C to break

    output = await run_until(main, lambda out: out.count("lightning_ticker_BTC_JPY") >= 3, capsys)
    assert "'method': 'channelMessage'" in output and "'ltp': " in output
    assert server.logins == []  # no credentials: no login, public channels only


async def test_user_guide_websocketqueue(
    lightstream: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _, exchange = lightstream

    async def main() -> None:
        async with topgun.Client(connector=exchange.connector()) as client:
            wsqueue = topgun.WebSocketQueue()

            await client.ws_connect(
                "wss://ws.lightstream.bitflyer.com/json-rpc",
                send_json={
                    "method": "subscribe",
                    "params": {"channel": "lightning_ticker_BTC_JPY"},
                },
                hdlr_json=wsqueue.onmessage,
            )

            async for msg in wsqueue:  # Ctrl+C to break
                print(msg)

    output = await run_until(main, lambda out: out.count("'ltp'") >= 3, capsys)
    assert "'product_code': 'BTC_JPY'" in output


async def test_user_guide_authenticated_child_order_events(
    lightstream: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    server, exchange = lightstream

    async def main() -> None:
        apis = {
            "bitflyer": [KEY, SECRET],
        }
        async with topgun.Client(apis=apis, connector=exchange.connector()) as client:
            ws = await client.ws_connect(
                "wss://ws.lightstream.bitflyer.com/json-rpc",
                send_json={
                    "method": "subscribe",
                    "params": {"channel": "child_order_events"},
                    "id": 123,
                },
                hdlr_json=lambda msg, ws: print(msg),
            )
            await ws.wait()  # Ctrl+C to break

    output = await run_until(main, lambda out: out.count("child_order_acceptance_id") >= 2, capsys)
    assert "{'jsonrpc': '2.0', 'id': 123, 'result': True}" in output  # the subscription's reply
    assert "Permission denied" not in output
    (login,) = server.logins
    assert Lightstream.check(login) is None
    assert server.subscriptions[0] == ["child_order_events"]


async def test_a_login_flooded_with_frames_fails_visibly_instead_of_growing(
    lightstream: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Frames held while waiting for the auth reply are bounded (count and bytes)."""
    server, exchange = lightstream
    server.flood_login = True
    caplog.set_level(logging.ERROR, "topgun.ws")
    async with exchange.client(apis={"bitflyer": [KEY, SECRET]}) as client:
        app = client.ws_connect(
            URL, send_json={"method": "subscribe", "params": {}}, backoff=(30, 60, 2, 30)
        )
        with pytest.raises(topgun.AuthenticationError, match="before its login reply"):
            async with asyncio.timeout(20):
                await app.ready()
        assert app.stats.auth_failures >= 1
        await eventually(lambda: app.state is topgun.ConnectionState.BACKOFF)
    assert "login failed: the exchange sent more than" in caplog.text


async def test_login_and_subscription_survive_a_reconnect(lightstream: Any) -> None:
    server, exchange = lightstream
    events: list[Any] = []
    async with topgun.Client(
        apis={"bitflyer": [KEY, SECRET]}, connector=exchange.connector()
    ) as client:
        app = client.ws_connect(
            URL,
            send_json={"method": "subscribe", "params": {"channel": "child_order_events"}},
            hdlr_json=lambda msg, ws: events.append(msg),
            backoff=(0.05, 0.2, 2.0, 0.05),
        )
        await app.ready()
        await eventually(lambda: events)
        await server.closers[0].close()  # the exchange drops us
        await eventually(lambda: len(server.logins) == 2 and app.stats.reconnects == 1)
        await app.ready()
        count = len(events)
        await eventually(lambda: len(events) > count)
    assert [Lightstream.check(login) for login in server.logins] == [None, None]
    assert server.logins[0]["nonce"] != server.logins[1]["nonce"]
    assert server.subscriptions[:2] == [["child_order_events"], ["child_order_events"]]


async def test_a_datastore_resynchronises_its_book_after_a_reconnect(lightstream: Any) -> None:
    """ws_connect + bitFlyerDataStore: the reconnect notification empties the book before the new
    connection's first frame, and the new snapshot rebuilds it."""
    server, exchange = lightstream
    server.snapshots = [
        {"mid_price": 100, "bids": [{"price": 99, "size": 1}], "asks": [{"price": 101, "size": 2}]},
        {
            "mid_price": 200,
            "bids": [{"price": 199, "size": 3}],
            "asks": [{"price": 201, "size": 4}],
        },
    ]
    store = topgun.bitFlyerDataStore()
    async with topgun.Client(connector=exchange.connector()) as client:
        app = client.ws_connect(
            URL,
            send_json=[  # diffs first: each connection's first diff precedes its snapshot
                {"method": "subscribe", "params": {"channel": "lightning_board_BTC_JPY"}},
                {"method": "subscribe", "params": {"channel": "lightning_board_snapshot_BTC_JPY"}},
            ],
            hdlr_json=store.onmessage,
            backoff=(0.05, 0.2, 2.0, 0.05),
        )
        await eventually(lambda: store.board.is_synced("BTC_JPY"))
        first = store.board.sorted(limit=1)
        await server.closers[0].close()
        await eventually(lambda: app.stats.reconnects == 1)
        await eventually(lambda: store.board.mid_price.get("BTC_JPY") == 200)
        second = store.board.sorted(limit=5)
    assert [row["price"] for row in first["bids"] + first["asks"]] == [99, 101]
    assert [row["price"] for row in second["bids"] + second["asks"]] == [199, 201]
    # The new connection's early diff was dropped, not applied to the old book: the store had
    # been told about the reconnect before that diff was dispatched.
    assert store.board.dropped_diffs == 2
