"""The plugin's registration: the API names and hosts it registers, and how ``topgun exchanges``
lists them."""

from __future__ import annotations

from topgun.testing import Registry
from topgun_kucoin.auth import sign_request


def test_plugin_registers_every_host(registry: Registry) -> None:
    spec = registry.apis["kucoin"]
    assert spec.fields == ("API_KEY", "API_SECRET", "PASSPHRASE")
    assert spec.optional_fields == ("KEY_VERSION",)
    for name in ("api.kucoin.com", "api-futures.kucoin.com"):
        host = registry.hosts[name].host
        assert host.signer is sign_request and host.body == "json"
    for name in ("ws-api-spot.kucoin.com", "ws-api-futures.kucoin.com"):
        host = registry.hosts[name].host
        assert host.ws_authenticator is not None and callable(host.ws_heartbeat)
        assert host.ws_rate_limit is not None
