"""Every cookbook recipe (docs/examples/*.py) run as written, offline, and what it did checked.

Each recipe meets a local exchange from ``topgun.testing`` under the exchange's real hostnames
(127.0.0.1, TLS); ``docs_harness`` only makes the recipe's ``topgun.Client`` reach it. The local
exchanges answer with the message shapes of the exchanges' documentation:

- bitFlyer: https://bf-lightning-api.readme.io/docs/json-rpc-20-over-websocket (framing),
  https://bf-lightning-api.readme.io/docs/realtime-api-auth (login),
  https://bf-lightning-api.readme.io/docs/realtime-board-snapshot,
  https://bf-lightning-api.readme.io/docs/realtime-board,
  https://bf-lightning-api.readme.io/docs/realtime-ticker,
  https://bf-lightning-api.readme.io/docs/realtime-child-order-events,
  https://bf-lightning-api.readme.io/docs/getchildorders,
  https://bf-lightning-api.readme.io/docs/getpositions,
  https://bf-lightning-api.readme.io/docs/sendchildorder,
  https://lightning.bitflyer.com/docs?lang=en#authentication (request signing).
- GMO Coin: https://api.coin.z.com/docs/#authentication-private (request signing),
  https://api.coin.z.com/docs/#assets, https://api.coin.z.com/docs/#ws-ticker.
- Bybit: https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook (snapshot/delta,
  ``u``), https://bybit-exchange.github.io/docs/v5/ws/connect (subscribe replies, ping/pong).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from docs_harness import EXAMPLES, load, local_env
from processes import run

from topgun.testing import Connection, HttpExchange, LocalExchange, WebSocketExchange, eventually

KEY, SECRET = "BITFLYER_API_KEY", "BITFLYER_API_SECRET"
BITFLYER = ["api.bitflyer.com", "ws.lightstream.bitflyer.com"]


class Output:
    """What a recipe printed so far (captured by pytest), to wait on while it runs."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys
        self.text = ""

    def lines(self) -> list[str]:
        self.text += self._capsys.readouterr().out
        return self.text.splitlines()

    async def shows(self, line: str, within: float = 20) -> None:
        await eventually(lambda: line in self.lines(), within=within)


@pytest.fixture
def bitflyer_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BITFLYER_API_KEY", KEY)
    monkeypatch.setenv("BITFLYER_API_SECRET", SECRET)


def channel_message(channel: str, message: Any) -> dict[str, Any]:
    params = {"channel": channel, "message": message}
    return {"jsonrpc": "2.0", "method": "channelMessage", "params": params}


def logged_in(conn: Connection, message: Any) -> dict[str, Any]:
    """bitFlyer's ``auth`` answer: ``result`` true only for our key and a valid signature
    (HMAC-SHA256 of timestamp + nonce, hex, under the secret)."""
    params = message["params"]
    text = f"{params['timestamp']}{params['nonce']}".encode()
    good = hmac.new(SECRET.encode(), text, hashlib.sha256).hexdigest()
    conn.state["authed"] = params["api_key"] == KEY and params["signature"] == good
    return {"jsonrpc": "2.0", "id": message["id"], "result": conn.state["authed"]}


def signed(request: web.Request) -> bool:
    """The request carries our key and a signature (its value is checked in topgun-bitflyer's
    own tests against the documented recipe)."""
    return request.headers.get("ACCESS-KEY") == KEY and "ACCESS-SIGN" in request.headers


SNAPSHOT = {
    "mid_price": 5000000,
    "bids": [{"price": 4999990, "size": 0.5}, {"price": 4999980, "size": 1}],
    "asks": [{"price": 5000010, "size": 0.3}, {"price": 5000020, "size": 1}],
}


def local_bitflyer(server: Any) -> HttpExchange:
    """api.bitflyer.com (``server.rest``) and ws.lightstream.bitflyer.com (``server.ws``) served
    by one local server."""
    return HttpExchange(BITFLYER, server.rest, routes=[web.get("/json-rpc", server.ws.serve)])


