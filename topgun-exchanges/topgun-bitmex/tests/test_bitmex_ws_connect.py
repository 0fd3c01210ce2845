"""BitMEX Realtime API through ``client.ws_connect`` against a local server reached as the real
hosts (ws.bitmex.com, www.bitmex.com, testnets), which verifies ``authKeyExpires`` as
https://www.bitmex.com/app/wsAPI documents it and answers the text ``ping``."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

import topgun
from topgun import AuthenticationError, Backoff
from topgun.registry import Registry, build_registry
from topgun.testing import with_heartbeat_interval
from topgun_bitmex import plugin

KEY = "bitmex-test-key"
SECRET = "bitmex-test-secret"
FAST = Backoff(min=0.01, max=0.02, factor=1.0, initial=0.01, healthy_after=60.0)


def registry_with(heartbeat_interval: float | None = None) -> Registry:
    """The real plugin, optionally with a quicker (otherwise identical) heartbeat for the test."""
    if heartbeat_interval is None:
        return build_registry([plugin], strict=True)
    return build_registry([with_heartbeat_interval(plugin, heartbeat_interval)], strict=True)


@pytest.mark.parametrize(
    ("host", "api"),
    [
        ("ws.bitmex.com", "bitmex"),
        ("www.bitmex.com", "bitmex"),
        ("ws.testnet.bitmex.com", "bitmex_testnet"),
    ],
)
async def test_login_then_private_subscription(
    eventually: Any, realtime: Any, host: str, api: str
) -> None:
    got: list[Any] = []
    async with topgun.Client(
        apis={api: [KEY, SECRET]}, registry=registry_with(), **realtime.client_kwargs()
    ) as client:
        app = client.ws_connect(
            f"wss://{host}/realtime",
            send_json={"op": "subscribe", "args": ["order"]},
            hdlr_json=lambda message, ws: got.append(message),
        )
        async with asyncio.timeout(5):
            await app.ready()
        await eventually(lambda: any(m.get("table") == "order" for m in got))
    [received] = realtime.server.connections
    assert realtime.server.logins == [True]
    assert received[0]["op"] == "authKeyExpires" and received[1]["op"] == "subscribe"
    assert got[0]["info"].startswith("Welcome")  # the welcome reached the handlers
    assert not any("request" in m and m["request"].get("op") == "authKeyExpires" for m in got)


async def test_rejected_login_never_subscribes_and_backs_off(
    eventually: Any, realtime: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with topgun.Client(
        apis={"bitmex": [KEY, "wrong-secret-value"]},
        registry=registry_with(),
        **realtime.client_kwargs(),
    ) as client:
        app = client.ws_connect(
            "wss://ws.bitmex.com/realtime",
            send_json={"op": "subscribe", "args": ["order"]},
            backoff=FAST,
        )
        with pytest.raises(AuthenticationError, match="Signature not valid"):
            async with asyncio.timeout(5):
                await app.ready()
        await eventually(lambda: len(realtime.server.connections) >= 2)  # it retries
        failures = app.stats.auth_failures
    assert failures >= 1 and not any(realtime.server.logins)
    for received in realtime.server.connections:
        assert all(m == "ping" or m.get("op") != "subscribe" for m in received)
    assert "Signature not valid" in caplog.text
    assert "wrong-secret-value" not in caplog.text


async def test_auth_none_connects_without_login(eventually: Any, realtime: Any) -> None:
    async with topgun.Client(
        apis={"bitmex": [KEY, SECRET]}, registry=registry_with(), **realtime.client_kwargs()
    ) as client:
        app = client.ws_connect(
            "wss://ws.bitmex.com/realtime",
            send_json={"op": "subscribe", "args": ["trade"]},
            auth=None,
        )
        async with asyncio.timeout(5):
            await app.ready()
        await eventually(
            lambda: bool(realtime.server.connections and realtime.server.connections[0])
        )
    assert realtime.server.logins == []
    assert realtime.server.connections[0][0]["op"] == "subscribe"


async def test_text_ping_heartbeat(eventually: Any, realtime: Any) -> None:
    got: list[Any] = []
    async with topgun.Client(
        apis={}, registry=registry_with(heartbeat_interval=0.05), **realtime.client_kwargs()
    ) as client:
        app = client.ws_connect(
            "wss://ws.bitmex.com/realtime", hdlr_json=lambda message, ws: got.append(message)
        )
        await eventually(
            lambda: (
                bool(realtime.server.connections)
                and realtime.server.connections[0].count("ping") >= 3
            )
        )
        await eventually(lambda: app.stats.messages_received >= 4)  # the welcome and 3 pongs
        non_json = app.stats.non_json
    assert non_json == 0  # "pong" is known as the heartbeat's reply, not reported as garbage
    assert [m.get("info", "")[:7] for m in got] == ["Welcome"]
