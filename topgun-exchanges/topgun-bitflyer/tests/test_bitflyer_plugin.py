"""The plugin's registration: the API names and hosts it registers, and how ``topgun exchanges``
lists them."""

from __future__ import annotations

from typing import Any

from topgun_bitflyer.auth import sign_request
from topgun_bitflyer.ws import authenticate


def test_plugin_registers_host_and_api(registry: Any) -> None:
    assert registry.apis["bitflyer"].fields == ("API_KEY", "API_SECRET")
    route = registry.hosts["api.bitflyer.com"]
    assert route.host.signer is sign_request
    assert route.host.body == "json"


def test_the_plugin_registers_the_realtime_host(registry: Any) -> None:
    route = registry.hosts["ws.lightstream.bitflyer.com"]
    assert route.host.api == "bitflyer"
    assert route.host.ws_authenticator is authenticate
    assert "ws-login" in route.host.features()
