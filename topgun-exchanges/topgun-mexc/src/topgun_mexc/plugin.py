"""topgun hook implementations for MEXC (registration only; nothing here runs per request).

Hosts: api.mexc.com (spot v3, "General Info > Base endpoint"; MEXC's futures SDK also reaches the
``/api/v1/`` futures endpoints there, signed with the futures scheme), contract.mexc.com (futures
REST and the futures WebSocket, "Integration guide > Access to url" and "Native WS connection
address"), wbs-api.mexc.com and wbs.mexc.com (spot WebSocket streams).
"""

from __future__ import annotations

from collections.abc import Callable

from topgun.plugin import ApiSpec, Host, hookimpl

from .auth import sign_futures_request, sign_request
from .limits import SERVER_TIME
from .ws import FUTURES_HEARTBEAT, SPOT_HEARTBEAT, SPOT_LIMIT, futures_login

API = "mexc"
SPOT_HOST = "api.mexc.com"
FUTURES_HOST = "contract.mexc.com"
SPOT_WS_HOSTS = ("wbs-api.mexc.com", "wbs.mexc.com")


@hookimpl
def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
    register(
        ApiSpec(API, fields=("ACCESS_KEY", "SECRET_KEY"), label="MEXC", server_time=SERVER_TIME)
    )


@hookimpl
def topgun_register_hosts(register: Callable[[Host], None]) -> None:
    register(Host(SPOT_HOST, api=API, signer=sign_request, body="json"))
    register(
        Host(
            FUTURES_HOST,
            api=API,
            signer=sign_futures_request,
            body="json",
            ws_authenticator=futures_login,
            ws_heartbeat=FUTURES_HEARTBEAT,
        )
    )
    for name in SPOT_WS_HOSTS:
        register(Host(name, ws_heartbeat=SPOT_HEARTBEAT, ws_rate_limit=SPOT_LIMIT))
