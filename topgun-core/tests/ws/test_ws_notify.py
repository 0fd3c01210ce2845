"""The reconnect notification contract agreed with the DataStore side.

An object fed from a connection subscribes itself (``follow_reconnects(ws, self)``, a
``ReconnectAware``); then ``owner.on_ws_reconnect(app)`` is called once per owner, synchronously,
after a *re*-connection's handshake and login and before the first frame of the new connection is
dispatched; never on the first connection; exceptions are logged, not raised. Nothing is guessed
from the handlers themselves: an object that does not subscribe is never called.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

import topgun
from topgun import Backoff
from topgun.store import DataStoreCollection
from topgun.ws.owner import follow_reconnects


class Store:
    """A stand-in for a DataStoreCollection: two handlers, one owner that follows its feed."""

    def __init__(self, events: list[Any], name: str = "store") -> None:
        self.events = events
        self.name = name
        self.apps: list[Any] = []

    def onmessage(self, msg: Any, ws: Any) -> None:
        follow_reconnects(ws, self)  # once per app, however often it is called
        self.events.append((self.name, "json", msg))

    def on_text(self, msg: str, ws: Any) -> None:
        follow_reconnects(ws, self)
        self.events.append((self.name, "str", msg))

    def on_ws_reconnect(self, app: Any) -> None:
        self.apps.append(app)
        self.events.append((self.name, "reconnect", app.stats.connects))


class NotAStore:
    """Has the hook but never subscribes: it is not called."""

    def on_ws_reconnect(self, app: Any) -> None:
        raise AssertionError("told of a reconnection it never asked for")

    def onmessage(self, msg: Any, ws: Any) -> None:
        pass


def closing_after(count: int) -> Any:
    """Each connection: login reply if asked, two frames, then close (except the last)."""

    async def behaviour(conn: Any) -> None:
        await conn.ws.send_json({"conn": conn.index, "first": True})  # before any login reply
        if conn.index < count - 1:
            await conn.ws.send_json({"conn": conn.index, "second": True})
            await conn.ws.close()
        else:
            await conn.drain()

    return behaviour


async def test_owners_are_told_once_per_reconnection_before_its_first_frame(
    serve: Any, kit: Any
) -> None:
    server = await serve(closing_after(3))
    events: list[Any] = []
    store = Store(events)
    listened: list[Any] = []
    async with topgun.Client() as client:
        app = client.ws_connect(
            server.url,
            hdlr_str=store.on_text,
            hdlr_json=[store.onmessage, lambda m, ws: events.append(("lambda", "json", m))],
            backoff=Backoff(0.01, 0.05, 2, 0.01),
        )
        remove = app.add_reconnect_listener(lambda a: listened.append(a.stats.reconnects))
        await server.wait_connections(3)
        await kit.eventually(lambda: ("store", "json", {"conn": 2, "first": True}) in events)
        remove()
        remove()  # harmless twice
    reconnects = [e for e in events if e[1] == "reconnect"]
    assert reconnects == [("store", "reconnect", 2), ("store", "reconnect", 3)]  # once per owner
    assert store.apps == [app, app]
    assert listened == [1, 2]
    for n in (1, 2):
        at = events.index(("store", "reconnect", n + 1))
        first_of_new = next(
            i for i, e in enumerate(events) if isinstance(e[2], dict) and e[2].get("conn") == n
        )
        last_of_old = max(
            i for i, e in enumerate(events) if isinstance(e[2], dict) and e[2].get("conn") == n - 1
        )
        assert last_of_old < at < first_of_new


async def test_notification_comes_after_the_login(serve: Any, kit: Any) -> None:
    order: list[str] = []

    async def behaviour(conn: Any) -> None:
        await conn.ws.send_json({"hello": conn.index})  # before the login reply: kept
        await conn.read()  # the login
        order.append(f"login {conn.index}")
        await conn.ws.send_json({"op": "login", "ok": True})
        if conn.index == 0:
            await conn.ws.close()
        else:
            await conn.drain()

    class LoginAware(Store):
        def on_ws_reconnect(self, app: Any) -> None:
            order.append(f"reconnect {app.stats.connects - 1}")

        def onmessage(self, msg: Any, ws: Any) -> None:
            follow_reconnects(ws, self)
            order.append(f"message {msg}")

    server = await serve(behaviour)
    store = LoginAware([])
    async with kit.toy_client(server, apis=kit.TOY_APIS) as client:
        client.ws_connect(
            kit.TOY_URL, hdlr_json=store.onmessage, backoff=Backoff(0.01, 0.05, 2, 0.01)
        )
        await kit.eventually(lambda: "message {'hello': 1}" in order)
    assert order == [
        "login 0",
        "message {'hello': 0}",
        "login 1",
        "reconnect 1",
        "message {'hello': 1}",
    ]


async def test_raising_owners_are_logged_and_the_others_still_told(
    serve: Any, kit: Any, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(Store):
        def on_ws_reconnect(self, app: Any) -> None:
            raise RuntimeError("resync failed")

    server = await serve(closing_after(2))
    events: list[Any] = []
    broken, fine, ignored = Broken(events, "broken"), Store(events, "fine"), NotAStore()
    async with topgun.Client() as client:
        app = client.ws_connect(
            server.url,
            hdlr_json=[broken.onmessage, fine.onmessage, ignored.onmessage, print],
            backoff=Backoff(0.01, 0.05, 2, 0.01),
        )
        app.add_reconnect_listener(lambda a: 1 / 0)
        await kit.eventually(lambda: ("fine", "json", {"conn": 1, "first": True}) in events)
        assert app.stats.reconnects == 1
        assert app.stats.connects == 2  # no extra reconnect because of the exceptions
    assert [e for e in events if e[1] == "reconnect"] == [("fine", "reconnect", 2)]
    logged = [r for r in caplog.records if r.exc_info]
    assert sum("reconnect listener" in r.getMessage() for r in logged) == 2


class Feed(DataStoreCollection):
    def _init(self) -> None:
        self.items = self._create("items", keys=["id"])

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        self.items._insert([msg])

    def _onreconnect(self, ws_app: Any) -> None:
        self.items._clear()  # this feed's snapshot comes again on every connection


async def test_a_collection_fed_through_any_handler_is_told(serve: Any, kit: Any) -> None:
    # Not a bound method of the collection: a lambda that forwards to it. The collection still
    # hears of the reconnection from the ws its messages come with, and starts afresh.
    server = await serve(closing_after(2))
    feed = Feed()
    async with topgun.Client() as client:
        app = client.ws_connect(
            server.url,
            hdlr_json=lambda msg, ws: feed.onmessage({"id": msg["conn"], **msg}, ws),
            backoff=Backoff(0.01, 0.05, 2, 0.01),
        )
        await kit.eventually(lambda: feed.items.find({"id": 1}) != [])
        assert app.stats.reconnects == 1
    assert feed.items.find() == [{"id": 1, "conn": 1, "first": True}]  # connection 0's are gone


def test_a_connection_no_app_opened_is_followed_harmlessly() -> None:
    # A handler fed by hand, or a ws from another library: nothing to subscribe to, no error.
    feed = Feed()
    feed.onmessage({"id": 1}, object())
    feed.onmessage({"id": 2}, SimpleNamespace(app=SimpleNamespace(url="wss://x.test/")))
    feed.onmessage({"id": 3})
    assert [item["id"] for item in feed.items.find()] == [1, 2, 3]
    assert feed.skipped == 0
