"""topgun hook implementations for OKX v5 (registration only; nothing here runs per request).

Hosts, from https://www.okx.com/docs-v5/en/ ("Production Trading Services" and "Demo Trading
Services"):
- REST www.okx.com, for both live and demo trading; the API name is chosen per request by the
  ``x-simulated-trading: 1`` header (``okx_demo``) or its absence (``okx``).
- WebSocket ws.okx.com:8443 (live, ``okx``) and wspap.okx.com:8443 (demo, ``okx_demo``), each with
  ``/ws/v5/public``, ``/ws/v5/private`` and ``/ws/v5/business``. The docs give port 8443; the
  same hosts also answer on 443, which SDKs use too, so credentials may go to either.
Regional sites (my.okx.com, app.okx.com) document hosts of their own; they are not registered.
"""

from __future__ import annotations

from collections.abc import Callable

from topgun.plugin import ApiSelector, ApiSpec, Host, hookimpl

from .auth import DEMO, LIVE, choose_api, sign_request
from .ws import HEARTBEAT, authenticate

_FIELDS = ("API_KEY", "API_SECRET", "PASSPHRASE")
WS_PORTS = (8443, 443)
_HINT = (
    "OKX keys need the passphrase chosen when the key was created, as the third element: "
    "[API_KEY, API_SECRET, PASSPHRASE]."
)


@hookimpl
def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
    register(ApiSpec(LIVE, fields=_FIELDS, label="OKX", hint=_HINT))
    register(
        ApiSpec(
            DEMO,
            fields=_FIELDS,
            label="OKX demo trading",
            hint=_HINT + " Send requests with the header x-simulated-trading: 1 to use it.",
        )
    )


@hookimpl
def topgun_register_hosts(register: Callable[[Host], None]) -> None:
    register(
        Host(
            "www.okx.com",
            api=ApiSelector((LIVE, DEMO), choose_api),
            signer=sign_request,
            body="json",
        )
    )
    for name, api in (("ws.okx.com", LIVE), ("wspap.okx.com", DEMO)):
        register(
            Host(
                name,
                api=api,
                ws_authenticator=authenticate,
                ws_heartbeat=HEARTBEAT,
                ports=WS_PORTS,
            )
        )
