"""Plugin discovery through entry points, isolation of broken plugins, conflicts, trust boundary."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from typing import Any

import pytest

import topgun
from topgun.errors import PluginLoadWarning
from topgun.plugin import ApiSpec, Host, HostRecipe
from topgun.registry import build_registry, discover_plugins

GOOD_PLUGIN = """
    from topgun.plugin import ApiSpec, Host, hookimpl

    @hookimpl
    def topgun_register_apis(register):
        register(ApiSpec("goodex"))

    @hookimpl
    def topgun_register_hosts(register):
        register(Host("api.goodex.test", api="goodex"))
"""


def test_entry_points_are_found_and_a_broken_plugin_is_isolated(
    install_plugin: Callable[[str, str, str], None],
) -> None:
    install_plugin("goodex", "tg_goodex_plugin", GOOD_PLUGIN)
    install_plugin("brokenex", "tg_brokenex_plugin", "raise RuntimeError('boom at import')")
    loaded, failed, _ = discover_plugins(disabled=frozenset())
    names = [p.name for p in loaded]
    assert "goodex" in names and "bitflyer" in names
    assert names == sorted(names)
    assert [(f.name, f.distribution) for f in failed] == [("brokenex", "topgun-brokenex")]
    assert "boom at import" in failed[0].error

    with pytest.warns(
        PluginLoadWarning, match=r"'brokenex' from distribution 'topgun-brokenex'.*boom at import"
    ):
        registry = build_registry(loaded, load_failures=failed, strict=False)
    assert "goodex" in registry.apis and "bitflyer" in registry.apis
    assert registry.failures[0].distribution == "topgun-brokenex"

    with pytest.raises(topgun.PluginError, match="strict mode"):
        build_registry(loaded, load_failures=failed, strict=True)


def test_disabled_plugins_are_not_imported(
    install_plugin: Callable[[str, str, str], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    install_plugin("brokenex", "tg_brokenex2", "raise RuntimeError('never imported')")
    monkeypatch.setenv("TOPGUN_DISABLE_PLUGINS", "brokenex, bitflyer")
    loaded, failed, disabled = discover_plugins()
    assert failed == [] and sorted(disabled) == ["bitflyer", "brokenex"]
    assert all(p.name not in {"brokenex", "bitflyer"} for p in loaded)


def test_a_plugin_raising_in_its_hook_is_dropped_whole(
    plugin_factory: Any, toy_plugin_module: Any
) -> None:
    bad = plugin_factory("badhook", apis=[ApiSpec("badhook")])

    def explode(register: Any) -> None:
        register(Host("api.badhook.test", api="badhook"))
        raise ValueError("hook failed")

    explode = topgun.hookimpl(explode)
    bad.topgun_register_hosts = explode
    with pytest.warns(PluginLoadWarning, match="hook failed"):
        registry = build_registry([bad, toy_plugin_module], strict=False)
    assert "badhook" not in registry.apis and "api.badhook.test" not in registry.hosts
    assert "toy" in registry.apis


def test_misspelled_hook_fails_loudly(plugin_factory: Any) -> None:
    typo = plugin_factory("typo")

    @topgun.hookimpl
    def topgun_register_host(register: Any) -> None:  # missing "s"
        raise AssertionError("never called")

    typo.topgun_register_host = topgun_register_host
    with pytest.raises(topgun.PluginError, match="topgun_register_host"):
        build_registry([typo], strict=True)


def test_conflicting_hosts_name_both_distributions(
    plugin_factory: Any, toy_plugin_module: Any
) -> None:
    rival = plugin_factory(
        "rival", apis=[ApiSpec("rival")], hosts=[Host("api.toy.test", api="rival")]
    )
    with pytest.raises(topgun.PluginConflictError) as info:
        build_registry([toy_plugin_module, rival], strict=False)
    message = str(info.value)
    assert "'api.toy.test'" in message and "topgun_toy" in message and "topgun_rival" in message
    assert "TOPGUN_DISABLE_PLUGINS=rival" in message


def test_conflicting_api_names(plugin_factory: Any, toy_plugin_module: Any) -> None:
    rival = plugin_factory("rival", apis=[ApiSpec("toy")])
    with pytest.raises(topgun.PluginConflictError, match="API name 'toy'"):
        build_registry([toy_plugin_module, rival], strict=False)


def test_a_plugin_cannot_route_another_plugins_credentials(
    plugin_factory: Any, toy_plugin_module: Any
) -> None:
    thief = plugin_factory(
        "thief", apis=[ApiSpec("thief")], hosts=[Host("api.thief.test", api="toy")]
    )
    with pytest.raises(topgun.PluginError, match="does not declare"):
        build_registry([toy_plugin_module, thief], strict=False)


def test_register_rejects_the_wrong_type(plugin_factory: Any) -> None:
    wrong = plugin_factory("wrong", apis=["not-a-spec"])  # type: ignore[list-item]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        registry = build_registry([wrong], strict=False)
    assert "register() takes a topgun.plugin.ApiSpec" in registry.failures[0].error


def test_registry_is_frozen(toy_registry: Any) -> None:
    with pytest.raises(TypeError):
        toy_registry.apis["x"] = ApiSpec("x")  # type: ignore[index]
    assert toy_registry.plugins[0].hosts == ("api.toy.test", "alt.toy.test")


def test_same_plugin_name_from_two_distributions(plugin_factory: Any) -> None:
    from topgun.registry import LoadedPlugin

    one = LoadedPlugin("dup", plugin_factory("dup"), "topgun-dup", "1")
    two = LoadedPlugin("dup", plugin_factory("dup"), "topgun-dup-fork", "2")
    with pytest.raises(topgun.PluginConflictError, match="'topgun-dup' and 'topgun-dup-fork'"):
        build_registry([one, two], strict=False)


def test_a_signing_host_must_say_how_bodies_are_encoded(plugin_factory: Any) -> None:
    def signer(request: Any) -> Any:
        raise AssertionError("never called")

    plugin = plugin_factory(
        "nobody",
        apis=[ApiSpec("nobody")],
        hosts=[Host("api.nobody.test", api="nobody", signer=signer)],
    )
    with pytest.raises(topgun.PluginError, match="without a body encoding"):
        build_registry([plugin], strict=False)


def test_ws_decoder_and_responder_are_listed_as_features() -> None:
    """Plugins for exchanges that compress frames or ping with a value to echo declare it."""

    def decoder(payload: bytes, max_size: int) -> bytes:
        return payload

    def responder(message: object) -> object:
        return None

    host = Host("ws.toy.test", api="toy", ws_decoder=decoder, ws_responder=responder)
    assert host.features() == ("ws-decode", "ws-reply")
    assert Host("ws.toy.test").features() == ()


def test_host_each_builds_one_host_per_name_from_one_recipe() -> None:
    """An exchange serving one protocol on several domains writes the recipe once."""
    hosts = Host.each({"ws.toy.test": "toy", "ws.testnet.toy.test": "toy_testnet"}, ports=(8443,))
    assert hosts == (
        Host("ws.toy.test", api="toy", ports=(8443,)),
        Host("ws.testnet.toy.test", api="toy_testnet", ports=(8443,)),
    )
    assert Host.each({}, ports=(8443,)) == ()


def test_a_host_recipe_names_every_host_field_but_name_and_api() -> None:
    """``HostRecipe`` is typed by hand: a field added to ``Host`` must be added there too."""
    fields = {field.name for field in dataclasses.fields(Host)} - {"name", "api"}
    assert set(HostRecipe.__annotations__) == fields


# -- a plugin ending the process is isolated like any failing plugin --------------------------

EXITING_AT_IMPORT = "import sys\nsys.exit(3)\n"

EXITING_IN_HOOK = """
    from topgun.plugin import ApiSpec, hookimpl

    class Escape(BaseException):
        pass

    @hookimpl
    def topgun_register_apis(register):
        register(ApiSpec("hookex"))
        raise Escape("left through BaseException")
