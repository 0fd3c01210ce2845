"""`topgun exchanges` and the lazy top-level DataStore names."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

import topgun
from topgun.cli import main, print_exchanges
from topgun.plugin import ApiSpec
from topgun.registry import build_registry, discover_plugins, reset_registry
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


WITH_STORE = """
    from topgun import DataStoreCollection
    from topgun.plugin import ApiSpec, hookimpl

    class FakeflyerDataStore(DataStoreCollection):
        pass

    @hookimpl
    def topgun_register_apis(register):
        register(ApiSpec("fakeflyer"))

    @hookimpl
    def topgun_register_datastores(register):
        register("FakeflyerDataStore", FakeflyerDataStore)
"""

WITHOUT_STORE = """
    from topgun.plugin import ApiSpec, hookimpl

    @hookimpl
    def topgun_register_apis(register):
        register(ApiSpec("fakebit"))
"""


@pytest.fixture
def installed(
    install_plugin: Callable[[str, str, str], None], monkeypatch: pytest.MonkeyPatch
) -> Any:
    """Install fake plugin distributions on sys.path; ``use(*dists)`` makes them the registry."""
    from topgun.registry import state

    install_plugin("fakeflyer", "tg_fakeflyer", WITH_STORE)
    install_plugin("fakebit", "tg_fakebit", WITHOUT_STORE)
    install_plugin("fakebroken", "tg_fakebroken", "raise ImportError('no dep')")

    def use(*dists: str, disabled: frozenset[str] = frozenset()) -> None:
        loaded, failed, skipped = discover_plugins(disabled=disabled)
        registry = build_registry(
            [p for p in loaded if p.distribution in dists],
            load_failures=[f for f in failed if f.distribution in dists],
            disabled=[name for name in skipped if f"topgun-{name}" in dists],
            strict=False,
        )
        monkeypatch.setattr(state, "_registry", registry)

    return use


def test_a_registered_datastore_resolves_from_an_installed_distribution(installed: Any) -> None:
    installed("topgun-fakeflyer")
    assert topgun.FakeflyerDataStore.__name__ == "FakeflyerDataStore"


def test_missing_datastore_names_what_exists_and_guesses_no_distribution(installed: Any) -> None:
    installed("topgun-fakeflyer")
    with pytest.raises(AttributeError) as info:
        _ = topgun.FakebitDataStore
    message = str(info.value)
    assert "no installed topgun plugin registers a DataStore of that name" in message
    assert "FakeflyerDataStore (topgun-fakeflyer)" in message
    assert "topgun-fakebit" not in message  # not installed: nothing says it would provide it
    assert "pip install" not in message and "upgrade" not in message
    assert "topgun exchanges" in message


def test_installed_plugin_without_that_datastore_is_not_told_to_upgrade(installed: Any) -> None:
    # The plugin whose name the DataStore name suggests is installed but registers none.
    installed("topgun-fakeflyer", "topgun-fakebit")
    with pytest.raises(AttributeError) as info:
        _ = topgun.FakebitDataStore
    message = str(info.value)
    assert "upgrade" not in message
    assert "DataStores the installed plugins register: FakeflyerDataStore (topgun-fakeflyer)." in (
        message
    )


def test_close_match_names_the_distribution_that_provides_it(installed: Any) -> None:
    installed("topgun-fakeflyer")
    with pytest.raises(
        AttributeError,
        match=r"Did you mean topgun.FakeflyerDataStore \(from "
        r"topgun-fakeflyer\)\?",
    ):
        _ = topgun.FakeFlyrDataStore
    with pytest.raises(AttributeError, match=r"did you mean topgun.Client\?"):
        _ = topgun.Clinet
    with pytest.raises(AttributeError, match=r"has no attribute 'nothing_here'$"):
        _ = topgun.nothing_here


def test_plugins_that_could_not_be_asked_are_listed(
    installed: Any, recwarn: pytest.WarningsRecorder
) -> None:
    installed(
        "topgun-fakeflyer", "topgun-fakebroken", "topgun-fakebit", disabled=frozenset({"fakebit"})
    )
    with pytest.raises(AttributeError) as info:
        _ = topgun.SomethingDataStore
    message = str(info.value)
    assert "fakebroken (topgun-fakebroken) failed to load: ImportError: no dep" in message
    assert "fakebit is disabled by TOPGUN_DISABLE_PLUGINS" in message


def test_registered_datastore_resolves_lazily(
    monkeypatch: pytest.MonkeyPatch, plugin_factory: Any
) -> None:
    from topgun.registry import state

    plugin = plugin_factory(
        "toy", apis=[ApiSpec("toy")], datastores=[("ToyDataStore", ToyDataStore)]
    )
    monkeypatch.setattr(state, "_registry", build_registry([plugin], strict=True))
    assert topgun.ToyDataStore is ToyDataStore
