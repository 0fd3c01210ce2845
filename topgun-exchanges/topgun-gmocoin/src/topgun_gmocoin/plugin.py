"""topgun hook implementations for GMO Coin (registration only; nothing here runs per request)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from topgun.plugin import ApiSpec, Host, hookimpl

from .auth import sign_request
from .store import GMOCoinDataStore
from .ws import SUBSCRIPTION_LIMIT

API = "gmocoin"
HOST = "api.coin.z.com"


@hookimpl
def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
    register(
        ApiSpec(
            API,
            fields=("API_KEY", "API_SECRET"),
            label="GMO Coin",
            hint="GMO Coin keys are made on the member site (会員ページ → API); there is no passphrase.",
        )
    )


@hookimpl
def topgun_register_hosts(register: Callable[[Host], None]) -> None:
    # One host for the REST API and both WebSockets: the signer signs /private/ paths only, and
    # every WebSocket on it (public and private) shares the subscription rate limit.
    register(
        Host(HOST, api=API, signer=sign_request, body="json", ws_rate_limit=SUBSCRIPTION_LIMIT)
    )


@hookimpl
def topgun_register_datastores(register: Callable[[str, type[Any]], None]) -> None:
    register("GMOCoinDataStore", GMOCoinDataStore)
