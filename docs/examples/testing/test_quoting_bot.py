"""quoting_bot, tested offline against a local Bybit under its real hostnames.

The local Bybit plays both api.bybit.com (it checks each order's signature the way Bybit's docs
say, https://bybit-exchange.github.io/docs/v5/guide#create-a-request) and stream.bybit.com
(https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook); each test scripts what
the exchange sends, step by step, and injects the fault it is about.
"""

import asyncio
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from typing import Any

import pytest
from aiohttp import web
from quoting_bot import run

import topgun
from topgun.testing import Connection, HttpExchange, WebSocketExchange, eventually

KEY, SECRET = "test-key", "test-secret"
TOPIC = "orderbook.50.BTCUSDT"


def book(kind: str, u: int, bid: str) -> dict[str, Any]:
    """A Bybit order-book message: ``kind`` is "snapshot" or "delta", ``u`` its update ID."""
    ask = f"{float(bid) + 0.5:.1f}"
    data = {"s": "BTCUSDT", "b": [[bid, "1.5"]], "a": [[ask, "2.0"]], "u": u, "seq": u}
    return {"topic": TOPIC, "type": kind, "ts": 1717723425678, "data": data}


class LocalBybit:
    """What the tests need of Bybit: orders (signature checked, answered, refused or left
    unanswered), and an order-book stream the test feeds by hand."""

    def __init__(self) -> None:
        self.stream = WebSocketExchange([], self.respond)
        self.orders: list[dict[str, Any]] = []
        self.answering = asyncio.Event()  # clear it: orders are taken but never answered
        self.answering.set()
        self.refusal: str | None = None  # set it: orders are refused with this message

    def respond(self, conn: Connection, message: Any) -> Iterable[Any]:
        """Bybit's replies to what the client sends on the stream."""
        if message["op"] == "ping":  # the client's heartbeat
            return [{"success": True, "ret_msg": "pong", "op": "ping"}]
        conn.state.setdefault("ops", []).append(message["op"])
        return [{"success": True, "ret_msg": "", "op": message["op"], "conn_id": "1"}]

    async def rest(
        self, request: web.Request, body: bytes, record: dict[str, Any]
    ) -> web.StreamResponse:
        assert request.path == "/v5/order/create"
        headers = request.headers
        signed = headers["X-BAPI-TIMESTAMP"] + KEY + headers["X-BAPI-RECV-WINDOW"]
        expected = hmac.new(SECRET.encode(), signed.encode() + body, hashlib.sha256).hexdigest()
        record["verified"] = headers["X-BAPI-API-KEY"] == KEY and headers["X-BAPI-SIGN"] == expected
        self.orders.append(json.loads(body))
        await self.answering.wait()
        if self.refusal is not None:
            return web.json_response({"retCode": 110007, "retMsg": self.refusal, "result": {}})
        result = {"orderId": f"order-{len(self.orders)}", "orderLinkId": ""}
        return web.json_response({"retCode": 0, "retMsg": "OK", "result": result})

    async def subscribed(self, connection: int = 0) -> Connection:
        """The stream's ``connection``-th connection, once the client has subscribed on it."""
        connections = self.stream.connections
        await eventually(
            lambda: (
                len(connections) > connection
                and "subscribe" in connections[connection].state.get("ops", ())
            ),
            within=30,  # a reconnection waits for the client's backoff first
        )
        return connections[connection]


@pytest.fixture
async def bybit() -> AsyncIterator[tuple[LocalBybit, HttpExchange]]:
    local = LocalBybit()
    routes = [web.get("/v5/public/linear", local.stream.serve)]
    hosts = ["api.bybit.com", "stream.bybit.com"]
    async with HttpExchange(hosts, local.rest, routes=routes) as exchange:
        yield local, exchange
        local.answering.set()  # let a request left hanging finish before the server stops


@pytest.fixture
async def client(bybit: tuple[LocalBybit, HttpExchange]) -> AsyncIterator[topgun.Client]:
    """A Client with Bybit keys that reaches the local Bybit: what the bot is given."""
    async with bybit[1].client(apis={"bybit": [KEY, SECRET]}) as client:
        yield client


