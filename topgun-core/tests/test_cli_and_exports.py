"""`topgun exchanges` and the lazy top-level DataStore names."""

from __future__ import annotations

import io
from typing import Any

import pytest

import topgun
from topgun.cli import main, print_exchanges
from topgun.plugin import ApiSpec
from topgun.registry import build_registry, reset_registry
from topgun.registry.build import PluginFailure, Registry


class ToyDataStore:
    pass


def test_exchanges_lists_apis_hosts_and_datastores(
    plugin_factory: Any, toy_plugin_module: Any
) -> None:
    toy_plugin_module.topgun_register_datastores = plugin_factory(
        "x", datastores=[("ToyDataStore", ToyDataStore)]
    ).topgun_register_datastores
    registry = build_registry([toy_plugin_module], strict=True)
    out = io.StringIO()
    print_exchanges(registry, out)
    text = out.getvalue()
    assert "toy_pass" in text and "[API_KEY, API_SECRET, PASSPHRASE]" in text
    assert "api.toy.test" in text and "sign" in text and "body=json" in text
    assert "alt.toy.test" in text and "toy,toy_demo" in text
    assert "topgun.ToyDataStore" in text


def test_exchanges_reports_failed_plugins(toy_plugin_module: Any) -> None:
    registry = build_registry([toy_plugin_module], strict=True)
    broken = Registry(
        dict(registry.apis),
        {},
        dict(registry.hosts),
        {},
        {},
        registry.plugins,
        (PluginFailure("brokenex", "topgun-brokenex", "RuntimeError: boom"),),
    )
    out = io.StringIO()
    print_exchanges(broken, out)
    assert "brokenex  (topgun-brokenex)  FAILED TO LOAD: RuntimeError: boom" in out.getvalue()


def test_cli_main_with_installed_plugins(capsys: pytest.CaptureFixture[str]) -> None:
    reset_registry()
    try:
        assert main(["exchanges"]) == 0
    finally:
        reset_registry()
    out = capsys.readouterr().out
    assert "topgun-bitflyer" in out and "api.bitflyer.com" in out


def test_missing_datastore_says_which_distribution(
    monkeypatch: pytest.MonkeyPatch, plugin_factory: Any
) -> None:
    from topgun.registry import state

    monkeypatch.setattr(
        state,
        "_registry",
        build_registry([plugin_factory("toy", apis=[ApiSpec("toy")])], strict=True),
    )
    with pytest.raises(AttributeError, match=r"pip install topgun-binance`.*pip install topgun`"):
        _ = topgun.BinanceSpotDataStore
    with pytest.raises(AttributeError, match="pip install topgun-bitflyer"):
        _ = topgun.bitFlyerDataStore
    with pytest.raises(AttributeError, match="has no attribute 'nothing_here'"):
        _ = topgun.nothing_here


def test_registered_datastore_resolves_lazily(
    monkeypatch: pytest.MonkeyPatch, plugin_factory: Any
) -> None:
    from topgun.registry import state

    plugin = plugin_factory(
        "toy", apis=[ApiSpec("toy")], datastores=[("ToyDataStore", ToyDataStore)]
    )
    monkeypatch.setattr(state, "_registry", build_registry([plugin], strict=True))
    assert topgun.ToyDataStore is ToyDataStore