@contextlib.asynccontextmanager
async def running(
    name: str, exchange: LocalExchange, **arguments: Any
) -> AsyncIterator[asyncio.Task[None]]:
    """The recipe's ``main(**arguments)`` as a task while the test drives the exchange; it is
    cancelled (as Ctrl+C would) if still running at the end."""
    task = asyncio.ensure_future(load(name, exchange)["main"](**arguments))
    try:
        yield task
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def run_recipe(name: str, exchange: HttpExchange, **arguments: Any) -> None:
    """Run the recipe's ``main(**arguments)`` to its end, with its hostnames served here."""
    example = load(name, exchange)
    async with asyncio.timeout(30):  # a bound for a hang, not a timing
        await example["main"](**arguments)


# -- market making from a verified book -----------------------------------------------------------


class MarketMaker:
    """bitFlyer for the market-making recipe: the snapshot comes with the subscription; the first
    pair of orders is answered by a diff that narrows the spread, the second pair by dropping the
    WebSocket (the book goes out of sync until the resubscription's snapshot)."""

    def __init__(self) -> None:
        self.ws = WebSocketExchange([], self.respond)
        self.orders: list[dict[str, Any]] = []

    def respond(self, conn: Connection, message: Any) -> Iterable[Any]:
        if message.get("method") == "auth":  # the client has keys, so it logs in
            return [logged_in(conn, message)]
        channel = message["params"]["channel"]
        if channel != "lightning_board_snapshot_BTC_JPY":
            return []
        return [channel_message(channel, SNAPSHOT)]

    async def rest(
        self, request: web.Request, body: bytes, record: dict[str, Any]
    ) -> web.StreamResponse:
        assert request.path == "/v1/me/sendchildorder"
        assert signed(request)
        self.orders.append(json.loads(body))
        if len(self.orders) == 2:
            diff = {"mid_price": 5000000, "bids": [{"price": 4999995, "size": 0.1}], "asks": []}
            await self.ws.connections[-1].send(channel_message("lightning_board_BTC_JPY", diff))
        if len(self.orders) == 4:
            await self.ws.connections[-1].ws.close()
        acceptance = f"JRF20240607-012345-{len(self.orders):06d}"
        return web.json_response({"child_order_acceptance_id": acceptance})


@pytest.mark.usefixtures("bitflyer_keys")
async def test_market_making(capsys: pytest.CaptureFixture[str]) -> None:
    server = MarketMaker()
    async with local_bitflyer(server) as exchange:
        await run_recipe("market_making.py", exchange, rounds=3)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "best 4999990/5000010",  # the snapshot
        "best 4999995/5000010",  # after the diff
        "best 4999990/5000010",  # the book rebuilt from the snapshot after the reconnect
    ]
    prices = [(order["side"], order["price"]) for order in server.orders]
    assert sorted(prices[:2]) == [("BUY", 4999991), ("SELL", 5000009)]
    assert sorted(prices[2:4]) == [("BUY", 4999996), ("SELL", 5000009)]
    assert len(server.ws.connections) == 2  # it reconnected and resubscribed


# -- placing and tracking an order -----------------------------------------------------------------

OLD_ORDER = {
    "id": 1,
    "child_order_id": "JOR20240607-000000-000001",
    "product_code": "FX_BTC_JPY",
    "side": "SELL",
    "child_order_type": "LIMIT",
    "price": 5100000,
    "average_price": 0,
    "size": 0.02,
    "child_order_state": "ACTIVE",
    "expire_date": "2024-07-07T00:00:00",
    "child_order_date": "2024-06-07T00:00:00",
    "child_order_acceptance_id": "JRF20240607-000000-000001",
    "outstanding_size": 0.02,
    "cancel_size": 0,
    "executed_size": 0,
    "total_commission": 0,
}


