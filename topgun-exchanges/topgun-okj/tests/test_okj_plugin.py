"""The plugin's registration: the API names and hosts it registers, and how ``topgun exchanges``
lists them."""

from __future__ import annotations

from typing import Any

from topgun.testing import exchanges_listing
from topgun_okj.auth import sign_request


def test_plugin_registers_hosts_and_api(registry: Any) -> None:
    assert registry.apis["okj"].fields == ("API_KEY", "API_SECRET", "PASSPHRASE")
    for name in ("www.okcoin.jp", "api.okj.com"):
        host = registry.hosts[name].host
        assert host.signer is sign_request and host.body == "json"
    for name in ("connect.okcoin.jp", "connect.okj.com"):
        assert registry.hosts[name].host.features() == ("ws-login", "heartbeat", "ws-decode")
    assert registry.hosts["ws.okj.com"].host.features() == ("ws-login", "heartbeat")


def test_topgun_exchanges_lists_the_api_and_hosts(registry: Any) -> None:
    text = exchanges_listing(registry)
    assert "api        okj " in text
    for name in [
        "www.okcoin.jp",
        "api.okj.com",
        "connect.okcoin.jp",
        "connect.okj.com",
        "ws.okj.com",
    ]:
        assert f"host       {name} " in text
