"""The plugin's registration: the API names and hosts it registers, and how ``topgun exchanges``
lists them."""

from __future__ import annotations

from topgun.testing import Registry
from topgun_bitmex.auth import sign_request


def test_plugin_registers_every_host(registry: Registry) -> None:
    assert set(registry.apis) == {"bitmex", "bitmex_testnet"}
    for name in ("www.bitmex.com", "testnet.bitmex.com"):
        host = registry.hosts[name].host
        assert host.signer is sign_request and host.body == "json"
        assert host.ws_authenticator is not None and host.ws_heartbeat is not None
    for name, api in (("ws.bitmex.com", "bitmex"), ("ws.testnet.bitmex.com", "bitmex_testnet")):
        host = registry.hosts[name].host
        assert host.api == api and host.ws_authenticator is not None and host.signer is None
