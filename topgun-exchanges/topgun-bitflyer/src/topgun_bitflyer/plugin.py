"""topgun hook implementations for bitFlyer (registration only; nothing here runs per request)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from topgun.plugin import ApiSpec, Host, hookimpl

from .auth import sign_request
from .store import bitFlyerDataStore
from .ws import authenticate

API = "bitflyer"
HTTP_HOST = "api.bitflyer.com"
# Realtime API (wss://ws.lightstream.bitflyer.com/json-rpc): private channels need the login.
WS_HOST = "ws.lightstream.bitflyer.com"


@hookimpl
def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
    register(ApiSpec(API, fields=("API_KEY", "API_SECRET"), label="bitFlyer"))


@hookimpl
def topgun_register_hosts(register: Callable[[Host], None]) -> None:
    register(Host(HTTP_HOST, api=API, signer=sign_request, body="json"))
    register(Host(WS_HOST, api=API, ws_authenticator=authenticate))


@hookimpl
def topgun_register_datastores(register: Callable[[str, type[Any]], None]) -> None:
    register("bitFlyerDataStore", bitFlyerDataStore)
