"""The plugin's registration: the API names and hosts it registers, and how ``topgun exchanges``
lists them."""

from __future__ import annotations

from typing import Any

from topgun.testing import exchanges_listing
from topgun_bittrade.auth import sign_request


def test_plugin_registers_the_host(registry: Any) -> None:
    assert registry.apis["bittrade"].fields == ("ACCESS_KEY", "SECRET_KEY")
    host = registry.hosts["api-cloud.bittrade.co.jp"].host
    assert host.signer is sign_request and host.body == "json"
    assert host.features() == (
        "sign",
        "ws-login",
        "ws-rate-limit",
        "ws-decode",
        "ws-reply",
        "body=json",
    )


def test_topgun_exchanges_lists_the_api_and_hosts(registry: Any) -> None:
    text = exchanges_listing(registry)
    assert "api        bittrade " in text
    for name in ["api-cloud.bittrade.co.jp"]:
        assert f"host       {name} " in text
