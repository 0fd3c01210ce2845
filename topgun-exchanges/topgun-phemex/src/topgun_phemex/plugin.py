"""topgun hook implementations for Phemex (registration only; nothing here runs per request).

Hosts (https://phemex-docs.github.io/#general-api-information): REST on api.phemex.com (default)
and vapi.phemex.com (high rate limit), testnet-api.phemex.com for the testnet; WebSocket on
wss://ws.phemex.com, wss://vapi.phemex.com/ws and wss://testnet-api.phemex.com/ws. The older
documentation (https://github.com/phemex/phemex-api-docs, Public-Contract-API-en.md) names
wss://phemex.com/ws and wss://testnet.phemex.com/ws, which are kept. Every WebSocket host gets the
login, the heartbeat and the send limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from topgun.plugin import ApiSpec, Host, hookimpl

from .auth import sign_request
from .limits import RATE_LIMITS, SERVER_TIME, TESTNET_TIME
from .store import PhemexDataStore
from .ws import HEARTBEAT, RATE_LIMIT, authenticate

API = "phemex"
TESTNET_API = "phemex_testnet"

HTTP_HOSTS = {"api.phemex.com": API}
HTTP_AND_WS_HOSTS = {"vapi.phemex.com": API, "testnet-api.phemex.com": TESTNET_API}
WS_HOSTS = {"ws.phemex.com": API, "phemex.com": API, "testnet.phemex.com": TESTNET_API}


@hookimpl
def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
    register(
        ApiSpec(API, fields=("API_KEY", "API_SECRET"), label="Phemex", server_time=SERVER_TIME)
    )
    register(
        ApiSpec(
            TESTNET_API,
            fields=("API_KEY", "API_SECRET"),
            label="Phemex testnet",
            server_time=TESTNET_TIME,
            hint="Testnet keys are created on testnet.phemex.com, separately from live keys.",
        )
    )


@hookimpl
def topgun_register_hosts(register: Callable[[Host], None]) -> None:
    for name, api in HTTP_HOSTS.items():
        register(Host(name, api=api, signer=sign_request, body="json", rate_limits=RATE_LIMITS))
    for name, api in HTTP_AND_WS_HOSTS.items():
        register(
            Host(
                name,
                api=api,
                signer=sign_request,
                body="json",
                rate_limits=RATE_LIMITS,
                ws_authenticator=authenticate,
                ws_heartbeat=HEARTBEAT,
                ws_rate_limit=RATE_LIMIT,
            )
        )
    for name, api in WS_HOSTS.items():
        register(
            Host(
                name,
                api=api,
                ws_authenticator=authenticate,
                ws_heartbeat=HEARTBEAT,
                ws_rate_limit=RATE_LIMIT,
            )
        )


@hookimpl
def topgun_register_datastores(register: Callable[[str, type[Any]], None]) -> None:
    register("PhemexDataStore", PhemexDataStore)
