"""The plugin's registration: the API names and hosts it registers, and how ``topgun exchanges``
lists them."""

from __future__ import annotations

from topgun.testing import Registry, build_registry, exchanges_listing
from topgun_bybit.auth import sign_request


def test_registration_and_topgun_exchanges_listing(registry: Registry) -> None:
    assert set(registry.apis) == {"bybit", "bybit_demo", "bybit_testnet"}
    for name, route in registry.hosts.items():
        if name.startswith("api"):
            assert route.host.signer is sign_request and route.host.body == "json"
        else:
            assert route.host.ws_authenticator is not None and route.host.ws_heartbeat is not None
    assert registry.hosts["stream-demo.bybit.com"].host.ws_message_signer is None
    assert registry.hosts["stream.bybit.com"].host.ws_message_signer is not None
    listing = exchanges_listing(registry)
    for name in (
        "bybit",
        "bybit_demo",
        "bybit_testnet",
        "api.bybit.com",
        "stream-testnet.bybit.com",
    ):
        assert name in listing


def test_installed_entry_point_is_discovered_and_listed() -> None:
    """The distribution's entry point (group topgun) loads, and ``topgun exchanges`` lists it."""

    from topgun.testing import discover_plugins, exchanges_listing

    loaded, failed, _ = discover_plugins(disabled=frozenset())
    mine = [p for p in loaded if p.name == "bybit"]
    assert [p.distribution for p in mine] == ["topgun-bybit"]
    assert not [f for f in failed if f.name == "bybit"]
    registry = build_registry(mine, strict=True)
    listing = exchanges_listing(registry)
    for api in registry.apis:
        assert api in listing
    for host in registry.hosts:
        assert host in listing