"""


def test_a_plugin_calling_sys_exit_at_import_is_isolated(
    install_plugin: Callable[[str, str, str], None],
) -> None:
    install_plugin("goodex", "tg_goodex_exit", GOOD_PLUGIN)
    install_plugin("exitex", "tg_exitex_plugin", EXITING_AT_IMPORT)
    install_plugin("hookex", "tg_hookex_plugin", EXITING_IN_HOOK)
    loaded, failed, _ = discover_plugins(disabled=frozenset())
    assert [(f.name, f.distribution) for f in failed] == [("exitex", "topgun-exitex")]
    assert "sys.exit(3)" in failed[0].error

    with pytest.warns(PluginLoadWarning) as caught:
        registry = build_registry(loaded, load_failures=failed, strict=False)
    messages = " ".join(str(w.message) for w in caught)
    assert "'topgun-exitex'" in messages and "SystemExit" in messages
    assert "'topgun-hookex'" in messages and "left through BaseException" in messages
    assert "goodex" in registry.apis and "hookex" not in registry.apis
    assert "bitflyer" in registry.apis

    with pytest.raises(topgun.PluginError, match="strict mode"):
        build_registry(loaded, load_failures=failed, strict=True)


def test_topgun_exchanges_survives_a_plugin_calling_sys_exit(
    install_plugin: Callable[[str, str, str], None],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from topgun.cli import main
    from topgun.registry import reset_registry

    install_plugin("exitex", "tg_exitex_cli", EXITING_AT_IMPORT)
    monkeypatch.delenv("TOPGUN_STRICT_PLUGINS", raising=False)
    reset_registry()
    try:
        with pytest.warns(PluginLoadWarning, match="topgun-exitex"):
            status = main(["exchanges"])
    finally:
        reset_registry()
    out = capsys.readouterr().out
    assert status == 1  # reported as a failure, not a silent exit
    assert "exitex  (topgun-exitex)  FAILED TO LOAD: SystemExit" in out
    assert "api.bitflyer.com" in out
