"""topgun hook implementations for OKX v5 (registration only; nothing here runs per request).

Hosts, from the "Production Trading Services" and "Demo Trading Services" sections of each OKX
site's API docs:

- Global, https://www.okx.com/docs-v5/en/#overview-production-trading-services : REST
  www.okx.com, and aws.okx.com for servers on AWS; WebSocket ws.okx.com:8443 and
  wsaws.okx.com:8443 (live), wspap.okx.com:8443 (demo).
- EEA (accounts registered on my.okx.com),
  https://my.okx.com/docs-v5/en/#overview-production-trading-services : REST eea.okx.com;
  WebSocket wseea.okx.com:8443 (live), wseeapap.okx.com:8443 (demo).
- US (accounts registered on app.okx.com),
  https://app.okx.com/docs-v5/en/#overview-production-trading-services : REST us.okx.com;
  WebSocket wsus.okx.com:8443 (live), wsuspap.okx.com:8443 (demo).

The regional sites' own domains (my.okx.com, app.okx.com) answer the same REST API and are
registered too. Every WebSocket host serves ``/ws/v5/public``, ``/ws/v5/private`` and
``/ws/v5/business``. The docs give port 8443; the global hosts also answer on 443, which SDKs
use, so credentials may go to either port (core refuses any other, and plain ws://).

API names: a key belongs to the site its account was registered on, and an account is on one
site, so the regions share ``okx`` (live) and ``okx_demo`` (demo trading) rather than adding a
name per region: the ``okx`` credential goes to whichever OKX host the bot calls. On REST hosts
the name is chosen per request by the ``x-simulated-trading: 1`` header (``okx_demo``) or its
absence (``okx``), as demo trading shares the live REST host; the demo WebSocket hosts take
``okx_demo``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from topgun.plugin import ApiSelector, ApiSpec, Host, hookimpl

from .auth import API, DEMO_API, choose_api, sign_request
from .limits import SERVER_TIME
from .store import OKXDataStore
from .ws import HEARTBEAT, authenticate

_FIELDS = ("API_KEY", "API_SECRET", "PASSPHRASE")
WS_PORTS = (8443, 443)
_HINT = (
    "OKX keys need the passphrase chosen when the key was created, as the third element: "
    "[API_KEY, API_SECRET, PASSPHRASE]."
)


@hookimpl
def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
    register(ApiSpec(API, fields=_FIELDS, label="OKX", hint=_HINT, server_time=SERVER_TIME))
    register(
        ApiSpec(
            DEMO_API,
            fields=_FIELDS,
            label="OKX demo trading",
            server_time=SERVER_TIME,
            hint=_HINT + " Send requests with the header x-simulated-trading: 1 to use it.",
        )
    )


REST_HOSTS = (
    "www.okx.com",
    "aws.okx.com",
    "eea.okx.com",
    "my.okx.com",
    "us.okx.com",
    "app.okx.com",
)
WS_HOSTS = {
    "ws.okx.com": API,
    "wsaws.okx.com": API,
    "wspap.okx.com": DEMO_API,
    "wseea.okx.com": API,
    "wseeapap.okx.com": DEMO_API,
    "wsus.okx.com": API,
    "wsuspap.okx.com": DEMO_API,
}


@hookimpl
def topgun_register_hosts(register: Callable[[Host], None]) -> None:
    for name in REST_HOSTS:
        register(
            Host(
                name, api=ApiSelector((API, DEMO_API), choose_api), signer=sign_request, body="json"
            )
        )
    for name, api in WS_HOSTS.items():
        register(
            Host(
                name,
                api=api,
                ws_authenticator=authenticate,
                ws_heartbeat=HEARTBEAT,
                ports=WS_PORTS,
            )
        )


@hookimpl
def topgun_register_datastores(register: Callable[[str, type[Any]], None]) -> None:
    register("OKXDataStore", OKXDataStore)
