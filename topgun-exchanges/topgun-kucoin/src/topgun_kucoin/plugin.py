"""topgun hook implementations for KuCoin (registration only; nothing here runs per request).

Hosts (https://www.kucoin.com/docs/basic-info/base-url): api.kucoin.com (spot, margin and
the unified account) and api-futures.kucoin.com (futures) sign with one recipe. The broker host
(api-broker.kucoin.com) is left out: its requests also need the partner's own signature headers.
WebSocket: ws-api-spot.kucoin.com and ws-api-futures.kucoin.com, the endpoints the bullet
responses name; the token in the URL is the authentication, so the "login" is the welcome check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from topgun.plugin import ApiSpec, Host, hookimpl

from .auth import sign_request
from .limits import RATE_LIMITS, SERVER_TIME
from .ws import RATE_LIMIT, await_welcome, heartbeat_for

API = "kucoin"

REST_HOSTS = ("api.kucoin.com", "api-futures.kucoin.com")
WS_HOSTS = ("ws-api-spot.kucoin.com", "ws-api-futures.kucoin.com")


@hookimpl
def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
    register(
        ApiSpec(
            API,
            fields=("API_KEY", "API_SECRET", "PASSPHRASE"),
            optional_fields=("KEY_VERSION",),
            label="KuCoin",
            server_time=SERVER_TIME,
            hint=(
                "KuCoin API keys come with the passphrase chosen when the key was created: "
                'use ["KEY", "SECRET", "PASSPHRASE"], plus "3" as a 4th element for a '
                "version 3 key (the default is version 2)."
            ),
        )
    )


@hookimpl
def topgun_register_hosts(register: Callable[[Host], None]) -> None:
    rest = dict.fromkeys(REST_HOSTS, API)
    websockets = dict.fromkeys(WS_HOSTS, API)
    hosts = (
        *Host.each(rest, signer=sign_request, body="json", rate_limits=RATE_LIMITS),
        *Host.each(
            websockets,
            ws_authenticator=await_welcome,
            ws_heartbeat=heartbeat_for,
            ws_rate_limit=RATE_LIMIT,
        ),
    )
    for host in hosts:
        register(host)


@hookimpl
def topgun_register_datastores(register: Callable[[str, type[Any]], None]) -> None:
    from .store import KuCoinDataStore  # imported when DataStores are asked for, not per request

    register("KuCoinDataStore", KuCoinDataStore)