def lot(size: float, price: float) -> dict[str, Any]:
    return {
        "product_code": "FX_BTC_JPY",
        "side": "BUY",
        "price": price,
        "size": size,
        "commission": 0,
        "swap_point_accumulate": 0,
        "require_collateral": price * size / 2,
        "open_date": "2024-06-07T00:00:00.000",
        "leverage": 2,
        "pnl": 0,
        "sfd": 0,
    }


def order_event(kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "product_code": "FX_BTC_JPY",
        "child_order_id": "JOR20240607-012345-000002",
        "child_order_acceptance_id": "JRF20240607-012345-000002",
        "event_date": "2024-06-07T01:23:45.6789012Z",
        "event_type": kind,
        **fields,
    }


class OrderDesk:
    """bitFlyer for the order-tracking recipe. One open order and one position lot at the start;
    the new order is accepted, its ORDER event and a partial EXECUTION are pushed on
    child_order_events before the HTTP reply (so a bot that subscribed late would miss them),
    then the WebSocket drops and the rest of the order fills while it is down: only the REST API
    can tell the bot, after the reconnect."""

    def __init__(self) -> None:
        self.ws = WebSocketExchange([], self.respond)
        self.orders = [OLD_ORDER]
        self.positions = [lot(0.01, 4990000)]
        self.sent: list[dict[str, Any]] = []

    def respond(self, conn: Connection, message: Any) -> Iterable[Any]:
        if message.get("method") == "auth":
            return [logged_in(conn, message)]
        assert message["params"]["channel"] == "child_order_events" and conn.state["authed"]
        conn.state["subscribed"] = True
        return []

    async def rest(
        self, request: web.Request, body: bytes, record: dict[str, Any]
    ) -> web.StreamResponse:
        if request.path == "/v1/getticker":
            return web.json_response({"product_code": "FX_BTC_JPY", "best_bid": 5000000})
        assert signed(request), request.path
        if request.path == "/v1/me/getchildorders":
            assert request.query["child_order_state"] == "ACTIVE"
            return web.json_response(self.orders)
        if request.path == "/v1/me/getpositions":
            return web.json_response(self.positions)
        assert request.path == "/v1/me/sendchildorder"
        self.sent.append(json.loads(body))
        (conn,) = self.ws.connections
        assert conn.state.get("subscribed"), "the order was sent before the stream was ready"
        order = {"child_order_type": "LIMIT", "side": "BUY", "price": 5000000, "size": 0.01}
        fill = {"exec_id": 7, "side": "BUY", "price": 5000000, "commission": 0, "sfd": 0}
        for event in [
            order_event("ORDER", **order, expire_date="2024-07-07T01:23:45"),
            order_event("EXECUTION", **fill, size=0.004, outstanding_size=0.006),
        ]:
            await conn.send(channel_message("child_order_events", [event]))
        reply = web.json_response({"child_order_acceptance_id": "JRF20240607-012345-000002"})
        await reply.prepare(request)
        await reply.write_eof()
        # Replied; now the order fills completely while the stream is down.
        self.positions = [lot(0.01, 4990000), lot(0.01, 5000000)]
        await conn.ws.close()
        return reply


@pytest.mark.usefixtures("bitflyer_keys")
async def test_order_tracking(capsys: pytest.CaptureFixture[str]) -> None:
    server = OrderDesk()
    async with local_bitflyer(server) as exchange:
        await run_recipe("order_tracking.py", exchange)
    out = capsys.readouterr().out.splitlines()
    order_id = "JRF20240607-012345-000002"
    assert out == [
        "open orders: 1, position lots: 1",
        f"sent {order_id}: BUY 0.01 at 5000000",
        f"{order_id} open: 0.01 BTC left",  # its ORDER event
        f"{order_id} open: 0.006 BTC left",  # the partial fill
        f"{order_id} is no longer open; events seen: ['ORDER', 'EXECUTION']",
        "position: BUY 0.01 at 4990000",
        "position: BUY 0.01 at 5000000",  # from the REST reload after the reconnect
    ]
    assert server.sent == [
        {
            "product_code": "FX_BTC_JPY",
            "child_order_type": "LIMIT",
            "side": "BUY",
            "price": 5000000,
            "size": 0.01,
        }
    ]
    assert len(server.ws.connections) == 2  # it reconnected and logged in again
    assert all(conn.state["authed"] for conn in server.ws.connections)
    reloads = [r["path"] for r in exchange.seen if r["path"].startswith("/v1/me/get")]
    assert sorted(reloads) == ["/v1/me/getchildorders"] * 2 + ["/v1/me/getpositions"] * 2


