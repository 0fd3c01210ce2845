"""topgun hook implementations for bitbank (registration only; nothing here runs per request)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from topgun.plugin import ApiSpec, Host, hookimpl

from .auth import sign_request
from .store import bitbankDataStore, bitbankPrivateDataStore
from .ws import socketio_heartbeat

API = "bitbank"

# The Private REST API (public REST is public.bitbank.cc, which needs nothing from topgun).
HTTP_HOST = "api.bitbank.cc"
# The public Socket.IO stream: no credentials, only the Engine.IO heartbeat.
WS_HOST = "stream.bitbank.cc"


@hookimpl
def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
    register(
        ApiSpec(
            API,
            fields=("API_KEY", "API_SECRET"),
            label="bitbank",
            hint="bitbank keys are made on the API page of your account; there is no passphrase.",
        )
    )


@hookimpl
def topgun_register_hosts(register: Callable[[Host], None]) -> None:
    register(Host(HTTP_HOST, api=API, signer=sign_request, body="json"))
    register(Host(WS_HOST, ws_heartbeat=socketio_heartbeat))


@hookimpl
def topgun_register_datastores(register: Callable[[str, type[Any]], None]) -> None:
    register("bitbankDataStore", bitbankDataStore)
    register("bitbankPrivateDataStore", bitbankPrivateDataStore)
