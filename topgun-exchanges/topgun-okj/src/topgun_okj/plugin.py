"""topgun hook implementations for OKJ (registration only; nothing here runs per request)."""

from __future__ import annotations

from collections.abc import Callable

from topgun.plugin import ApiSpec, Host, hookimpl

from .auth import sign_request
from .ws import HEARTBEAT, authenticate_v3, authenticate_v5, inflate

API = "okj"

# REST: V3 at www.okcoin.jp (OKJ's V3 SDK, consts.API_URL), V5 at api.okj.com (V5 SDK).
HTTP_HOSTS = ("www.okcoin.jp", "api.okj.com")
# WebSocket V3: deflated binary frames, one /ws/v3 path for public and private channels.
V3_WS_HOSTS = ("connect.okcoin.jp", "connect.okj.com")
# WebSocket V5: text frames; login on /ws/v5/private and /ws/v5/business only.
V5_WS_HOST = "ws.okj.com"


@hookimpl
def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
    register(
        ApiSpec(
            API,
            fields=("API_KEY", "API_SECRET", "PASSPHRASE"),
            label="OKJ (OKCoin Japan)",
            hint="OKJ signs with a passphrase too: use [API_KEY, API_SECRET, PASSPHRASE], the "
            "passphrase being the one you chose when you created the key.",
        )
    )


@hookimpl
def topgun_register_hosts(register: Callable[[Host], None]) -> None:
    for name in HTTP_HOSTS:
        register(Host(name, api=API, signer=sign_request, body="json"))
    for name in V3_WS_HOSTS:
        register(
            Host(
                name,
                api=API,
                ws_authenticator=authenticate_v3,
                ws_heartbeat=HEARTBEAT,
                ws_decoder=inflate,
            )
        )
    register(Host(V5_WS_HOST, api=API, ws_authenticator=authenticate_v5, ws_heartbeat=HEARTBEAT))
