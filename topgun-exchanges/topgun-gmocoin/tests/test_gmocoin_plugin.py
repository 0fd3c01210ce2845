"""The plugin's registration: the API names and hosts it registers, and how ``topgun exchanges``
lists them."""

from __future__ import annotations

from typing import Any

from topgun.testing import exchanges_listing
from topgun_gmocoin import plugin
from topgun_gmocoin.auth import sign_request


def test_plugin_registers_host_and_api(gmo_registry: Any) -> None:
    assert gmo_registry.apis["gmocoin"].fields == ("API_KEY", "API_SECRET")
    route = gmo_registry.hosts["api.coin.z.com"]
    assert route.host.signer is sign_request
    assert route.host.body == "json"
    assert route.host.ws_rate_limit == plugin.SUBSCRIPTION_LIMIT
    assert set(gmo_registry.hosts) == {"api.coin.z.com"}


def test_topgun_exchanges_lists_api_and_host(gmo_registry: Any) -> None:
    text = exchanges_listing(gmo_registry)
    assert "gmocoin" in text and "[API_KEY, API_SECRET]" in text
    assert "api.coin.z.com" in text and "ws-rate-limit" in text and "body=json" in text
