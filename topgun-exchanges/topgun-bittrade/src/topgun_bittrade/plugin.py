"""topgun hook implementations for BitTrade (registration only; nothing here runs per request)."""

from __future__ import annotations

from collections.abc import Callable

from topgun.plugin import ApiSpec, Host, hookimpl

from .auth import sign_request
from .limits import SERVER_TIME
from .ws import RATE_LIMIT, authenticate, gunzip, reply_to_ping

API = "bittrade"
# One host for REST (https://api-cloud.bittrade.co.jp) and every WebSocket path.
HOST = "api-cloud.bittrade.co.jp"


@hookimpl
def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
    register(
        ApiSpec(
            API,
            fields=("ACCESS_KEY", "SECRET_KEY"),
            label="BitTrade",
            hint="BitTrade API keys are an AccessKey and a SecretKey.",
            server_time=SERVER_TIME,
        )
    )


@hookimpl
def topgun_register_hosts(register: Callable[[Host], None]) -> None:
    register(
        Host(
            HOST,
            api=API,
            signer=sign_request,
            body="json",
            ws_authenticator=authenticate,
            ws_rate_limit=RATE_LIMIT,
            ws_decoder=gunzip,
            ws_responder=reply_to_ping,
        )
    )
