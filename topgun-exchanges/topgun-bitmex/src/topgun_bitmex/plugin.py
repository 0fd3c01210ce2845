"""topgun hook implementations for BitMEX (registration only; nothing here runs per request).

Hosts (https://www.bitmex.com/app/restAPI, https://www.bitmex.com/app/wsAPI "Connecting", and the
testnet's copies of those pages): REST on www.bitmex.com and testnet.bitmex.com; the Realtime API
on ws.bitmex.com and ws.testnet.bitmex.com (the documented endpoints) and on www.bitmex.com and
testnet.bitmex.com (``/realtime`` is served there too).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from topgun.plugin import ApiSpec, Host, hookimpl

from .auth import sign_request
from .limits import RATE_LIMITS
from .store import BitMEXDataStore
from .ws import HEARTBEAT, authenticate

API = "bitmex"
TESTNET_API = "bitmex_testnet"

HTTP_HOSTS = {"www.bitmex.com": API, "testnet.bitmex.com": TESTNET_API}
WS_HOSTS = {"ws.bitmex.com": API, "ws.testnet.bitmex.com": TESTNET_API}


@hookimpl
def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
    register(ApiSpec(API, fields=("API_KEY", "API_SECRET"), label="BitMEX"))
    register(
        ApiSpec(
            TESTNET_API,
            fields=("API_KEY", "API_SECRET"),
            label="BitMEX testnet",
            hint="Testnet keys are created on testnet.bitmex.com, separately from live keys.",
        )
    )


@hookimpl
def topgun_register_hosts(register: Callable[[Host], None]) -> None:
    for name, api in HTTP_HOSTS.items():
        register(
            Host(
                name,
                api=api,
                signer=sign_request,
                body="json",
                rate_limits=RATE_LIMITS,
                ws_authenticator=authenticate,
                ws_heartbeat=HEARTBEAT,
            )
        )
    for name, api in WS_HOSTS.items():
        register(Host(name, api=api, ws_authenticator=authenticate, ws_heartbeat=HEARTBEAT))


@hookimpl
def topgun_register_datastores(register: Callable[[str, type[Any]], None]) -> None:
    register("BitMEXDataStore", BitMEXDataStore)
