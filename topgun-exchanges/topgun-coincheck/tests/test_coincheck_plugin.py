"""The plugin's registration: the API names and hosts it registers, and how ``topgun exchanges``
lists them."""

from __future__ import annotations

from typing import Any

from topgun.testing import exchanges_listing
from topgun_coincheck.auth import sign_request


def test_plugin_registers_hosts_and_api(registry: Any) -> None:
    assert registry.apis["coincheck"].fields == ("ACCESS_KEY", "SECRET_ACCESS_KEY")
    http = registry.hosts["coincheck.com"].host
    assert http.signer is sign_request and http.body == "form"
    stream = registry.hosts["stream.coincheck.com"].host
    assert stream.ws_authenticator is not None and stream.signer is None


def test_topgun_exchanges_lists_the_api_and_hosts(registry: Any) -> None:
    text = exchanges_listing(registry)
    assert "api        coincheck " in text
    for name in ["coincheck.com", "stream.coincheck.com"]:
        assert f"host       {name} " in text
