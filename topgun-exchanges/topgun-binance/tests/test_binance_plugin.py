"""The plugin's registration: the API names and hosts it registers, and how ``topgun exchanges``
lists them."""

from __future__ import annotations

from topgun.testing import Registry, exchanges_listing
from topgun_binance import plugin


def test_every_api_name_and_host_is_listed(registry: Registry) -> None:
    text = exchanges_listing(registry)
    for name in ("binance", "binancespot_testnet", "binancefuture_testnet"):
        assert f"api        {name}" in text
    for host in (
        *plugin.HTTP_HOSTS,
        *plugin.WS_API_HOSTS,
        "testnet.binance.vision",
        "testnet.binancefuture.com",
    ):
        assert host in text
    assert registry.hosts["api.binance.com"].host.body == "form"
