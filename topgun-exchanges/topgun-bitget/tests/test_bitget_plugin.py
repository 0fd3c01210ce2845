"""The plugin's registration: the API names and hosts it registers, and how ``topgun exchanges``
lists them."""

from __future__ import annotations

from topgun.testing import Registry, build_registry
from topgun_bitget.auth import sign_request


def test_registration(registry: Registry) -> None:
    assert registry.apis["bitget"].fields == ("API_KEY", "API_SECRET", "PASSPHRASE")
    rest = registry.hosts["api.bitget.com"].host
    assert rest.signer is sign_request and rest.body == "json"
    ws = registry.hosts["ws.bitget.com"].host
    assert ws.api == "bitget" and ws.ws_authenticator is not None
    assert ws.ws_rate_limit is not None and ws.ws_heartbeat is not None


def test_installed_entry_point_is_discovered_and_listed() -> None:
    """The distribution's entry point (group topgun) loads, and ``topgun exchanges`` lists it."""

    from topgun.testing import discover_plugins, exchanges_listing

    loaded, failed, _ = discover_plugins(disabled=frozenset())
    mine = [p for p in loaded if p.name == "bitget"]
    assert [p.distribution for p in mine] == ["topgun-bitget"]
    assert not [f for f in failed if f.name == "bitget"]
    registry = build_registry(mine, strict=True)
    listing = exchanges_listing(registry)
    for api in registry.apis:
        assert api in listing
    for host in registry.hosts:
        assert host in listing