# -- several exchanges in one process --------------------------------------------------------------

GMO_KEY, GMO_SECRET = "GMOCOIN_API_KEY", "GMOCOIN_API_SECRET"


def hmac_hex(secret: str, text: bytes) -> str:
    return hmac.new(secret.encode(), text, hashlib.sha256).hexdigest()


class TwoExchanges:
    """bitFlyer and GMO Coin on one local server: each checks that a private request carries its
    own key and signature (and nothing of the other's), and pushes a ticker on subscription."""

    def __init__(self) -> None:
        self.bitflyer_ws = WebSocketExchange([], self.lightstream)
        self.gmocoin_ws = WebSocketExchange([], self.gmocoin)

    def lightstream(self, conn: Connection, message: Any) -> Iterable[Any]:
        if message.get("method") == "auth":
            return [logged_in(conn, message)]
        assert message["params"]["channel"] == "lightning_ticker_BTC_JPY"
        ticker = {"product_code": "BTC_JPY", "best_bid": 5000000, "best_ask": 5000010}
        return [channel_message("lightning_ticker_BTC_JPY", ticker)]

    def gmocoin(self, conn: Connection, message: Any) -> Iterable[Any]:
        assert message == {"command": "subscribe", "channel": "ticker", "symbol": "BTC"}
        ticker = {
            "channel": "ticker",
            "ask": "4999500",
            "bid": "4999000",
            "high": "5100000",
            "last": "4999200",
            "low": "4900000",
            "symbol": "BTC",
            "timestamp": "2024-06-07T01:23:45.678Z",
            "volume": "194785.8484",
        }
        return [ticker]

    async def rest(
        self, request: web.Request, body: bytes, record: dict[str, Any]
    ) -> web.StreamResponse:
        headers = request.headers
        if record["host"] == "api.bitflyer.com":
            assert request.path == "/v1/me/getbalance" and "API-KEY" not in headers
            text = f"{headers['ACCESS-TIMESTAMP']}GET{request.raw_path}".encode() + body
            assert headers["ACCESS-KEY"] == KEY
            assert headers["ACCESS-SIGN"] == hmac_hex(SECRET, text)
            record["verified"] = True
            return web.json_response(
                [
                    {"currency_code": "JPY", "amount": 1024078, "available": 508000},
                    {"currency_code": "BTC", "amount": 10.24, "available": 4.12},
                ]
            )
        assert record["host"] == "api.coin.z.com" and "ACCESS-KEY" not in headers
        assert request.path == "/private/v1/account/assets"
        path = request.raw_path.removeprefix("/private")
        text = f"{headers['API-TIMESTAMP']}GET{path}".encode() + body
        assert headers["API-KEY"] == GMO_KEY
        assert headers["API-SIGN"] == hmac_hex(GMO_SECRET, text)
        record["verified"] = True
        assets = [
            {
                "amount": "993982448",
                "available": "993982448",
                "conversionRate": "1",
                "symbol": "JPY",
            },
            {
                "amount": "4.0002",
                "available": "4.0002",
                "conversionRate": "859614",
                "symbol": "BTC",
            },
        ]
        return web.json_response(
            {"status": 0, "data": assets, "responsetime": "2024-06-07T01:23:45.678Z"}
        )


