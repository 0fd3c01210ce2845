"""topgun hook implementations for Binance (registration only; nothing here runs per request).

Hosts, from the official docs' "General API Information" / "General Info" sections:
spot https://developers.binance.com/docs/binance-spot-api-docs/rest-api/general-api-information
(api, api-gcp, api1-api4), USDⓈ-M futures (fapi), COIN-M futures (dapi), options (eapi) and
portfolio margin (papi), which all sign the same way; testnets testnet.binance.vision (spot) and
testnet.binancefuture.com (futures). WebSocket API hosts and stream hosts are in ``ws``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from topgun.plugin import ApiSpec, Host, hookimpl

from .auth import sign_request
from .limits import FUTURES_TESTNET_TIME, RATE_LIMITS, SPOT_TESTNET_TIME, SPOT_TIME
from .store import BinanceCOINMDataStore, BinanceSpotDataStore, BinanceUSDSMDataStore
from .ws import FUTURES_STREAM_LIMIT, SPOT_STREAM_LIMIT, authenticate, sign_message

API = "binance"
SPOT_TESTNET_API = "binancespot_testnet"
FUTURE_TESTNET_API = "binancefuture_testnet"

HTTP_HOSTS = (
    "api.binance.com",
    "api-gcp.binance.com",
    "api1.binance.com",
    "api2.binance.com",
    "api3.binance.com",
    "api4.binance.com",
    "fapi.binance.com",
    "dapi.binance.com",
    "eapi.binance.com",
    "papi.binance.com",
)
WS_API_HOSTS = ("ws-api.binance.com", "ws-fapi.binance.com", "ws-dapi.binance.com")
# The testnets serve REST and the WebSocket API (/ws-api/v3, /ws-fapi/v1) on one host each.
SPOT_TESTNET_HOST = "testnet.binance.vision"
FUTURE_TESTNET_HOST = "testnet.binancefuture.com"
SPOT_STREAM_HOSTS = ("stream.binance.com", "stream.testnet.binance.vision")
FUTURES_STREAM_HOSTS = (
    "fstream.binance.com",
    "dstream.binance.com",
    "stream.binancefuture.com",
    "fstream.binancefuture.com",
    "dstream.binancefuture.com",
)

_HINT = (
    "For an Ed25519 or RSA API key, API_SECRET is the PEM private key text "
    "(-----BEGIN PRIVATE KEY-----...), followed by its password if the PEM is encrypted."
)
_OPTIONAL = ("PRIVATE_KEY_PASSWORD",)


@hookimpl
def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
    register(
        ApiSpec(API, optional_fields=_OPTIONAL, label="Binance", hint=_HINT, server_time=SPOT_TIME)
    )
    register(
        ApiSpec(
            SPOT_TESTNET_API,
            optional_fields=_OPTIONAL,
            label="Binance spot testnet",
            hint=_HINT,
            server_time=SPOT_TESTNET_TIME,
        )
    )
    register(
        ApiSpec(
            FUTURE_TESTNET_API,
            optional_fields=_OPTIONAL,
            label="Binance futures testnet",
            hint=_HINT,
            server_time=FUTURES_TESTNET_TIME,
        )
    )


@hookimpl
def topgun_register_hosts(register: Callable[[Host], None]) -> None:
    for name in HTTP_HOSTS:
        register(Host(name, api=API, signer=sign_request, body="form", rate_limits=RATE_LIMITS))
    for name in WS_API_HOSTS:
        # Spot: "wss://ws-api.binance.com:443/ws-api/v3 ... alternative port 9443 is also
        # available"; the futures WebSocket APIs document 443 only.
        ports = (443, 9443) if name == "ws-api.binance.com" else (443,)
        register(
            Host(
                name,
                api=API,
                ws_message_signer=sign_message,
                ws_authenticator=authenticate,
                ports=ports,
            )
        )
    for name, api in (
        (SPOT_TESTNET_HOST, SPOT_TESTNET_API),
        (FUTURE_TESTNET_HOST, FUTURE_TESTNET_API),
    ):
        register(
            Host(
                name,
                rate_limits=RATE_LIMITS,
                api=api,
                signer=sign_request,
                body="form",
                ws_message_signer=sign_message,
                ws_authenticator=authenticate,
            )
        )
    for name in SPOT_STREAM_HOSTS:
        register(Host(name, ws_rate_limit=SPOT_STREAM_LIMIT))
    for name in FUTURES_STREAM_HOSTS:
        register(Host(name, ws_rate_limit=FUTURES_STREAM_LIMIT))


@hookimpl
def topgun_register_datastores(register: Callable[[str, type[Any]], None]) -> None:
    register("BinanceSpotDataStore", BinanceSpotDataStore)
    register("BinanceUSDSMDataStore", BinanceUSDSMDataStore)
    register("BinanceCOINMDataStore", BinanceCOINMDataStore)
