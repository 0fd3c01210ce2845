"""The plugin's registration: the API names and hosts it registers, and how ``topgun exchanges``
lists them."""

from __future__ import annotations

from topgun.testing import Registry, build_registry
from topgun_okx.auth import sign_request


def test_registration(registry: Registry, okx_rest_hosts: list[str]) -> None:
    assert {name: spec.fields for name, spec in registry.apis.items()} == {
        "okx": ("API_KEY", "API_SECRET", "PASSPHRASE"),
        "okx_demo": ("API_KEY", "API_SECRET", "PASSPHRASE"),
    }
    for name in okx_rest_hosts:
        rest = registry.hosts[name].host
        assert rest.signer is sign_request and rest.body == "json"
        assert rest.api_names == ("okx", "okx_demo")
    live = {"ws.okx.com", "wsaws.okx.com", "wseea.okx.com", "wsus.okx.com"}
    demo = {"wspap.okx.com", "wseeapap.okx.com", "wsuspap.okx.com"}
    assert set(registry.hosts) == set(okx_rest_hosts) | live | demo
    assert {registry.hosts[name].host.api for name in live} == {"okx"}
    assert {registry.hosts[name].host.api for name in demo} == {"okx_demo"}


def test_installed_entry_point_is_discovered_and_listed() -> None:
    """The distribution's entry point (group topgun) loads, and ``topgun exchanges`` lists it."""

    from topgun.testing import discover_plugins, exchanges_listing

    loaded, failed, _ = discover_plugins(disabled=frozenset())
    mine = [p for p in loaded if p.name == "okx"]
    assert [p.distribution for p in mine] == ["topgun-okx"]
    assert not [f for f in failed if f.name == "okx"]
    registry = build_registry(mine, strict=True)
    listing = exchanges_listing(registry)
    for api in registry.apis:
        assert api in listing
    for host in registry.hosts:
        assert host in listing
