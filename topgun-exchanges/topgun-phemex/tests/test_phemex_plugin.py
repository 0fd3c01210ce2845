"""The plugin's registration: the API names and hosts it registers, and how ``topgun exchanges``
lists them."""

from __future__ import annotations

from topgun.testing import Registry
from topgun_phemex.auth import sign_request


def test_plugin_registers_every_host(registry: Registry) -> None:
    assert set(registry.apis) == {"phemex", "phemex_testnet"}
    signing = {"api.phemex.com", "vapi.phemex.com", "testnet-api.phemex.com"}
    websocket = {
        "ws.phemex.com",
        "vapi.phemex.com",
        "testnet-api.phemex.com",
        "phemex.com",
        "testnet.phemex.com",
    }
    for name in signing:
        host = registry.hosts[name].host
        assert host.signer is sign_request and host.body == "json"
    for name in websocket:
        host = registry.hosts[name].host
        assert host.ws_authenticator is not None
        assert host.ws_heartbeat is not None and host.ws_rate_limit is not None
    assert registry.hosts["testnet.phemex.com"].host.api == "phemex_testnet"