Start = Callable[[Coroutine[Any, Any, list[str]]], "asyncio.Task[list[str]]"]


@pytest.fixture
async def start() -> AsyncIterator[Start]:
    """Run the bot as a task; a task a failed test left running is cancelled."""
    tasks: list[asyncio.Task[list[str]]] = []

    def started(coro: Coroutine[Any, Any, list[str]]) -> asyncio.Task[list[str]]:
        tasks.append(asyncio.ensure_future(coro))
        return tasks[-1]

    yield started
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def finished(bot: "asyncio.Task[list[str]]") -> list[str]:
    async with asyncio.timeout(30):  # a bound for a bot that hangs: a failure, not a timing
        return await bot


async def test_quotes_one_tick_above_the_best_bid(
    bybit: tuple[LocalBybit, HttpExchange], client: topgun.Client, start: Start
) -> None:
    local, exchange = bybit
    bot = start(run(client, orders=2))
    stream = await local.subscribed()
    await stream.send(book("snapshot", 1, bid="65000.0"))
    await eventually(lambda: len(local.orders) == 1)
    await stream.send(book("delta", 2, bid="65000.5"))
    assert await finished(bot) == ["65000.1: order-1", "65000.6: order-2"]
    assert [order["price"] for order in local.orders] == ["65000.1", "65000.6"]
    assert all(request["verified"] for request in exchange.seen)  # signed with our key


async def test_no_order_from_a_book_with_a_gap(
    bybit: tuple[LocalBybit, HttpExchange], client: topgun.Client, start: Start
) -> None:
    local, _ = bybit
    bot = start(run(client, orders=2))
    stream = await local.subscribed()
    await stream.send(book("snapshot", 1, bid="65000.0"))
    await eventually(lambda: len(local.orders) == 1)
    # Update 2 is lost on the way: update 3 must not be trusted, whatever it says.
    await stream.send(book("delta", 3, bid="64000.0"))
    # topgun asks Bybit for the book again on the same connection...
    await eventually(lambda: stream.state["ops"] == ["subscribe", "unsubscribe", "subscribe"])
    assert len(local.orders) == 1  # ...and the bot has not quoted from the broken book
    await stream.send(book("snapshot", 10, bid="65001.0"))
    assert await finished(bot) == ["65000.1: order-1", "65001.1: order-2"]


async def test_waits_for_the_book_of_the_new_connection(
    bybit: tuple[LocalBybit, HttpExchange], client: topgun.Client, start: Start
) -> None:
    local, _ = bybit
    bot = start(run(client, orders=2))
    first = await local.subscribed()
    await first.send(book("snapshot", 1, bid="65000.0"))
    await eventually(lambda: len(local.orders) == 1)
    await first.ws.close()  # the exchange drops the connection
    second = await local.subscribed(connection=1)  # the client reconnects and resubscribes
    assert len(local.orders) == 1
    await second.send(book("snapshot", 1, bid="65002.0"))
    assert await finished(bot) == ["65000.1: order-1", "65002.1: order-2"]


async def test_a_slow_exchange_does_not_stall_the_bot(
    bybit: tuple[LocalBybit, HttpExchange], client: topgun.Client, start: Start
) -> None:
    local, _ = bybit
    local.answering.clear()  # orders reach the exchange, and no answer ever comes back
    bot = start(run(client, orders=1, order_timeout=0.2))
    stream = await local.subscribed()
    await stream.send(book("snapshot", 1, bid="65000.0"))
    assert await finished(bot) == ["65000.1: timed out"]
    assert len(local.orders) == 1  # it did reach the exchange: the order may well exist


async def test_a_refused_order_is_reported(
    bybit: tuple[LocalBybit, HttpExchange], client: topgun.Client, start: Start
) -> None:
    local, _ = bybit
    local.refusal = "ab not enough for new order"
    bot = start(run(client, orders=1))
    stream = await local.subscribed()
    await stream.send(book("snapshot", 1, bid="65000.0"))
    assert await finished(bot) == ["65000.1: refused: ab not enough for new order"]
