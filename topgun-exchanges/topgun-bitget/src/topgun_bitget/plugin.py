"""topgun hook implementations for Bitget v2 (registration only; nothing here runs per request).

Hosts: REST api.bitget.com (https://www.bitget.com/api-doc/common/intro); WebSocket ws.bitget.com
with ``/v2/ws/public`` and ``/v2/ws/private`` (https://www.bitget.com/api-doc/common/websocket-intro).

Demo trading uses its own "Demo API Key" (created in demo mode), under the API name
``bitget_demo``: REST requests go to the same api.bitget.com with the header ``paptrading: 1``
(https://www.bitget.com/api-doc/common/demotrading/restapi), which picks the demo credentials;
WebSockets go to wspap.bitget.com, same paths
(https://www.bitget.com/api-doc/common/demotrading/websocket).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from topgun.plugin import ApiSelector, ApiSpec, Host, hookimpl

from .auth import API, DEMO_API, choose_api, sign_request
from .limits import SERVER_TIME
from .store import BitgetDataStore, BitgetV2DataStore
from .ws import HEARTBEAT, RATE_LIMIT, authenticate

HTTP_HOST = "api.bitget.com"
WS_HOSTS = {"ws.bitget.com": API, "wspap.bitget.com": DEMO_API}
_HINT = (
    "Bitget keys need the passphrase chosen when the key was created, as the third "
    "element: [API_KEY, API_SECRET, PASSPHRASE]. For an RSA key, give the PEM private key "
    "as API_SECRET."
)


@hookimpl
def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
    fields = ("API_KEY", "API_SECRET", "PASSPHRASE")
    register(ApiSpec(API, fields=fields, label="Bitget", hint=_HINT, server_time=SERVER_TIME))
    register(
        ApiSpec(
            DEMO_API,
            fields=fields,
            label="Bitget demo trading",
            server_time=SERVER_TIME,
            hint=_HINT
            + " Use a Demo API Key, and send REST requests with the header paptrading: 1.",
        )
    )


@hookimpl
def topgun_register_hosts(register: Callable[[Host], None]) -> None:
    register(
        Host(
            HTTP_HOST,
            api=ApiSelector((API, DEMO_API), choose_api),
            signer=sign_request,
            body="json",
        )
    )
    for name, api in WS_HOSTS.items():
        register(
            Host(
                name,
                api=api,
                ws_authenticator=authenticate,
                ws_heartbeat=HEARTBEAT,
                ws_rate_limit=RATE_LIMIT,
            )
        )


@hookimpl
def topgun_register_datastores(register: Callable[[str, type[Any]], None]) -> None:
    register("BitgetDataStore", BitgetDataStore)
    register("BitgetV2DataStore", BitgetV2DataStore)
