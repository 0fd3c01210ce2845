"""topgun hook implementations for Bitget v2 (registration only; nothing here runs per request).

Hosts: REST api.bitget.com (https://www.bitget.com/api-doc/common/intro); WebSocket ws.bitget.com
with ``/v2/ws/public`` and ``/v2/ws/private`` (https://www.bitget.com/api-doc/common/websocket-intro).
"""

from __future__ import annotations

from collections.abc import Callable

from topgun.plugin import ApiSpec, Host, hookimpl

from .auth import sign_request
from .ws import HEARTBEAT, RATE_LIMIT, authenticate

API = "bitget"


@hookimpl
def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
    register(
        ApiSpec(
            API,
            fields=("API_KEY", "API_SECRET", "PASSPHRASE"),
            label="Bitget",
            hint=(
                "Bitget keys need the passphrase chosen when the key was created, as the third "
                "element: [API_KEY, API_SECRET, PASSPHRASE]. For an RSA key, give the PEM private key "
                "as API_SECRET."
            ),
        )
    )


@hookimpl
def topgun_register_hosts(register: Callable[[Host], None]) -> None:
    register(Host("api.bitget.com", api=API, signer=sign_request, body="json"))
    register(
        Host(
            "ws.bitget.com",
            api=API,
            ws_authenticator=authenticate,
            ws_heartbeat=HEARTBEAT,
            ws_rate_limit=RATE_LIMIT,
        )
    )
