"""{{LABEL}}'s registration: its API name and the host its credentials may go to."""

from __future__ import annotations

from topgun.testing import build_registry
from topgun_{{SLUG}} import plugin
from topgun_{{SLUG}}.auth import sign_request


def test_registers_its_api_name_and_host() -> None:
    registry = build_registry([plugin], strict=True)
    assert list(registry.apis) == [plugin.API]
    assert list(registry.hosts) == [plugin.HTTP_HOST]
    assert registry.hosts[plugin.HTTP_HOST].host.signer is sign_request
