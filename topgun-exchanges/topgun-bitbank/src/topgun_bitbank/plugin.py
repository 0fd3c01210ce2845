"""topgun hook implementations for bitbank (registration only; nothing here runs per request)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from topgun.plugin import ApiSpec, Host, hookimpl

from .auth import sign_request
from .store import bitbankDataStore, bitbankPrivateDataStore
from .ws import STREAM_HOST, socketio_heartbeat

API = "bitbank"


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
    # The Private REST API (public REST is public.bitbank.cc, which needs nothing from topgun).
    register(Host("api.bitbank.cc", api=API, signer=sign_request, body="json"))
    # The public Socket.IO stream: no credentials, only the Engine.IO heartbeat.
    register(Host(STREAM_HOST, ws_heartbeat=socketio_heartbeat))


@hookimpl
def topgun_register_datastores(register: Callable[[str, type[Any]], None]) -> None:
    register("bitbankDataStore", bitbankDataStore)
    register("bitbankPrivateDataStore", bitbankPrivateDataStore)
