"""topgun hook implementations for Coincheck (registration only; nothing here runs per request)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from topgun.plugin import ApiSpec, Host, hookimpl

from .auth import sign_request
from .store import CoincheckDataStore, CoincheckPrivateDataStore
from .ws import authenticate

API = "coincheck"
# https://coincheck.com/documents/exchange/api: "Request URL https://coincheck.com".
HTTP_HOST = "coincheck.com"
# "Private WebSocket API": wss://stream.coincheck.com, login before subscribing.
WS_HOST = "stream.coincheck.com"


@hookimpl
def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
    register(
        ApiSpec(
            API,
            fields=("ACCESS_KEY", "SECRET_ACCESS_KEY"),
            label="Coincheck",
            hint="Coincheck API keys are an access key and a secret access key.",
        )
    )


@hookimpl
def topgun_register_hosts(register: Callable[[Host], None]) -> None:
    # ACCESS-NONCE must grow per key, so core sends each key's requests in signing order.
    register(Host(HTTP_HOST, api=API, signer=sign_request, body="form", ordered_nonces=True))
    register(Host(WS_HOST, api=API, ws_authenticator=authenticate))


@hookimpl
def topgun_register_datastores(register: Callable[[str, type[Any]], None]) -> None:
    register("CoincheckDataStore", CoincheckDataStore)
    register("CoincheckPrivateDataStore", CoincheckPrivateDataStore)
