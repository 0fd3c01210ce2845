"""topgun hook implementations for Bybit V5 (registration only; nothing here runs per request).

Hosts, from the official docs:
- REST (https://bybit-exchange.github.io/docs/v5/guide, "Authentication"): mainnet
  api.bybit.com and api.bytick.com, plus the regional mainnet hosts listed there (api.bybit.nl,
  api.bybit-tr.com, api.bybit.kz, api.bybitgeorgia.ge, api.bybit.ae, api.bybit.eu, api.bybit.id),
  which take the same V5 signature; testnet api-testnet.bybit.com. Demo trading
  (https://bybit-exchange.github.io/docs/v5/demo, "Domain"): api-demo.bybit.com.
- WebSocket (https://bybit-exchange.github.io/docs/v5/ws/connect): stream.bybit.com and
  stream-testnet.bybit.com (public, private and trade streams) and the regional mainnet streams
  listed there (stream.bybit.tr, stream.bybit.id, stream.bybit.kz, stream.bybitgeorgia.ge);
  stream-demo.bybit.com serves private streams only, without the trade stream (demo docs), so it
  gets no trade-header signer. stream.bytick.com is not on the V5 page but speaks the same
  protocol; it is kept for users of the api.bytick.com domain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from topgun.plugin import ApiSpec, Host, hookimpl

from .auth import sign_request
from .limits import MAINNET_TIME, RATE_LIMITS, TESTNET_TIME
from .store import BybitDataStore
from .ws import HEARTBEAT, authenticate, sign_trade_message

API = "bybit"
DEMO_API = "bybit_demo"
TESTNET_API = "bybit_testnet"

HTTP_HOSTS: dict[str, tuple[str, ...]] = {
    API: (
        "api.bybit.com",
        "api.bytick.com",
        "api.bybit.nl",
        "api.bybit-tr.com",
        "api.bybit.kz",
        "api.bybitgeorgia.ge",
        "api.bybit.ae",
        "api.bybit.eu",
        "api.bybit.id",
    ),
    DEMO_API: ("api-demo.bybit.com",),
    TESTNET_API: ("api-testnet.bybit.com",),
}

WS_HOSTS: dict[str, tuple[str, ...]] = {
    API: (
        "stream.bybit.com",
        "stream.bytick.com",
        "stream.bybit.tr",
        "stream.bybit.id",
        "stream.bybit.kz",
        "stream.bybitgeorgia.ge",
    ),
    DEMO_API: ("stream-demo.bybit.com",),
    TESTNET_API: ("stream-testnet.bybit.com",),
}

_HINT = (
    "Create the key on the matching Bybit site: mainnet, demo trading or testnet. For a "
    "self-generated RSA key, give the PEM private key as API_SECRET."
)


@hookimpl
def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
    # Demo trading runs on the mainnet's clock; its own host serves only trading endpoints.
    register(ApiSpec(API, label="Bybit", hint=_HINT, server_time=MAINNET_TIME))
    register(ApiSpec(DEMO_API, label="Bybit demo trading", hint=_HINT, server_time=MAINNET_TIME))
    register(ApiSpec(TESTNET_API, label="Bybit testnet", hint=_HINT, server_time=TESTNET_TIME))


@hookimpl
def topgun_register_hosts(register: Callable[[Host], None]) -> None:
    for api, names in HTTP_HOSTS.items():
        for name in names:
            register(Host(name, api=api, signer=sign_request, body="json", rate_limits=RATE_LIMITS))
    for api, names in WS_HOSTS.items():
        trade = sign_trade_message if api != DEMO_API else None
        for name in names:
            register(
                Host(
                    name,
                    api=api,
                    ws_authenticator=authenticate,
                    ws_heartbeat=HEARTBEAT,
                    ws_message_signer=trade,
                )
            )


@hookimpl
def topgun_register_datastores(register: Callable[[str, type[Any]], None]) -> None:
    register("BybitDataStore", BybitDataStore)
