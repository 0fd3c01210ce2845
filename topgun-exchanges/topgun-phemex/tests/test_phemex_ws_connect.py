"""Phemex WebSocket through ``client.ws_connect`` against a local gateway reached as the real hosts,
which verifies ``user.auth`` as https://phemex-docs.github.io/ ("User authentication") documents
it, answers ``server.ping`` ("Heartbeat"), and records arrival times to check the documented
"throttle limit to 20 request/s"."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from topgun import Backoff
from topgun.testing import Registry, build_registry, stream_until, with_heartbeat_interval
from topgun_phemex import plugin
from topgun_phemex.ws import HEARTBEAT_ID, LOGIN_ID

KEY = "phemex-test-key"
SECRET = "phemex-test-secret"
FAST = Backoff(min=0.01, max=0.02, factor=1.0, initial=0.01, healthy_after=60.0)
AOP = {"id": 1, "method": "aop.subscribe", "params": []}


def registry_with(heartbeat_interval: float | None = None) -> Registry:
    """The real plugin, optionally with a quicker (otherwise identical) heartbeat for the test."""
    if heartbeat_interval is None:
        return build_registry([plugin], strict=True)
    return build_registry([with_heartbeat_interval(plugin, heartbeat_interval)], strict=True)


def messages(gateway: Any, index: int = 0) -> list[Any]:
    return [message for _, message in gateway.server.connections[index]]


@pytest.mark.parametrize(
    ("url", "api"),
    [
        ("wss://ws.phemex.com", "phemex"),
        ("wss://vapi.phemex.com/ws", "phemex"),
        ("wss://testnet-api.phemex.com/ws", "phemex_testnet"),
        ("wss://phemex.com/ws", "phemex"),
    ],
)
async def test_login_then_private_subscription(gateway: Any, url: str, api: str) -> None:
    async with gateway.client(apis={api: [KEY, SECRET]}, registry=registry_with()) as client:
        _, got = await stream_until(
            client, url, lambda got: any(m.get("type") == "snapshot" for m in got), send_json=AOP
        )
    assert gateway.server.logins == [True]
    sent = messages(gateway)
    assert sent[0]["method"] == "user.auth" and sent[0]["id"] == LOGIN_ID
    assert sent[1] == AOP
    assert all(m.get("id") != LOGIN_ID for m in got)  # the login reply was the authenticator's


async def test_heartbeat_on_ws_phemex_com_with_its_own_id(eventually: Any, gateway: Any) -> None:
    got: list[Any] = []
    async with gateway.client(
        apis={"phemex": [KEY, SECRET]}, registry=registry_with(heartbeat_interval=0.05)
    ) as client:
        app = client.ws_connect(
            "wss://ws.phemex.com", hdlr_json=lambda message, ws: got.append(message)
        )
        async with asyncio.timeout(5):
            await app.ready()
        await eventually(
            lambda: sum(m.get("method") == "server.ping" for m in messages(gateway)) >= 2
        )
    pings = [m for m in messages(gateway) if m.get("method") == "server.ping"]
    assert pings[0] == {"id": HEARTBEAT_ID, "method": "server.ping", "params": []}
    assert messages(gateway)[0]["method"] == "user.auth"  # the heartbeat starts after the login
    pongs = [m for m in got if m.get("result") == "pong"]
    assert pongs and all(m["id"] == HEARTBEAT_ID != LOGIN_ID for m in pongs)


async def test_sends_are_spaced_to_twenty_per_second(eventually: Any, gateway: Any) -> None:
    async with gateway.client(apis={}, registry=registry_with()) as client:
        app = client.ws_connect("wss://ws.phemex.com")
        async with asyncio.timeout(5):
            await app.ready()
        ws = app.current_ws
        assert ws is not None
        for n in range(25):
            await ws.send_json({"id": n, "method": "trade.subscribe", "params": ["BTCUSD"]})
        await eventually(lambda: len(gateway.server.connections[0]) == 25)
    times = [t for t, _ in gateway.server.connections[0]]
    # Any 21 consecutive sends span at least a second (less a little for scheduling jitter).
    assert all(times[i + 20] - times[i] >= 0.95 for i in range(len(times) - 20))