@pytest.mark.usefixtures("bitflyer_keys")
async def test_two_exchanges(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GMOCOIN_API_KEY", GMO_KEY)
    monkeypatch.setenv("GMOCOIN_API_SECRET", GMO_SECRET)
    server = TwoExchanges()
    routes = [
        web.get("/json-rpc", server.bitflyer_ws.serve),
        web.get("/ws/public/v1", server.gmocoin_ws.serve),
    ]
    hosts = [*BITFLYER, "api.coin.z.com"]
    async with HttpExchange(hosts, server.rest, routes=routes) as exchange:
        await run_recipe("two_exchanges.py", exchange, updates=2)
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [
        "bitFlyer JPY available: 508000",
        "GMO Coin JPY available: 993982448",
    ]
    # The first quote of either exchange gives nothing to compare; the second one does.
    assert out[2:] == ["buy on gmocoin at 4999500, sell on bitflyer at 5000000: 500 JPY/BTC"]
    assert [(r["host"], r["verified"]) for r in sorted(exchange.seen, key=lambda r: r["host"])] == [
        ("api.bitflyer.com", True),
        ("api.coin.z.com", True),
    ]
    (lightstream,) = server.bitflyer_ws.connections
    assert lightstream.state["authed"]  # the bitFlyer stream logged in with bitFlyer's key


# -- reconnects and stale books ---------------------------------------------------------------------


def bybit_book(kind: str, u: int, bid: str, ask: str) -> dict[str, Any]:
    data = {"s": "BTCUSDT", "b": [[bid, "1.5"]], "a": [[ask, "2.0"]], "u": u, "seq": 7000 + u}
    return {"topic": "orderbook.50.BTCUSDT", "type": kind, "ts": 1717723425678, "data": data}


def bybit_stream(conn: Connection, message: Any) -> Iterable[Any]:
    """Bybit's replies to ``subscribe``/``unsubscribe`` and to the client's ``ping``; the book
    messages themselves are sent by the test, one step at a time."""
    if message.get("op") == "ping":
        return [{"success": True, "ret_msg": "pong", "conn_id": "c1", "op": "ping"}]
    assert message["op"] in ("subscribe", "unsubscribe")
    assert message["args"] == ["orderbook.50.BTCUSDT"]
    conn.state.setdefault("ops", []).append(message["op"])
    return [{"success": True, "ret_msg": "", "conn_id": "c1", "req_id": "", "op": message["op"]}]


async def test_stale_books(capsys: pytest.CaptureFixture[str]) -> None:
    server = WebSocketExchange(["stream.bybit.com"], bybit_stream)
    out = Output(capsys)
    async with server, running("stale_books.py", server, quotes=4, quiet=0.3) as bot:
        await eventually(lambda: server.connections and server.connections[0].state)
        first = server.connections[0]
        await first.send(bybit_book("snapshot", 1, "65000.0", "65000.5"))
        await out.shows("BTCUSDT 65000.0 / 65000.5")
        # Nothing happens for a while: the bot pings and the link answers.
        await out.shows("no change for 0.3 s, but the connection answers")
        await first.send(bybit_book("delta", 2, "65000.2", "65000.5"))
        await out.shows("BTCUSDT 65000.2 / 65000.5")
        # Update 3 is lost: the book must not be served; topgun resubscribes.
        await first.send(bybit_book("delta", 4, "65000.3", "65000.5"))
        await out.shows("book out of sync (gap: expected 3 got 4): waiting")
        await eventually(lambda: first.state["ops"] == ["subscribe", "unsubscribe", "subscribe"])
        await first.send(bybit_book("snapshot", 10, "65001.0", "65001.5"))
        await out.shows("BTCUSDT 65001.0 / 65001.5")
        # The connection drops: the book is out of sync at once, and waits for the snapshot of
        # the new connection.
        await first.ws.close()
        await out.shows("book out of sync (reconnect): waiting")
        await out.shows("reconnected (1 so far)")
        await eventually(lambda: server.connections[1].state.get("ops") == ["subscribe"])
        await server.connections[1].send(bybit_book("snapshot", 20, "65002.0", "65002.5"))
        async with asyncio.timeout(20):
            await bot
    steps = [line for line in out.lines() if not line.startswith("no change")]
    assert steps == [
        "book out of sync (no snapshot yet): waiting",
        "book back in sync",
        "BTCUSDT 65000.0 / 65000.5",
        "BTCUSDT 65000.2 / 65000.5",
        "book out of sync (gap: expected 3 got 4): waiting",
        "book back in sync",
        "BTCUSDT 65001.0 / 65001.5",
        "book out of sync (reconnect): waiting",
        "reconnected (1 so far)",
        "book back in sync",
        "BTCUSDT 65002.0 / 65002.5",
        "gaps: 1, repaired: 2, reconnects: 1",
    ]


# -- graceful shutdown ------------------------------------------------------------------------------


HANG = 120
"""Seconds a recipe process may stay silent before its test calls it hung (a bound for a hang,
not a timing: a fresh interpreter importing topgun on a loaded machine can take many seconds)."""


class Process:
    """A recipe run as its own Python process (``python recipe.py``), its output read as it comes."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []

    @classmethod
    async def start(cls, recipe: str, env: dict[str, str], *args: str) -> Process:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(EXAMPLES / recipe),
            *args,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        return cls(proc)

    async def until(self, text: str, since: int = 0) -> str:
        """Read output lines until one from line ``since`` on contains ``text``; return it."""
        assert self.proc.stdout is not None
        async with asyncio.timeout(HANG):
            while True:
                for line in self.lines[since:]:
                    if text in line:
                        return line
                read = await self.proc.stdout.readline()
                assert read, f"the process ended before printing {text!r}: {self.lines}"
                self.lines.append(read.decode().rstrip("\n"))

    async def finish(self) -> int:
        assert self.proc.stdout is not None
        async with asyncio.timeout(HANG):
            rest = await self.proc.stdout.read()
            self.lines += rest.decode().splitlines()
            return await self.proc.wait()

    def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()


class Ticking:
    """bitFlyer for the shutdown recipe: a new ticker after each order, so the bot keeps
    placing orders until it is told to stop; ``cancelallchildorders`` is recorded."""

    def __init__(self) -> None:
        self.ws = WebSocketExchange([], self.respond)
        self.ltp = 5000000

    def ticker(self) -> dict[str, Any]:
        self.ltp += 100
        return {"product_code": "FX_BTC_JPY", "ltp": self.ltp, "tick_id": self.ltp}

    def respond(self, conn: Connection, message: Any) -> Iterable[Any]:
        if message.get("method") == "auth":
            return [logged_in(conn, message)]
        assert message["params"]["channel"] == "lightning_ticker_FX_BTC_JPY"
        return [channel_message("lightning_ticker_FX_BTC_JPY", self.ticker())]

    async def rest(
        self, request: web.Request, body: bytes, record: dict[str, Any]
    ) -> web.StreamResponse:
        assert signed(request)
        if request.path == "/v1/me/cancelallchildorders":
            assert json.loads(body) == {"product_code": "FX_BTC_JPY"}
            return web.Response()  # bitFlyer answers 200 with an empty body
        assert request.path == "/v1/me/sendchildorder"
        reply = web.json_response({"child_order_acceptance_id": "JRF20240607-012345-000001"})
        await reply.prepare(request)
        await reply.write_eof()
        # The market moves once the order is answered: the bot waits for that ticker.
        (conn,) = self.ws.connections
        if not conn.ws.closed:
            await conn.send(channel_message("lightning_ticker_FX_BTC_JPY", self.ticker()))
        return reply


@pytest.mark.timeout(600)  # a fresh interpreter per run: slow on a loaded machine
@pytest.mark.usefixtures("bitflyer_keys")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
async def test_graceful_shutdown(signum: signal.Signals, tmp_path: Path) -> None:
    server = Ticking()
    async with local_bitflyer(server) as exchange:
        bot = await Process.start("graceful_shutdown.py", local_env(exchange, tmp_path / "ca.pem"))
        try:
            await bot.until("running")
            await bot.until("placed BUY")
            await eventually(lambda: len(exchange.seen) >= 3)  # it is busy placing orders
            bot.proc.send_signal(signum)
            assert await bot.finish() == 0, bot.lines
            (conn,) = server.ws.connections
            await eventually(lambda: conn.ws.closed)
        finally:
            bot.kill()
    paths = [record["path"] for record in exchange.seen]
    # Orders until the signal, then one cancel-all, and nothing after it.
    assert paths[-1] == "/v1/me/cancelallchildorders"
    assert set(paths[:-1]) == {"/v1/me/sendchildorder"}
    after = bot.lines[bot.lines.index(f"{signum.name}: stopping") + 1 :]
    # An order already answered when the signal came may still be printed; nothing else.
    late = [line for line in after if line.startswith("placed BUY")]
    assert len(late) <= 1, bot.lines
    assert [line for line in after if line not in late] == [
        "open orders cancelled",
        "client closed: True, WebSocket: closed",
    ], bot.lines
    assert conn.ws.close_code == 1000, "\n".join(bot.lines[-8:])  # closed by the client, normally


# -- logging and metrics ----------------------------------------------------------------------------


def metric_lines(caplog: pytest.LogCaptureFixture) -> list[tuple[int, dict[str, Any]]]:
    return [
        (record.levelno, json.loads(record.getMessage()))
        for record in caplog.records
        if record.name == "bot.metrics"
    ]


async def test_metrics(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    touched = ["topgun.ws", "bot.metrics"]  # the recipe sets their levels: put them back after
    levels = {name: logging.getLogger(name).level for name in touched}
    server = WebSocketExchange(["stream.bybit.com"], bybit_stream)
    async with server, running("metrics.py", server, every=0.05):
        try:
            await eventually(lambda: server.connections and server.connections[0].state)
            first = server.connections[0]
            await first.send(bybit_book("snapshot", 1, "65000.0", "65000.5"))
            await first.send(bybit_book("delta", 2, "65000.2", "65000.5"))
            await first.send(bybit_book("delta", 4, "65000.3", "65000.5"))  # 3 is missing
            # While the book is being repaired, the report is a WARNING naming it.
            await eventually(
                lambda: (
                    (logging.WARNING, ["BTCUSDT"])
                    in [(level, m["out_of_sync"]) for level, m in metric_lines(caplog)]
                )
            )
            await first.send(bybit_book("snapshot", 10, "65001.0", "65001.5"))
            await first.send({"topic": "orderbook.50.BTCUSDT", "type": "delta", "data": {}})
            await first.ws.close()
            await eventually(lambda: len(server.connections) == 2 and server.connections[1].state)
            await server.connections[1].send(bybit_book("snapshot", 20, "65002.0", "65002.5"))
            await eventually(lambda: metric_lines(caplog)[-1][1]["reconnects"] == 1, within=20)
            await eventually(lambda: metric_lines(caplog)[-1][1]["levels"] == 2)
        finally:
            for name, level in levels.items():
                logging.getLogger(name).setLevel(level)
    level, last = metric_lines(caplog)[-1]
    assert level == logging.INFO
    assert last["state"] == "ready" and last["out_of_sync"] == []
    # 6 book messages (one malformed) and 4 replies to (un)subscribe, over two connections
    assert (last["connects"], last["reconnects"], last["messages"]) == (2, 1, 10)
    assert last["book"]["gaps"] == 1 and last["book"]["recovered"] == 2
    assert last["book"]["last_reason"] == "'BTCUSDT': reconnect"
    assert (last["skipped"], last["handler_errors"]) == (1, 0)  # the malformed delta
    # topgun's own INFO lines: the recipe turned them on for topgun.ws.
    reconnected = [
        r for r in caplog.records if r.name == "topgun.ws" and "reconnected" in r.message
    ]
    assert len(reconnected) == 1


# -- several bots in separate processes -------------------------------------------------------------


def lightstream_tickers(conn: Connection, message: Any) -> Iterable[Any]:
    """bitFlyer answering each ticker subscription with one ticker of that product."""
    channel = message["params"]["channel"]
    product = channel.removeprefix("lightning_ticker_")
    conn.state["product"] = product
    ltp = {"BTC_JPY": 5000000, "ETH_JPY": 400000}[product]
    return [channel_message(channel, {"product_code": product, "ltp": ltp, "tick_id": 1})]


@pytest.mark.timeout(600)  # three interpreters start in turn: slow on a loaded machine
async def test_bots_in_processes(tmp_path: Path) -> None:
    server = WebSocketExchange(["ws.lightstream.bitflyer.com"], lightstream_tickers)
    async with server:
        supervisor = await Process.start("bots_in_processes.py", local_env(server, tmp_path / "ca"))
        try:
            await supervisor.until("BTC_JPY (pid")
            await supervisor.until("ETH_JPY (pid")
            started = dict(re.findall(r"started (\w+): pid (\d+)", "\n".join(supervisor.lines)))
            assert set(started) == {"BTC_JPY", "ETH_JPY"}
            assert f"BTC_JPY (pid {started['BTC_JPY']}): ltp 5000000" in supervisor.lines
            assert f"ETH_JPY (pid {started['ETH_JPY']}): ltp 400000" in supervisor.lines
            # One bot dies: the supervisor starts it again; the other one is not touched.
            mark = len(supervisor.lines)
            os.kill(int(started["BTC_JPY"]), signal.SIGKILL)
            await supervisor.until("BTC_JPY exited with status -9; restarting", mark)
            restarted = (await supervisor.until("started BTC_JPY: pid", mark)).split()[-1]
            assert restarted != started["BTC_JPY"]
            await supervisor.until(f"BTC_JPY (pid {restarted}): ltp 5000000")
            supervisor.proc.send_signal(signal.SIGTERM)
            assert await supervisor.finish() == 0, supervisor.lines
        finally:
            supervisor.kill()
        await eventually(lambda: all(conn.ws.closed for conn in server.connections))
    lines = supervisor.lines
    for product, pid in (("BTC_JPY", restarted), ("ETH_JPY", started["ETH_JPY"])):
        assert f"{product} (pid {pid}): stopped" in lines  # it closed its client itself
        assert f"{product} stopped: exit status 0" in lines
    assert lines[-1] == "every bot stopped"
    # Three connections, each its own process's: the killed bot's, dropped (1006), then the
    # two that were asked to stop, closed with a close handshake (1000).
    assert sorted(conn.state["product"] for conn in server.connections) == [
        "BTC_JPY",
        "BTC_JPY",
        "ETH_JPY",
    ]
    codes = {conn.state["product"]: [] for conn in server.connections}
    for conn in server.connections:
        codes[conn.state["product"]].append(conn.ws.close_code)
    assert codes == {"BTC_JPY": [1006, 1000], "ETH_JPY": [1000]}


# -- testing your bot offline (docs/testing-offline.rst) --------------------------------------------


def test_the_offline_testing_example_suite_passes() -> None:
    """docs/examples/testing is a bot and its test suite, as a user would have them: run with
    pytest there, every test passes (warnings are errors, so an unclosed client would fail)."""
    suite = EXAMPLES / "testing"
    done = run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"], cwd=suite
    )
    count = (suite / "test_quoting_bot.py").read_text().count("\nasync def test_")
    assert count == 5 and f"{count} passed" in done.stdout, done.stdout
