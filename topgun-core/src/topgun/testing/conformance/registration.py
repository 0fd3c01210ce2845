"""Checks of what a plugin registers: installed, exact hosts it alone owns, its API names."""

from __future__ import annotations

import io
import ipaddress
from collections.abc import Iterator

from yarl import URL

from ...cli import print_exchanges
from ...registry import Registry, Route, build_registry, get_registry
from ...registry.hostname import canonical_host, lookup
from .description import Exchange

__all__ = ["check_apis", "check_hosts", "check_installed", "own_registry", "routes", "slug"]


def own_registry(exchange: Exchange) -> Registry:
    """The registry of this plugin alone, built strictly (a load failure is an error)."""
    return build_registry([exchange.plugin], strict=True)


def slug(exchange: Exchange) -> str:
    """The plugin's entry-point name, as core names a bare module (``topgun_<slug>.plugin``)."""
    return exchange.plugin.__name__.split(".")[0].removeprefix("topgun_")


def routes(registry: Registry) -> Iterator[tuple[str, Route]]:
    yield from sorted(registry.hosts.items())


def check_installed(exchange: Exchange) -> None:
    """The installed entry point loads this very plugin, with the same registrations."""
    own = own_registry(exchange)
    installed = get_registry()
    infos = {info.name: info for info in installed.plugins}
    name = slug(exchange)
    assert name in infos, (
        f"no plugin {name!r} among the installed ones {sorted(infos)}: declare the entry point "
        f'[project.entry-points.topgun] {name} = "{exchange.plugin.__name__}"'
    )
    info = infos[name]
    assert sorted(info.apis) == sorted(own.apis), (info.apis, sorted(own.apis))
    assert sorted(info.hosts) == sorted(own.hosts), (info.hosts, sorted(own.hosts))
    assert sorted(info.datastores) == sorted(own.datastores)
    listing = io.StringIO()
    print_exchanges(installed, listing)
    shown = listing.getvalue()
    missing = [item for item in (*own.apis, *own.hosts) if item not in shown]
    assert not missing, f"`topgun exchanges` does not list {missing}"


def check_hosts(exchange: Exchange) -> None:
    """Every host is one exact DNS name, registered as core spells it, owned by this plugin only,
    and a name merely containing it (a lookalike) gets none of its credentials."""
    own = own_registry(exchange)
    installed = get_registry()
    name = slug(exchange)
    assert own.hosts, "the plugin registers no host"
    for host, route in routes(own):
        assert route.host.name == canonical_host(route.host.name), (
            f"register {canonical_host(route.host.name)!r}, not {route.host.name!r}"
        )
        assert "." in host and "*" not in host, f"{host!r} is not one exact host name"
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass
        else:
            raise AssertionError(f"{host!r} is an IP address, not the exchange's host name")
        owner = installed.hosts.get(host)
        assert owner is not None and owner.plugin == name, (
            f"{host} is served by {owner and owner.distribution!r}, not by plugin {name!r}"
        )
        for lookalike in (f"evil-{host}", f"{host}.evil.example", f"x{host}"):
            found = lookup(installed.hosts, URL.build(scheme="https", host=lookalike))
            assert found is None, f"{lookalike} gets the route of {host}"


def check_apis(exchange: Exchange) -> None:
    """The description has a throwaway credential for every API name, and only for those."""
    own = own_registry(exchange)
    assert sorted(exchange.apis) == sorted(own.apis), (
        f"describe exactly the plugin's API names {sorted(own.apis)}, not {sorted(exchange.apis)}"
    )
    for _, route in routes(own):
        assert set(route.apis) <= set(own.apis), route
