"""OKX v5 WebSockets through ``Client.ws_connect`` against a local server reached under OKX's
WebSocket hostnames, which checks logins the way OKX documents them.

Docs: https://www.okx.com/docs-v5/en/#overview-websocket-login and
https://www.okx.com/docs-v5/en/#overview-websocket-connect; the hosts are those of each site's
"Production Trading Services" and "Demo Trading Services": global and AWS
(https://www.okx.com/docs-v5/en/#overview-production-trading-services), EEA
(https://my.okx.com/docs-v5/en/#overview-production-trading-services) and US
(https://app.okx.com/docs-v5/en/#overview-production-trading-services).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import time
from typing import Any

import pytest

import topgun
from topgun.testing import Registry, build_registry, heartbeats, stream_until
from topgun_okx import plugin

HOST_API = {
    "ws.okx.com": "okx",
    "wspap.okx.com": "okx_demo",
    "wsaws.okx.com": "okx",
    "wseea.okx.com": "okx",
    "wseeapap.okx.com": "okx_demo",
    "wsus.okx.com": "okx",
    "wsuspap.okx.com": "okx_demo",
}
HOSTS = list(HOST_API)
ACCOUNTS = {
    "okx": ("okx-live-key", "okx-live-secret-DO-NOT-LEAK", "okx-live-pass-DO-NOT-LEAK"),
    "okx_demo": ("okx-demo-key", "okx-demo-secret-DO-NOT-LEAK", "okx-demo-pass-DO-NOT-LEAK"),
}


def okx_for(host: str) -> Any:
    """OKX's side of the protocol on ``host``, as documented; the login is verified independently."""
    key, secret, passphrase = ACCOUNTS[HOST_API[host]]

    def respond(conn: Any, message: Any) -> list[Any]:
        if message == "ping":
            return ["pong"]
        if not isinstance(message, dict):
            return []
        if message.get("op") == "login":
            (args,) = message["args"]
            text = f"{args['timestamp']}GET/users/self/verify".encode()
            want = base64.b64encode(hmac.new(secret.encode(), text, hashlib.sha256).digest())
            ok = (
                args["apiKey"] == key
                and args["passphrase"] == passphrase
                and abs(int(args["timestamp"]) - time.time()) < 30
                and hmac.compare_digest(args["sign"], want.decode())
            )
            conn.state["authed"] = ok
            if ok:
                return [{"event": "login", "code": "0", "msg": "", "connId": "a1"}]
            return [{"event": "error", "code": "60009", "msg": "Login failed.", "connId": "a1"}]
        if message.get("op") == "subscribe":
            if conn.path != "/ws/v5/public" and not conn.state.get("authed"):
                return [{"event": "error", "code": "60011", "msg": "Please log in"}]
            return [{"event": "subscribe", "arg": message["args"][0], "connId": "a1"}]
        return []

    return respond


def _apis() -> dict[str, list[str]]:
    return {name: list(account) for name, account in ACCOUNTS.items()}


@pytest.mark.parametrize(
    ("host", "path"),
    [
        ("ws.okx.com", "/ws/v5/private"),
        ("ws.okx.com", "/ws/v5/business"),
        ("wspap.okx.com", "/ws/v5/private"),
        ("wsaws.okx.com", "/ws/v5/private"),
        ("wseea.okx.com", "/ws/v5/private"),
        ("wseeapap.okx.com", "/ws/v5/business"),
        ("wsus.okx.com", "/ws/v5/private"),
        ("wsuspap.okx.com", "/ws/v5/private"),
    ],
)
async def test_login_then_subscribe_with_the_hosts_credentials(
    ws_exchange: Any, registry: Registry, host: str, path: str
) -> None:
    server = await ws_exchange(HOSTS, okx_for(host))
    subscribe = {"op": "subscribe", "args": [{"channel": "orders", "instType": "ANY"}]}
    async with server.client(apis=_apis(), registry=registry) as client:
        _, got = await stream_until(client, f"wss://{host}:8443{path}", send_json=subscribe)
    conn = server.connections[0]
    assert conn.state["authed"] is True
    assert [m["op"] for m in conn.received] == ["login", "subscribe"]
    assert got[0]["event"] == "subscribe"  # the login event itself goes to no handler


@pytest.mark.parametrize("port", [8443, 443])
async def test_the_documented_port_and_443_both_log_in(
    ws_exchange: Any, registry: Registry, port: int
) -> None:
    """The docs give wss://ws.okx.com:8443; the same host answers on 443 (used by SDKs)."""
    server = await ws_exchange(HOSTS, okx_for("ws.okx.com"))
    async with server.client(apis=_apis(), registry=registry) as client:
        app = client.ws_connect(f"wss://ws.okx.com:{port}/ws/v5/private")
        async with asyncio.timeout(5):
            await app.ready()
    assert server.connections[0].state["authed"] is True


@pytest.mark.parametrize(
    "url", ["wss://ws.okx.com:9443/ws/v5/private", "ws://ws.okx.com:8443/ws/v5/private"]
)
async def test_credentials_never_go_to_another_port_or_in_cleartext(
    registry: Registry, url: str
) -> None:
    async with topgun.Client(apis=_apis(), registry=registry) as client:
        with pytest.raises(topgun.InsecureDestinationError, match="port 8443 or 443"):
            client.ws_connect(url)


async def test_public_path_gets_no_login(ws_exchange: Any, registry: Registry) -> None:
    server = await ws_exchange(HOSTS, okx_for("ws.okx.com"))
    async with server.client(apis=_apis(), registry=registry) as client:
        app = client.ws_connect(
            "wss://ws.okx.com:8443/ws/v5/public",
            send_json={"op": "subscribe", "args": [{"channel": "tickers", "instId": "BTC-USDT"}]},
        )
        async with asyncio.timeout(5):
            await app.ready()
    assert [m["op"] for m in server.connections[0].received] == ["subscribe"]


async def test_heartbeat_is_text_ping_answered_by_pong(
    ws_exchange: Any, fast_heartbeat: Any
) -> None:
    registry = build_registry([fast_heartbeat(plugin, 0.05)], strict=True)
    server = await ws_exchange(HOSTS, okx_for("ws.okx.com"))
    got: list[Any] = []
    async with server.client(apis=_apis(), registry=registry) as client:
        conn, pings = await heartbeats(
            client,
            server,
            "wss://ws.okx.com:8443/ws/v5/private",
            "ping",
            hdlr_str=lambda m, ws: got.append(m),
            hdlr_json=lambda m, ws: got.append(m),
        )
    assert conn.received[0]["op"] == "login"
    assert all(b - a >= 0.04 for a, b in itertools.pairwise(pings))
    assert not any(isinstance(m, dict) for m in got)  # "pong" is never parsed as JSON garbage
