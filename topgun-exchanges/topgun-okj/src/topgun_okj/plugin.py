"""topgun hook implementations for OKJ (registration only; nothing here runs per request)."""

from __future__ import annotations

from collections.abc import Callable

from topgun.plugin import ApiSpec, Host, hookimpl

from .auth import sign_request
from .ws import HEARTBEAT, authenticate_v3, authenticate_v5, inflate

API = "okj"


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
    # REST: V3 at www.okcoin.jp (OKJ's V3 SDK, consts.API_URL), V5 at api.okj.com (V5 SDK).
    register(Host("www.okcoin.jp", api=API, signer=sign_request, body="json"))
    register(Host("api.okj.com", api=API, signer=sign_request, body="json"))
    # WebSocket V3: deflated binary frames, one /ws/v3 path for public and private channels.
    for name in ("connect.okcoin.jp", "connect.okj.com"):
        register(
            Host(
                name,
                api=API,
                ws_authenticator=authenticate_v3,
                ws_heartbeat=HEARTBEAT,
                ws_decoder=inflate,
            )
        )
    # WebSocket V5: text frames; login on /ws/v5/private and /ws/v5/business only.
    register(Host("ws.okj.com", api=API, ws_authenticator=authenticate_v5, ws_heartbeat=HEARTBEAT))
