"""The plugin's registration: the API names and hosts it registers, and how ``topgun exchanges``
lists them."""

from __future__ import annotations

from topgun.plugin import RateLimit
from topgun.testing import Registry, exchanges_listing
from topgun_mexc.ws import FUTURES_HEARTBEAT, SPOT_HEARTBEAT, futures_login


def test_listed_by_topgun_exchanges(registry: Registry) -> None:
    text = exchanges_listing(registry)
    assert "api        mexc" in text
    for host in ("api.mexc.com", "contract.mexc.com", "wbs-api.mexc.com"):
        assert host in text
    assert registry.hosts["contract.mexc.com"].host.body == "json"


def test_hosts_carry_login_heartbeat_and_spot_limit(registry: Registry) -> None:
    futures = registry.hosts["contract.mexc.com"].host
    assert futures.ws_authenticator is futures_login and futures.ws_heartbeat is FUTURES_HEARTBEAT
    for host in ("wbs-api.mexc.com", "wbs.mexc.com"):
        assert registry.hosts[host].host.ws_rate_limit == RateLimit(messages=100, per_seconds=1.0)
        assert registry.hosts[host].host.ws_heartbeat is SPOT_HEARTBEAT
